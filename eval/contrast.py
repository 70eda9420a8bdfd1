"""The contrast set: minimal pairs whose stance flips while the loaded words stay.

A model that reads "peace" as conciliatory and "difficult" as critical gets
one member of most pairs right and the other wrong; only a model that reads
stance gets both. So the set is reported as its own row: accuracy over the
statements, and the share of pairs with both members right (the number that
a word-driven shortcut cannot raise).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from detente.errors import DetenteError
from detente.labelled import read_labelled

#: The project's contrast set (see data/README.md, "Contrast set").
DEFAULT_CONTRAST = Path("data") / "contrast" / "pairs.jsonl"


def read_pairs(path: str | Path) -> list[dict[str, Any]]:
    """The labelled members of a contrast file, checked: each ``pair`` has two members with different labels."""
    records = read_labelled([path])
    members: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for record in records:
        if not record.get("pair"):
            raise DetenteError(path, f"record {record['id']!r} has no 'pair'")
        members[str(record["pair"])].append(record)
    for pair, group in members.items():
        if len(group) != 2 or group[0]["label"] == group[1]["label"]:
            raise DetenteError(path, f"pair {pair!r} needs two members with different labels")
    return records


def contrast_metrics(records: Sequence[dict[str, Any]], predicted: Sequence[str]) -> dict[str, Any]:
    """Statement accuracy and the share of pairs with both members right."""
    right: dict[str, list[bool]] = defaultdict(list)
    for record, label in zip(records, predicted, strict=True):
        right[str(record["pair"])].append(label == record["label"])
    statements = [ok for group in right.values() for ok in group]
    return {
        "pairs": len(right),
        "accuracy": sum(statements) / len(statements),
        "both_right": sum(all(group) for group in right.values()) / len(right),
    }
