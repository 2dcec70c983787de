"""Shared by the model-asset tests: the stages under test, a fast training config, a trainer
that skips training, and lookups into an in-process run's results."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import dagster as dg

from gata_assets.core.references import ModelRef
from gata_assets.defs import extraction, preparation, training
from gata_assets.ml.model_card import METRICS_FILE, LabelEntry, ModelCard, write_card
from gata_assets.resources.trainer import Trainer, TrainingConfig, TrainingResult

STAGES = (extraction.defs, preparation.defs, training.defs)
ASSETS = [a for stage in STAGES for a in stage.assets]
CHECKS = [c for stage in STAGES for c in stage.asset_checks]
# Enough for the small ticket db's keyword-like tickets, small enough for a 2-core CI box.
FAST = TrainingConfig(
    epochs=3, low_volume_epochs=6, max_length=24, batch_size=16, learning_rate=3e-4
)


def only(*names: str) -> list:
    """The assets and checks needed to materialize `names` (and what they read)."""
    wanted = {"ticket_extract", "ticket_groups", *names}
    assets = [a for a in ASSETS if a.node_def.name in wanted]
    keys = {k for a in assets for k in a.keys}
    return [*assets, *(c for c in CHECKS if {k.asset_key for k in c.check_keys} <= keys)]


def model_dir(ref: ModelRef, store) -> Path:
    return store._path(ref.uri)


def checks_of(result: dg.ExecuteInProcessResult) -> dict[tuple[str, str], dg.AssetCheckEvaluation]:
    return {
        (e.asset_key.to_user_string(), e.check_name): e
        for e in result.get_asset_check_evaluations()
    }


def materialization(result: dg.ExecuteInProcessResult, key: str) -> dg.AssetMaterialization:
    (event,) = result.asset_materializations_for_node(key)
    return event


class CannedTrainer(Trainer):
    """Stands in for gata-train: a model directory with a card and the given metrics.json,
    so what the asset makes of gata-train's output is tested without training."""

    metrics_json: str

    def train(self, context: Any, *, group: str, hyperparameters: dict, work_dir: Path, **_):
        model_dir = Path(work_dir) / "model"
        card = ModelCard(
            kind="classifier", group=group, model_version=hyperparameters["model_version"]
        )
        write_card(model_dir, card, [LabelEntry(index=0, label=1, category="billing")])
        (model_dir / METRICS_FILE).write_text(self.metrics_json)
        return TrainingResult(model_dir=model_dir, metrics=json.loads(self.metrics_json))
