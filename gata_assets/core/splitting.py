"""Deterministic, stratified train/test splits whose sides never flip as data grows.

Each ticket's side is decided by a salted hash of its id, per category: a ticket that was in
the test set stays there in every later extraction. That keeps the test set frozen, so a new
model and the champion it would replace are scored on tickets neither trained on.

Small categories are handled explicitly: a category with a single ticket cannot be split and
stays in train (reported as `train_only`); a category of two or more always gets at least one
test ticket and keeps at least one for training.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from gata_assets.core.hashing import stable_unit_interval


@dataclass(frozen=True)
class Split:
    train: pd.DataFrame
    test: pd.DataFrame
    train_only_categories: tuple[str, ...]


def split_train_test(frame: pd.DataFrame, test_fraction: float, seed: int) -> Split:
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction must be between 0 and 1, got {test_fraction}")
    if frame.empty:
        return Split(train=frame.copy(), test=frame.copy(), train_only_categories=())
    salt = f"gata-split-{seed}"
    draw = frame["ticket_id"].map(lambda ticket_id: stable_unit_interval(str(ticket_id), salt))
    in_test = draw < test_fraction
    train_only: list[str] = []
    for index in frame.groupby("label", sort=True).groups.values():
        members = draw.loc[index].sort_values()
        if len(members) < 2:
            in_test.loc[index] = False
            train_only.append(str(frame.loc[index[0], "category"]))
            continue
        if not in_test.loc[index].any():
            in_test.loc[members.index[0]] = True
        if in_test.loc[index].all():
            in_test.loc[members.index[-1]] = False
    train = frame.loc[~in_test].sort_values("ticket_id").reset_index(drop=True)
    test = frame.loc[in_test].sort_values("ticket_id").reset_index(drop=True)
    return Split(train=train, test=test, train_only_categories=tuple(sorted(train_only)))
