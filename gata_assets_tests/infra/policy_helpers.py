"""What a role may do, read off infra/ for given variables: every statement of the inline
policies attached to it (a policy with `count`, a dynamic statement with `for_each`, each
only when its condition holds), its ARNs resolved against an example account, and the
statements that allow one action on one ARN. Conditions are left to the tests: `allowing`
says which statements match, the test asserts what their conditions require.

So the calls gata's code makes (the ARNs built by its own functions) are checked against
the policies, not the policies against a copy of themselves."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from fnmatch import fnmatchcase
from typing import Any

from gata_assets_tests.infra.expression_helpers import conditional, count_for, truth, unwrap
from gata_assets_tests.infra.hcl_helpers import Config
from gata_assets_tests.infra.iam_helpers import _as_list

ACCOUNT, REGION = "123456789012", "eu-west-1"
BUCKET = "gata-artifacts"  # gata_assets_tests/resources/batch_transform_helpers.BUCKET
KMS_KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
# What an apply in ACCOUNT would make of the references IAM statements use.
KNOWN = {
    "local.partition": "aws",
    "local.region": REGION,
    "local.account_id": ACCOUNT,
    "local.kms_key_arn": KMS_KEY,
    "aws_s3_bucket.artifacts.arn": f"arn:aws:s3:::{BUCKET}",
    "aws_s3_bucket.artifacts.bucket": BUCKET,
}
_INTERPOLATION = re.compile(r"\$\{([^{}]*)\}")


def resolve(config: Config, text: str, variables: Mapping[str, Any]) -> str:
    """`text` with every `${...}` replaced; an unknown reference raises KeyError."""

    def value(match: re.Match[str]) -> str:
        reference = match[1].strip()
        if reference in KNOWN:
            return KNOWN[reference]
        if found := re.fullmatch(r"var\.(\w+)", reference):
            name = found[1]
            return str(variables.get(name, config.variables[name].get("default")))
        if found := re.fullmatch(r"local\.(\w+)", reference):
            local = config.locals[found[1]]
            if isinstance(local, str) and "?" not in local:
                return resolve(config, local, variables)
        raise KeyError(f"cannot resolve ${{{reference}}} for an IAM check")

    return _INTERPOLATION.sub(value, text)


def _enabled(config: Config, for_each: str, variables: Mapping[str, Any]) -> bool:
    """A dynamic block's `cond ? [1] : []` for these variables (a bool variable or what
    `truth` evaluates)."""
    condition, when_true, _ = conditional(for_each)
    if found := re.fullmatch(r"var\.(\w+)", condition):
        name = found[1]
        chosen = bool(variables.get(name, config.variables[name].get("default")))
    else:
        chosen = truth(config, condition, variables)
    return chosen == (when_true.strip() != "[]")


def _statements(config: Config, body: Mapping[str, Any], variables) -> Iterator[dict]:
    yield from body.get("statement", [])
    for dynamic in body.get("dynamic", []):
        for name, block in dynamic.items():
            if name == "statement" and _enabled(config, block["for_each"], variables):
                yield from block.get("content", [])


def role_statements(
    config: Config, role: str, variables: Mapping[str, Any] | None = None
) -> list[dict]:
    """The statements of every inline policy on `aws_iam_role.<role>`, resources resolved."""
    variables = variables or {}
    found = []
    for policy in config.of_type("aws_iam_role_policy").values():
        if policy["role"] != f"${{aws_iam_role.{role}.id}}":
            continue
        if "count" in policy and count_for(config, policy, variables) == 0:
            continue
        document = r"data\.aws_iam_policy_document\.(\w+)(\[0\])?\.json"
        match = re.fullmatch(document, unwrap(policy["policy"]))
        assert match, policy["policy"]
        body = config.data[("aws_iam_policy_document", match[1])]
        for statement in _statements(config, body, variables):
            resources = [_resolved(config, r, variables) for r in _as_list(statement["resources"])]
            found.append({**statement, "resources": resources, "document": match[1]})
    return found


def _resolved(config: Config, resource: str, variables: Mapping[str, Any]) -> str:
    # What this example cannot resolve (lists of keys, other resources' ARNs) matches no ARN.
    try:
        return resolve(config, resource, variables)
    except KeyError:
        return f"<unresolved {resource}>"


def allowing(statements: list[dict], action: str, arn: str) -> list[dict]:
    """The Allow statements that grant `action` on `arn` (IAM wildcards: `*` and `?`)."""
    return [
        s
        for s in statements
        if s.get("effect", "Allow") == "Allow"
        and any(fnmatchcase(action, a) for a in _as_list(s.get("actions")))
        and any(fnmatchcase(arn, r) for r in s["resources"])
    ]


def condition(statement: Mapping[str, Any], variable: str) -> dict:
    (found,) = [c for c in statement.get("condition", []) if c["variable"] == variable]
    return found


def s3_arn(uri: str) -> str:
    """s3://bucket/key -> arn:aws:s3:::bucket/key"""
    return "arn:aws:s3:::" + uri.removeprefix("s3://")
