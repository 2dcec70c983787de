"""What a real desk does to tickets after they are written: mail clutter and misrouting.

Mail clutter (signatures, quoted replies, typos, odd spacing, shouting, empty subjects) is
what the extraction and the tokenizer must survive. Misrouting is what the models must
survive: on a real desk a few percent of closed tickets sit in the wrong queue because an
agent picked the neighbouring one, so the labels a model trains and is scored on are never
all right. Both draw only from the generator's seeded numpy generator.
"""

from __future__ import annotations

import numpy as np

from gata_assets.core.sample_phrasing import QUOTES, SIGNATURES, TITLES


def misroute(
    cats: np.ndarray, near: np.ndarray, routed: np.ndarray, share: float, rng: np.random.Generator
) -> np.ndarray:
    """The queue each ticket was closed in: `near` (its neighbour) for an exact `share` of
    all tickets, drawn among those whose queue is `routed` by general agents (the rare,
    specialist queues re-route their strays before closing, so their labels stay clean)."""
    candidates = np.flatnonzero(routed[cats])
    count = min(round(share * len(cats)), len(candidates))
    wrong = rng.choice(candidates, size=count, replace=False)
    labels = cats.copy()
    labels[wrong] = near[wrong]
    return labels


def add_mail_noise(
    subjects: list[str], bodies: list[str], rng: np.random.Generator, people, dates
) -> None:
    n = len(bodies)
    rows = lambda share: np.flatnonzero(rng.random(n) < share).tolist()  # noqa: E731
    for i in rows(0.15):
        sig = SIGNATURES[int(rng.integers(len(SIGNATURES)))]
        title = TITLES[int(rng.integers(len(TITLES)))]
        signer = people[int(rng.integers(n))]  # another ticket's person: not the one named here
        bodies[i] += "\n\n" + sig.format(signer, title, int(rng.integers(10_000)))
    for i in rows(0.10):
        first = int(rng.integers(len(QUOTES)))  # and a different second one
        second = (first + int(rng.integers(1, len(QUOTES)))) % len(QUOTES)
        quote = f"> {QUOTES[first]}\n> {QUOTES[second]}"
        day, hour = ("Mon", "Tue", "Wed", "Thu", "Fri")[i % 5], int(rng.integers(8, 18))
        header = "" if rng.random() < 0.3 else f"On {day}, {dates[i]} at {hour}:{i % 60:02d}, "
        bodies[i] += f"\n\n{header}Service Desk <servicedesk@acme.example> wrote:\n{quote}"
        subjects[i] = "Re: " + subjects[i]
    for i in rows(0.05):
        bodies[i] = typo(bodies[i], rng)
        if rng.random() < 0.3:
            subjects[i] = typo(subjects[i], rng)
    for i in rows(0.03):
        subjects[i] = "  " + subjects[i].replace(" ", "  ") + " "
        bodies[i] = bodies[i].replace(". ", ".   ") + "\n\n\n"
    for i in rows(0.015):
        subjects[i] = subjects[i].upper()
        if rng.random() < 0.4:
            bodies[i] = bodies[i].upper()
    for i in rows(0.08):
        subjects[i] = ""


def typo(text: str, rng: np.random.Generator) -> str:
    """One or two slips of the keyboard: two letters swapped, or one dropped."""
    for _ in range(int(rng.integers(1, 3))):
        if len(text) < 4:
            return text
        p = int(rng.integers(0, len(text) - 2))
        swapped = text[:p] + text[p + 1] + text[p] + text[p + 2 :]
        text = swapped if rng.random() < 0.5 else text[:p] + text[p + 1 :]
    return text
