"""Finding and deleting the SageMaker models and endpoint configs a deployer created.

Each deployment leaves a model and an endpoint config named `<endpoint>-<8 hex>-<14 digits>`.
After a successful update only the live one is needed; after a failed attempt the new ones
are garbage. Matching the full pattern (not just the prefix) keeps us from touching
resources of another endpoint whose name merely starts the same way.
"""

import re
from typing import Any


def owned(client: Any, name: str, listing: str, key: str) -> list[str]:
    """Names from `client.<listing>` (paginated) that this endpoint's deployments created."""
    pattern = re.compile(rf"{re.escape(name)}-[0-9a-f]{{8}}-\d{{14}}")
    found, token = [], None
    while True:
        page = getattr(client, listing)(
            NameContains=name, MaxResults=100, **({"NextToken": token} if token else {})
        )
        found += [item[f"{key}Name"] for item in page[f"{key}s"]]
        token = page.get("NextToken")
        if not token:
            return [n for n in found if pattern.fullmatch(n)]


def delete(client: Any, configs: list[str], models: list[str], quiet: bool = False) -> None:
    """Delete configs, then models; `quiet` after a failure, when some may not exist."""
    calls = [(client.delete_endpoint_config, {"EndpointConfigName": c}) for c in configs]
    calls += [(client.delete_model, {"ModelName": m}) for m in models]
    for call, kwargs in calls:
        try:
            call(**kwargs)
        except client.exceptions.ClientError:
            if not quiet:
                raise


def delete_stale(client: Any, name: str, keep: str | None) -> list[str]:
    """Delete every config and model of `name` except `keep`; what was deleted."""
    configs = [
        c for c in owned(client, name, "list_endpoint_configs", "EndpointConfig") if c != keep
    ]
    models = [m for m in owned(client, name, "list_models", "Model") if m != keep]
    delete(client, configs, models)
    return configs + models
