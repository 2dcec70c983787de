"""Local blue/green: redeploy under continuous load with zero failed requests; a broken
new version leaves the old one serving and fails the deploy with the reason."""

import contextlib
import json
import logging
import os
import shutil
import signal
import threading
import time

import httpx
import pytest

from gata_assets.resources.artifact_store import LocalArtifactStore
from gata_assets.resources.deployer import DeploymentError, EndpointSpec
from gata_assets.resources.local_deployer import LocalDeployer
from gata_assets.resources.local_processes import is_ours
from gata_assets_tests.serving_fixtures import session_models

pytestmark = pytest.mark.slow
log = logging.getLogger("test-deployer")
NAME = "gata-router"


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    models = session_models(tmp_path_factory)
    root = tmp_path_factory.mktemp("deployer")
    store = LocalArtifactStore(root=str(root / "artifacts"))
    broken = root / "broken"
    shutil.copytree(models.random_general, broken)
    (broken / "model.safetensors").write_bytes(b"not a safetensors file")

    def ref(path, version):
        return {"uri": store.put_dir(path, f"models/{version}").uri, "model_version": version}

    refs = {
        "v1": {
            "general": ref(models.random_general, "g1"),
            "low_volume": ref(models.low_volume, "l1"),
        },
        "v2": {
            "general": ref(models.handoff_general, "g2"),
            "low_volume": ref(models.low_volume, "l1"),
        },
        "broken": {"general": ref(broken, "g3"), "low_volume": ref(models.low_volume, "l1")},
    }
    deployer = LocalDeployer(home=str(root / "home"), startup_timeout_s=120)
    yield deployer, store, refs
    state = deployer.read_state(NAME) or {}
    deployer.stop(NAME)
    for part in ("backend", "previous", "proxy"):
        assert not is_ours((state.get(part) or {}).get("pid")), f"{part} still running"


def serving_version(url: str) -> str:
    return httpx.get(f"{url}/info", timeout=5).json()["models"]["general"]["model_version"]


class Load:
    """Two loopback clients posting tickets until stopped (bounded in count and time)."""

    def __init__(self, url: str, clients: int = 2, max_requests: int = 2000, max_s: float = 240):
        self.url, self.stop_at, self.max_requests = url, time.monotonic() + max_s, max_requests
        self.ok, self.failures, self._halt = 0, [], threading.Event()
        self.threads = [threading.Thread(target=self._run, args=(i,)) for i in range(clients)]

    def _run(self, client: int) -> None:
        body = {"instances": [{"id": client, "text": "my vpn token expired this morning"}]}
        with httpx.Client(timeout=30) as http:
            for _ in range(self.max_requests):
                if self._halt.is_set() or time.monotonic() > self.stop_at:
                    return
                try:
                    reply = http.post(f"{self.url}/invocations", json=body)
                    if reply.status_code == 200 and reply.json()["predictions"][0]["id"] == client:
                        self.ok += 1
                    else:
                        self.failures.append(f"{reply.status_code} {reply.text[:200]}")
                except httpx.HTTPError as error:
                    self.failures.append(repr(error))

    def __enter__(self) -> "Load":
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._halt.set()
        for thread in self.threads:
            thread.join(60)


def test_first_deploy_then_blue_green_redeploy_under_load(setup):
    deployer, store, refs = setup
    first = deployer.deploy(EndpointSpec(NAME, refs["v1"]), store, log)
    assert first["url"].startswith("http://127.0.0.1:")
    assert serving_version(first["url"]) == "r1"
    with Load(first["url"]) as load:
        time.sleep(1)
        second = deployer.deploy(EndpointSpec(NAME, refs["v2"]), store, log)
        time.sleep(1)
    assert second["url"] == first["url"]  # the stable address
    assert second["backend_url"] != first["backend_url"]
    assert serving_version(second["url"]) == "v1"  # the hand-off model's card version
    assert not is_ours(first["pid"]), "old server still running after the switch"
    assert load.failures == [] and load.ok > 10
    [row] = deployer.status(NAME)
    assert row["healthy"] and row["model_versions"] == {"general": "g2", "low_volume": "l1"}


def test_broken_version_leaves_old_serving(setup):
    deployer, store, refs = setup
    before = deployer.deploy(EndpointSpec(NAME, refs["v1"]), store, log)
    with Load(before["url"]) as load, pytest.raises(DeploymentError) as failure:
        deployer.deploy(EndpointSpec(NAME, refs["broken"]), store, log)
    assert "failed its health check" in str(failure.value)
    assert "keeps serving" in str(failure.value)
    assert load.failures == [] and load.ok > 0
    assert serving_version(before["url"]) == "r1"
    assert deployer.read_state(NAME)["backend"]["pid"] == before["pid"]
    answer = deployer.invoke(NAME, [{"id": "x", "text": "printer"}])
    assert answer["predictions"][0]["id"] == "x"


def test_a_killed_backend_is_restarted_by_its_proxy_within_seconds(setup):
    deployer, store, refs = setup
    deployed = deployer.deploy(EndpointSpec(NAME, refs["v1"]), store, log)
    os.killpg(deployed["pid"], signal.SIGKILL)
    killed_at, answered = time.monotonic(), None
    while time.monotonic() - killed_at < 60:
        with contextlib.suppress(httpx.TransportError):
            reply = httpx.post(f"{deployed['url']}/invocations", json={"text": "vpn"}, timeout=5)
            if reply.status_code == 200:
                answered = time.monotonic() - killed_at
                break
        time.sleep(0.25)
    assert answered is not None, "the endpoint never answered again"
    backend = deployer.read_state(NAME)["backend"]
    assert backend["pid"] != deployed["pid"] and is_ours(backend["pid"])
    assert backend["restarts"] == 1 and serving_version(deployed["url"]) == "r1"
    [row] = deployer.status(NAME)
    assert row["healthy"] and row["running"] and row["restarts"] == 1
    log.info("answered again %.1f s after the kill", answered)


def test_cli_status_and_stop_take_everything_down(setup, monkeypatch):
    from typer.testing import CliRunner

    from gata_assets.cli import app

    deployer, store, refs = setup
    deployed = deployer.deploy(EndpointSpec(NAME, refs["v1"]), store, log)
    state = deployer.read_state(NAME)
    monkeypatch.setenv("GATA_HOME", deployer.home)
    monkeypatch.delenv("GATA_MODE", raising=False)
    runner = CliRunner()
    shown = runner.invoke(app, ["endpoints", "status", "--json"])
    assert shown.exit_code == 0, shown.output
    [row] = json.loads(shown.output)
    assert row["healthy"] and row["url"] == deployed["url"] and row["running"]
    stopped = runner.invoke(app, ["endpoints", "stop"])  # default: the router endpoint
    assert stopped.exit_code == 0 and f"stopped {NAME}" in stopped.output
    assert not is_ours(state["backend"]["pid"]) and not is_ours(state["proxy"]["pid"])
    again = runner.invoke(app, ["endpoints", "stop", NAME])
    assert again.exit_code == 2 and "no endpoint named" in again.output
    assert "no endpoints" in runner.invoke(app, ["endpoints", "status"]).output
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{deployed['url']}/ping", timeout=2)
