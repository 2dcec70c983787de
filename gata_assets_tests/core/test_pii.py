"""Personal data masking: a corpus of formats each kind comes in, and what must survive."""

import pandas as pd
import pytest

from gata_assets.core.pii import iban_valid, luhn_valid, mask_text, mask_texts, mask_ticket_text

# (kind, how it is written in a ticket); every one must be masked.
PII_SAMPLES = [
    ("email", "anna.schmidt+it@acme.example.co.uk"),
    ("email", "BEN.OKAFOR@EXAMPLE.COM"),
    ("email", "jonas_92@mail.example.de"),
    ("phone", "+49 30 1234567"),
    ("phone", "+1 (555) 123-4567"),
    ("phone", "0044 20 7946 0958"),
    ("phone", "030/1234567"),
    ("phone", "(555) 123-4567"),
    ("phone", "555-123-4567"),
    ("phone", "+44 7700 900123"),
    ("phone", "+33 6 12 34 56 78"),
    ("card", "4111 1111 1111 1111"),
    ("card", "5500-0000-0000-0004"),
    ("card", "378282246310005"),
    ("card", "6011111111111117"),
    ("iban", "DE89 3704 0044 0532 0130 00"),
    ("iban", "GB29NWBK60161331926819"),
    ("iban", "FR1420041010050500013M02606"),
    ("ip", "192.168.1.20"),
    ("ip", "10.0.0.1"),
    ("ip", "2001:db8:85a3::8a2e:370:7334"),
    ("ip", "fe80::1"),
    ("url", "https://login.example.com/reset?token=eyJhbGciOi.abc123"),
    ("url", "http://portal.example/invite/7f3a9c2e41d8"),
    ("url", "www.share.example/s/AbC123xyz?sid=99"),
]

# Help-desk text that looks numeric but is nobody's personal data.
KEPT = [
    "error 0x80070005",
    "Error 1603",
    "INC-20231",
    "order 12345678",
    "on 2025-01-05 at 14:30:05",
    "Windows 10.0.19045.3803",
    "$1,299.00",
    "550 5.7.1 Relaying denied",
    "4111 1111 1111 1112",  # fails the Luhn check: not a card
    "ticket 1234567890123",
    "DE00 1234 5678 9012 3456 78",  # fails mod-97: not an IBAN
    "room 3.14",
]


@pytest.mark.parametrize(("kind", "sample"), PII_SAMPLES)
def test_each_format_is_masked_by_its_kind(kind, sample):
    masked, counts = mask_texts([f"Hi, it's me ({sample}), please help."])
    assert sample not in masked[0]
    assert f"<{kind.upper()}>" in masked[0], masked[0]
    assert counts[kind] == 1 and sum(counts.values()) == 1


@pytest.mark.parametrize("text", KEPT)
def test_look_alikes_are_kept(text):
    assert mask_text(text) == text


def test_checksums():
    assert luhn_valid("4111111111111111") and not luhn_valid("4111111111111112")
    assert iban_valid("GB29NWBK60161331926819") and not iban_valid("GB28NWBK60161331926819")


def test_masking_is_idempotent_and_keeps_the_sentence():
    text = "Card 4111 1111 1111 1111 charged twice, call me on +49 30 1234567."
    once = mask_text(text)
    assert once == "Card <CARD> charged twice, call me on <PHONE>."
    assert mask_text(once) == once


def test_ticket_frames_mask_every_text_column_and_count_the_model_text():
    tickets = pd.DataFrame(
        {
            "subject": ["mail from BEN@EXAMPLE.COM", None],
            "body": ["IBAN GB29NWBK60161331926819", "fine"],
            "text": ["mail from BEN@EXAMPLE.COM\nIBAN GB29NWBK60161331926819", "fine"],
            "label": [1, 2],
        }
    )
    masked, counts = mask_ticket_text(tickets)
    assert masked["subject"][0] == "mail from <EMAIL>" and pd.isna(masked["subject"][1])
    assert masked["body"].tolist() == ["IBAN <IBAN>", "fine"]
    assert masked["text"][0] == "mail from <EMAIL>\nIBAN <IBAN>"
    assert counts == {"url": 0, "email": 1, "iban": 1, "card": 0, "ip": 0, "phone": 0}
    assert tickets["body"][0] == "IBAN GB29NWBK60161331926819"  # the input is not changed
