"""The data half of the graph, materialized in-process with the offline resources."""

from __future__ import annotations

from dataclasses import replace

import dagster as dg
import pandas as pd
import sqlalchemy as sa

from gata_assets.core.references import ExtractRef, SplitRef
from gata_assets.defs import extraction, preparation
from gata_assets.resources.pipeline_config import PipelineConfig
from gata_assets.resources.refs_io_manager import latest_ref
from gata_assets_tests.helpers import load_rows, make_ticket_rows

DATA_DEFS = dg.Definitions.merge(extraction.defs, preparation.defs)


def materialize_data(resources: dict, run_config: dict | None = None) -> dg.ExecuteInProcessResult:
    defs = dg.Definitions.merge(DATA_DEFS, dg.Definitions(resources=resources))
    job = defs.resolve_implicit_global_asset_job_def()
    return job.execute_in_process(run_config=run_config or {}, raise_on_error=False)


def checks_by_name(result: dg.ExecuteInProcessResult) -> dict[str, bool]:
    return {
        f"{e.asset_key.to_user_string()}:{e.check_name}": e.passed
        for e in result.get_asset_check_evaluations()
    }


def test_data_assets_materialize_with_lineage_and_passing_checks(
    small_ticket_db, offline_resources
):
    result = materialize_data(offline_resources)
    assert result.success
    checks = checks_by_name(result)
    assert len(checks) == 8 and all(checks.values()), checks

    store = offline_resources["artifact_store"]
    extract = latest_ref(store, dg.AssetKey("ticket_extract"))
    assert extract.rows == 236 and extract.quarantined == 0
    batch = extract.batch_id
    for key in (
        "general_train_set",
        "general_test_set",
        "low_volume_train_set",
        "low_volume_test_set",
    ):
        ref = latest_ref(store, dg.AssetKey(key))
        assert ref.batch_id == batch and batch in ref.uri
        frame = store.read_parquet(ref.uri)
        assert (
            list(frame.columns) == ["ticket_id", "text", "label", "category"]
            and len(frame) == ref.rows
        )
    low = latest_ref(store, dg.AssetKey("low_volume_group"))
    assert set(low.category_counts) == {"gdpr", "legal"}

    meta = result.asset_materializations_for_node("ticket_extract")[0].metadata
    assert meta["dagster/row_count"].value == 236
    assert len(meta["sha256"].value) == 64 and meta["uri"].value.endswith("tickets.parquet")


def test_extraction_is_incremental_and_updates_replace_old_versions(
    small_ticket_db, offline_resources
):
    assert materialize_data(offline_resources).success
    store = offline_resources["artifact_store"]
    first = latest_ref(store, dg.AssetKey("ticket_extract"))

    engine = sa.create_engine(small_ticket_db)
    load_rows(engine, make_ticket_rows({"billing": 5}, start_id=1000))
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "UPDATE tickets SET body = 'changed',"
                " updated_at = '2027-01-01 00:00:00.000000' WHERE ticket_id = 1"
            )
        )

    assert materialize_data(offline_resources).success
    second = latest_ref(store, dg.AssetKey("ticket_extract"))
    assert second.new_rows == 6 and second.rows == 241
    assert second.batch_id != first.batch_id
    tickets = store.read_parquet(second.uri)
    assert tickets["ticket_id"].is_unique
    assert tickets.set_index("ticket_id").loc[1, "body"] == "changed"


def test_bad_rows_are_quarantined_not_lost(small_ticket_db, offline_resources):
    engine = sa.create_engine(small_ticket_db)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE tickets SET subject = '', body = '' WHERE ticket_id = 2"))
        conn.execute(sa.text("UPDATE tickets SET category_id = 999 WHERE ticket_id = 3"))
    assert materialize_data(offline_resources).success
    store = offline_resources["artifact_store"]
    ref = latest_ref(store, dg.AssetKey("ticket_extract"))
    assert ref.quarantined == 2 and ref.quarantined_by_reason == {
        "empty_text": 1,
        "unknown_label": 1,
    }
    quarantine = store.read_parquet(ref.quarantine_uri)
    assert dict(zip(quarantine["ticket_id"], quarantine["reason"], strict=True)) == {
        "2": "empty_text",
        "3": "unknown_label",
    }


def test_empty_database_fails_with_a_clear_reason(gata_home, offline_resources):
    load_rows(sa.create_engine(f"sqlite:///{gata_home / 'tickets.db'}"), [])
    result = materialize_data(offline_resources)
    assert not result.success
    failure = next(e for e in result.all_events if e.is_step_failure)
    assert "holds no valid labelled tickets" in failure.step_failure_data.error.message


def test_missing_database_fails_with_a_clear_reason(gata_home, offline_resources):
    result = materialize_data(offline_resources)
    failure = next(e for e in result.all_events if e.is_step_failure)
    assert "has no table or view 'tickets'" in failure.step_failure_data.error.message


def test_drift_check_warns_when_the_category_mix_moves(small_ticket_db, offline_resources):
    assert materialize_data(offline_resources).success
    load_rows(sa.create_engine(small_ticket_db), make_ticket_rows({"vpn": 400}, start_id=5000))
    result = materialize_data(offline_resources)
    assert result.success  # WARN severity never blocks
    assert checks_by_name(result)["ticket_extract:ticket_extract_category_drift"] is False


def test_low_volume_sufficiency_warns_with_too_little_rare_data(small_ticket_db, offline_resources):
    strict = PipelineConfig(low_volume_min_per_category=50)
    result = materialize_data({**offline_resources, "pipeline": strict})
    assert result.success
    assert checks_by_name(result)["low_volume_group:low_volume_sufficiency"] is False


def test_extract_checks_fail_on_duplicates_and_empty_text(offline_resources):
    from gata_assets.defs.extraction.checks import (
        ticket_extract_schema_and_text,
        ticket_extract_unique_ids,
    )

    store = offline_resources["artifact_store"]
    bad = pd.DataFrame(
        {
            "ticket_id": [1, 1], "created_at": pd.to_datetime(["2026-01-01"] * 2, utc=True),
            "updated_at": pd.to_datetime(["2026-01-01"] * 2, utc=True), "subject": ["", ""],
            "body": ["x", ""], "text": ["x", ""], "label": [1, 1], "category": ["a", "a"],
        }
    )  # fmt: skip
    ref = ExtractRef(**store.write_parquet(bad, "bad.parquet").as_dict(), batch_id="b1")
    assert not ticket_extract_unique_ids(ticket_extract=ref, artifact_store=store).passed
    result = ticket_extract_schema_and_text(ticket_extract=ref, artifact_store=store)
    assert not result.passed and result.metadata["empty_text_rows"].value == 1
    good = ExtractRef(**store.write_parquet(bad.iloc[:1], "good.parquet").as_dict(), batch_id="b1")
    assert ticket_extract_unique_ids(ticket_extract=good, artifact_store=store).passed
    assert ticket_extract_schema_and_text(ticket_extract=good, artifact_store=store).passed


def test_split_checks_fail_on_leakage_and_unknown_test_categories(offline_resources):
    from gata_assets.defs.preparation.checks import build_split_checks

    store = offline_resources["artifact_store"]
    train = store.write_parquet(
        pd.DataFrame(
            {"ticket_id": [1, 2], "text": ["a", "b"], "label": [1, 1], "category": ["a", "a"]}
        ),
        "t.parquet",
    )
    test = store.write_parquet(
        pd.DataFrame(
            {"ticket_id": [2, 3], "text": ["b", "c"], "label": [1, 2], "category": ["a", "z"]}
        ),
        "s.parquet",
    )
    check = build_split_checks("general")
    train, test = (SplitRef(**side.as_dict(), batch_id="b1") for side in (train, test))
    results = {r.check_name: r for r in check(train_set=train, test_set=test, artifact_store=store)}
    assert not results["no_train_test_overlap"].passed
    assert not results["test_categories_in_train"].passed
    clean = {
        r.check_name: r.passed
        for r in check(
            train_set=train,
            test_set=replace(
                train,
                uri=store.write_parquet(
                    pd.DataFrame(
                        {"ticket_id": [9], "text": ["q"], "label": [1], "category": ["a"]}
                    ),
                    "c.parquet",
                ).uri,
            ),
            artifact_store=store,
        )
    }
    assert clean == {"no_train_test_overlap": True, "test_categories_in_train": True}
