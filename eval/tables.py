"""The report's tables as plain rows, shared by ``report.html`` and ``report.md``.

Both reports print the same numbers; building the rows once, from
``metrics.json`` and the prediction records only, keeps them from drifting
apart and keeps rendering free of any computation worth testing twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from detente.model.labels import LABELS

#: How many of the most confident errors the reports list.
TOP_ERRORS = 10


def num(value: float | None, digits: int = 3) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def interval(bounds: Sequence[float] | None) -> str:
    return "–" if not bounds else f"[{bounds[0]:.3f}, {bounds[1]:.3f}]"


def headline_rows(metrics: dict[str, Any]) -> list[dict[str, str]]:
    """One row per predictor: the model first, a compared model next, then the baselines."""
    blocks = [("model", metrics), *(("model", b) for b in metrics["models"])]
    blocks += [("baseline", b) for b in metrics["baselines"].values()]
    return [
        {
            "name": b["model"]["tag"],
            "kind": kind,
            "n": str(b["n"]),
            "accuracy": num(b["accuracy"]),
            "accuracy_ci": interval(b["ci95"]["accuracy"]),
            "macro_f1": num(b["macro_f1"]),
            "macro_f1_ci": interval(b["ci95"]["macro_f1"]),
            "ece": num(b["ece"]),
        }
        for kind, b in blocks
    ]


HEADLINE_COLUMNS = [
    ("name", "predictor"),
    ("kind", "kind"),
    ("n", "n"),
    ("accuracy", "accuracy"),
    ("accuracy_ci", "95% CI"),
    ("macro_f1", "macro-F1"),
    ("macro_f1_ci", "95% CI"),
    ("ece", "ECE"),
]


def per_class_rows(block: dict[str, Any]) -> list[list[str]]:
    return [
        [label, num(c["precision"]), num(c["recall"]), num(c["f1"]), str(c["support"])]
        for label, c in block["per_class"].items()
    ]


PER_CLASS_HEADER = ["label", "precision", "recall", "F1", "support"]


def confusion_rows(block: dict[str, Any]) -> list[list[str]]:
    return [[label, *map(str, row)] for label, row in zip(LABELS, block["confusion_matrix"], strict=True)]


CONFUSION_HEADER = ["gold \\ predicted", *LABELS]


def group_header(metrics: dict[str, Any]) -> list[str]:
    baselines = list(metrics["baselines"])
    return [metrics["groups"]["field"], "n", "accuracy", "macro-F1", "95% CI", "mean tone",
            *[f"{b} F1" for b in baselines]]  # fmt: skip


def group_rows(metrics: dict[str, Any]) -> list[list[str]]:
    return [
        [
            row["value"],
            str(row["n"]),
            num(row["accuracy"]),
            num(row["macro_f1"]),
            interval(row["macro_f1_ci95"]),
            f"{round(row['mean_tone'], 2) + 0.0:+.2f}",
            *[num(v) for v in row["baselines"].values()],
        ]  # fmt: skip
        for row in metrics["groups"]["rows"]
    ]


def confident_errors(predictions: Sequence[dict[str, Any]], top: int = TOP_ERRORS) -> list[dict[str, Any]]:
    """The wrong predictions the model was surest of: where to look first for label or model mistakes."""
    wrong = [p for p in predictions if not p["correct"]]
    wrong.sort(key=lambda p: (-p["probs"][p["label"]], str(p["id"])))
    return [
        {
            "id": p["id"],
            "gold": p["gold_label"],
            "predicted": p["label"],
            "confidence": p["probs"][p["label"]],
            "text": p["text"],
        }  # fmt: skip
        for p in wrong[:top]
    ]


ERROR_HEADER = ["id", "gold", "predicted", "confidence", "text"]


def error_rows(predictions: Sequence[dict[str, Any]], top: int = TOP_ERRORS) -> list[list[str]]:
    return [[str(e["id"]), e["gold"], e["predicted"], num(e["confidence"]), e["text"]]
            for e in confident_errors(predictions, top)]  # fmt: skip


def comparison_line(metrics: dict[str, Any]) -> str | None:
    c = metrics["comparison"]
    if not c:
        return None
    return (
        f"macro-F1({c['b']}) − macro-F1({c['a']}) = {c['difference']:+.3f}, "
        f"95% CI {interval(c['ci95'])}, paired bootstrap p = {c['p_value']:.3f}"
    )


CONTRAST_HEADER = ("model", "pairs", "both members right", "statements right")


def contrast_rows(metrics: dict[str, Any]) -> list[list[str]]:
    rows = metrics.get("contrast", {}).get("models", {})
    return [[name, str(r["pairs"]), num(r["both_right"]), num(r["accuracy"])] for name, r in rows.items()]
