"""A failed local deploy leaves no model copy behind, and never removes the one serving.

The server start is replaced by a failure, so these run without models or processes; the
real failed health check (and the old version still answering) is in test_local_deployer.py.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from gata_assets.resources import local_backend, local_processes
from gata_assets.resources.artifact_store import LocalArtifactStore
from gata_assets.resources.deployer import DeploymentError, EndpointSpec
from gata_assets.resources.local_deployer import LocalDeployer

NAME = "gata-router"
log = logging.getLogger("test-deployer-cleanup")


def fail_to_start(unit, models, folder, timeout_s, log):
    assert (models / "general" / "model.safetensors").is_file()  # the copy was made
    raise DeploymentError("/ping never answered")


@pytest.fixture
def setup(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(local_backend, "start_backend", fail_to_start)
    store = LocalArtifactStore(root=str(tmp_path / "artifacts"))
    model = tmp_path / "model"
    model.mkdir()
    (model / "model.safetensors").write_bytes(b"\0" * 4096)
    refs = {
        role: {"uri": store.put_dir(model, f"models/{role}/v1").uri, "model_version": "v1"}
        for role in ("general", "low_volume")
    }
    deployer = LocalDeployer(home=str(tmp_path / "home"))
    return deployer, store, EndpointSpec(NAME, refs), tmp_path / "home" / "endpoints" / NAME


def copies(endpoint_dir: Path) -> list[str]:
    models = endpoint_dir / "models"
    return sorted(p.name for p in models.iterdir()) if models.is_dir() else []


def test_a_failed_deploy_removes_its_model_copy(setup):
    deployer, store, spec, endpoint_dir = setup
    with pytest.raises(DeploymentError, match="failed its health check"):
        deployer.deploy(spec, store, log)
    assert copies(endpoint_dir) == []
    assert deployer.read_state(NAME) is None


def test_a_failed_redeploy_keeps_the_copy_the_old_version_serves(setup):
    deployer, store, spec, endpoint_dir = setup
    serving_dir = endpoint_dir / "models" / spec.tag()
    (serving_dir / "general").mkdir(parents=True)
    (serving_dir / "general" / "model.safetensors").write_bytes(b"serving")
    (serving_dir / ".complete").touch()
    state = {"name": NAME, "backend": {"pid": None, "model_dir": str(serving_dir)}}
    (endpoint_dir.parent / f"{NAME}.json").write_text(json.dumps(state))
    with pytest.raises(DeploymentError):
        deployer.deploy(spec, store, log)
    assert (serving_dir / "general" / "model.safetensors").read_bytes() == b"serving"


def test_a_copy_that_fails_half_way_leaves_nothing(setup, monkeypatch):
    deployer, store, spec, endpoint_dir = setup
    real_get_dir = LocalArtifactStore.get_dir

    def die_on_second(self, uri, local_dir):
        if "low_volume" in uri:
            raise OSError("disk full")
        return real_get_dir(self, uri, local_dir)

    monkeypatch.setattr(LocalArtifactStore, "get_dir", die_on_second)
    with pytest.raises(OSError, match="disk full"):
        deployer.deploy(spec, store, log)
    assert copies(endpoint_dir) == []


def test_per_model_a_failed_second_server_takes_the_first_new_one_down(setup, monkeypatch):
    deployer, store, spec, endpoint_dir = setup
    deployer = deployer.model_copy(update={"layout": "per-model"})
    stopped = []

    def start_only_general(unit, models, folder, timeout_s, log):
        if unit.role != "general":
            raise DeploymentError("/ping never answered")
        return {"pid": 4242, "model_dir": str(models), "url": "http://127.0.0.1:9"}

    monkeypatch.setattr(local_backend, "start_backend", start_only_general)
    monkeypatch.setattr(local_processes, "stop_group", lambda pid, **_: stopped.append(pid))
    with pytest.raises(DeploymentError, match="of gata-router-low-volume failed its health"):
        deployer.deploy(spec, store, log)
    assert stopped == [4242]  # the general server that did start is stopped again
    for name in ("gata-router-general", "gata-router-low-volume"):
        assert deployer.read_state(name) is None  # no proxy was ever pointed anywhere
        assert copies(endpoint_dir.with_name(name)) == []
