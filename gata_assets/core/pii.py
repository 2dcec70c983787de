"""Personal data out of ticket text: e-mail addresses, phone numbers, cards, IBANs, IPs, links.

A routing model needs what a ticket is about, never who wrote it or which card they used; a
train set or a model that holds such data is itself personal data to protect. Each kind is
replaced by a placeholder (`<EMAIL>`, `<CARD>`…) that keeps the sentence's shape, so a
model still learns that "my card <CARD> was charged twice" is a billing ticket.

Numbers are masked only when they are what they look like: a card number must pass the
Luhn check and an IBAN its mod-97 check, so order numbers and ticket references survive.
Kinds are tried in this order because a link can hold an address and an IBAN holds digits
a phone pattern would take.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable

import pandas as pd

PLACEHOLDERS = {
    "url": "<URL>",
    "email": "<EMAIL>",
    "iban": "<IBAN>",
    "card": "<CARD>",
    "ip": "<IP>",
    "phone": "<PHONE>",
}


def luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def iban_valid(compact: str) -> bool:
    rearranged = compact[4:] + compact[:4]
    number = "".join(str(int(char, 36)) for char in rearranged)
    return int(number) % 97 == 1


def _card(match: re.Match) -> bool:
    digits = re.sub(r"\D", "", match[0])
    return 13 <= len(digits) <= 19 and luhn_valid(digits)


def _iban(match: re.Match) -> bool:
    compact = re.sub(r"\s", "", match[0]).upper()
    return 15 <= len(compact) <= 34 and iban_valid(compact)


def _phone(match: re.Match) -> bool:
    return 7 <= len(re.sub(r"\D", "", match[0])) <= 15


def _ipv6(match: re.Match) -> bool:
    # Clock times ("12:30:45") have the same shape; an address has a letter or a "::".
    return "::" in match[0] or re.search(r"[a-f]", match[0], re.IGNORECASE) is not None


_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
_PHONE = "|".join(
    [
        r"(?:\+|\b00)\d{1,3}(?:[ .-]?\(?\d{1,4}\)?){2,5}",  # international: +49 30 1234567
        r"\(?\b0\d{2,4}\)?[ /.-]?\d{3,4}[ .-]?\d{2,5}",  # national, trunk 0: 030/1234567
        r"(?:\(\d{3}\)\s?|\b\d{3}[.-])\d{3}[ .-]\d{4}",  # North American: (555) 123-4567
    ]
)
PATTERNS: list[tuple[str, re.Pattern, Callable[[re.Match], bool] | None]] = [
    # Any link: its path and query are where tokens and personal ids travel.
    ("url", re.compile(r"\b(?:https?://|www\.)[^\s<>\"']+", re.IGNORECASE), None),
    ("email", re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}\b", re.IGNORECASE), None),
    ("iban", re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b"), _iban),
    ("card", re.compile(r"(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])"), _card),
    ("ip", re.compile(rf"(?<![\d.]){_OCTET}(?:\.{_OCTET}){{3}}(?![\d.])"), None),
    ("ip", re.compile(r"(?<![\w:])(?:[0-9a-f]{0,4}:){2,7}[0-9a-f]{0,4}(?![\w:])", re.I), _ipv6),
    ("phone", re.compile(rf"(?:{_PHONE})(?![\w])"), _phone),
]


def mask_text(text: str, counts: Counter | None = None) -> str:
    """`text` with every personal datum replaced by its kind's placeholder."""
    for kind, pattern, valid in PATTERNS:

        def replace(match: re.Match, kind: str = kind, valid=valid) -> str:
            if valid is not None and not valid(match):
                return match[0]
            if counts is not None:
                counts[kind] += 1
            return PLACEHOLDERS[kind]

        text = pattern.sub(replace, text)
    return text


TEXT_COLUMNS = ("subject", "body", "text")


def mask_ticket_text(tickets: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, int]]:
    """The tickets with every text column masked (missing values stay missing), and the
    counts of the `text` column: the one a model reads, composed of subject and body."""
    masked = tickets.copy()
    counts: Counter = Counter()
    for column in TEXT_COLUMNS:
        if column in masked.columns:
            tally = counts if column == "text" else None
            masked[column] = [
                mask_text(value, tally) if isinstance(value, str) else value
                for value in masked[column]
            ]
    return masked, {kind: counts.get(kind, 0) for kind in PLACEHOLDERS}


def mask_texts(texts: Iterable[str]) -> tuple[list[str], dict[str, int]]:
    """Masked texts and how many of each kind were masked (every kind listed, zeros too)."""
    counts: Counter = Counter()
    masked = [mask_text(text, counts) for text in texts]
    return masked, {kind: counts.get(kind, 0) for kind in PLACEHOLDERS}
