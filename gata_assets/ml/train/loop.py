"""The fine-tuning loop: threads, device, autocast, schedule, checkpoints, progress.

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

import contextlib
import math
import os
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from gata_assets.ml.train.checkpoint import (
    StopRequested,
    StopSignal,
    TrainState,
    find_checkpoint,
    restore_checkpoint,
    save_checkpoint,
)
from gata_assets.ml.train.contract import Hyperparameters
from gata_assets.ml.train.data import Encoded, bucketed_batches, collate
from gata_assets.ml.train.report import Reporter


def available_cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def configure_threads(requested: int) -> int:
    import torch

    threads = requested if requested > 0 else available_cores()
    torch.set_num_threads(threads)
    with contextlib.suppress(RuntimeError):  # can only be set once per process
        torch.set_num_interop_threads(1)
    return threads


class ThreadTuner:
    """Picks the CPU thread count that trains fastest *now*, and re-checks as load changes.

    On a shared machine a thread that is not scheduled stalls every parallel region of the
    others: on 2 busy cores, 2 threads can run 5x slower than 1. So with `num_threads=0` the
    loop times a few steps at each candidate count (one, half the cores, all), keeps the fastest
    by padded tokens per second, and probes again after `reprobe_every` steps (doubling the
    interval while the answer stays the same). A candidate that is less than half as fast as
    the best seen is dropped after one step, so probing costs little. A fixed `num_threads`
    turns this off (bit-for-bit reproducible runs want a fixed count).
    """

    def __init__(
        self, fixed: int, cores: int, probe_steps: int = 3, reprobe_every: int = 100
    ) -> None:
        self.enabled = fixed <= 0 and cores > 1
        # Fewest threads first: on an idle machine one thread is at worst `cores` times slower
        # for a step, on a busy one all threads can be ten times slower.
        self.candidates = sorted({cores, max(1, cores // 2), 1})
        self.current = fixed if fixed > 0 else 1
        self.probe_steps = probe_steps
        self.base_interval = self.interval = reprobe_every
        self._queue: list[int] = list(self.candidates) if self.enabled else []
        self._samples: dict[int, list[float]] = {}
        self._since_probe = 0
        self._warmup = 1
        self._decided = False
        self.decisions: list[str] = []
        self._apply(self._queue[0] if self._queue else self.current)

    @staticmethod
    def _apply(threads: int) -> None:
        import torch

        if torch.get_num_threads() != threads:
            torch.set_num_threads(threads)

    def _next_candidate(self) -> str | None:
        self._queue.pop(0)
        if self._queue:
            self._apply(self._queue[0])
            return None
        return self._decide()

    def _decide(self) -> str | None:
        speeds = {c: float(np.median(r)) for c, r in self._samples.items()}
        best = max(speeds, key=lambda c: speeds[c])
        if best != self.current and speeds[best] < 1.1 * speeds.get(self.current, 0.0):
            best = self.current  # not worth switching for less than 10%
        previous, self.current = self.current, best
        self._apply(best)
        self._since_probe = 0
        changed = best != previous or not self._decided
        self.interval = self.base_interval if changed else self.interval * 2
        self._decided = True
        if not changed:
            return None
        shown = ", ".join(f"{c}: {speeds[c]:.0f}" for c in sorted(speeds))
        message = f"threads {previous} -> {best} (tokens/s by thread count: {shown})"
        self.decisions.append(message)
        return message

    def record(self, seconds: float, tokens: int) -> str | None:
        """After each step: returns a message when the choice changes."""
        if not self.enabled:
            return None
        if self._warmup > 0:
            self._warmup -= 1
            return None
        if not self._queue:
            self._since_probe += 1
            if self._since_probe >= self.interval:
                self._queue = [c for c in self.candidates if c != self.current] + [self.current]
                self._samples = {}
                self._apply(self._queue[0])
            return None
        rate = tokens / max(seconds, 1e-9)
        trying = self._queue[0]
        self._samples.setdefault(trying, []).append(rate)
        best_other = max((max(r) for c, r in self._samples.items() if c != trying), default=0.0)
        if rate < 0.5 * best_other or len(self._samples[trying]) >= self.probe_steps:
            return self._next_candidate()
        return None


@dataclass(frozen=True)
class Device:
    device: Any
    autocast_dtype: Any
    precision: str
    use_scaler: bool

    def autocast(self) -> Any:
        import torch

        if self.autocast_dtype is None:
            return contextlib.nullcontext()
        return torch.autocast(self.device.type, dtype=self.autocast_dtype)


def pick_device(precision: str) -> Device:
    import torch

    if torch.cuda.is_available():
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
        device = torch.device("cuda")
        if precision == "auto":
            precision = "bf16" if torch.cuda.is_bf16_supported() else "fp16"
    else:
        device = torch.device("cpu")
        if precision == "auto":
            precision = "fp32"
        if precision == "fp16":
            precision = "fp32"  # CPU fp16 autocast is slower than fp32
    dtype = {"bf16": torch.bfloat16, "fp16": torch.float16}.get(precision)
    return Device(device, dtype, precision, use_scaler=precision == "fp16")


def seed_everything(seed: int) -> None:
    import torch

    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


def learning_rate_at(step: int, total: int, warmup: int, peak: float) -> float:
    """Linear warmup to `peak`, then linear decay to 0 (a pure function of the step)."""
    if warmup > 0 and step < warmup:
        return peak * (step + 1) / warmup
    return peak * max(0.0, (total - step) / max(1, total - warmup))


# The sequence-classification heads transformers adds on top of a pretrained encoder.
HEAD_PREFIXES = ("classifier.", "pre_classifier.", "score.")


def build_optimizer(model: Any, hps: Hyperparameters) -> Any:
    """AdamW; no weight decay on biases and LayerNorm; the new head at `head_learning_rate`.

    Each group carries its `peak_lr`, which the schedule scales every step.
    """
    import torch

    groups: dict[tuple[bool, bool], list[Any]] = {}
    for name, param in model.named_parameters():
        if not param.requires_grad:
            continue
        head = name.startswith(HEAD_PREFIXES)
        decay = not (param.ndim < 2 or "LayerNorm" in name or "layer_norm" in name)
        groups.setdefault((head, decay), []).append(param)
    return torch.optim.AdamW(
        [
            {
                "params": params,
                "weight_decay": hps.weight_decay if decay else 0.0,
                "peak_lr": hps.head_learning_rate if head else hps.learning_rate,
            }
            for (head, decay), params in sorted(groups.items())
        ],
        lr=hps.learning_rate,
    )


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
