"""Benchmark: `gata source check` on a large PostgreSQL ticket table.

Seeds generated tickets (bench/extract_postgres.py's seeding), then times `check_source`
with and without a filter. Every number comes from aggregates the database computes, so the
time should be seconds, not minutes, at a million rows. Prints a table for BENCHMARKS.md.

    python bench/source_check.py --rows 1000000
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from extract_postgres import seed

from gata_assets.core.schema import TicketColumnMap
from gata_assets.core.source_check import check_source
from gata_assets.core.ticket_reader import TicketReader


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000])
    args = parser.parse_args()
    print("| rows | filter | seconds | errors | warnings |")
    print("| ---: | --- | ---: | ---: | ---: |")
    for rows in args.rows:
        url = seed(rows)
        for ticket_filter in ("", "category_id=1,2,3"):
            columns = replace(TicketColumnMap(), ticket_filter=ticket_filter)
            started = time.perf_counter()
            with TicketReader.from_url(url, columns) as reader:
                report = check_source(reader, min_general_examples=40)
            seconds = time.perf_counter() - started
            print(
                f"| {rows:,} | {ticket_filter or '-'} | {seconds:.2f} | {len(report.errors)} "
                f"| {len(report.warnings)} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
