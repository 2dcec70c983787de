"""What the Terraform tests expect of infra/: the outputs and environment gata reads, and the
variables mirrored from the Step Functions modules gata replaces."""

from __future__ import annotations

# Outputs gata's AWS configuration consumes, and the variable each one becomes in
# `local.gata_environment` (the `gata_environment` output and the ECS task environment).
# README.md (infra/) lists the same mapping.
GATA_OUTPUTS = {
    "region": "AWS_REGION",
    "artifact_bucket_name": "GATA_ARTIFACT_BUCKET",
    "artifact_prefix": "GATA_ARTIFACT_PREFIX",
    "kms_key_arn": "GATA_KMS_KEY_ID",
    "ticket_db_secret_arn": "GATA_TICKET_DB_SECRET_ID",
    "sagemaker_name_prefix": "GATA_SAGEMAKER_NAME_PREFIX",
    "sagemaker_training_role_arn": "GATA_SAGEMAKER_TRAINING_ROLE_ARN",
    "sagemaker_inference_role_arn": "GATA_SAGEMAKER_ROLE_ARN",
    "finetune_image_tag_parameter_name": "GATA_FINETUNE_IMAGE_TAG_PARAMETER",
    "inference_image_tag_parameter_name": "GATA_SAGEMAKER_IMAGE_PARAMETER",
    "finetune_repository_url": "GATA_FINETUNE_IMAGE_REPOSITORY",
    "inference_repository_url": "GATA_SAGEMAKER_IMAGE_REPOSITORY",
    "model_package_group_name": "GATA_MODEL_PACKAGE_GROUP",
    "event_bus_name": "GATA_EVENT_BUS_NAME",
    "sagemaker_subnet_ids": "GATA_SAGEMAKER_SUBNET_IDS",
    "sagemaker_security_group_id": "GATA_SAGEMAKER_SECURITY_GROUP_IDS",
}
# Outputs for operators (images, UI, Dagster services) rather than for gata's settings.
DEPLOYMENT_OUTPUTS = {
    "gata_environment",
    "gata_env_file",
    "log_bucket_name",
    "event_bus_arn",
    "dagster_repository_url",
    "dagster_url",
    "ecs_cluster_name",
    "run_task_definition_family",
    "dagster_db_secret_arn",
}
# Variables gata_assets/settings.py reads that the AWS deployment deliberately leaves unset.
LOCAL_ONLY_SETTINGS = {
    "GATA_HOME",  # set to the task's writable volume with the Dagster environment
    "GATA_TICKET_DB_URL",  # the deployment uses GATA_TICKET_DB_SECRET_ID instead
    "GATA_AWS_ENDPOINT_URL",  # S3-compatible endpoints and moto in tests
    "AWS_DEFAULT_REGION",  # AWS_REGION is set
}
# What `local.gata_environment` renders to for an example deployment (same keys).
ACCOUNT = "eu-west-1:123456789012"
ECR = "123456789012.dkr.ecr.eu-west-1.amazonaws.com"
EXAMPLE_ENVIRONMENT = {
    "GATA_MODE": "aws",
    "AWS_REGION": "eu-west-1",
    "GATA_ARTIFACT_BUCKET": "gata-artifacts-123456789012-eu-west-1",
    "GATA_ARTIFACT_PREFIX": "gata",
    "GATA_KMS_KEY_ID": f"arn:aws:kms:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    "GATA_TICKET_DB_SECRET_ID": f"arn:aws:secretsmanager:{ACCOUNT}:secret:gata/ticket-db-AbCdEf",
    "GATA_LOW_VOLUME_FALLBACK_LABEL": "triage",
    "GATA_CODE_VERSION": "3f2c1ab",
    "GATA_SAGEMAKER_NAME_PREFIX": "gata",
    "GATA_SAGEMAKER_ROLE_ARN": "arn:aws:iam::123456789012:role/gata-sagemaker-inference",
    "GATA_SAGEMAKER_IMAGE_PARAMETER": "/gata/images/inference/tag",
    "GATA_SAGEMAKER_IMAGE_REPOSITORY": f"{ECR}/gata/inference",
    "GATA_SAGEMAKER_MEMORY_SIZE_MB": "3072",
    "GATA_SAGEMAKER_MAX_CONCURRENCY": "5",
    "GATA_ENDPOINT_LAYOUT": "router",
    "GATA_BATCH_TRANSFORM_INSTANCE_TYPE": "ml.m5.xlarge",
    "GATA_SAGEMAKER_TRAINING_ROLE_ARN": "arn:aws:iam::123456789012:role/gata-sagemaker-training",
    "GATA_FINETUNE_IMAGE_TAG_PARAMETER": "/gata/images/finetune/tag",
    "GATA_FINETUNE_IMAGE_REPOSITORY": f"{ECR}/gata/finetune",
    "GATA_FINETUNE_INSTANCE_TYPE": "ml.g6.xlarge",
    "GATA_TRAIN_ON_SPOT": "false",
    "GATA_FINETUNE_MAX_EXEC": "7200",
    "GATA_FINETUNE_MAX_WAIT": "14400",
    "GATA_FINETUNE_VOLUME_SIZE_GB": "30",
    "GATA_SAGEMAKER_SUBNET_IDS": "",
    "GATA_SAGEMAKER_SECURITY_GROUP_IDS": "",
    "GATA_MODEL_PACKAGE_GROUP": "gata-ticket-routing",
    "GATA_EVENT_BUS_NAME": "gata-events",
    "GATA_APPROVAL_QUEUE_URL": "https://sqs.eu-west-1.amazonaws.com/123456789012/gata-model-approvals",
}
# The variables of the Step Functions modules gata replaces: same names, same defaults.
MIRRORED_VARIABLES = {
    "train_on_spot": ("bool", False),
    "finetune_instance_type": ("string", "ml.g6.xlarge"),
    "finetune_max_exec": ("number", 7200),
    "log_retention_days": ("number", None),
    "low_volume_fallback_label": ("string", None),
    "role_namespace": ("string", ""),
    "role_permissions_boundary": ("string", ""),
    "kms_key_arn": ("string", ""),
    "tags": ("map(string)", {}),
}
