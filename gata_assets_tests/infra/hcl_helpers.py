"""Reading infra/ without terraform: HCL parsed into a `Config`, and the reference checks
(`terraform validate`'s undeclared variables, locals, resources and data sources) the
Terraform tests run on it and on a bad snippet."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import hcl2

REPO = Path(__file__).resolve().parents[2]
INFRA = REPO / "infra"
DAGSTER_DIR = INFRA / "dagster"


# --- parsing ----------------------------------------------------------------------------------


def _clean(value: Any) -> Any:
    """Strip hcl2's block markers and string quotes (whatever the python-hcl2 version)."""
    if isinstance(value, dict):
        return {_clean(k): _clean(v) for k, v in value.items() if k != "__is_block__"}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    return value


def parse_hcl(text: str) -> dict[str, Any]:
    try:
        from hcl2 import SerializationOptions

        options = SerializationOptions(
            with_comments=False, explicit_blocks=False, strip_string_quotes=True
        )
        return _clean(hcl2.loads(text, serialization_options=options))
    except ImportError:  # python-hcl2 < 8
        return _clean(hcl2.loads(text))


class Config:
    """The blocks of one Terraform configuration, merged across its files."""

    def __init__(self, sources: Mapping[str, str]):
        self.files = {name: parse_hcl(text) for name, text in sources.items()}
        self.variables: dict[str, dict] = {}
        self.outputs: dict[str, dict] = {}
        self.locals: dict[str, Any] = {}
        self.resources: dict[tuple[str, str], dict] = {}
        self.data: dict[tuple[str, str], dict] = {}
        for parsed in self.files.values():
            for block in parsed.get("variable", []):
                self.variables.update(block)
            for block in parsed.get("output", []):
                self.outputs.update(block)
            for block in parsed.get("locals", []):
                self.locals.update(block)
            for kind, target in (("resource", self.resources), ("data", self.data)):
                for block in parsed.get(kind, []):
                    for rtype, named in block.items():
                        for name, body in named.items():
                            target[(rtype, name)] = body

    @classmethod
    def from_dir(cls, directory: Path) -> Config:
        return cls({p.name: p.read_text() for p in sorted(directory.glob("*.tf"))})

    def of_type(self, rtype: str) -> dict[str, dict]:
        return {name: body for (t, name), body in self.resources.items() if t == rtype}


def strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from strings(key)
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def expressions(config: Config) -> Iterator[str]:
    for parsed in config.files.values():
        yield from strings(parsed)


# --- reference checks -------------------------------------------------------------------------

# A reference is a bare word: not part of an ARN, an action ("ec2:Vpc") or a path.
_BOUNDARY = r"(?<![\w.:/\"-])"
VAR_REF = re.compile(_BOUNDARY + r"var\.([A-Za-z_][\w-]*)")
LOCAL_REF = re.compile(_BOUNDARY + r"local\.([A-Za-z_][\w-]*)")
DATA_REF = re.compile(_BOUNDARY + r"data\.([a-z][a-z0-9_]*)\.([A-Za-z_][\w-]*)")
RESOURCE_REF = re.compile(_BOUNDARY + r"((?:aws|random)_[a-z0-9_]+)\.([A-Za-z_][\w-]*)")


def undeclared_variables(config: Config) -> set[str]:
    used = {m for text in expressions(config) for m in VAR_REF.findall(text)}
    return used - set(config.variables)


def undeclared_locals(config: Config) -> set[str]:
    used = {m for text in expressions(config) for m in LOCAL_REF.findall(text)}
    return used - set(config.locals)


def undeclared_resources(config: Config) -> set[str]:
    missing = set()
    for text in expressions(config):
        without_data = DATA_REF.sub("", text)
        missing |= {f"data.{t}.{n}" for t, n in DATA_REF.findall(text)} - {
            f"data.{t}.{n}" for t, n in config.data
        }
        missing |= {f"{t}.{n}" for t, n in RESOURCE_REF.findall(without_data)} - {
            f"{t}.{n}" for t, n in config.resources
        }
    return missing


def refers_to(expression: Any, variable: str, config: Config, depth: int = 4) -> bool:
    """Does `expression` use var.<variable>, directly or through locals?"""
    for text in strings(expression):
        if variable in VAR_REF.findall(text):
            return True
        if depth and any(
            refers_to(config.locals.get(name), variable, config, depth - 1)
            for name in LOCAL_REF.findall(text)
        ):
            return True
    return False
