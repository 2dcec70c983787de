"""The general / low-volume split of the labelled tickets.

A category is low-volume when it has fewer than `min_general_examples` tickets: too few for
the general model to learn it well next to the big queues. The general group keeps every
ticket but relabels the low-volume ones to a single hand-off class, so the general model
learns *when* to defer; the low-volume group keeps only those tickets, with their own labels,
for the specialist model.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from gata_assets.core.model_groups import GENERAL, LOW_VOLUME
from gata_assets.core.schema import GROUP_COLUMNS, HANDOFF_CATEGORY, HANDOFF_LABEL


@dataclass(frozen=True)
class TicketGroups:
    general: pd.DataFrame
    low_volume: pd.DataFrame
    low_volume_categories: tuple[str, ...]

    def frame(self, group: str) -> pd.DataFrame:
        """The tickets of one model group, by its name in `core.model_groups`."""
        return {GENERAL.name: self.general, LOW_VOLUME.name: self.low_volume}[group]


def group_tickets(tickets: pd.DataFrame, min_general_examples: int) -> TicketGroups:
    """Split canonical tickets into the general and low-volume training groups."""
    if min_general_examples < 1:
        raise ValueError("min_general_examples must be at least 1")
    counts = tickets["label"].value_counts()
    low_labels = set(counts[counts < min_general_examples].index)
    frame = tickets.loc[:, list(GROUP_COLUMNS)].reset_index(drop=True)
    is_low = frame["label"].isin(low_labels)

    general = frame.copy()
    general["label"] = general["label"].where(~is_low, HANDOFF_LABEL).astype("int64")
    general["category"] = general["category"].where(~is_low, HANDOFF_CATEGORY).astype("string")
    low_volume = frame.loc[is_low].reset_index(drop=True)
    names = tuple(sorted(low_volume["category"].astype(str).unique()))
    return TicketGroups(general=general, low_volume=low_volume, low_volume_categories=names)


def category_counts(frame: pd.DataFrame) -> dict[str, int]:
    """Tickets per category name, largest first: the distribution shown in metadata."""
    if frame.empty:
        return {}
    counts = frame["category"].astype(str).value_counts()
    return {str(name): int(n) for name, n in counts.items()}
