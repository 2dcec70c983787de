"""The drawing behind `model_report.report_chart_png`: per-queue F1 beside a confusion heat map.

Kept apart from the Markdown so each file reads on its own. Both panels share one row order
(weakest F1 on top, as in the report's table), so a queue's bar sits level with its heat-map
row. Sizes and fonts scale with the number of queues: readable from 2 queues up to ~40. It
is handed a Figure and imports no matplotlib itself, so importing it stays free.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

# Counts inside the cells and values beside the bars only while they still fit.
ANNOTATE_CELLS_UP_TO = 12
ANNOTATE_BARS_UP_TO = 20


def font_size(queues: int) -> float:
    # ~0.24 in per queue leaves room for 7 pt labels at 40 queues; smaller is unreadable.
    return 9.0 if queues <= 15 else max(6.0, 9.0 - (queues - 15) * 0.08)


def row_shares(confusion: Mapping[str, Any], order: Sequence[str]) -> list[list[tuple]]:
    """(count, share of the true queue's tickets) per cell, rows and columns in `order`.

    Colour by share, not count: a big queue's diagonal would otherwise wash out every
    small queue's mistakes.
    """
    index = {str(name): i for i, name in enumerate(confusion["labels"])}
    matrix = confusion["matrix"]
    cells = []
    for true in order:
        row = matrix[index[true]]
        support = sum(row) or 1
        cells.append([(row[index[p]], row[index[p]] / support) for p in order])
    return cells


def draw_f1_bars(axes: Any, per_class: Mapping[str, Any], order: Sequence[str], size: float):
    scores = [float(per_class[name]["f1"]) for name in order]
    axes.barh(range(len(order)), scores, color="#4c72b0", height=0.7)
    axes.set_xlim(0, 1.15)  # room for the value beside a full bar
    axes.set_yticks(range(len(order)), labels=list(order), fontsize=size)
    axes.set_xlabel("F1 on the test set", fontsize=size)
    axes.set_ylabel("true queue", fontsize=size)
    axes.tick_params(axis="x", labelsize=size)
    axes.grid(axis="x", alpha=0.3)
    if len(order) <= ANNOTATE_BARS_UP_TO:
        for y, score in enumerate(scores):
            axes.text(score + 0.01, y, f"{score:.2f}", va="center", fontsize=size - 1)


def draw_heat_map(axes: Any, cells: list[list[tuple]], order: Sequence[str], size: float):
    shares = [[share for _, share in row] for row in cells]
    image = axes.imshow(shares, cmap="Blues", vmin=0.0, vmax=1.0, aspect="auto")
    axes.set_xticks(range(len(order)), labels=list(order), fontsize=size, rotation=90)
    axes.tick_params(axis="y", labelleft=False)
    axes.set_xlabel("routed to (predicted queue)", fontsize=size)
    if len(order) <= ANNOTATE_CELLS_UP_TO:
        for y, row in enumerate(cells):
            for x, (count, share) in enumerate(row):
                if count:
                    colour = "white" if share > 0.6 else "black"
                    axes.text(x, y, str(count), ha="center", va="center", color=colour)
    return image


def draw_report(
    figure: Any,
    per_class: Mapping[str, Any],
    order: Sequence[str],
    confusion: Mapping[str, Any],
) -> None:
    queues = len(order)
    size = font_size(queues)
    side = max(3.5, 0.24 * queues + 1.5)  # inches per panel edge: ~0.24 in per queue
    figure.set_size_inches(3.2 + side + 1.2, side)
    figure.set_layout_engine("constrained")
    bars, heat = figure.subplots(1, 2, sharey=True, width_ratios=[1, side / 3.2])
    draw_f1_bars(bars, per_class, order, size)
    image = draw_heat_map(heat, row_shares(confusion, order), order, size)
    colorbar = figure.colorbar(image, ax=heat, aspect=40, pad=0.02)
    colorbar.set_label("share of the true queue's tickets", fontsize=size)
    colorbar.ax.tick_params(labelsize=size)
    figure.suptitle("Per-queue F1 and where each queue's tickets went", fontsize=size + 2)
