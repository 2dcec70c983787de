"""Personal data never reaches a stored file: extract, quarantine, groups, splits, model.

Tickets carrying the PII corpus (in several formats) go through the real extraction and
preparation assets and through gata-train; then every file written is searched, byte for
byte, for each sample. gata-serve must mask requests as training masked the text, so a
ticket scores the same with a phone number as with the placeholder the model was trained on.
"""

import json
from dataclasses import replace
from pathlib import Path

import dagster as dg
import pandas as pd
import pytest
import sqlalchemy as sa

from gata_assets.core.references import ExtractRef
from gata_assets.resources.pipeline_config import PipelineConfig
from gata_assets.resources.refs_io_manager import latest_ref
from gata_assets_tests.core.test_pii import PII_SAMPLES
from gata_assets_tests.defs.test_data_assets import materialize_data
from gata_assets_tests.helpers import load_rows, make_ticket_rows
from gata_assets_tests.ml import train_entrypoint_helpers as train_helpers

SAMPLES = [sample for _, sample in PII_SAMPLES]


def tickets_with_pii() -> list[dict]:
    rows = make_ticket_rows({"billing": 60, "password": 55, "printer": 50, "vpn": 45})
    for i, row in enumerate(rows):
        sample = SAMPLES[i % len(SAMPLES)]
        row["body"] = f"{row['body']} reach me at {sample} thanks"
        if i % 7 == 0:
            row["subject"] = f"from {SAMPLES[(i + 3) % len(SAMPLES)]}"
    return rows


def load_tickets_with_pii(gata_home: Path) -> None:
    engine = sa.create_engine(f"sqlite:///{gata_home / 'tickets.db'}")
    load_rows(engine, tickets_with_pii())
    with engine.begin() as conn:  # an unknown queue: quarantined, with its PII-laden text
        conn.execute(sa.text("UPDATE tickets SET category_id = 999 WHERE ticket_id = 2"))


def files_holding(root: Path, needles: list[str]) -> dict[str, list[str]]:
    found = {}
    for path in root.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            hits = [n for n in needles if n.encode() in data]
            if hits:
                found[str(path.relative_to(root))] = hits
    return found


def test_no_stored_ticket_file_holds_personal_data(gata_home, offline_resources):
    load_tickets_with_pii(gata_home)
    result = materialize_data(offline_resources)
    assert result.success
    store = offline_resources["artifact_store"]
    extract = latest_ref(store, dg.AssetKey("ticket_extract"), ExtractRef)
    assert extract.redact_pii and extract.quarantined >= 1
    assert sum(extract.pii_masked.values()) >= len(SAMPLES)
    assert files_holding(gata_home, SAMPLES) == {"tickets.db": SAMPLES}  # only the source
    snapshot = store.read_parquet(extract.uri)
    assert snapshot["text"].str.contains("<PHONE>").any()
    meta = result.asset_materializations_for_node("ticket_extract")[0].metadata
    assert meta["pii_masked"].value == extract.pii_masked
    train_set = latest_ref(store, dg.AssetKey("general_train_set"))
    assert train_set.redact_pii


def test_switched_off_the_text_is_kept_as_written(gata_home, offline_resources):
    load_tickets_with_pii(gata_home)
    resources = {**offline_resources, "pipeline": PipelineConfig(redact_pii=False)}
    assert materialize_data(resources).success
    extract = latest_ref(resources["artifact_store"], dg.AssetKey("ticket_extract"), ExtractRef)
    assert not extract.redact_pii and extract.pii_masked == {}
    assert any(name.endswith("tickets.parquet") for name in files_holding(gata_home, SAMPLES))

    # Switched on again: the next run masks the old snapshot's tickets too, new rows or not.
    assert materialize_data(offline_resources).success
    latest = latest_ref(offline_resources["artifact_store"], dg.AssetKey("ticket_extract"))
    assert latest.redact_pii and latest.batch_id != extract.batch_id
    stored = offline_resources["artifact_store"].read_parquet(latest.uri)
    assert not any(stored["text"].str.contains(sample, regex=False).any() for sample in SAMPLES)


@pytest.mark.slow
def test_gata_train_masks_its_channels_and_serving_masks_requests_the_same_way(tmp_path):
    from gata_assets.ml.serve.predictor import load_predictor

    paths = train_helpers.layout(tmp_path / "ml", per_category=12)
    for channel in (paths.train_channel / "train.parquet", paths.test_channel / "test.parquet"):
        frame = pd.read_parquet(channel)
        frame["text"] = [f"{t} call {SAMPLES[i % len(SAMPLES)]}" for i, t in enumerate(frame.text)]
        frame.to_parquet(channel)
    done = train_helpers.gata_train(paths)
    assert done.returncode == 0, done.stderr[-3000:]
    assert files_holding(paths.model_dir, SAMPLES) == {}
    card = json.loads((paths.model_dir / "gata_model.json").read_text())
    assert card["redact_pii"] is True

    predictor = load_predictor(paths.model_dir)
    raw = predictor(["printer toner jam, call +49 30 1234567", "vpn token, BEN@EXAMPLE.COM"])
    placeholders = predictor(["printer toner jam, call <PHONE>", "vpn token, <EMAIL>"])
    assert raw == placeholders
    unmasked = load_predictor_without_masking(paths.model_dir)
    assert unmasked(["printer toner jam, call +49 30 1234567"]) != [placeholders[0]]


def load_predictor_without_masking(model_dir: Path):
    from gata_assets.ml.model_card import read_card
    from gata_assets.ml.serve.predictor import ClassifierPredictor

    return ClassifierPredictor(model_dir, replace(read_card(model_dir), redact_pii=False))
