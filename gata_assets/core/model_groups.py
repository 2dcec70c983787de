"""The two model groups, named once, with everything that differs between them as data.

The general group keeps every ticket (low-volume categories collapsed into the hand-off
class); the low-volume group keeps only those rare tickets for a specialist model. Every
asset, check, endpoint role and hyperparameter default that is per group is built from this
table, so a group's behaviour is read here rather than in `if group == ...` branches.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ModelGroup:
    name: str
    group_description: str
    """What the `<name>_group` asset holds."""
    model_description: str
    """What the `<name>_model` asset is."""
    may_fall_back: bool = False
    """Too little data makes a constant fallback model instead of a failed training run."""
    hyperparameter_fields: Mapping[str, str] = field(default_factory=dict)
    """Hyperparameter -> the `TrainingConfig` field holding this group's own default."""

    @property
    def group_asset(self) -> str:
        return f"{self.name}_group"

    @property
    def train_asset(self) -> str:
        return f"{self.name}_train_set"

    @property
    def test_asset(self) -> str:
        return f"{self.name}_test_set"

    @property
    def model_asset(self) -> str:
        return f"{self.name}_model"


GENERAL = ModelGroup(
    name="general",
    group_description="All tickets; low-volume categories collapsed into one hand-off class.",
    model_description="BERT classifier over every category, low-volume ones collapsed into "
    "the hand-off class; fine-tuned by gata-train (local process or SageMaker).",
)
LOW_VOLUME = ModelGroup(
    name="low_volume",
    group_description="Only the tickets of low-volume categories, with their own labels.",
    model_description="BERT classifier for the low-volume categories the general model hands "
    "off; a constant fallback model answering the configured fallback label when the group "
    "has too little data.",
    may_fall_back=True,
    # The group is small: more passes cost little, and smaller batches give it enough steps.
    hyperparameter_fields={"epochs": "low_volume_epochs", "batch_size": "low_volume_batch_size"},
)

MODEL_GROUPS: tuple[ModelGroup, ...] = (GENERAL, LOW_VOLUME)
GROUP_NAMES: tuple[str, ...] = tuple(group.name for group in MODEL_GROUPS)


def model_group(name: str) -> ModelGroup:
    for group in MODEL_GROUPS:
        if group.name == name:
            return group
    raise ValueError(f"unknown model group {name!r}; known: {', '.join(GROUP_NAMES)}")
