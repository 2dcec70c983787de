"""Local endpoints: gata-serve processes on 127.0.0.1 behind a per-endpoint proxy.

Blue/green, so a redeploy drops no request: the new version starts on a fresh port and must
pass /ping and a smoke prediction before it is named in the state file; the endpoint's
proxy (the stable address) follows the file; the old server is stopped only once the proxy
reports no request in flight to it. A new version that fails is killed, its model copy
removed, and the state file never touched, so the old one keeps serving.

The resource is frozen; all knowledge of running endpoints lives in
`$GATA_HOME/endpoints/<name>.json` (replaced atomically), which `gata endpoints` reads too.
"""

import contextlib
import fcntl
import json
import re
import shutil
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from gata_assets.resources import local_processes as procs
from gata_assets.resources.artifact_store import ArtifactStore
from gata_assets.resources.deployer import MODEL_ROLES, Deployer, DeploymentError, EndpointSpec


class LocalDeployer(Deployer):
    home: str
    startup_timeout_s: float = 180.0
    drain_timeout_s: float = 30.0

    def _dir(self, name: str) -> Path:
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]{0,62}", name):
            raise ValueError(f"endpoint name {name!r}: use letters, digits, '-' and '_'")
        return Path(self.home) / "endpoints"

    def _state_path(self, name: str) -> Path:
        return self._dir(name) / f"{name}.json"

    def read_state(self, name: str) -> dict[str, Any] | None:
        path = self._state_path(name)
        return json.loads(path.read_text()) if path.is_file() else None

    @contextlib.contextmanager
    def _lock(self, name: str) -> Iterator[None]:
        """One deploy or stop per endpoint at a time, across processes."""
        path = self._dir(name) / f".{name}.lock"
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            yield

    def _fetch(self, spec: EndpointSpec, store: ArtifactStore) -> Path:
        root = self._dir(spec.name) / spec.name / "models" / spec.tag()
        if not (root / ".complete").is_file():
            staging = root.with_name(f".{root.name}.{uuid.uuid4().hex}")
            try:
                for role in MODEL_ROLES:
                    store.get_dir(spec.models[role].uri, staging / role)
                (staging / ".complete").touch()
            except BaseException:
                shutil.rmtree(staging, ignore_errors=True)  # a half copy is never reused
                raise
            shutil.rmtree(root, ignore_errors=True)
            staging.rename(root)
        return root

    def _start_backend(self, spec: EndpointSpec, models: Path, log: Any) -> dict[str, Any]:
        port = procs.free_port()
        url = f"http://127.0.0.1:{port}"
        log_path = self._dir(spec.name) / spec.name / "logs" / f"serve-{spec.tag()}-{port}.log"
        # Recorded without host and port, so the proxy can restart it elsewhere if it dies.
        args = ["--general", str(models / "general"), "--low-volume", str(models / "low_volume")]
        args += ["--min-confidence", str(spec.min_confidence)]
        where = ["--host", "127.0.0.1", "--port", str(port)]
        proc = procs.spawn(procs.SERVE_MODULE, [*args, *where], log_path)
        log.info(f"started gata-serve pid {proc.pid} on {url}; waiting for /ping")
        reason = procs.wait_ready(url, proc, log_path, self.startup_timeout_s)
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
            "model_versions": spec.versions(),
            "tag": spec.tag(),
            "started_at": datetime.now(UTC).isoformat(),
        }

    def _ensure_proxy(self, name: str, state: dict[str, Any]) -> dict[str, Any]:
        proxy = state.get("proxy") or {}
        if procs.is_ours(proxy.get("pid")):
            return proxy
        port = proxy.get("port")
        port = port if port and procs.port_is_free(port) else procs.free_port()
        log_path = self._dir(name) / name / "logs" / "proxy.log"
        args = ["--state", str(self._state_path(name)), "--port", str(port), "--revive"]
        proc = procs.spawn(procs.PROXY_MODULE, args, log_path)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and procs.proxy_backend(url) is None:
            if proc.poll() is not None:
                raise DeploymentError(f"proxy exited: {procs.log_tail(log_path)}")
            time.sleep(0.1)
        return {"pid": proc.pid, "port": port, "url": url}

    def _switch(self, state: dict[str, Any], new: dict[str, Any], log: Any) -> None:
        """Wait until the proxy routes to `new`, then drain and stop the old backend."""
        proxy_url, old = state["proxy"]["url"], state.get("previous")
        deadline = time.monotonic() + 10
        while procs.proxy_backend(proxy_url) != new["url"]:
            if time.monotonic() > deadline:
                raise DeploymentError(f"proxy {proxy_url} did not switch to {new['url']}")
            time.sleep(0.05)
        if not old or old["pid"] == new["pid"]:
            return
        deadline = time.monotonic() + self.drain_timeout_s
        while procs.proxy_inflight(proxy_url, old["url"]) and time.monotonic() < deadline:
            time.sleep(0.05)
        procs.stop_group(old["pid"])
        log.info(f"stopped previous gata-serve pid {old['pid']} ({old['url']})")

    def deploy(self, spec: EndpointSpec, store: ArtifactStore, log: Any) -> dict[str, Any]:
        with self._lock(spec.name):
            models = self._fetch(spec, store)
            state = self.read_state(spec.name) or {"name": spec.name}
            serving = state.get("backend")
            try:
                backend = self._start_backend(spec, models, log)
            except DeploymentError as error:
                self._discard_unserved(models, state)
                still = (
                    f"{serving['url']} ({serving['model_versions']}) keeps serving"
                    if serving and procs.is_ours(serving["pid"])
                    else "nothing was serving"
                )
                raise DeploymentError(
                    f"new version {spec.versions()} failed its health check: {error}; {still}"
                ) from None
            state = {
                **state,
                "backend": backend,
                "previous": serving,
                "updated_at": datetime.now(UTC).isoformat(),
            }
            procs.write_json_atomic(self._state_path(spec.name), state)
            state["proxy"] = self._ensure_proxy(spec.name, state)
            state["url"] = state["proxy"]["url"]
            procs.write_json_atomic(self._state_path(spec.name), state)
            self._switch(state, backend, log)
            state["previous"] = None
            procs.write_json_atomic(self._state_path(spec.name), state)
            self._prune_models(spec.name, keep=backend["tag"])
            return {
                "name": spec.name,
                "url": state["url"],
                "backend_url": backend["url"],
                "pid": backend["pid"],
                "proxy_pid": state["proxy"]["pid"],
                "model_versions": backend["model_versions"],
                "log": backend["log"],
            }

    @staticmethod
    def _discard_unserved(models: Path, state: dict[str, Any]) -> None:
        """A failed version's model copy (~180 MB) goes, unless a server still uses it: a
        failed redeploy of the version already serving must not pull its files away."""
        in_use = {(state.get(part) or {}).get("model_dir") for part in ("backend", "previous")}
        if str(models) not in in_use:
            shutil.rmtree(models, ignore_errors=True)

    def _prune_models(self, name: str, keep: str) -> None:
        for path in (self._dir(name) / name / "models").iterdir():
            if path.name != keep:
                shutil.rmtree(path, ignore_errors=True)

    def invoke(self, name: str, instances: list[dict[str, Any]]) -> dict[str, Any]:
        state = self.read_state(name)
        if not state or not state.get("url"):
            raise DeploymentError(f"endpoint {name} is not deployed here")
        return procs.post_instances(state["url"], instances)

    def status(self, name: str | None = None) -> list[dict[str, Any]]:
        folder = Path(self.home) / "endpoints"
        paths = [self._state_path(name)] if name else sorted(folder.glob("*.json"))
        return [procs.describe(json.loads(p.read_text())) for p in paths if p.is_file()]

    def stop(self, name: str) -> bool:
        with self._lock(name):
            state = self.read_state(name)
            if state is None:
                return False
            for part in ("backend", "previous", "proxy"):
                procs.stop_group((state.get(part) or {}).get("pid"))
            self._state_path(name).unlink()
            return True
