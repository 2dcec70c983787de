"""Each infra checker runs on a small bad snippet, so a checker that can never fail would
fail here."""

from __future__ import annotations

import json

from gata_assets_tests.infra.bucket_helpers import (
    bucket_problems,
)
from gata_assets_tests.infra.hcl_helpers import (
    Config,
    undeclared_resources,
    undeclared_variables,
)
from gata_assets_tests.infra.iam_helpers import (
    inline_statements,
    roles_without_namespace_or_boundary,
    wildcard_grants,
)

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
