"""`general_group` and `low_volume_group`: one pass over the extract, two outputs."""

import dagster as dg

from gata_assets.core.model_groups import MODEL_GROUPS
from gata_assets.core.references import ExtractRef, GroupRef
from gata_assets.defs.common import REFS_IO_MANAGER, artifact_metadata, lineage_metadata
from gata_assets.resources.artifact_store import ArtifactStore
from gata_assets.resources.pipeline_config import PipelineConfig


@dg.multi_asset(
    group_name="preparation",
    ins={"ticket_extract": dg.AssetIn()},
    outs={
        group.group_asset: dg.AssetOut(
            io_manager_key=REFS_IO_MANAGER,
            kinds={"parquet"},
            description=group.group_description,
        )
        for group in MODEL_GROUPS
    },
)
def ticket_groups(
    context: dg.AssetExecutionContext,
    ticket_extract: ExtractRef,
    artifact_store: ArtifactStore,
    pipeline: PipelineConfig,
):
    from gata_assets.core.grouping import category_counts, group_tickets

    batch_id = ticket_extract.batch_id
    tickets = artifact_store.read_parquet(ticket_extract.uri)
    groups = group_tickets(tickets, pipeline.min_general_examples)
    context.log.info(
        f"{len(groups.low_volume_categories)} low-volume categories "
        f"(< {pipeline.min_general_examples} tickets): {', '.join(groups.low_volume_categories)}"
    )
    for group in MODEL_GROUPS:
        frame = groups.frame(group.name)
        stored = artifact_store.write_parquet(
            frame, f"batches/{batch_id}/groups/{group.name}.parquet"
        )
        counts = category_counts(frame)
        ref = GroupRef(
            **stored.as_dict(),
            batch_id=batch_id,
            data_sha256=ticket_extract.sha256,
            group=group.name,
            rows=len(frame),
            category_counts=counts,
            low_volume_categories=list(groups.low_volume_categories),
            min_general_examples=pipeline.min_general_examples,
            redact_pii=ticket_extract.redact_pii,
        )
        yield dg.Output(
            ref,
            output_name=group.group_asset,
            metadata={
                **artifact_metadata(ref),
                **lineage_metadata(ref.batch_id),
                "dagster/row_count": dg.MetadataValue.int(len(frame)),
                "categories": dg.MetadataValue.int(len(counts)),
                "category_counts": dg.MetadataValue.json(counts),
            },
        )
