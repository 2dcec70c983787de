"""Fixtures shared by the resource tests."""

from __future__ import annotations

import boto3
import pytest
from moto import mock_aws

from gata_assets_tests.resources.aurora_helpers import REGION


@pytest.fixture
def secrets():
    """moto's Secrets Manager, for the Aurora ticket database tests."""
    with mock_aws():
        yield boto3.client("secretsmanager", region_name=REGION)
