"""Which model versions may serve: those whose every blocking check passed.

A model asset's reference is written when it materializes, before its blocking checks run,
so "the latest model" may be one that failed them. Servability is therefore decided from the
verdicts the checks record in the model registry, never from "latest": a version with a
failed check, or with a check that never reported (a crash, an interrupted run), is not
servable. Everything that picks a version to serve or to compare against asks this module.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Protocol, TypeVar

GATE_CHECK = "champion_challenger"
BLOCKING_CHECKS = ("macro_f1_floor", "beats_tfidf_baseline", GATE_CHECK)


class HasChecks(Protocol):
    @property
    def checks(self) -> Mapping[str, Mapping[str, Any]]: ...


V = TypeVar("V", bound=HasChecks)


def failed_checks(checks: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """Blocking checks that reported a failure, in the order they are declared."""
    return [name for name in BLOCKING_CHECKS if name in checks and not checks[name]["passed"]]


def missing_checks(checks: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """Blocking checks that have not reported a verdict (yet)."""
    return [name for name in BLOCKING_CHECKS if name not in checks]


def is_servable(checks: Mapping[str, Mapping[str, Any]]) -> bool:
    return not failed_checks(checks) and not missing_checks(checks)


def why_not_servable(checks: Mapping[str, Mapping[str, Any]]) -> str:
    """One sentence for a version that is not servable ("" when it is)."""
    parts = [
        f"{name} failed ({checks[name].get('reason') or 'no reason'})"
        for name in failed_checks(checks)
    ]
    missing = missing_checks(checks)
    if missing:
        parts.append(f"no verdict from {', '.join(missing)}")
    return "; ".join(parts)


def newest_servable(versions: Iterable[V], exclude: str = "") -> V | None:
    """The first servable entry of a newest-first list (skipping version `exclude`)."""
    for entry in versions:
        if is_servable(entry.checks) and getattr(entry, "version", None) != exclude:
            return entry
    return None


def summary(checks: Mapping[str, Mapping[str, Any]]) -> str:
    """`name passed, name FAILED (reason), name -` for listing a version."""
    shown = []
    for name in BLOCKING_CHECKS:
        verdict = checks.get(name)
        if verdict is None:
            shown.append(f"{name} -")
        elif verdict["passed"]:
            shown.append(f"{name} passed")
        else:
            shown.append(f"{name} FAILED ({verdict.get('reason') or 'no reason'})")
    return ", ".join(shown)
