"""infra/README.md names only jobs, sensors and schedules that exist, with the status they
really start in: a user following it launches a real job and knows what already runs."""

from __future__ import annotations

import re
from pathlib import Path

import dagster as dg

from gata_assets.definitions import build_definitions
from gata_assets.settings import GataSettings

README = Path(__file__).resolve().parents[2] / "infra" / "README.md"


def table_names(text: str, header: str) -> set[str]:
    """First-column names (in backticks) of the markdown table whose header starts so."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip().startswith(f"| {header} |"))
    names = set()
    for line in lines[start + 2 :]:
        if not line.lstrip().startswith("|"):
            break
        names |= set(re.findall(r"`([a-z_]+)`", line.split("|")[1]))
    return names


def test_every_job_the_readme_names_exists(tmp_path):
    defs = build_definitions(GataSettings.from_env({"GATA_HOME": str(tmp_path)}))
    text = README.read_text()
    jobs = table_names(text, "Job")
    assert jobs == {"retrain", "refresh_extract", "redeploy", "promote_prod", "batch_inference"}
    for name in jobs:
        assert defs.resolve_job_def(name).name == name
    launched = set(re.findall(r"[Ll]aunch(?:es)? \*\*`([a-z_]+)`\*\*", text))
    assert launched and launched <= jobs, launched
    assert "gata_main" not in text


def test_what_runs_by_default_is_what_the_readme_says(tmp_path):
    # As the Terraform deployment configures gata: with the approval queue (ecs.tf sets it).
    queue = "https://sqs.eu-west-1.amazonaws.com/123456789012/gata-approvals"
    env = {"GATA_HOME": str(tmp_path), "GATA_APPROVAL_QUEUE_URL": queue}
    defs = build_definitions(GataSettings.from_env(env))
    named = table_names(README.read_text(), "Name")
    sensors = {s.name: s for s in defs.sensors}
    schedules = {s.name: s for s in defs.schedules}
    assert named == set(sensors) | set(schedules)
    assert all(s.default_status == dg.DefaultSensorStatus.RUNNING for s in sensors.values())
    assert all(s.default_status == dg.DefaultScheduleStatus.RUNNING for s in schedules.values())
    assert "default status\n  RUNNING" in README.read_text()
