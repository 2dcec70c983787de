"""The AWS accounts a team would have before running gata, built in moto on loopback.

What Terraform (infra/) creates and a person fills in: a KMS key, the artifact bucket, the
image parameters in SSM, the RDS-managed Aurora master secret (username and password only;
host, port and database come from settings, pointing at the local PostgreSQL), an
EventBridge rule copying gata's events into an SQS queue the test reads, a prod account with
its own bucket that gata reaches through a role, and the environment a Dagster deployment on
ECS would have (`GATA_MODE=aws`, one endpoint URL, one endpoint per model).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import sqlalchemy as sa

from gata_assets_tests.aws_world.moto_world import ACCOUNT, REGION

BUCKET = "gata-artifacts-test"
SECRET_ID = "gata/aurora/reader"
SECRET_PASSWORD = "w0rld-Secret-pw"
FINETUNE_IMAGE = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/gata-finetune:world"
INFERENCE_IMAGE = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/gata-inference:world"
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
PROD_ACCOUNT = "210987654321"
PROD_ROLE_ARN = f"arn:aws:iam::{PROD_ACCOUNT}:role/gata-prod-deployer"
PROD_BUCKET = "gata-prod-artifacts-test"


def client(url: str, service: str) -> Any:
    return boto3.client(
        service,
        endpoint_url=url,
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def prod_client(url: str, service: str) -> Any:
    """A client in the prod account, through the role gata assumes there."""
    sts = client(url, "sts")
    found = sts.assume_role(RoleArn=PROD_ROLE_ARN, RoleSessionName="world-setup")["Credentials"]
    return boto3.client(
        service,
        endpoint_url=url,
        region_name=REGION,
        aws_access_key_id=found["AccessKeyId"],
        aws_secret_access_key=found["SecretAccessKey"],
        aws_session_token=found["SessionToken"],
    )


@dataclass
class Account:
    url: str
    kms_key_id: str
    events_queue_url: str


def build_account(url: str, db_url: str) -> Account:
    """Everything gata expects to exist in the account, as infra/ would leave it."""
    key = client(url, "kms").create_key(Description="gata artifacts")["KeyMetadata"]["KeyId"]
    client(url, "s3").create_bucket(Bucket=BUCKET)
    ssm = client(url, "ssm")
    ssm.put_parameter(Name="/gata/images/finetune/tag", Value=FINETUNE_IMAGE, Type="String")
    ssm.put_parameter(Name="/gata/images/inference/tag", Value=INFERENCE_IMAGE, Type="String")
    # The shape RDS manages for an Aurora master user: nothing but the credentials. The local
    # server trusts loopback, so any password works; it must never show up anywhere.
    secret = {"username": sa.make_url(db_url).username, "password": SECRET_PASSWORD}
    client(url, "secretsmanager").create_secret(Name=SECRET_ID, SecretString=json.dumps(secret))
    sqs = client(url, "sqs")
    queue_url = sqs.create_queue(QueueName="gata-events")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    events = client(url, "events")
    events.put_rule(Name="gata-all", EventPattern=json.dumps({"source": [{"prefix": "gata"}]}))
    events.put_targets(Rule="gata-all", Targets=[{"Id": "queue", "Arn": queue_arn}])
    prod_client(url, "s3").create_bucket(Bucket=PROD_BUCKET)
    return Account(url=url, kms_key_id=key, events_queue_url=queue_url)


def gata_environment(account: Account, home: Path, db_url: str) -> dict[str, str]:
    """A Dagster deployment's environment in AWS mode; nothing local but the instance home."""
    inherited = {k: v for k, v in os.environ.items() if not k.startswith(("GATA_", "DAGSTER_"))}
    inherited = {k: v for k, v in inherited.items() if not k.startswith("AWS_")}
    return {
        **inherited,
        **CREDENTIALS,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ENDPOINT_URL": account.url,
        "GATA_MODE": "aws",
        "GATA_HOME": str(home),
        "DAGSTER_HOME": str(home / "dagster"),
        "GATA_SENSORS": "off",
        "GATA_AWS_ENDPOINT_URL": account.url,
        "GATA_ARTIFACT_BUCKET": BUCKET,
        "GATA_KMS_KEY_ID": account.kms_key_id,
        "GATA_TICKET_DB_SECRET_ID": SECRET_ID,
        "GATA_TICKET_DB_HOST": str(sa.make_url(db_url).host),
        "GATA_TICKET_DB_PORT": str(sa.make_url(db_url).port or 5432),
        "GATA_TICKET_DB_NAME": str(sa.make_url(db_url).database),
        "GATA_ENDPOINT_LAYOUT": "per-model",
        "GATA_PROD_ROLE_ARN": PROD_ROLE_ARN,
        "GATA_PROD_ARTIFACT_BUCKET": PROD_BUCKET,
        "GATA_PROD_SAGEMAKER_ROLE_ARN": f"arn:aws:iam::{PROD_ACCOUNT}:role/gata-endpoint",
        "GATA_SAGEMAKER_TRAINING_ROLE_ARN": f"arn:aws:iam::{ACCOUNT}:role/gata-training",
        "GATA_SAGEMAKER_ROLE_ARN": f"arn:aws:iam::{ACCOUNT}:role/gata-endpoint",
        "GATA_SAGEMAKER_POLL_SECONDS": "0.5",
        "GATA_SAGEMAKER_TRAINING_POLL_SECONDS": "1",
        "GATA_SAGEMAKER_TRAINING_POLL_MAX_SECONDS": "3",
        "GATA_SAGEMAKER_LOG_POLL_SECONDS": "1",
        "GATA_BATCH_TRANSFORM_POLL_SECONDS": "1",
        # The day goes through a Batch Transform job, the path a big help desk's days take.
        "GATA_BATCH_TRANSFORM_MIN_TICKETS": "1",
        "GATA_LOW_VOLUME_MIN_PER_CATEGORY": "3",
        "GATA_TRAIN_EPOCHS": "1",
        "GATA_TRAIN_LOW_VOLUME_EPOCHS": "1",
        "GATA_TRAIN_MAX_LENGTH": "32",
        "GATA_TRAIN_MIN_MACRO_F1": "0",
        "GATA_TRAIN_BASELINE_MARGIN": "-1",
    }


def received_events(account: Account) -> list[dict[str, Any]]:
    """Every gata event EventBridge delivered to the test's queue so far."""
    sqs, seen = client(account.url, "sqs"), []
    while True:
        batch = sqs.receive_message(QueueUrl=account.events_queue_url, MaxNumberOfMessages=10)
        if not batch.get("Messages"):
            return seen
        for message in batch["Messages"]:
            seen.append(json.loads(message["Body"]))
            sqs.delete_message(
                QueueUrl=account.events_queue_url, ReceiptHandle=message["ReceiptHandle"]
            )
