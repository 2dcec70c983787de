"""Calibration on held-out training tickets: honest confidences and a threshold for a target.

A fine-tuned classifier's softmax is over-confident, and a confidence threshold picked by hand
says nothing about how often the tickets it lets through are right. So, when the operator
states a target precision, gata-train holds a stratified slice of the train channel out of
training and, after training, on that slice only:

1. fits a temperature T (one number: logits / T) by minimising the negative log-likelihood,
   so a confidence of 0.9 is right about 90 % of the time (expected calibration error, ECE);
2. picks the lowest calibrated confidence at which the tickets at or above it reach the
   target precision: the most tickets routed automatically for the precision asked.

The frozen test set is never used to choose anything; the model card reports how the chosen
threshold does on it. Pure numpy.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

MIN_PER_LABEL = 5
"""A label gives tickets to the held-out slice only when it has at least this many."""


def hold_out(labels: np.ndarray, fraction: float, seed: int) -> np.ndarray:
    """A boolean mask of the held-out slice: `fraction` of each label with enough tickets
    (at least one of each such label), drawn with `seed`, so a rerun holds out the same."""
    rng = np.random.default_rng(seed)
    held = np.zeros(len(labels), dtype=bool)
    for label in np.unique(labels):
        members = np.flatnonzero(labels == label)
        if len(members) >= MIN_PER_LABEL:
            take = max(1, round(fraction * len(members)))
            held[rng.choice(members, size=take, replace=False)] = True
    return held


def softmax(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    scaled = logits / temperature
    scaled = scaled - scaled.max(axis=1, keepdims=True)
    exp = np.exp(scaled)
    return exp / exp.sum(axis=1, keepdims=True)


def nll(logits: np.ndarray, targets: np.ndarray, temperature: float) -> float:
    probs = softmax(logits, temperature)[np.arange(len(targets)), targets]
    return float(-np.log(np.clip(probs, 1e-12, None)).mean())


def fit_temperature(logits: np.ndarray, targets: np.ndarray) -> float:
    """The T in [0.05, 20] with the least NLL: golden-section search on log T (NLL is
    convex in 1/T, so one minimum)."""
    low, high = np.log(0.05), np.log(20.0)
    ratio = (np.sqrt(5) - 1) / 2
    for _ in range(60):
        a, b = high - ratio * (high - low), low + ratio * (high - low)
        if nll(logits, targets, np.exp(a)) < nll(logits, targets, np.exp(b)):
            high = b
        else:
            low = a
    return float(np.exp((low + high) / 2))


def expected_calibration_error(
    confidence: np.ndarray, correct: np.ndarray, bins: int = 10
) -> float:
    """Mean |accuracy - confidence| over equal-width confidence bins, weighted by size."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(confidence, edges[1:-1]), 0, bins - 1)
    error = 0.0
    for b in range(bins):
        in_bin = which == b
        if in_bin.any():
            error += in_bin.mean() * abs(correct[in_bin].mean() - confidence[in_bin].mean())
    return float(error)


def threshold_for_precision(
    confidence: np.ndarray, correct: np.ndarray, target: float
) -> tuple[float, float, float]:
    """(threshold, coverage, precision): the lowest confidence whose tickets at or above it
    are right at least `target` of the time. None reaching it: a threshold above 1, so no
    ticket is routed automatically (coverage 0) rather than any routed below target."""
    order = np.argsort(-confidence, kind="stable")
    ranked, hits = confidence[order], correct[order].astype(float)
    precision = np.cumsum(hits) / np.arange(1, len(hits) + 1)
    # Only where a run of equal confidences ends: a threshold cannot split them.
    ends = np.r_[ranked[1:] != ranked[:-1], True]
    meets = np.flatnonzero((precision >= target) & ends)
    if len(meets) == 0:
        return 1.000001, 0.0, 0.0
    last = meets[-1]
    return float(ranked[last]), float((last + 1) / len(ranked)), float(precision[last])


@dataclass(frozen=True)
class Calibration:
    held_out: int
    temperature: float
    ece_before: float
    ece_after: float
    target_precision: float
    threshold: float
    expected_coverage: float
    expected_precision: float

    def as_dict(self) -> dict:
        return {k: round(v, 6) if isinstance(v, float) else v for k, v in asdict(self).items()}


def calibrate(logits: np.ndarray, targets: np.ndarray, target_precision: float) -> Calibration:
    """Everything above, from the held-out slice's logits and true label indices."""
    temperature = fit_temperature(logits, targets)
    before, after = softmax(logits), softmax(logits, temperature)
    correct = before.argmax(axis=1) == targets  # scaling never changes the argmax
    threshold, coverage, precision = threshold_for_precision(
        after.max(axis=1), correct, target_precision
    )
    return Calibration(
        held_out=len(targets),
        temperature=temperature,
        ece_before=expected_calibration_error(before.max(axis=1), correct),
        ece_after=expected_calibration_error(after.max(axis=1), correct),
        target_precision=target_precision,
        threshold=threshold,
        expected_coverage=coverage,
        expected_precision=precision,
    )


def at_threshold(logits: np.ndarray, targets: np.ndarray, temperature: float, threshold: float):
    """(coverage, precision) of a threshold on other tickets (the test set): reported only."""
    probs = softmax(logits, temperature)
    routed = probs.max(axis=1) >= threshold
    if not routed.any():
        return 0.0, 0.0
    correct = probs.argmax(axis=1) == targets
    return float(routed.mean()), float(correct[routed].mean())
