"""Stage 6: daily batch inference, each day's tickets routed through the served models."""

import dagster as dg

from gata_assets.defs.inference.assets import DAILY, batch_predictions
from gata_assets.defs.inference.quality import routing_quality

defs = dg.Definitions(assets=[batch_predictions, routing_quality])

__all__ = ["DAILY", "batch_predictions", "defs", "routing_quality"]
