"""The one parsed infra/ configuration every infra test reads (parsed once per session)."""

import pytest

from gata_assets_tests.infra.hcl_helpers import INFRA, Config


@pytest.fixture(scope="session")
def config() -> Config:
    return Config.from_dir(INFRA)
