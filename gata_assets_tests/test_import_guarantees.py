"""Loading the definitions stays light, and the pure layers stay free of Dagster.

Checked in a fresh interpreter each, since this test process has long imported everything.
Import *time* is measured by bench/definitions_load.py, not here.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

# matplotlib: only a model asset writing its report draws a chart (ml/model_report.py).
# mlflow: only with GATA_MLFLOW_TRACKING_URI, and then only inside the calls that log.
HEAVY = [
    *["torch", "transformers", "sklearn", "pandas", "pyarrow", "boto3", "fastapi", "uvicorn"],
    *["matplotlib", "mlflow"],
]
PACKAGE = Path(__file__).resolve().parents[1] / "gata_assets"


def modules_after(code: str) -> set[str]:
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def test_loading_definitions_imports_no_heavy_library():
    loaded = modules_after("import gata_assets.definitions as d; d.defs()")
    assert [m for m in HEAVY if m in loaded] == []


def test_mlflow_on_still_loads_without_importing_mlflow(tmp_path):
    env = {
        "GATA_MLFLOW_TRACKING_URI": f"sqlite:///{tmp_path / 'mlflow.db'}",
        "GATA_REGISTRY": "mlflow",
    }
    setup = f"import os; os.environ.update({env!r}); os.environ['GATA_HOME'] = {str(tmp_path)!r}"
    loaded = modules_after(f"{setup}\nimport gata_assets.definitions as d; d.defs()")
    assert [m for m in HEAVY if m in loaded] == []
    assert not (tmp_path / "mlflow.db").exists()  # nothing connected while loading


@pytest.mark.parametrize("layer", ["core", "ml"])
def test_pure_layers_do_not_import_dagster(layer):
    modules = sorted(
        f"gata_assets.{layer}." + ".".join(p.relative_to(PACKAGE / layer).with_suffix("").parts)
        for p in (PACKAGE / layer).rglob("*.py")
        if p.name != "__init__.py"
    )
    loaded = modules_after("\n".join(f"import {m}" for m in modules))
    assert "dagster" not in loaded, f"{layer}/ pulled in dagster"
