"""infra/ as Terraform sees it (parsed with python-hcl2, terraform itself is not run): files
split by concern, versions, every reference declared, variables used, described, mirrored
from the original modules and documented in the README."""

from __future__ import annotations

import re

from gata_assets_tests.infra.hcl_helpers import (
    INFRA,
    VAR_REF,
    Config,
    expressions,
    undeclared_locals,
    undeclared_resources,
    undeclared_variables,
)
from gata_assets_tests.infra.terraform_expectations import (
    GATA_OUTPUTS,
    MIRRORED_VARIABLES,
)

# --- the configuration in infra/ ----------------------------------------------------------------


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
        "aurora.tf",
        "vpc_endpoints.tf",
        "alarm_topic.tf",
        "alarms.tf",
        "monitoring_events.tf",
        "dashboard.tf",
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


def test_readme_documents_every_variable_and_output(config: Config) -> None:
    readme = (INFRA / "README.md").read_text()
    documented = set(re.findall(r"^\|\s*`([a-z0-9_]+)`\s*\|", readme, flags=re.MULTILINE))
    assert set(config.variables) - documented == set(), "variables missing from the table"
    for output, env_name in GATA_OUTPUTS.items():
        assert re.search(rf"`{output}`.*`{env_name}`", readme), output
