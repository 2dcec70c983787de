"""`model.tar.gz` for SageMaker: one endpoint's model directories in one archive.

SageMaker only mounts a single `ModelDataUrl`, extracted to `/opt/ml/model`; gata-serve
recognises the router layout (`general/` and `low_volume/` side by side) there, and a single
model directory (the per-model layout) at the archive's root. The archive key is derived
from the endpoint name and the model URIs, so redeploying the same models reuses the upload.
"""

import tarfile
import tempfile
from pathlib import Path
from typing import Protocol

from gata_assets.resources.artifact_store import ArtifactStore
from gata_assets.resources.deployer import DeploymentError, EndpointUnit


class Named(Protocol):
    name: str

    def tag(self) -> str: ...


def tarball_key(endpoint: Named) -> str:
    return f"models/endpoints/{endpoint.name}/{endpoint.tag()}/model.tar.gz"


def pack(model_dirs: dict[str, Path], target: Path, flat: bool = False) -> Path:
    """gzip tar with one top-level folder per role, or (`flat`, one model) the model's files
    at the root; deterministic order and owners."""
    if flat and len(model_dirs) != 1:
        raise ValueError(f"a flat archive holds one model, not {sorted(model_dirs)}")

    def scrub(info: tarfile.TarInfo) -> tarfile.TarInfo:
        info.uid = info.gid = 0
        info.uname = info.gname = ""
        return info

    with tarfile.open(target, "w:gz") as archive:
        for role in sorted(model_dirs):
            for path in sorted(p for p in Path(model_dirs[role]).rglob("*") if p.is_file()):
                relative = path.relative_to(model_dirs[role]).as_posix()
                archive.add(path, arcname=relative if flat else f"{role}/{relative}", filter=scrub)
    return target


def ensure(endpoint: EndpointUnit, store: ArtifactStore) -> str:
    """The S3 URI of this endpoint's archive, packing and uploading it if missing."""
    key = tarball_key(endpoint)
    uri = store.uri(key)
    if not uri.startswith("s3://"):
        raise DeploymentError(
            f"SageMaker reads models from S3 but the artifact store is at {uri}; "
            "use GATA_MODE=aws with GATA_ARTIFACT_BUCKET"
        )
    model_uris = {role: model.uri for role, model in endpoint.models.items()}
    return ensure_archive(store, key, model_uris, flat=not endpoint.is_router)


def ensure_archive(
    store: ArtifactStore, key: str, model_uris: dict[str, str], flat: bool = False
) -> str:
    """The URI of the archive at `key` of these models (role -> model URI; `pack`'s layout),
    packed and uploaded only when it is not there yet: its key names its content."""
    uri = store.uri(key)
    if store.exists(uri):
        return uri
    with tempfile.TemporaryDirectory(prefix="gata-tarball-") as scratch:
        root = Path(scratch)
        dirs = {
            role: store.get_dir(model, root / "models" / role) for role, model in model_uris.items()
        }
        return store.put_file(pack(dirs, root / "model.tar.gz", flat=flat), key).uri
