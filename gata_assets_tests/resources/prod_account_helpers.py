"""The prod account of the prod-deploy tests: its role, and clients acting through it in moto."""

from __future__ import annotations

import boto3

from gata_assets_tests.resources.sagemaker_stubs import REGION

PROD = "210987654321"
PROD_ROLE = f"arn:aws:iam::{PROD}:role/gata-prod-deployer"
LOCATION = {"CreateBucketConfiguration": {"LocationConstraint": REGION}}


def prod_clients(*services: str) -> list:
    """Clients acting in the prod account, as a person with the role would have them."""
    given = boto3.client("sts", region_name=REGION).assume_role(
        RoleArn=PROD_ROLE, RoleSessionName="test-setup"
    )["Credentials"]
    keys = {
        "aws_access_key_id": given["AccessKeyId"],
        "aws_secret_access_key": given["SecretAccessKey"],
        "aws_session_token": given["SessionToken"],
    }
    return [boto3.client(service, region_name=REGION, **keys) for service in services]
