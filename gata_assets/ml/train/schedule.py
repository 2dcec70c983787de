"""The optimizer and its learning-rate schedule, kept apart from the loop that steps them.

AdamW with per-group peak rates (the new head learns faster than the encoder) and a
linear warmup/decay schedule that is a pure function of the step, so a resumed job picks up
the exact rate it left off at.
"""

from __future__ import annotations

from typing import Any

from gata_assets.ml.train.hyperparameters import Hyperparameters


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
