"""Calibration on held-out tickets: the slice, the temperature, the threshold for a target."""

import numpy as np
import pytest

from gata_assets.core.schema import HANDOFF_LABEL
from gata_assets.ml.model_card import ModelCard
from gata_assets.ml.routing import RoutingPolicy, Scored, Ticket, route_tickets
from gata_assets.ml.train.calibration import (
    at_threshold,
    calibrate,
    expected_calibration_error,
    fit_temperature,
    hold_out,
    softmax,
    threshold_for_precision,
)


def test_hold_out_is_stratified_deterministic_and_spares_small_labels():
    labels = np.array([0] * 50 + [1] * 20 + [2] * 4)
    held = hold_out(labels, 0.1, seed=13)
    assert (held[labels == 0].sum(), held[labels == 1].sum(), held[labels == 2].sum()) == (5, 2, 0)
    assert (hold_out(labels, 0.1, seed=13) == held).all()
    assert not (hold_out(labels, 0.1, seed=14) == held).all()


def test_temperature_is_recovered_from_over_confident_logits():
    rng = np.random.default_rng(0)
    true_logits = rng.normal(size=(4000, 5)) * 2
    targets = np.array([rng.choice(5, p=p) for p in softmax(true_logits)])
    # A model three times too sure of itself: the fitted temperature undoes it.
    assert fit_temperature(true_logits * 3, targets) == pytest.approx(3.0, rel=0.1)


def test_calibration_error_is_zero_when_confidence_matches_accuracy():
    confidence = np.full(10, 0.7)
    correct = np.array([1] * 7 + [0] * 3, dtype=bool)
    assert expected_calibration_error(confidence, correct) == pytest.approx(0.0)
    assert expected_calibration_error(np.full(10, 0.9), correct) == pytest.approx(0.2)


def test_threshold_is_the_lowest_confidence_meeting_the_target():
    confidence = np.array([0.99, 0.95, 0.9, 0.9, 0.8, 0.6, 0.5])
    correct = np.array([1, 1, 1, 0, 1, 0, 1], dtype=bool)
    # At 0.9 and above: 3 of 4 right (0.75); at 0.8: 4 of 5 (0.8); at 0.95: 2 of 2.
    assert threshold_for_precision(confidence, correct, 0.8) == (0.8, 5 / 7, 0.8)
    assert threshold_for_precision(confidence, correct, 0.9) == (0.95, 2 / 7, 1.0)
    assert threshold_for_precision(confidence, ~correct, 0.9)[1] == 0.0  # unreachable: none


def test_calibrate_reports_a_threshold_its_slice_meets():
    rng = np.random.default_rng(1)
    true_logits = rng.normal(size=(2000, 4)) * 2
    targets = np.array([rng.choice(4, p=p) for p in softmax(true_logits)])
    logits = true_logits * 3  # over-confident, as fine-tuned models are
    result = calibrate(logits, targets, target_precision=0.9)
    assert result.held_out == 2000 and result.expected_precision >= 0.9
    assert 0 < result.expected_coverage < 1 and result.ece_after < result.ece_before / 2
    coverage, precision = at_threshold(logits, targets, result.temperature, result.threshold)
    assert coverage == pytest.approx(result.expected_coverage)
    assert precision == pytest.approx(result.expected_precision)


def fixed(label: int, confidence: float):
    return lambda texts: [[Scored(label, f"q{label}", confidence)] for _ in texts]


def test_each_models_card_threshold_replaces_the_fixed_one_for_that_model():
    cards = {
        "general": ModelCard(kind="classifier", group="general", min_confidence=0.7),
        "low_volume": ModelCard(kind="classifier", group="low_volume"),
    }
    policy = RoutingPolicy.from_cards(cards, min_confidence=0.2, fallback_label="triage")
    assert policy.threshold("general") == 0.7 and policy.threshold("low_volume") == 0.2
    [answer] = route_tickets([Ticket("x")], fixed(3, 0.6), None, policy)
    assert answer["route"] == "fallback"  # 0.6 < the general card's 0.7
    handoff = route_tickets([Ticket("x")], fixed(HANDOFF_LABEL, 0.99), fixed(5, 0.3), policy)
    assert handoff[0]["route"] == "low_volume"  # 0.3 >= the fixed 0.2 for the uncalibrated
