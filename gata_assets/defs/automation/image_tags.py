"""Image-tag sensor: a new fine-tune image retrains, a new inference image redeploys.

A new inference image redeploys preprod and, when prod is up, prod too, onto the very
versions prod already serves: an image roll-out never promotes an unapproved model.

The cursor is the last tags seen plus a change counter. The first evaluation only records a
baseline (turning the sensor on must not retrain everything). Run keys carry the counter, so
rolling back to an earlier tag is a new change, while re-evaluating the same cursor after a
daemon restart yields the same keys and Dagster launches nothing twice.
"""

import json

import dagster as dg

from gata_assets.core.references import EndpointRef
from gata_assets.resources.artifact_store import ArtifactStore
from gata_assets.resources.image_tags import ImageTagSource
from gata_assets.resources.refs_io_manager import latest_ref

# The job each image role's change launches.
ROLE_JOBS = {"finetune": "retrain", "inference": "redeploy"}
PROD = dg.AssetKey("prod_endpoint")


def _prod_redeploy(store: ArtifactStore, run_key: str, tags: dict) -> dg.RunRequest | None:
    prod = latest_ref(store, PROD, EndpointRef)
    serving = prod.model_versions if prod else {}
    if not serving:
        return None  # prod was never deployed: nothing to move onto the new image
    config = {f"{role}_version": version for role, version in serving.items()}
    return dg.RunRequest(
        job_name="promote_prod",
        run_key=f"{run_key}:prod",
        run_config={"ops": {"prod_endpoint": {"config": config}}},
        tags=tags,
    )


def evaluate_image_tags(
    context: dg.SensorEvaluationContext, image_tags: ImageTagSource, store: ArtifactStore
) -> dg.SensorResult | dg.SkipReason:
    try:
        current = image_tags.current_tags()
    except ValueError as error:
        return dg.SkipReason(f"cannot read image tags: {error}")
    if context.cursor is None:
        cursor = json.dumps({"tags": current, "changes": 0}, sort_keys=True)
        return dg.SensorResult(skip_reason=f"baseline recorded: {current}", cursor=cursor)
    seen = json.loads(context.cursor)
    changes = int(seen.get("changes", 0))
    requests = []
    for role, job_name in ROLE_JOBS.items():
        old, new = seen["tags"].get(role), current.get(role)
        if new is None or new == old:
            continue  # an unpublished tag is not a rollout
        changes += 1
        run_key = f"{role}-image:{changes}:{new}"
        tags = {"gata/trigger": f"{role}_image", f"gata/{role}_image": new}
        requests.append(dg.RunRequest(job_name=job_name, run_key=run_key, tags=tags))
        if role == "inference" and (prod := _prod_redeploy(store, run_key, tags)):
            requests.append(prod)
    if not requests:
        return dg.SkipReason(f"image tags unchanged: {current}")
    cursor = json.dumps({"tags": {**seen["tags"], **current}, "changes": changes}, sort_keys=True)
    return dg.SensorResult(run_requests=requests, cursor=cursor)
