"""Content hashes, so every artifact (and every model) can be traced to exact bytes."""

from __future__ import annotations

import hashlib
from pathlib import Path

_CHUNK = 1 << 20


def sha256_file(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(_CHUNK):
            digest.update(block)
    return digest.hexdigest()


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def stable_unit_interval(key: str, salt: str) -> float:
    """A deterministic number in [0, 1) for `key`; the same on every machine and run."""
    digest = hashlib.blake2b(f"{salt}:{key}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def stable_label_id(name: str) -> int:
    """A positive integer queue id for a text label ("Billing"), the same on every run.

    Help desks that keep the queue name on the ticket have no integer ids; a content hash
    (not an enumeration) keeps each name's id fixed as categories come and go, so models,
    champions and predictions of different extracts agree. 53 bits: exact in JSON too.
    """
    digest = hashlib.blake2b(f"gata-label:{name}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") % (2**53 - 1) + 1
