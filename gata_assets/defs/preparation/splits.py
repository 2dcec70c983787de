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
        from gata_assets.core.splitting import split_train_test

        frame = artifact_store.read_parquet(source.uri)
        result = split_train_test(frame, pipeline.test_fraction, pipeline.split_seed)
        if result.train_only_categories:
            context.log.warning(
                f"{name}: too small to split, kept in train only: "
                f"{', '.join(result.train_only_categories)}"
            )
        for side, part in (("train", result.train), ("test", result.test)):
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
            )
            yield dg.Output(
                ref,
                output_name=f"{name}_{side}_set",
                metadata={
                    **artifact_metadata(ref),
                    **lineage_metadata(ref.batch_id),
                    "dagster/row_count": dg.MetadataValue.int(len(part)),
                    "categories": dg.MetadataValue.int(len(counts)),
                    "redact_pii": dg.MetadataValue.bool(source.redact_pii),
                    "train_only_categories": dg.MetadataValue.text(
                        ", ".join(result.train_only_categories) or "none"
                    ),
                },
            )

    return split
