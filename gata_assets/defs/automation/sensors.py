"""Every lifecycle sensor, built with the default status the switches give them.

The decisions live in small functions next to their subject (`new_tickets`, `image_tags`,
`promotion`, `freshness`, `run_events`) so tests drive them with plain contexts; this
module only wires each to its job, interval and resources. The approval-queue sensor sits
beside the polling promotion sensor only where a queue is configured (GATA_APPROVAL_QUEUE_URL).
"""

import dagster as dg

from gata_assets.defs.automation.approval_queue_sensor import build_approval_queue_sensor
from gata_assets.defs.automation.freshness import evaluate_freshness, watched_assets
from gata_assets.defs.automation.image_tags import evaluate_image_tags
from gata_assets.defs.automation.jobs import promote_prod_job, redeploy_job, retrain_job
from gata_assets.defs.automation.new_tickets import evaluate_new_tickets
from gata_assets.defs.automation.promotion_sensor import evaluate_approvals
from gata_assets.defs.automation.quality import evaluate_routing_quality
from gata_assets.defs.automation.run_events import build_run_event_sensors
from gata_assets.resources.artifact_store import ArtifactStore
from gata_assets.resources.events import EventSink
from gata_assets.resources.image_tags import ImageTagSource
from gata_assets.resources.lifecycle_config import LifecycleConfig
from gata_assets.resources.registry import ModelRegistry
from gata_assets.resources.ticket_db import TicketDatabase


def build_sensors(
    status: dg.DefaultSensorStatus, approval_queue: bool = False
) -> list[dg.SensorDefinition]:
    @dg.sensor(
        name="new_tickets_sensor",
        job=retrain_job,
        minimum_interval_seconds=300,
        default_status=status,
        description="Retrain when enough new tickets arrived or their category mix drifted.",
    )
    def new_tickets_sensor(
        context: dg.SensorEvaluationContext,
        ticket_db: TicketDatabase,
        artifact_store: ArtifactStore,
        lifecycle: LifecycleConfig,
    ):
        return evaluate_new_tickets(context, ticket_db, artifact_store, lifecycle)

    @dg.sensor(
        name="image_tag_sensor",
        jobs=[retrain_job, redeploy_job, promote_prod_job],
        minimum_interval_seconds=120,
        default_status=status,
        description="Retrain on a new fine-tune image tag, redeploy on a new inference tag.",
    )
    def image_tag_sensor(
        context: dg.SensorEvaluationContext,
        image_tags: ImageTagSource,
        artifact_store: ArtifactStore,
    ):
        return evaluate_image_tags(context, image_tags, artifact_store)

    @dg.sensor(
        name="prod_promotion_sensor",
        job=promote_prod_job,
        minimum_interval_seconds=60,
        default_status=status,
        description="Deploy newly approved model versions to the prod endpoint.",
    )
    def prod_promotion_sensor(
        context: dg.SensorEvaluationContext, registry: ModelRegistry, artifact_store: ArtifactStore
    ):
        return evaluate_approvals(context, registry, artifact_store)

    @dg.sensor(
        name="routing_quality_sensor",
        job=retrain_job,
        minimum_interval_seconds=3600,
        default_status=status,
        description="Retrain when live routing accuracy falls below the model's test accuracy.",
    )
    def routing_quality_sensor(context: dg.SensorEvaluationContext, lifecycle: LifecycleConfig):
        return evaluate_routing_quality(context, lifecycle)

    @dg.sensor(
        name="freshness_events",
        minimum_interval_seconds=600,
        default_status=status,
        description="Publish gata.freshness.breached / recovered when an asset goes stale "
        "or recovers.",
    )
    def freshness_events(context: dg.SensorEvaluationContext, events: EventSink):
        return evaluate_freshness(context, events, watched_assets(context.repository_def))

    return [
        new_tickets_sensor,
        image_tag_sensor,
        prod_promotion_sensor,
        *([build_approval_queue_sensor(status)] if approval_queue else []),
        routing_quality_sensor,
        freshness_events,
        *build_run_event_sensors(status),
    ]
