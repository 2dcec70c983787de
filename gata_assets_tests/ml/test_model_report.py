"""The model report builder on hand-made metrics: what a desk lead reads on a model's page.

Metrics come from `classification_metrics` itself, so the report is tested against the exact
shape gata-train writes into metrics.json.
"""

from __future__ import annotations

import base64
import struct
import subprocess
import sys

from gata_assets.ml.model_report import (
    NO_REPORT,
    confused_pairs,
    image_markdown,
    report_chart_markdown,
    report_chart_png,
    report_markdown,
)
from gata_assets.ml.train.metrics import classification_metrics

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
NAMES = ["billing", "vpn", "__low_volume__"]
# billing: 4 tickets, 1 routed to vpn; vpn: 3, 2 routed to billing; low volume: all right.
TRUE = [0, 0, 0, 0, 1, 1, 1, 2, 2]
PRED = [0, 0, 0, 1, 0, 0, 1, 2, 2]


def metrics(true=TRUE, pred=PRED, names=NAMES) -> dict:
    return classification_metrics(true, pred, names)


def table_rows(markdown: str) -> list[list[str]]:
    """The per-queue table's body rows as cells."""
    lines = markdown.split("| Queue |", 1)[1].split("\n\n", 1)[0].splitlines()[2:]
    return [[cell.strip() for cell in line.strip("|").split("|")] for line in lines]


def png_size(png: bytes) -> tuple[int, int]:
    return struct.unpack(">II", png[16:24])  # IHDR width and height


def test_per_queue_table_lists_every_queue_weakest_f1_first():
    report = report_markdown(metrics())
    assert "| Queue | Precision | Recall | F1 | Support |" in report
    assert "on 9 test tickets" in report
    assert table_rows(report) == [
        # vpn: precision 1/2, recall 1/3; billing: precision 3/5, recall 3/4.
        ["`vpn`", "0.500", "0.333", "0.400", "3"],
        ["`billing`", "0.600", "0.750", "0.667", "4"],
        # A code span, so Markdown does not turn the dunder name into bold text.
        ["`__low_volume__`", "1.000", "1.000", "1.000", "2"],
    ]


def test_most_confused_pairs_by_count_with_share_of_the_true_queue():
    assert confused_pairs(metrics()["confusion_matrix"]) == [
        ("vpn", "billing", 2, 2 / 3),
        ("billing", "vpn", 1, 1 / 4),
    ]
    report = report_markdown(metrics())
    assert "| `vpn` | `billing` | 2 | 66.7% |" in report
    assert report.index("`vpn` | `billing`") < report.index("`billing` | `vpn`")


def test_confused_pairs_keep_the_top_five_and_break_ties_by_share():
    # Queue 0 (10 tickets) and queue 1 (2 tickets) each lose one ticket to every other queue.
    names = [f"q{i}" for i in range(8)]
    true = [0] * 10 + [1] * 8
    pred = [*[0, 0, 0, 1, 2, 3, 4, 5, 6, 7], *[0, 2, 3, 4, 5, 6, 7, 1]]
    pairs = confused_pairs(classification_metrics(true, pred, names)["confusion_matrix"])
    assert len(pairs) == 5
    assert all(true_queue == "q1" for true_queue, _, _, _ in pairs)  # 1/8 beats 1/10
    assert [p[1] for p in pairs] == ["q0", "q2", "q3", "q4", "q5"]


def test_a_perfect_model_says_no_confusions():
    perfect = metrics(TRUE, TRUE)
    assert confused_pairs(perfect["confusion_matrix"]) == []
    assert "No confusions" in report_markdown(perfect)
    assert "Routed to" not in report_markdown(perfect)


def test_chart_is_a_modest_png_of_real_size():
    png = report_chart_png(metrics())
    assert png.startswith(PNG_SIGNATURE)
    width, height = png_size(png)
    assert width >= 500 and height >= 250
    assert 5_000 < len(png) < 150_000


def test_chart_stays_modest_with_forty_queues():
    names = [f"queue-{i:02d}" for i in range(40)]
    true = [i for i in range(40) for _ in range(6)]
    pred = [(i + 1) % 40 if k == 0 else i for i in range(40) for k in range(6)]
    png = report_chart_png(classification_metrics(true, pred, names))
    assert png.startswith(PNG_SIGNATURE) and len(png) < 150_000


def test_chart_markdown_embeds_the_png_as_a_data_uri():
    markdown = report_chart_markdown(metrics())
    assert markdown.startswith("![per-queue report](data:image/png;base64,")
    encoded = markdown.split("base64,", 1)[1].rstrip(")")
    assert base64.b64decode(encoded).startswith(PNG_SIGNATURE)
    assert image_markdown(b"png", alt="x") == "![x](data:image/png;base64,cG5n)"


def test_fallback_or_older_metrics_get_one_line_and_no_chart():
    fallback = {"kind": "fallback", "fallback": True, "accuracy": None, "macro_f1": None}
    older = {"accuracy": 0.9, "macro_f1": 0.8, "per_class_f1": {"billing": 0.8}}
    for no_queues in (fallback, older, {}):
        assert report_markdown(no_queues) == NO_REPORT and "\n" not in NO_REPORT
        assert report_chart_png(no_queues) is None
        assert report_chart_markdown(no_queues) is None


def test_importing_the_builder_does_not_import_matplotlib():
    code = "import sys, gata_assets.ml.model_report; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
