"""Training batches: tokenization and length-bucketed, dynamically padded batches.

Speed comes from never padding to a fixed length: texts are tokenized once (truncated to
`max_length`), batches are drawn from windows of similar-length texts and padded only to the
longest text in the batch. The batch order is a pure function of (seed, epoch), which is what
lets a resumed job skip exactly the batches it already trained on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import torch


@dataclass(frozen=True)
class Encoded:
    """Tokenized texts (no padding) and their target indices."""

    input_ids: list[list[int]]
    targets: np.ndarray

    def __len__(self) -> int:
        return len(self.input_ids)

    @property
    def lengths(self) -> np.ndarray:
        return np.fromiter((len(x) for x in self.input_ids), dtype=np.int64, count=len(self))


def encode(tokenizer: Any, texts: Sequence[str], targets: np.ndarray, max_length: int) -> Encoded:
    ids = tokenizer(list(texts), truncation=True, max_length=max_length)["input_ids"]
    return Encoded(input_ids=ids, targets=np.asarray(targets, dtype=np.int64))


def bucketed_batches(
    lengths: np.ndarray, batch_size: int, seed: int, epoch: int, window: int
) -> list[np.ndarray]:
    """This epoch's batches: shuffled, similar lengths together, batch order shuffled too.

    A pure function of its arguments, so a resumed job sees the same order.
    """
    rng = np.random.default_rng([seed, epoch])
    order = rng.permutation(len(lengths))
    span = max(1, window) * batch_size
    batches: list[np.ndarray] = []
    for start in range(0, len(order), span):
        chunk = order[start : start + span]
        chunk = chunk[np.argsort(lengths[chunk], kind="stable")]
        batches.extend(chunk[i : i + batch_size] for i in range(0, len(chunk), batch_size))
    if window > 1:
        batches = [batches[i] for i in rng.permutation(len(batches))]
    return batches


def sorted_batches(lengths: np.ndarray, batch_size: int) -> list[np.ndarray]:
    """Evaluation: longest first, so the slowest batch shows up (and fails) early."""
    order = np.argsort(-lengths, kind="stable")
    return [order[i : i + batch_size] for i in range(0, len(order), batch_size)]


def collate(
    data: Encoded, index: np.ndarray, pad_id: int, device: Any = None
) -> dict[str, torch.Tensor]:
    """Pad one batch to its own longest text (dynamic padding)."""
    import torch

    rows = [data.input_ids[i] for i in index]
    width = max(len(r) for r in rows)
    ids = torch.full((len(rows), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    for i, row in enumerate(rows):
        ids[i, : len(row)] = torch.tensor(row, dtype=torch.long)
        mask[i, : len(row)] = 1
    batch = {
        "input_ids": ids,
        "attention_mask": mask,
        "labels": torch.from_numpy(data.targets[index]),
    }
    if device is not None:
        batch = {k: v.to(device, non_blocking=True) for k, v in batch.items()}
    return batch
