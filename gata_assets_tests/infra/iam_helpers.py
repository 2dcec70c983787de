"""IAM checks for the Terraform tests: every policy statement (data documents, inline JSON and
jsonencode), wildcard grants, roles without the name namespace or permissions boundary."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from gata_assets_tests.infra.hcl_helpers import (
    Config,
    expressions,
    refers_to,
)

# --- IAM checks -------------------------------------------------------------------------------


def _as_list(value: Any) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _document_statements(body: dict) -> Iterator[dict]:
    yield from body.get("statement", [])
    for dynamic in body.get("dynamic", []):
        for name, block in dynamic.items():
            if name == "statement":
                yield from block.get("content", [])


def _split_top_level(text: str, open_char: str, close_char: str) -> Iterator[str]:
    """Every balanced open_char...close_char span of text, outermost and nested."""
    stack = []
    for index, char in enumerate(text):
        if char == open_char:
            stack.append(index)
        elif char == close_char and stack:
            start = stack.pop()
            yield text[start : index + 1]


def _hcl_object_fields(obj: str) -> dict[str, str]:
    """Top-level `Key = value` pairs of one HCL object literal, values as raw text."""
    inner = obj[1:-1]
    depth, current, parts = 0, [], []
    in_string = False
    for char in inner:
        if char == '"':
            in_string = not in_string
        if not in_string:
            if char in "[{(":
                depth += 1
            elif char in "]})":
                depth -= 1
            elif char in ",\n" and depth == 0:
                parts.append("".join(current))
                current = []
                continue
        current.append(char)
    parts.append("".join(current))
    fields = {}
    for part in parts:
        key, sep, value = part.partition("=")
        if sep and re.fullmatch(r"\s*\"?\w+\"?\s*", key):
            fields[key.strip().strip('"')] = value.strip()
    return fields


def _literal_strings(raw: str) -> list[str]:
    return re.findall(r'"((?:[^"\\]|\\.)*)"', raw)


def inline_statements(text: str) -> Iterator[dict]:
    """IAM statements written inline: JSON documents and jsonencode({...}) object literals."""
    stripped = text.strip()
    if stripped.startswith("{") and "Statement" in stripped:
        try:
            document = json.loads(stripped)
        except ValueError:
            document = None
        if isinstance(document, dict):
            for statement in _as_list(document.get("Statement")):
                yield {
                    "effect": statement.get("Effect", "Allow"),
                    "actions": _as_list(statement.get("Action")),
                    "resources": _as_list(statement.get("Resource")),
                    "not_actions": _as_list(statement.get("NotAction")),
                }
            return
    if "jsonencode" not in text:
        return
    for obj in _split_top_level(text, "{", "}"):
        fields = _hcl_object_fields(obj)
        if not {"Action", "NotAction", "Resource"} & set(fields):
            continue
        yield {
            "effect": (_literal_strings(fields.get("Effect", '"Allow"')) or ["Allow"])[0],
            "actions": _literal_strings(fields.get("Action", "")),
            "resources": _literal_strings(fields.get("Resource", "")),
            "not_actions": _literal_strings(fields.get("NotAction", "")),
        }


def iam_statements(config: Config) -> Iterator[tuple[str, dict]]:
    for (dtype, name), body in config.data.items():
        if dtype == "aws_iam_policy_document":
            for statement in _document_statements(body):
                yield f"data.{dtype}.{name}", statement
    for text in expressions(config):
        for statement in inline_statements(text):
            yield "inline policy", statement


def wildcard_grants(config: Config) -> list[str]:
    """Allow statements with `*` actions on `*` resources, or an Allow with NotAction."""
    found = []
    for where, statement in iam_statements(config):
        if statement.get("effect", "Allow") != "Allow":
            continue
        actions = _as_list(statement.get("actions"))
        resources = _as_list(statement.get("resources"))
        if statement.get("not_actions"):
            found.append(f"{where}: Allow with NotAction {statement['not_actions']}")
        elif "*" in actions and ("*" in resources or not resources):
            found.append(f"{where}: Allow * on {resources or ['(any)']}")
    return found


def roles_without_namespace_or_boundary(config: Config) -> list[str]:
    problems = []
    for name, body in config.of_type("aws_iam_role").items():
        if not refers_to(body.get("permissions_boundary"), "role_permissions_boundary", config):
            problems.append(f"aws_iam_role.{name}: permissions_boundary")
        if not refers_to(body.get("name"), "role_namespace", config):
            problems.append(f"aws_iam_role.{name}: name without role_namespace")
        if "name_prefix" in body:
            problems.append(f"aws_iam_role.{name}: name_prefix (use name with role_namespace)")
    return problems
