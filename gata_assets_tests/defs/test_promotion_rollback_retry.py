"""Prod promotion across runs: every change of the wanted pair runs, rollbacks included, and
a failed promotion is retried on later ticks (bounded), through a real Dagster instance."""

from __future__ import annotations

import pytest

from gata_assets.defs.automation.promotion_sensor import MAX_ATTEMPTS
from gata_assets.resources.refs_io_manager import latest_ref
from gata_assets_tests.defs.promotion_helpers import PROD, World


@pytest.fixture
def world(tmp_path):
    w = World(tmp_path)
    for version, group in (("gA", "general"), ("gB", "general"), ("l1", "low_volume")):
        w.add(version, group)
    return w


def test_approve_approve_reject_rolls_prod_back_with_a_real_run(world):
    world.registry.approve("gA")
    world.registry.approve("l1")
    _, run = world.tick()
    assert run.success and world.prod() == {"general": "gA", "low_volume": "l1"}
    assert "already serves" in world.tick()[0].skip_message

    world.registry.approve("gB")
    _, run = world.tick()
    assert run.success and world.prod() == {"general": "gB", "low_volume": "l1"}

    # The pair prod served before: a new key, so a run really happens.
    world.registry.reject("gB", note="regressed")
    _, run = world.tick()
    assert run is not None and run.success
    assert world.prod() == {"general": "gA", "low_volume": "l1"}
    assert world.deployer.serving("gata-prod") == {"general": "gA", "low_volume": "l1"}
    ref = latest_ref(world.store, PROD)
    assert ref.batch_id == "batch-gA" and ref.data_sha256 == "hash-gA"


def test_a_failed_promotion_is_retried_then_given_up_with_the_reason(world):
    world.registry.approve("gA")
    world.registry.approve("l1")
    world.deployer.fail_next(MAX_ATTEMPTS)
    _, run = world.tick()
    assert not run.success and world.prod() == {}
    for _ in range(MAX_ATTEMPTS - 1):
        _, run = world.tick()
        assert run is not None and not run.success  # retried on a later tick, with a new key
    gave_up, run = world.tick()
    assert run is None and f"failed {MAX_ATTEMPTS} times" in gave_up.skip_message
    assert "capacity unavailable" in gave_up.skip_message
    # A new decision starts over: the next approval promotes.
    world.registry.approve("gB")
    _, run = world.tick()
    assert run.success and world.prod() == {"general": "gB", "low_volume": "l1"}


def test_a_promotion_that_fails_once_succeeds_on_the_next_tick(world):
    world.registry.approve("gA")
    world.registry.approve("l1")
    world.deployer.fail_next(1)
    _, first = world.tick()
    assert not first.success
    _, second = world.tick()
    assert second.success and world.prod() == {"general": "gA", "low_volume": "l1"}
