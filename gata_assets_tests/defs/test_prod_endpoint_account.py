"""`prod_endpoint` deploys through `prod_deployer`, never preprod's `deployer`, and says where.

Against moto: approved versions go to SageMaker in the prod account through the assumed
role, and the materialization's metadata names that account and role; with a file deployer
per key, only the prod one is ever asked.
"""

import boto3
import dagster as dg
import pytest
from moto import mock_aws

from gata_assets.defs.automation.promotion import prod_endpoint
from gata_assets.defs.common import REFS_IO_MANAGER
from gata_assets.resources.artifact_store import LocalArtifactStore
from gata_assets.resources.refs_io_manager import ArtifactRefIOManager
from gata_assets.resources.registry import SqlModelRegistry
from gata_assets.resources.s3_artifact_store import S3ArtifactStore
from gata_assets.resources.sagemaker_deployer import SageMakerDeployer
from gata_assets_tests.defs.deployer_helpers import FileDeployer
from gata_assets_tests.helpers import register_servable
from gata_assets_tests.resources.prod_account_helpers import (
    LOCATION,
    PROD,
    PROD_ROLE,
    prod_clients,
)
from gata_assets_tests.resources.sagemaker_stubs import IMAGE, REGION, stored_model_pair


def approved_registry(tmp_path, uris: dict[str, str]) -> SqlModelRegistry:
    registry = SqlModelRegistry(url=f"sqlite:///{tmp_path / 'gata.db'}")
    for role, uri in uris.items():
        register_servable(registry, f"{role}-1", role, uri, metrics={"fallback": False})
    return registry


def promote(resources: dict) -> dg.ExecuteInProcessResult:
    return dg.materialize([prod_endpoint], resources=resources)


def test_metadata_names_the_prod_account_and_the_role_assumed(tmp_path, monkeypatch):
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(key, "testing")
    with mock_aws():
        boto3.client("s3", region_name=REGION).create_bucket(Bucket="gata-artifacts", **LOCATION)
        boto3.client("ssm", region_name=REGION).put_parameter(
            Name="/gata/images/inference/tag", Value=IMAGE, Type="String"
        )
        [prod_s3] = prod_clients("s3")
        prod_s3.create_bucket(Bucket="gata-prod-artifacts", **LOCATION)
        store = S3ArtifactStore(bucket="gata-artifacts", region_name=REGION)
        uris = {role: m["uri"] for role, m in stored_model_pair(store, tmp_path).items()}
        prod = SageMakerDeployer(
            region_name=REGION,
            role_arn=f"arn:aws:iam::{PROD}:role/gata-endpoint",
            poll_seconds=0,
            assume_role_arn=PROD_ROLE,
            artifact_bucket="gata-prod-artifacts",
        )
        preprod = FileDeployer(path=str(tmp_path / "preprod.json"))
        result = promote(
            {
                "registry": approved_registry(tmp_path, uris),
                "artifact_store": store,
                "deployer": preprod,
                "prod_deployer": prod,
                REFS_IO_MANAGER: ArtifactRefIOManager(store=store),
            }
        )
    [materialization] = result.asset_materializations_for_node("prod_endpoint")
    metadata = {key: value.value for key, value in materialization.metadata.items()}
    assert metadata["account_id"] == PROD and metadata["assumed_role_arn"] == PROD_ROLE
    assert metadata["endpoint_arn"].startswith(f"arn:aws:sagemaker:{REGION}:{PROD}:endpoint/")
    assert metadata["layout"] == "router" and preprod.serving("gata-prod") is None


@pytest.mark.parametrize("layout", ["router", "per-model"])
def test_only_the_prod_deployer_is_asked(tmp_path, layout):
    store = LocalArtifactStore(root=str(tmp_path / "artifacts"))
    registry = approved_registry(tmp_path, {r: f"file:///m/{r}" for r in ("general", "low_volume")})
    preprod = FileDeployer(path=str(tmp_path / "preprod.json"))
    prod = FileDeployer(path=str(tmp_path / "prod.json"), layout=layout)
    result = promote(
        {
            "registry": registry,
            "artifact_store": store,
            "deployer": preprod,
            "prod_deployer": prod,
            REFS_IO_MANAGER: ArtifactRefIOManager(store=store),
        }
    )
    assert prod.serving("gata-prod") == {"general": "general-1", "low_volume": "low_volume-1"}
    assert preprod.serving("gata-prod") is None
    [materialization] = result.asset_materializations_for_node("prod_endpoint")
    assert materialization.metadata["assumed_role_arn"].value == "(the run's own credentials)"
    assert materialization.metadata["layout"].value == layout
