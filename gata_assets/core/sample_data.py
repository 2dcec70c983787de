"""Synthetic help-desk tickets, so gata can be tried end to end without a real help desk.

The tickets have to exercise what real ones do to the pipeline: a long tail of rare queues
(the low-volume grouping), neighbouring queues that share their words, requests phrased in
many ways, terse one-liners and rambling mails, a few tickets that mention another queue's
topic or are genuinely about two, about 3 % closed in the wrong queue, and the mess of real
mail (`sample_noise`). That is what makes a keyword baseline fall short of a model that reads.
Everything is drawn from one seeded numpy generator, never global state, so a seed always
gives the same frame; choices are made in bulk with numpy and only the final string
formatting is a Python loop, which keeps a million tickets within seconds.
"""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pandas as pd

from gata_assets.core import sample_phrasing as say
from gata_assets.core.sample_compose import choose, compose
from gata_assets.core.sample_noise import add_mail_noise, misroute
from gata_assets.core.sample_templates import categories

DEFAULT_START = datetime(2025, 1, 1, tzinfo=UTC)  # fixed, so output depends on arguments only
COLUMNS = ("ticket_id", "created_at", "updated_at", "subject", "body", "category")
LABEL_NOISE = 0.03  # share of tickets closed in a neighbouring queue
SPECIALIST_SHARE = 15.0  # per mille: rarer queues are worked by specialists who re-route


def generate_tickets(
    n_tickets: int = 3000,
    seed: int = 7,
    start: datetime | None = None,
    months: int = 6,
    *,
    with_truth: bool = False,
) -> tuple[pd.DataFrame, list[str]]:
    """(tickets frame, all category names); the frame's `category` holds names: the queue the
    ticket was closed in. `with_truth` adds `true_category`, the queue it was written for."""
    if n_tickets < 0 or months < 1:
        raise ValueError("n_tickets must be >= 0 and months >= 1")
    rng = np.random.default_rng(seed)
    queues = categories()
    names = np.array([q.name for q in queues], dtype=object)
    shares = np.array([q.share for q in queues])
    cats = _allocate(shares, n_tickets, rng)
    created, updated = _timestamps(n_tickets, rng, start or DEFAULT_START, months)
    shared = [pool[rng.integers(0, len(pool), n_tickets)].tolist() for pool in _slot_pools(rng)]
    index = {q.name: i for i, q in enumerate(queues)}
    near = choose([tuple(index[n] for n in q.neighbours) for q in queues], cats, rng)
    near = near.astype(np.int64)
    routed = shares >= SPECIALIST_SHARE
    subjects, bodies = compose(queues, cats, near, routed[cats], shared, rng)
    add_mail_noise(subjects, bodies, rng, people=shared[4], dates=shared[3])
    labels = misroute(cats, near, routed, LABEL_NOISE, rng)
    ids = np.arange(1, n_tickets + 1, dtype="int64")
    columns = (ids, created, updated, subjects, bodies, names[labels])
    frame = pd.DataFrame(dict(zip(COLUMNS, columns, strict=True)))
    if with_truth:
        frame["true_category"] = names[cats]
    return frame, names.tolist()


def _allocate(shares: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """Exact per-category counts (largest remainder), shuffled: the tail is guaranteed."""
    exact = shares / shares.sum() * n
    counts = np.floor(exact).astype(np.int64)
    counts[np.argsort(counts - exact)[: n - counts.sum()]] += 1
    return rng.permutation(np.repeat(np.arange(len(shares)), counts))


def _timestamps(n: int, rng: np.random.Generator, start: datetime, months: int):
    begin = pd.Timestamp(start)
    begin = begin.tz_localize("UTC") if begin.tzinfo is None else begin.tz_convert("UTC")
    n_days = max(((begin + pd.DateOffset(months=months)) - begin).days, 1)
    weekday = (begin.day_of_week + np.arange(n_days)) % 7
    weights = np.where(weekday < 5, 1.0, 0.2)  # weekends are quiet on a help desk
    day = rng.choice(n_days, size=n, p=weights / weights.sum())
    second = np.clip(rng.normal(13 * 3600, 3.5 * 3600, n), 0, 86_399).astype(np.int64)
    created = np.sort(int(begin.timestamp()) + day * 86_400 + second)
    # Most tickets change within hours, a few linger for weeks.
    wait = np.minimum(np.exp(rng.normal(np.log(4 * 3600), 1.6, n)), 30 * 86_400).astype(np.int64)
    stamps = pd.to_datetime(np.concatenate([created, created + wait]), unit="s", utc=True)
    return stamps[:n].as_unit("us"), stamps[n:].as_unit("us")


def _slot_pools(rng: np.random.Generator) -> list[np.ndarray]:
    currency = rng.choice(["$", "€", "£"], 300)
    amounts = [f"{c}{v:,.2f}" for c, v in zip(currency, rng.lognormal(4.5, 1.2, 300), strict=True)]
    days = zip(rng.integers(0, 12, 200), rng.integers(1, 29, 200), strict=True)
    dates = [f"{say.MONTHS[m]} {d}" for m, d in days]
    dates += ["yesterday", "Monday", "last Friday", "the 15th", "last week", "this morning"]
    people = [f"{first} {last}" for first in say.FIRST for last in say.LAST]
    refs = [f"#{v}" for v in rng.integers(10_000, 99_999, 200)]
    refs += [f"REF-{v}" for v in rng.integers(1000, 9999, 100)]
    years, numbers = rng.integers(2023, 2026, 200), rng.integers(1, 99_999, 200)
    invoices = [f"INV-{y}-{v:05d}" for y, v in zip(years, numbers, strict=True)]
    values = (say.PRODUCTS, say.ERRORS, amounts, dates, people, say.DEVICES, say.OFFICES)
    return [np.array(v, dtype=object) for v in (*values, refs, invoices, say.TROUBLES)]
