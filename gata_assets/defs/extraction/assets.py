"""`ticket_extract`: every labelled ticket, as a Parquet snapshot under a batch id."""

import dagster as dg

from gata_assets.core.references import ExtractRef
from gata_assets.defs.common import (
    REFS_IO_MANAGER,
    artifact_metadata,
    clear_failures,
    lineage_metadata,
    new_batch_id,
)
from gata_assets.resources.artifact_store import ArtifactStore
from gata_assets.resources.pipeline_config import PipelineConfig
from gata_assets.resources.refs_io_manager import latest_ref
from gata_assets.resources.ticket_db import TicketDatabase


class ExtractConfig(dg.Config):
    full_refresh: bool = False
    """Ignore the watermark and re-read every ticket."""


@dg.asset(
    group_name="extraction",
    kinds={"sql", "parquet"},
    io_manager_key=REFS_IO_MANAGER,
    description="Labelled tickets from the help-desk database, extracted incrementally "
    "after the last watermark; invalid rows are quarantined with a reason.",
)
def ticket_extract(
    context: dg.AssetExecutionContext,
    config: ExtractConfig,
    ticket_db: TicketDatabase,
    artifact_store: ArtifactStore,
    pipeline: PipelineConfig,
) -> dg.Output[ExtractRef]:
    from gata_assets.defs.extraction.extract import extract_tickets

    previous = (
        None if config.full_refresh else latest_ref(artifact_store, context.asset_key, ExtractRef)
    )
    with clear_failures(), ticket_db.reader() as reader:
        ref = extract_tickets(
            reader,
            artifact_store,
            previous,
            new_batch_id(context.run.run_id),
            pipeline.extract_chunk_rows,
            pipeline.redact_pii,
        )
    context.log.info(
        f"batch {ref.batch_id}: {ref.rows} tickets ({ref.new_rows} new), "
        f"{ref.quarantined} quarantined {ref.quarantined_by_reason}"
    )
    return dg.Output(
        ref,
        metadata={
            **artifact_metadata(ref),
            **lineage_metadata(ref.batch_id),
            "dagster/row_count": dg.MetadataValue.int(ref.rows),
            "new_rows": dg.MetadataValue.int(ref.new_rows),
            "categories": dg.MetadataValue.int(len(ref.category_counts)),
            "quarantined": dg.MetadataValue.int(ref.quarantined),
            "quarantined_by_reason": dg.MetadataValue.json(ref.quarantined_by_reason),
            "quarantine_uri": dg.MetadataValue.path(ref.quarantine_uri),
            "created_min": dg.MetadataValue.text(ref.created_min),
            "created_max": dg.MetadataValue.text(ref.created_max),
            "watermark": dg.MetadataValue.json(ref.watermark),
            "redact_pii": dg.MetadataValue.bool(ref.redact_pii),
            "pii_masked": dg.MetadataValue.json(ref.pii_masked),
        },
    )
