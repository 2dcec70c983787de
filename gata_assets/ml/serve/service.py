"""What a running gata-serve holds: one model or the general + low-volume pair.

Loading happens in a background thread so the HTTP server is up at once and `/ping` can say
"not yet" (503) instead of refusing connections; a model that fails to load calls
`on_failure`, which makes the process exit non-zero rather than sit there unhealthy.
"""

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from gata_assets.ml.model_card import read_card
from gata_assets.ml.routing import RoutingPolicy, Ticket, route_tickets

log = logging.getLogger("gata.serve")


@dataclass(frozen=True)
class ModelPaths:
    """One model (`general` only) or router mode (`general` + `low_volume`)."""

    general: Path
    low_volume: Path | None = None

    @classmethod
    def from_dir(cls, model_dir: Path) -> "ModelPaths":
        """A model directory, or one holding `general/` and `low_volume/` (router layout)."""
        model_dir = Path(model_dir)
        if (model_dir / "general").is_dir() and (model_dir / "low_volume").is_dir():
            return cls(model_dir / "general", model_dir / "low_volume")
        return cls(model_dir)

    @property
    def mode(self) -> str:
        return "router" if self.low_volume is not None else "single"


class RoutingService:
    def __init__(
        self,
        paths: ModelPaths,
        min_confidence: float = 0.0,
        max_top_k: int = 10,
        threads: int | None = None,
        precision: str = "auto",
    ):
        self.paths = paths
        self.min_confidence = min_confidence
        self.max_top_k = max_top_k
        self.threads = threads
        self.precision = precision
        self.ready = threading.Event()
        self.error: str | None = None
        self._general: Any = None
        self._low_volume: Any = None
        self._policy = RoutingPolicy()

    def load(self) -> None:
        from gata_assets.ml.serve.predictor import load_predictor

        started = time.perf_counter()
        general = load_predictor(self.paths.general, self.threads, self.precision)
        low_volume = None
        if self.paths.low_volume is not None:
            low_volume = load_predictor(self.paths.low_volume, self.threads, self.precision)
        self._general, self._low_volume = general, low_volume
        cards = {"general": general.card, "low_volume": getattr(low_volume, "card", None)}
        self._policy = RoutingPolicy.from_cards(
            cards,
            min_confidence=self.min_confidence,
            fallback_label=read_card(self.paths.general).fallback_label,
            top_k=self.max_top_k,
        )
        self.ready.set()
        log.info("models loaded in %.1f s: %s", time.perf_counter() - started, self.info())

    def load_in_background(self, on_failure: Callable[[str], None]) -> threading.Thread:
        def run() -> None:
            try:
                self.load()
            except Exception as error:  # report any load failure, then let the process exit
                self.error = f"{type(error).__name__}: {error}"
                log.error("model loading failed: %s", self.error)
                on_failure(self.error)

        thread = threading.Thread(target=run, name="gata-load", daemon=True)
        thread.start()
        return thread

    def predict(self, tickets: list[Ticket]) -> list[dict]:
        """Route a batch of tickets; what the micro-batcher calls in its worker thread."""
        return route_tickets(tickets, self._general, self._low_volume, self._policy)

    def cost(self, ticket: Ticket) -> int:
        """The tokens a ticket will take, estimated from its length (about 4 characters each)."""
        max_length = self._general.info.max_length if self._general is not None else 128
        return min(max_length, len(ticket.text) // 4 + 2)

    def info(self) -> dict[str, Any]:
        models = {"general": self._general, "low_volume": self._low_volume}
        return {
            "mode": self.paths.mode,
            "ready": self.ready.is_set(),
            "error": self.error,
            "min_confidence": self.min_confidence,
            "model_thresholds": dict(self._policy.model_thresholds),
            "models": {
                role: asdict(predictor.info)
                for role, predictor in models.items()
                if predictor is not None
            },
        }
