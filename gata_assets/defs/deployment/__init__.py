"""Stage 4: the routing endpoint serving both models, and its live-ticket check."""

import dagster as dg

from gata_assets.defs.deployment.checks import routing_endpoint_answers
from gata_assets.defs.deployment.endpoints import routing_endpoint

defs = dg.Definitions(assets=[routing_endpoint], asset_checks=[routing_endpoint_answers])
