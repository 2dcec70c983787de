"""The fine-tuning loop: steps, checkpoints, progress (threads, device, schedule: own modules).

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

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gata_assets.ml.train.checkpoint import (
    TrainState,
    find_checkpoint,
    restore_checkpoint,
    save_checkpoint,
)
from gata_assets.ml.train.data import Encoded, bucketed_batches, collate
from gata_assets.ml.train.device import Device
from gata_assets.ml.train.hyperparameters import Hyperparameters
from gata_assets.ml.train.report import Reporter
from gata_assets.ml.train.schedule import build_optimizer, learning_rate_at
from gata_assets.ml.train.stop import StopRequested, StopSignal
from gata_assets.ml.train.threads import ThreadTuner, available_cores


def _duration(seconds: float) -> str:
    seconds = max(0, int(seconds))
    return f"{seconds // 60}m{seconds % 60:02d}s" if seconds >= 60 else f"{seconds}s"


@dataclass
class TrainingRun:
    model: Any
    state: TrainState
    device: Device
    threads: int
    padding_efficiency: float


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

    model.to(device.device)
    optimizer = build_optimizer(model, hps)
    scaler = torch.amp.GradScaler(device.device.type, enabled=device.use_scaler)
    lengths = train_data.lengths
    per_epoch = math.ceil(len(train_data) / hps.batch_size)
    total_steps = per_epoch * hps.epochs
    warmup = round(hps.warmup_ratio * total_steps)

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

    def checkpoint() -> None:
        state.elapsed_seconds = elapsed_before + (time.perf_counter() - started)
        path = save_checkpoint(checkpoint_dir, model, optimizer, scaler, state)
        if on_checkpoint is not None:
            on_checkpoint(path)

    elapsed_before = state.elapsed_seconds
    started = last_log = time.perf_counter()
    steps_here = samples_here = 0
    real_tokens = padded_tokens = 0
    window_loss, window_steps = 0.0, 0
    trainable = [p for p in model.parameters() if p.requires_grad]
    tuner = ThreadTuner(hps.num_threads, available_cores()) if device.device.type == "cpu" else None

    for epoch in range(state.epoch, hps.epochs):
        batches = bucketed_batches(lengths, hps.batch_size, hps.seed, epoch, hps.bucket_batches)
        model.train()
        epoch_loss, epoch_steps = 0.0, 0
        for position in range(state.batch_in_epoch, len(batches)):
            index = batches[position]
            step_started = time.perf_counter()
            batch = collate(train_data, index, pad_id, device.device)
            real_tokens += int(lengths[index].sum())
            padded_tokens += int(batch["input_ids"].numel())
            for group in optimizer.param_groups:
                group["lr"] = learning_rate_at(state.step, total_steps, warmup, group["peak_lr"])
            with device.autocast():
                targets = batch.pop("labels")
                logits = model(**batch).logits
                loss = torch.nn.functional.cross_entropy(
                    logits.float(), targets, label_smoothing=hps.label_smoothing
                )
            optimizer.zero_grad(set_to_none=True)
            scaler.scale(loss).backward()
            if hps.max_grad_norm > 0:
                scaler.unscale_(optimizer)
                torch.nn.utils.clip_grad_norm_(trainable, hps.max_grad_norm)
            scaler.step(optimizer)
            scaler.update()

            value = float(loss.detach())
            if tuner is not None:
                message = tuner.record(
                    time.perf_counter() - step_started, batch["input_ids"].numel()
                )
                if message:
                    reporter.info(message)
            state.step += 1
            state.batch_in_epoch = position + 1
            state.samples_seen += len(index)
            state.last_loss = value
            steps_here += 1
            samples_here += len(index)
            epoch_loss += value
            epoch_steps += 1
            window_loss += value
            window_steps += 1

            if stop.requested:
                checkpoint()
                raise StopRequested(stop.received or "signal", state.step)
            if (
                hps.checkpoint_steps > 0
                and state.step % hps.checkpoint_steps == 0
                and position + 1 < len(batches)
            ):
                checkpoint()
            now = time.perf_counter()
            if now - last_log >= hps.log_every_seconds:
                rate = samples_here / (now - started)
                eta = (total_steps - state.step) * (now - started) / steps_here
                reporter.info(
                    f"epoch {epoch + 1}/{hps.epochs} step {state.step}/{total_steps} "
                    f"loss {window_loss / window_steps:.4f} {rate:.1f} samples/s "
                    f"eta {_duration(eta)}"
                )
                last_log, window_loss, window_steps = now, 0.0, 0

        state.epoch = epoch + 1
        state.batch_in_epoch = 0
        now = time.perf_counter()
        mean_loss = epoch_loss / epoch_steps if epoch_steps else None
        state.history.append(
            {
                "epoch": epoch + 1,
                "step": state.step,
                "loss": mean_loss,
                "elapsed_seconds": round(elapsed_before + now - started, 3),
            }
        )
        checkpoint()
        rate = samples_here / (now - started) if steps_here else 0.0
        loss_text = f"{mean_loss:.4f}" if mean_loss is not None else "n/a"
        reporter.info(
            f"epoch {epoch + 1}/{hps.epochs} done: step {state.step}/{total_steps} "
            f"loss {loss_text} {rate:.1f} samples/s"
        )

    state.elapsed_seconds = elapsed_before + (time.perf_counter() - started)
    efficiency = real_tokens / padded_tokens if padded_tokens else 1.0
    threads = tuner.current if tuner is not None else torch.get_num_threads()
    return TrainingRun(model, state, device, threads, efficiency)
