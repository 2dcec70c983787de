"""Checks on groups and splits: no leakage, test categories known to train, enough rare data."""

import dagster as dg

from gata_assets.defs.preparation.splits import GROUPS
from gata_assets.resources.artifact_store import ArtifactStore
from gata_assets.resources.pipeline_config import PipelineConfig


def build_split_checks(group: str) -> dg.AssetChecksDefinition:
    """Both leakage checks of one group, reading its train and test sets once."""
    test_key = dg.AssetKey(f"{group}_test_set")

    @dg.multi_asset_check(
        name=f"{group}_split_checks",
        specs=[
            dg.AssetCheckSpec(
                "no_train_test_overlap",
                asset=test_key,
                additional_deps=[f"{group}_train_set"],
                blocking=True,
                description="No ticket is in both train and test.",
            ),
            dg.AssetCheckSpec(
                "test_categories_in_train",
                asset=test_key,
                additional_deps=[f"{group}_train_set"],
                blocking=True,
                description="Every category in the test set has training tickets.",
            ),
        ],
        ins={
            "train_set": dg.AssetIn(key=f"{group}_train_set"),
            "test_set": dg.AssetIn(key=test_key),
        },
    )
    def split_checks(train_set: dict, test_set: dict, artifact_store: ArtifactStore):
        from gata_assets.core.quality import categories_missing_from_train, overlapping_ids

        train = artifact_store.read_parquet(train_set["uri"])
        held_out = artifact_store.read_parquet(test_set["uri"])
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


@dg.asset_check(
    asset="low_volume_group",
    description="Enough low-volume data to train its own model; otherwise the fallback label "
    "answers for those categories.",
)
def low_volume_sufficiency(
    low_volume_group: dict, artifact_store: ArtifactStore, pipeline: PipelineConfig
) -> dg.AssetCheckResult:
    from gata_assets.core.quality import low_volume_sufficiency as judge

    verdict = judge(
        artifact_store.read_parquet(low_volume_group["uri"]),
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
    *(build_split_checks(group) for group in GROUPS),
    low_volume_sufficiency,
]
