"""One local endpoint per model, with real gata-serve processes: the offline proof of the
per-model layout. The same tickets get the same answers through the router endpoint and
through the two model endpoints routed by gata's client side; a fallback low-volume model
leaves only the general endpoint; switching layouts retires the old endpoints; `gata
endpoints invoke` and `status` see the pair."""

import json
import logging

import pytest
from typer.testing import CliRunner

from gata_assets.resources.artifact_store import LocalArtifactStore
from gata_assets.resources.deployer import EndpointSpec
from gata_assets.resources.local_deployer import LocalDeployer
from gata_assets.resources.local_processes import is_ours
from gata_assets_tests.serving_fixtures import session_models

pytestmark = pytest.mark.slow
log = logging.getLogger("test-local-per-model")
TEXTS = [
    "I was charged twice for my invoice",
    "printer on floor 3 jams every morning",
    "please delete my personal data under gdpr",
    "vpn token expired",
    "the legal team needs the contract signed",
    "password reset link never arrives",
]
INSTANCES = [{"id": str(i), "text": text} for i, text in enumerate(TEXTS)]


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    models = session_models(tmp_path_factory)
    root = tmp_path_factory.mktemp("per-model")
    store = LocalArtifactStore(root=str(root / "artifacts"))

    def ref(path, version, fallback=False):
        uri = store.put_dir(path, f"models/{version}").uri
        return {"uri": uri, "model_version": version, "fallback": fallback}

    pairs = {
        "varied": {
            "general": ref(models.random_general, "g1"),
            "low_volume": ref(models.low_volume, "l1"),
        },
        "handoff": {
            "general": ref(models.handoff_general, "g2"),
            "low_volume": ref(models.low_volume, "l1"),
        },
        "fallback": {
            "general": ref(models.handoff_general, "g2"),
            "low_volume": ref(models.fallback, "fb1", fallback=True),
        },
    }
    home = str(root / "home")
    router = LocalDeployer(home=home, startup_timeout_s=120)
    split = LocalDeployer(home=home, startup_timeout_s=120, layout="per-model")
    yield router, split, store, pairs
    pids = [row["pid"] for row in router.status()] + [row["proxy_pid"] for row in router.status()]
    for row in router.status():
        router.stop_endpoint(row["name"])
    assert not any(is_ours(pid) for pid in pids), "a server outlived the tests"


def same_answers(router_answers: dict, split_answers: dict) -> None:
    for ours, theirs in zip(
        router_answers["predictions"], split_answers["predictions"], strict=True
    ):
        assert {k: ours[k] for k in ("id", "label", "category", "route")} == {
            k: theirs[k] for k in ("id", "label", "category", "route")
        }
        assert ours["confidence"] == pytest.approx(theirs["confidence"], abs=1e-4)
        assert [e["category"] for e in ours["top_k"]] == [e["category"] for e in theirs["top_k"]]


def test_both_layouts_answer_alike_and_a_fallback_leaves_one_endpoint(setup):
    router, split, store, pairs = setup
    for pair in ("varied", "handoff"):
        router.deploy(EndpointSpec("gata-a", pairs[pair]), store, log)
        deployed = split.deploy(EndpointSpec("gata-b", pairs[pair]), store, log)
        assert set(deployed["endpoints"]) == {"general", "low_volume"}
        assert deployed["endpoints"]["general"]["url"].startswith("http://127.0.0.1:")
        same_answers(router.invoke("gata-a", INSTANCES), split.invoke("gata-b", INSTANCES))
    routes = {p["route"] for p in split.invoke("gata-b", INSTANCES)["predictions"]}
    assert routes == {"low_volume"}  # the hand-off model sends all of them on

    router.deploy(EndpointSpec("gata-a", pairs["fallback"]), store, log)
    deployed = split.deploy(EndpointSpec("gata-b", pairs["fallback"]), store, log)
    assert list(deployed["endpoints"]) == ["general"]
    assert deployed["retired"] == ["gata-b-low-volume"]
    assert split.read_state("gata-b-low-volume") is None
    answers = split.invoke("gata-b", INSTANCES)
    same_answers(router.invoke("gata-a", INSTANCES), answers)
    assert {(p["category"], p["confidence"]) for p in answers["predictions"]} == {("triage", 1.0)}


def test_cli_sees_the_pair_and_switching_back_retires_it(setup, monkeypatch):
    from gata_assets.cli import app

    router, split, store, pairs = setup
    split.deploy(EndpointSpec("gata-b", pairs["handoff"]), store, log)
    monkeypatch.setenv("GATA_HOME", split.home)
    monkeypatch.setenv("GATA_ENDPOINT_LAYOUT", "per-model")
    monkeypatch.delenv("GATA_MODE", raising=False)
    runner = CliRunner()
    asked = runner.invoke(app, ["endpoints", "invoke", "--endpoint", "gata-b", TEXTS[2]])
    assert asked.exit_code == 0, asked.output
    assert "1: gdpr" in asked.output and "route low_volume" in asked.output
    shown = runner.invoke(app, ["endpoints", "status", "gata-b", "--json"])
    rows = json.loads(shown.output)
    assert {row["name"] for row in rows} == {"gata-b-general", "gata-b-low-volume"}
    assert all(row["healthy"] for row in rows)

    deployed = router.deploy(EndpointSpec("gata-b", pairs["handoff"]), store, log)
    assert deployed["layout"] == "router"
    assert sorted(deployed["retired"]) == ["gata-b-general", "gata-b-low-volume"]
    assert not any(is_ours(row["pid"]) for row in rows)
    assert router.invoke("gata-b", INSTANCES[:1])["predictions"][0]["route"] == "low_volume"
