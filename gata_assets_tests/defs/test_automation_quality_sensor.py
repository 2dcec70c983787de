"""The routing-quality sensor: retrain once live accuracy falls more than X points below the
model's test accuracy over the last N judged tickets, once per routing_quality result."""

from __future__ import annotations

import dagster as dg

from gata_assets.defs.automation.sensors import build_sensors
from gata_assets.resources.lifecycle_config import LifecycleConfig

SENSOR = {s.name: s for s in build_sensors(dg.DefaultSensorStatus.STOPPED)}[
    "routing_quality_sensor"
]
LIFECYCLE = LifecycleConfig(quality_window_tickets=100, quality_drop_points=5.0)


def record(instance: dg.DagsterInstance, judged: int, live: float, test: float) -> None:
    metadata = {"recent_tickets": judged, "recent_accuracy": live, "model_test_accuracy": test}
    instance.report_runless_asset_event(
        dg.AssetMaterialization("routing_quality", metadata={**metadata, "model_version": "g1"})
    )


def tick(instance: dg.DagsterInstance):
    with dg.build_sensor_context(instance=instance, resources={"lifecycle": LIFECYCLE}) as ctx:
        return SENSOR(ctx)


def test_quality_sensor_retrains_only_on_a_real_drop_over_enough_tickets():
    instance = dg.DagsterInstance.ephemeral()
    assert "not been materialized" in tick(instance).skip_message
    record(instance, judged=40, live=0.5, test=0.9)
    assert "not judged yet" in tick(instance).skip_message
    record(instance, judged=100, live=0.86, test=0.9)  # 4 points: within 5
    assert "within 5.0" in tick(instance).skip_message
    record(instance, judged=100, live=0.8, test=0.9)  # 10 points down
    request = tick(instance)
    assert request.run_key.startswith("routing-quality:")
    assert "10.0 points below the test accuracy 0.900 of g1" in request.tags["gata/reason"]
    assert tick(instance).run_key == request.run_key  # same result, same key: no repeat
