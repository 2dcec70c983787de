"""S3 implementation of the artifact store, for the AWS world.

A single PUT (or a completed multipart upload, which boto3's `upload_file` uses for large
files) is atomic in S3: readers see the old object or the whole new one. Server-side
encryption uses the platform's KMS key when one is configured. The client comes from
`AwsResource` (region, endpoint URL for S3-compatible stores, retries). Only a real
not-found means "absent"; any other error fails with AWS's code and message.
"""

from pathlib import Path

from gata_assets.core.hashing import sha256_file
from gata_assets.resources.artifact_store import ArtifactStore, StoredArtifact
from gata_assets.resources.aws import AwsResource, call_failed, is_not_found


def split_s3_uri(uri: str) -> tuple[str, str]:
    """`s3://bucket/some/key` -> ("bucket", "some/key")."""
    bucket, _, key = uri.removeprefix("s3://").partition("/")
    return bucket, key


class S3ArtifactStore(ArtifactStore, AwsResource):
    bucket: str
    prefix: str = "gata"
    kms_key_id: str | None = None

    def _key(self, key: str) -> str:
        return f"{self.prefix.strip('/')}/{key}" if self.prefix else key

    def _split(self, uri: str) -> tuple[str, str]:
        if not uri.startswith("s3://"):
            return self.bucket, self._key(uri)
        return split_s3_uri(uri)

    def uri(self, key: str) -> str:
        return f"s3://{self.bucket}/{self._key(key)}"

    def put_file(self, local_path: Path, key: str) -> StoredArtifact:
        extra: dict[str, str] = {}
        if self.kms_key_id:
            extra = {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": self.kms_key_id}
        self.client("s3").upload_file(str(local_path), self.bucket, self._key(key), ExtraArgs=extra)
        return StoredArtifact(
            self.uri(key), Path(local_path).stat().st_size, sha256_file(local_path)
        )

    def get_file(self, uri: str, local_path: Path) -> Path:
        bucket, key = self._split(uri)
        local_path = Path(local_path)
        local_path.parent.mkdir(parents=True, exist_ok=True)
        staging = local_path.with_name(f".{local_path.name}.partial")
        s3 = self.client("s3")
        try:
            s3.download_file(bucket, key, str(staging))
        except s3.exceptions.ClientError as error:
            if is_not_found(error):
                raise FileNotFoundError(f"no artifact at {uri}: {error}") from error
            raise call_failed(error, f"S3 download of {uri}") from error
        staging.replace(local_path)
        return local_path

    def exists(self, uri: str) -> bool:
        bucket, key = self._split(uri)
        s3 = self.client("s3")
        try:
            s3.head_object(Bucket=bucket, Key=key)
        except s3.exceptions.ClientError as error:
            if is_not_found(error):
                return False
            # A 403 or an exhausted throttle must not read as "absent": callers would take
            # "no champion" or "no model yet" for an answer.
            raise call_failed(error, f"S3 HeadObject of {uri}") from error
        return True

    def list_keys(self, prefix: str) -> list[str]:
        base = self._key("")
        paginator = self.client("s3").get_paginator("list_objects_v2")
        keys = []
        for page in paginator.paginate(Bucket=self.bucket, Prefix=self._key(prefix)):
            keys.extend(item["Key"].removeprefix(base) for item in page.get("Contents", []))
        return sorted(keys)
