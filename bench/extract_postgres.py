"""Benchmark: extract generated tickets from PostgreSQL to Parquet.

Compares, in one run and on the same tables, gata's streamed extract (COPY -> Arrow CSV ->
validation -> Parquet writer, chunk by chunk) with a naive `pandas.read_sql` of the whole
table followed by `to_parquet`. Each measurement runs in a fresh child process so its peak
RSS is its own. Prints a table; copy it into BENCHMARKS.md.

    python bench/extract_postgres.py --rows 250000 1000000

`gata-mapped` reads the same tickets through a view shaped like a foreign help desk (text
ids, queue names on the ticket, no subject, two body columns, a status filter), to show the
schema mapping streams as flat as gata's own schema.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def seed(rows: int) -> str:
    from gata_assets.core.sample_data import generate_tickets
    from gata_assets.core.ticket_loading import load_into_database

    name = f"gata_bench_{rows}"
    admin = sa.create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    started = time.perf_counter()
    frame, _ = generate_tickets(n_tickets=rows, seed=1)
    engine = sa.create_engine(url)
    load_into_database(engine, frame)
    with engine.begin() as conn:
        conn.execute(sa.text("ANALYZE tickets"))
        conn.execute(sa.text(MAPPED_VIEW))
    print(f"seeded {rows:,} tickets in {time.perf_counter() - started:.1f}s", file=sys.stderr)
    return url


MAPPED_VIEW = """CREATE VIEW desk AS SELECT 'ZD-' || t.ticket_id AS id, t.created_at AS opened,
 t.updated_at AS touched, t.body AS description, t.subject AS first_comment, c.name AS queue,
 CASE WHEN t.ticket_id % 10 = 0 THEN 'open' ELSE 'closed' END AS status
 FROM tickets t JOIN categories c USING (category_id)"""
MAPPED = {
    "ticket_table": "desk", "ticket_id": "id", "created_at": "opened", "updated_at": "touched",
    "subject": "", "body": "description,first_comment", "label": "queue", "category_table": "",
    "ticket_filter": "status=closed",
}  # fmt: skip


def child(method: str, url: str, out: Path) -> dict:
    started = time.perf_counter()
    if method.startswith("gata"):
        from gata_assets.core.extraction import write_delta
        from gata_assets.core.schema import TicketColumnMap
        from gata_assets.core.ticket_reader import TicketReader

        columns = TicketColumnMap(**MAPPED) if method == "gata-mapped" else None
        reader = TicketReader.from_url(url, columns)
        stats = write_delta(
            reader.stream(None, 50_000), reader.row_spec(), out / "t.parquet", out / "q.parquet"
        )
        rows = stats.rows + stats.quarantined_total
    else:
        import pandas as pd

        frame = pd.read_sql("SELECT * FROM tickets", sa.create_engine(url))
        frame.to_parquet(out / "t.parquet", index=False)
        rows = len(frame)
    seconds = time.perf_counter() - started
    peak_mb = peak_rss_mb()
    return {"rows": rows, "seconds": seconds, "rows_per_s": rows / seconds, "peak_rss_mb": peak_mb}


def peak_rss_mb() -> float:
    """This process's own high-water RSS. Not getrusage: Linux carries ru_maxrss across
    fork+exec, so a child would report the (large) seeding parent's peak as its own."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def measure(method: str, url: str) -> dict:
    with tempfile.TemporaryDirectory() as out:
        done = subprocess.run(
            [sys.executable, __file__, "--child", method, "--url", url, "--out", out],
            capture_output=True,
            text=True,
            check=True,
        )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, nargs="+", default=[250_000, 1_000_000])
    parser.add_argument("--child")
    parser.add_argument("--url")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.url, args.out)))
        return
    print("| rows | method | seconds | rows/s | peak RSS MB |")
    print("| ---: | --- | ---: | ---: | ---: |")
    for rows in args.rows:
        url = seed(rows)
        results = {method: measure(method, url) for method in ("naive", "gata", "gata-mapped")}
        labels = {
            "naive": "pandas.read_sql whole table",
            "gata": "gata streamed COPY",
            "gata-mapped": "gata, mapped view (text ids, names, filter)",
        }
        for method, r in results.items():
            label = labels[method]
            print(
                f"| {rows:,} | {label} | {r['seconds']:.1f} | {r['rows_per_s']:,.0f} "
                f"| {r['peak_rss_mb']:,.0f} |"
            )
        speedup = results["gata"]["rows_per_s"] / results["naive"]["rows_per_s"]
        print(f"| {rows:,} | speed-up | | {speedup:.2f}x | |", flush=True)


if __name__ == "__main__":
    main()
