"""Both artifact stores behave the same: round trips, hashes, atomic visibility.

The S3 store runs against moto in server mode, i.e. over real HTTP through boto3.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from gata_assets.core.hashing import sha256_bytes
from gata_assets.resources.artifact_store import MANIFEST, ArtifactStore, LocalArtifactStore
from gata_assets.resources.s3_artifact_store import S3ArtifactStore


@pytest.fixture(scope="module")
def moto_endpoint():
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture(params=["local", "s3"])
def store(request, tmp_path, monkeypatch) -> ArtifactStore:
    if request.param == "local":
        return LocalArtifactStore(root=str(tmp_path / "artifacts"))
    import boto3

    endpoint = request.getfixturevalue("moto_endpoint")
    for key, value in {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"}.items():
        monkeypatch.setenv(key, value)
    bucket = f"gata-{tmp_path.name.lower().replace('_', '-')[-40:]}"
    boto3.client("s3", region_name="us-east-1", endpoint_url=endpoint).create_bucket(Bucket=bucket)
    return S3ArtifactStore(bucket=bucket, region_name="us-east-1", endpoint_url=endpoint)


def test_parquet_and_json_round_trip_with_size_and_hash(store: ArtifactStore):
    frame = pd.DataFrame({"ticket_id": [1, 2], "text": ["a", "b"]})
    stored = store.write_parquet(frame, "batches/b1/tickets.parquet")
    assert stored.uri == store.uri("batches/b1/tickets.parquet")
    data = store.read_bytes(stored.uri)
    assert stored.size_bytes == len(data) and stored.sha256 == sha256_bytes(data)
    pd.testing.assert_frame_equal(store.read_parquet(stored.uri), frame)
    ref = store.write_json({"rows": 2}, "refs/x.json")
    assert store.read_json(ref.uri) == {"rows": 2}
    assert store.list_keys("batches") == ["batches/b1/tickets.parquet"]


def test_directory_round_trip_and_manifest_hash(store: ArtifactStore, tmp_path: Path):
    model = tmp_path / "model"
    (model / "tok").mkdir(parents=True)
    (model / "weights.safetensors").write_bytes(b"\x00" * 1000)
    (model / "tok" / "vocab.txt").write_text("hello\n")
    stored = store.put_dir(model, "models/general/v1")
    assert stored.size_bytes == 1006
    copy = store.get_dir(stored.uri, tmp_path / "copy")
    assert (copy / "tok" / "vocab.txt").read_text() == "hello\n"
    manifest = json.loads(store.read_bytes(f"{stored.uri}/{MANIFEST}"))
    assert set(manifest["files"]) == {"weights.safetensors", "tok/vocab.txt"}


def test_half_written_directory_is_never_trusted(store: ArtifactStore, tmp_path: Path):
    """A copy that dies before the manifest leaves files behind, but no reader accepts them."""
    model = tmp_path / "model"
    model.mkdir()
    (model / "a.bin").write_bytes(b"1")
    store.put_file(model / "a.bin", "models/general/v2/a.bin")  # as if the upload then died
    with pytest.raises(FileNotFoundError, match="incomplete"):
        store.get_dir(store.uri("models/general/v2"), tmp_path / "out")


def test_missing_artifact_is_a_clear_error(store: ArtifactStore):
    with pytest.raises(FileNotFoundError, match="no artifact"):
        store.read_bytes(store.uri("nope.json"))
    assert not store.exists(store.uri("nope.json"))


def test_local_write_is_invisible_until_complete(tmp_path: Path, monkeypatch):
    store = LocalArtifactStore(root=str(tmp_path))
    store.write_bytes(b"old", "refs/a.json")

    def crash(src, dst):
        Path(dst).write_bytes(b"partial")
        raise OSError("disk full")

    monkeypatch.setattr("gata_assets.resources.artifact_store.shutil.copyfile", crash)
    with pytest.raises(OSError, match="disk full"):
        store.write_bytes(b"new", "refs/a.json")
    assert store.read_bytes(store.uri("refs/a.json")) == b"old"
    assert [p.name for p in (tmp_path / "refs").iterdir()] == ["a.json"]


@pytest.mark.parametrize(
    "name", ["../escaped.txt", "tok/../../escaped.txt", "/tmp/gata-absolute.txt", "a//b", ""]
)
def test_get_dir_refuses_manifest_names_that_leave_the_destination(
    store: ArtifactStore, tmp_path: Path, name: str
):
    """A tampered manifest must not make a download write outside the folder asked for."""
    model = tmp_path / "model"
    model.mkdir()
    (model / "weights.safetensors").write_bytes(b"w")
    stored = store.put_dir(model, "models/general/v3")
    store.write_bytes(b"payload", "models/general/escaped.txt")  # what ../ would fetch
    entry = {"size_bytes": 7, "sha256": sha256_bytes(b"payload")}
    manifest = {"files": {"weights.safetensors": {"size_bytes": 1}, name: entry}}
    store.write_json(manifest, f"models/general/v3/{MANIFEST}")
    destination = tmp_path / "out" / "deep" / "copy"
    with pytest.raises(ValueError, match="outside the destination"):
        store.get_dir(stored.uri, destination)
    assert not (tmp_path / "out").exists()  # nothing fetched, not even the good entry
    assert not Path("/tmp/gata-absolute.txt").exists()


def test_get_dir_refuses_a_name_redirected_by_a_symlink(tmp_path: Path):
    store = LocalArtifactStore(root=str(tmp_path / "artifacts"))
    model = tmp_path / "model"
    (model / "tok").mkdir(parents=True)
    (model / "tok" / "vocab.txt").write_text("v")
    stored = store.put_dir(model, "models/general/v4")
    destination = tmp_path / "copy"
    destination.mkdir()
    (destination / "tok").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    with pytest.raises(ValueError, match="outside the destination"):
        store.get_dir(stored.uri, destination)
    assert not (tmp_path / "elsewhere").exists()
