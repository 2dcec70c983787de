"""`general_group` and `low_volume_group`: one pass over the extract, two outputs."""

import dagster as dg

from gata_assets.defs.common import REFS_IO_MANAGER, artifact_metadata, lineage_metadata
from gata_assets.resources.artifact_store import ArtifactStore
from gata_assets.resources.pipeline_config import PipelineConfig


@dg.multi_asset(
    group_name="preparation",
    ins={"ticket_extract": dg.AssetIn()},
    outs={
        "general_group": dg.AssetOut(
            io_manager_key=REFS_IO_MANAGER,
            kinds={"parquet"},
            description="All tickets; low-volume categories collapsed into one hand-off class.",
        ),
        "low_volume_group": dg.AssetOut(
            io_manager_key=REFS_IO_MANAGER,
            kinds={"parquet"},
            description="Only the tickets of low-volume categories, with their own labels.",
        ),
    },
)
def ticket_groups(
    context: dg.AssetExecutionContext,
    ticket_extract: dict,
    artifact_store: ArtifactStore,
    pipeline: PipelineConfig,
):
    from gata_assets.core.grouping import category_counts, group_tickets

    batch_id = ticket_extract["batch_id"]
    tickets = artifact_store.read_parquet(ticket_extract["uri"])
    groups = group_tickets(tickets, pipeline.min_general_examples)
    context.log.info(
        f"{len(groups.low_volume_categories)} low-volume categories "
        f"(< {pipeline.min_general_examples} tickets): {', '.join(groups.low_volume_categories)}"
    )
    for name, frame in (("general", groups.general), ("low_volume", groups.low_volume)):
        stored = artifact_store.write_parquet(frame, f"batches/{batch_id}/groups/{name}.parquet")
        counts = category_counts(frame)
        ref = {
            **stored.as_dict(),
            "batch_id": batch_id,
            "group": name,
            "rows": len(frame),
            "category_counts": counts,
            "low_volume_categories": list(groups.low_volume_categories),
            "min_general_examples": pipeline.min_general_examples,
        }
        yield dg.Output(
            ref,
            output_name=f"{name}_group",
            metadata={
                **artifact_metadata(ref),
                **lineage_metadata(ref),
                "dagster/row_count": dg.MetadataValue.int(len(frame)),
                "categories": dg.MetadataValue.int(len(counts)),
                "category_counts": dg.MetadataValue.json(counts),
            },
        )
