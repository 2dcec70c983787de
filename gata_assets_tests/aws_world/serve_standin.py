"""gata-serve started the way SageMaker starts the inference image, from a model in S3.

For an endpoint or a transform job SageMaker downloads the model's `ModelDataUrl`, unpacks
the tar.gz into `/opt/ml/model` and runs `docker run IMAGE serve` with the container's
Environment. `served_model_data` does the same on loopback: it unpacks the archive into a
temporary folder, runs the image's own `serve` script (`containers/inference/serve`) with
that Environment on a free 127.0.0.1 port and yields the base URL once `/ping` answers 200;
leaving the block kills the server and removes the folder. Only the container's filesystem
and network are redirected (SM_MODEL_DIR, SAGEMAKER_BIND_TO_PORT, GATA_SERVE_HOST), so what
runs is what the image runs. Test-side only: it never lives in the package.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import httpx

from gata_assets.resources.s3_artifact_store import split_s3_uri
from gata_assets_tests.serving_fixtures import free_port

SERVE = Path(__file__).resolve().parents[2] / "containers" / "inference" / "serve"


def _wait_ready(proc: subprocess.Popen, url: str, log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gata-serve exited {proc.returncode}: {log.read_text()[-2000:]}")
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(f"{url}/ping", timeout=1).status_code == 200:
                return
        time.sleep(0.2)
    raise TimeoutError(
        f"gata-serve did not answer /ping in {timeout:g} s: {log.read_text()[-2000:]}"
    )


@contextlib.contextmanager
def served_model_data(
    s3: Any,
    model_data_url: str,
    environment: Mapping[str, str] | None = None,
    timeout: float = 180,
) -> Iterator[str]:
    """Serve the model archive at `model_data_url` (read with the boto3 S3 client `s3`)
    with the container `environment`; yields `http://127.0.0.1:<port>`."""
    with tempfile.TemporaryDirectory(prefix="gata-standin-model-") as scratch:
        root = Path(scratch)
        bucket, key = split_s3_uri(model_data_url)
        s3.download_file(bucket, key, str(root / "model.tar.gz"))
        model = root / "model"
        with tarfile.open(root / "model.tar.gz") as archive:
            archive.extractall(model, filter="data")
        port, log = free_port(), root / "serve.log"
        env = {
            **os.environ,
            # The interpreter running the tests, whichever `gata-serve` PATH would find first.
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
            "HF_HUB_OFFLINE": "1",
            **(environment or {}),
            "SM_MODEL_DIR": str(model),
            "SAGEMAKER_BIND_TO_PORT": str(port),
            "GATA_SERVE_HOST": "127.0.0.1",
        }
        with log.open("wb") as out:
            proc = subprocess.Popen(
                [str(SERVE)], env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        try:
            url = f"http://127.0.0.1:{port}"
            _wait_ready(proc, url, log, timeout)
            yield url
        finally:
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=30)
