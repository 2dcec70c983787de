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

# The general model routes every low-volume category to this one class; the low-volume
# model then decides. Negative so it can never collide with a help-desk queue id.
HANDOFF_LABEL = -1
HANDOFF_CATEGORY = "__low_volume__"


@dataclass(frozen=True)
class TicketColumnMap:
    """Where each canonical field lives in the help-desk database."""

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

    def ticket_columns(self) -> dict[str, str]:
        """Canonical name → database column for the ticket table."""
        return {
            "ticket_id": self.ticket_id,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "subject": self.subject,
            "body": self.body,
            "label": self.label,
        }


def compose_text(subject: str | None, body: str | None) -> str:
    """The one text a model sees: subject line, then body."""
    parts = [p.strip() for p in (subject, body) if isinstance(p, str) and p.strip()]
    return "\n".join(parts)
