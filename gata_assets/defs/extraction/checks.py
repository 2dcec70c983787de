"""Checks on the extracted snapshot: usable schema and text, unique ids, no sudden drift."""

import dagster as dg

from gata_assets.core.references import ExtractRef
from gata_assets.defs.extraction.assets import ticket_extract
from gata_assets.resources.artifact_store import ArtifactStore
from gata_assets.resources.pipeline_config import PipelineConfig


@dg.asset_check(asset=ticket_extract, blocking=True, description="Expected columns, no empty text.")
def ticket_extract_schema_and_text(
    ticket_extract: ExtractRef, artifact_store: ArtifactStore
) -> dg.AssetCheckResult:
    from gata_assets.core.quality import empty_text_count, missing_columns

    frame = artifact_store.read_parquet(ticket_extract.uri)
    missing = missing_columns(frame)
    empty = empty_text_count(frame) if not missing else len(frame)
    return dg.AssetCheckResult(
        passed=not missing and empty == 0,
        metadata={"missing_columns": ", ".join(missing) or "none", "empty_text_rows": empty},
    )


@dg.asset_check(asset=ticket_extract, blocking=True, description="Each ticket id appears once.")
def ticket_extract_unique_ids(
    ticket_extract: ExtractRef, artifact_store: ArtifactStore
) -> dg.AssetCheckResult:
    from gata_assets.core.quality import duplicate_ids

    duplicates = duplicate_ids(artifact_store.read_parquet(ticket_extract.uri))
    return dg.AssetCheckResult(
        passed=not duplicates,
        metadata={"duplicate_ids": len(duplicates), "examples": str(duplicates[:10])},
    )


@dg.asset_check(
    asset=ticket_extract,
    description="Category mix against the previous extraction (total variation distance).",
)
def ticket_extract_category_drift(
    ticket_extract: ExtractRef, pipeline: PipelineConfig
) -> dg.AssetCheckResult:
    from gata_assets.core.drift import total_variation

    before = ticket_extract.previous_category_counts
    if not before:
        return dg.AssetCheckResult(passed=True, metadata={"note": "first extraction: no baseline"})
    distance = total_variation(before, ticket_extract.category_counts)
    return dg.AssetCheckResult(
        passed=distance <= pipeline.drift_warn_threshold,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "total_variation": dg.MetadataValue.float(distance),
            "threshold": dg.MetadataValue.float(pipeline.drift_warn_threshold),
        },
    )


extract_checks = [
    ticket_extract_schema_and_text,
    ticket_extract_unique_ids,
    ticket_extract_category_drift,
]
