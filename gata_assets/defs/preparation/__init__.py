"""Stage 2: the general / low-volume groups and their train/test sets."""

import dagster as dg

from gata_assets.core.model_groups import MODEL_GROUPS
from gata_assets.defs.preparation.checks import preparation_checks
from gata_assets.defs.preparation.groups import ticket_groups
from gata_assets.defs.preparation.splits import build_split_assets

defs = dg.Definitions(
    assets=[ticket_groups, *(build_split_assets(group) for group in MODEL_GROUPS)],
    asset_checks=preparation_checks,
)
