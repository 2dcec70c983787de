# Inputs. The first group mirrors the variables of the Step Functions modules gata replaces
# (same names, same defaults); the rest are what a Dagster-on-ECS deployment needs.
# Every variable is described in README.md.

# --- Mirrored from the original modules -----------------------------------------------------

variable "train_on_spot" {
  description = "Train on managed spot capacity (EnableManagedSpotTraining), with checkpoints so a reclaimed job resumes."
  type        = bool
  default     = false
}

variable "finetune_instance_type" {
  description = "SageMaker instance type of the fine-tune training jobs."
  type        = string
  default     = "ml.g6.xlarge"

  validation {
    condition     = can(regex("^ml\\.[a-z0-9]+\\.[a-z0-9]+$", var.finetune_instance_type))
    error_message = "finetune_instance_type must be a SageMaker instance type such as ml.g6.xlarge."
  }
}

variable "finetune_max_exec" {
  description = "MaxRuntimeInSeconds of a fine-tune training job."
  type        = number
  default     = 7200

  validation {
    condition     = var.finetune_max_exec >= 60 && var.finetune_max_exec <= 2419200
    error_message = "finetune_max_exec must be between 60 s and 28 days (2419200 s)."
  }
}

variable "log_retention_days" {
  description = "Retention of gata's CloudWatch log groups, in days (a value CloudWatch Logs accepts)."
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be one of the values CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)."
  }
}

variable "low_volume_fallback_label" {
  description = "Category the low-volume model predicts when the low-volume group is too small to train (GATA_LOW_VOLUME_FALLBACK_LABEL)."
  type        = string
  default     = "triage"

  validation {
    condition     = length(trimspace(var.low_volume_fallback_label)) > 0
    error_message = "low_volume_fallback_label must not be empty."
  }
}

variable "role_namespace" {
  description = "Optional prefix for every IAM role name (e.g. an organisation's required role prefix such as \"app-\")."
  type        = string
  default     = ""

  validation {
    condition     = can(regex("^[A-Za-z0-9+=,.@_-]{0,24}$", var.role_namespace))
    error_message = "role_namespace may use letters, digits and +=,.@_- and be at most 24 characters."
  }
}

variable "role_permissions_boundary" {
  description = "Optional ARN of a managed policy set as permissions boundary on every IAM role; empty for none."
  type        = string
  default     = ""

  validation {
    condition     = var.role_permissions_boundary == "" || can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:policy/", var.role_permissions_boundary))
    error_message = "role_permissions_boundary must be empty or an IAM policy ARN."
  }
}

variable "kms_key_arn" {
  description = "ARN of an existing KMS key for S3, SageMaker, ECR, logs, secrets and RDS; empty to create one (rotation on)."
  type        = string
  default     = ""

  validation {
    condition     = var.kms_key_arn == "" || can(regex("^arn:aws[a-z-]*:kms:", var.kms_key_arn))
    error_message = "kms_key_arn must be empty or a KMS key ARN."
  }
}

variable "tags" {
  description = "Tags added to every resource (through the provider's default_tags)."
  type        = map(string)
  default     = {}
}

# --- Naming and placement -------------------------------------------------------------------

variable "name_prefix" {
  description = "Prefix of every resource name; IAM policies are scoped to resources with this prefix."
  type        = string
  default     = "gata"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,15}$", var.name_prefix))
    error_message = "name_prefix must be 2-16 characters: lowercase letters, digits, hyphens, starting with a letter."
  }
}

variable "region" {
  description = "AWS region to deploy to (also AWS_REGION for gata)."
  type        = string
}

variable "artifact_prefix" {
  description = "Key prefix of gata's artifacts in the artifact bucket (GATA_ARTIFACT_PREFIX)."
  type        = string
  default     = "gata"

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9._-]*$", var.artifact_prefix))
    error_message = "artifact_prefix must be a simple key prefix without slashes."
  }
}

# --- Artifact lifecycle ---------------------------------------------------------------------

variable "artifact_transition_days" {
  description = "Days after which current artifacts move to S3 Intelligent-Tiering (nothing is deleted)."
  type        = number
  default     = 30
}

variable "noncurrent_version_expiration_days" {
  description = "Days after which overwritten (noncurrent) object versions are deleted."
  type        = number
  default     = 90
}

variable "checkpoint_expiration_days" {
  description = "Days after which SageMaker training checkpoints (<artifact_prefix>/checkpoints/) are deleted."
  type        = number
  default     = 14
}

variable "compute_log_expiration_days" {
  description = "Days after which Dagster compute logs (dagster/compute-logs/) are deleted."
  type        = number
  default     = 90
}

variable "access_log_expiration_days" {
  description = "Days after which S3 server access logs and ALB access logs are deleted from the log bucket."
  type        = number
  default     = 365
}

variable "force_destroy_buckets" {
  description = "Allow terraform destroy to delete non-empty buckets (for throw-away environments only)."
  type        = bool
  default     = false
}

# --- Images ---------------------------------------------------------------------------------

variable "finetune_image_tag" {
  description = "Initial value of the fine-tune image tag parameter; later roll-outs set the parameter directly (Terraform ignores its value)."
  type        = string
  default     = "bootstrap"
}

variable "inference_image_tag" {
  description = "Initial value of the inference image tag parameter; later roll-outs set the parameter directly (Terraform ignores its value)."
  type        = string
  default     = "bootstrap"
}

variable "dagster_image_tag" {
  description = "Tag of the Dagster code-location image (webserver, daemon, code server and run workers)."
  type        = string
}

variable "ecr_keep_tagged_images" {
  description = "How many tagged images each ECR repository keeps; older ones expire."
  type        = number
  default     = 30
}

variable "ecr_untagged_expiration_days" {
  description = "Days after which untagged images expire."
  type        = number
  default     = 7
}

# --- Training and serving -------------------------------------------------------------------

variable "finetune_max_wait" {
  description = "MaxWaitTimeInSeconds of a spot training job; 0 means twice finetune_max_exec."
  type        = number
  default     = 0

  validation {
    # Only this variable may appear here on terraform < 1.9; ">= finetune_max_exec" is a
    # precondition on the run worker task definition (ecs.tf).
    condition     = var.finetune_max_wait == 0 || (var.finetune_max_wait >= 60 && var.finetune_max_wait <= 2419200)
    error_message = "finetune_max_wait must be 0 or between 60 and 2419200 s."
  }
}

variable "finetune_volume_size_gb" {
  description = "Size of the training job's ML storage volume (KMS-encrypted)."
  type        = number
  default     = 30
}

variable "serverless_memory_mb" {
  description = "Memory of each SageMaker serverless endpoint (1024-6144, a multiple of 1024)."
  type        = number
  default     = 3072

  validation {
    condition     = contains([1024, 2048, 3072, 4096, 5120, 6144], var.serverless_memory_mb)
    error_message = "serverless_memory_mb must be one of 1024, 2048, 3072, 4096, 5120, 6144."
  }
}

variable "serverless_max_concurrency" {
  description = "Maximum concurrent invocations of each serverless endpoint (1-200)."
  type        = number
  default     = 5

  validation {
    condition     = var.serverless_max_concurrency >= 1 && var.serverless_max_concurrency <= 200
    error_message = "serverless_max_concurrency must be between 1 and 200."
  }
}

variable "sagemaker_in_vpc" {
  description = "Run training jobs inside private_subnet_ids (VpcConfig) with a dedicated egress-only security group; the subnets need S3/ECR access (NAT or VPC endpoints)."
  type        = bool
  default     = false
}

variable "event_archive_retention_days" {
  description = "Days gata's EventBridge archive keeps events for replay; 0 disables the archive."
  type        = number
  default     = 30
}

variable "gata_options" {
  description = "Extra GATA_* options for the code server and run workers (schedule and sensor switches, thresholds, column mapping), e.g. { GATA_WEEKLY_TRAINING = \"off\" }. Variables this configuration sets itself win."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for name in keys(var.gata_options) : can(regex("^GATA_[A-Z0-9_]+$", name))])
    error_message = "gata_options keys must be GATA_* environment variable names."
  }
}

# --- Ticket database (the help desk's, not created here) -------------------------------------

variable "ticket_db_secret_arn" {
  description = "ARN of an existing Secrets Manager secret with the ticket database credentials (RDS JSON: username, password, host, port, dbname); empty to create an empty secret to fill in."
  type        = string
  default     = ""
}

variable "ticket_db_secret_kms_key_arn" {
  description = "KMS key ARN that encrypts an existing ticket_db_secret_arn, when it is not gata's key; empty otherwise."
  type        = string
  default     = ""
}

variable "ticket_db_cidr_blocks" {
  description = "CIDR blocks of the ticket database; the code server and run workers may open connections to them on ticket_db_port."
  type        = list(string)
  default     = []
}

variable "ticket_db_port" {
  description = "Port of the ticket database."
  type        = number
  default     = 5432
}

# --- Network ----------------------------------------------------------------------------------

variable "vpc_id" {
  description = "ID of the existing VPC."
  type        = string
}

variable "private_subnet_ids" {
  description = "Private subnets (at least two AZs) for ECS tasks, RDS and, optionally, training jobs; they need a route to AWS APIs (NAT or VPC endpoints)."
  type        = list(string)

  validation {
    condition     = length(var.private_subnet_ids) >= 2
    error_message = "private_subnet_ids needs at least two subnets in different availability zones."
  }
}

variable "alb_subnet_ids" {
  description = "Subnets of the load balancer (private subnets for an internal ALB, public ones otherwise)."
  type        = list(string)

  validation {
    condition     = length(var.alb_subnet_ids) >= 2
    error_message = "alb_subnet_ids needs at least two subnets in different availability zones."
  }
}

variable "alb_internal" {
  description = "Make the load balancer internal (recommended: the Dagster UI has no login of its own)."
  type        = bool
  default     = true
}

variable "alb_ingress_cidrs" {
  description = "CIDR blocks allowed to reach the Dagster UI on port 443."
  type        = list(string)

  validation {
    condition     = length(var.alb_ingress_cidrs) > 0
    error_message = "alb_ingress_cidrs must list at least one CIDR block."
  }
}

variable "certificate_arn" {
  description = "ACM certificate ARN for the load balancer's HTTPS listener."
  type        = string
}

variable "alb_deletion_protection" {
  description = "Deletion protection on the load balancer."
  type        = bool
  default     = true
}

variable "waf_web_acl_arn" {
  description = "Optional WAFv2 web ACL ARN to associate with the load balancer."
  type        = string
  default     = ""
}

# --- Dagster storage (RDS PostgreSQL) ----------------------------------------------------------

variable "db_instance_class" {
  description = "Instance class of Dagster's PostgreSQL database."
  type        = string
  default     = "db.t4g.small"
}

variable "db_engine_version" {
  description = "PostgreSQL major version of Dagster's database."
  type        = string
  default     = "16"
}

variable "db_allocated_storage" {
  description = "Initial storage of Dagster's database, in GiB."
  type        = number
  default     = 20
}

variable "db_max_allocated_storage" {
  description = "Storage autoscaling ceiling of Dagster's database, in GiB."
  type        = number
  default     = 100
}

variable "db_multi_az" {
  description = "Run Dagster's database in two availability zones."
  type        = bool
  default     = true
}

variable "db_backup_retention_days" {
  description = "Days of automated backups of Dagster's database."
  type        = number
  default     = 7
}

variable "db_deletion_protection" {
  description = "Deletion protection on Dagster's database (a final snapshot is taken in any case)."
  type        = bool
  default     = true
}

# --- Dagster on ECS ----------------------------------------------------------------------------

variable "webserver_cpu" {
  description = "Fargate CPU units of the webserver task."
  type        = number
  default     = 512
}

variable "webserver_memory" {
  description = "Fargate memory (MiB) of the webserver task."
  type        = number
  default     = 1024
}

variable "daemon_cpu" {
  description = "Fargate CPU units of the daemon task."
  type        = number
  default     = 512
}

variable "daemon_memory" {
  description = "Fargate memory (MiB) of the daemon task."
  type        = number
  default     = 1024
}

variable "code_server_cpu" {
  description = "Fargate CPU units of the code-location (gRPC) server task."
  type        = number
  default     = 1024
}

variable "code_server_memory" {
  description = "Fargate memory (MiB) of the code-location server task."
  type        = number
  default     = 2048
}

variable "run_worker_cpu" {
  description = "Fargate CPU units of each run worker task (one per Dagster run)."
  type        = number
  default     = 1024
}

variable "run_worker_memory" {
  description = "Fargate memory (MiB) of each run worker task."
  type        = number
  default     = 4096
}

variable "run_worker_ephemeral_storage_gb" {
  description = "Ephemeral storage of each run worker task, in GiB (21-200)."
  type        = number
  default     = 30

  validation {
    condition     = var.run_worker_ephemeral_storage_gb >= 21 && var.run_worker_ephemeral_storage_gb <= 200
    error_message = "run_worker_ephemeral_storage_gb must be between 21 and 200."
  }
}

variable "max_concurrent_runs" {
  description = "Runs the QueuedRunCoordinator lets execute at once."
  type        = number
  default     = 10
}

# --- Existing resources to plug into (empty: create them) --------------------------------------

variable "existing_ecs_cluster_arn" {
  description = "ARN of an existing ECS cluster (same account and region) for the Dagster services and run workers; empty to create one."
  type        = string
  default     = ""

  validation {
    condition     = var.existing_ecs_cluster_arn == "" || can(regex("^arn:aws[a-z-]*:ecs:[a-z0-9-]+:[0-9]{12}:cluster/[A-Za-z0-9_-]{1,255}$", var.existing_ecs_cluster_arn))
    error_message = "existing_ecs_cluster_arn must be empty or an ECS cluster ARN (arn:aws:ecs:<region>:<account>:cluster/<name>)."
  }
}

variable "existing_ecr_repository_urls" {
  description = "Existing ECR repositories to use instead of creating them, by image (dagster, finetune, inference), e.g. { dagster = \"123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/gata-dagster\" }; images not named get a repository created."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for image in keys(var.existing_ecr_repository_urls) : contains(["dagster", "finetune", "inference"], image)])
    error_message = "existing_ecr_repository_urls keys must be dagster, finetune or inference."
  }

  validation {
    condition     = alltrue([for url in values(var.existing_ecr_repository_urls) : can(regex("^[0-9]{12}\\.dkr\\.ecr\\.[a-z0-9-]+\\.amazonaws\\.com(\\.cn)?/[a-z0-9][a-z0-9._/-]*$", url))])
    error_message = "existing_ecr_repository_urls values must be repository URLs such as 123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/gata-dagster (no tag)."
  }
}

variable "existing_aurora_cluster_arn" {
  description = "ARN of an existing Aurora PostgreSQL cluster (same account and region) for Dagster's storage instead of creating an RDS instance; set existing_aurora_secret_arn with it."
  type        = string
  default     = ""

  validation {
    condition     = var.existing_aurora_cluster_arn == "" || can(regex("^arn:aws[a-z-]*:rds:[a-z0-9-]+:[0-9]{12}:cluster:[a-z][a-z0-9-]{0,62}$", var.existing_aurora_cluster_arn))
    error_message = "existing_aurora_cluster_arn must be empty or an Aurora cluster ARN (arn:aws:rds:<region>:<account>:cluster:<identifier>)."
  }
}

variable "existing_aurora_secret_arn" {
  description = "ARN of the Secrets Manager secret (JSON with username and password, e.g. the cluster's RDS-managed master secret) Dagster connects to existing_aurora_cluster_arn with."
  type        = string
  default     = ""

  validation {
    condition     = var.existing_aurora_secret_arn == "" || can(regex("^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:.+$", var.existing_aurora_secret_arn))
    error_message = "existing_aurora_secret_arn must be empty or a Secrets Manager secret ARN."
  }
}

variable "existing_aurora_secret_kms_key_arn" {
  description = "KMS key ARN that encrypts existing_aurora_secret_arn, when it is a customer-managed key other than gata's; empty otherwise (aws/secretsmanager needs no grant)."
  type        = string
  default     = ""

  validation {
    condition     = var.existing_aurora_secret_kms_key_arn == "" || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/", var.existing_aurora_secret_kms_key_arn))
    error_message = "existing_aurora_secret_kms_key_arn must be empty or a KMS key ARN."
  }
}

variable "existing_aurora_database_name" {
  description = "Database in existing_aurora_cluster_arn that holds Dagster's storage (it must exist; Dagster creates its tables)."
  type        = string
  default     = "dagster"

  validation {
    condition     = can(regex("^[A-Za-z_][A-Za-z0-9_]{0,62}$", var.existing_aurora_database_name))
    error_message = "existing_aurora_database_name must be a PostgreSQL identifier."
  }
}

variable "existing_vpc_endpoint_security_group_ids" {
  description = "Security groups of the VPC's existing interface endpoints (ECR, Logs, STS, SSM, Secrets Manager, SageMaker, ECS, EventBridge, KMS...); each gets HTTPS ingress from gata's task (and training) security groups."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for id in var.existing_vpc_endpoint_security_group_ids : can(regex("^sg-[0-9a-f]{8,17}$", id))])
    error_message = "existing_vpc_endpoint_security_group_ids must be security group IDs (sg-...)."
  }
}

# --- Alarms and dashboard ----------------------------------------------------------------------

variable "alarm_emails" {
  description = "E-mail addresses subscribed to the alarm topic (each confirms by e-mail); empty for none (subscribe anything else to the alarm_topic_arn output)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for address in var.alarm_emails : can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", address))])
    error_message = "alarm_emails must be e-mail addresses."
  }
}

variable "endpoint_5xx_threshold" {
  description = "Invocation5XXErrors of one endpoint within 5 minutes at which its 5xx alarm fires."
  type        = number
  default     = 1

  validation {
    condition     = var.endpoint_5xx_threshold >= 1
    error_message = "endpoint_5xx_threshold must be at least 1."
  }
}

variable "model_latency_budget_ms" {
  description = "Budget of an endpoint's average ModelLatency over 5 minutes, in ms (the alarm fires when 2 of 3 periods exceed it); as GATA_ENDPOINT_LATENCY_BUDGET_MS."
  type        = number
  default     = 2000

  validation {
    condition     = var.model_latency_budget_ms > 0
    error_message = "model_latency_budget_ms must be positive."
  }
}

variable "cold_start_budget_ms" {
  description = "Budget of a serverless cold start (ModelSetupTime, maximum over 5 minutes), in ms; as GATA_SAGEMAKER_LATENCY_BUDGET_MS."
  type        = number
  default     = 20000

  validation {
    condition     = var.cold_start_budget_ms > 0
    error_message = "cold_start_budget_ms must be positive."
  }
}

variable "batch_fallback_rate_budget" {
  description = "Share of a day's batch-inference tickets routed to the fallback label (0-1) above which the fallback-rate alarm fires."
  type        = number
  default     = 0.3

  validation {
    condition     = var.batch_fallback_rate_budget > 0 && var.batch_fallback_rate_budget < 1
    error_message = "batch_fallback_rate_budget must be between 0 and 1."
  }
}

# --- Endpoint layout, Batch Transform, prod in its own account ---------------------------------

variable "endpoint_layout" {
  description = "GATA_ENDPOINT_LAYOUT: \"router\" (one endpoint per environment, <name_prefix>-router and <name_prefix>-prod) or \"per-model\" (<endpoint>-general and <endpoint>-low-volume); the endpoint alarms and dashboard follow it."
  type        = string
  default     = "router"

  validation {
    condition     = contains(["router", "per-model"], var.endpoint_layout)
    error_message = "endpoint_layout must be \"router\" or \"per-model\"."
  }
}

variable "batch_transform_instance_type" {
  description = "GATA_BATCH_TRANSFORM_INSTANCE_TYPE: instance type of the Batch Transform jobs of big batch-inference days; gata's role may start transform jobs on this type only."
  type        = string
  default     = "ml.m5.xlarge"

  validation {
    condition     = can(regex("^ml\\.[a-z0-9]+\\.[a-z0-9]+$", var.batch_transform_instance_type))
    error_message = "batch_transform_instance_type must be a SageMaker instance type such as ml.m5.xlarge."
  }
}

variable "prod_role_arn" {
  description = "GATA_PROD_ROLE_ARN: role in the prod account that prod_endpoint deploys through (gata's code role may assume it); empty: prod endpoints in this account, and no GATA_PROD_* setting."
  type        = string
  default     = ""

  validation {
    condition     = var.prod_role_arn == "" || can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/[\\w+=,.@/-]+$", var.prod_role_arn))
    error_message = "prod_role_arn must be empty or an IAM role ARN."
  }
}

variable "prod_external_id" {
  description = "GATA_PROD_EXTERNAL_ID: the ExternalId prod_role_arn's trust policy asks for; empty for none."
  type        = string
  default     = ""

  validation {
    condition     = var.prod_external_id == "" || (length(var.prod_external_id) >= 2 && length(var.prod_external_id) <= 1224 && can(regex("^[\\w+=,.@:/-]+$", var.prod_external_id)))
    error_message = "prod_external_id must be 2-1224 characters of letters, digits and +=,.@:/-_."
  }
}

variable "prod_artifact_bucket" {
  description = "GATA_PROD_ARTIFACT_BUCKET: the prod account's bucket that model archives are copied into (required with prod_role_arn)."
  type        = string
  default     = ""

  validation {
    condition     = var.prod_artifact_bucket == "" || can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.prod_artifact_bucket))
    error_message = "prod_artifact_bucket must be empty or an S3 bucket name."
  }
}

variable "prod_sagemaker_role_arn" {
  description = "GATA_PROD_SAGEMAKER_ROLE_ARN: execution role of prod's SageMaker models, in the prod account (required with prod_role_arn); it may pull the inference image from this account's repository."
  type        = string
  default     = ""

  validation {
    condition     = var.prod_sagemaker_role_arn == "" || can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/[\\w+=,.@/-]+$", var.prod_sagemaker_role_arn))
    error_message = "prod_sagemaker_role_arn must be empty or an IAM role ARN."
  }
}

variable "prod_kms_key_id" {
  description = "GATA_PROD_KMS_KEY_ID: KMS key (ARN) the copied archives are encrypted with in prod_artifact_bucket; empty: the bucket's default encryption."
  type        = string
  default     = ""

  validation {
    condition     = var.prod_kms_key_id == "" || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:(key|alias)/.+$", var.prod_kms_key_id))
    error_message = "prod_kms_key_id must be empty or a KMS key or alias ARN."
  }
}
