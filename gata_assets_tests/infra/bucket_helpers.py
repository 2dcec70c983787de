"""S3 bucket checks for the Terraform tests: encrypted, versioned, private, TLS-only, with a
lifecycle, each read from the bucket's companion resources."""

from __future__ import annotations

import re

from gata_assets_tests.infra.hcl_helpers import (
    Config,
)
from gata_assets_tests.infra.iam_helpers import (
    _document_statements,
)

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
