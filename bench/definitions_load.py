"""Benchmark: time to load gata's Dagster definitions vs a bare `import dagster`.

Each sample is a fresh interpreter (what the webserver, daemon and every run worker pay).
Target from the foundation issue: loading gata_assets.definitions within about 1.5x of
`import dagster`.

    python bench/definitions_load.py --repeat 7
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys

PROBES = {
    "import dagster": "import dagster",
    "load gata_assets.definitions": "import gata_assets.definitions as d; d.defs()",
}


def sample(code: str) -> float:
    timed = f"import time; t = time.perf_counter(); {code}; print(time.perf_counter() - t)"
    out = subprocess.run([sys.executable, "-c", timed], capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    sample(PROBES["load gata_assets.definitions"])  # warm the bytecode cache
    medians = {}
    for name, code in PROBES.items():
        medians[name] = statistics.median(sample(code) for _ in range(args.repeat))
        print(f"{name:32s} median {medians[name] * 1000:7.1f} ms over {args.repeat} runs")
    ratio = medians["load gata_assets.definitions"] / medians["import dagster"]
    print(f"{'ratio':32s} {ratio:.2f}x (target <= 1.5x)")


if __name__ == "__main__":
    main()
