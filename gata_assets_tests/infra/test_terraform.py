"""Static checks of infra/ (Terraform for gata on AWS); terraform itself is not run.

Every `infra/*.tf` file is parsed with python-hcl2 and checked for what `terraform validate`
would catch (references to undeclared variables, locals, resources and data sources) and for
gata's own rules: the outputs gata's AWS configuration reads exist and match the GATA_*
environment the ECS tasks get, no IAM statement allows `*` actions on `*` resources, every role
takes the optional name namespace and permissions boundary, every bucket is encrypted,
versioned, private, TLS-only and has a lifecycle. The Dagster instance and workspace files are
checked against the classes they name. Each checker also runs on a small bad snippet, so a
checker that can never fail would fail here.
"""

from __future__ import annotations

import importlib
import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import hcl2
import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
INFRA = REPO / "infra"
DAGSTER_DIR = INFRA / "dagster"

# Outputs gata's AWS configuration consumes, and the variable each one becomes in
# `local.gata_environment` (the `gata_environment` output and the ECS task environment).
# README.md (infra/) lists the same mapping.
GATA_OUTPUTS = {
    "region": "AWS_REGION",
    "artifact_bucket_name": "GATA_ARTIFACT_BUCKET",
    "artifact_prefix": "GATA_ARTIFACT_PREFIX",
    "kms_key_arn": "GATA_KMS_KEY_ID",
    "ticket_db_secret_arn": "GATA_TICKET_DB_SECRET_ID",
    "sagemaker_name_prefix": "GATA_SAGEMAKER_NAME_PREFIX",
    "sagemaker_training_role_arn": "GATA_SAGEMAKER_TRAINING_ROLE_ARN",
    "sagemaker_inference_role_arn": "GATA_SAGEMAKER_ROLE_ARN",
    "finetune_image_tag_parameter_name": "GATA_FINETUNE_IMAGE_TAG_PARAMETER",
    "inference_image_tag_parameter_name": "GATA_SAGEMAKER_IMAGE_PARAMETER",
    "finetune_repository_url": "GATA_FINETUNE_IMAGE_REPOSITORY",
    "inference_repository_url": "GATA_SAGEMAKER_IMAGE_REPOSITORY",
    "model_package_group_name": "GATA_MODEL_PACKAGE_GROUP",
    "event_bus_name": "GATA_EVENT_BUS_NAME",
    "sagemaker_subnet_ids": "GATA_SAGEMAKER_SUBNET_IDS",
    "sagemaker_security_group_id": "GATA_SAGEMAKER_SECURITY_GROUP_IDS",
}
# Outputs for operators (images, UI, Dagster services) rather than for gata's settings.
DEPLOYMENT_OUTPUTS = {
    "gata_environment",
    "gata_env_file",
    "log_bucket_name",
    "event_bus_arn",
    "dagster_repository_url",
    "dagster_url",
    "ecs_cluster_name",
    "run_task_definition_family",
    "dagster_db_secret_arn",
}
# Variables gata_assets/settings.py reads that the AWS deployment deliberately leaves unset.
LOCAL_ONLY_SETTINGS = {
    "GATA_HOME",  # set to the task's writable volume with the Dagster environment
    "GATA_TICKET_DB_URL",  # the deployment uses GATA_TICKET_DB_SECRET_ID instead
    "GATA_AWS_ENDPOINT_URL",  # S3-compatible endpoints and moto in tests
    "AWS_DEFAULT_REGION",  # AWS_REGION is set
}
# What `local.gata_environment` renders to for an example deployment (same keys).
ACCOUNT = "eu-west-1:123456789012"
ECR = "123456789012.dkr.ecr.eu-west-1.amazonaws.com"
EXAMPLE_ENVIRONMENT = {
    "GATA_MODE": "aws",
    "AWS_REGION": "eu-west-1",
    "GATA_ARTIFACT_BUCKET": "gata-artifacts-123456789012-eu-west-1",
    "GATA_ARTIFACT_PREFIX": "gata",
    "GATA_KMS_KEY_ID": f"arn:aws:kms:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    "GATA_TICKET_DB_SECRET_ID": f"arn:aws:secretsmanager:{ACCOUNT}:secret:gata/ticket-db-AbCdEf",
    "GATA_LOW_VOLUME_FALLBACK_LABEL": "triage",
    "GATA_CODE_VERSION": "3f2c1ab",
    "GATA_SAGEMAKER_NAME_PREFIX": "gata",
    "GATA_SAGEMAKER_ROLE_ARN": "arn:aws:iam::123456789012:role/gata-sagemaker-inference",
    "GATA_SAGEMAKER_IMAGE_PARAMETER": "/gata/images/inference/tag",
    "GATA_SAGEMAKER_IMAGE_REPOSITORY": f"{ECR}/gata/inference",
    "GATA_SAGEMAKER_MEMORY_SIZE_MB": "3072",
    "GATA_SAGEMAKER_MAX_CONCURRENCY": "5",
    "GATA_SAGEMAKER_TRAINING_ROLE_ARN": "arn:aws:iam::123456789012:role/gata-sagemaker-training",
    "GATA_FINETUNE_IMAGE_TAG_PARAMETER": "/gata/images/finetune/tag",
    "GATA_FINETUNE_IMAGE_REPOSITORY": f"{ECR}/gata/finetune",
    "GATA_FINETUNE_INSTANCE_TYPE": "ml.g6.xlarge",
    "GATA_TRAIN_ON_SPOT": "false",
    "GATA_FINETUNE_MAX_EXEC": "7200",
    "GATA_FINETUNE_MAX_WAIT": "14400",
    "GATA_FINETUNE_VOLUME_SIZE_GB": "30",
    "GATA_SAGEMAKER_SUBNET_IDS": "",
    "GATA_SAGEMAKER_SECURITY_GROUP_IDS": "",
    "GATA_MODEL_PACKAGE_GROUP": "gata-ticket-routing",
    "GATA_EVENT_BUS_NAME": "gata-events",
}
# The variables of the Step Functions modules gata replaces: same names, same defaults.
MIRRORED_VARIABLES = {
    "train_on_spot": ("bool", False),
    "finetune_instance_type": ("string", "ml.g6.xlarge"),
    "finetune_max_exec": ("number", 7200),
    "log_retention_days": ("number", None),
    "low_volume_fallback_label": ("string", None),
    "role_namespace": ("string", ""),
    "role_permissions_boundary": ("string", ""),
    "kms_key_arn": ("string", ""),
    "tags": ("map(string)", {}),
}

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


# --- bucket checks ----------------------------------------------------------------------------


def _companions(config: Config, rtype: str, bucket: str) -> list[dict]:
    ref = f"aws_s3_bucket.{bucket}."
    return [body for body in config.of_type(rtype).values() if ref in str(body.get("bucket"))]


def _first(body: dict, key: str) -> dict:
    value = body.get(key) or [{}]
    return value[0] if isinstance(value, list) else value


def _policy_document_for(config: Config, policy: dict) -> dict:
    for (dtype, name), body in config.data.items():
        if f"data.{dtype}.{name}." in str(policy.get("policy")):
            return body
    return {}


def bucket_problems(config: Config) -> list[str]:
    problems = []
    log_targets = {
        m
        for body in config.of_type("aws_s3_bucket_logging").values()
        for m in re.findall(r"aws_s3_bucket\.([\w-]+)\.", str(body.get("target_bucket")))
    }
    for bucket in config.of_type("aws_s3_bucket"):
        where = f"aws_s3_bucket.{bucket}"

        encryption = _companions(
            config, "aws_s3_bucket_server_side_encryption_configuration", bucket
        )
        algorithms = {
            _first(_first(e, "rule"), "apply_server_side_encryption_by_default").get(
                "sse_algorithm"
            )
            for e in encryption
        }
        if not encryption:
            problems.append(f"{where}: no server-side encryption configuration")
        elif "aws:kms" not in algorithms and bucket not in log_targets:
            problems.append(f"{where}: not SSE-KMS (only log-target buckets may use SSE-S3)")

        versioning = _companions(config, "aws_s3_bucket_versioning", bucket)
        if not any(
            _first(v, "versioning_configuration").get("status") == "Enabled" for v in versioning
        ):
            problems.append(f"{where}: versioning not enabled")

        blocks = _companions(config, "aws_s3_bucket_public_access_block", bucket)
        flags = ("block_public_acls", "block_public_policy", "ignore_public_acls")
        if not any(
            all(b.get(f) is True for f in (*flags, "restrict_public_buckets")) for b in blocks
        ):
            problems.append(f"{where}: public access not fully blocked")

        tls_only = False
        for policy in _companions(config, "aws_s3_bucket_policy", bucket):
            for statement in _document_statements(_policy_document_for(config, policy)):
                conditions = statement.get("condition", [])
                if statement.get("effect") == "Deny" and any(
                    c.get("variable") == "aws:SecureTransport" and c.get("values") == ["false"]
                    for c in conditions
                ):
                    tls_only = True
        if not tls_only:
            problems.append(f"{where}: no bucket policy denying aws:SecureTransport=false")

        lifecycles = _companions(config, "aws_s3_bucket_lifecycle_configuration", bucket)
        rules = [rule for lc in lifecycles for rule in lc.get("rule", [])]
        if not any("abort_incomplete_multipart_upload" in rule for rule in rules):
            problems.append(f"{where}: no lifecycle rule aborting incomplete multipart uploads")
        if not any("noncurrent_version_expiration" in rule for rule in rules):
            problems.append(f"{where}: no lifecycle rule expiring noncurrent versions")

        if bucket not in log_targets and not _companions(config, "aws_s3_bucket_logging", bucket):
            problems.append(f"{where}: no access logging")
    return problems


# --- the configuration in infra/ ----------------------------------------------------------------


@pytest.fixture(scope="module")
def config() -> Config:
    return Config.from_dir(INFRA)


def test_every_file_parses_and_splits_by_concern(config: Config) -> None:
    expected = {
        "versions.tf",
        "variables.tf",
        "outputs.tf",
        "kms.tf",
        "s3.tf",
        "ecr.tf",
        "ssm.tf",
        "iam_sagemaker.tf",
        "iam_ecs.tf",
        "sagemaker.tf",
        "events.tf",
        "network.tf",
        "rds.tf",
        "ecs.tf",
        "alb.tf",
        "logs.tf",
    }
    assert expected <= set(config.files)
    assert config.resources and config.variables and config.outputs


def test_terraform_and_provider_versions(config: Config) -> None:
    terraform = config.files["versions.tf"]["terraform"][0]
    assert terraform["required_version"] == ">= 1.6"
    aws = terraform["required_providers"][0]["aws"]
    assert aws["source"] == "hashicorp/aws"
    assert aws["version"].startswith("~> 5.")
    assert not any("module" in parsed for parsed in config.files.values()), "plain resources only"


def test_every_referenced_variable_is_declared(config: Config) -> None:
    assert undeclared_variables(config) == set()


def test_every_referenced_local_resource_and_data_source_is_declared(config: Config) -> None:
    assert undeclared_locals(config) == set()
    assert undeclared_resources(config) == set()


def test_every_variable_is_used_and_described(config: Config) -> None:
    used = {m for text in expressions(config) for m in VAR_REF.findall(text)}
    assert set(config.variables) - used == set()
    assert [n for n, body in config.variables.items() if not body.get("description")] == []


def test_variables_mirror_the_original_modules(config: Config) -> None:
    for name, (type_, default) in MIRRORED_VARIABLES.items():
        assert name in config.variables, name
        body = config.variables[name]
        assert body["type"].replace("${", "").replace("}", "") == type_, name
        if default is not None:
            assert body["default"] == default, name


def test_outputs_gata_reads_exist_and_match_its_environment(config: Config) -> None:
    assert set(GATA_OUTPUTS) | DEPLOYMENT_OUTPUTS <= set(config.outputs)
    environment = config.locals["gata_environment"]
    assert set(GATA_OUTPUTS.values()) <= set(environment)
    assert environment["GATA_MODE"] == "aws"
    assert "local.gata_environment" in config.outputs["gata_environment"]["value"]
    # Each output exposes the same value its environment variable gets.
    for output, env_name in GATA_OUTPUTS.items():
        value = config.outputs[output]["value"]
        env_value = environment[env_name]
        if "join(" not in env_value:
            assert value == env_value, (output, value, env_value)


def test_gata_environment_covers_what_settings_reads(config: Config) -> None:
    from gata_assets.settings import GataSettings

    source = (REPO / "gata_assets" / "settings.py").read_text()
    read = set(re.findall(r"env\.get\(\s*\"((?:GATA|AWS)_[A-Z0-9_]+)\"", source))
    environment = config.locals["gata_environment"]
    missing = read - set(environment) - LOCAL_ONLY_SETTINGS
    assert missing == set(), (
        f"settings.py reads {sorted(missing)}: set them in local.gata_environment (infra/ecs.tf) "
        "or list them in LOCAL_ONLY_SETTINGS here"
    )
    assert set(EXAMPLE_ENVIRONMENT) == set(environment)
    settings = GataSettings.from_env(EXAMPLE_ENVIRONMENT)
    assert settings.mode == "aws"
    assert settings.artifact_bucket == EXAMPLE_ENVIRONMENT["GATA_ARTIFACT_BUCKET"]
    assert settings.kms_key_id == EXAMPLE_ENVIRONMENT["GATA_KMS_KEY_ID"]
    assert settings.ticket_db_secret_id == EXAMPLE_ENVIRONMENT["GATA_TICKET_DB_SECRET_ID"]
    assert settings.aws_region == "eu-west-1"


def test_gata_builds_its_aws_resources_from_this_environment() -> None:
    from gata_assets.definitions import build_resources
    from gata_assets.settings import GataSettings

    env = EXAMPLE_ENVIRONMENT
    resources = build_resources(GataSettings.from_env(env))

    assert resources["artifact_store"].bucket == env["GATA_ARTIFACT_BUCKET"]
    assert resources["artifact_store"].kms_key_id == env["GATA_KMS_KEY_ID"]
    assert resources["ticket_db"].secret_id == env["GATA_TICKET_DB_SECRET_ID"]
    assert resources["pipeline"].low_volume_fallback_label == "triage"
    # Each AWS resource takes its settings from this environment (checked for the resources
    # definitions.py builds; a stage not wired yet is simply absent).
    expected = {
        "SageMakerDeployer": {
            "role_arn": env["GATA_SAGEMAKER_ROLE_ARN"],
            "image_parameter": env["GATA_SAGEMAKER_IMAGE_PARAMETER"],
            "image_repository": env["GATA_SAGEMAKER_IMAGE_REPOSITORY"],
            "memory_size_mb": 3072,
            "max_concurrency": 5,
            "name_prefix": env["GATA_SAGEMAKER_NAME_PREFIX"],
        },
        "SageMakerTrainer": {
            "role_arn": env["GATA_SAGEMAKER_TRAINING_ROLE_ARN"],
            "image_tag_parameter": env["GATA_FINETUNE_IMAGE_TAG_PARAMETER"],
            "image_repository": env["GATA_FINETUNE_IMAGE_REPOSITORY"],
            "name_prefix": env["GATA_SAGEMAKER_NAME_PREFIX"],
            "instance_type": "ml.g6.xlarge",
            "use_spot": False,
            "max_runtime_seconds": 7200,
            "max_wait_seconds": 14400,
            "volume_size_gb": 30,
            "kms_key_id": env["GATA_KMS_KEY_ID"],
            "subnet_ids": [],
        },
        "SageMakerModelRegistry": {"package_group": env["GATA_MODEL_PACKAGE_GROUP"]},
        "EventBridgeEvents": {"bus_name": env["GATA_EVENT_BUS_NAME"]},
        "SsmImageTags": {
            "finetune_parameter": env["GATA_FINETUNE_IMAGE_TAG_PARAMETER"],
            "inference_parameter": env["GATA_SAGEMAKER_IMAGE_PARAMETER"],
        },
    }
    built = {type(resource).__name__: resource for resource in resources.values()}
    assert "SageMakerDeployer" in built or "deployer" not in resources
    for class_name, fields in expected.items():
        if class_name in built:
            actual = {name: getattr(built[class_name], name) for name in fields}
            assert actual == fields, class_name


def test_env_file_template_renders_the_environment(config: Config) -> None:
    template = (INFRA / "gata.env.tftpl").read_text()
    assert "for name in sort(keys(environment))" in template
    assert "gata.env.tftpl" in config.outputs["gata_env_file"]["value"]


def test_no_iam_statement_allows_everything(config: Config) -> None:
    assert list(iam_statements(config)), "no IAM statements found: the checker is blind"
    assert wildcard_grants(config) == []


def test_every_role_takes_namespace_and_permissions_boundary(config: Config) -> None:
    assert len(config.of_type("aws_iam_role")) >= 5
    assert roles_without_namespace_or_boundary(config) == []


def test_passrole_is_limited_to_named_roles_and_one_service(config: Config) -> None:
    passes = [s for _, s in iam_statements(config) if "iam:PassRole" in _as_list(s.get("actions"))]
    assert passes
    for statement in passes:
        assert "*" not in statement["resources"]
        assert any(c["variable"] == "iam:PassedToService" for c in statement.get("condition", []))


def test_buckets_are_encrypted_versioned_private_tls_only_with_lifecycle(config: Config) -> None:
    assert set(config.of_type("aws_s3_bucket")) >= {"artifacts", "logs"}
    assert bucket_problems(config) == []


def test_log_groups_are_encrypted_with_configurable_retention(config: Config) -> None:
    groups = config.of_type("aws_cloudwatch_log_group")
    assert groups
    for name, body in groups.items():
        assert body.get("kms_key_id"), name
        assert body.get("retention_in_days") == "${var.log_retention_days}", name


def test_ecr_repositories_are_immutable_scanned_and_encrypted(config: Config) -> None:
    (repo,) = config.of_type("aws_ecr_repository").values()
    assert repo["image_tag_mutability"] == "IMMUTABLE"
    assert _first(repo, "image_scanning_configuration")["scan_on_push"] is True
    assert _first(repo, "encryption_configuration")["encryption_type"] == "KMS"
    assert config.of_type("aws_ecr_lifecycle_policy")
    assert set(config.locals["repositories"]) == {"finetune", "inference", "dagster"}


def test_only_the_load_balancer_takes_traffic_from_outside_the_vpc(config: Config) -> None:
    for name, rule in config.of_type("aws_vpc_security_group_ingress_rule").items():
        if "cidr_ipv4" in rule:
            assert 'aws_security_group.this["alb"]' in rule["security_group_id"], name
            assert rule["from_port"] == rule["to_port"] == 443, name
        else:
            assert "referenced_security_group_id" in rule, name
    for name, group in config.resources.items():
        if name[0] == "aws_security_group":
            assert "ingress" not in group and "egress" not in group, "rules are separate resources"


# --- Dagster instance and workspace -------------------------------------------------------------


def _env_names(value: Any) -> set[str]:
    if isinstance(value, dict):
        if set(value) == {"env"}:
            return {value["env"]}
        return set().union(*(_env_names(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(_env_names(v) for v in value)) if value else set()
    return set()


def _configurable_class(section: dict) -> type:
    return getattr(importlib.import_module(section["module"]), section["class"])


def test_dagster_yaml_uses_ecs_run_launcher_postgres_queue_monitoring_retries() -> None:
    instance = yaml.safe_load((DAGSTER_DIR / "dagster.yaml").read_text())

    launcher = instance["run_launcher"]
    assert (launcher["module"], launcher["class"]) == ("dagster_aws.ecs", "EcsRunLauncher")
    launcher_class = _configurable_class(launcher)
    assert set(launcher["config"]) <= set(launcher_class.config_type())
    assert launcher["config"]["container_name"] == "run"

    coordinator = instance["run_coordinator"]
    assert coordinator["class"] == "QueuedRunCoordinator"
    assert set(coordinator["config"]) <= set(_configurable_class(coordinator).config_type())

    for key in ("compute_logs", "local_artifact_storage"):
        section = instance[key]
        assert set(section["config"]) <= set(_configurable_class(section).config_type()), key

    postgres = instance["storage"]["postgres"]["postgres_db"]
    assert set(postgres) == {"username", "password", "hostname", "db_name", "port", "params"}
    assert postgres["password"] == {"env": "DAGSTER_PG_PASSWORD"}, "password from the env only"

    assert instance["run_monitoring"]["enabled"] is True
    assert instance["run_retries"]["enabled"] is True
    assert instance["run_retries"]["max_retries"] >= 1


def test_dagster_files_read_only_environment_the_tasks_set(config: Config) -> None:
    instance = yaml.safe_load((DAGSTER_DIR / "dagster.yaml").read_text())
    workspace = yaml.safe_load((DAGSTER_DIR / "workspace.yaml").read_text())
    (server,) = workspace["load_from"]
    assert server["grpc_server"]["location_name"] == "gata"

    provided = set(config.locals["dagster_environment"]) | {
        secret["name"] for secret in config.locals["dagster_secrets"]
    }
    assert _env_names(instance) | _env_names(workspace) <= provided
    assert _env_names(instance)  # the checker sees the env references

    dockerfile = (DAGSTER_DIR / "Dockerfile").read_text()
    home = config.locals["dagster_environment"]["DAGSTER_HOME"]
    assert f"DAGSTER_HOME={home}" in dockerfile
    assert "COPY infra/dagster/dagster.yaml ${DAGSTER_HOME}/dagster.yaml" in dockerfile
    assert config.locals["workspace_file"] == "${local.app_dir}/workspace.yaml"
    assert f"{config.locals['app_dir']}/workspace.yaml" in dockerfile


def test_readme_documents_every_variable_and_output(config: Config) -> None:
    readme = (INFRA / "README.md").read_text()
    documented = set(re.findall(r"^\|\s*`([a-z0-9_]+)`\s*\|", readme, flags=re.MULTILINE))
    assert set(config.variables) - documented == set(), "variables missing from the table"
    for output, env_name in GATA_OUTPUTS.items():
        assert re.search(rf"`{output}`.*`{env_name}`", readme), output


# --- the checkers fail on bad configurations ----------------------------------------------------

BAD = """
variable "declared" {
  type = string
}

locals {
  role_prefix = "fixed-"
}

data "aws_iam_policy_document" "admin" {
  statement {
    actions   = ["*"]
    resources = ["*"]
  }
}

data "aws_iam_policy_document" "scoped" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["${aws_s3_bucket.b.arn}/*"]
  }
  statement {
    effect    = "Deny"
    actions   = ["*"]
    resources = ["*"]
  }
}

resource "aws_iam_role" "inline" {
  name               = "${local.role_prefix}inline"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }]
  })
}

resource "aws_s3_bucket" "b" {
  bucket = "${var.undeclared}-b"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "b" {
  bucket = aws_s3_bucket.b.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

output "o" {
  value = aws_kms_key.missing.arn
}
"""


def test_checkers_catch_a_bad_configuration() -> None:
    bad = Config({"bad.tf": BAD})

    assert undeclared_variables(bad) == {"undeclared"}
    assert "aws_kms_key.missing" in undeclared_resources(bad)

    grants = wildcard_grants(bad)
    assert any("data.aws_iam_policy_document.admin" in g for g in grants)
    assert any("inline policy" in g for g in grants)
    assert not any("scoped" in g for g in grants), "a Deny * or a scoped Allow is fine"

    assert roles_without_namespace_or_boundary(bad) == [
        "aws_iam_role.inline: permissions_boundary",
        "aws_iam_role.inline: name without role_namespace",
    ]

    problems = bucket_problems(bad)
    for expected in (
        "not SSE-KMS",
        "versioning not enabled",
        "public access not fully blocked",
        "aws:SecureTransport",
        "multipart",
        "noncurrent",
        "access logging",
    ):
        assert any(expected in p for p in problems), expected


def test_inline_statement_parser_reads_json_and_jsonencode() -> None:
    as_json = json.dumps({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
    assert list(inline_statements(as_json)) == [
        {"effect": "Allow", "actions": ["*"], "resources": ["*"], "not_actions": []}
    ]
    encoded = 'jsonencode({Statement = [{Action = ["s3:Get*", "s3:List*"], Resource = "*"}]})'
    assert list(inline_statements(encoded)) == [
        {
            "effect": "Allow",
            "actions": ["s3:Get*", "s3:List*"],
            "resources": ["*"],
            "not_actions": [],
        }
    ]
