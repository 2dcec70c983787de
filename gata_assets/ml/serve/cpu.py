"""What this CPU can do for inference: usable cores and the fastest safe precision.

Inference threads follow the CPUs this process may actually use (its affinity mask), not
the host's core count: containers and shared machines see more cores than they get.

Precision "auto" picks bfloat16 only where the CPU computes it natively (AMX or AVX-512
BF16, e.g. Sapphire Rapids, the kind of host SageMaker serverless and this project's
machines run on); elsewhere bf16 is emulated and slower than float32. On the serving
benchmark's model bf16 kept accuracy identical (0.980 vs 0.980) at ~2.3x the speed, while
int8 dynamic quantization lost 2.5 points, so int8 is opt-in only.
"""

import os
from pathlib import Path

PRECISIONS = ("auto", "float32", "bfloat16", "int8")


def usable_cpus() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def native_bf16() -> bool:
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return False
    return "amx_bf16" in flags or "avx512_bf16" in flags


def resolve_precision(requested: str) -> str:
    """`requested` made concrete: float32, bfloat16 or int8."""
    if requested not in PRECISIONS:
        raise ValueError(f"precision must be one of {', '.join(PRECISIONS)}, not {requested!r}")
    if requested == "auto":
        return "bfloat16" if native_bf16() else "float32"
    return requested
