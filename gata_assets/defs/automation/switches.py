"""Which schedules and sensors start running by themselves, read from GATA_* options.

Turning one off sets its default status to STOPPED rather than removing it: it stays visible
in the UI (and can still be started there or with `dagster schedule start`), but a fresh
deployment does not run it. Settings are read when the definitions load, never at import.
"""

from collections.abc import Mapping
from dataclasses import dataclass

import dagster as dg

_OFF = {"off", "false", "0", "no", "stopped"}
_ON = {"on", "true", "1", "yes", "running"}


def _flag(options: Mapping[str, str], name: str, default: bool = True) -> bool:
    raw = options.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value not in _ON | _OFF:
        raise ValueError(f"GATA_{name.upper()} must be 'on' or 'off', got {raw!r}")
    return value in _ON


@dataclass(frozen=True)
class Switches:
    weekly_training: bool = True
    daily_inference: bool = True
    daily_extract: bool = True
    sensors: bool = True

    @classmethod
    def from_options(cls, options: Mapping[str, str]) -> "Switches":
        """GATA_WEEKLY_TRAINING, GATA_DAILY_INFERENCE, GATA_DAILY_EXTRACT, GATA_SENSORS."""
        return cls(**{name: _flag(options, name) for name in cls.__dataclass_fields__})

    @staticmethod
    def schedule_status(on: bool) -> dg.DefaultScheduleStatus:
        return dg.DefaultScheduleStatus.RUNNING if on else dg.DefaultScheduleStatus.STOPPED

    @property
    def sensor_status(self) -> dg.DefaultSensorStatus:
        return dg.DefaultSensorStatus.RUNNING if self.sensors else dg.DefaultSensorStatus.STOPPED
