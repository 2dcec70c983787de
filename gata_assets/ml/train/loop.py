"""The fine-tuning loop: epochs of steps, checkpoints, progress lines (the working set it steps
through: session.py; threads, device, schedule, progress counters: own modules).

Speed by default:
- dynamic padding over length-bucketed batches (see data.py);
- the word-embedding matrix frozen (`freeze_embeddings`): half of MiniLM's weights, no
  gradient or AdamW update for it, smaller checkpoints;
- on CPU, `torch.set_num_threads` sized to the cores this process may use
  (`os.sched_getaffinity`), one inter-op thread; fp32 (bf16 only when asked for);
- on CUDA, bf16 autocast (fp16 + grad scaling where bf16 is unsupported), TF32 matmuls.

Deterministic for a seed on CPU: weights init, batch order (a function of seed and epoch) and
dropout (torch RNG, saved in checkpoints) are all seeded, so a resumed job continues the same
trajectory.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gata_assets.ml.train.checkpoint import TrainState
from gata_assets.ml.train.data import Encoded, bucketed_batches, collate
from gata_assets.ml.train.device import Device
from gata_assets.ml.train.hyperparameters import Hyperparameters
from gata_assets.ml.train.progress import step_line
from gata_assets.ml.train.report import Reporter
from gata_assets.ml.train.schedule import learning_rate_at
from gata_assets.ml.train.session import Session, start
from gata_assets.ml.train.stop import StopRequested, StopSignal


@dataclass
class TrainingRun:
    model: Any
    state: TrainState
    device: Device
    threads: int
    padding_efficiency: float


def optimizer_step(session: Session, batch: dict[str, Any]) -> float:
    """One forward/backward/update on `batch`; the loss."""
    import torch

    hps, optimizer, scaler = session.hps, session.optimizer, session.scaler
    for group in optimizer.param_groups:
        group["lr"] = learning_rate_at(
            session.state.step, session.total_steps, session.warmup, group["peak_lr"]
        )
    with session.device.autocast():
        targets = batch.pop("labels")
        logits = session.model(**batch).logits
        loss = torch.nn.functional.cross_entropy(
            logits.float(), targets, label_smoothing=hps.label_smoothing
        )
    optimizer.zero_grad(set_to_none=True)
    scaler.scale(loss).backward()
    if hps.max_grad_norm > 0:
        scaler.unscale_(optimizer)
        torch.nn.utils.clip_grad_norm_(session.trainable, hps.max_grad_norm)
    scaler.step(optimizer)
    scaler.update()
    return float(loss.detach())


def run_epoch(
    session: Session,
    epoch: int,
    train_data: Encoded,
    pad_id: int,
    reporter: Reporter,
    stop: StopSignal,
) -> float | None:
    """Train the rest of `epoch` (all of it unless resumed mid-epoch); its mean loss."""
    hps, state, progress = session.hps, session.state, session.progress
    lengths = train_data.lengths
    batches = bucketed_batches(lengths, hps.batch_size, hps.seed, epoch, hps.bucket_batches)
    session.model.train()
    epoch_loss, epoch_steps = 0.0, 0
    for position in range(state.batch_in_epoch, len(batches)):
        index = batches[position]
        step_started = time.perf_counter()
        batch = collate(train_data, index, pad_id, session.device.device)
        progress.real_tokens += int(lengths[index].sum())
        progress.padded_tokens += int(batch["input_ids"].numel())
        value = optimizer_step(session, batch)
        if session.tuner is not None:
            message = session.tuner.record(
                time.perf_counter() - step_started, batch["input_ids"].numel()
            )
            if message:
                reporter.info(message)
        state.step += 1
        state.batch_in_epoch = position + 1
        state.samples_seen += len(index)
        state.last_loss = value
        progress.record_step(value, len(index))
        epoch_loss += value
        epoch_steps += 1

        if stop.requested:
            session.checkpoint()
            raise StopRequested(stop.received or "signal", state.step)
        due = hps.checkpoint_steps > 0 and state.step % hps.checkpoint_steps == 0
        if due and position + 1 < len(batches):
            session.checkpoint()
        now = time.perf_counter()
        line = progress.window_line(now, hps.log_every_seconds, session.total_steps - state.step)
        if line:
            reporter.info(step_line(epoch + 1, hps.epochs, state.step, session.total_steps, line))
    return epoch_loss / epoch_steps if epoch_steps else None


def end_epoch(session: Session, epoch: int, mean_loss: float | None, reporter: Reporter) -> None:
    """Record the epoch in the history, checkpoint at its boundary, say how it went."""
    state, progress = session.state, session.progress
    state.epoch = epoch + 1
    state.batch_in_epoch = 0
    now = time.perf_counter()
    state.history.append(
        {
            "epoch": epoch + 1,
            "step": state.step,
            "loss": mean_loss,
            "elapsed_seconds": round(progress.elapsed(now), 3),
        }
    )
    session.checkpoint()
    loss_text = f"{mean_loss:.4f}" if mean_loss is not None else "n/a"
    reporter.info(
        f"epoch {epoch + 1}/{session.hps.epochs} done: step {state.step}/{session.total_steps} "
        f"loss {loss_text} {progress.rate(now):.1f} samples/s"
    )


def train_model(
    *,
    model: Any,
    train_data: Encoded,
    hps: Hyperparameters,
    checkpoint_dir: Path,
    fingerprint: dict[str, Any],
    pad_id: int,
    device: Device,
    reporter: Reporter,
    stop: StopSignal,
    on_checkpoint: Callable[[Path], None] | None = None,
) -> TrainingRun:
    import torch

    session = start(
        model, train_data, hps, checkpoint_dir, fingerprint, device, reporter, on_checkpoint
    )
    for epoch in range(session.state.epoch, hps.epochs):
        mean_loss = run_epoch(session, epoch, train_data, pad_id, reporter, stop)
        end_epoch(session, epoch, mean_loss, reporter)
    session.state.elapsed_seconds = session.progress.elapsed()
    tuner = session.tuner
    threads = tuner.current if tuner is not None else torch.get_num_threads()
    return TrainingRun(model, session.state, device, threads, session.progress.padding_efficiency())
