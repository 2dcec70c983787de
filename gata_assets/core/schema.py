"""The ticket schema gata reads, and the canonical columns every artifact uses.

The help-desk database keeps its own column names; `TicketColumnMap` maps them onto gata's
canonical names so a real schema is wired in by configuration, never by code changes.
"""

from __future__ import annotations

from dataclasses import dataclass

# Columns of the extracted tickets Parquet, in order.
EXTRACT_COLUMNS = (
    "ticket_id",
    "created_at",
    "updated_at",
    "subject",
    "body",
    "text",
    "label",
    "category",
)
# Columns of every train/test set Parquet: what gata-train reads.
SPLIT_COLUMNS = ("ticket_id", "text", "label", "category")
# Columns of each group Parquet: a split's, and when each ticket was created, which the train
# cap (core/train_cap.py) reads to keep the newest.
GROUP_COLUMNS = (*SPLIT_COLUMNS, "created_at")

# The general model routes every low-volume category to this one class; the low-volume
# model then decides. Negative so it can never collide with a help-desk queue id.
HANDOFF_LABEL = -1
HANDOFF_CATEGORY = "__low_volume__"


@dataclass(frozen=True)
class TicketColumnMap:
    """Where each canonical field lives in the help-desk database.

    Empty `subject`: the desk has no subject line. `body` may name several columns
    (`description,first_comment`), joined by newlines. Empty `category_table`: the label
    column holds the queue name itself. `table_schema` qualifies both tables (a view works as well
    as a table); `ticket_filter` keeps only some tickets (see core/ticket_filter.py).
    """

    table_schema: str = ""
    ticket_table: str = "tickets"
    ticket_id: str = "ticket_id"
    created_at: str = "created_at"
    updated_at: str = "updated_at"
    subject: str = "subject"
    body: str = "body"
    label: str = "category_id"
    category_table: str = "categories"
    category_id: str = "category_id"
    category_name: str = "name"
    ticket_filter: str = ""

    def body_columns(self) -> tuple[str, ...]:
        return tuple(c.strip() for c in self.body.split(",") if c.strip())

    @property
    def has_category_table(self) -> bool:
        return bool(self.category_table.strip())

    def ticket_columns(self) -> dict[str, str]:
        """Query label → database column for the ticket table (`body_0`, `body_1`... for
        each body column; no `subject` when the desk has none)."""
        mapped = {
            "ticket_id": self.ticket_id,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }
        if self.subject.strip():
            mapped["subject"] = self.subject.strip()
        mapped |= {f"body_{i}": column for i, column in enumerate(self.body_columns())}
        return mapped | {"label": self.label}


def compose_text(subject: str | None, body: str | None) -> str:
    """The one text a model sees: subject line, then body."""
    parts = [p.strip() for p in (subject, body) if isinstance(p, str) and p.strip()]
    return "\n".join(parts)
