"""Freshness: how old each lifecycle asset may get, and a gata event when one gets older.

Policies are attached when the definitions are assembled (`with_freshness`), so the stages
that own these assets stay unaware of the lifecycle's promises, while the UI shows each
asset's freshness next to it. Dagster evaluates the policies itself; the breach sensor
additionally publishes `gata.freshness.breached` / `gata.freshness.recovered` through the
events resource, once per change, so the same consumers that hear about runs hear this.
"""

import json
import time
import warnings
from datetime import timedelta

import dagster as dg

from gata_assets.core.model_groups import MODEL_GROUPS
from gata_assets.resources.events import EventSink

DAY = timedelta(days=1)
# Extract refreshed daily at 05:00; models retrained weekly; endpoints follow the models.
WINDOWS = {
    "ticket_extract": (DAY + timedelta(hours=2), DAY),
    **{
        group.model_asset: (timedelta(days=8), timedelta(days=7, hours=6)) for group in MODEL_GROUPS
    },
    "batch_predictions": (DAY + timedelta(hours=6), DAY + timedelta(hours=2)),
}
ENDPOINT_WINDOWS = (timedelta(days=8), timedelta(days=7, hours=6))
PROD_WINDOWS = (timedelta(days=15), timedelta(days=8))


def windows_for(key: dg.AssetKey, group: str | None) -> tuple[timedelta, timedelta] | None:
    name = key.to_user_string()
    if name in WINDOWS:
        return WINDOWS[name]
    if group == "promotion":
        return PROD_WINDOWS  # prod moves only on approval: a slower promise
    if group == "deployment":
        return ENDPOINT_WINDOWS
    return None


def _apply(spec: dg.AssetSpec) -> dg.AssetSpec:
    found = windows_for(spec.key, spec.group_name)
    if found is None or spec.freshness_policy is not None:
        return spec  # an owner's own policy wins
    fail, warn = found
    policy = dg.FreshnessPolicy.time_window(fail_window=fail, warn_window=warn)
    return spec.replace_attributes(freshness_policy=policy)


def with_freshness(defs: dg.Definitions) -> dg.Definitions:
    with warnings.catch_warnings():
        # Definitions.map_asset_specs is marked preview; its per-asset sibling is not, but
        # applying it here keeps the owners' modules untouched.
        warnings.simplefilter("ignore", dg.PreviewWarning)
        return defs.map_asset_specs(func=_apply)


def watched_assets(repository: dg.RepositoryDefinition) -> dict[str, float]:
    """Each asset with a time-window policy → its fail window in seconds."""
    watched = {}
    for key, assets_def in repository.assets_defs_by_key.items():
        for spec in assets_def.specs:
            policy = spec.freshness_policy
            if spec.key == key and policy is not None and hasattr(policy, "fail_window"):
                watched[key.to_user_string()] = policy.fail_window.to_timedelta().total_seconds()
    return watched


def evaluate_freshness(
    context: dg.SensorEvaluationContext, events: EventSink, watched: dict[str, float]
) -> dg.SkipReason:
    """Publish a breach (or recovery) for each watched asset whose state changed."""
    stale_before = set(json.loads(context.cursor or "[]"))
    now, stale = time.time(), set()
    for name, fail_seconds in sorted(watched.items()):
        key = dg.AssetKey.from_user_string(name)
        event = context.instance.get_latest_materialization_event(key)
        if event is None or now - event.timestamp < fail_seconds:
            continue  # never materialized is "unknown" in Dagster too, not a breach
        stale.add(name)
        if name not in stale_before:
            detail = {
                "asset": name,
                "age_hours": round((now - event.timestamp) / 3600, 1),
                "fail_window_hours": round(fail_seconds / 3600, 1),
            }
            events.emit("gata.freshness.breached", detail)
    for name in sorted(stale_before - stale):
        events.emit("gata.freshness.recovered", {"asset": name})
    context.update_cursor(json.dumps(sorted(stale)))
    return dg.SkipReason(f"stale: {', '.join(sorted(stale)) or 'none'}")
