"""``detente agreement``: how far two annotators' labellings of the same statements agree.

A second annotator's file often holds only ``id`` and ``label`` (the text is in
the first file), so annotations are read with :func:`detente.labelled.iter_records`
and checked here for just what agreement needs: an id, a known label, each id
once, at least one record, and the same ids in both files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from detente.errors import DetenteError
from detente.eval import metrics as m
from detente.labelled import canonical_label, iter_records
from detente.model.labels import LABELS


def read_annotations(path: str | Path) -> dict[str, tuple[str, int]]:
    """``{id: (label, line)}`` of one annotator's file, validated; errors name file:line."""
    path = Path(path)
    labels: dict[str, tuple[str, int]] = {}
    for line_no, record in iter_records(path):
        where = f"{path}:{line_no}"
        for key in ("id", "label"):
            if record.get(key) in (None, ""):
                raise DetenteError(where, f"record has no '{key}'")
        record_id, label = str(record["id"]), canonical_label(record["label"])
        if label not in LABELS:
            raise DetenteError(where, f"unknown label {label!r} (expected one of {', '.join(LABELS)})")
        if record_id in labels:
            raise DetenteError(where, f"duplicate id {record_id!r} (first at line {labels[record_id][1]})")
        labels[record_id] = (label, line_no)
    if not labels:
        raise DetenteError(path, "no records")
    return labels


def check_same_ids(a: dict[str, tuple[str, int]], b: dict[str, tuple[str, int]], path_a, path_b) -> None:
    """Both files must label exactly the same statements; name where the first stray id is."""
    for mine, theirs, path, other in ((a, b, path_a, path_b), (b, a, path_b, path_a)):
        stray = [i for i in mine if i not in theirs]
        if stray:
            first = min(stray, key=lambda i: mine[i][1])
            more = f" (and {len(stray) - 1} more)" if len(stray) > 1 else ""
            raise DetenteError(f"{path}:{mine[first][1]}", f"id {first!r} is not in {other}{more}")


def agreement(labels_a: list[str], labels_b: list[str]) -> dict[str, Any]:
    """The agreement numbers for two aligned labellings; ``None`` where a coefficient is undefined."""
    return {
        "n": len(labels_a),
        "labels": list(LABELS),
        "raw_agreement": m.raw_agreement(labels_a, labels_b),
        "cohen_kappa": m.cohen_kappa(labels_a, labels_b),
        "krippendorff_alpha": m.krippendorff_alpha_nominal(list(zip(labels_a, labels_b, strict=True))),
        "confusion_matrix": m.confusion(labels_a, labels_b),
    }


def compare_files(path_a: str | Path, path_b: str | Path) -> dict[str, Any]:
    """Read, validate and align two annotation files (in the first file's order), then score them."""
    a, b = read_annotations(path_a), read_annotations(path_b)
    check_same_ids(a, b, path_a, path_b)
    ids = list(a)
    result = agreement([a[i][0] for i in ids], [b[i][0] for i in ids])
    result["files"] = {"a": str(path_a), "b": str(path_b)}
    result["disagreements"] = [{"id": i, "a": a[i][0], "b": b[i][0]} for i in ids if a[i][0] != b[i][0]]
    return result


def summary(result: dict[str, Any]) -> str:
    """The readable form ``detente agreement`` prints."""

    def num(value: float | None) -> str:
        return "undefined (one label only)" if value is None else f"{value:.3f}"

    a, b = result["files"]["a"], result["files"]["b"]
    width = max(len(label) for label in LABELS) + 2
    lines = [
        f"{result['n']} statements labelled in both {a} (A) and {b} (B)",
        f"raw agreement          {num(result['raw_agreement'])}",
        f"Cohen's kappa          {num(result['cohen_kappa'])}",
        f"Krippendorff's alpha   {num(result['krippendorff_alpha'])} (nominal)",
        "",
        "rows A, columns B:",
        " " * width + "".join(f"{label:>{width}}" for label in LABELS),
    ]
    for label, row in zip(LABELS, result["confusion_matrix"], strict=True):
        lines.append(f"{label:<{width}}" + "".join(f"{count:>{width}}" for count in row))
    if result["disagreements"]:
        shown = result["disagreements"][:10]
        lines += ["", f"{len(result['disagreements'])} disagreements" + (", first 10:" if len(shown) < len(
            result["disagreements"]) else ":")]  # fmt: skip
        lines += [f"  {d['id']}: A {d['a']}, B {d['b']}" for d in shown]
    return "\n".join(lines)
