"""Knobs of the lifecycle automation, as one resource visible (and overridable) in the UI.

Each field can be set from the environment as `GATA_<FIELD>` (e.g.
`GATA_RETRAIN_MIN_NEW_TICKETS=200`), one row each in gata_assets/options.py.
Values are range-checked when the definitions load, so a typo such as a drift threshold of
25 (meant: 0.25) fails there, with the field named, instead of silently never triggering.
"""

import dagster as dg
from pydantic import Field


class LifecycleConfig(dg.ConfigurableResource):
    """When to retrain on new data, and how much worse a new model may be than the champion.

    Sensors and the gate check read the same resource, so the UI shows one set of values.
    """

    retrain_min_new_tickets: int = Field(default=500, ge=1)
    """New-ticket sensor: retrain once this many tickets arrived after the last extract."""

    retrain_drift_threshold: float = Field(default=0.25, gt=0.0, le=1.0)
    """New-ticket sensor: retrain when the new tickets' category mix is this far (total
    variation distance, 0..1) from the last extract's."""

    retrain_drift_min_tickets: int = Field(default=100, ge=1)
    """Drift of a handful of tickets is noise: judge it only from this many new tickets."""

    quality_window_tickets: int = Field(default=500, ge=1)
    """Routing-quality sensor: live accuracy is judged over the last this many tickets that
    have both a stored prediction and a final queue (fewer: not judged yet)."""

    quality_drop_points: float = Field(default=5.0, gt=0.0, le=100.0)
    """Routing-quality sensor: retrain when live accuracy is more than this many percentage
    points below the model's test accuracy."""

    gate_tolerance: float = Field(default=0.01, ge=0.0, le=1.0)
    """Champion/challenger: a new model may score at most this much macro-F1 below the
    deployed one and still replace it."""
