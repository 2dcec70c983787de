"""IO manager that passes small JSON *references* between assets, never the data itself.

Each gata asset writes its real artifact (Parquet, a model directory) through the artifact
store and returns a reference: URI, size, hash, batch id, counts. This IO manager keeps that
reference as JSON beside the artifacts, so a downstream asset in another process (or another
run, or on ECS) finds exactly the artifact it depends on. No pickle anywhere.
"""

from typing import Any

import dagster as dg

from gata_assets.resources.artifact_store import ArtifactStore


def ref_key(asset_key: dg.AssetKey, partition_key: str | None = None) -> str:
    base = "refs/" + "/".join(asset_key.path)
    return f"{base}/{partition_key}.json" if partition_key else f"{base}.json"


class ArtifactRefIOManager(dg.ConfigurableIOManager):
    store: dg.ResourceDependency[ArtifactStore]

    def handle_output(self, context: dg.OutputContext, obj: dict[str, Any] | None) -> None:
        if obj is None:
            return
        partition = context.partition_key if context.has_partition_key else None
        self.store.write_json(obj, ref_key(context.asset_key, partition))

    def load_input(self, context: dg.InputContext) -> dict[str, Any]:
        partition = context.partition_key if context.has_asset_partitions else None
        if partition is not None and context.upstream_output is not None:
            upstream_partitioned = context.upstream_output.has_asset_partitions
            partition = partition if upstream_partitioned else None
        uri = self.store.uri(ref_key(context.asset_key, partition))
        if not self.store.exists(uri):
            raise FileNotFoundError(
                f"{context.asset_key.to_user_string()} has not been materialized yet "
                f"(no reference at {uri}); materialize it first"
            )
        return self.store.read_json(uri)


def latest_ref(store: ArtifactStore, asset_key: dg.AssetKey) -> dict[str, Any] | None:
    """The reference an asset last wrote, e.g. its previous watermark; None on first run."""
    uri = store.uri(ref_key(asset_key))
    return store.read_json(uri) if store.exists(uri) else None
