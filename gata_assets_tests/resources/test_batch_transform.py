"""Big days on SageMaker Batch Transform, against moto with the transform stand-in.

moto records the calls; the stand-in runs each job through gata-serve's real app on the
job's real model archive (`batch_transform_helpers`). Checked: the threshold, what the job
is asked for (JSON Lines, MultiRecord, KMS everywhere), answers equal to routing in process,
and the names that make a retry re-attach, reuse or (after a failure) start `-r<n>`.
"""

from __future__ import annotations

import logging
import tarfile
import threading
import time

import pytest
from moto import mock_aws

from gata_assets.ml.routing import Ticket
from gata_assets.resources.batch_scoring import BatchScoringError, DayRouting, route_in_process
from gata_assets.resources.s3_artifact_store import split_s3_uri
from gata_assets_tests.resources.batch_transform_helpers import (
    IMAGE,
    build_world,
    client,
    day_tickets,
)

log = logging.getLogger("test-batch-transform")
DAY = "2026-05-02"
COMPARED = ("label", "category", "confidence", "route")


@pytest.fixture
def world(tmp_path, monkeypatch):
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(key, "testing")
    with mock_aws():
        world = build_world(tmp_path, monkeypatch)
        yield world
        world.standin.release.set()
        world.standin.join()


def routing(world, min_confidence: float = 0.3) -> DayRouting:
    return DayRouting(DAY, world.models, min_confidence, "triage")


def test_a_big_day_runs_as_one_transform_job_and_answers_as_in_process(world):
    tickets = day_tickets(12)
    scored = world.scoring.score(tickets, routing(world), world.store, log)
    here = route_in_process(tickets, routing(world), world.store)
    assert [[a[k] for k in COMPARED] for a in scored.answers] == [
        [a[k] for k in COMPARED] for a in here
    ]
    details = scored.details
    assert (
        details["scoring"] == "batch_transform" and details["batch_transform/origin"] == "created"
    )
    assert (
        details["batch_transform/instance_type"],
        details["batch_transform/instance_count"],
    ) == (
        "ml.m5.xlarge",
        1,
    )
    job = client("sagemaker").describe_transform_job(
        TransformJobName=details["batch_transform/job_name"]
    )
    assert details["batch_transform/job_arn"] == job["TransformJobArn"]
    span = (job["TransformEndTime"] - job["TransformStartTime"]).total_seconds()
    assert details["batch_transform/billable_seconds"] == pytest.approx(span, abs=1e-3)
    assert job["TransformInput"]["ContentType"] == "application/jsonlines"
    assert job["TransformInput"]["SplitType"] == "Line"
    assert (job["BatchStrategy"], job["MaxPayloadInMB"]) == ("MultiRecord", 1)
    assert job["TransformOutput"]["Accept"] == "application/jsonlines"
    assert job["TransformOutput"]["AssembleWith"] == "Line"
    assert job["TransformOutput"]["KmsKeyId"] == world.kms_key
    assert job["TransformResources"]["VolumeKmsKeyId"] == world.kms_key
    assert job["Environment"]["GATA_SERVE_MIN_CONFIDENCE"] == "0.3"
    model = client("sagemaker").describe_model(ModelName=job["ModelName"])
    assert model["PrimaryContainer"]["Image"] == IMAGE
    [ran] = world.standin.ran
    assert (ran["TransformJobStatus"], ran["records"], ran["requests"]) == ("Completed", 12, 1)
    s3 = client("s3")
    for uri in (
        job["TransformInput"]["DataSource"]["S3DataSource"]["S3Uri"],
        job["TransformOutput"]["S3OutputPath"],
    ):
        bucket, prefix = split_s3_uri(uri)
        [stored] = s3.list_objects_v2(Bucket=bucket, Prefix=prefix)["Contents"]
        head = s3.head_object(Bucket=bucket, Key=stored["Key"])
        assert (head["ServerSideEncryption"], head["SSEKMSKeyId"]) == ("aws:kms", world.kms_key)


def test_a_small_day_stays_in_the_run_worker(world):
    scored = world.scoring.score(day_tickets(5), routing(world), world.store, log)
    assert scored.details == {"scoring": "in_process"} and len(scored.answers) == 5
    assert client("sagemaker").list_transform_jobs()["TransformJobSummaries"] == []


def test_a_rerun_reuses_the_completed_job_instead_of_paying_twice(world):
    first = world.scoring.score(day_tickets(8), routing(world), world.store, log)
    again = world.scoring.score(day_tickets(8), routing(world), world.store, log)
    assert again.details["batch_transform/origin"] == "reused"
    assert again.details["batch_transform/job_name"] == first.details["batch_transform/job_name"]
    assert again.answers == first.answers and len(world.standin.ran) == 1


def test_a_second_run_attaches_to_the_job_still_running(world):
    world.standin.release.clear()  # the job stays InProgress until released
    results: dict[str, object] = {}

    def run(key: str) -> None:
        results[key] = world.scoring.score(day_tickets(9), routing(world), world.store, log)

    first = threading.Thread(target=run, args=("first",))
    first.start()
    sm = client("sagemaker")
    deadline = time.monotonic() + 30
    while not sm.list_transform_jobs()["TransformJobSummaries"] and time.monotonic() < deadline:
        time.sleep(0.02)
    [summary] = sm.list_transform_jobs()["TransformJobSummaries"]
    assert summary["TransformJobStatus"] == "InProgress"
    second = threading.Thread(target=run, args=("second",))
    second.start()
    time.sleep(0.3)
    world.standin.release.set()
    first.join(30)
    second.join(30)
    origins = {key: r.details["batch_transform/origin"] for key, r in results.items()}
    assert origins == {"first": "created", "second": "attached"}
    assert results["first"].answers == results["second"].answers
    assert len(world.standin.ran) == 1


def test_a_failed_job_fails_the_day_with_its_reason_and_the_retry_starts_r2(world):
    world.standin.fail_next = "AlgorithmError: the container ran out of memory"
    with pytest.raises(BatchScoringError, match="failed: AlgorithmError: the container ran out"):
        world.scoring.score(day_tickets(7), routing(world), world.store, log)
    retry = world.scoring.score(day_tickets(7), routing(world), world.store, log)
    name = retry.details["batch_transform/job_name"]
    assert name.endswith("-r2") and retry.details["batch_transform/origin"] == "created"
    assert [r["TransformJobStatus"] for r in world.standin.ran] == ["Failed", "Completed"]


def test_the_name_follows_what_is_predicted(world):
    def name(tickets, min_confidence=0.3) -> str:
        scored = world.scoring.score(tickets, routing(world, min_confidence), world.store, log)
        return scored.details["batch_transform/job_name"]

    base = name(day_tickets(6))
    assert name(day_tickets(6, text="other")) != base  # other input
    assert name(day_tickets(6), min_confidence=0.5) != base  # other threshold, other answers
    assert name(day_tickets(6)) == base


def test_a_general_model_alone_is_served_from_the_archive_root(tmp_path, monkeypatch):
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(key, "testing")
    with mock_aws():
        world = build_world(tmp_path, monkeypatch, roles=("general",))
        scored = world.scoring.score(day_tickets(6), routing(world), world.store, log)
        world.standin.join()
        job = client("sagemaker").describe_transform_job(
            TransformJobName=scored.details["batch_transform/job_name"]
        )
        data = client("sagemaker").describe_model(ModelName=job["ModelName"])
        url = data["PrimaryContainer"]["ModelDataUrl"]
        world.store.get_file(url, tmp_path / "model.tar.gz")
    with tarfile.open(tmp_path / "model.tar.gz") as archive:
        assert "gata_model.json" in archive.getnames()
    assert [a["route"] for a in scored.answers] == ["fallback"] * 6


def test_a_transform_job_needs_the_model_role(world):
    unroled = world.scoring.model_copy(update={"role_arn": ""})
    with pytest.raises(BatchScoringError, match="GATA_SAGEMAKER_ROLE_ARN"):
        unroled.score(day_tickets(6), routing(world), world.store, log)


def test_personal_data_never_reaches_the_transform_input(world):
    tickets = [*day_tickets(5), Ticket("refund to jane.doe@example.com please", 77)]
    redacting = DayRouting(DAY, world.models, 0.3, "triage", redact_pii=True)
    scored = world.scoring.score(tickets, redacting, world.store, log)
    job = client("sagemaker").describe_transform_job(
        TransformJobName=scored.details["batch_transform/job_name"]
    )
    bucket, prefix = split_s3_uri(job["TransformInput"]["DataSource"]["S3DataSource"]["S3Uri"])
    [item] = client("s3").list_objects_v2(Bucket=bucket, Prefix=prefix)["Contents"]
    stored = client("s3").get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
    assert b"jane.doe" not in stored and b"refund to <EMAIL> please" in stored
    assert scored.answers[-1]["id"] == 77
