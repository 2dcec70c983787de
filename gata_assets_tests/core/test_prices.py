"""The price table: dated lookups, an override merged over the built-in figures, and a
malformed override refused where the definitions load, naming GATA_PRICE_TABLE."""

from __future__ import annotations

import json

import pytest

from gata_assets.core.errors import GataInputError
from gata_assets.core.price_table import BUILT_IN
from gata_assets.core.prices import load_price_table, parse
from gata_assets.definitions import build_definitions
from gata_assets.options import SettingsError
from gata_assets.settings import GataSettings


def test_built_in_prices_are_dated_and_say_which_are_estimates():
    table = load_price_table()
    g5 = table.hourly("training", "us-east-1", "ml.g5.xlarge")
    assert (g5.usd, g5.unit, g5.taken, g5.estimate) == (1.408, "hour", "2026-12-04", False)
    assert table.hourly("training", "eu-west-1", "ml.g6.xlarge").estimate is True
    assert table.hourly("transform", "us-east-1", "ml.m5.xlarge").estimate is True
    serverless = table.serverless("us-east-1")
    assert (serverless.usd, serverless.unit, serverless.estimate) == (0.00002, "GB-second", False)
    assert table.hourly("training", "ap-south-1", "ml.g6.xlarge") is None
    # Every default and documented training instance has a price in every listed region.
    for region in ("us-east-1", "eu-west-1", "eu-central-1"):
        for kind in ("training", "transform"):
            for name in ("ml.g6.xlarge", "ml.g5.xlarge", "ml.m5.xlarge", "ml.c5.xlarge"):
                assert table.hourly(kind, region, name).usd > 0, (kind, region, name)
        assert table.serverless(region).usd > 0


def test_an_override_replaces_and_adds_prices_and_keeps_the_rest(tmp_path):
    path = tmp_path / "prices.json"
    override = {
        "taken": "2027-01-15",
        "source": "our enterprise agreement",
        "training": {"eu-west-1": {"ml.g6.xlarge": 0.9}, "ap-south-1": {"ml.g6.xlarge": 1.3}},
        "serverless_gb_second": {"ap-south-1": 0.000021},
    }
    path.write_text(json.dumps(override))
    table = load_price_table(str(path))
    ours = table.hourly("training", "eu-west-1", "ml.g6.xlarge")
    assert (ours.usd, ours.taken, ours.source, ours.estimate) == (
        0.9,
        "2027-01-15",
        "our enterprise agreement",
        False,
    )
    assert table.hourly("training", "ap-south-1", "ml.g6.xlarge").usd == 1.3
    assert table.serverless("ap-south-1").usd == 0.000021
    kept = table.hourly("training", "us-east-1", "ml.g5.xlarge")
    assert (kept.usd, kept.taken) == (1.408, "2026-12-04")


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("{not json", "is not JSON"),
        (json.dumps({"training": {}}), "must say when its prices were taken"),
        (json.dumps({"taken": "2027-01-15", "trainig": {}}), r"unknown key\(s\) \['trainig'\]"),
        (
            json.dumps({"taken": "2027-01-15", "training": {"us-east-1": {"ml.g6.xlarge": 0}}}),
            "training.us-east-1.ml.g6.xlarge must be a positive number",
        ),
        (json.dumps({"taken": "2027-01-15", "training": {"us-east-1": 1.2}}), "JSON object"),
        (json.dumps({"taken": "2027-01-15", "currency": "EUR"}), "in USD, not 'EUR'"),
    ],
)
def test_a_malformed_override_is_refused_with_the_reason(tmp_path, content, problem):
    path = tmp_path / "prices.json"
    path.write_text(content)
    with pytest.raises(GataInputError, match=problem):
        load_price_table(str(path))


def test_a_malformed_override_fails_the_definitions_load(tmp_path):
    path = tmp_path / "prices.json"
    path.write_text(json.dumps({"taken": "2027-01-15", "training": {"us-east-1": {"x": "9"}}}))
    for mode in ({}, {"GATA_MODE": "aws", "GATA_ARTIFACT_BUCKET": "b", "AWS_REGION": "eu-west-1"}):
        settings = GataSettings.from_env(
            {"GATA_HOME": str(tmp_path), "GATA_PRICE_TABLE": str(path), **mode}
        )
        with pytest.raises(SettingsError, match=r"GATA_PRICE_TABLE: price table .* positive"):
            build_definitions(settings)
    missing = GataSettings.from_env(
        {"GATA_HOME": str(tmp_path), "GATA_PRICE_TABLE": str(tmp_path / "nope.json")}
    )
    with pytest.raises(SettingsError, match=r"GATA_PRICE_TABLE: .*cannot be read"):
        build_definitions(missing)


def test_a_good_override_reaches_the_cost_meter(tmp_path):
    path = tmp_path / "prices.json"
    path.write_text(json.dumps({"taken": "2027-01-15", "transform": {"eu-west-1": {"m": 2.0}}}))
    settings = GataSettings.from_env({"GATA_HOME": str(tmp_path), "GATA_PRICE_TABLE": str(path)})
    meter = build_definitions(settings).resources["cost_meter"]
    assert meter.prices().hourly("transform", "eu-west-1", "m").usd == 2.0


def test_the_built_in_table_parses_and_names_only_real_entries_as_estimates():
    table = parse(BUILT_IN)
    assert set(BUILT_IN["estimates"]) <= set(table.prices)
    assert sum(p.estimate for p in table.prices.values()) == len(BUILT_IN["estimates"])
