"""An AWS account in moto where transform jobs really run, for the batch scoring tests.

`TransformWorld` is what a test gets: the S3 store under a KMS key, the inference image in
SSM, served models in S3, the `SageMakerBatchScoring` resource and the transform stand-in.
`in_process_serve` plays the container without a server: gata-serve's real app on the job's
real model archive and Environment, called through Starlette's TestClient (fallback models
load without torch), so these tests stay in the fast loop.
"""

from __future__ import annotations

import contextlib
import itertools
import tarfile
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from starlette.testclient import TestClient

from gata_assets.core.references import ServingModel
from gata_assets.ml.routing import Ticket
from gata_assets.ml.serve import entrypoint
from gata_assets.ml.serve.app import create_app
from gata_assets.ml.serve.service import ModelPaths, RoutingService
from gata_assets.resources.s3_artifact_store import S3ArtifactStore
from gata_assets.resources.sagemaker_batch_transform import SageMakerBatchScoring
from gata_assets_tests.aws_world.serve_standin import split_s3_uri
from gata_assets_tests.aws_world.transform_standin import TransformStandin
from gata_assets_tests.serving_fixtures import make_fallback_dir

REGION, BUCKET = "eu-west-1", "gata-artifacts"
ROLE = "arn:aws:iam::123456789012:role/gata-sagemaker"
IMAGE = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/gata-inference:7"
CLIENTS: dict[str, TestClient] = {}
_numbers = itertools.count()


def client(service: str) -> Any:
    return boto3.client(service, region_name=REGION)


def options_from(environment: Mapping[str, str]):
    """gata-serve's options as its entrypoint derives them from this Environment."""
    argv = [
        item
        for flag, variable, *_ in entrypoint.TUNING
        if variable in environment
        for item in (flag, environment[variable])
    ]
    args = entrypoint.parse_args(argv)
    return entrypoint.serve_options(args), args.min_confidence


@contextlib.contextmanager
def in_process_serve(model_data_url: str, environment: Mapping[str, str]) -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="gata-test-container-") as scratch:
        bucket, key = split_s3_uri(model_data_url)
        client("s3").download_file(bucket, key, f"{scratch}/model.tar.gz")
        with tarfile.open(f"{scratch}/model.tar.gz") as archive:
            archive.extractall(f"{scratch}/model", filter="data")
        options, min_confidence = options_from(environment)
        service = RoutingService(ModelPaths.from_dir(Path(scratch) / "model"), min_confidence)
        service.load()
        url = f"http://container-{next(_numbers)}"
        with TestClient(create_app(service, options), base_url=url) as test_client:
            CLIENTS[url] = test_client
            try:
                yield url
            finally:
                CLIENTS.pop(url)


def call_container(url: str, body: bytes, headers: Mapping[str, str]) -> tuple[int, bytes]:
    reply = CLIENTS[url].post("/invocations", content=body, headers=dict(headers))
    return reply.status_code, reply.content


@dataclass
class TransformWorld:
    store: S3ArtifactStore
    models: dict[str, ServingModel]
    scoring: SageMakerBatchScoring
    standin: TransformStandin
    kms_key: str


def build_world(
    root: Path,
    monkeypatch: Any,
    roles: tuple[str, ...] = ("general", "low_volume"),
    standin: TransformStandin | None = None,
) -> TransformWorld:
    """Call inside `mock_aws`. `standin`: the in-process container unless given."""
    client("s3").create_bucket(
        Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION}
    )
    kms_key = client("kms").create_key()["KeyMetadata"]["KeyId"]
    client("ssm").put_parameter(Name="/gata/images/inference/tag", Value=IMAGE, Type="String")
    store = S3ArtifactStore(bucket=BUCKET, region_name=REGION, kms_key_id=kms_key)
    models = {
        role: ServingModel(
            uri=store.put_dir(make_fallback_dir(root / role, role), f"models/{role}/v1").uri,
            model_version=f"{role}-v1",
        )
        for role in roles
    }
    standin = standin or TransformStandin(lambda: client("s3"), in_process_serve, call_container)
    scoring = SageMakerBatchScoring(
        region_name=REGION,
        role_arn=ROLE,
        min_transform_tickets=5,
        poll_seconds=0.01,
        kms_key_id=kms_key,
    )
    return TransformWorld(store, models, scoring, standin.install(monkeypatch), kms_key)


def day_tickets(count: int, text: str = "ticket") -> list[Ticket]:
    return [
        Ticket(f"{text} {n}: the printer on floor {n % 3} jams", 1000 + n) for n in range(count)
    ]
