"""Schedules fire when promised (UTC) and each one can be switched off by configuration."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import dagster as dg
import pytest

from gata_assets.defs.automation import build_automation
from gata_assets.defs.automation.schedules import build_schedules
from gata_assets.defs.automation.switches import Switches

SCHEDULES = {s.name: s for s in build_schedules(Switches())}


def cron_matches(cron: str, moment: datetime) -> bool:
    """Plain five-field cron with numbers, lists and '*': enough for gata's schedules."""
    values = (moment.minute, moment.hour, moment.day, moment.month, (moment.weekday() + 1) % 7)
    return all(
        field == "*" or value in {int(v) for v in field.split(",")}
        for field, value in zip(cron.split(), values, strict=True)
    )


def next_fires(schedule: dg.ScheduleDefinition, after: datetime, count: int) -> list[datetime]:
    assert schedule.execution_timezone == "UTC"
    found, moment = [], after.replace(second=0, microsecond=0) + timedelta(minutes=1)
    while len(found) < count:
        if cron_matches(schedule.cron_schedule, moment):
            found.append(moment)
        moment += timedelta(minutes=1)
    return found


def test_weekly_training_fires_sundays_at_two_utc():
    weekly = SCHEDULES["weekly_training"]
    assert weekly.cron_schedule == "0 2 * * 0" and weekly.job_name == "retrain"
    tuesday = datetime(2026, 11, 24, 3, 8, tzinfo=UTC)
    assert next_fires(weekly, tuesday, 3) == [
        datetime(2026, 11, 29, 2, 0, tzinfo=UTC),
        datetime(2026, 12, 6, 2, 0, tzinfo=UTC),
        datetime(2026, 12, 13, 2, 0, tzinfo=UTC),
    ]
    assert all(fire.strftime("%A") == "Sunday" for fire in next_fires(weekly, tuesday, 3))


def test_daily_batch_inference_at_six_predicts_yesterday():
    daily = SCHEDULES["daily_batch_inference"]
    assert daily.cron_schedule == "0 6 * * *" and daily.job_name == "batch_inference"
    assert next_fires(daily, datetime(2026, 11, 24, 6, 0, tzinfo=UTC), 2) == [
        datetime(2026, 11, 25, 6, 0, tzinfo=UTC),
        datetime(2026, 11, 26, 6, 0, tzinfo=UTC),
    ]
    context = dg.build_schedule_context(
        scheduled_execution_time=datetime(2026, 11, 25, 6, 0, tzinfo=UTC)
    )
    request = daily(context)
    assert request.partition_key == "2026-11-24" and request.run_key == "batch-2026-11-24"


def test_daily_extract_refresh_keeps_the_extract_fresh():
    extract = SCHEDULES["daily_extract"]
    assert extract.cron_schedule == "0 5 * * *" and extract.job_name == "refresh_extract"
    assert next_fires(extract, datetime(2026, 11, 24, 5, 0, tzinfo=UTC), 1) == [
        datetime(2026, 11, 25, 5, 0, tzinfo=UTC)
    ]


def test_everything_runs_by_default_and_each_switch_turns_one_off():
    running = dg.DefaultScheduleStatus.RUNNING
    assert {s.default_status for s in SCHEDULES.values()} == {running}
    automation = build_automation({"weekly_training": "off", "daily_inference": "OFF"})
    status = {s.name: s.default_status for s in automation.schedules}
    assert status == {
        "weekly_training": dg.DefaultScheduleStatus.STOPPED,
        "daily_extract": running,
        "daily_batch_inference": dg.DefaultScheduleStatus.STOPPED,
    }
    assert {s.default_status for s in automation.sensors} == {dg.DefaultSensorStatus.RUNNING}
    quiet = build_automation({"sensors": "off", "daily_extract": "false"})
    assert {s.default_status for s in quiet.sensors} == {dg.DefaultSensorStatus.STOPPED}
    assert {s.name for s in quiet.sensors} >= {
        "new_tickets_sensor",
        "image_tag_sensor",
        "prod_promotion_sensor",
        "freshness_events",
        "run_succeeded_events",
        "run_failed_events",
    }
    with pytest.raises(ValueError, match="GATA_WEEKLY_TRAINING must be 'on' or 'off'"):
        Switches.from_options({"weekly_training": "sometimes"})
