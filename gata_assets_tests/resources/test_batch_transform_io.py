"""Batch Transform's naming, output checks and settings, without AWS.

A job's name must fit SageMaker and say which attempt it is; an output that does not answer
its tickets line by line must fail rather than mislabel; the resource is built from the
GATA_* options in AWS, and in-process scoring locally.
"""

from __future__ import annotations

import re

import pytest

from gata_assets.resources.batch_scoring import BatchScoringError
from gata_assets.resources.batch_transform_io import encode_parts, job_name, read_answers
from gata_assets_tests.resources.batch_transform_helpers import day_tickets

DAY = "2026-05-02"


def test_job_names_fit_sagemaker_and_mark_retries():
    long = job_name("a" * 80, DAY, "0123456789ab", "fedcba9876543210", attempt=12)
    assert len(long) <= 63 and long.endswith("-bt-20260502-01234567-fedcba9876-r12")
    assert re.fullmatch(r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}", job_name("gata_x", DAY, "ab", "cd"))


def test_an_output_that_does_not_answer_its_tickets_line_by_line_is_refused():
    tickets = day_tickets(2)
    lines = [b'{"id": 1001, "category": "a"}\n{"id": 1000, "category": "b"}']
    with pytest.raises(
        BatchScoringError, match="line 1 of the transform output answers ticket 1001"
    ):
        read_answers(lines, tickets)
    with pytest.raises(BatchScoringError, match="1 predictions for 2 tickets"):
        read_answers([b'{"id": 1000}\n\n'], tickets)


def test_the_input_is_split_into_one_file_per_instance_in_order():
    tickets = day_tickets(7)
    parts = encode_parts(tickets, 3)
    assert [part.count(b"\n") for part in parts] == [3, 3, 1]
    assert read_answers(parts, tickets)[-1]["id"] == 1006  # input lines carry their ids
    assert encode_parts(tickets[:1], 4) == [parts[0].split(b"\n")[0] + b"\n"]


def test_built_from_the_options_in_aws_and_in_process_locally(tmp_path):
    from gata_assets.options import OPTIONS
    from gata_assets.resources.batch_scoring import InProcessBatchScoring
    from gata_assets.resources.build import build_batch_scoring
    from gata_assets.resources.sagemaker_batch_transform import SageMakerBatchScoring
    from gata_assets.settings import GataSettings

    env = {
        "GATA_HOME": str(tmp_path),
        "GATA_MODE": "aws",
        "GATA_ARTIFACT_BUCKET": "gata-artifacts",
        "AWS_REGION": "eu-west-1",
        "GATA_KMS_KEY_ID": "alias/gata",
        "GATA_SAGEMAKER_ROLE_ARN": "arn:aws:iam::1:role/gata-sagemaker",
        "GATA_BATCH_TRANSFORM_MIN_TICKETS": "500",
        "GATA_BATCH_TRANSFORM_INSTANCE_TYPE": "ml.c5.2xlarge",
        "GATA_BATCH_TRANSFORM_INSTANCE_COUNT": "2",
    }
    scoring = build_batch_scoring(GataSettings.from_env(env))
    assert isinstance(scoring, SageMakerBatchScoring)
    assert (scoring.min_transform_tickets, scoring.instance_type, scoring.instance_count) == (
        500,
        "ml.c5.2xlarge",
        2,
    )
    assert (scoring.kms_key_id, scoring.region_name) == ("alias/gata", "eu-west-1")
    assert scoring.role_arn.endswith("role/gata-sagemaker")
    local = build_batch_scoring(GataSettings.from_env({"GATA_HOME": str(tmp_path)}))
    assert isinstance(local, InProcessBatchScoring)
    # Each row that sets a field of the resource repeats that field's default.
    rows = [(r, f) for r in OPTIONS.values() for c, f in r.targets if c == "batch_scoring"]
    assert len(rows) >= 9
    for row, name in rows:
        assert SageMakerBatchScoring.model_fields[name].default == row.default, row.name
