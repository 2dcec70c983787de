# The cost meter (gata_assets/resources/cost_meter.py) prices a batch day's serverless
# endpoints from CloudWatch: GetMetricStatistics of AWS/SageMaker ModelLatency per endpoint.
# (Training jobs are priced from DescribeTrainingJob, which the code role already has.)
#
# Kept in a policy of its own because it cannot be scoped: GetMetricStatistics has no
# resource-level permissions and no condition key of its own (cloudwatch:namespace exists for
# PutMetricData only, and a condition on a key the request does not carry never matches, which
# would deny every call). It only reads this account's metric statistics.

data "aws_iam_policy_document" "dagster_code_cost_meter" {
  statement {
    sid       = "ReadEndpointMetricsForCosts"
    effect    = "Allow"
    actions   = ["cloudwatch:GetMetricStatistics"]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "dagster_code_cost_meter" {
  name   = "gata-dagster-code-cost-meter"
  role   = aws_iam_role.dagster_code.id
  policy = data.aws_iam_policy_document.dagster_code_cost_meter.json
}
