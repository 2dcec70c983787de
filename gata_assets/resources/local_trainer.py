"""Local trainer: gata-train as a subprocess through Dagster Pipes, in an `/opt/ml`-style folder.

The folder mirrors what SageMaker gives the container (input/data/{train,test},
input/config/hyperparameters.json, model/, output/, checkpoints/) and the SM_* variables
point there, so the local run exercises exactly the code path of a SageMaker job. Pipes
streams gata-train's log lines and its final metrics into the Dagster run; a run termination
reaches gata-train as SIGINT, which checkpoints and stops.

With `checkpoint_root` set, checkpoints live under `<checkpoint_root>/<job name>`, a name
derived from what is trained (asset, data hashes, hyperparameters; `training_identity`), not
from the run: a retried step, a run retry or a re-execution from failure (each a new run id)
resumes from the checkpoint the failed attempt left instead of starting over. So a failure
keeps the complete checkpoints and deletes only half-written ones (a process killed while
saving); success deletes the job's checkpoint folder.
"""

import json
import shutil
import sys
from pathlib import Path
from typing import Any

import dagster as dg

from gata_assets.core.references import SplitRef
from gata_assets.resources.artifact_store import ArtifactStore
from gata_assets.resources.trainer import (
    Trainer,
    TrainingResult,
    identity_job_name,
    training_identity,
)

TRAIN_MODULE = "gata_assets.ml.train.entrypoint"


class LocalTrainer(Trainer):
    """Runs gata-train on this machine (CPU, or a local GPU if torch sees one)."""

    python: str = ""
    """Interpreter for gata-train (default: the one running Dagster)."""
    checkpoint_root: str = ""
    """Keep checkpoints here across step retries (default: inside the temp job folder)."""

    def train(
        self,
        context: dg.AssetExecutionContext,
        *,
        group: str,
        train_ref: SplitRef,
        test_ref: SplitRef,
        hyperparameters: dict[str, Any],
        artifact_store: ArtifactStore,
        work_dir: Path,
    ) -> TrainingResult:
        from gata_assets.ml.model_card import read_metrics
        from gata_assets.ml.train.checkpoint import remove_stale_partials
        from gata_assets.ml.train.contract import TrainingPaths, read_failure

        asset_name = context.asset_key.to_python_identifier()
        identity = training_identity(asset_name, train_ref, test_ref, hyperparameters)
        job_name = identity_job_name(asset_name, identity)
        paths = TrainingPaths.under(Path(work_dir) / "opt-ml")
        if self.checkpoint_root:
            paths = TrainingPaths(
                **{**vars(paths), "checkpoint_dir": Path(self.checkpoint_root) / job_name}
            )
        paths.make_dirs()
        artifact_store.get_file(train_ref.uri, paths.train_channel / "train.parquet")
        artifact_store.get_file(test_ref.uri, paths.test_channel / "test.parquet")
        # As SageMaker writes it: every value a string.
        (paths.config_dir / "hyperparameters.json").write_text(
            json.dumps({k: _as_string(v) for k, v in hyperparameters.items()}, indent=1)
        )
        env = {
            **paths.as_env(),
            "HF_HUB_OFFLINE": "1",
            "TRANSFORMERS_OFFLINE": "1",
            "PYTHONUNBUFFERED": "1",
            "TOKENIZERS_PARALLELISM": "false",
        }
        command = [self.python or sys.executable, "-m", TRAIN_MODULE]
        context.log.info(f"gata-train {group} as local job {job_name} in {paths.model_dir.parent}")
        client = dg.PipesSubprocessClient(env=env, cwd=str(paths.model_dir.parent))
        try:
            invocation = client.run(
                context=context, command=command, extras={"group": group, "job_name": job_name}
            )
        except Exception as error:  # Pipes raises a plain Exception subclass on exit != 0
            # Complete checkpoints stay for the retry (or a re-execution) to resume from.
            remove_stale_partials(paths.checkpoint_dir)
            reason = read_failure(paths.failure_file)
            raise dg.Failure(
                description=f"gata-train ({group}) failed: {reason or error}",
                metadata={"job_name": job_name, "failure_reason": reason or str(error)},
                # Bad input will fail again the same way; anything else may be transient.
                allow_retries=reason is None,
            ) from (None if reason else error)

        reported: dict[str, Any] = {}
        for result in invocation.get_results():
            reported.update(getattr(result, "metadata", None) or {})
        if self.checkpoint_root:
            shutil.rmtree(paths.checkpoint_dir, ignore_errors=True)
        return TrainingResult(
            model_dir=paths.model_dir,
            metrics=read_metrics(paths.model_dir),
            metadata={**reported, "job_name": dg.MetadataValue.text(job_name)},
            job_name=job_name,
        )


def _as_string(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
