"""Tunable knobs of the pipeline, as one resource visible (and overridable) in the UI.

Thresholds live here rather than in each asset's run config so that the data-prep assets,
their checks and the training fallback all agree on the same values in a run.
"""

import dagster as dg


class PipelineConfig(dg.ConfigurableResource):
    min_general_examples: int = 40
    test_fraction: float = 0.2
    split_seed: int = 13
    low_volume_min_categories: int = 2
    low_volume_min_per_category: int = 8
    drift_warn_threshold: float = 0.2
    low_volume_fallback_label: str = "triage"
    extract_chunk_rows: int = 50_000
    train_max_tickets: int = 200_000
    """Cap on each group's train set (core/train_cap.py). 200k tickets, 2 epochs at ~128
    tokens, is about an hour on ml.g6.xlarge: inside the 7,200 s a SageMaker job may run."""
    redact_pii: bool = True
    """Mask personal data (core/pii.py) in the groups, so no train or test set holds any."""
