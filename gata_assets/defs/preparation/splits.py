"""`{group}_train_set` / `{group}_test_set`: one factory, called once per model group."""

import dagster as dg

from gata_assets.core.model_groups import ModelGroup
from gata_assets.core.references import GroupRef, SplitRef
from gata_assets.defs.common import REFS_IO_MANAGER, artifact_metadata, lineage_metadata
from gata_assets.resources.artifact_store import ArtifactStore
from gata_assets.resources.pipeline_config import PipelineConfig


def build_split_assets(group: ModelGroup) -> dg.AssetsDefinition:
    name = group.name

    @dg.multi_asset(
        name=f"{name}_split",
        group_name="preparation",
        ins={"source": dg.AssetIn(key=group.group_asset)},
        outs={
            group.train_asset: dg.AssetOut(
                io_manager_key=REFS_IO_MANAGER,
                kinds={"parquet"},
                description=f"Training tickets of the {name} group (stratified, stable).",
            ),
            group.test_asset: dg.AssetOut(
                io_manager_key=REFS_IO_MANAGER,
                kinds={"parquet"},
                description=f"Held-out tickets of the {name} group; a ticket never changes side.",
            ),
        },
    )
    def split(
        context: dg.AssetExecutionContext,
        source: GroupRef,
        artifact_store: ArtifactStore,
        pipeline: PipelineConfig,
    ):
        from gata_assets.core.grouping import category_counts
        from gata_assets.core.schema import SPLIT_COLUMNS
        from gata_assets.core.splitting import split_train_test
        from gata_assets.core.train_cap import cap_train_set

        frame = artifact_store.read_parquet(source.uri)
        result = split_train_test(frame, pipeline.test_fraction, pipeline.split_seed)
        if result.train_only_categories:
            context.log.warning(
                f"{name}: too small to split, kept in train only: "
                f"{', '.join(result.train_only_categories)}"
            )
        train, cap = cap_train_set(result.train, pipeline.train_max_tickets)
        if cap.dropped_total:
            context.log.info(
                f"{name}: train set capped at {cap.max_tickets} (up to {cap.quota} a category, "
                f"newest kept): {cap.dropped_total} older tickets left out"
            )
        for side, part in (("train", train), ("test", result.test)):
            part = part.loc[:, list(SPLIT_COLUMNS)]
            stored = artifact_store.write_parquet(
                part, f"batches/{source.batch_id}/{name}/{side}.parquet"
            )
            counts = category_counts(part)
            ref = SplitRef(
                **stored.as_dict(),
                batch_id=source.batch_id,
                data_sha256=source.data_sha256,
                group=name,
                side=side,
                rows=len(part),
                category_counts=counts,
                train_only_categories=list(result.train_only_categories),
                test_fraction=pipeline.test_fraction,
                split_seed=pipeline.split_seed,
                redact_pii=source.redact_pii,
                train_cap=cap.max_tickets if side == "train" else None,
                capped_out=cap.dropped if side == "train" else {},
            )
            yield dg.Output(ref, output_name=f"{name}_{side}_set", metadata=split_metadata(ref))

    return split


def split_metadata(ref: SplitRef) -> dict:
    capping = {}
    if ref.train_cap is not None:
        capping = {
            "train_cap": dg.MetadataValue.int(ref.train_cap),
            "capped_out": dg.MetadataValue.int(sum(ref.capped_out.values())),
            "capped_out_by_category": dg.MetadataValue.json(ref.capped_out),
        }
    return {
        **artifact_metadata(ref),
        **lineage_metadata(ref.batch_id),
        "dagster/row_count": dg.MetadataValue.int(ref.rows or 0),
        "categories": dg.MetadataValue.int(len(ref.category_counts)),
        "redact_pii": dg.MetadataValue.bool(ref.redact_pii),
        **capping,
        "train_only_categories": dg.MetadataValue.text(
            ", ".join(ref.train_only_categories) or "none"
        ),
    }
