"""Checkpoints that make spot training safe: save often, resume exactly, stop cleanly.

A checkpoint is a directory `step-00000123/` under the checkpoint dir (SageMaker syncs
`/opt/ml/checkpoints` to S3 and restores it into a restarted job):

    weights.safetensors     the trainable parameters (frozen ones come from the base model)
    optimizer.safetensors   AdamW moments, plus the torch (and CUDA) RNG state
    state.json              step, epoch, position in the epoch, elapsed time, optimizer
                            hyper-parameters, grad-scaler state, and a fingerprint of the
                            data and training hyperparameters

No pickle: tensors in safetensors, everything else JSON. A checkpoint is written into a
hidden `.partial` directory and renamed into place with `state.json` written last, so a
half-written one is never picked up; the two newest are kept. A checkpoint whose fingerprint
differs from the current job's (other data or hyperparameters) is ignored, not resumed.
After a failed job only the half-written ones of dead writers are deleted
(`remove_stale_partials`): the complete ones are what its retry resumes from; a finished
job's trainer removes the whole folder.

Stopping on SIGTERM / SIGINT (the flag the loop polls, exit 143): stop.py.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

log = logging.getLogger("gata.train")

WEIGHTS_FILE = "weights.safetensors"
OPTIMIZER_FILE = "optimizer.safetensors"
STATE_FILE = "state.json"
KEEP = 2


@dataclass
class TrainState:
    step: int = 0
    """Optimizer steps done, over all epochs."""
    epoch: int = 0
    """The epoch in progress (0-based)."""
    batch_in_epoch: int = 0
    """Batches of `epoch` already trained on."""
    elapsed_seconds: float = 0.0
    samples_seen: int = 0
    last_loss: float | None = None
    history: list[dict[str, Any]] = field(default_factory=list)
    fingerprint: dict[str, Any] = field(default_factory=dict)
    resumed_from_step: int | None = None


def _step_dirs(directory: Path) -> list[Path]:
    if not directory.is_dir():
        return []
    return sorted(
        (p for p in directory.glob("step-*") if p.is_dir() and (p / STATE_FILE).is_file()),
        reverse=True,
    )


def save_checkpoint(
    directory: Path, model: Any, optimizer: Any, scaler: Any, state: TrainState
) -> Path:
    import torch
    from safetensors.torch import save_file

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    name = f"step-{state.step:08d}"
    final = directory / name
    staging = directory / f".{name}.partial-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()

    weights = {
        n: p.detach().to("cpu").contiguous() for n, p in model.named_parameters() if p.requires_grad
    }
    save_file(weights, str(staging / WEIGHTS_FILE))

    optim = optimizer.state_dict()
    tensors: dict[str, Any] = {"rng.torch": torch.get_rng_state()}
    if torch.cuda.is_available():
        for i, rng in enumerate(torch.cuda.get_rng_state_all()):
            tensors[f"rng.cuda.{i}"] = rng
    scalars: dict[str, dict[str, Any]] = {}
    for index, entry in optim["state"].items():
        for key, value in entry.items():
            if isinstance(value, torch.Tensor):
                tensors[f"state.{index}.{key}"] = value.detach().to("cpu").contiguous()
            else:
                scalars.setdefault(str(index), {})[key] = value
    save_file(tensors, str(staging / OPTIMIZER_FILE))

    document = {
        "train_state": asdict(state),
        "param_groups": optim["param_groups"],
        "optimizer_scalars": scalars,
        "scaler": scaler.state_dict() if scaler is not None and scaler.is_enabled() else None,
        "format": 1,
    }
    (staging / STATE_FILE).write_text(json.dumps(document, indent=1, default=float))
    if final.exists():
        shutil.rmtree(final)
    os.replace(staging, final)
    for old in _step_dirs(directory)[KEEP:]:
        shutil.rmtree(old, ignore_errors=True)
    return final


def remove_stale_partials(directory: Path) -> list[Path]:
    """Delete the half-written checkpoints of processes that died while saving.

    Nothing resumes from a `.partial` folder (it may lack files), yet each is as large as a
    checkpoint. Complete checkpoints stay: the retry of a failed job resumes from them. A
    partial whose writer is still alive (the same job running elsewhere) is left alone.
    """
    removed = []
    for path in sorted(Path(directory).glob(".step-*.partial-*")):  # none if no directory
        pid = path.name.rpartition("-")[2]
        if not (pid.isdigit() and _alive(int(pid))):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


@dataclass(frozen=True)
class Checkpoint:
    path: Path
    state: TrainState
    document: dict[str, Any]


def find_checkpoint(directory: Path, fingerprint: dict[str, Any]) -> Checkpoint | None:
    """The newest complete checkpoint made for this same job, or None."""
    for path in _step_dirs(Path(directory)):
        try:
            document = json.loads((path / STATE_FILE).read_text())
            state = TrainState(**document["train_state"])
        except (OSError, ValueError, TypeError, KeyError) as error:
            log.warning("skipping unreadable checkpoint %s: %s", path.name, error)
            continue
        if state.fingerprint != fingerprint:
            log.warning(
                "ignoring checkpoint %s: it was made for other data or hyperparameters",
                path.name,
            )
            continue
        if not (path / WEIGHTS_FILE).is_file() or not (path / OPTIMIZER_FILE).is_file():
            log.warning("skipping incomplete checkpoint %s", path.name)
            continue
        return Checkpoint(path=path, state=state, document=document)
    return None


def restore_checkpoint(checkpoint: Checkpoint, model: Any, optimizer: Any, scaler: Any) -> None:
    import torch
    from safetensors.torch import load_file

    weights = load_file(str(checkpoint.path / WEIGHTS_FILE))
    trainable = {n for n, p in model.named_parameters() if p.requires_grad}
    missing = trainable - set(weights)
    if missing:
        raise ValueError(f"checkpoint {checkpoint.path} lacks {len(missing)} trainable tensors")
    with torch.no_grad():
        params = dict(model.named_parameters())
        for name, tensor in weights.items():
            params[name].copy_(tensor)

    tensors = load_file(str(checkpoint.path / OPTIMIZER_FILE))
    state: dict[int, dict[str, Any]] = {}
    for key, value in tensors.items():
        if key.startswith("state."):
            _, index, name = key.split(".", 2)
            state.setdefault(int(index), {})[name] = value
    for index, values in checkpoint.document.get("optimizer_scalars", {}).items():
        state.setdefault(int(index), {}).update(values)
    optimizer.load_state_dict({"state": state, "param_groups": checkpoint.document["param_groups"]})
    if scaler is not None and checkpoint.document.get("scaler"):
        scaler.load_state_dict(checkpoint.document["scaler"])
    torch.set_rng_state(tensors["rng.torch"])
    if torch.cuda.is_available():
        cuda_states = [tensors[k] for k in sorted(tensors) if k.startswith("rng.cuda.")]
        if len(cuda_states) == torch.cuda.device_count():
            torch.cuda.set_rng_state_all(cuda_states)
