"""Three `gata import-tickets` processes at once into one database: all succeed, no row lost.

Before the writer lock each process read the highest ticket id (and the known categories)
before any of them inserted, so all but one failed on a unique constraint. Real processes,
not threads: that is how two people (or two schedules) run imports.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from gata_assets_tests.pg import fresh_database

IMPORTERS = 3
ROWS = 5_000
CLI = "from gata_assets.cli import app; app()"


def write_export(path: Path, n: int) -> Path:
    # Every file brings new categories too: ensure_categories races like the ticket ids.
    lines = ["text,category"]
    lines += [f"ticket {i} of {path.stem},queue_{path.stem}_{i % 7}" for i in range(ROWS)]
    path.write_text("\n".join(lines) + "\n")
    return path


def import_concurrently(url: str, tmp_path: Path) -> None:
    env = {**os.environ, "GATA_HOME": str(tmp_path / "home")}
    procs = []
    for n in range(IMPORTERS):
        export = write_export(tmp_path / f"export{n}.csv", n)
        args = [sys.executable, "-c", CLI, "import-tickets", str(export), "--db-url", url]
        args += ["--text-column", "text", "--label-column", "category"]
        procs.append(subprocess.Popen(args, env=env, stdout=subprocess.PIPE, text=True))
    for proc in procs:
        output, _ = proc.communicate(timeout=300)
        assert proc.returncode == 0, output
        assert f"Imported:            {ROWS:,}" in output

    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            count = "SELECT count(*), count(DISTINCT ticket_id), count(DISTINCT body) FROM tickets"
            assert tuple(conn.execute(sa.text(count)).one()) == (IMPORTERS * ROWS,) * 3
            names = conn.execute(sa.text("SELECT count(DISTINCT name) FROM categories"))
            assert names.scalar_one() == IMPORTERS * 7
    finally:
        engine.dispose()


@pytest.mark.slow  # three interpreters starting at once: seconds, not milliseconds
def test_concurrent_imports_into_sqlite_all_succeed(tmp_path: Path):
    import_concurrently(f"sqlite:///{tmp_path / 'tickets.db'}", tmp_path)


@pytest.mark.postgres
def test_concurrent_imports_into_postgres_all_succeed(tmp_path: Path):
    with fresh_database() as url:
        import_concurrently(url, tmp_path)
