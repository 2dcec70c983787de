"""The jobs lifecycle automation launches, each a selection over the stages' assets.

`retrain` is what a trigger (new tickets, drift, a new fine-tune image, the weekly schedule)
runs: extract, prepare, train, gate, register and move preprod. Prod is deliberately outside
it (its own group, "promotion"): prod only moves when a person approves a version.
"""

import dagster as dg

from gata_assets.defs.automation.promotion import prod_endpoint
from gata_assets.defs.inference import batch_predictions

TRAINING_GROUPS = ("extraction", "preparation", "training", "deployment")

refresh_extract_job = dg.define_asset_job(
    "refresh_extract",
    selection=dg.AssetSelection.assets("ticket_extract"),
    description="Pull the tickets that arrived since the last watermark into the extract.",
)

retrain_job = dg.define_asset_job(
    "retrain",
    selection=dg.AssetSelection.groups(*TRAINING_GROUPS),
    description="Extract, prepare, train both models, gate them against the champion, "
    "register them and move the preprod endpoint. Prod is never touched here.",
)

redeploy_job = dg.define_asset_job(
    "redeploy",
    selection=dg.AssetSelection.groups("deployment"),
    description="Redeploy the current models (e.g. onto a new inference image).",
)

promote_prod_job = dg.define_asset_job(
    "promote_prod",
    selection=dg.AssetSelection.assets(prod_endpoint),
    description="Deploy the newest approved model versions to the prod endpoint.",
)

batch_inference_job = dg.define_asset_job(
    "batch_inference",
    selection=dg.AssetSelection.assets(batch_predictions),
    description="Route one day's tickets through the deployed models into Parquet.",
)

JOBS = [refresh_extract_job, retrain_job, redeploy_job, promote_prod_job, batch_inference_job]
