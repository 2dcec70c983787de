"""The `aws_world` fixture: moto on loopback, SageMaker's stand-in, the account, a ticket DB."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from gata_assets_tests.aws_world.moto_world import MotoWorld
from gata_assets_tests.aws_world.sagemaker_standin import SageMakerStandIn
from gata_assets_tests.aws_world.serve_standin import served_model_data
from gata_assets_tests.aws_world.world_setup import (
    Account,
    build_account,
    client,
    gata_environment,
)
from gata_assets_tests.integration.dagster_processes import executable
from gata_assets_tests.pg import fresh_database

# Enough tickets for both groups to train (the low-volume group needs a few hundred), few
# enough that one epoch of each job takes well under a minute on 2 cores.
WORLD_TICKETS = "700"


@dataclass
class AwsWorld:
    env: dict[str, str]
    account: Account
    standin: SageMakerStandIn
    db_url: str


@pytest.fixture
def aws_world(tmp_path: Path) -> Iterator[AwsWorld]:
    with fresh_database() as db_url:
        seed = {**os.environ, "GATA_HOME": str(tmp_path / "seed")}
        subprocess.run(
            [executable("gata"), "seed", "--tickets", WORLD_TICKETS, "--db-url", db_url],
            env={k: v for k, v in seed.items() if k != "GATA_MODE"},
            check=True,
            capture_output=True,
            timeout=120,
        )
        holder: dict[str, str] = {}
        standin = SageMakerStandIn(
            clients=lambda service: client(holder["url"], service),
            serve=lambda data_url, environment: served_model_data(
                client(holder["url"], "s3"), data_url, environment
            ),
        )
        with MotoWorld(standin) as world:
            holder["url"] = world.url
            account = build_account(world.url, db_url)
            home = tmp_path / "gata-home"
            (home / "dagster").mkdir(parents=True)
            try:
                yield AwsWorld(gata_environment(account, home, db_url), account, standin, db_url)
            finally:
                standin.close()
