"""The model assets' defaults (`TrainingConfig`) and gata-train's `Hyperparameters` cannot
drift: every key the assets send is one gata-train knows, and one it does not know fails the
job by name instead of being dropped (SageMaker's own `sagemaker_*` keys excepted)."""

from __future__ import annotations

import json
from dataclasses import fields
from pathlib import Path
from typing import Any

import dagster as dg
import pytest

from gata_assets.defs import extraction, preparation, training
from gata_assets.ml.train.contract import TrainingInputError
from gata_assets.ml.train.hyperparameters import Hyperparameters
from gata_assets.resources.build import build_resources
from gata_assets.resources.sagemaker_trainer import SageMakerTrainer
from gata_assets.resources.trainer import Trainer
from gata_assets.settings import GataSettings

KNOWN = {f.name for f in fields(Hyperparameters)}


class RecordingTrainer(Trainer):
    """Writes down what a model asset hands its trainer, then stops the step."""

    path: str

    def train(self, context: Any, *, group: str, hyperparameters: dict, **_: Any) -> Any:
        Path(self.path, f"{group}.json").write_text(json.dumps(hyperparameters))
        raise dg.Failure(description="recorded", allow_retries=False)


def test_every_key_the_model_assets_send_is_a_hyperparameter_gata_train_knows(
    small_ticket_db, gata_home, tmp_path
):
    resources = build_resources(GataSettings.from_env({"GATA_HOME": str(gata_home)}))
    resources["trainer"] = RecordingTrainer(path=str(tmp_path))
    stages = (extraction.defs, preparation.defs, training.defs)
    dg.materialize(
        [a for stage in stages for a in stage.assets], resources=resources, raise_on_error=False
    )
    for group in ("general", "low_volume"):
        sent = json.loads((tmp_path / f"{group}.json").read_text())
        assert set(sent) <= KNOWN, f"{group}: gata-train does not know {set(sent) - KNOWN}"
        # As SageMaker delivers them: every value a string.
        request = SageMakerTrainer(role_arn="r").training_job_request(
            job_name="j",
            image="i",
            train_uri="s3://b/t",
            test_uri="s3://b/e",
            output_uri="s3://b/o",
            checkpoint_uri="s3://b/c",
            hyperparameters=sent,
            tags={},
        )
        parsed = Hyperparameters.from_mapping(request["HyperParameters"]).as_dict()
        assert {name: parsed[name] for name in sent} == sent


def test_an_unknown_hyperparameter_fails_by_name():
    with pytest.raises(TrainingInputError, match=r"unknown hyperparameter.*epochz"):
        Hyperparameters.from_mapping({"epochz": "3", "epochs": "2"})


def test_keys_sagemaker_adds_itself_are_accepted():
    injected = {"sagemaker_program": '"train"', "sagemaker_region": '"eu-west-1"'}
    hps = Hyperparameters.from_mapping({**injected, "_tuning_objective_metric": "f1", "epochs": 3})
    assert hps.epochs == 3
