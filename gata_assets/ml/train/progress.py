"""What the training loop counts for its progress lines and final report.

Kept apart from the loop so the loop reads as the steps it takes: this process's steps,
samples and tokens (a resumed job counts only its own for rates), the loss since the last
progress line, and when that line is due.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field


def duration(seconds: float) -> str:
    seconds = max(0, int(seconds))
    return f"{seconds // 60}m{seconds % 60:02d}s" if seconds >= 60 else f"{seconds}s"


def step_line(epoch: int, epochs: int, step: int, total_steps: int, window: str) -> str:
    """The progress line gata-train logs mid-epoch; `gata up` reads it back into a bar
    (`gata_assets/cli/run_events.py`), so its shape is a contract between the two."""
    return f"epoch {epoch}/{epochs} step {step}/{total_steps} {window}"


@dataclass
class Progress:
    elapsed_before: float
    """Training seconds of earlier attempts (from the checkpoint resumed)."""
    started: float = field(default_factory=time.perf_counter)
    last_log: float = 0.0
    steps: int = 0
    samples: int = 0
    real_tokens: int = 0
    padded_tokens: int = 0
    window_loss: float = 0.0
    window_steps: int = 0

    def __post_init__(self) -> None:
        self.last_log = self.started

    def elapsed(self, now: float | None = None) -> float:
        """Training seconds in total, earlier attempts included."""
        now = time.perf_counter() if now is None else now
        return self.elapsed_before + (now - self.started)

    def record_step(self, loss: float, samples: int) -> None:
        self.steps += 1
        self.samples += samples
        self.window_loss += loss
        self.window_steps += 1

    def rate(self, now: float) -> float:
        """Samples per second trained by this process."""
        return self.samples / (now - self.started) if self.steps else 0.0

    def window_line(self, now: float, every_seconds: float, steps_left: int) -> str | None:
        """The progress line when one is due (and start a new window), else None."""
        if now - self.last_log < every_seconds:
            return None
        eta = steps_left * (now - self.started) / self.steps
        line = (
            f"loss {self.window_loss / self.window_steps:.4f} {self.rate(now):.1f} samples/s "
            f"eta {duration(eta)}"
        )
        self.last_log, self.window_loss, self.window_steps = now, 0.0, 0
        return line

    def padding_efficiency(self) -> float:
        return self.real_tokens / self.padded_tokens if self.padded_tokens else 1.0
