# What gata's AWS configuration consumes (see the GATA_* mapping in README.md), plus what an
# operator needs to build, push and roll out images and reach the UI.

# --- gata settings (GATA_* environment) ---------------------------------------------------------

output "gata_environment" {
  description = "Environment variables of gata's AWS configuration, exactly as set on the code server and run workers (gata_options included)."
  value       = merge(var.gata_options, local.gata_environment, local.prod_environment)
}

output "gata_env_file" {
  description = "gata_environment as a dotenv file (terraform output -raw gata_env_file > gata.env)."
  value       = templatefile("${path.module}/gata.env.tftpl", { environment = merge(var.gata_options, local.gata_environment, local.prod_environment) })
}

output "region" {
  description = "AWS_REGION."
  value       = local.region
}

output "artifact_bucket_name" {
  description = "GATA_ARTIFACT_BUCKET: bucket of extracts, train/test sets, models, predictions."
  value       = aws_s3_bucket.artifacts.bucket
}

output "artifact_prefix" {
  description = "GATA_ARTIFACT_PREFIX: key prefix of gata's artifacts."
  value       = var.artifact_prefix
}

output "log_bucket_name" {
  description = "Bucket of S3 server access logs and ALB access logs."
  value       = aws_s3_bucket.logs.bucket
}

output "kms_key_arn" {
  description = "GATA_KMS_KEY_ID: the key for artifacts, SageMaker volumes and outputs."
  value       = local.kms_key_arn
}

output "ticket_db_secret_arn" {
  description = "GATA_TICKET_DB_SECRET_ID: Secrets Manager secret with the ticket database credentials."
  value       = local.ticket_db_secret_arn
}

output "sagemaker_name_prefix" {
  description = "GATA_SAGEMAKER_NAME_PREFIX: training jobs, models, endpoint configs and endpoints must start with \"<this>-\" (IAM is scoped to it)."
  value       = local.name
}

output "sagemaker_training_role_arn" {
  description = "GATA_SAGEMAKER_TRAINING_ROLE_ARN: execution role of the fine-tune training jobs."
  value       = aws_iam_role.sagemaker_training.arn
}

output "sagemaker_inference_role_arn" {
  description = "GATA_SAGEMAKER_ROLE_ARN: execution role of the serverless endpoints' models (SageMakerDeployer.role_arn)."
  value       = aws_iam_role.sagemaker_inference.arn
}

output "finetune_image_tag_parameter_name" {
  description = "GATA_FINETUNE_IMAGE_TAG_PARAMETER: SSM parameter with the fine-tune image tag."
  value       = aws_ssm_parameter.image_tag["finetune"].name
}

output "inference_image_tag_parameter_name" {
  description = "GATA_SAGEMAKER_IMAGE_PARAMETER: SSM parameter with the inference image tag."
  value       = aws_ssm_parameter.image_tag["inference"].name
}

output "finetune_repository_url" {
  description = "GATA_FINETUNE_IMAGE_REPOSITORY: ECR repository of the fine-tune image."
  value       = local.repository_urls["finetune"]
}

output "inference_repository_url" {
  description = "GATA_SAGEMAKER_IMAGE_REPOSITORY: ECR repository of the inference image."
  value       = local.repository_urls["inference"]
}

output "model_package_group_name" {
  description = "GATA_MODEL_PACKAGE_GROUP: SageMaker model package group (model registry)."
  value       = aws_sagemaker_model_package_group.this.model_package_group_name
}

output "event_bus_name" {
  description = "GATA_EVENT_BUS_NAME: EventBridge bus of gata's completion and failure events."
  value       = aws_cloudwatch_event_bus.this.name
}

output "event_bus_arn" {
  description = "ARN of gata's event bus, for consumers' rules."
  value       = aws_cloudwatch_event_bus.this.arn
}

output "sagemaker_subnet_ids" {
  description = "GATA_SAGEMAKER_SUBNET_IDS: subnets of training jobs (empty unless sagemaker_in_vpc)."
  value       = var.sagemaker_in_vpc ? var.private_subnet_ids : []
}

output "sagemaker_security_group_id" {
  description = "GATA_SAGEMAKER_SECURITY_GROUP_IDS: security group of training jobs (empty unless sagemaker_in_vpc)."
  value       = var.sagemaker_in_vpc ? aws_security_group.sagemaker[0].id : ""
}

# --- Dagster deployment -------------------------------------------------------------------------

output "dagster_repository_url" {
  description = "ECR repository of the Dagster code-location image (infra/dagster/Dockerfile)."
  value       = local.repository_urls["dagster"]
}

output "dagster_url" {
  description = "URL of the Dagster UI (point a DNS name covered by certificate_arn at dagster_alb_dns_name)."
  value       = "https://${aws_lb.webserver.dns_name}"
}

output "dagster_alb_dns_name" {
  description = "DNS name of the load balancer."
  value       = aws_lb.webserver.dns_name
}

output "ecs_cluster_name" {
  description = "ECS cluster of the Dagster services and run workers (created, or existing_ecs_cluster_arn's)."
  value       = local.cluster_name
}

output "ecs_cluster_arn" {
  description = "ARN of that ECS cluster."
  value       = local.ecs_cluster_arn
}

output "ecs_service_names" {
  description = "ECS services (webserver, daemon, code_server)."
  value = {
    webserver   = aws_ecs_service.webserver.name
    daemon      = aws_ecs_service.daemon.name
    code_server = aws_ecs_service.code_server.name
  }
}

output "run_task_definition_family" {
  description = "Task definition family the EcsRunLauncher starts for each run (DAGSTER_RUN_TASK_DEFINITION)."
  value       = aws_ecs_task_definition.this["run"].family
}

output "dagster_db_secret_arn" {
  description = "Secrets Manager secret with the Dagster database credentials (created, or existing_aurora_secret_arn)."
  value       = local.dagster_db_secret_arn
}

output "dagster_db_endpoint" {
  description = "Address of the Dagster storage database (the RDS instance, or the Aurora cluster's writer endpoint)."
  value       = local.dagster_db_host
}

output "dagster_code_role_arn" {
  description = "Task role of the code server and run workers (what gata's code runs as)."
  value       = aws_iam_role.dagster_code.arn
}

output "dagster_control_role_arn" {
  description = "Task role of the webserver and daemon."
  value       = aws_iam_role.dagster_control.arn
}

output "task_execution_role_arn" {
  description = "ECS task execution role."
  value       = aws_iam_role.task_execution.arn
}

output "ticket_db_client_security_group_ids" {
  description = "Security groups that connect to the ticket database; allow them on the database's own security group."
  value       = [aws_security_group.this["tasks"].id, aws_security_group.this["code_server"].id]
}

# --- alarms and dashboard -------------------------------------------------------------------------

output "alarm_topic_arn" {
  description = "SNS topic of gata's alarms and alerts (e-mail via alarm_emails; subscribe chat or paging here)."
  value       = aws_sns_topic.alarms.arn
}

output "dashboard_name" {
  description = "CloudWatch dashboard with the endpoint, training and batch figures."
  value       = aws_cloudwatch_dashboard.this.dashboard_name
}

output "dagster_db_client_security_group_ids" {
  description = "Security groups that connect to Dagster's database (with an existing Aurora cluster, the ones its security groups now admit)."
  value       = [for name in local.database_clients : aws_security_group.this[name].id]
}
