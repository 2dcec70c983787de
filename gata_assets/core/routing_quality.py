"""How well gata's routing held up: its predictions against the queue each ticket ended in.

When an agent re-routes a ticket the model sent to the wrong queue, the help desk's label
changes and the next incremental extract carries the corrected version. Joining the stored
predictions (ticket id, predicted queue, route) with the latest extract therefore measures
live quality with no extra labelling:

- coverage of a queue: share of the tickets that ended there that gata routed automatically
  (not to the triage fallback);
- precision of a queue: of the tickets gata routed there automatically, the share that stayed;
- recall of a queue: of the tickets that ended there, the share gata routed there itself;
- triage rate: share sent to the fallback; re-routing rate: share of automatically routed
  tickets that agents moved to another queue; live accuracy: share routed right, automatically.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class RoutingQuality:
    tickets: int
    triage_rate: float
    rerouting_rate: float
    live_accuracy: float
    per_queue: pd.DataFrame
    """One row per final queue: category, tickets, routed_here, precision, recall, coverage."""
    recent_tickets: int = 0
    recent_accuracy: float = 0.0
    """Live accuracy over the last `window` judged tickets (in prediction order)."""


def routing_quality(
    predictions: pd.DataFrame, final: pd.DataFrame, window: int = 500
) -> RoutingQuality:
    """`predictions`: ticket_id, label, route (oldest first; the newest prediction per ticket
    wins); `final`: ticket_id, label, category (the extract: where each ticket ended)."""
    latest = predictions.drop_duplicates("ticket_id", keep="last")
    key = latest["ticket_id"].astype(str)
    ended = final.assign(key=final["ticket_id"].astype(str))[["key", "label", "category"]]
    joined = latest.assign(key=key).merge(ended, on="key", suffixes=("_predicted", ""))
    if joined.empty:
        return RoutingQuality(0, 0.0, 0.0, 0.0, _per_queue(joined))
    automatic = joined["route"] != "fallback"
    right = automatic & (joined["label_predicted"].astype("Int64") == joined["label"])
    moved = automatic & ~right
    return RoutingQuality(
        tickets=len(joined),
        triage_rate=_share(~automatic, len(joined)),
        rerouting_rate=_share(moved, int(automatic.sum())),
        live_accuracy=_share(right, len(joined)),
        per_queue=_per_queue(joined.assign(automatic=automatic, right=right)),
        recent_tickets=min(window, len(joined)),
        recent_accuracy=_share(right.iloc[-window:], min(window, len(joined))),
    )


def _share(mask: pd.Series, total: int) -> float:
    return round(float(mask.sum()) / total, 6) if total else 0.0


def _per_queue(joined: pd.DataFrame) -> pd.DataFrame:
    columns = ["category", "tickets", "routed_here", "precision", "recall", "coverage"]
    if joined.empty:
        return pd.DataFrame(columns=columns)
    rows = []
    for label, group in joined.groupby("label", sort=True):
        sent_here = joined["automatic"] & (joined["label_predicted"].astype("Int64") == label)
        rows.append(
            {
                "category": str(group["category"].iloc[0]),
                "tickets": len(group),
                "routed_here": int(sent_here.sum()),
                "precision": _share(joined.loc[sent_here, "right"], int(sent_here.sum())),
                "recall": _share(group["right"], len(group)),
                "coverage": _share(group["automatic"], len(group)),
            }
        )
    return pd.DataFrame(rows, columns=columns).sort_values("tickets", ascending=False)
