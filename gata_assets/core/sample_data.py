"""Synthetic help-desk tickets, so gata can be tried end to end without a real help desk.

The tickets have to exercise what real ones do to the pipeline: a long tail of rare queues
(the low-volume grouping), wording shared across neighbouring queues (a model has to learn),
and the mess of real mail (typos, signatures, quoted replies, empty subjects, shouting).
Everything is drawn from one seeded numpy generator, never global state, so a seed always
gives the same frame; choices are made in bulk with numpy and only the final string
formatting is a Python loop, which keeps a million tickets within seconds.
"""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pandas as pd

from gata_assets.core.sample_templates import categories

DEFAULT_START = datetime(2025, 1, 1, tzinfo=UTC)  # fixed, so output depends on arguments only
COLUMNS = ("ticket_id", "created_at", "updated_at", "subject", "body", "category")
SLOTS = ("product", "error", "amount", "date", "person", "device", "office", "ref", "invoice")


def _pool(text: str) -> list[str]:  # pools are written "a|b|c": compact to read and extend
    return text.split("|")


_PRODUCTS = _pool(
    "Outlook|Teams|Salesforce|SAP|Workday|Jira|Confluence|Slack|Zoom|Okta|SharePoint|OneDrive"
    "|Concur|NetSuite|Tableau|GitHub|ServiceNow|DocuSign|Excel|Zendesk|QuickBooks|Adobe Acrobat"
)
_ERRORS = _pool(
    "0x80070005|ERR_CONNECTION_RESET|error 403|error 500|error 809|AADSTS50126|E-1042|0x800CCC0E"
    "|Error 1603|550 5.7.1 Relaying denied|timeout (408)|13.B2 paper jam|CERT_EXPIRED|0xC004F074"
)
_FIRST = _pool("Anna|Ben|Carla|David|Elena|Farid|Grace|Hiro|Ines|Jonas|Kemal|Lena|Marco|Nadia|Omar")
_LAST = _pool("Schmidt|Okafor|Rossi|Nguyen|Kowalski|Silva|Jensen|Tanaka|Haddad|Brown|Moreau|Patel")
_DEVICES = _pool(
    "ThinkPad T14|MacBook Pro|Dell Latitude 7440|HP EliteBook 840|Surface Pro 9|iPhone 15"
    "|Pixel 8|Galaxy S23|laptop|phone"
)
_OFFICES = _pool("Berlin|Austin|London|Singapore|Toronto|Building C|Lisbon|the Munich office")
_MONTHS = _pool("Jan|Feb|March|April|May|June|July|Aug|Sept|Oct|Nov|Dec")
_GREETINGS = _pool("Hi,|Hello,|Hi team,|Hello IT,|Dear support,|Hi Sam,|Good morning,|||Hey,")
_FILLERS = _pool(
    "||| This is urgent.| I already restarted my {5}.| It worked fine until {3}."
    "| Not sure if this is the right queue.| Screenshot attached.| My manager is in cc."
    "| I'm working from {6} this week.| Can you help as soon as possible?| The error says {1}."
    "| Ticket {7} was closed without a fix.| Same problem as my colleague has."
)
_CLOSINGS = _pool("Thanks|Thank you!|Thanks in advance,|Best regards|Cheers||Kind regards")
_SIGNATURES = (
    "--\n{0}\n{1} | Acme Corp\n+1 555 {2:04d}",
    "Sent from my iPhone",
    "{0}\n{1}\nAcme Corp, www.acme.example\nCONFIDENTIAL: for the addressee only.",
    "Best,\n{0} ({1})\nMobile: +44 7700 9{2:05d}",
)
_TITLES = _pool("Account Manager|Senior Engineer|Office Manager|Finance Analyst|HR Partner")
_QUOTES = _pool(
    "Thank you for contacting the service desk. Could you send a screenshot of the error?"
    "|We have escalated this to the second-level team."
    "|Can you confirm whether the issue still occurs after a restart?"
    "|Your request has been received and will be handled within two business days."
)


def generate_tickets(
    n_tickets: int = 3000, seed: int = 7, start: datetime | None = None, months: int = 6
) -> tuple[pd.DataFrame, list[str]]:
    """(tickets frame, all category names); the frame's `category` holds names."""
    if n_tickets < 0 or months < 1:
        raise ValueError("n_tickets must be >= 0 and months >= 1")
    rng = np.random.default_rng(seed)
    spec = categories()
    names = [name for name, *_ in spec]
    cats = _allocate(np.array([share for _, share, *_ in spec]), n_tickets, rng)
    created, updated = _timestamps(n_tickets, rng, start or DEFAULT_START, months)

    slots = [pool[rng.integers(0, len(pool), n_tickets)].tolist() for pool in _slot_pools(rng)]
    bodies_by_category = [bodies for *_, bodies in spec]
    # Some tickets also raise another queue's problem: real mail is rarely about one thing.
    other = (cats + rng.integers(1, len(spec), n_tickets)) % len(spec)
    also = " Also: " + np.array(_choose(bodies_by_category, other, rng), dtype=object)
    also = np.where(rng.random(n_tickets) < 0.06, also, "").tolist()
    templates = (
        _choose([subjects for *_, subjects, _ in spec], cats, rng),
        *(_pick(rng, pool, n_tickets) for pool in (_GREETINGS, _FILLERS, _CLOSINGS)),
        _choose(bodies_by_category, cats, rng),
    )
    subjects, bodies = [], []
    for subject, hello, filler, bye, core, extra, *values in zip(
        *templates, also, *slots, strict=True
    ):
        subjects.append(subject.format(*values))
        bodies.append(f"{hello}\n\n{core}{filler}{extra}\n\n{bye}".format(*values).strip())
    _add_noise(subjects, bodies, rng, slots)
    category = np.array(names, dtype=object)[cats]
    ids = np.arange(1, n_tickets + 1, dtype="int64")
    columns = (ids, created, updated, subjects, bodies, category)
    return pd.DataFrame(dict(zip(COLUMNS, columns, strict=True))), names


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
    dates = [f"{_MONTHS[m]} {d}" for m, d in days]
    dates += ["yesterday", "Monday", "last Friday", "the 15th", "last week", "this morning"]
    people = [f"{first} {last}" for first in _FIRST for last in _LAST]
    refs = [f"#{v}" for v in rng.integers(10_000, 99_999, 200)]
    refs += [f"REF-{v}" for v in rng.integers(1000, 9999, 100)]
    years, numbers = rng.integers(2023, 2026, 200), rng.integers(1, 99_999, 200)
    invoices = [f"INV-{y}-{v:05d}" for y, v in zip(years, numbers, strict=True)]
    values = (_PRODUCTS, _ERRORS, amounts, dates, people, _DEVICES, _OFFICES, refs, invoices)
    return [np.array(v, dtype=object) for v in values]


def _pick(rng: np.random.Generator, pool: list[str], n: int) -> list[str]:
    return np.array(pool, dtype=object)[rng.integers(0, len(pool), n)].tolist()


def _choose(per_category: list[tuple[str, ...]], cats: np.ndarray, rng) -> list[str]:
    """One positional template per ticket, drawn uniformly from its category's list."""
    flat = np.array([_positional(t) for group in per_category for t in group], dtype=object)
    sizes = np.array([len(group) for group in per_category])
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    chosen = offsets[cats] + (rng.random(len(cats)) * sizes[cats]).astype(np.int64)
    return flat[chosen].tolist()


def _positional(template: str) -> str:
    """{product} -> {0}: each ticket then formats every template with one tuple of slots."""
    for i, slot in enumerate(SLOTS):
        template = template.replace("{" + slot + "}", "{" + str(i) + "}")
    return template


def _add_noise(subjects: list[str], bodies: list[str], rng: np.random.Generator, slots) -> None:
    n = len(bodies)
    rows = lambda share: np.flatnonzero(rng.random(n) < share).tolist()  # noqa: E731
    for i in rows(0.15):
        sig = _SIGNATURES[int(rng.integers(len(_SIGNATURES)))]
        title = _TITLES[int(rng.integers(len(_TITLES)))]
        signer = slots[4][int(rng.integers(n))]  # another ticket's person: not the one named here
        bodies[i] += "\n\n" + sig.format(signer, title, int(rng.integers(10_000)))
    for i in rows(0.10):
        quote = "\n".join("> " + q for q in rng.choice(_QUOTES, 2, replace=False))
        day, hour = ("Mon", "Tue", "Wed", "Thu", "Fri")[i % 5], int(rng.integers(8, 18))
        header = "" if rng.random() < 0.3 else f"On {day}, {slots[3][i]} at {hour}:{i % 60:02d}, "
        bodies[i] += f"\n\n{header}Service Desk <servicedesk@acme.example> wrote:\n{quote}"
        subjects[i] = "Re: " + subjects[i]
    for i in rows(0.05):
        bodies[i] = _typo(bodies[i], rng)
        if rng.random() < 0.3:
            subjects[i] = _typo(subjects[i], rng)
    for i in rows(0.03):
        subjects[i] = "  " + subjects[i].replace(" ", "  ") + " "
        bodies[i] = bodies[i].replace(". ", ".   ") + "\n\n\n"
    for i in rows(0.015):
        subjects[i] = subjects[i].upper()
        if rng.random() < 0.4:
            bodies[i] = bodies[i].upper()
    for i in rows(0.08):
        subjects[i] = ""


def _typo(text: str, rng: np.random.Generator) -> str:
    """One or two slips of the keyboard: two letters swapped, or one dropped."""
    for _ in range(int(rng.integers(1, 3))):
        if len(text) < 4:
            return text
        p = int(rng.integers(0, len(text) - 2))
        swapped = text[:p] + text[p + 1] + text[p] + text[p + 2 :]
        text = swapped if rng.random() < 0.5 else text[:p] + text[p + 1 :]
    return text
