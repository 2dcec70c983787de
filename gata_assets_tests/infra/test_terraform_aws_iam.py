"""The IAM behind gata's newer AWS pieces, checked against what gata's own code asks AWS for:
a Batch Transform day (run for real in moto: the job, its model and every S3 key it touches),
the SageMaker Pipes log tail and context channel, registry package archives and the cost
meter's CloudWatch read. Each call is allowed for the role that makes it, and the same call
on something that is not gata's is not."""

from __future__ import annotations

import logging
import re

import pytest
from moto import mock_aws

from gata_assets.options import OPTIONS
from gata_assets.resources import cost_meter
from gata_assets.resources.batch_scoring import DayRouting
from gata_assets.resources.cloudwatch_tail import LogTail
from gata_assets.resources.s3_artifact_store import S3ArtifactStore
from gata_assets.resources.sagemaker_package import archive_key
from gata_assets.resources.sagemaker_pipes import CONTEXT_FILE, ChannelContextInjector
from gata_assets.resources.trainer import identity_job_name
from gata_assets_tests.infra.hcl_helpers import REPO
from gata_assets_tests.infra.policy_helpers import (
    ACCOUNT,
    BUCKET,
    KMS_KEY,
    REGION,
    allowing,
    condition,
    resolve,
    role_statements,
    s3_arn,
)
from gata_assets_tests.resources.batch_transform_helpers import build_world, client, day_tickets

LOGS = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:"
RESOURCES = REPO / "gata_assets" / "resources"


def _calls(module: str, receiver: str) -> set[str]:
    """The AWS calls a module makes on `receiver` (`sm.create_model(` -> CreateModel)."""
    found = re.findall(rf"{receiver}\.([a-z_]+)\(", (RESOURCES / module).read_text())
    return {"".join(part.title() for part in name.split("_")) for name in found}


@pytest.fixture
def transform_day(tmp_path, monkeypatch) -> dict:
    """One big day scored by a real transform job in moto: what gata asked for and wrote."""
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(key, "testing")
    with mock_aws():
        world = build_world(tmp_path, monkeypatch)
        day = DayRouting("2026-12-03", world.models, 0.3, "triage")
        scored = world.scoring.score(day_tickets(8), day, world.store, logging.getLogger("iam"))
        world.standin.join()
        sm = client("sagemaker")
        job = sm.describe_transform_job(TransformJobName=scored.details["batch_transform/job_name"])
        listed = client("s3").list_objects_v2(Bucket=BUCKET)["Contents"]
        return {
            "job": job,
            "model": sm.describe_model(ModelName=job["ModelName"]),
            "keys": [f"s3://{BUCKET}/{item['Key']}" for item in listed],
            "scoring": world.scoring,
        }


def _io(day: dict) -> tuple[str, list[str], list[str]]:
    source = day["job"]["TransformInput"]["DataSource"]["S3DataSource"]["S3Uri"]
    output = day["job"]["TransformOutput"]["S3OutputPath"]
    inputs = [s3_arn(k) for k in day["keys"] if k.startswith(source)]
    outputs = [s3_arn(k) for k in day["keys"] if k.startswith(output)]
    assert inputs and outputs
    return source, inputs, outputs


def test_the_run_worker_may_start_follow_and_read_its_transform_job(config, transform_day):
    task = role_statements(config, "dagster_code")
    job, model = transform_day["job"], transform_day["model"]
    arns = {"TransformJob": job["TransformJobArn"], "Model": model["ModelArn"]}
    calls = _calls("sagemaker_batch_transform.py", "sm") | _calls("transform_model.py", "sm")
    assert calls == {"CreateTransformJob", "DescribeTransformJob", "CreateModel", "DescribeModel"}
    for call in calls:
        arn = next(a for kind, a in arns.items() if call.endswith(kind))
        assert allowing(task, f"sagemaker:{call}", arn), call
    # A retry's "-r<n>" job too; nobody else's jobs, and no StopTransformJob (gata never stops).
    (start,) = allowing(task, "sagemaker:CreateTransformJob", f"{arns['TransformJob']}-r2")
    foreign = arns["TransformJob"].replace("/gata-bt-", "/team-bt-")
    assert allowing(task, "sagemaker:CreateTransformJob", foreign) == []
    assert allowing(task, "sagemaker:StopTransformJob", arns["TransformJob"]) == []
    # Cost guard on the instance type gata is configured with, and gata's key on both.
    types = condition(start, "sagemaker:InstanceTypes")
    assert types["test"] == "ForAllValues:StringEquals"
    assert types["values"] == ["${var.batch_transform_instance_type}"]
    default = config.variables["batch_transform_instance_type"]["default"]
    assert default == OPTIONS["GATA_BATCH_TRANSFORM_INSTANCE_TYPE"].default
    assert job["TransformResources"]["InstanceType"] == default
    environment = config.locals["gata_environment"]
    assert environment["GATA_BATCH_TRANSFORM_INSTANCE_TYPE"] == types["values"][0]
    for key in ("sagemaker:OutputKmsKey", "sagemaker:VolumeKmsKey"):
        assert condition(start, key)["values"] == [environment["GATA_KMS_KEY_ID"]], key
    kms = transform_day["scoring"].kms_key_id
    assert job["TransformOutput"]["KmsKeyId"] == job["TransformResources"]["VolumeKmsKeyId"] == kms
    # Uploading under the key, and the grant SageMaker makes on the caller's behalf for volumes.
    assert allowing(task, "kms:GenerateDataKey", KMS_KEY)
    (grant,) = allowing(task, "kms:CreateGrant", KMS_KEY)
    assert condition(grant, "kms:GrantIsForAWSResource")["values"] == ["true"]
    # It writes the input and the models' archive, and reads the answers back.
    _, inputs, outputs = _io(transform_day)
    for arn in [*inputs, s3_arn(model["PrimaryContainer"]["ModelDataUrl"])]:
        assert allowing(task, "s3:PutObject", arn), arn
    for arn in outputs:
        assert allowing(task, "s3:GetObject", arn), arn


def test_the_transform_job_reads_its_input_and_writes_only_its_output(config, transform_day):
    job, model = transform_day["job"], transform_day["model"]
    assert model["ExecutionRoleArn"] == transform_day["scoring"].role_arn
    role = config.locals["gata_environment"]["GATA_SAGEMAKER_ROLE_ARN"]
    assert role == "${aws_iam_role.sagemaker_inference.arn}"
    runs_as = role_statements(config, "sagemaker_inference")
    source, inputs, outputs = _io(transform_day)
    (listing,) = allowing(runs_as, "s3:ListBucket", f"arn:aws:s3:::{BUCKET}")
    prefixes = [resolve(config, v, {}) for v in condition(listing, "s3:prefix")["values"]]
    key = source.removeprefix(f"s3://{BUCKET}/")
    assert any(re.fullmatch(p.replace("*", ".*"), key) for p in prefixes), (key, prefixes)
    for arn in [*inputs, s3_arn(model["PrimaryContainer"]["ModelDataUrl"])]:
        assert allowing(runs_as, "s3:GetObject", arn), arn
        assert allowing(runs_as, "s3:PutObject", arn) == [], f"{arn} is input, never output"
    for arn in outputs:
        assert allowing(runs_as, "s3:PutObject", arn), arn
    for action in ("kms:Decrypt", "kms:GenerateDataKey", "kms:Encrypt"):
        assert allowing(runs_as, action, KMS_KEY), action
    stream = f"{LOGS}/aws/sagemaker/TransformJobs:log-stream:{job['TransformJobName']}/i-0abc"
    for action in ("logs:CreateLogStream", "logs:PutLogEvents"):
        assert allowing(runs_as, action, stream), action
    assert allowing(runs_as, "logs:PutLogEvents", stream.replace(":gata-bt-", ":team-bt-")) == []


def test_a_training_run_follows_its_jobs_log_and_hands_it_the_pipes_context(config):
    job = identity_job_name("general_model", "1a2b3c4d5e6f7a8b9c0d")
    task, training = (
        role_statements(config, "dagster_code"),
        role_statements(config, "sagemaker_training"),
    )
    tail = LogTail(None, job)
    assert _calls("cloudwatch_tail.py", "self.client") == {"DescribeLogStreams", "GetLogEvents"}
    # DescribeLogStreams on the group's ":*" ARN, GetLogEvents on the stream's.
    assert allowing(task, "logs:DescribeLogStreams", f"{LOGS}{tail.log_group}:*")
    stream = f"{LOGS}{tail.log_group}:log-stream:{tail.prefix}1764730000"
    assert allowing(task, "logs:GetLogEvents", stream)
    assert allowing(task, "logs:GetLogEvents", stream.replace(f":{job}/", ":team-job/")) == []
    store = S3ArtifactStore(bucket=BUCKET, region_name=REGION)
    # The key SageMakerTrainer.run_session hands its injector.
    context = s3_arn(ChannelContextInjector(store, f"training-jobs/{job}/pipes/{CONTEXT_FILE}").uri)
    assert allowing(task, "s3:PutObject", context)
    assert allowing(training, "s3:GetObject", context)  # the job's `pipes` channel
    assert allowing(training, "kms:Decrypt", KMS_KEY)


def test_registry_packages_are_written_by_the_run_and_readable_by_the_model_role(config):
    store = S3ArtifactStore(bucket=BUCKET, region_name=REGION)
    archive = s3_arn(store.uri(archive_key(store, store.uri("models/general/v1"))))
    assert "/gata/packages/models/general/v1/" in archive
    task = role_statements(config, "dagster_code")
    for action in ("s3:PutObject", "s3:GetObject"):  # HeadObject is authorized as GetObject
        assert allowing(task, action, archive), action
    model_role = role_statements(config, "sagemaker_inference")
    assert allowing(model_role, "s3:GetObject", archive)
    assert allowing(model_role, "kms:Decrypt", KMS_KEY)


def test_the_cost_meter_may_read_endpoint_metrics_and_nothing_else_of_cloudwatch(config):
    assert _calls("cost_meter.py", r'client\("cloudwatch"\)') == {"GetMetricStatistics"}
    assert cost_meter.NAMESPACE == "AWS/SageMaker"
    task = role_statements(config, "dagster_code")
    (read,) = allowing(task, "cloudwatch:GetMetricStatistics", "*")
    assert read["actions"] == ["cloudwatch:GetMetricStatistics"]
    # No condition: cloudwatch:namespace is PutMetricData's only; on a read it would deny.
    assert "condition" not in read
    granted = {a for s in task for a in s["actions"] if a.startswith("cloudwatch:")}
    assert granted == {"cloudwatch:GetMetricStatistics"}
