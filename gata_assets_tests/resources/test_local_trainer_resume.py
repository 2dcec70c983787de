"""Locally, a re-run of the same training (a retry or re-execution: a new run id and model
version) finds the checkpoint folder the failed attempt left, because the folder is named
by what is trained, not by the run. The interpreter is a stand-in for gata-train that
checkpoints then fails on its first call and reports whether it found the checkpoint."""

from __future__ import annotations

import json
import sys
import textwrap

import dagster as dg
import pandas as pd

from gata_assets.core.references import SplitRef
from gata_assets.resources.artifact_store import LocalArtifactStore
from gata_assets.resources.local_trainer import LocalTrainer

FAKE_TRAIN = textwrap.dedent(
    """
    import json, os, pathlib, sys
    checkpoints = pathlib.Path(os.environ["GATA_CHECKPOINT_DIR"])
    model = pathlib.Path(os.environ["SM_MODEL_DIR"])
    found = (checkpoints / "step-7" / "state.json").is_file()
    if not found:  # the first attempt: checkpoint at step 7, then die
        (checkpoints / "step-7").mkdir(parents=True, exist_ok=True)
        (checkpoints / "step-7" / "state.json").write_text("{}")
        sys.exit(1)
    model.mkdir(parents=True, exist_ok=True)
    (model / "metrics.json").write_text(json.dumps({"resumed_from_step": 7}))
    """
)


def test_a_new_run_of_the_same_training_resumes_from_the_failed_attempts_checkpoint(tmp_path):
    fake = tmp_path / "fake_train.py"
    fake.write_text(FAKE_TRAIN)
    python = tmp_path / "python"
    python.write_text(f"#!/bin/sh\nexec {sys.executable} {fake}\n")
    python.chmod(0o755)
    store = LocalArtifactStore(root=str(tmp_path / "artifacts"))
    frame = pd.DataFrame({"ticket_id": [1], "text": ["x"], "label": [1], "category": ["c"]})
    refs = {
        side: SplitRef(**store.write_parquet(frame, f"{side}.parquet").as_dict(), batch_id="b1")
        for side in ("train", "test")
    }
    trainer = LocalTrainer(python=str(python), checkpoint_root=str(tmp_path / "checkpoints"))

    @dg.asset(name="general_model")
    def general_model(context):
        result = trainer.train(
            context,
            group="general",
            train_ref=refs["train"],
            test_ref=refs["test"],
            # Each run names its model anew; the training identity ignores that.
            hyperparameters={"epochs": 1, "model_version": f"general-{context.run.run_id}"},
            artifact_store=store,
            work_dir=tmp_path / context.run.run_id,
        )
        return dg.Output(json.dumps(result.metrics))

    first = dg.materialize([general_model], raise_on_error=False)
    assert not first.success
    left = list((tmp_path / "checkpoints").glob("*/step-7/state.json"))
    assert len(left) == 1  # the failed attempt's checkpoint, kept
    second = dg.materialize([general_model])
    assert second.success and second.run_id != first.run_id
    assert json.loads(second.output_for_node("general_model")) == {"resumed_from_step": 7}
    assert not left[0].exists()  # a finished training cleans its checkpoints up


KILLED_WHILE_SAVING = textwrap.dedent(
    """
    import os, pathlib, sys
    checkpoints = pathlib.Path(os.environ["GATA_CHECKPOINT_DIR"])
    (checkpoints / "step-00000007").mkdir(parents=True, exist_ok=True)
    (checkpoints / "step-00000007" / "state.json").write_text("{}")
    partial = checkpoints / f".step-00000008.partial-{os.getpid()}"
    partial.mkdir()
    (partial / "weights.safetensors").write_bytes(b"\\0" * 4096)
    sys.exit(137)  # as if killed half way through saving step 8
    """
)


def test_a_failed_training_keeps_its_checkpoints_but_not_half_written_ones(tmp_path):
    fake = tmp_path / "fake_train.py"
    fake.write_text(KILLED_WHILE_SAVING)
    python = tmp_path / "python"
    python.write_text(f"#!/bin/sh\nexec {sys.executable} {fake}\n")
    python.chmod(0o755)
    store = LocalArtifactStore(root=str(tmp_path / "artifacts"))
    frame = pd.DataFrame({"ticket_id": [1], "text": ["x"], "label": [1], "category": ["c"]})
    refs = {
        side: SplitRef(**store.write_parquet(frame, f"{side}.parquet").as_dict(), batch_id="b1")
        for side in ("train", "test")
    }
    checkpoints = tmp_path / "checkpoints"
    trainer = LocalTrainer(python=str(python), checkpoint_root=str(checkpoints))

    @dg.asset(name="general_model")
    def general_model(context):
        trainer.train(
            context,
            group="general",
            train_ref=refs["train"],
            test_ref=refs["test"],
            hyperparameters={"epochs": 1},
            artifact_store=store,
            work_dir=tmp_path / context.run.run_id,
        )

    assert not dg.materialize([general_model], raise_on_error=False).success
    [job] = checkpoints.iterdir()
    assert sorted(p.name for p in job.iterdir()) == ["step-00000007"]  # what a retry resumes
