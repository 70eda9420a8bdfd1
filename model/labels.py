"""The label set: the one place that names the classes and their order.

The order is part of every saved model (head rows, probability columns, CSV
columns), so it never changes; new code reads it from here instead of
spelling the names again.
"""

from __future__ import annotations

LABELS: tuple[str, ...] = ("conciliatory", "critical", "procedural")
LABEL2ID: dict[str, int] = {label: i for i, label in enumerate(LABELS)}


def tone(probs: dict[str, float]) -> float:
    """Tone in [-1, 1]: P(conciliatory) - P(critical), as the labelling guide defines it."""
    return float(probs["conciliatory"] - probs["critical"])
