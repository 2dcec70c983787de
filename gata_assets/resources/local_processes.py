"""Background processes for local endpoints: spawn, health-check, drain, stop.

Servers are started in their own session (`start_new_session=True`) so they outlive the
Dagster step that deployed them and can be stopped as a whole process group later. Before
signalling a recorded pid we check it is still one of ours: pids get reused. httpx is
imported in the functions: the Dagster definitions import this module and must load fast.
"""

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

SERVE_MODULE = "gata_assets.ml.serve.entrypoint"
PROXY_MODULE = "gata_assets.ml.serve.proxy"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def spawn(module: str, args: list[str], log_path: Path) -> subprocess.Popen:
    log_path.parent.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    with log_path.open("ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", module, *args],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            env=env,
        )


def is_ours(pid: int | None) -> bool:
    """Alive and running one of gata's server modules (not a recycled pid)."""
    if not pid:
        return False
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return False
    return "gata_assets.ml.serve" in cmdline


def stop_group(pid: int | None, timeout: float = 30.0) -> bool:
    """SIGTERM the process group (graceful: in-flight requests finish), SIGKILL at timeout."""
    if not is_ours(pid):
        return False
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and is_ours(pid):
        reap(pid)
        time.sleep(0.1)
    if is_ours(pid):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)
    reap(pid)
    return True


def reap(pid: int) -> None:
    """Collect a child we spawned in this process, so it does not linger as a zombie."""
    with contextlib.suppress(ChildProcessError, OSError):
        os.waitpid(pid, os.WNOHANG)


def log_tail(path: Path, chars: int = 1500) -> str:
    return path.read_text(errors="replace")[-chars:] if path.is_file() else ""


def wait_ready(url: str, proc: subprocess.Popen, log_path: Path, timeout: float) -> str | None:
    """None once GET /ping is 200; otherwise the reason it never got there."""
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return f"exited with code {proc.returncode}: {log_tail(log_path)}"
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(f"{url}/ping", timeout=2).status_code == 200:
                return None
        time.sleep(0.25)
    return f"no healthy /ping within {timeout:.0f} s: {log_tail(log_path)}"


def smoke_test(url: str) -> str | None:
    """None if one known-shaped request gets one well-formed prediction back."""
    import httpx

    body = {"instances": [{"id": "smoke", "text": "gata deployment smoke test: printer jam"}]}
    try:
        reply = httpx.post(f"{url}/invocations", json=body, timeout=30)
    except httpx.TransportError as error:
        return f"smoke request failed: {error}"
    if reply.status_code != 200:
        return f"smoke request answered {reply.status_code}: {reply.text[:500]}"
    predictions = reply.json().get("predictions") or [{}]
    if predictions[0].get("id") != "smoke" or not predictions[0].get("category"):
        return f"smoke request got a malformed prediction: {reply.text[:500]}"
    return None


def write_json_atomic(path: Path, obj: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = path.with_name(f".{path.name}.{os.getpid()}.partial")
    staging.write_text(json.dumps(obj, indent=1, sort_keys=True))
    os.replace(staging, path)


def proxy_status(proxy_url: str) -> dict[str, Any] | None:
    import httpx

    with contextlib.suppress(httpx.TransportError, ValueError):
        reply = httpx.get(f"{proxy_url}/-/proxy", timeout=2)
        if reply.status_code == 200:
            return reply.json()
    return None


def proxy_backend(proxy_url: str) -> str | None:
    status = proxy_status(proxy_url)
    return status["backend"] if status else None


def proxy_inflight(proxy_url: str, backend_url: str) -> int:
    status = proxy_status(proxy_url)
    return int((status or {}).get("inflight", {}).get(backend_url, 0))


def post_instances(url: str, instances: list[dict[str, Any]]) -> dict[str, Any]:
    import httpx

    reply = httpx.post(f"{url}/invocations", json={"instances": instances}, timeout=60)
    if reply.status_code != 200:
        raise RuntimeError(f"{url} answered {reply.status_code}: {reply.text[:500]}")
    return reply.json()


def describe(state: dict[str, Any]) -> dict[str, Any]:
    """One status row: where it listens, whether it answers, which models it serves."""
    import httpx

    backend, proxy = state.get("backend") or {}, state.get("proxy") or {}
    healthy = False
    with contextlib.suppress(httpx.TransportError):
        healthy = httpx.get(f"{state.get('url')}/ping", timeout=2).status_code == 200
    return {
        "name": state.get("name"),
        "url": state.get("url"),
        "healthy": healthy,
        "backend_url": backend.get("url"),
        "pid": backend.get("pid"),
        "running": is_ours(backend.get("pid")),
        "restarts": backend.get("restarts", 0),
        "proxy_pid": proxy.get("pid"),
        "model_versions": backend.get("model_versions"),
        "updated_at": state.get("updated_at"),
    }
