"""Stage 6: daily batch inference, each day's tickets routed through the served models."""

import dagster as dg

from gata_assets.defs.inference.assets import DAILY, batch_predictions

defs = dg.Definitions(assets=[batch_predictions])

__all__ = ["DAILY", "batch_predictions", "defs"]
