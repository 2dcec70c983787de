"""Small helpers every stage uses: batch ids, metadata for artifacts, clear failures."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import dagster as dg

from gata_assets.core.errors import GataInputError
from gata_assets.core.references import StoredRef

REFS_IO_MANAGER = "refs_io_manager"


def new_batch_id(run_id: str) -> str:
    """Sortable by time, unique per run: `20261124T030102-1a2b3c4d`."""
    return f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{run_id[:8]}"


def artifact_metadata(ref: StoredRef, prefix: str = "") -> dict[str, Any]:
    """URI, size and content hash of a stored artifact, typed for the Dagster UI."""
    return {
        f"{prefix}uri": dg.MetadataValue.path(ref.uri),
        f"{prefix}size_bytes": dg.MetadataValue.int(int(ref.size_bytes)),
        f"{prefix}sha256": dg.MetadataValue.text(ref.sha256),
    }


def lineage_metadata(batch_id: str) -> dict[str, Any]:
    """The extraction batch an artifact came from."""
    return {"batch_id": dg.MetadataValue.text(batch_id)}


@contextlib.contextmanager
def clear_failures() -> Iterator[None]:
    """Turn bad-input errors into a Dagster failure whose description is the one sentence."""
    try:
        yield
    except GataInputError as error:
        raise dg.Failure(description=str(error), allow_retries=False) from None
