"""One local endpoint's moving parts: its gata-serve backend and the proxy in front of it.

A backend is started on a fresh port and must pass /ping and a smoke prediction before
anyone routes to it; the endpoint's proxy (its stable address) follows the endpoint's state
file, and the old backend is stopped only once the proxy reports no request in flight to
it. `local_deployer.py` decides when; these functions only do it, for one endpoint each.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from gata_assets.resources import local_processes as procs
from gata_assets.resources.deployer import DeploymentError, EndpointUnit


def serve_args(unit: EndpointUnit, models: Path) -> list[str]:
    """gata-serve's model arguments: the router pair, or one model directory."""
    if unit.is_router:
        args = ["--general", str(models / "general"), "--low-volume", str(models / "low_volume")]
    else:
        args = ["--model-dir", str(models / unit.role)]
    return [*args, "--min-confidence", str(unit.min_confidence)]


def start_backend(
    unit: EndpointUnit, models: Path, folder: Path, timeout_s: float, log: Any
) -> dict[str, Any]:
    """A healthy gata-serve for `unit` (models under `models`), or DeploymentError."""
    port = procs.free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = folder / "logs" / f"serve-{unit.tag()}-{port}.log"
    # Recorded without host and port, so the proxy can restart it elsewhere if it dies.
    args = serve_args(unit, models)
    where = ["--host", "127.0.0.1", "--port", str(port)]
    proc = procs.spawn(procs.SERVE_MODULE, [*args, *where], log_path)
    log.info(f"{unit.name}: started gata-serve pid {proc.pid} on {url}; waiting for /ping")
    reason = procs.wait_ready(url, proc, log_path, timeout_s)
    reason = reason or procs.smoke_test(url)
    if reason:
        procs.stop_group(proc.pid, timeout=5)
        raise DeploymentError(reason)
    return {
        "url": url,
        "port": port,
        "pid": proc.pid,
        "log": str(log_path),
        "model_dir": str(models),
        "args": args,
        "model_versions": unit.versions(),
        "tag": unit.tag(),
        "started_at": datetime.now(UTC).isoformat(),
    }


def ensure_proxy(state_path: Path, state: dict[str, Any], folder: Path) -> dict[str, Any]:
    """The endpoint's proxy, started (on its old port when free) unless it runs."""
    proxy = state.get("proxy") or {}
    if procs.is_ours(proxy.get("pid")):
        return proxy
    port = proxy.get("port")
    port = port if port and procs.port_is_free(port) else procs.free_port()
    log_path = folder / "logs" / "proxy.log"
    args = ["--state", str(state_path), "--port", str(port), "--revive"]
    proc = procs.spawn(procs.PROXY_MODULE, args, log_path)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and procs.proxy_backend(url) is None:
        if proc.poll() is not None:
            raise DeploymentError(f"proxy exited: {procs.log_tail(log_path)}")
        time.sleep(0.1)
    return {"pid": proc.pid, "port": port, "url": url}


def switch(state: dict[str, Any], new: dict[str, Any], drain_timeout_s: float, log: Any) -> None:
    """Wait until the proxy routes to `new`, then drain and stop the old backend."""
    proxy_url, old = state["proxy"]["url"], state.get("previous")
    deadline = time.monotonic() + 10
    while procs.proxy_backend(proxy_url) != new["url"]:
        if time.monotonic() > deadline:
            raise DeploymentError(f"proxy {proxy_url} did not switch to {new['url']}")
        time.sleep(0.05)
    if not old or old["pid"] == new["pid"]:
        return
    deadline = time.monotonic() + drain_timeout_s
    while procs.proxy_inflight(proxy_url, old["url"]) and time.monotonic() < deadline:
        time.sleep(0.05)
    procs.stop_group(old["pid"])
    log.info(f"stopped previous gata-serve pid {old['pid']} ({old['url']})")
