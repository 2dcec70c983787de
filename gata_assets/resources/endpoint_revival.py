"""Bring a local endpoint's gata-serve back when it dies, from the endpoint's own proxy.

A laptop endpoint has no orchestrator to restart a killed server: without this, the proxy
answers 502 until someone redeploys. The proxy is the one long-lived process per endpoint,
so it calls `revive_if_dead` every second. A restart starts the same models with the same
arguments on a fresh port, waits for /ping, and only then names it in the state file (which
the proxy follows). It runs under the endpoint's deploy lock, taken without waiting: while a
deploy or stop holds it, they decide what serves, and the watcher stays out of their way.
"""

import fcntl
import json
import logging
from datetime import UTC, datetime
from pathlib import Path

from gata_assets.resources import local_processes as procs

log = logging.getLogger("gata.proxy")
STARTUP_TIMEOUT_S = 180.0


def lock_path(state_path: Path) -> Path:
    """The lock file LocalDeployer takes for this endpoint (same name, same folder)."""
    return state_path.parent / f".{state_path.stem}.lock"


def revive_if_dead(state_path: Path) -> str | None:
    """Restart the recorded backend if its process is gone; what happened, or None."""
    backend = _backend(state_path)
    if backend is None or procs.is_ours(backend.get("pid")) or "args" not in backend:
        return None
    with lock_path(state_path).open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return None  # a deploy or stop is under way
        backend = _backend(state_path)  # what the lock holder may have changed
        if backend is None or procs.is_ours(backend.get("pid")) or "args" not in backend:
            return None
        return _restart(state_path, backend)


def _backend(state_path: Path) -> dict | None:
    try:
        return json.loads(state_path.read_text()).get("backend")
    except (OSError, ValueError):
        return None


def _restart(state_path: Path, backend: dict) -> str:
    procs.reap(backend.get("pid") or 0)  # our own child, if we restarted it before
    port = procs.free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = Path(backend["log"])
    args = [*backend["args"], "--host", "127.0.0.1", "--port", str(port)]
    proc = procs.spawn(procs.SERVE_MODULE, args, log_path)
    reason = procs.wait_ready(url, proc, log_path, STARTUP_TIMEOUT_S)
    if reason:
        procs.stop_group(proc.pid, timeout=5)
        return f"gata-serve pid {backend.get('pid')} died; restarting it failed: {reason}"
    state = json.loads(state_path.read_text())
    state["backend"] = {
        **backend,
        "url": url,
        "port": port,
        "pid": proc.pid,
        "restarts": int(backend.get("restarts", 0)) + 1,
        "restarted_at": datetime.now(UTC).isoformat(),
    }
    procs.write_json_atomic(state_path, state)
    return f"gata-serve pid {backend.get('pid')} died; restarted as pid {proc.pid} on {url}"
