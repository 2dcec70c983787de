"""S3 implementation of the artifact store, for the AWS world.

A single PUT (or a completed multipart upload, which boto3's `upload_file` uses for large
files) is atomic in S3: readers see the old object or the whole new one. Server-side
encryption uses the platform's KMS key when one is configured. boto3 is imported lazily so
loading the Dagster definitions stays fast.
"""

from functools import cached_property
from pathlib import Path
from typing import Any

from gata_assets.core.hashing import sha256_file
from gata_assets.resources.artifact_store import ArtifactStore, StoredArtifact


class S3ArtifactStore(ArtifactStore):
    bucket: str
    prefix: str = "gata"
    region_name: str | None = None
    kms_key_id: str | None = None
    # For S3-compatible endpoints and tests against moto's server.
    endpoint_url: str | None = None

    @cached_property
    def _client(self) -> Any:
        import boto3

        return boto3.client("s3", region_name=self.region_name, endpoint_url=self.endpoint_url)

    def _key(self, key: str) -> str:
        return f"{self.prefix.strip('/')}/{key}" if self.prefix else key

    def _split(self, uri: str) -> tuple[str, str]:
        if not uri.startswith("s3://"):
            return self.bucket, self._key(uri)
        bucket, _, key = uri.removeprefix("s3://").partition("/")
        return bucket, key

    def uri(self, key: str) -> str:
        return f"s3://{self.bucket}/{self._key(key)}"

    def put_file(self, local_path: Path, key: str) -> StoredArtifact:
        extra: dict[str, str] = {}
        if self.kms_key_id:
            extra = {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": self.kms_key_id}
        self._client.upload_file(str(local_path), self.bucket, self._key(key), ExtraArgs=extra)
        return StoredArtifact(
            self.uri(key), Path(local_path).stat().st_size, sha256_file(local_path)
        )

    def get_file(self, uri: str, local_path: Path) -> Path:
        bucket, key = self._split(uri)
        local_path = Path(local_path)
        local_path.parent.mkdir(parents=True, exist_ok=True)
        staging = local_path.with_name(f".{local_path.name}.partial")
        try:
            self._client.download_file(bucket, key, str(staging))
        except self._client.exceptions.ClientError as error:
            raise FileNotFoundError(f"no artifact at {uri}: {error}") from error
        staging.replace(local_path)
        return local_path

    def exists(self, uri: str) -> bool:
        bucket, key = self._split(uri)
        try:
            self._client.head_object(Bucket=bucket, Key=key)
        except self._client.exceptions.ClientError:
            return False
        return True

    def list_keys(self, prefix: str) -> list[str]:
        base = self._key("")
        paginator = self._client.get_paginator("list_objects_v2")
        keys = []
        for page in paginator.paginate(Bucket=self.bucket, Prefix=self._key(prefix)):
            keys.extend(item["Key"].removeprefix(base) for item in page.get("Contents", []))
        return sorted(keys)
