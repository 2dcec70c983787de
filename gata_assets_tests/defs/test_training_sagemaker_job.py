"""The SageMaker trainer: SageMaker stubbed (botocore Stubber validates every request against
the real API model), SSM and S3 mocked by moto.

Pins the conversation: describe by the deterministic job name (re-attach if it exists), image
tag from SSM, CreateTrainingJob with spot + checkpoint + max runtime + KMS + VPC and the Pipes
session's channel and environment, waiting, FailureReason surfaced as the Dagster failure,
model.tar.gz pulled back and unpacked.
"""

from __future__ import annotations

from types import SimpleNamespace

import dagster as dg
import pytest
from dagster_pipes import encode_param

from gata_assets_tests.defs.sagemaker_training_helpers import (
    BUCKET,
    JOB,
    KMS,
    REPOSITORY,
    ROLE,
    RUN_ID,
    described,
    job_name,
    make_world,
    not_found,
    run_train,
    upload_model,
)


@pytest.fixture
def world(tmp_path, monkeypatch):
    yield from make_world(tmp_path, monkeypatch)


def expected_request(world, name: str = JOB) -> dict:
    pipes_uri = f"s3://{BUCKET}/gata/training-jobs/{name}/pipes/context.json"

    def channel(name: str) -> dict:
        return {
            "ChannelName": name,
            "DataSource": {
                "S3DataSource": {
                    "S3DataType": "S3Prefix",
                    "S3Uri": world.refs[name].uri if name != "pipes" else pipes_uri,
                    "S3DataDistributionType": "FullyReplicated",
                }
            },
            "ContentType": "application/json" if name == "pipes" else "application/x-parquet",
            "CompressionType": "None",
            "InputMode": "File",
        }

    return {
        "TrainingJobName": name,
        "AlgorithmSpecification": {
            "TrainingImage": f"{REPOSITORY}:3f2c1ab",  # tag from SSM
            "TrainingInputMode": "File",
        },
        "RoleArn": ROLE,
        "InputDataConfig": [channel("train"), channel("test"), channel("pipes")],
        "OutputDataConfig": {"S3OutputPath": f"s3://{BUCKET}/gata/training-jobs", "KmsKeyId": KMS},
        "ResourceConfig": {
            "InstanceType": "ml.g6.xlarge",
            "InstanceCount": 1,
            "VolumeSizeInGB": 30,
            "VolumeKmsKeyId": KMS,
        },
        "StoppingCondition": {"MaxRuntimeInSeconds": 7200, "MaxWaitTimeInSeconds": 14400},
        "EnableManagedSpotTraining": True,
        "CheckpointConfig": {
            "S3Uri": f"s3://{BUCKET}/gata/checkpoints/{JOB}",
            "LocalPath": "/opt/ml/checkpoints",
        },
        "EnableNetworkIsolation": True,
        "HyperParameters": {
            "epochs": "3",
            "learning_rate": "0.0001",
            "freeze_embeddings": "true",
            "group": "general",
        },
        "Environment": {
            "HF_HUB_OFFLINE": "1",
            "TOKENIZERS_PARALLELISM": "false",
            # As dagster_pipes reads them: the context file in the `pipes` channel, and
            # messages on stderr, which SageMaker ships to CloudWatch.
            "DAGSTER_PIPES_CONTEXT": encode_param(
                {"path": "/opt/ml/input/data/pipes/context.json", "channel": "pipes"}
            ),
            "DAGSTER_PIPES_MESSAGES": encode_param({"stdio": "stderr"}),
        },
        "Tags": [
            {"Key": "gata:group", "Value": "general"},
            {"Key": "dagster:run-id", "Value": RUN_ID},
            {"Key": "dagster:asset", "Value": "general_model"},
        ],
        "VpcConfig": {"Subnets": ["subnet-0a1b2c3d"], "SecurityGroupIds": ["sg-0a1b2c3d"]},
    }


def test_new_job_spot_checkpoint_kms_vpc_then_model_pulled_back(world):
    upload_model(world.tmp)
    not_found(world.stub)
    world.stub.add_response(
        "create_training_job",
        {"TrainingJobArn": described("InProgress", "Starting")["TrainingJobArn"]},
        expected_params=expected_request(world),
    )
    for status, secondary in (("InProgress", "Downloading"), ("InProgress", "Training")):
        world.stub.add_response(
            "describe_training_job", described(status, secondary), {"TrainingJobName": JOB}
        )
    world.stub.add_response(
        "describe_training_job",
        described("Completed", "Completed", BillableTimeInSeconds=600, TrainingTimeInSeconds=1800),
        {"TrainingJobName": JOB},
    )
    result = run_train(world)
    assert result.job_name == JOB and JOB.startswith("gata-general-model-")
    assert result.metrics == {"accuracy": 0.97, "macro_f1": 0.96}
    assert (result.model_dir / "gata_model.json").is_file()
    assert sorted(p.name for p in result.model_dir.iterdir()) == [
        "gata_model.json",
        "labels.json",
        "metrics.json",
    ]
    assert result.metadata["billable_seconds"].value == 600
    assert result.metadata["spot_savings_percent"].value == pytest.approx(66.7)
    assert result.metadata["spot"].value is True
    assert result.metadata["job_origin"].value == "created"


def test_a_new_run_reattaches_to_the_running_job_for_the_same_inputs(world):
    upload_model(world.tmp)
    # A retried run (another run id) trains the same inputs: same name, no CreateTrainingJob.
    for status in ("InProgress", "InProgress"):
        world.stub.add_response(
            "describe_training_job", described(status, "Training"), {"TrainingJobName": JOB}
        )
    world.stub.add_response(
        "describe_training_job",
        described("Completed", "Completed", BillableTimeInSeconds=900, TrainingTimeInSeconds=900),
        {"TrainingJobName": JOB},
    )
    result = run_train(world)
    assert result.job_name == JOB and result.metrics["macro_f1"] == 0.96
    assert result.metadata["spot_savings_percent"].value == 0.0
    assert result.metadata["job_origin"].value == "attached"


def test_a_completed_job_for_the_same_inputs_is_reused_not_paid_again(world):
    upload_model(world.tmp)
    done = described("Completed", "Completed", BillableTimeInSeconds=600)
    world.stub.add_response("describe_training_job", done, {"TrainingJobName": JOB})
    world.stub.add_response("describe_training_job", done, {"TrainingJobName": JOB})
    result = run_train(world)  # the Stubber fails on any CreateTrainingJob
    assert result.job_name == JOB and result.metrics["macro_f1"] == 0.96
    assert result.metadata["job_origin"].value == "reused"  # priced at 0.0 by the asset


@pytest.mark.parametrize("dead", ["Failed", "Stopped"])
def test_after_a_failed_or_stopped_job_a_fresh_one_starts_under_a_new_name(world, dead):
    upload_model(world.tmp)
    world.stub.add_response(
        "describe_training_job", described(dead, dead), {"TrainingJobName": JOB}
    )
    retry = job_name(attempt=1)
    not_found(world.stub, retry)
    request = expected_request(world, retry)
    world.stub.add_response(
        "create_training_job", {"TrainingJobArn": "arn:x"}, expected_params=request
    )
    world.stub.add_response(
        "describe_training_job",
        described("Completed", "Completed", BillableTimeInSeconds=60),
        {"TrainingJobName": retry},
    )
    result = run_train(world)
    assert result.job_name == retry and retry.endswith("-r1") and retry != JOB
    # The same checkpoint folder as the first attempt: the fresh job resumes from it.
    assert request["CheckpointConfig"]["S3Uri"].endswith(f"checkpoints/{JOB}")


def test_a_terminated_run_stops_its_job(world, monkeypatch):
    import gata_assets.resources.sagemaker_job as module

    not_found(world.stub)
    world.stub.add_response("create_training_job", {"TrainingJobArn": "arn:x"}, None)
    world.stub.add_response(
        "describe_training_job", described("InProgress", "Training"), {"TrainingJobName": JOB}
    )
    world.stub.add_response("stop_training_job", {}, {"TrainingJobName": JOB})

    def terminated(_seconds):
        raise dg.DagsterExecutionInterruptedError()

    monkeypatch.setattr(module, "time", SimpleNamespace(sleep=terminated))
    with pytest.raises(dg.DagsterExecutionInterruptedError):
        run_train(world)


def test_failure_reason_becomes_the_dagster_failure(world):
    not_found(world.stub)
    world.stub.add_response("create_training_job", {"TrainingJobArn": "arn:x"}, None)
    reason = "AlgorithmError: test channel has label(s) not in train: 99"
    world.stub.add_response(
        "describe_training_job",
        described("Failed", "Failed", FailureReason=reason, BillableTimeInSeconds=60),
        {"TrainingJobName": JOB},
    )
    with pytest.raises(dg.Failure) as failure:
        run_train(world)
    assert reason in failure.value.description and JOB in failure.value.description
    assert failure.value.metadata["failure_reason"].value == reason
