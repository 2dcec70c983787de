"""A deployer for tests that need no server: it keeps what it deployed in a JSON file (so it
survives Dagster copying the frozen resource) and fails as many times as it is told to."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from gata_assets.resources.deployer import Deployer, DeploymentError, EndpointSpec


class FileDeployer(Deployer):
    path: str
    """JSON file: {"endpoints": {name: versions}, "fail_next": n, "deploys": count}."""

    def _state(self) -> dict[str, Any]:
        file = Path(self.path)
        return json.loads(file.read_text()) if file.exists() else {"endpoints": {}}

    def _save(self, state: dict[str, Any]) -> None:
        Path(self.path).write_text(json.dumps(state))

    def fail_next(self, times: int) -> None:
        self._save({**self._state(), "fail_next": times})

    def serving(self, name: str) -> dict[str, str] | None:
        return self._state()["endpoints"].get(name)

    def deploy(self, spec: EndpointSpec, store: Any, log: Any) -> dict[str, Any]:
        state = self._state()
        state["deploys"] = state.get("deploys", 0) + 1
        if state.get("fail_next", 0) > 0:
            state["fail_next"] -= 1
            self._save(state)
            raise DeploymentError(f"{spec.name}: capacity unavailable (test failure)")
        state["endpoints"][spec.name] = spec.versions()
        self._save(state)
        return {"url": f"test://{spec.name}", "tag": spec.tag()}

    def invoke_endpoint(self, name: str, instances: list[dict[str, Any]]) -> dict[str, Any]:
        raise DeploymentError("the file deployer serves no traffic")

    def endpoint_status(self, name: str | None) -> list[dict[str, Any]]:
        endpoints = self._state()["endpoints"]
        return [{"name": n, "model_versions": v} for n, v in endpoints.items() if name in (None, n)]

    def stop_endpoint(self, name: str) -> bool:
        state = self._state()
        found = state["endpoints"].pop(name, None) is not None
        self._save(state)
        return found
