"""The help-desk vocabulary behind `sample_data`: queues, their share and how people write.

The wording lives in spec modules (the access, device and business queues' stock phrases in
`sample_queues_*`, what their tickets are about in `sample_words_*`) so it can grow without
touching the sampling code; this module parses them once. The shares mimic a real desk: a
handful of queues take most tickets and a tail of rare ones (legal, privacy, security) gets a
few dozen a year, which is exactly the case gata's low-volume grouping exists for.
Neighbouring queues share their words on purpose (password, invoice, screen, access): what
tells them apart is what the user wants or which thing is affected, and each idea comes in
many phrasings, so a classifier has to understand the ticket, not match a keyword.

Format: one block per queue, `name per-mille`, then fields separated by `|` (indented lines
continue the previous field); a block headed by the name alone adds pools to that queue.

- `N:` neighbours, the queues an agent confuses this one with (label noise, ambiguous and
  two-topic tickets draw from them; a busy queue names only busy ones, so misrouted tickets
  never flood the rare tail);
- `T:` how other tickets mention this queue's topic in passing ("not a VPN issue");
- `S:` subjects, `B:` bodies, `Q:` terse bodies ("vpn again");
- `@word:` a phrasing pool of this queue, most common first (the generator draws from it with
  a long tail, so its last entries are rare in any training set).

Slots: {product} {error} {amount} {date} {person} {device} {office} {ref} {invoice} {trouble},
plus the block's own `@word` pools (which win over a shared slot of the same name).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from gata_assets.core import (
    sample_queues_access,
    sample_queues_business,
    sample_queues_devices,
    sample_words_business,
    sample_words_it,
)

SLOTS = ("product", "error", "amount", "date", "person", "device", "office", "ref", "invoice")
SLOTS += ("trouble",)  # a fault any thing can have: "stopped working"
_FIELDS = {"N": "neighbours", "T": "topics", "S": "subjects", "B": "bodies", "Q": "terse"}


@dataclass(frozen=True)
class Queue:
    name: str
    share: float
    neighbours: tuple[str, ...]
    topics: tuple[str, ...]
    subjects: tuple[str, ...]
    bodies: tuple[str, ...]
    terse: tuple[str, ...]
    pools: tuple[tuple[str, tuple[str, ...]], ...]
    """(pool name, phrasings) in the order the generator numbers them."""

    @property
    def common(self) -> bool:
        """Also written in the desk's common phrasings ("my X does Y"): it has the words."""
        return {"it", "fault", "want"} <= {name for name, _ in self.pools}

    def positional(self, template: str) -> str:
        """{product} -> {0}, own pools after the shared slots: one tuple formats any template.
        An own pool wins over a shared slot of its name (money is not "broken", it is "wrong")."""
        own = {name: len(SLOTS) + k for k, (name, _) in enumerate(self.pools)}
        index = {**{name: k for k, name in enumerate(SLOTS)}, **own}
        return re.sub(r"\{(\w+)\}", lambda m: "{" + str(index[m.group(1)]) + "}", template)


@lru_cache(maxsize=1)
def categories() -> tuple[Queue, ...]:
    """Every queue, busiest first."""
    modules = (sample_queues_access, sample_queues_devices, sample_queues_business)
    fields: dict[str, dict[str, tuple[str, ...]]] = {}
    for block in "\n\n".join(
        m.SPEC.strip() for m in (*modules, sample_words_it, sample_words_business)
    ).split("\n\n"):
        head, *lines = block.strip().splitlines()
        fields.setdefault(head.split()[0], {"share": tuple(head.split()[1:])}).update(_parse(lines))
    queues = sorted((_queue(name, f) for name, f in fields.items()), key=lambda q: -q.share)
    _check(queues)
    return tuple(queues)


def _parse(lines: list[str]) -> dict[str, tuple[str, ...]]:
    fields: dict[str, list[str]] = {}
    key = ""
    for line in lines:
        found = re.match(r"([A-Z]|@\w+):\s", line)
        if found:
            key, line = found.group(1), line[found.end() :]
        fields.setdefault(key, []).append(line.strip())
    return {k: tuple(p.strip() for p in " ".join(v).split("|")) for k, v in fields.items()}


def _queue(name: str, fields: dict[str, tuple[str, ...]]) -> Queue:
    (share,) = fields.pop("share") or ("0",)  # a block of words only: its queue has the share
    neighbours = fields.pop("N", ("",))[0].split()
    named = {_FIELDS[k]: fields.pop(k, ()) for k in "TSBQ"}
    pools = tuple((k[1:], v) for k, v in fields.items())
    return Queue(name, float(share), tuple(neighbours), **named, pools=pools)


def _check(queues: list[Queue]) -> None:
    """A typo in the spec must fail at import time, not as a KeyError mid-generation."""
    names = {q.name for q in queues}
    for q in queues:
        unknown = set(q.neighbours) - names
        own = {name for name, _ in q.pools}
        used = {s for t in q.subjects + q.bodies + q.terse for s in re.findall(r"\{(\w+)\}", t)}
        if (
            unknown
            or used - own - set(SLOTS)
            or not (q.topics and q.subjects and q.bodies and q.terse)
        ):
            raise ValueError(f"queue {q.name}: bad neighbours, slots or missing templates")
