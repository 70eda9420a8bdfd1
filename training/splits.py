"""Train/dev/test splits by source document, stratified by label as far as documents allow.

Statements of one article share a speaker, a topic and phrasing; letting them
straddle train and test would reward memorising the article, so the unit of
splitting is the document (``source``), as scikit-learn's StratifiedGroupKFold does.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any


def group_of(record: dict[str, Any]) -> str:
    """The document a statement belongs to; a record without ``source`` is its own document."""
    return str(record.get("source") or f"id:{record['id']}")


def split_by_document(
    records: Sequence[dict[str, Any]], fraction: float, seed: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(kept, held_out): about ``fraction`` of the records, whole documents only."""
    from sklearn.model_selection import StratifiedGroupKFold

    if not 0 < fraction < 1:
        raise ValueError(f"fraction must be in (0, 1), got {fraction}")
    folds = max(2, round(1 / fraction))
    splitter = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed)
    labels = [r["label"] for r in records]
    groups = [group_of(r) for r in records]
    kept_idx, held_idx = next(splitter.split(records, labels, groups))
    return [records[i] for i in kept_idx], [records[i] for i in held_idx]


def make_splits(
    records: Sequence[dict[str, Any]], dev_fraction: float, test_fraction: float, seed: int
) -> dict[str, list[dict[str, Any]]]:
    """Fixed train/dev/test splits by document; test is cut first, then dev from the rest."""
    rest, test = split_by_document(records, test_fraction, seed)
    train, dev = split_by_document(rest, dev_fraction / (1 - test_fraction), seed)
    return {"train": train, "dev": dev, "test": test}


def write_splits(splits: dict[str, list[dict[str, Any]]], directory: str | Path) -> None:
    import json

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    for name, records in splits.items():
        tmp = directory / f"{name}.jsonl.tmp"
        with tmp.open("w", encoding="utf-8") as handle:
            for record in sorted(records, key=lambda r: r["id"]):
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        tmp.replace(directory / f"{name}.jsonl")
