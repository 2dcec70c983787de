"""Stage 1: tickets out of the help-desk database into a versioned Parquet snapshot."""

import dagster as dg

from gata_assets.defs.extraction.assets import ticket_extract
from gata_assets.defs.extraction.checks import extract_checks

defs = dg.Definitions(assets=[ticket_extract], asset_checks=extract_checks)
