"""How the model assets are wired: independent per group, resources from settings, job names."""

from __future__ import annotations

import json

import dagster as dg

from gata_assets.core.references import SplitRef
from gata_assets.resources.local_trainer import LocalTrainer
from gata_assets.resources.trainer import identity_job_name, training_identity


def test_model_assets_are_independent_and_wired_to_their_splits(gata_home):
    from gata_assets.definitions import defs

    graph = defs().resolve_asset_graph()
    for group in ("general", "low_volume"):
        key = dg.AssetKey(f"{group}_model")
        assert graph.get(key).parent_keys == {
            dg.AssetKey(f"{group}_train_set"),
            dg.AssetKey(f"{group}_test_set"),
        }
        assert graph.get(key).group_name == "training"
    # Neither model depends on the other: the multiprocess executor runs them side by side.
    general = graph.get(dg.AssetKey("general_model"))
    assert dg.AssetKey("low_volume_model") not in general.parent_keys
    assert (
        dg.AssetKey("general_model") not in graph.get(dg.AssetKey("low_volume_model")).parent_keys
    )
    checks = {(k.asset_key.to_user_string(), k.name) for k in graph.asset_check_keys}
    for group in ("general", "low_volume"):
        assert {
            (f"{group}_model", "macro_f1_floor"),
            (f"{group}_model", "beats_tfidf_baseline"),
        } <= checks


def test_training_resources_come_from_settings(gata_home):
    from gata_assets.definitions import build_resources
    from gata_assets.settings import GataSettings

    settings = GataSettings.from_env(
        {"GATA_HOME": str(gata_home), "GATA_TRAIN_EPOCHS": "2", "GATA_TRAIN_MIN_MACRO_F1": "0.9"}
    )
    resources = build_resources(settings)
    assert isinstance(resources["trainer"], LocalTrainer)
    assert resources["training"].epochs == 2 and resources["training"].min_macro_f1 == 0.9
    low_volume = resources["training"].hyperparameters("low_volume")
    assert (low_volume["epochs"], low_volume["batch_size"]) == (6, 8)


def test_job_names_follow_what_is_trained_not_the_run():
    train = SplitRef(uri="s3://b/train.parquet", sha256="a" * 64, batch_id="b1")
    test = SplitRef(uri="s3://b/test.parquet", sha256="b" * 64, batch_id="b1")
    hps = {"epochs": 2, "learning_rate": 1e-4, "model_version": "general-b1-run1"}
    same = training_identity("low_volume_model", train, test, hps, "img:1")
    # Another run (another model version) of the same inputs: the same job.
    rerun = {**hps, "model_version": "general-b1-run2"}
    assert same == training_identity("low_volume_model", train, test, rerun, "img:1")
    for other in (
        training_identity("general_model", train, test, hps, "img:1"),
        training_identity("low_volume_model", train, test, {**hps, "epochs": 3}, "img:1"),
        training_identity("low_volume_model", train, test, hps, "img:2"),
        training_identity("low_volume_model", test, train, hps, "img:1"),
    ):
        assert other != same
    name = identity_job_name("low_volume_model", same)
    long = identity_job_name("x" * 200, same, attempt=7)
    for candidate in (name, long):
        assert len(candidate) <= 63 and all(c.isalnum() or c == "-" for c in candidate)
        assert candidate[0].isalnum() and candidate[-1].isalnum()
    assert long.endswith("-r7") and name.startswith("gata-low-volume-model-")
    assert json.dumps(name)  # plain string
