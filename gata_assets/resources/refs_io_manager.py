"""IO manager that passes small JSON *references* between assets, never the data itself.

Each gata asset writes its real artifact (Parquet, a model directory) through the artifact
store and returns a reference: URI, size, hash, batch id, counts. This IO manager keeps that
reference as JSON beside the artifacts, so a downstream asset in another process (or another
run, or on ECS) finds exactly the artifact it depends on. No pickle anywhere. The reference
kinds are declared in `gata_assets.core.references`; this loads each asset's JSON into its
kind (an asset it does not know gets the plain dict back).
"""

from typing import Any, TypeVar

import dagster as dg

from gata_assets.core.references import Reference, dump_reference, load_reference
from gata_assets.resources.artifact_store import ArtifactStore

R = TypeVar("R", bound=Reference)


def ref_key(asset_key: dg.AssetKey, partition_key: str | None = None) -> str:
    base = "refs/" + "/".join(asset_key.path)
    return f"{base}/{partition_key}.json" if partition_key else f"{base}.json"


class ArtifactRefIOManager(dg.ConfigurableIOManager):
    store: dg.ResourceDependency[ArtifactStore]

    def handle_output(
        self, context: dg.OutputContext, obj: Reference | dict[str, Any] | None
    ) -> None:
        if obj is None:
            return
        partition = context.partition_key if context.has_partition_key else None
        self.store.write_json(dump_reference(obj), ref_key(context.asset_key, partition))

    def load_input(self, context: dg.InputContext) -> Reference | dict[str, Any]:
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
        return load_reference(context.asset_key.to_user_string(), self.store.read_json(uri))


def latest_ref(store: ArtifactStore, asset_key: dg.AssetKey, kind: type[R] | None = None) -> Any:
    """The reference an asset last wrote, e.g. its previous watermark; None on first run.

    Loaded as `kind` when given (what a caller that knows the asset passes, for typing),
    else as the kind `gata_assets.core.references` declares for that asset.
    """
    uri = store.uri(ref_key(asset_key))
    if not store.exists(uri):
        return None
    data = store.read_json(uri)
    return kind.from_json(data) if kind else load_reference(asset_key.to_user_string(), data)
