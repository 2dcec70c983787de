"""SageMaker's part in the AWS world scenario: jobs and endpoints that really run gata's code.

moto answers the control plane (names, ARNs, configs); this stand-in does what SageMaker does
behind it, from the requests `moto_world.SageMakerFront` shows it:
- a training job runs the fine-tune container's `train` command (`training_standin.py`) while
  moto reports it InProgress, then Completed or Failed with the container's failure reason;
  StopTrainingJob (which moto lacks) stops the container;
- an endpoint (CreateEndpoint, and UpdateEndpoint, which moto lacks) is Creating/Updating
  until a gata-serve started from its model data answers `/ping`, then InService on the new
  config; a failed update stays InService on the old config with a FailureReason, as
  SageMaker rolls back; invocations are forwarded to that gata-serve;
- a transform job is run by `transform_standin.py` through gata-serve too.
It never lives in the package; `ran` lists what it ran, for the scenario's report.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx
from moto.sagemaker.models import sagemaker_backends

from gata_assets_tests.aws_world.moto_world import REGION
from gata_assets_tests.aws_world.training_standin import TrainingJobRun

ServeFactory = Callable[[str, dict[str, str]], contextlib.AbstractContextManager[str]]


class SageMakerStandIn:
    def __init__(self, clients: Callable[[str], Any], serve: ServeFactory):
        self.clients, self.serve = clients, serve
        self.requests: dict[tuple[str, str, str], dict[str, Any]] = {}
        self.jobs: dict[str, TrainingJobRun] = {}
        self.package_tokens: dict[tuple[str, str], dict[str, Any]] = {}
        self.servers: dict[tuple[str, str], tuple[str, contextlib.ExitStack]] = {}
        self.ran: list[dict[str, Any]] = []
        self.lock = threading.Lock()

    def backend(self, account: str) -> Any:
        return sagemaker_backends[account][REGION]

    # -- the front's hooks ------------------------------------------------------------------
    def amend(self, account: str, action: str, request: dict[str, Any]) -> dict[str, Any]:
        """UpdateModelPackage changes only what it names on AWS (and merges metadata
        properties); moto resets whatever is left out, so fill that in from the package."""
        if action != "UpdateModelPackage":
            return request
        backend = self.backend(account)
        arn = request["ModelPackageArn"]
        package = backend.model_packages[backend.model_package_name_mapping.get(arn, arn)]
        merged = {
            **(package.customer_metadata_properties or {}),
            **request.get("CustomerMetadataProperties", {}),
        }
        return {
            "ModelApprovalStatus": package.model_approval_status,
            "ApprovalDescription": package.approval_description,
            **request,
            "CustomerMetadataProperties": merged,
        }

    def answer(self, account: str, action: str, request: dict[str, Any]) -> dict | None:
        if action == "CreateModelPackage" and request.get("ClientToken"):
            # SageMaker honours the idempotency token (moto does not): the same token gets the
            # package the first call made, so two checks registering at once make one.
            return self.package_tokens.get((account, request["ClientToken"]))
        if action == "StopTrainingJob":
            job = self.backend(account).training_jobs[request["TrainingJobName"]]
            job.training_job_status, job.secondary_status = "Stopping", "Stopping"
            if run := self.jobs.get(request["TrainingJobName"]):
                run.stop()
            return {}
        if action == "UpdateEndpoint":
            endpoint = self.backend(account).endpoints[request["EndpointName"]]
            endpoint.endpoint_status = "Updating"
            self.start(self.roll_out, account, request["EndpointName"], request)
            return {"EndpointArn": endpoint.arn}
        return None

    def handled(self, account: str, action: str, request: dict, response: dict) -> None:
        name = next((v for k, v in request.items() if k.endswith("Name")), "")
        self.requests[(account, action, name)] = request
        if action == "CreateTrainingJob":
            job = self.backend(account).training_jobs[request["TrainingJobName"]]
            job.training_job_status, job.secondary_status = "InProgress", "Training"
            self.start(self.train, account, request)
        elif action == "CreateEndpoint":
            self.backend(account).endpoints[request["EndpointName"]].endpoint_status = "Creating"
            self.start(self.roll_out, account, request["EndpointName"], request)
        elif action == "CreateModelPackage" and request.get("ClientToken"):
            self.package_tokens[(account, request["ClientToken"])] = response
        elif action == "DeleteEndpoint":
            self.stop_server(account, request["EndpointName"])
        elif action == "CreateTransformJob":
            from gata_assets_tests.aws_world.transform_standin import run_transform_job

            # Before the caller hears back: moto would say Completed, with no output yet.
            job = self.backend(account).transform_jobs[request["TransformJobName"]]
            job.transform_job_status = "InProgress"
            self.start(run_transform_job, self, account, request)

    def invoke(self, account: str, endpoint: str, body: bytes, headers: dict) -> tuple[int, bytes]:
        found = self.servers.get((account, endpoint))
        if found is None:
            return 400, json.dumps({"__type": "ValidationError", "message": "no endpoint"}).encode()
        reply = httpx.post(f"{found[0]}/invocations", content=body, headers=headers, timeout=60)
        if reply.status_code == 200:
            return 200, reply.content
        message = f"Received client error ({reply.status_code}) from primary: {reply.text}"
        return 424, json.dumps({"__type": "ModelError", "message": message}).encode()

    # -- what SageMaker does ----------------------------------------------------------------
    def start(self, work: Callable[..., None], *args: Any) -> None:
        threading.Thread(target=work, args=args, daemon=True).start()

    def train(self, account: str, request: dict[str, Any]) -> None:
        name, began = request["TrainingJobName"], time.monotonic()
        run = self.jobs[name] = TrainingJobRun(request, self.clients("s3"), self.clients("logs"))
        try:
            outcome = run.run()
        except Exception as error:  # the stand-in's own fault: the job fails visibly
            outcome = {"TrainingJobStatus": "Failed", "FailureReason": f"stand-in: {error!r}"}
        job = self.backend(account).training_jobs[name]
        job.training_job_status = job.secondary_status = outcome["TrainingJobStatus"]
        job.failure_reason = outcome.get("FailureReason")
        job.billable_time_in_seconds = job.training_time_in_seconds = outcome.get(
            "BillableTimeInSeconds"
        )
        self.record("training job", name, outcome["TrainingJobStatus"], began, lines=run.log_lines)

    def model_of(self, account: str, config_name: str) -> dict[str, Any]:
        config = self.requests[(account, "CreateEndpointConfig", config_name)]
        model_name = config["ProductionVariants"][0]["ModelName"]
        return self.requests[(account, "CreateModel", model_name)]["PrimaryContainer"]

    def roll_out(self, account: str, name: str, request: dict[str, Any]) -> None:
        began, config = time.monotonic(), request["EndpointConfigName"]
        endpoint = self.backend(account).endpoints[name]
        container = self.model_of(account, config)
        stack = contextlib.ExitStack()
        try:
            url = stack.enter_context(
                self.serve(container["ModelDataUrl"], container.get("Environment", {}))
            )
        except Exception as error:
            stack.close()
            endpoint.failure_reason = f"the primary container did not pass the ping: {error}"
            old = endpoint.endpoint_config_name != config or (account, name) in self.servers
            endpoint.endpoint_status = "InService" if old else "Failed"
            self.record("endpoint", name, "failed", began, config=config)
            return
        self.stop_server(account, name)
        self.servers[(account, name)] = (url, stack)
        endpoint.endpoint_config_name = config
        endpoint.endpoint_status = "InService"
        self.record("endpoint", name, "InService", began, config=config, url=url)

    def stop_server(self, account: str, name: str) -> None:
        if found := self.servers.pop((account, name), None):
            found[1].close()

    def record(self, kind: str, name: str, outcome: str, began: float, **details: Any) -> None:
        with self.lock:
            seconds = round(time.monotonic() - began, 1)
            self.ran.append(
                {"kind": kind, "name": name, "outcome": outcome, "s": seconds, **details}
            )

    def close(self) -> None:
        for key in list(self.servers):
            self.stop_server(*key)
        for run in self.jobs.values():
            run.stop()
