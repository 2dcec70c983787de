"""What SageMaker charges, as a small dated table, so every asset that spends can say how much.

gata never asks AWS's Price List API at run time (the Dagster role would need it, the answer
is large, and an estimate must not fail a run), so the table ships with the code. Every price
carries the date it was taken, where from, and whether it is an estimate, and each cost
records them. `GATA_PRICE_TABLE` names a JSON file of the same shape (any part of it: your
regions, your negotiated rates) merged over the built-in table; it must say when its figures
were taken. A malformed file fails when the definitions load, not in the middle of a run.

Shape: `{"taken": "YYYY-MM-DD", "source": "...", "note": "...", "currency": "USD",
"training": {region: {instance type: USD per hour}}, "transform": {same},
"serverless_gb_second": {region: USD per GB-second}}`; `estimates` lists the built-in
figures nobody confirmed (`"training/eu-west-1/ml.g6.xlarge"`). Pure: no Dagster.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from gata_assets.core.errors import GataInputError
from gata_assets.core.price_table import BUILT_IN

HOURLY = ("training", "transform")
SERVERLESS = "serverless_gb_second"
_HEADER = ("taken", "source", "note", "currency")


@dataclass(frozen=True)
class Price:
    usd: float
    unit: str
    """"hour" (an instance) or "GB-second" (serverless compute)."""
    taken: str
    source: str
    estimate: bool


@dataclass(frozen=True)
class PriceTable:
    prices: Mapping[str, Price]
    """By `kind/region/item`: "training/us-east-1/ml.g6.xlarge", "serverless_gb_second/
    eu-west-1/GB-second"."""

    def hourly(self, kind: str, region: str, instance_type: str) -> Price | None:
        """On-demand USD per instance-hour for `kind` ("training" or "transform")."""
        return self.prices.get(f"{kind}/{region}/{instance_type}")

    def serverless(self, region: str) -> Price | None:
        """Serverless inference compute, USD per GB-second of configured memory."""
        return self.prices.get(f"{SERVERLESS}/{region}/GB-second")


def _positive(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise GataInputError(f"{where} must be a positive number of USD, got {value!r}")
    return float(value)


def _section(raw: Any, where: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise GataInputError(f"{where} must be a JSON object, got {type(raw).__name__}")
    return raw


def parse(raw: Any, where: str = "the price table") -> PriceTable:
    """A table of the documented shape (all of it or any part) as prices; refuses the rest."""
    table = _section(raw, where)
    unknown = sorted(set(table) - {*_HEADER, *HOURLY, SERVERLESS, "estimates"})
    if unknown:
        raise GataInputError(
            f"{where} has unknown key(s) {unknown}: see gata_assets/core/prices.py"
        )
    taken = table.get("taken")
    try:
        date.fromisoformat(str(taken))
    except ValueError:
        raise GataInputError(
            f'{where} must say when its prices were taken: "taken": "YYYY-MM-DD"'
        ) from None
    if table.get("currency", "USD") != "USD":
        raise GataInputError(f"{where}: gata records costs in USD, not {table['currency']!r}")
    source, estimates = str(table.get("source", where)), set(table.get("estimates", []))
    prices: dict[str, Price] = {}
    for kind in HOURLY:
        for region, types in _section(table.get(kind, {}), f"{where} {kind}").items():
            for name, usd in _section(types, f"{where} {kind}.{region}").items():
                key = f"{kind}/{region}/{name}"
                price = _positive(usd, f"{where} {kind}.{region}.{name}")
                prices[key] = Price(price, "hour", str(taken), source, key in estimates)
    for region, usd in _section(table.get(SERVERLESS, {}), f"{where} {SERVERLESS}").items():
        key = f"{SERVERLESS}/{region}/GB-second"
        price = _positive(usd, f"{where} {SERVERLESS}.{region}")
        prices[key] = Price(price, "GB-second", str(taken), source, key in estimates)
    return PriceTable(prices)


def load_price_table(path: str = "") -> PriceTable:
    """The built-in table, with the JSON file at `path` (if any) merged over it."""
    built_in = parse(BUILT_IN, "the built-in price table")
    if not path:
        return built_in
    try:
        raw = json.loads(Path(path).expanduser().read_text())
    except OSError as error:
        raise GataInputError(f"price table {path} cannot be read: {error.strerror}") from None
    except json.JSONDecodeError as error:
        raise GataInputError(
            f"price table {path} is not JSON: {error.msg} at line {error.lineno}"
        ) from None
    return PriceTable({**built_in.prices, **parse(raw, f"price table {path}").prices})
