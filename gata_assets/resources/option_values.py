"""`make`: a resource from its rows in the options table, and secrets kept as `dg.EnvVar`.

Shared by `build.py` and `build_serving.py`: every resource is made the same way, so a value
a resource refuses fails naming the GATA_* variable that set it, wherever it is built.
"""

from __future__ import annotations

from typing import Any, TypeVar

import dagster as dg
from pydantic import ValidationError

from gata_assets.options import OPTIONS, SettingsError
from gata_assets.settings import GataSettings

T = TypeVar("T")


def make(cls: type[T], settings: GataSettings, *consumers: str, **fixed: Any) -> T:
    """`cls` from the options set for `consumers` plus `fixed`; refusals name the variable."""
    values = settings.fields(*consumers)
    try:
        return cls(**fixed, **values)
    except ValidationError as error:
        problem = error.errors()[0]
        name = str(problem["loc"][0]) if problem["loc"] else ""
        variables = [
            row.name
            for row in OPTIONS.values()
            if any(c in consumers and f == name for c, f in row.targets)
        ]
        shown = f"{' or '.join(variables)}={values[name]!r}: " if name in values else ""
        raise SettingsError(f"{shown}{cls.__name__}.{name}: {problem['msg']}") from None


def secret_url(name: str, resolve: bool) -> Any:
    """A URL option that may hold a password: as dg.EnvVar for Dagster, which resolves it
    inside runs only and never shows it; its value for the CLI, which runs outside Dagster."""
    if resolve:
        return dg.EnvVar(name).get_value() or ""
    return dg.EnvVar(name)
