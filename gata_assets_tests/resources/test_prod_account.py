"""Prod in its own account (seed 003), against moto's STS, S3, KMS and SageMaker.

moto files every call under the account of the caller's access key, and AssumeRole hands
out keys of the role ARN's account, so the prod endpoint provably lands in the other
account's backend while the image parameter and the archive's source stay in the run's
own. The archive is copied into the prod bucket once (encrypted with the prod key), and the
assumed credentials renew before they expire.
"""

import hashlib
import logging
from datetime import UTC, datetime, timedelta

import boto3
import pytest
from moto import mock_aws
from moto.sagemaker.models import sagemaker_backends
from moto.sts.models import sts_backends

from gata_assets.resources import assumed_role, model_tarball
from gata_assets.resources.artifact_copy import SHA_KEY, copy_archive
from gata_assets.resources.deployer import EndpointSpec
from gata_assets.resources.model_tarball import tarball_key
from gata_assets.resources.s3_artifact_store import S3ArtifactStore
from gata_assets.resources.sagemaker_deployer import SageMakerDeployer
from gata_assets_tests.resources.prod_account_helpers import (
    LOCATION,
    PROD,
    PROD_ROLE,
    prod_clients,
)
from gata_assets_tests.resources.sagemaker_stubs import ACCOUNT, IMAGE, REGION, stored_model_pair

log = logging.getLogger("test-prod-account")


@pytest.fixture
def accounts(tmp_path, monkeypatch):
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(key, "testing")
    with mock_aws():
        boto3.client("s3", region_name=REGION).create_bucket(Bucket="gata-artifacts", **LOCATION)
        boto3.client("ssm", region_name=REGION).put_parameter(
            Name="/gata/images/inference/tag", Value=IMAGE, Type="String"
        )
        s3, kms = prod_clients("s3", "kms")
        s3.create_bucket(Bucket="gata-prod-artifacts", **LOCATION)
        key = kms.create_key(Description="gata prod artifacts")["KeyMetadata"]["KeyId"]
        store = S3ArtifactStore(bucket="gata-artifacts", region_name=REGION)
        models = stored_model_pair(store, tmp_path)
        prod = SageMakerDeployer(
            region_name=REGION,
            role_arn=f"arn:aws:iam::{PROD}:role/gata-endpoint",
            poll_seconds=0,
            assume_role_arn=PROD_ROLE,
            external_id="gata-7",
            artifact_bucket="gata-prod-artifacts",
            artifact_kms_key_id=key,
        )
        yield prod, store, EndpointSpec("gata-prod", models), s3, key


def test_prod_endpoint_lives_in_the_prod_account_with_its_own_copy_of_the_archive(accounts):
    prod, store, spec, prod_s3, key = accounts
    deployed = prod.deploy(spec, store, log)
    assert deployed["account_id"] == PROD and deployed["assumed_role_arn"] == PROD_ROLE
    assert "gata-prod" in sagemaker_backends[PROD][REGION].endpoints
    assert sagemaker_backends[ACCOUNT][REGION].endpoints == {}  # nothing in the run's own
    assumed = [r for r in sts_backends[PROD]["aws"].assumed_roles if r.external_id == "gata-7"]
    assert assumed and assumed[0].role_arn == PROD_ROLE

    source = store.uri(tarball_key(spec.units("router")[0]))
    target = f"s3://gata-prod-artifacts/{source.removeprefix('s3://gata-artifacts/')}"
    assert deployed["model_data_url"] == target and deployed["model_source_url"] == source
    assert deployed["model_data_copied"] is True
    (prod_sm,) = prod_clients("sagemaker")
    container = prod_sm.describe_model(ModelName=deployed["model_name"])["PrimaryContainer"]
    assert container["ModelDataUrl"] == target  # the prod model never reads preprod's bucket
    head = prod_s3.head_object(Bucket="gata-prod-artifacts", Key=target.split("/", 3)[3])
    assert head["ServerSideEncryption"] == "aws:kms" and key in head["SSEKMSKeyId"]
    assert head["Metadata"][SHA_KEY] == hashlib.sha256(store.read_bytes(source)).hexdigest()


def test_the_copy_is_made_once_and_again_when_the_target_differs(accounts):
    _, store, spec, prod_s3, key = accounts
    (unit,) = spec.units("router")
    source = model_tarball.ensure(unit, store)
    home_s3 = store.client("s3")
    first = copy_archive(home_s3, source, prod_s3, "gata-prod-artifacts", key)
    again = copy_archive(home_s3, source, prod_s3, "gata-prod-artifacts", key)
    assert (first["copied"], again["copied"]) == (True, False)
    assert again["sha256"] == first["sha256"] and again["uri"] == first["uri"]
    prod_s3.put_object(Bucket="gata-prod-artifacts", Key=first["uri"].split("/", 3)[3], Body=b"x")
    assert copy_archive(home_s3, source, prod_s3, "gata-prod-artifacts", key)["copied"] is True


def test_assumed_credentials_renew_before_they_expire(accounts):
    sts = boto3.client("sts", region_name=REGION)
    now = [datetime.now(UTC)]
    fetch = assumed_role.assume_role_fetcher(sts, PROD_ROLE, "gata-7", seconds=3600)
    credentials = assumed_role.refreshing_credentials(fetch, clock=lambda: now[0])
    first = credentials.get_frozen_credentials().access_key
    assert credentials.get_frozen_credentials().access_key == first  # still fresh: reused
    now[0] += timedelta(minutes=50)  # inside the last 15 minutes: botocore asks again
    assert credentials.get_frozen_credentials().access_key != first
    session = assumed_role.session_with(credentials, REGION)
    assert session.client("sts").get_caller_identity()["Account"] == PROD
