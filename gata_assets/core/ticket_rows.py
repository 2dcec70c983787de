"""How raw help-desk rows become canonical ones: the ticket id's type and the labels.

A desk keeps integer queue ids with a categories table (gata's own schema), text queue ids
with a table, or the queue name on the ticket with no table at all. Every case ends in the
same canonical pair: `label`, an int64 queue id (an integer id as it is, a text value through
`stable_label_id`, so it never changes between extracts) and `category`, the name.
Ticket ids stay int64 when the id column is an integer, otherwise they are text.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from gata_assets.core.hashing import stable_label_id


@dataclass(frozen=True)
class RowSpec:
    categories: Mapping[Any, str] | None = None
    """Raw label value -> category name; None: the label value is the name itself."""
    text_ids: bool = False

    @classmethod
    def of(cls, spec: RowSpec | Mapping[Any, str]) -> RowSpec:
        """A plain {queue id: name} mapping is the default schema's spec."""
        return spec if isinstance(spec, RowSpec) else cls(categories=spec)

    @property
    def integer_labels(self) -> bool:
        return self.categories is not None and all(
            isinstance(k, int) and not isinstance(k, bool) for k in self.categories
        )

    def labels(self, raw: pd.Series) -> tuple[pd.Series, pd.Series]:
        """(label as nullable Int64, category name) per raw value; NA where not a known queue."""
        if self.integer_labels:
            numeric = pd.to_numeric(raw, errors="coerce")
            numeric = numeric.where(numeric.isin(list(self.categories or {})))
            label = numeric.astype("Int64")
            return label, label.map(self.categories).astype("string")
        text = raw.astype("string").str.strip()
        text = text.mask(text == "")
        names = (
            text
            if self.categories is None
            else text.map({str(k).strip(): v for k, v in self.categories.items()})
        ).astype("string")
        label = text.where(names.notna())
        ids = {value: stable_label_id(value) for value in label.dropna().unique()}
        return label.map(ids).astype("Int64"), names

    def ticket_ids(self, raw: pd.Series) -> pd.Series:
        """Ids in their canonical type (Int64 or string), NA where unusable."""
        if not self.text_ids:
            return pd.to_numeric(raw, errors="coerce").astype("Int64")
        text = raw.astype("string").str.strip()
        return text.mask(text == "")


def join_texts(parts: list[pd.Series]) -> pd.Series:
    """Several text columns (description, first comment...) as one: non-empty parts, in order,
    separated by newlines. Arrow kernels: it runs on every extracted ticket."""
    if len(parts) == 1:
        return parts[0]
    arrays = []
    for part in parts:
        array = pc.utf8_trim_whitespace(pa.array(part.astype("string"), type=pa.string()))
        arrays.append(pc.if_else(pc.equal(array, ""), pa.scalar(None, pa.string()), array))
    joined = pc.binary_join_element_wise(*arrays, "\n", null_handling="skip")
    return pd.Series(joined.to_pandas(), index=parts[0].index, dtype="object")
