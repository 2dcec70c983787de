"""gata-train with a target precision, as SageMaker would run it, and serving what it chose."""

import json
from dataclasses import replace

import pytest

from gata_assets_tests.ml import train_entrypoint_helpers as helpers


@pytest.mark.slow
def test_a_target_precision_is_met_on_held_out_tickets_and_serving_uses_the_threshold(tmp_path):
    from gata_assets.ml.model_card import read_card
    from gata_assets.ml.routing import RoutingPolicy, Ticket, route_tickets
    from gata_assets.ml.serve.predictor import ClassifierPredictor, load_predictor

    hps = {**helpers.TINY_HPS, "target_precision": "0.9", "calibration_fraction": "0.2"}
    paths = helpers.layout(tmp_path / "ml", per_category=20, hps=hps)
    done = helpers.gata_train(paths)
    assert done.returncode == 0, done.stderr[-3000:]

    metrics = json.loads((paths.model_dir / "metrics.json").read_text())
    calibration = metrics["calibration"]
    # 15 train tickets a queue, a fifth of each held out: 3 x 4 queues.
    assert calibration["held_out"] == 12 and metrics["train_samples"] == 48
    assert calibration["target_precision"] == 0.9
    assert calibration["expected_precision"] >= 0.9 or calibration["expected_coverage"] == 0
    assert {"temperature", "ece_before", "ece_after", "test_coverage", "test_precision"} <= set(
        calibration
    )
    card = read_card(paths.model_dir)
    assert card.min_confidence == pytest.approx(calibration["threshold"], abs=1e-6)
    assert card.temperature == pytest.approx(calibration["temperature"], abs=1e-6)

    predictor = load_predictor(paths.model_dir)
    uncalibrated = ClassifierPredictor(paths.model_dir, replace(card, temperature=1.0))
    texts = ["printer toner paper jam", "vpn tunnel remote access"]
    scaled, raw = predictor(texts), uncalibrated(texts)
    assert [s[0].category for s in scaled] == [r[0].category for r in raw]  # same argmax
    policy = RoutingPolicy.from_cards({"general": card}, min_confidence=0.0)
    answers = route_tickets([Ticket(t) for t in texts], predictor, None, policy)
    for answer, scores in zip(answers, scaled, strict=True):
        routed = scores[0].confidence >= card.min_confidence
        assert answer["route"] == ("general" if routed else "fallback")
