"""Artifact store: where Parquet, JSON and model directories live (local disk or S3).

Writes are atomic. A file becomes visible under its final name only when complete (local:
written beside it, then `os.replace`; S3: a PUT is all-or-nothing). A directory (a model) is
complete only when its `_manifest.json` exists, and that manifest is written last with every
file's size and hash, so a reader never trusts a half-copied model.
"""

import io
import json
import os
import shutil
import tempfile
import uuid
from abc import ABC, abstractmethod
from dataclasses import asdict, dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

import dagster as dg

from gata_assets.core.hashing import sha256_bytes, sha256_file

if TYPE_CHECKING:
    import pandas as pd

MANIFEST = "_manifest.json"


@dataclass(frozen=True)
class StoredArtifact:
    """Where an artifact lives and what exactly it holds."""

    uri: str
    size_bytes: int
    sha256: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class ArtifactStore(dg.ConfigurableResource, ABC):
    """Write-once artifacts addressed by key; read back by the URI a write returned."""

    @abstractmethod
    def uri(self, key: str) -> str: ...

    @abstractmethod
    def put_file(self, local_path: Path, key: str) -> StoredArtifact: ...

    @abstractmethod
    def get_file(self, uri: str, local_path: Path) -> Path: ...

    @abstractmethod
    def exists(self, uri: str) -> bool: ...

    @abstractmethod
    def list_keys(self, prefix: str) -> list[str]: ...

    def put_dir(self, local_dir: Path, key: str) -> StoredArtifact:
        """Upload every file, then the manifest; the manifest's hash identifies the whole dir."""
        entries = {}
        for path in sorted(p for p in Path(local_dir).rglob("*") if p.is_file()):
            relative = path.relative_to(local_dir).as_posix()
            if relative == MANIFEST:
                continue
            self.put_file(path, f"{key}/{relative}")
            entries[relative] = {"size_bytes": path.stat().st_size, "sha256": sha256_file(path)}
        manifest = json.dumps({"files": entries}, indent=1, sort_keys=True).encode()
        self.write_bytes(manifest, f"{key}/{MANIFEST}")
        size = sum(e["size_bytes"] for e in entries.values())
        return StoredArtifact(uri=self.uri(key), size_bytes=size, sha256=sha256_bytes(manifest))

    def get_dir(self, uri: str, local_dir: Path) -> Path:
        """Download a directory written by `put_dir`; refuses one without its manifest."""
        manifest_uri = f"{uri.rstrip('/')}/{MANIFEST}"
        if not self.exists(manifest_uri):
            raise FileNotFoundError(f"{uri} is incomplete: no {MANIFEST}")
        manifest = json.loads(self.read_bytes(manifest_uri))
        local_dir = Path(local_dir)
        # Every name is checked before anything is fetched, so a bad manifest writes nothing.
        targets = {relative: _inside(local_dir, relative, uri) for relative in manifest["files"]}
        for relative, target in targets.items():
            self.get_file(f"{uri.rstrip('/')}/{relative}", target)
        return local_dir

    def write_bytes(self, data: bytes, key: str) -> StoredArtifact:
        with tempfile.TemporaryDirectory(prefix="gata-") as scratch:
            path = Path(scratch) / "payload"
            path.write_bytes(data)
            return self.put_file(path, key)

    def read_bytes(self, uri: str) -> bytes:
        with tempfile.TemporaryDirectory(prefix="gata-") as scratch:
            return self.get_file(uri, Path(scratch) / "payload").read_bytes()

    def write_json(self, obj: Any, key: str) -> StoredArtifact:
        return self.write_bytes(
            json.dumps(obj, indent=1, sort_keys=True, default=str).encode(), key
        )

    def read_json(self, uri: str) -> Any:
        return json.loads(self.read_bytes(uri))

    def write_parquet(self, frame: "pd.DataFrame", key: str) -> StoredArtifact:
        buffer = io.BytesIO()
        frame.to_parquet(buffer, index=False)
        return self.write_bytes(buffer.getvalue(), key)

    def read_parquet(self, uri: str) -> "pd.DataFrame":
        import pandas as pd

        return pd.read_parquet(io.BytesIO(self.read_bytes(uri)))


def _inside(local_dir: Path, relative: object, uri: str) -> Path:
    """Where a manifest entry goes, refusing any name that would land outside `local_dir`.

    A manifest is data from the store, and whoever can write one could otherwise name
    `../../.bashrc` or `/etc/cron.d/x`: only plain relative paths below the folder pass.
    """
    plain = (
        isinstance(relative, str)
        and relative
        and "\\" not in relative
        and "\x00" not in relative
        and not relative.startswith("/")
        and all(part not in ("..", "") for part in relative.split("/"))
    )
    target = local_dir / PurePosixPath(relative) if plain else None
    # resolve(): a symlink already in the destination could still redirect a plain name.
    if target is None or not target.resolve().is_relative_to(local_dir.resolve()):
        raise ValueError(f"{uri}/{MANIFEST} names {relative!r}, outside the destination folder")
    return target


class LocalArtifactStore(ArtifactStore):
    """Artifacts under a folder on this machine (the embedded default: `$GATA_HOME/artifacts`)."""

    root: str

    def _path(self, uri_or_key: str) -> Path:
        raw = uri_or_key.removeprefix("file://")
        path = Path(raw) if os.path.isabs(raw) else Path(self.root) / raw
        return path

    def uri(self, key: str) -> str:
        return f"file://{(Path(self.root) / key).resolve()}"

    def put_file(self, local_path: Path, key: str) -> StoredArtifact:
        target = self._path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = target.with_name(f".{target.name}.{uuid.uuid4().hex}.partial")
        try:
            shutil.copyfile(local_path, staging)
            os.replace(staging, target)
        finally:
            staging.unlink(missing_ok=True)
        return StoredArtifact(self.uri(key), target.stat().st_size, sha256_file(target))

    def get_file(self, uri: str, local_path: Path) -> Path:
        source = self._path(uri)
        if not source.is_file():
            raise FileNotFoundError(f"no artifact at {uri}")
        local_path = Path(local_path)
        local_path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, local_path)
        return local_path

    def read_bytes(self, uri: str) -> bytes:
        source = self._path(uri)
        if not source.is_file():
            raise FileNotFoundError(f"no artifact at {uri}")
        return source.read_bytes()

    def exists(self, uri: str) -> bool:
        return self._path(uri).is_file()

    def list_keys(self, prefix: str) -> list[str]:
        base = Path(self.root)
        folder = base / prefix
        if not folder.exists():
            return []
        return sorted(
            p.relative_to(base).as_posix()
            for p in folder.rglob("*")
            if p.is_file() and not p.name.endswith(".partial")
        )
