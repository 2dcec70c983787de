"""PostgreSQL: the ticket SELECT as a binary COPY, decoded by ADBC straight into Arrow.

Python never builds a tuple per row, which is what makes a million-ticket extract fast.
ADBC streams only statements without bind parameters, so the values a query needs (the
watermark, the filter) travel as session settings, set with bound parameters, that the query
reads with current_setting() and casts to each column's type: values never become SQL text,
and rows still stream, chunk by chunk.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from urllib.parse import quote, urlencode

import pandas as pd
import sqlalchemy as sa


def session_value(name: str, type_: sa.types.TypeEngine) -> sa.ColumnElement:
    """Where the query reads the setting `gata.<name>` (an internal name, never user text)."""
    return sa.cast(sa.literal_column(f"current_setting('gata.{name}')"), type_)


def stream_copy(
    url: sa.URL, query: str, settings: Mapping[str, str], chunk_rows: int
) -> Iterator[pd.DataFrame]:
    import adbc_driver_postgresql.dbapi as adbc
    import pyarrow as pa

    connection = adbc.connect(libpq_uri(url), autocommit=True)
    with connection, connection.cursor() as cursor:
        for name, value in settings.items():
            cursor.execute("SELECT set_config($1, $2, false)", (f"gata.{name}", value))
            cursor.fetchall()
        cursor.adbc_statement.set_options(**{"adbc.postgresql.batch_size_hint_bytes": str(4 << 20)})
        cursor.execute(query)
        pending = None
        for batch in cursor.fetch_record_batch():
            table = pa.Table.from_batches([batch])
            pending = table if pending is None else pa.concat_tables([pending, table])
            while pending.num_rows >= chunk_rows:
                yield pending.slice(0, chunk_rows).to_pandas()
                pending = pending.slice(chunk_rows)
        if pending is not None and pending.num_rows:
            yield pending.to_pandas()


def libpq_uri(url: sa.URL) -> str:
    """The libpq URI ADBC wants, with a read-only, UTC session forced at connect time."""
    query = {**url.query, "options": "-c default_transaction_read_only=on -c TimeZone=UTC"}
    base = url.set(drivername="postgresql", query={}).render_as_string(hide_password=False)
    return f"{base}?{urlencode(query, doseq=True, quote_via=quote)}"
