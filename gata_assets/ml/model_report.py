"""The per-queue report a model asset shows in the Dagster UI, from gata-train's metrics.json.

A macro-F1 says whether a model is good enough; it does not say which queues it gets wrong or
where their tickets go instead, which is what a desk lead asks next. This turns the
classification part of metrics.json (`ml/train/metrics.py`) into a Markdown table, a list of
the most confused queue pairs and a PNG chart (per-queue F1 beside a confusion heat map).
Pure: no Dagster. matplotlib is imported only inside `report_chart_png`, so loading the
definitions never pays for it.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping
from typing import Any

from gata_assets.ml.model_report_chart import draw_report

TOP_CONFUSIONS = 5
NO_REPORT = "No per-queue report: these metrics hold no per-queue results."


def has_report(metrics: Mapping[str, Any]) -> bool:
    """Fallback models and metrics from before per-queue results carry no `per_class`."""
    return bool(metrics.get("per_class")) and bool(metrics.get("confusion_matrix"))


def queue(name: str) -> str:
    """A queue name as a table cell: a code span, so `__low_volume__` is not read as bold."""
    return "`" + str(name).replace("`", "'").replace("|", "\\|") + "`"


def sorted_queues(per_class: Mapping[str, Mapping[str, Any]]) -> list[str]:
    # Weakest F1 first: the queues worth a look are on top, whatever their number; ties by
    # name so the order is stable between runs.
    return sorted(per_class, key=lambda name: (float(per_class[name]["f1"]), name))


def per_queue_table(per_class: Mapping[str, Mapping[str, Any]]) -> str:
    rows = [
        "| Queue | Precision | Recall | F1 | Support |",
        "|---|---:|---:|---:|---:|",
    ]
    for name in sorted_queues(per_class):
        scores = per_class[name]
        rows.append(
            f"| {queue(name)} | {float(scores['precision']):.3f} | {float(scores['recall']):.3f}"
            f" | {float(scores['f1']):.3f} | {int(scores['support'])} |"
        )
    return "\n".join(rows)


def confused_pairs(
    confusion: Mapping[str, Any], top: int = TOP_CONFUSIONS
) -> list[tuple[str, str, int, float]]:
    """(true queue, predicted queue, tickets, share of the true queue's tickets), most first.

    Ranked by count, then share, then names (stable); cells with no tickets are left out.
    """
    labels, matrix = list(confusion["labels"]), confusion["matrix"]
    pairs = []
    for i, row in enumerate(matrix):
        support = sum(row)
        for j, count in enumerate(row):
            if i != j and count > 0:
                pairs.append((labels[i], labels[j], int(count), count / support))
    pairs.sort(key=lambda p: (-p[2], -p[3], p[0], p[1]))
    return pairs[:top]


def confused_pairs_markdown(confusion: Mapping[str, Any], top: int = TOP_CONFUSIONS) -> str:
    pairs = confused_pairs(confusion, top)
    if not pairs:
        return "No confusions: every test ticket was routed to its own queue."
    rows = [
        "| True queue | Routed to | Tickets | Share of true queue |",
        "|---|---|---:|---:|",
    ]
    rows += [f"| {queue(t)} | {queue(p)} | {n} | {share:.1%} |" for t, p, n, share in pairs]
    return "\n".join(rows)


def report_markdown(metrics: Mapping[str, Any]) -> str:
    """Per-queue table and most confused pairs; one line when there is nothing per queue."""
    if not has_report(metrics):
        return NO_REPORT
    tickets = sum(int(s["support"]) for s in metrics["per_class"].values())
    return "\n\n".join(
        [
            f"**Per queue** on {tickets} test tickets, weakest F1 first",
            per_queue_table(metrics["per_class"]),
            f"**Most confused queues** (top {TOP_CONFUSIONS}, true queue → where it went)",
            confused_pairs_markdown(metrics["confusion_matrix"]),
        ]
    )


def report_chart_png(metrics: Mapping[str, Any], dpi: int = 90) -> bytes | None:
    """Per-queue F1 and the confusion heat map as one PNG; None when there is nothing to draw."""
    if not has_report(metrics):
        return None
    # The Agg canvas directly, not pyplot: no GUI backend, no global figure state, safe in a
    # run worker's threads.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    per_class = metrics["per_class"]
    figure = Figure()
    FigureCanvasAgg(figure)
    draw_report(figure, per_class, sorted_queues(per_class), metrics["confusion_matrix"])
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    return buffer.getvalue()


def image_markdown(png: bytes, alt: str = "per-queue report") -> str:
    """Markdown the Dagster UI renders as the image itself (a data URI; no file to serve)."""
    return f"![{alt}](data:image/png;base64,{base64.b64encode(png).decode('ascii')})"


def report_chart_markdown(metrics: Mapping[str, Any]) -> str | None:
    png = report_chart_png(metrics)
    return None if png is None else image_markdown(png)
