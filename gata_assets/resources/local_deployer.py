"""Local endpoints: gata-serve processes on 127.0.0.1, each behind a per-endpoint proxy.

Blue/green, so a redeploy drops no request: each new version starts on a fresh port and
must pass /ping and a smoke prediction before it is named in the state file; the
endpoint's proxy (the stable address) follows the file; the old server is stopped only once
the proxy reports no request in flight to it (`local_backend.py`). With one endpoint per
model, every new server is started and checked before any proxy switches: if one fails,
all new ones are killed, their model copies removed and no state file touched, so the old
pair keeps serving together.

The resource is frozen; all knowledge of running endpoints lives in
`$GATA_HOME/endpoints/<name>.json` (replaced atomically), which `gata endpoints` reads too.
"""

import contextlib
import fcntl
import json
import re
import shutil
import uuid
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from gata_assets.resources import local_backend
from gata_assets.resources import local_processes as procs
from gata_assets.resources.artifact_store import ArtifactStore
from gata_assets.resources.deployer import (
    ROUTER,
    Deployer,
    DeploymentError,
    EndpointNotFound,
    EndpointSpec,
    EndpointUnit,
    layout_names,
)


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

    def _folder(self, name: str) -> Path:
        return self._dir(name) / name

    def read_state(self, name: str) -> dict[str, Any] | None:
        path = self._state_path(name)
        return json.loads(path.read_text()) if path.is_file() else None

    @contextlib.contextmanager
    def _locks(self, names: Iterable[str]) -> Iterator[None]:
        """One deploy or stop per endpoint at a time, across processes; taken in name order,
        so two deployments of overlapping endpoints cannot wait on each other."""
        with contextlib.ExitStack() as stack:
            for name in sorted(set(names)):
                path = self._dir(name) / f".{name}.lock"
                path.parent.mkdir(parents=True, exist_ok=True)
                handle = stack.enter_context(path.open("w"))
                fcntl.flock(handle, fcntl.LOCK_EX)
            yield

    def _fetch(self, unit: EndpointUnit, store: ArtifactStore) -> Path:
        root = self._folder(unit.name) / "models" / unit.tag()
        if not (root / ".complete").is_file():
            staging = root.with_name(f".{root.name}.{uuid.uuid4().hex}")
            try:
                for role, model in unit.models.items():
                    store.get_dir(model.uri, staging / role)
                (staging / ".complete").touch()
            except BaseException:
                shutil.rmtree(staging, ignore_errors=True)  # a half copy is never reused
                raise
            shutil.rmtree(root, ignore_errors=True)
            staging.rename(root)
        return root

    def _still_serving(self, units: list[EndpointUnit]) -> str:
        serving = [(self.read_state(unit.name) or {}).get("backend") for unit in units]
        said = [
            f"{old['url']} ({old['model_versions']}) keeps serving"
            for old in serving
            if old and procs.is_ours(old["pid"])
        ]
        return "; ".join(said) or "nothing was serving"

    def _start_all(self, units: list[EndpointUnit], store: ArtifactStore, log: Any) -> list:
        """A healthy new backend per unit, or none at all and DeploymentError."""
        models = [self._fetch(unit, store) for unit in units]
        started: list[tuple[EndpointUnit, dict[str, Any]]] = []
        for unit, folder in zip(units, models, strict=True):
            try:
                backend = local_backend.start_backend(
                    unit, folder, self._folder(unit.name), self.startup_timeout_s, log
                )
            except DeploymentError as error:
                for _, other in started:
                    procs.stop_group(other["pid"], timeout=5)
                for done, copy in zip(units, models, strict=False):
                    self._discard_unserved(copy, self.read_state(done.name) or {})
                raise DeploymentError(
                    f"new version {unit.versions()} of {unit.name} failed its health check: "
                    f"{error}; {self._still_serving(units)}"
                ) from None
            started.append((unit, backend))
        return started

    def _go_live(self, unit: EndpointUnit, backend: dict[str, Any], log: Any) -> dict[str, Any]:
        path = self._state_path(unit.name)
        state = self.read_state(unit.name) or {"name": unit.name}
        now = datetime.now(UTC).isoformat()
        state = {**state, "backend": backend, "previous": state.get("backend"), "updated_at": now}
        procs.write_json_atomic(path, state)
        state["proxy"] = local_backend.ensure_proxy(path, state, self._folder(unit.name))
        state["url"] = state["proxy"]["url"]
        procs.write_json_atomic(path, state)
        local_backend.switch(state, backend, self.drain_timeout_s, log)
        state["previous"] = None
        procs.write_json_atomic(path, state)
        self._prune_models(unit.name, keep=backend["tag"])
        return {
            "name": unit.name,
            "url": state["url"],
            "backend_url": backend["url"],
            "pid": backend["pid"],
            "proxy_pid": state["proxy"]["pid"],
            "model_versions": backend["model_versions"],
            "log": backend["log"],
        }

    def deploy(self, spec: EndpointSpec, store: ArtifactStore, log: Any) -> dict[str, Any]:
        units = spec.units(self.layout)
        keep = {unit.name for unit in units}
        every = layout_names(spec.name, ROUTER) + layout_names(spec.name, "per-model")
        others = [name for name in every if name not in keep]
        with self._locks([*keep, *others]):
            started = self._start_all(units, store, log)
            live = {unit.role: self._go_live(unit, backend, log) for unit, backend in started}
            retired = [name for name in others if self._stop(name)]
        if self.layout == ROUTER:
            return {**live[ROUTER], "layout": ROUTER, "retired": retired}
        return {
            "name": spec.name,
            "layout": self.layout,
            "endpoints": live,
            "model_versions": spec.versions(),
            "retired": retired,
        }

    @staticmethod
    def _discard_unserved(models: Path, state: dict[str, Any]) -> None:
        """A failed version's model copy (~180 MB) goes, unless a server still uses it: a
        failed redeploy of the version already serving must not pull its files away."""
        in_use = {(state.get(part) or {}).get("model_dir") for part in ("backend", "previous")}
        if str(models) not in in_use:
            shutil.rmtree(models, ignore_errors=True)

    def _prune_models(self, name: str, keep: str) -> None:
        for path in (self._folder(name) / "models").iterdir():
            if path.name != keep:
                shutil.rmtree(path, ignore_errors=True)

    def invoke_endpoint(self, name: str, instances: list[dict[str, Any]]) -> dict[str, Any]:
        state = self.read_state(name)
        if not state or not state.get("url"):
            raise EndpointNotFound(f"endpoint {name} is not deployed here")
        return procs.post_instances(state["url"], instances)

    def endpoint_status(self, name: str | None) -> list[dict[str, Any]]:
        folder = Path(self.home) / "endpoints"
        paths = [self._state_path(name)] if name else sorted(folder.glob("*.json"))
        return [procs.describe(json.loads(p.read_text())) for p in paths if p.is_file()]

    def _stop(self, name: str) -> bool:
        """Stop one endpoint's processes; the caller holds its lock."""
        state = self.read_state(name)
        if state is None:
            return False
        for part in ("backend", "previous", "proxy"):
            procs.stop_group((state.get(part) or {}).get("pid"))
        self._state_path(name).unlink()
        return True

    def stop_endpoint(self, name: str) -> bool:
        with self._locks([name]):
            return self._stop(name)
