"""One training process's working set: model, optimizer, schedule, resume point, counters.

`start` builds it (resuming from a checkpoint whose fingerprint matches, so a restarted job
continues where it stopped); the loop in `loop.py` only steps through it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gata_assets.ml.train.checkpoint import (
    TrainState,
    find_checkpoint,
    restore_checkpoint,
    save_checkpoint,
)
from gata_assets.ml.train.data import Encoded
from gata_assets.ml.train.device import Device
from gata_assets.ml.train.hyperparameters import Hyperparameters
from gata_assets.ml.train.progress import Progress
from gata_assets.ml.train.report import Reporter
from gata_assets.ml.train.schedule import build_optimizer
from gata_assets.ml.train.threads import ThreadTuner, available_cores


@dataclass
class Session:
    """Everything one training process works with, built once by `start`."""

    model: Any
    optimizer: Any
    scaler: Any
    state: TrainState
    hps: Hyperparameters
    device: Device
    checkpoint_dir: Path
    total_steps: int
    warmup: int
    progress: Progress
    on_checkpoint: Callable[[Path], None] | None = None
    tuner: ThreadTuner | None = None
    trainable: list[Any] = field(default_factory=list)

    def checkpoint(self) -> None:
        self.state.elapsed_seconds = self.progress.elapsed()
        path = save_checkpoint(
            self.checkpoint_dir, self.model, self.optimizer, self.scaler, self.state
        )
        if self.on_checkpoint is not None:
            self.on_checkpoint(path)


def start(
    model: Any,
    train_data: Encoded,
    hps: Hyperparameters,
    checkpoint_dir: Path,
    fingerprint: dict[str, Any],
    device: Device,
    reporter: Reporter,
    on_checkpoint: Callable[[Path], None] | None,
) -> Session:
    """Optimizer and schedule, resumed from a matching checkpoint when there is one."""
    import torch

    model.to(device.device)
    optimizer = build_optimizer(model, hps)
    scaler = torch.amp.GradScaler(device.device.type, enabled=device.use_scaler)
    total_steps = math.ceil(len(train_data) / hps.batch_size) * hps.epochs
    state = TrainState(fingerprint=fingerprint)
    found = find_checkpoint(checkpoint_dir, fingerprint)
    if found is not None:
        restore_checkpoint(found, model, optimizer, scaler)
        state = found.state
        state.resumed_from_step = state.step
        reporter.info(
            f"resumed from checkpoint {found.path.name} at step {state.step}/{total_steps} "
            f"(epoch {state.epoch + 1}, batch {state.batch_in_epoch})"
        )
    on_cpu = device.device.type == "cpu"
    return Session(
        model=model,
        optimizer=optimizer,
        scaler=scaler,
        state=state,
        hps=hps,
        device=device,
        checkpoint_dir=checkpoint_dir,
        total_steps=total_steps,
        warmup=round(hps.warmup_ratio * total_steps),
        progress=Progress(elapsed_before=state.elapsed_seconds),
        on_checkpoint=on_checkpoint,
        tuner=ThreadTuner(hps.num_threads, available_cores()) if on_cpu else None,
        trainable=[p for p in model.parameters() if p.requires_grad],
    )
