"""Copying a model archive into another account's bucket, once per archive.

A prod SageMaker model must not read the preprod bucket (seed 003 keeps the accounts
apart), so the prod deployer puts each `model.tar.gz` into the prod account's bucket under
the same key. The bytes pass through the run worker (read with the run's own credentials,
written with the prod role's), so neither account needs a bucket or key policy naming the
other. The copy records the source's ETag and the archive's sha256 as object metadata; a
later deployment of the same archive finds them, with the same size, and copies nothing.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from gata_assets.core.hashing import sha256_file
from gata_assets.resources.aws import call_failed, is_not_found
from gata_assets.resources.deployer import DeploymentError
from gata_assets.resources.s3_artifact_store import split_s3_uri

SHA_KEY, ETAG_KEY, SOURCE_KEY = "gata-sha256", "gata-source-etag", "gata-source"


def _head(s3: Any, bucket: str, key: str) -> dict[str, Any] | None:
    try:
        return s3.head_object(Bucket=bucket, Key=key)
    except s3.exceptions.ClientError as error:
        if is_not_found(error):
            return None
        doing = f"S3 HeadObject of s3://{bucket}/{key}"
        raise DeploymentError(str(call_failed(error, doing))) from None


def copy_archive(
    source_s3: Any, source_uri: str, target_s3: Any, bucket: str, kms_key_id: str = ""
) -> dict[str, Any]:
    """`source_uri` into `bucket` (same key), unless it is there already; where it went."""
    source_bucket, key = split_s3_uri(source_uri)
    source = _head(source_s3, source_bucket, key)
    if source is None:
        raise DeploymentError(f"no model archive at {source_uri} to copy into {bucket}")
    size, etag = source["ContentLength"], source["ETag"]
    target = {"uri": f"s3://{bucket}/{key}", "source_uri": source_uri, "size_bytes": size}
    found = _head(target_s3, bucket, key)
    recorded = (found or {}).get("Metadata", {})
    if found and found["ContentLength"] == size and recorded.get(ETAG_KEY) == etag:
        return {**target, "sha256": recorded.get(SHA_KEY, ""), "copied": False}
    with tempfile.TemporaryDirectory(prefix="gata-copy-") as scratch:
        path = Path(scratch) / "model.tar.gz"
        source_s3.download_file(source_bucket, key, str(path))
        sha256 = sha256_file(path)
        extra: dict[str, Any] = {
            "Metadata": {SHA_KEY: sha256, ETAG_KEY: etag, SOURCE_KEY: source_uri}
        }
        if kms_key_id:
            extra.update(ServerSideEncryption="aws:kms", SSEKMSKeyId=kms_key_id)
        try:
            target_s3.upload_file(str(path), bucket, key, ExtraArgs=extra)
        except Exception as error:  # boto3's S3UploadFailedError wraps the ClientError
            failed = f"copy of {source_uri} into s3://{bucket} failed: {error}"
            raise DeploymentError(failed) from None
    return {**target, "sha256": sha256, "copied": True}
