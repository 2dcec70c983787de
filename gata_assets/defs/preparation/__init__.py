"""Stage 2: the general / low-volume groups and their train/test sets."""

import dagster as dg

from gata_assets.defs.preparation.checks import preparation_checks
from gata_assets.defs.preparation.groups import ticket_groups
from gata_assets.defs.preparation.splits import GROUPS, build_split_assets

defs = dg.Definitions(
    assets=[ticket_groups, *(build_split_assets(group) for group in GROUPS)],
    asset_checks=preparation_checks,
)
