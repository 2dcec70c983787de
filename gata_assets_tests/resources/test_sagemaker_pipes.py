"""SageMaker training jobs as Dagster Pipes sessions: what gata-train reports reaches the run
while the job runs, once each and in order, and its metrics arrive as Pipes results.

The job is played by `FakeTrainingJob` (gata-train's real Reporter under the job's
Environment, its lines put to moto's CloudWatch Logs in batches, one per DescribeTrainingJob);
S3 and SSM are moto. Throttling and paging are pinned with a botocore Stubber on the logs client.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

import dagster as dg
import pytest

from gata_assets.resources.sagemaker_request import environment
from gata_assets_tests.defs.sagemaker_training_helpers import (
    BUCKET,
    JOB,
    REGION,
    RUN_ID,
    make_world,
    run_train,
    trainer,
    upload_model,
)
from gata_assets_tests.resources.sagemaker_pipes_helpers import FakeTrainingJob

STEPS = [f"epoch 1/1 step {i}/9 loss 0.{i:04d}" for i in range(1, 10)]


@pytest.fixture
def world(tmp_path, monkeypatch):
    yield from make_world(tmp_path, monkeypatch)


def run_messages(instance: dg.DagsterInstance) -> list[str]:
    """The run's own log lines (not Dagster's events), in order."""
    return [e.user_message for e in instance.all_logs(RUN_ID) if e.dagster_event is None]


def wait_until(condition, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def pipes_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("pipes-") and t.is_alive()]


def test_a_running_jobs_lines_reach_the_run_as_it_runs_once_each_in_order(world, capsys):
    upload_model(world.tmp)
    instance = dg.DagsterInstance.ephemeral()
    steps_while_running: list[int] = []

    def on_describe(poll: int) -> None:
        # Poll 3: the first batch is in CloudWatch (poll 2 wrote it), the rest is not.
        if poll == 3:
            wait_until(lambda: any(m in STEPS for m in run_messages(instance)))
            steps_while_running.append(sum(m in STEPS for m in run_messages(instance)))

    job = FakeTrainingJob(world.tmp, REGION, stream_after=2, on_describe=on_describe)
    result = run_train(world, instance=instance, sagemaker=job)

    assert 0 < steps_while_running[0] < len(STEPS)  # streamed, not read at the end
    messages = run_messages(instance)
    assert [m for m in messages if m in STEPS] == STEPS  # each once, in order
    # The plain logging copies of the same lines stay out of the event log ...
    assert not [m for m in messages if "gata.train:" in m or "plain stdout" in m]
    # ... and go to the step's stderr once, as a local subprocess's would.
    stderr = capsys.readouterr().err
    assert stderr.count("a plain stdout line") == 1
    assert stderr.count(f"gata.train: {STEPS[4]}") == 1
    # The metrics came as a Pipes result (metrics.json has no samples_per_second).
    assert result.metadata["samples_per_second"].value == 812.5
    assert result.metadata["accuracy"].value == 0.97
    assert result.metadata["job_name"].value == JOB
    # The context went in as the `pipes` channel: the run's own, from S3.
    context = world.store.read_json(f"s3://{BUCKET}/gata/training-jobs/{JOB}/pipes/context.json")
    assert context["run_id"] == RUN_ID and context["extras"]["job_name"] == JOB
    assert context["asset_keys"] == ["general_model"]
    assert not pipes_threads()


def test_a_stopped_job_fails_the_run_with_sagemakers_reason_after_its_log(world):
    instance = dg.DagsterInstance.ephemeral()
    stop = {"Status": "Stopped", "StartTime": datetime.now(UTC)}
    stopped = {
        "TrainingJobStatus": "Stopped",
        "SecondaryStatusTransitions": [
            {**stop, "Status": "Training", "StatusMessage": "Training image download completed."},
            {**stop, "StatusMessage": "Training job stopped by user"},
        ],
    }
    job = FakeTrainingJob(world.tmp, REGION, stream_after=0, end=stopped)
    with pytest.raises(dg.Failure) as failure:
        run_train(world, instance=instance, sagemaker=job)
    assert failure.value.description == (
        f"SageMaker training job {JOB} Stopped: Training job stopped by user"
    )
    # What it said before it was stopped is in the run.
    assert [m for m in run_messages(instance) if m in STEPS] == STEPS
    assert not pipes_threads()


def test_a_job_that_never_starts_fails_with_its_failure_reason_without_waiting_long(world):
    reason = "CapacityError: Unable to provision requested ML compute capacity."
    job = FakeTrainingJob(
        world.tmp,
        REGION,
        stream_after=None,
        end={"TrainingJobStatus": "Failed", "FailureReason": reason},
    )
    started = time.monotonic()
    with pytest.raises(dg.Failure) as failure:
        run_train(world, trainer(log_drain_seconds=0.3), sagemaker=job)
    assert failure.value.description == f"SageMaker training job {JOB} Failed: {reason}"
    assert failure.value.metadata["failure_reason"].value == reason
    assert time.monotonic() - started < 5  # no log ever came: it waited the drain, no more
    assert not pipes_threads()


def test_an_environment_value_over_sagemakers_limit_is_refused_by_name():
    with pytest.raises(dg.Failure, match="DAGSTER_PIPES_CONTEXT has 600"):
        environment({"DAGSTER_PIPES_CONTEXT": "x" * 600})
    assert environment({"DAGSTER_PIPES_MESSAGES": "e"})["HF_HUB_OFFLINE"] == "1"
