"""The inference image's `serve` command, run on this machine the way SageMaker runs it.

No Docker here, so the script itself is exercised: the `serve` argument, the model from
SM_MODEL_DIR and the port from SAGEMAKER_BIND_TO_PORT (the host is overridden to loopback;
in the image it is 0.0.0.0).
"""

import os
import signal
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from gata_assets_tests.serving_fixtures import free_port, session_models

SERVE = Path(__file__).resolve().parents[2] / "containers" / "inference" / "serve"


@pytest.mark.slow
def test_serve_script_follows_the_sagemaker_contract(tmp_path_factory, tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "SM_MODEL_DIR": str(session_models(tmp_path_factory).fallback),
        "SAGEMAKER_BIND_TO_PORT": str(port),
        "GATA_SERVE_HOST": "127.0.0.1",
    }
    log = (tmp_path / "serve.log").open("wb")
    proc = subprocess.Popen(
        [str(SERVE)], env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        url, deadline = f"http://127.0.0.1:{port}", time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/ping", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                assert proc.poll() is None, (tmp_path / "serve.log").read_text()
            time.sleep(0.2)
        reply = httpx.post(f"{url}/invocations", json={"text": "anything"}, timeout=10)
        assert reply.json()["predictions"][0]["category"] == "triage"
        os.killpg(proc.pid, signal.SIGTERM)
        assert proc.wait(timeout=30) in (0, -signal.SIGTERM)  # exec: the signal reached it
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
