"""Where and in what precision training runs, and the seeding that makes a CPU run repeatable.

On CUDA: bf16 autocast (fp16 + grad scaling where bf16 is unsupported), TF32 matmuls. On CPU:
fp32 (bf16 only when asked for). Weights init, batch order and dropout are all seeded, so a
resumed job continues the same trajectory.
"""

from __future__ import annotations

import contextlib
import random
from dataclasses import dataclass
from typing import Any

import numpy as np


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
