"""SageMaker trainer: gata-train as a SageMaker training job (GPU, managed spot, checkpoints).

The job runs the fine-tune image (`containers/finetune`), whose `train` command is gata-train,
so the code and the contract are the ones the local trainer runs. What SageMaker adds:

- the request built in sagemaker_request.py: image from SSM (`image_tags.resolve_image`),
  S3 channels, managed spot with checkpoints, KMS, optional VPC, network isolation;
- a job name derived from what it trains (asset, data hashes, hyperparameters, image; see
  `trainer.training_identity`), not from the run (sagemaker_job.py): InProgress, a retried,
  re-executed or restarted run re-attaches and waits; Completed, its output is reused, nothing
  is paid twice; Failed or Stopped, a fresh job under the next `-r<n>` name (same checkpoint
  folder, so it resumes). A terminated Dagster run stops its job (`StopTrainingJob`);
- a Dagster Pipes session around the job, as the local trainer has around its subprocess
  (sagemaker_pipes.py): the context goes in as the `pipes` channel, gata-train's log lines and
  progress come back from the job's CloudWatch log while it runs, and its final metrics arrive
  as Pipes results, into the materialization's metadata;
- `FailureReason` (gata-train's failure file) becomes the Dagster failure; billable seconds
  and spot savings become metadata; `model.tar.gz` is pulled back and unpacked.

Clients come from `AwsResource` (region, endpoint URL, retries), created when first used.
"""

from pathlib import Path
from typing import Any

import dagster as dg

from gata_assets.core.references import SplitRef
from gata_assets.resources.artifact_store import ArtifactStore
from gata_assets.resources.aws import AwsResource
from gata_assets.resources.cloudwatch_tail import LogTail
from gata_assets.resources.image_tags import ImageNotResolved, resolve_image
from gata_assets.resources.sagemaker_job import failure_reason, find_job, finish, unpack_model
from gata_assets.resources.sagemaker_pipes import (
    CONTEXT_FILE,
    ChannelContextInjector,
    CloudWatchMessageReader,
)
from gata_assets.resources.sagemaker_request import job_metadata, training_job_request
from gata_assets.resources.trainer import (
    Trainer,
    TrainingResult,
    identity_job_name,
    training_identity,
)

# What find_job's status means for this run: it created the job, re-attached, or reused.
JOB_ORIGIN = {None: "created", "Completed": "reused"}


class SageMakerTrainer(Trainer, AwsResource):
    """Trains on SageMaker; needs the S3 artifact store (channels and outputs live there)."""

    role_arn: str = ""
    """Execution role of the training jobs (GATA_SAGEMAKER_TRAINING_ROLE_ARN)."""
    image_tag_parameter: str = "/gata/images/finetune/tag"
    """SSM parameter holding the fine-tune image tag (or a full image URI)."""
    image_repository: str = ""
    """ECR repository URL the tag belongs to (unused when the parameter holds a full URI)."""
    name_prefix: str = "gata"
    """Job names start with `<prefix>-` (the IAM policies are scoped to it)."""
    instance_type: str = "ml.g6.xlarge"
    instance_count: int = 1
    volume_size_gb: int = 30
    use_spot: bool = True
    max_runtime_seconds: int = 7200
    max_wait_seconds: int = 0
    """Spot only: how long to wait for capacity plus run; 0 means twice the max runtime."""
    kms_key_id: str | None = None
    subnet_ids: list[str] = []
    security_group_ids: list[str] = []
    network_isolation: bool = True
    """gata-train needs no network: the base model is baked into the image."""
    poll_initial_seconds: float = 15.0
    poll_max_seconds: float = 120.0
    log_poll_seconds: float = 5.0
    """How often the job's CloudWatch log is read while it talks."""
    log_poll_max_seconds: float = 60.0
    """A quiet log is read less and less often, down to this; also caps throttling waits."""
    log_drain_seconds: float = 60.0
    """After the job ended: how long to wait for the rest of its log (CloudWatch lags)."""

    # -- request --------------------------------------------------------------------------
    def resolve_image(self) -> str:
        try:
            return resolve_image(
                self.client("ssm"),
                self.image_tag_parameter,
                self.image_repository,
                "GATA_FINETUNE_IMAGE_REPOSITORY",
            )
        except ImageNotResolved as error:
            raise dg.Failure(description=str(error), allow_retries=False) from None

    def max_wait(self) -> int:
        return self.max_wait_seconds or 2 * self.max_runtime_seconds

    def training_job_request(self, **request: Any) -> dict[str, Any]:
        """See `sagemaker_request.training_job_request` (the keyword arguments)."""
        return training_job_request(self, **request)

    def check_inputs(self, train_ref: SplitRef) -> None:
        """Fail before any AWS call when this trainer cannot run at all."""
        if not self.role_arn:
            raise dg.Failure(
                description="the SageMaker trainer has no execution role: set "
                "GATA_SAGEMAKER_TRAINING_ROLE_ARN",
                allow_retries=False,
            )
        if not str(train_ref.uri).startswith("s3://"):
            raise dg.Failure(
                description="the SageMaker trainer needs the S3 artifact store "
                f"(train set at {train_ref.uri}): set GATA_MODE=aws",
                allow_retries=False,
            )

    def finish(self, context: Any, job_name: str) -> dict[str, Any]:
        polls = (self.poll_initial_seconds, self.poll_max_seconds)
        return finish(context, self.client("sagemaker"), job_name, *polls)

    def run_session(
        self,
        context: Any,
        extras: dict[str, str],
        new_job: dict[str, Any] | None,
        store: ArtifactStore,
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """The job, created from `new_job` (request arguments) or else attached to, followed as
        a Pipes session: (the ended job, the metadata gata-train reported through Pipes)."""
        job_name = extras["job_name"]
        injector = ChannelContextInjector(store, f"training-jobs/{job_name}/pipes/{CONTEXT_FILE}")
        tail = LogTail(self.client("logs"), job_name)
        reader = CloudWatchMessageReader(
            tail,
            poll_seconds=self.log_poll_seconds,
            poll_max_seconds=self.log_poll_max_seconds,
            drain_seconds=self.log_drain_seconds,
            log=context.log,
        )
        with dg.open_pipes_session(context, injector, reader, extras) as session:
            if new_job is not None:
                self.client("sagemaker").create_training_job(
                    **self.training_job_request(
                        **new_job,
                        job_name=job_name,
                        pipes_context_uri=injector.uri,
                        pipes_env=session.get_bootstrap_env_vars(),
                    )
                )
                context.log.info(
                    f"started SageMaker training job {job_name} on {self.instance_type}"
                    f"{' (spot)' if self.use_spot else ''}"
                )
            context.log.info(f"following its log: {tail.log_group} {tail.prefix}*")
            job = self.finish(context, job_name)
        reported: dict[str, Any] = {}
        for result in dg.PipesClientCompletedInvocation(session).get_results():
            reported.update(getattr(result, "metadata", None) or {})
        return job, reported

    def train(
        self,
        context: dg.AssetExecutionContext,
        *,
        group: str,
        train_ref: SplitRef,
        test_ref: SplitRef,
        hyperparameters: dict[str, Any],
        artifact_store: ArtifactStore,
        work_dir: Path,
    ) -> TrainingResult:
        from gata_assets.ml.model_card import read_metrics

        self.check_inputs(train_ref)
        run_id = context.run.run_id
        asset_name = context.asset_key.to_python_identifier()
        image = self.resolve_image()
        identity = training_identity(asset_name, train_ref, test_ref, hyperparameters, image)
        base_name = identity_job_name(asset_name, identity, prefix=self.name_prefix)
        job_name, status = find_job(context, self.client("sagemaker"), base_name)
        new_job = {
            "image": image,
            "output_uri": artifact_store.uri("training-jobs"),
            # Shared by every attempt at these inputs: a fresh attempt resumes.
            "checkpoint_uri": artifact_store.uri(f"checkpoints/{base_name}"),
            "train_uri": train_ref.uri,
            "test_uri": test_ref.uri,
            "hyperparameters": hyperparameters,
            "tags": {"gata:group": group, "dagster:run-id": run_id, "dagster:asset": asset_name},
        }
        reported: dict[str, Any] = {}
        if status == "Completed":  # nothing runs, so there is no session to hear from
            job = self.finish(context, job_name)
        else:  # a new job (no status yet) or one to re-attach to
            extras = {"group": group, "job_name": job_name}  # as the local trainer's
            job, reported = self.run_session(
                context, extras, None if status else new_job, artifact_store
            )
        metadata = job_metadata(job, self.region_name)
        # Reused: this run paid for nothing (the cost meter prices it at 0.0).
        metadata["job_origin"] = dg.MetadataValue.text(JOB_ORIGIN.get(status, "attached"))
        if job["TrainingJobStatus"] != "Completed":
            raise dg.Failure(
                description=f"SageMaker training job {job_name} {job['TrainingJobStatus']}: "
                f"{failure_reason(job)}",
                metadata=metadata,
                allow_retries=False,
            )
        model_dir = unpack_model(job, artifact_store, Path(work_dir))
        return TrainingResult(
            model_dir=model_dir,
            metrics=read_metrics(model_dir),
            metadata={**reported, **metadata},
            job_name=job_name,
        )
