"""What the sample tickets say: each one written for its queue, then shaped like real mail.

`sample_data` decides who writes, when and to which queue; this module writes the text. A
busy queue's ticket is in the queue's own stock phrases or, as most real tickets are, in the
desk's common phrasings with the queue's words (`sample_words_*`); some are terse, some
ramble; some mention another queue's topic, quote a solved request of a neighbouring queue, add
a second request or are genuinely about two. The shares below are what a keyword baseline
stumbles over and a reading model does not. Choices are drawn in bulk; only the string
formatting is a loop over tickets, and it formats a template only where one has slots.
"""

from __future__ import annotations

from math import gcd

import numpy as np

from gata_assets.core import sample_phrasing as say
from gata_assets.core.sample_templates import SLOTS, Queue

# Shares of ticket shapes: the rest is a plain request, perhaps with filler.
TERSE, RAMBLE, VAGUE_SUBJECT = 0.08, 0.08, 0.10
# Tickets about more than their queue; the specialist tail's requests are single-minded.
AMBIGUOUS, ALSO, HISTORY, CONTEXT = 0.02, 0.10, 0.08, 0.12
COMMON = 0.45  # share of a busy queue's tickets written in the common phrasings
SKEW = 1.8  # phrasing pools are drawn as index ~ u**SKEW: the first entries are the common ones


def compose(queues, cats, near, multi, shared, rng) -> tuple[list[str], list[str]]:
    """Subjects and bodies: a request in its queue's words, dressed as a real mail would be.
    `near` is each ticket's neighbouring queue, `multi` whether it may be about more than its
    own, `shared` the values of the shared slots per ticket."""
    n = len(cats)
    subject, core, terse, second, topic = _templates(queues, cats, near, rng)
    # One tuple of slot values per ticket: the shared slots, then its queue's own pools.
    own = list(zip(*shared, *_own_words(queues, cats, rng), strict=True))
    theirs = list(zip(*shared, *_own_words(queues, near, rng), strict=True))
    shape = rng.random(n)
    kind = np.where(multi, shape - TERSE, 1.0).tolist()  # the specialist tail stays on topic
    frame = [_pick(rng, pool, n).tolist() for pool in (say.ALSO, say.HISTORY, say.CONTEXTS)]
    vague = np.where(rng.random(n) < VAGUE_SUBJECT, _pick(rng, _VAGUE, n), subject).tolist()
    hello, filler, bye = (_pick(rng, p, n).tolist() for p in (_GREETINGS, _FILLERS, say.CLOSINGS))
    terse_bye, ramble = _pick(rng, say.TERSE_CLOSINGS, n).tolist(), _rambles(rng, shape)
    subjects, bodies = [], []
    for i, mine in enumerate(own):
        subjects.append(vague[i].format(*mine))
        if shape[i] < TERSE:
            subjects[i] = "" if shape[i] < TERSE / 2 else subjects[i]
            bodies.append(terse[i].format(*mine) + terse_bye[i])
            continue
        text = _cap(core[i].format(*mine))
        if kind[i] < AMBIGUOUS + ALSO + HISTORY + CONTEXT:
            other = _cap(second[i].format(*theirs[i])) if kind[i] < _WITH_OTHER else ""
            text = _mix(kind[i], text, other, topic[i], *(f[i] for f in frame))
        text += filler[i].format(*mine) if "{" in filler[i] else filler[i]
        if ramble[i]:
            more = ramble[i].format(*mine) if "{" in ramble[i] else ramble[i]
            text = f"{more} {text}" if shape[i] > 1 - RAMBLE / 3 else f"{text} {more}"
        bodies.append(f"{hello[i]}\n\n{text}\n\n{bye[i]}".strip())
    return subjects, bodies


def _templates(queues: tuple[Queue, ...], cats, near, rng) -> tuple[list[str], ...]:
    """Per ticket: subject, body, terse body, a neighbour's body and another queue's topic."""
    fields = {f: [[q.positional(t) for t in getattr(q, f)] for q in queues] for f in _FIELDS}
    for field, common in (("subjects", say.COMMON_SUBJECTS), ("bodies", say.COMMON_BODIES)):
        fields["common_" + field] = [
            [q.positional(t) for t in common] if q.common else own
            for q, own in zip(queues, fields[field], strict=True)
        ]
    subject, core, terse = (choose(fields[f], cats, rng) for f in ("subjects", "bodies", "terse"))
    plain = rng.random(len(cats)) < COMMON
    subject = np.where(plain, choose(fields["common_subjects"], cats, rng), subject)
    core = np.where(plain, choose(fields["common_bodies"], cats, rng), core)
    second = choose(fields["bodies"], near, rng)
    anyone = (cats + rng.integers(1, len(queues), len(cats))) % len(queues)
    topic = choose(fields["topics"], np.where(rng.random(len(cats)) < 0.5, near, anyone), rng)
    return subject, core.tolist(), terse.tolist(), second.tolist(), topic.tolist()


def _mix(kind: float, text: str, other: str, topic: str, also: str, history: str, context: str):
    """A ticket that is about more than its queue, by `kind` (its share of such tickets)."""
    if kind < AMBIGUOUS:  # genuinely about two queues: either could be right
        return f"{other} {text}" if kind < AMBIGUOUS / 2 else f"{text} {other}"
    if kind < AMBIGUOUS + ALSO:
        return f"{text}{also}{other}"
    if kind < AMBIGUOUS + ALSO + HISTORY:
        return history.replace("{other}", other) + text
    return _cap(context.replace("{topic}", topic)) + text


def _own_words(queues: tuple[Queue, ...], cats: np.ndarray, rng) -> list[np.ndarray]:
    """Per ticket, one phrasing from each of its queue's pools, common ones more often."""
    width = max(len(q.pools) for q in queues)
    words = [np.full(len(cats), "", dtype=object) for _ in range(width)]
    u = rng.random((width, len(cats))) ** SKEW
    for c, queue in enumerate(queues):
        rows = np.flatnonzero(cats == c)
        for k, (_, phrasings) in enumerate(queue.pools):
            pool = np.array(phrasings, dtype=object)
            words[k][rows] = pool[(u[k, rows] * len(pool)).astype(np.int64)]
    return words


def _rambles(rng: np.random.Generator, shape: np.ndarray) -> list[str]:
    """Two to four background sentences for the rambling tickets, never one twice (a step
    coprime to the pool); drawn for every ticket, so the other draws do not depend on it."""
    pool, size, n = np.array(_RAMBLE, dtype=object), len(_RAMBLE), len(shape)
    steps = np.array([s for s in range(1, size) if gcd(s, size) == 1])
    base, step = rng.integers(0, size, n), steps[rng.integers(0, len(steps), n)]
    count = rng.integers(2, 5, n)
    rows = np.flatnonzero(shape > 1 - RAMBLE)
    base, step, count = base[rows], step[rows], count[rows]
    text = pool[base] + " " + pool[(base + step) % size]
    for j in (2, 3):  # object arrays add element-wise: no Python loop over tickets
        text = text + np.where(j < count, " " + pool[(base + j * step) % size], "")
    out = np.full(n, "", dtype=object)
    out[rows] = text
    return out.tolist()


def _pick(rng: np.random.Generator, pool: list[str], n: int) -> np.ndarray:
    return np.array(pool, dtype=object)[rng.integers(0, len(pool), n)]


def choose(per_category: list, cats: np.ndarray, rng) -> np.ndarray:
    """One entry per ticket, drawn uniformly from its category's list (an object array)."""
    flat = np.empty(sum(len(group) for group in per_category), dtype=object)
    flat[:] = [t for group in per_category for t in group]
    sizes = np.array([len(group) for group in per_category])
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    return flat[offsets[cats] + (rng.random(len(cats)) * sizes[cats]).astype(np.int64)]


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:] if text[:1].islower() else text


def _shared(template: str) -> str:
    """{product} -> {0}: the shared pools' templates take the same tuple as a queue's."""
    for i, slot in enumerate(SLOTS):
        template = template.replace("{" + slot + "}", "{" + str(i) + "}")
    return template


_FIELDS = ("subjects", "bodies", "terse", "topics")
_WITH_OTHER = AMBIGUOUS + ALSO + HISTORY  # the shapes that quote a neighbour's request
_GREETINGS, _FILLERS, _RAMBLE, _VAGUE = (
    [_shared(t) for t in p] for p in (say.GREETINGS, say.FILLERS, say.RAMBLE, say.VAGUE_SUBJECTS)
)
