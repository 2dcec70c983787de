# Dagster on ECS Fargate, all from one image (the `dagster` ECR repository, built from
# infra/dagster/Dockerfile): three long-running services and a run-worker task definition.
#
#   webserver    dagster-webserver behind the ALB (alb.tf)
#   daemon       dagster-daemon: schedules, sensors, run queue, run monitoring, run retries
#   code_server  gata's code location as a gRPC server (sensors and schedules evaluate here),
#                found by the webserver and daemon at code-server.<name_prefix>.internal
#   run          one task per Dagster run, started by the EcsRunLauncher (dagster.yaml)
#
# Containers have read-only root filesystems; /tmp, Dagster's local artifact directory and
# GATA_HOME are task-local writable volumes.
#
# The cluster is created unless var.existing_ecs_cluster_arn names one; everything refers to
# local.ecs_cluster_arn / local.cluster_name (iam_ecs.tf), so IAM is scoped to the cluster used.

locals {
  webserver_port   = 3000
  code_server_port = 4000
  code_server_host = "${aws_service_discovery_service.code_server.name}.${aws_service_discovery_private_dns_namespace.this.name}"
  dagster_image    = "${local.repository_urls["dagster"]}:${var.dagster_image_tag}"
  app_dir          = "/opt/dagster/app"
  workspace_file   = "${local.app_dir}/workspace.yaml"

  finetune_max_wait = var.finetune_max_wait == 0 ? 2 * var.finetune_max_exec : var.finetune_max_wait

  create_ecs_cluster = var.existing_ecs_cluster_arn == ""
  ecs_cluster_arn    = local.create_ecs_cluster ? aws_ecs_cluster.this[0].arn : var.existing_ecs_cluster_arn

  # What gata reads in its AWS configuration: gata_assets.settings (GATA_MODE=aws and the
  # core AWS resources) and the GATA_* options definitions.py maps onto resources
  # (GATA_SAGEMAKER_<field> for the serverless deployer). Also the `gata_environment` output,
  # for running gata against this deployment from elsewhere. The GATA_PROD_* settings are
  # local.prod_environment (prod_account.tf), merged in after it wherever it is used.
  gata_environment = {
    GATA_MODE                      = "aws"
    AWS_REGION                     = local.region
    GATA_ARTIFACT_BUCKET           = aws_s3_bucket.artifacts.bucket
    GATA_ARTIFACT_PREFIX           = var.artifact_prefix
    GATA_KMS_KEY_ID                = local.kms_key_arn
    GATA_TICKET_DB_SECRET_ID       = local.ticket_db_secret_arn
    GATA_LOW_VOLUME_FALLBACK_LABEL = var.low_volume_fallback_label
    GATA_CODE_VERSION              = var.dagster_image_tag
    # SageMaker resources are named "<prefix>-..." (IAM in iam_ecs.tf is scoped to it).
    GATA_SAGEMAKER_NAME_PREFIX = local.name
    # Serverless endpoints (SageMakerDeployer).
    GATA_SAGEMAKER_ROLE_ARN         = aws_iam_role.sagemaker_inference.arn
    GATA_SAGEMAKER_IMAGE_PARAMETER  = aws_ssm_parameter.image_tag["inference"].name
    GATA_SAGEMAKER_IMAGE_REPOSITORY = local.repository_urls["inference"]
    GATA_SAGEMAKER_MEMORY_SIZE_MB   = tostring(var.serverless_memory_mb)
    GATA_SAGEMAKER_MAX_CONCURRENCY  = tostring(var.serverless_max_concurrency)
    GATA_ENDPOINT_LAYOUT            = var.endpoint_layout # the alarms and dashboard follow it
    # Batch Transform for big days (IAM allows this instance type only).
    GATA_BATCH_TRANSFORM_INSTANCE_TYPE = var.batch_transform_instance_type
    # Fine-tune training jobs.
    GATA_SAGEMAKER_TRAINING_ROLE_ARN  = aws_iam_role.sagemaker_training.arn
    GATA_FINETUNE_IMAGE_TAG_PARAMETER = aws_ssm_parameter.image_tag["finetune"].name
    GATA_FINETUNE_IMAGE_REPOSITORY    = local.repository_urls["finetune"]
    GATA_FINETUNE_INSTANCE_TYPE       = var.finetune_instance_type
    GATA_TRAIN_ON_SPOT                = tostring(var.train_on_spot)
    GATA_FINETUNE_MAX_EXEC            = tostring(var.finetune_max_exec)
    GATA_FINETUNE_MAX_WAIT            = tostring(local.finetune_max_wait)
    GATA_FINETUNE_VOLUME_SIZE_GB      = tostring(var.finetune_volume_size_gb)
    GATA_SAGEMAKER_SUBNET_IDS         = var.sagemaker_in_vpc ? join(",", var.private_subnet_ids) : ""
    GATA_SAGEMAKER_SECURITY_GROUP_IDS = var.sagemaker_in_vpc ? aws_security_group.sagemaker[0].id : ""
    # Model registry and events.
    GATA_MODEL_PACKAGE_GROUP = aws_sagemaker_model_package_group.this.model_package_group_name
    GATA_EVENT_BUS_NAME      = aws_cloudwatch_event_bus.this.name
    GATA_APPROVAL_QUEUE_URL  = aws_sqs_queue.approvals.url
  }

  # What infra/dagster/dagster.yaml and workspace.yaml read. The database (created or an
  # existing Aurora cluster) is resolved in aurora.tf.
  dagster_environment = {
    AWS_REGION                  = local.region
    AWS_DEFAULT_REGION          = local.region
    DAGSTER_HOME                = "/opt/dagster/dagster_home"
    DAGSTER_PG_HOST             = local.dagster_db_host
    DAGSTER_PG_PORT             = tostring(local.dagster_db_port)
    DAGSTER_PG_DB               = local.dagster_db_name
    DAGSTER_RUN_TASK_DEFINITION = local.run_family
    DAGSTER_MAX_CONCURRENT_RUNS = tostring(var.max_concurrent_runs)
    DAGSTER_COMPUTE_LOG_BUCKET  = aws_s3_bucket.artifacts.bucket
    DAGSTER_COMPUTE_LOG_PREFIX  = trimsuffix(local.compute_log_prefix, "/")
    DAGSTER_CODE_SERVER_HOST    = local.code_server_host
    DAGSTER_CODE_SERVER_PORT    = tostring(local.code_server_port)
    GATA_HOME                   = "/var/lib/gata"
  }

  # User name and password from the secret (RDS JSON shape: gata's own or the Aurora one).
  dagster_secrets = [
    { name = "DAGSTER_PG_USERNAME", valueFrom = "${local.dagster_db_secret_arn}:username::" },
    { name = "DAGSTER_PG_PASSWORD", valueFrom = "${local.dagster_db_secret_arn}:password::" },
  ]

  writable_volumes = {
    tmp     = "/tmp"
    dagster = "/var/lib/dagster"
    gata    = "/var/lib/gata"
  }

  # One entry per task definition. `container` is the container's name: the run launcher
  # overrides the command of the container named "run" (dagster.yaml: container_name).
  tasks = {
    webserver = {
      family    = "${local.name}-webserver"
      container = "webserver"
      role_arn  = aws_iam_role.dagster_control.arn
      cpu       = var.webserver_cpu
      memory    = var.webserver_memory
      log_group = aws_cloudwatch_log_group.ecs["webserver"].name
      command   = ["dagster-webserver", "--host", "0.0.0.0", "--port", tostring(local.webserver_port), "--workspace", local.workspace_file]
      ports     = [local.webserver_port]
      env       = local.dagster_environment
      health    = ["CMD", "python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:${local.webserver_port}/server_info', timeout=5)"]
      storage   = null
    }
    daemon = {
      family    = "${local.name}-daemon"
      container = "daemon"
      role_arn  = aws_iam_role.dagster_control.arn
      cpu       = var.daemon_cpu
      memory    = var.daemon_memory
      log_group = aws_cloudwatch_log_group.ecs["daemon"].name
      command   = ["dagster-daemon", "run", "--workspace", local.workspace_file]
      ports     = []
      env       = local.dagster_environment
      health    = ["CMD", "dagster-daemon", "liveness-check"]
      storage   = null
    }
    code_server = {
      family    = "${local.name}-code-server"
      container = "code-server"
      role_arn  = aws_iam_role.dagster_code.arn
      cpu       = var.code_server_cpu
      memory    = var.code_server_memory
      log_group = aws_cloudwatch_log_group.ecs["code_server"].name
      command   = ["dagster", "code-server", "start", "--host", "0.0.0.0", "--port", tostring(local.code_server_port), "--module-name", "gata_assets.definitions", "--location-name", "gata"]
      ports     = [local.code_server_port]
      env       = merge(var.gata_options, local.dagster_environment, local.gata_environment, local.prod_environment, { DAGSTER_CURRENT_IMAGE = local.dagster_image })
      health    = ["CMD", "dagster", "api", "grpc-health-check", "--port", tostring(local.code_server_port)]
      storage   = null
    }
    run = {
      family    = local.run_family
      container = "run"
      role_arn  = aws_iam_role.dagster_code.arn
      cpu       = var.run_worker_cpu
      memory    = var.run_worker_memory
      log_group = aws_cloudwatch_log_group.ecs["run"].name
      command   = ["dagster", "api", "execute_run"] # the launcher overrides it with the run's full command
      ports     = []
      env       = merge(var.gata_options, local.dagster_environment, local.gata_environment, local.prod_environment)
      health    = null
      storage   = var.run_worker_ephemeral_storage_gb
    }
  }
}

resource "aws_ecs_cluster" "this" {
  count = local.create_ecs_cluster ? 1 : 0

  name = local.cluster_name

  setting {
    name  = "containerInsights"
    value = "enabled"
  }

  configuration {
    execute_command_configuration {
      kms_key_id = local.kms_key_arn
      logging    = "OVERRIDE"

      log_configuration {
        cloud_watch_encryption_enabled = true
        cloud_watch_log_group_name     = aws_cloudwatch_log_group.ecs["exec"].name
      }
    }
  }
}

resource "aws_ecs_task_definition" "this" {
  # Keys, not the objects: the four tasks differ in shape (ports, health check, storage), and
  # for_each needs a map of one type.
  for_each = toset(keys(local.tasks))

  family                   = local.tasks[each.key].family
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = tostring(local.tasks[each.key].cpu)
  memory                   = tostring(local.tasks[each.key].memory)
  execution_role_arn       = aws_iam_role.task_execution.arn
  task_role_arn            = local.tasks[each.key].role_arn

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }

  dynamic "ephemeral_storage" {
    for_each = local.tasks[each.key].storage == null ? [] : [local.tasks[each.key].storage]

    content {
      size_in_gib = ephemeral_storage.value
    }
  }

  dynamic "volume" {
    for_each = local.writable_volumes

    content {
      name = volume.key
    }
  }

  container_definitions = jsonencode([
    merge(
      {
        name                   = local.tasks[each.key].container
        image                  = local.dagster_image
        essential              = true
        command                = local.tasks[each.key].command
        readonlyRootFilesystem = true
        stopTimeout            = 120
        environment            = [for name in sort(keys(local.tasks[each.key].env)) : { name = name, value = local.tasks[each.key].env[name] }]
        secrets                = local.dagster_secrets
        portMappings           = [for port in local.tasks[each.key].ports : { containerPort = port, protocol = "tcp" }]
        mountPoints            = [for name, path in local.writable_volumes : { sourceVolume = name, containerPath = path, readOnly = false }]
        linuxParameters        = { initProcessEnabled = true }
        logConfiguration = {
          logDriver = "awslogs"
          options = {
            awslogs-group         = local.tasks[each.key].log_group
            awslogs-region        = local.region
            awslogs-stream-prefix = each.key
          }
        }
      },
      # healthCheck only where the task has one (a conditional cannot return two object shapes).
      {
        for key, check in { healthCheck = local.tasks[each.key].health } : key => {
          command     = check
          interval    = 30
          timeout     = 10
          retries     = 3
          startPeriod = 180
        } if check != null
      },
    )
  ])

  lifecycle {
    precondition {
      condition     = var.finetune_max_wait == 0 || var.finetune_max_wait >= var.finetune_max_exec
      error_message = "finetune_max_wait must be 0 or at least finetune_max_exec (MaxWaitTimeInSeconds >= MaxRuntimeInSeconds)."
    }

    # Plugging into existing resources (variables cannot refer to each other on terraform < 1.9).
    precondition {
      condition     = local.create_ecs_cluster || startswith(var.existing_ecs_cluster_arn, "${local.ecs_arn}:cluster/")
      error_message = "existing_ecs_cluster_arn must be a cluster in this account and region."
    }

    precondition {
      condition     = alltrue([for part in values(local.existing_repository_parts) : part[1] == local.region])
      error_message = "existing_ecr_repository_urls must be repositories in this region (SageMaker and ECS pull from the region they run in)."
    }

    precondition {
      condition     = (var.existing_aurora_cluster_arn == "") == (var.existing_aurora_secret_arn == "")
      error_message = "Set existing_aurora_cluster_arn and existing_aurora_secret_arn together (or neither, to create Dagster's database)."
    }
  }
}

# --- code server discovery ---------------------------------------------------------------------

resource "aws_service_discovery_private_dns_namespace" "this" {
  name        = "${local.name}.internal"
  description = "gata's Dagster code-location server"
  vpc         = var.vpc_id
}

resource "aws_service_discovery_service" "code_server" {
  name = "code-server"

  dns_config {
    namespace_id   = aws_service_discovery_private_dns_namespace.this.id
    routing_policy = "MULTIVALUE"

    dns_records {
      ttl  = 10
      type = "A"
    }
  }

  health_check_custom_config {
    failure_threshold = 1
  }
}

# --- services ------------------------------------------------------------------------------------
# Three explicit services (not for_each): each has its own load balancer, discovery or
# deployment rule, and reads better spelled out.

resource "aws_ecs_service" "webserver" {
  name             = "${local.name}-webserver"
  cluster          = local.ecs_cluster_arn
  task_definition  = aws_ecs_task_definition.this["webserver"].arn
  desired_count    = 1
  launch_type      = "FARGATE"
  platform_version = "LATEST"

  deployment_minimum_healthy_percent = 100
  deployment_maximum_percent         = 200
  health_check_grace_period_seconds  = 180

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  enable_ecs_managed_tags = true
  propagate_tags          = "SERVICE"
  enable_execute_command  = false

  network_configuration {
    subnets          = var.private_subnet_ids
    security_groups  = [aws_security_group.this["webserver"].id]
    assign_public_ip = false
  }

  load_balancer {
    target_group_arn = aws_lb_target_group.webserver.arn
    container_name   = local.tasks.webserver.container
    container_port   = local.webserver_port
  }

  depends_on = [aws_lb_listener.https, aws_iam_role_policy.task_execution]
}

resource "aws_ecs_service" "daemon" {
  name             = "${local.name}-daemon"
  cluster          = local.ecs_cluster_arn
  task_definition  = aws_ecs_task_definition.this["daemon"].arn
  desired_count    = 1
  launch_type      = "FARGATE"
  platform_version = "LATEST"

  # The Dagster daemon must never run twice: stop the old task before starting the new one.
  deployment_minimum_healthy_percent = 0
  deployment_maximum_percent         = 100

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  enable_ecs_managed_tags = true
  propagate_tags          = "SERVICE"
  enable_execute_command  = false

  # Run workers are launched with this network configuration too (dagster.yaml).
  network_configuration {
    subnets          = var.private_subnet_ids
    security_groups  = [aws_security_group.this["tasks"].id]
    assign_public_ip = false
  }

  depends_on = [aws_iam_role_policy.task_execution, aws_iam_role_policy.dagster_control]
}

resource "aws_ecs_service" "code_server" {
  name             = "${local.name}-code-server"
  cluster          = local.ecs_cluster_arn
  task_definition  = aws_ecs_task_definition.this["code_server"].arn
  desired_count    = 1
  launch_type      = "FARGATE"
  platform_version = "LATEST"

  deployment_minimum_healthy_percent = 100
  deployment_maximum_percent         = 200

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  enable_ecs_managed_tags = true
  propagate_tags          = "SERVICE"
  enable_execute_command  = false

  network_configuration {
    subnets          = var.private_subnet_ids
    security_groups  = [aws_security_group.this["code_server"].id]
    assign_public_ip = false
  }

  service_registries {
    registry_arn = aws_service_discovery_service.code_server.arn
  }

  depends_on = [aws_iam_role_policy.task_execution, aws_iam_role_policy.dagster_code]
}
