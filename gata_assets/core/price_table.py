"""The built-in SageMaker price table: on-demand USD, dated, with the unconfirmed figures named.

Kept as data apart from the code that reads it (`core/prices.py`), so updating a price is a
one-line change here with a new `taken` date. Checked on 2026-12-04. aws.amazon.com's pricing
page fills in its figures by script, so they were read from public copies of that page and of
the AWS Price List (usage types such as `USE1-Train:ml.g5.xlarge`); only figures that at
least two independent copies agreed on count as confirmed. Everything in `estimates` is not
confirmed: the EU figures are the us-east-1 ones scaled by the EC2 on-demand price ratio of
the same family between those regions (about 1.11 for eu-west-1, 1.20 for eu-central-1),
ml.c5.xlarge and ml.g6.xlarge in us-east-1 come from a single copy, and Batch Transform is
assumed to cost what training costs on the same instance. Check them against
https://aws.amazon.com/sagemaker/pricing/ for your regions and override them with
GATA_PRICE_TABLE (README, "Cost estimates").
"""

from typing import Any

_REGIONS = ("us-east-1", "eu-west-1", "eu-central-1")
_TRAINING: dict[str, dict[str, float]] = {
    "us-east-1": {
        "ml.m5.large": 0.115,
        "ml.m5.xlarge": 0.23,
        "ml.c5.xlarge": 0.204,
        "ml.g5.xlarge": 1.408,
        "ml.g6.xlarge": 1.1267,
    },
    "eu-west-1": {
        "ml.m5.large": 0.128,
        "ml.m5.xlarge": 0.256,
        "ml.c5.xlarge": 0.227,
        "ml.g5.xlarge": 1.57,
        "ml.g6.xlarge": 1.256,
    },
    "eu-central-1": {
        "ml.m5.large": 0.138,
        "ml.m5.xlarge": 0.276,
        "ml.c5.xlarge": 0.245,
        "ml.g5.xlarge": 1.69,
        "ml.g6.xlarge": 1.352,
    },
}
_CONFIRMED = {
    "training/us-east-1/ml.m5.large",
    "training/us-east-1/ml.m5.xlarge",
    "training/us-east-1/ml.g5.xlarge",
    "serverless_gb_second/us-east-1/GB-second",
}
_SERVERLESS = {"us-east-1": 0.00002, "eu-west-1": 0.0000224, "eu-central-1": 0.000024}


def _estimates() -> list[str]:
    keys = [
        f"{kind}/{region}/{name}"
        for kind in ("training", "transform")
        for region in _REGIONS
        for name in _TRAINING[region]
    ]
    keys += [f"serverless_gb_second/{region}/GB-second" for region in _REGIONS]
    return sorted(set(keys) - _CONFIRMED)


BUILT_IN: dict[str, Any] = {
    "taken": "2026-12-04",
    "source": "https://aws.amazon.com/sagemaker/pricing/ (on-demand), via public copies",
    "note": "On-demand list prices in USD; `estimates` are unconfirmed (see core/price_table.py)",
    "currency": "USD",
    "training": _TRAINING,
    "transform": _TRAINING,
    "serverless_gb_second": _SERVERLESS,
    "estimates": _estimates(),
}
