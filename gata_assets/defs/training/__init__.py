"""Stage 3: the general and low-volume models, fine-tuned by gata-train, with blocking checks."""

import dagster as dg

from gata_assets.defs.training.assets import model_assets
from gata_assets.defs.training.checks import model_checks

defs = dg.Definitions(assets=model_assets, asset_checks=model_checks)
