"""Reading ``detente score`` output (JSONL or CSV) back as records with probabilities.

Sampling needs, for every statement, its id, text, document, position and the
three class probabilities; everything else the score record carries is kept.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from detente.errors import DetenteError
from detente.labelled import iter_records
from detente.model.labels import LABELS


def _probs(record: dict[str, Any], where: str) -> dict[str, float]:
    raw = record.get("probs")
    if not isinstance(raw, dict):  # CSV: flattened into p_<label> columns
        raw = {label: record.get(f"p_{label}") for label in LABELS}
    try:
        return {label: float(raw[label]) for label in LABELS}
    except (KeyError, TypeError, ValueError):
        raise DetenteError(where, "no class probabilities: not `detente score` output") from None


def read_scores(paths: list[str | Path]) -> list[dict[str, Any]]:
    """Every scored statement of the files, with ``probs`` as floats and ``margin`` added; ids unique."""
    records: list[dict[str, Any]] = []
    seen: dict[str, str] = {}
    for path in map(Path, paths):
        count = 0
        for line_no, record in iter_records(path):
            where = f"{path}:{line_no}"
            if record.get("id") in (None, "") or not isinstance(record.get("text"), str):
                raise DetenteError(where, "record has no 'id' or 'text': not `detente score` output")
            record["id"] = str(record["id"])
            if record["id"] in seen:
                raise DetenteError(where, f"duplicate id {record['id']!r} (first at {seen[record['id']]})")
            seen[record["id"]] = where
            record["probs"] = _probs(record, where)
            ranked = sorted(record["probs"].values(), reverse=True)
            record["margin"] = ranked[0] - ranked[1]
            record["label"] = max(LABELS, key=record["probs"].__getitem__)
            record["doc"] = str(record.get("doc") or record.get("source") or "")
            try:
                record["index"] = int(record["index"]) if record.get("index") not in (None, "") else None
            except (TypeError, ValueError):
                record["index"] = None
            records.append(record)
            count += 1
        if count == 0:
            raise DetenteError(path, "no records")
    return records


def read_ids(paths: list[str | Path]) -> set[str]:
    """The ids of labelled (or any) record files: what ``--exclude`` leaves out."""
    ids: set[str] = set()
    for path in paths:
        for line_no, record in iter_records(path):
            if record.get("id") in (None, ""):
                raise DetenteError(f"{path}:{line_no}", "record has no 'id'")
            ids.add(str(record["id"]))
    return ids
