"""`model.tar.gz` for SageMaker: the router's two model directories in one archive.

SageMaker only mounts a single `ModelDataUrl`, extracted to `/opt/ml/model`; gata-serve
recognises the router layout (`general/` and `low_volume/` side by side) there. The archive
key is derived from the model URIs, so redeploying the same pair reuses the upload.
"""

import tarfile
import tempfile
from pathlib import Path

from gata_assets.resources.artifact_store import ArtifactStore
from gata_assets.resources.deployer import MODEL_ROLES, DeploymentError, EndpointSpec


def tarball_key(spec: EndpointSpec) -> str:
    return f"models/endpoints/{spec.name}/{spec.tag()}/model.tar.gz"


def pack(model_dirs: dict[str, Path], target: Path) -> Path:
    """gzip tar with one top-level folder per role; deterministic order and owners."""

    def scrub(info: tarfile.TarInfo) -> tarfile.TarInfo:
        info.uid = info.gid = 0
        info.uname = info.gname = ""
        return info

    with tarfile.open(target, "w:gz") as archive:
        for role in sorted(model_dirs):
            for path in sorted(p for p in Path(model_dirs[role]).rglob("*") if p.is_file()):
                arcname = f"{role}/{path.relative_to(model_dirs[role]).as_posix()}"
                archive.add(path, arcname=arcname, filter=scrub)
    return target


def ensure(spec: EndpointSpec, store: ArtifactStore) -> str:
    """The S3 URI of this model pair's archive, packing and uploading it if missing."""
    key = tarball_key(spec)
    uri = store.uri(key)
    if not uri.startswith("s3://"):
        raise DeploymentError(
            f"SageMaker reads models from S3 but the artifact store is at {uri}; "
            "use GATA_MODE=aws with GATA_ARTIFACT_BUCKET"
        )
    if store.exists(uri):
        return uri
    with tempfile.TemporaryDirectory(prefix="gata-tarball-") as scratch:
        root = Path(scratch)
        dirs = {
            role: store.get_dir(spec.models[role].uri, root / "models" / role)
            for role in MODEL_ROLES
        }
        return store.put_file(pack(dirs, root / "model.tar.gz"), key).uri
