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

from gata_assets_tests.aws_world.world_setup import (
    BUCKET,
    SECRET_PASSWORD,
    client,
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


def launch(env: dict[str, str], job: str, timeout: float = 600, **tags: str) -> None:
    """`dagster job launch`, as a deployment's daemon would run it, then wait for the end."""
    run_id = str(uuid.uuid4())
    extra = ["--tags", json.dumps(tags)] if tags else []
    dagster(env, "job", "launch", "-j", job, "--run-id", run_id, *extra)
    deadline = time.monotonic() + timeout
    with dg.DagsterInstance.from_config(env["DAGSTER_HOME"]) as instance:
        while (found := instance.get_run_by_id(run_id)) is None or not found.is_finished:
            assert time.monotonic() < deadline, f"{job} still {found and found.status}"
            time.sleep(2)
        messages = [e.user_message or "" for e in instance.all_logs(run_id)]
    PRINTED.append("\n".join(messages))
    failures = [m for m in messages if "fail" in m.lower() or "error" in m.lower()]
    assert found.status == dg.DagsterRunStatus.SUCCESS, "\n".join(failures[-20:])


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
    account, standin = aws_world.account, aws_world.standin
    launch(env, "retrain")
    trained = [r for r in standin.ran if r["kind"] == "training job"]
    assert sorted(r["outcome"] for r in trained) == ["Completed", "Completed"], standin.ran
    assert all(r["lines"] > 0 for r in trained)  # the container's log reached CloudWatch
    general = latest(env, "general_model")
    assert general["job_name"].startswith("gata-")

    s3 = client(account.url, "s3")
    listed = s3.list_objects_v2(Bucket=BUCKET, Prefix="gata/")["Contents"]
    head = s3.head_object(Bucket=BUCKET, Key=listed[0]["Key"])
    assert head["ServerSideEncryption"] == "aws:kms"

    preprod = latest(env, "routing_endpoint")
    sagemaker = client(account.url, "sagemaker")
    assert sagemaker.describe_endpoint(EndpointName=preprod["endpoint"])["EndpointStatus"] == (
        "InService"
    )

    versions = json.loads(run(env, executable("gata"), "models", "list", "--json"))
    assert {v["group"] for v in versions} == {"general", "low_volume"}
    for version in versions:
        run(env, executable("gata"), "models", "approve", version["version"])
    launch(env, "promote_prod")
    prod = latest(env, "prod_endpoint")
    reply = client(account.url, "sagemaker-runtime").invoke_endpoint(
        EndpointName=prod["endpoint"],
        ContentType="application/json",
        Body=json.dumps({"instances": [{"text": "I cannot log in to the VPN"}]}),
    )
    [prediction] = json.loads(reply["Body"].read())["predictions"]
    assert prediction["category"]

    day = busiest_day(aws_world.db_url)
    launch(env, "batch_inference", **{"dagster/partition": day})
    predicted = latest(env, "batch_predictions")
    assert predicted["dagster/row_count"] > 0
    assert predicted["uri"].startswith(f"s3://{BUCKET}/")

    events = events_until(account, {"retrain", "promote_prod"})
    by_job = {e["detail"].get("job_name"): e for e in events}
    assert {"retrain", "promote_prod"} <= set(by_job), (events, daemon.tail())
    retrained = by_job["retrain"]
    assert retrained["source"] == "gata" and retrained["detail-type"] == "gata.run.succeeded"
    assert retrained["detail"]["cost"]["total_usd"] > 0  # two SageMaker jobs, priced
    assert not any(SECRET_PASSWORD in text for text in [*PRINTED, daemon.tail(10**7)])
    print("\nstand-in ran:", json.dumps(standin.ran, indent=1, default=str))
