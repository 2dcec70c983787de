"""Checks on groups and splits: no leakage, test categories known to train, enough rare data."""

import dagster as dg

from gata_assets.core.model_groups import MODEL_GROUPS, model_group
from gata_assets.core.references import GroupRef, SplitRef
from gata_assets.resources.artifact_store import ArtifactStore
from gata_assets.resources.pipeline_config import PipelineConfig


def build_split_checks(name: str) -> dg.AssetChecksDefinition:
    """Both leakage checks of one group, reading its train and test sets once."""
    group = model_group(name)
    test_key = dg.AssetKey(group.test_asset)

    @dg.multi_asset_check(
        name=f"{name}_split_checks",
        specs=[
            dg.AssetCheckSpec(
                "no_train_test_overlap",
                asset=test_key,
                additional_deps=[group.train_asset],
                blocking=True,
                description="No ticket is in both train and test.",
            ),
            dg.AssetCheckSpec(
                "test_categories_in_train",
                asset=test_key,
                additional_deps=[group.train_asset],
                blocking=True,
                description="Every category in the test set has training tickets.",
            ),
        ],
        ins={
            "train_set": dg.AssetIn(key=group.train_asset),
            "test_set": dg.AssetIn(key=test_key),
        },
    )
    def split_checks(train_set: SplitRef, test_set: SplitRef, artifact_store: ArtifactStore):
        from gata_assets.core.quality import categories_missing_from_train, overlapping_ids

        train = artifact_store.read_parquet(train_set.uri)
        held_out = artifact_store.read_parquet(test_set.uri)
        shared = overlapping_ids(train, held_out)
        yield dg.AssetCheckResult(
            check_name="no_train_test_overlap",
            asset_key=test_key,
            passed=not shared,
            metadata={"overlap": len(shared), "examples": str(shared[:10])},
        )
        missing = categories_missing_from_train(train, held_out)
        yield dg.AssetCheckResult(
            check_name="test_categories_in_train",
            asset_key=test_key,
            passed=not missing,
            metadata={"missing_from_train": ", ".join(missing) or "none"},
        )

    return split_checks


def build_sufficiency_check(name: str) -> dg.AssetChecksDefinition:
    """For a group that may fall back: is there enough data to train its own model?"""

    @dg.asset_check(
        asset=model_group(name).group_asset,
        name=f"{name}_sufficiency",
        description="Enough low-volume data to train its own model; otherwise the fallback "
        "label answers for those categories.",
    )
    def sufficiency(
        group_set: GroupRef, artifact_store: ArtifactStore, pipeline: PipelineConfig
    ) -> dg.AssetCheckResult:
        return sufficiency_verdict(group_set, artifact_store, pipeline)

    return sufficiency


def sufficiency_verdict(
    group_set: GroupRef, artifact_store: ArtifactStore, pipeline: PipelineConfig
) -> dg.AssetCheckResult:
    from gata_assets.core.quality import low_volume_sufficiency as judge

    verdict = judge(
        artifact_store.read_parquet(group_set.uri),
        pipeline.low_volume_min_categories,
        pipeline.low_volume_min_per_category,
    )
    return dg.AssetCheckResult(
        passed=verdict.sufficient,
        severity=dg.AssetCheckSeverity.WARN,
        description=verdict.reason,
        metadata={
            "categories": verdict.categories,
            "smallest_category": verdict.smallest_category,
            "fallback_label": pipeline.low_volume_fallback_label,
        },
    )


preparation_checks = [
    *(build_split_checks(group.name) for group in MODEL_GROUPS),
    *(build_sufficiency_check(group.name) for group in MODEL_GROUPS if group.may_fall_back),
]
