"""The clock-driven side of the lifecycle, all in UTC so a DST change never shifts a run.

- weekly training, Sundays 02:00 (`0 2 * * 0`): retrains even when tickets trickle in below
  the new-ticket sensor's threshold;
- daily extract, 05:00 (`0 5 * * *`): keeps the extract (and its drift check) at most a day
  old, which is what its freshness policy promises;
- daily batch inference, 06:00 (`0 6 * * *`): predicts the previous, complete UTC day.

Each is switched off with GATA_WEEKLY_TRAINING / GATA_DAILY_EXTRACT / GATA_DAILY_INFERENCE=off.
"""

from datetime import timedelta

import dagster as dg

from gata_assets.defs.automation.jobs import batch_inference_job, refresh_extract_job, retrain_job
from gata_assets.defs.automation.switches import Switches

UTC = "UTC"


def build_schedules(switches: Switches) -> list[dg.ScheduleDefinition]:
    weekly_training = dg.ScheduleDefinition(
        name="weekly_training",
        cron_schedule="0 2 * * 0",
        execution_timezone=UTC,
        job=retrain_job,
        default_status=Switches.schedule_status(switches.weekly_training),
        tags={"gata/trigger": "weekly_schedule"},
        description="Retrain both models every Sunday 02:00 UTC.",
    )
    daily_extract = dg.ScheduleDefinition(
        name="daily_extract",
        cron_schedule="0 5 * * *",
        execution_timezone=UTC,
        job=refresh_extract_job,
        default_status=Switches.schedule_status(switches.daily_extract),
        tags={"gata/trigger": "daily_schedule"},
        description="Refresh the ticket extract every day at 05:00 UTC.",
    )

    @dg.schedule(
        name="daily_batch_inference",
        cron_schedule="0 6 * * *",
        execution_timezone=UTC,
        job=batch_inference_job,
        default_status=Switches.schedule_status(switches.daily_inference),
        description="Predict yesterday's tickets (UTC) every day at 06:00 UTC.",
    )
    def daily_batch_inference(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
        day = (context.scheduled_execution_time - timedelta(days=1)).strftime("%Y-%m-%d")
        # One run key per day: a daemon catching up after downtime never predicts a day twice.
        return dg.RunRequest(
            run_key=f"batch-{day}", partition_key=day, tags={"gata/trigger": "daily_schedule"}
        )

    return [weekly_training, daily_extract, daily_batch_inference]
