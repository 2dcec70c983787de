"""Reading Terraform expressions the way the plug-in and monitoring tests need: the branches
of a conditional, `count = cond ? 1 : 0` evaluated for a set of variables, the regexes of a
validation block, which blocks refer to a resource, and a templatefile() of plain `${name}`
interpolations rendered."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from gata_assets_tests.infra.hcl_helpers import Config, strings

_OPEN, _CLOSE = "([{", ")]}"


def unwrap(expression: str) -> str:
    """`${...}` around a whole expression removed; anything else as it is."""
    text = expression.strip()
    if text.startswith("${") and text.endswith("}"):
        return text[2:-1].strip()
    return text


def hcl_unescape(literal: str) -> str:
    """The value of an HCL string literal's body (`\\\\` and `\\"` escapes)."""
    return re.sub(r"\\(.)", r"\1", literal)


def _top_level(text: str, wanted: str, start: int = 0) -> int:
    """Index of the first `wanted` at bracket depth 0 and outside strings, or -1."""
    depth, in_string, index = 0, False, start
    while index < len(text):
        char = text[index]
        if in_string:
            if char == "\\":
                index += 1
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in _OPEN:
            depth += 1
        elif char in _CLOSE:
            depth -= 1
        elif char == wanted and depth == 0:
            return index
        index += 1
    return -1


def conditional(expression: str) -> tuple[str, str, str]:
    """`cond ? a : b` → (cond, a, b); raises ValueError when it is not one."""
    text = unwrap(expression)
    question = _top_level(text, "?")
    colon = _top_level(text, ":", question + 1) if question >= 0 else -1
    if question < 0 or colon < 0:
        raise ValueError(f"not a conditional: {expression}")
    return text[:question].strip(), text[question + 1 : colon].strip(), text[colon + 1 :].strip()


def truth(config: Config, expression: str, variables: Mapping[str, Any]) -> bool:
    """A plug-in condition for given variable values: `local.x` (followed to its definition),
    `var.x == ""`, `var.x != ""`, `!cond` and `a && b` (left to right, as far as needed);
    anything else is refused."""
    text = unwrap(expression)
    if (both := _top_level(text, "&")) >= 0 and text[both : both + 2] == "&&":
        left, right = text[:both], text[both + 2 :]
        return truth(config, left, variables) and truth(config, right, variables)
    if text.startswith("!"):
        return not truth(config, text[1:], variables)
    if match := re.fullmatch(r"local\.(\w+)", text):
        return truth(config, config.locals[match[1]], variables)
    if match := re.fullmatch(r'var\.(\w+) (==|!=) ""', text):
        name = match[1]
        value = variables.get(name, config.variables[name].get("default"))
        return (value == "") == (match[2] == "==")
    raise ValueError(f"cannot evaluate {expression!r}")


def count_for(config: Config, body: Mapping[str, Any], variables: Mapping[str, Any]) -> int:
    """A resource's `count = cond ? n : m` for these variables."""
    condition, when_true, when_false = conditional(body["count"])
    return int(when_true if truth(config, condition, variables) else when_false)


def chosen_branch(config: Config, expression: str, variables: Mapping[str, Any]) -> str:
    """The branch of `cond ? a : b` Terraform takes for these variables."""
    condition, when_true, when_false = conditional(expression)
    return when_true if truth(config, condition, variables) else when_false


def validation_regexes(body: Mapping[str, Any]) -> list[re.Pattern[str]]:
    """Every `regex("...")` in a variable's validation conditions, compiled."""
    found = []
    for validation in body.get("validation", []):
        for literal in re.findall(r'regex\("((?:[^"\\]|\\.)*)"', validation["condition"]):
            found.append(re.compile(hcl_unescape(literal)))
    return found


def accepted(body: Mapping[str, Any], value: str) -> bool:
    """Does `value` match every regex of the variable's validation (a list's or map's item)?"""
    return all(pattern.search(value) for pattern in validation_regexes(body))


def referrers(config: Config, reference: str) -> set[str]:
    """The blocks (`local.x`, `output.x`, `type.name`, `data.type.name`) that mention
    `reference` (e.g. `aws_ecs_cluster.this`) as a whole word."""
    pattern = re.compile(r"(?<![\w.])" + re.escape(reference) + r"(?![\w])")
    blocks: dict[str, Any] = {f"local.{k}": v for k, v in config.locals.items()}
    blocks |= {f"output.{k}": v for k, v in config.outputs.items()}
    blocks |= {f"{t}.{n}": v for (t, n), v in config.resources.items()}
    blocks |= {f"data.{t}.{n}": v for (t, n), v in config.data.items()}
    return {name for name, body in blocks.items() if any(pattern.search(s) for s in strings(body))}


def template_names(text: str) -> set[str]:
    """The variables a templatefile() template interpolates (plain `${name}` only)."""
    if "%{" in text:
        raise ValueError("template directives are not supported here")
    return set(re.findall(r"(?<!\$)\$\{([^}]*)\}", text))


def render_template(text: str, values: Mapping[str, Any]) -> str:
    """What templatefile() makes of a template of plain `${name}` interpolations."""
    unknown = template_names(text) - set(values)
    if unknown:
        raise KeyError(f"template variables without a value: {sorted(unknown)}")
    return re.sub(r"(?<!\$)\$\{(\w+)\}", lambda m: str(values[m[1]]), text)
