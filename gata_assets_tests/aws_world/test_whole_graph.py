"""The AWS world as a whole: every asset with GATA_MODE=aws, through the Dagster CLI and `gata`.

One scenario, in the order a team lives it: retrain (extract from PostgreSQL with the Aurora
secret → S3 under KMS → a SageMaker training job per model, run by the stand-in with gata's
container command → blocking checks → model packages → preprod serverless endpoint), approve
both versions with `gata models approve`, promote prod, predict a day in batch, and read the
events EventBridge delivered. A `dagster-daemon` runs the run-event sensors, as on ECS.
Only the test's stand-in (`sagemaker_standin.py`) plays SageMaker; everything gata does goes
through boto3 to moto's server on 127.0.0.1.
"""

from __future__ import annotations

import json
import subprocess
import time
import uuid
from pathlib import Path

import dagster as dg
import pytest
import sqlalchemy as sa

from gata_assets_tests.aws_world.moto_world import ACCOUNT
from gata_assets_tests.aws_world.world_setup import (
    BUCKET,
    INFERENCE_IMAGE,
    PROD_ACCOUNT,
    PROD_BUCKET,
    SECRET_PASSWORD,
    client,
    prod_client,
    received_events,
)
from gata_assets_tests.integration.dagster_processes import (
    AUTOMATION_OFF,
    BackgroundProcess,
    executable,
)

REPO = Path(__file__).resolve().parents[2]
PRINTED: list[str] = []  # every command's output, to look for the database password
pytestmark = [pytest.mark.aws_world, pytest.mark.postgres]


def run(env: dict[str, str], *command: str, timeout: float = 400) -> str:
    done = subprocess.run(
        list(command), cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert done.returncode == 0, f"{command}:\n{done.stdout[-3000:]}\n{done.stderr[-5000:]}"
    PRINTED.append(done.stdout + done.stderr)
    return done.stdout + done.stderr


def dagster(env: dict[str, str], *args: str) -> str:
    return run(env, executable("dagster"), *args, "-w", "workspace.yaml")


def launch(env: dict[str, str], job: str, timeout: float = 600, **tags: str) -> list[str]:
    """`dagster job launch`, as a deployment's daemon would run it, then wait for the end."""
    run_id = str(uuid.uuid4())
    extra = ["--tags", json.dumps(tags)] if tags else []
    dagster(env, "job", "launch", "-j", job, "--run-id", run_id, *extra)
    deadline = time.monotonic() + timeout
    with dg.DagsterInstance.from_config(env["DAGSTER_HOME"]) as instance:
        while (found := instance.get_run_by_id(run_id)) is None or not found.is_finished:
            assert time.monotonic() < deadline, f"{job} still {found and found.status}"
            time.sleep(2)
        records = instance.all_logs(run_id)
    messages = [e.user_message or "" for e in records]
    PRINTED.append("\n".join(messages))
    assert found.status == dg.DagsterRunStatus.SUCCESS, "\n".join(step_errors(records))
    return messages


def step_errors(records: list) -> list[str]:
    """Each failed step's error and its causes, innermost last."""
    lines = []
    for record in records:
        event = record.dagster_event
        if event is not None and event.event_type_value == "STEP_FAILURE":
            error = event.step_failure_data.error
            while error is not None:
                lines.append(f"{record.step_key}: {error.message.strip()} {error.stack[-1:]}")
                error = error.cause
    return lines


def events_until(account, wanted: set[str], timeout: float = 120) -> list[dict]:
    """gata's events as EventBridge delivered them, once every `wanted` job has one."""
    seen: list[dict] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        seen += received_events(account)
        if wanted <= {e["detail"].get("job_name") for e in seen}:
            break
        time.sleep(3)
    return seen


def latest(env: dict[str, str], key: str) -> dict:
    with dg.DagsterInstance.from_config(env["DAGSTER_HOME"]) as instance:
        event = instance.get_latest_materialization_event(dg.AssetKey(key))
        assert event is not None, f"{key} was not materialized"
        return {k: v.value for k, v in event.asset_materialization.metadata.items()}


def busiest_day(db_url: str) -> str:
    engine = sa.create_engine(db_url)
    with engine.connect() as conn:
        day = conn.execute(
            sa.text(
                "SELECT date(created_at) AS d FROM tickets GROUP BY d "
                "ORDER BY count(*) DESC LIMIT 1"
            )
        ).scalar_one()
    engine.dispose()
    return str(day)


def test_retrain_approve_promote_and_predict_a_day_on_aws(aws_world, tmp_path):
    env = {**aws_world.env, **AUTOMATION_OFF}
    for sensor in ("run_succeeded_events", "run_failed_events"):
        dagster(env, "sensor", "start", sensor)
    daemon = BackgroundProcess(
        [executable("dagster-daemon"), "run", "-w", "workspace.yaml"], env, tmp_path / "daemon.log"
    )
    try:
        scenario(env, aws_world, daemon)
    finally:
        daemon.stop()


def scenario(env: dict[str, str], aws_world, daemon: BackgroundProcess) -> None:
    phases, began = {}, time.monotonic()
    for phase in (retrain, approve_and_promote, predict_a_day):
        phase(env, aws_world)
        phases[phase.__name__], began = round(time.monotonic() - began, 1), time.monotonic()
    print("\nphase seconds:", phases)
    events = events_until(aws_world.account, {"retrain", "promote_prod", "batch_inference"})
    by_job = {e["detail"].get("job_name"): e for e in events}
    assert {"retrain", "promote_prod", "batch_inference"} <= set(by_job), daemon.tail()
    retrained = by_job["retrain"]
    assert retrained["source"] == "gata" and retrained["detail-type"] == "gata.run.succeeded"
    assert retrained["detail"]["cost"]["total_usd"] > 0  # two SageMaker jobs, priced
    assert not any(SECRET_PASSWORD in text for text in [*PRINTED, daemon.tail(10**7)])
    print("\nstand-in ran:", json.dumps(aws_world.standin.ran, indent=1, default=str))


def retrain(env: dict[str, str], aws_world) -> None:
    """Extract with the master secret, two SageMaker jobs under Pipes, checks, registry,
    one preprod endpoint per model."""
    account, standin = aws_world.account, aws_world.standin
    messages = launch(env, "retrain")
    trained = [r for r in standin.ran if r["kind"] == "training job"]
    assert sorted(r["outcome"] for r in trained) == ["Completed", "Completed"], standin.ran
    # gata-train's own lines, read back from the jobs' CloudWatch streams through Pipes.
    assert any(m.startswith("training general: ") for m in messages)
    assert any(m.startswith("low_volume: accuracy ") for m in messages)
    general = latest(env, "general_model")
    assert general["job_name"].startswith("gata-") and general["cost_usd"] > 0
    assert "samples_per_second" in general  # a Pipes result, not in metrics.json

    s3 = client(account.url, "s3")
    listed = s3.list_objects_v2(Bucket=BUCKET, Prefix="gata/")["Contents"]
    head = s3.head_object(Bucket=BUCKET, Key=listed[0]["Key"])
    assert head["ServerSideEncryption"] == "aws:kms"

    preprod = latest(env, "routing_endpoint")
    sagemaker = client(account.url, "sagemaker")
    for name in ("gata-router-general", "gata-router-low-volume"):
        assert sagemaker.describe_endpoint(EndpointName=name)["EndpointStatus"] == "InService"
    assert preprod["general_endpoint_arn"].startswith(f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:")


def approve_and_promote(env: dict[str, str], aws_world) -> None:
    """`gata models approve` each version, then prod in its own account, invoked by `gata`."""
    versions = json.loads(run(env, executable("gata"), "models", "list", "--json"))
    assert {v["group"] for v in versions} == {"general", "low_volume"}
    sagemaker = client(aws_world.account.url, "sagemaker")
    for version in versions:
        run(env, executable("gata"), "models", "approve", version["version"])
    packages = sagemaker.list_model_packages(ModelPackageGroupName="gata-ticket-routing")
    for summary in packages["ModelPackageSummaryList"]:
        package = sagemaker.describe_model_package(ModelPackageName=summary["ModelPackageArn"])
        assert package["ModelApprovalStatus"] == "Approved"
        [container] = package["InferenceSpecification"]["Containers"]
        assert container["Image"] == INFERENCE_IMAGE
    launch(env, "promote_prod")
    prod = latest(env, "prod_endpoint")
    assert prod["account_id"] == PROD_ACCOUNT
    prod_sagemaker = prod_client(aws_world.account.url, "sagemaker")
    status = prod_sagemaker.describe_endpoint(EndpointName="gata-prod-general")["EndpointStatus"]
    assert status == "InService"
    assert not sagemaker.list_endpoints(NameContains="gata-prod")["Endpoints"]
    copied = prod_client(aws_world.account.url, "s3").list_objects_v2(Bucket=PROD_BUCKET)
    assert any(o["Key"].endswith("model.tar.gz") for o in copied["Contents"])
    answer = run(env, executable("gata"), "endpoints", "invoke", "--prod", "--json", "VPN down")
    [prediction] = json.loads(answer[answer.index("[") :])
    assert prediction["category"] and prediction["route"]


def predict_a_day(env: dict[str, str], aws_world) -> None:
    """The busiest day through a Batch Transform job, read back into the same Parquet."""
    day = busiest_day(aws_world.db_url)
    launch(env, "batch_inference", **{"dagster/partition": day})
    predicted = latest(env, "batch_predictions")
    assert predicted["dagster/row_count"] > 0 and predicted["scoring"] == "batch_transform"
    assert predicted["uri"].startswith(f"s3://{BUCKET}/")
    assert predicted["cost_basis"]["transform"]["instance_type"] == "ml.m5.xlarge"
    [job] = [r for r in aws_world.standin.ran if r["kind"] == "transform job"]
    assert job["outcome"] == "Completed" and job["records"] == predicted["dagster/row_count"]
