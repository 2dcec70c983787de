"""`gata up` as a person runs it: a fresh home, one command, a summary, an endpoint to try.

The run trains real models on a few hundred sample tickets for one epoch each. The quality
gates are opened wide (a floor of 0, any margin over TF-IDF) because this tests what the
command shows and leaves behind, not how good a one-epoch model is; the gates themselves are
tested in gata_assets_tests/defs.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from gata_assets.cli.up_summary import SAMPLE_TICKET

GATA = str(Path(sys.executable).parent / "gata")


def clean_env(gata_home: Path, **settings: str) -> dict[str, str]:
    """This machine's environment without anyone's GATA_* or DAGSTER_* settings."""
    inherited = {k: v for k, v in os.environ.items() if not k.startswith(("GATA_", "DAGSTER_"))}
    return {**inherited, "GATA_HOME": str(gata_home), "GATA_SENSORS": "off", **settings}


def gata(env: dict[str, str], *args: str, timeout: float) -> subprocess.CompletedProcess:
    return subprocess.run(
        [GATA, *args], env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


@pytest.mark.slow
def test_gata_up_on_a_fresh_home_ends_with_a_summary_and_a_serving_endpoint(tmp_path):
    env = clean_env(
        tmp_path / "home",
        GATA_TRAIN_EPOCHS="1",
        GATA_TRAIN_LOW_VOLUME_EPOCHS="1",
        GATA_TRAIN_MIN_MACRO_F1="0",
        GATA_TRAIN_BASELINE_MARGIN="-1",
    )
    try:
        done = gata(env, "up", "--tickets", "400", timeout=900)
        out = done.stdout
        assert done.returncode == 0, out[-4000:] + done.stderr[-2000:]
        assert "▶ ticket_extract" in out and "✓ general_model succeeded" in out
        assert "TF-IDF macro-F1" in out
        assert re.search(r"general_model\s+│\s+0\.\d{4}\s+│\s+0\.\d{4}\s+│\s+\d\.\d{4}", out)
        assert "dagster dev -m gata_assets.definitions" in out
        log_path = Path(re.search(r"Full Dagster log: (\S+)", out)[1])
        assert "RUN_SUCCESS" in log_path.read_text()  # Dagster's own log went to the file
        assert "RUN_SUCCESS" not in out  # ... and not to the terminal

        url = re.search(r"Routing endpoint: (http://127\.0\.0\.1:\d+)", out)[1]
        assert f"curl -s -X POST {url}/invocations" in out
        answer = httpx.post(f"{url}/invocations", json={"instances": [{"text": SAMPLE_TICKET}]})
        assert answer.status_code == 200, answer.text
        [prediction] = answer.json()["predictions"]
        assert prediction["category"]
    finally:
        gata(env, "endpoints", "stop", timeout=120)


@pytest.mark.slow
def test_gata_up_that_fails_names_the_step_the_reason_and_the_log(tmp_path):
    env = clean_env(tmp_path / "home", GATA_TICKET_FILTER="queue=billing")
    done = gata(env, "up", "--tickets", "200", timeout=600)
    out = done.stdout
    assert done.returncode != 0
    assert "gata up failed." in out
    assert "failed step ticket_extract: table 'tickets' has no column 'queue'" in out
    log_path = Path(re.search(r"Full Dagster log: (\S+)", out)[1])
    assert "STEP_FAILURE" in log_path.read_text()
    status = gata(env, "endpoints", "status", "--json", timeout=120)
    assert json.loads(status.stdout or "[]") == []  # nothing was deployed
