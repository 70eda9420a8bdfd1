"""Assemble ``metrics.json`` and ``predictions.jsonl`` from gold labels and predicted probabilities.

This module decides what the numbers are and how they are laid out (see
``SCHEMA.md``); it neither loads models nor writes files, so the same
function serves the CLI, the tests and anyone scoring their own predictor.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from detente.eval import metrics as m
from detente.eval.data import group_key
from detente.labelled import fingerprint
from detente.model.labels import LABELS

SCHEMA_VERSION = 1


@dataclass
class Scored:
    """One predictor's output on the evaluation set, with what names it in the reports."""

    tag: str  # "detente-stance@0.1.0" or a baseline's name
    info: dict[str, Any]  # the block's "model" entry
    probs: np.ndarray  # (n, 3), LABELS columns
    probabilistic: bool = True

    @cached_property
    def predicted(self) -> list[str]:
        return [LABELS[i] for i in np.asarray(self.probs).argmax(axis=1)]


def model_info(tag: str, name: str, version: str | None, data_fingerprint: str | None, **extra: Any):
    """The "model" entry of a block: the same keys for a detente model and a baseline."""
    return {"tag": tag, "name": name, "version": version, "data_fingerprint": data_fingerprint, **extra}


def block(y_true: Sequence[str], scored: Scored, resamples: int, seed: int) -> dict[str, Any]:
    """Every number for one predictor: the unit repeated for the model, each baseline, a second model."""
    y_pred = scored.predicted
    return {
        "model": scored.info,
        "n": len(y_true),
        "accuracy": m.accuracy(y_true, y_pred),
        "macro_f1": m.macro_f1(y_true, y_pred),
        "ci95": m.bootstrap_ci(y_true, y_pred, resamples, seed),
        "per_class": m.per_class(y_true, y_pred),
        "confusion_matrix": m.confusion(y_true, y_pred),
        "ece": m.expected_calibration_error(y_true, scored.probs) if scored.probabilistic else None,
        "reliability": m.reliability_bins(y_true, scored.probs) if scored.probabilistic else None,
    }


def group_table(
    records: Sequence[dict[str, Any]],
    field: str,
    model: Scored,
    baselines: Sequence[Scored],
    resamples: int,
    seed: int,
) -> dict[str, Any]:
    """Per-group numbers for ``--group-by``: largest groups first, each with its own interval.

    The interval is the point of the table: a topic with 6 statements and a
    macro-F1 of 0.4 usually says nothing about that topic.
    """
    members: dict[str, list[int]] = defaultdict(list)
    for i, record in enumerate(records):
        members[group_key(record, field)].append(i)
    gold = [r["label"] for r in records]
    tone = m.tones(model.probs)
    rows = []
    for value, idx in sorted(members.items(), key=lambda item: (-len(item[1]), item[0])):
        y_true = [gold[i] for i in idx]
        y_pred = [model.predicted[i] for i in idx]
        rows.append({
            "value": value,
            "n": len(idx),
            "accuracy": m.accuracy(y_true, y_pred),
            "macro_f1": m.macro_f1(y_true, y_pred),
            "macro_f1_ci95": m.bootstrap_ci(y_true, y_pred, resamples, seed)["macro_f1"],
            "mean_tone": float(tone[idx].mean()),
            "baselines": {b.tag: m.macro_f1(y_true, [b.predicted[i] for i in idx]) for b in baselines},
        })  # fmt: skip
    return {"field": field, "rows": rows}


def build_metrics(
    records: Sequence[dict[str, Any]],
    data_files: Sequence[str],
    model: Scored,
    baselines: Sequence[Scored] = (),
    others: Sequence[Scored] = (),
    group_by: str | None = None,
    train_summary: dict[str, Any] | None = None,
    resamples: int = m.DEFAULT_RESAMPLES,
    seed: int = m.DEFAULT_SEED,
) -> dict[str, Any]:
    """The whole ``metrics.json`` document: the model's block at the top level, the rest beside it."""
    y_true = [r["label"] for r in records]
    data_fp = fingerprint(records)
    result: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "labels": list(LABELS),
        "data": {"files": list(map(str, data_files)), "n": len(records), "fingerprint": data_fp},
        "bootstrap": {"resamples": resamples, "seed": seed, "interval": "percentile, 95%"},
        **block(y_true, model, resamples, seed),
        "baselines": {b.tag: block(y_true, b, resamples, seed) for b in baselines},
        "baselines_training": train_summary,
        "models": [block(y_true, other, resamples, seed) for other in others],
        "comparison": None,
        "groups": group_table(records, group_by, model, baselines, resamples, seed) if group_by else None,
        "warnings": [],
    }
    if others:
        other = others[0]
        result["comparison"] = {
            "a": model.tag,
            "b": other.tag,
            "metric": "macro_f1",
            **m.paired_bootstrap(y_true, model.predicted, other.predicted, resamples, seed),
        }
    for scored in (model, *others):
        if scored.info.get("data_fingerprint") == data_fp:
            result["warnings"].append(f"{scored.tag} was trained on exactly this data: its scores are not a test")
    if train_summary and train_summary.get("overlap"):
        result["warnings"].append(f"{train_summary['overlap']} evaluated ids are also in the baselines' training data")
    return result


def _prediction(scored: Scored, i: int) -> dict[str, Any]:
    probs = {label: round(float(p), 6) for label, p in zip(LABELS, scored.probs[i], strict=True)}
    return {"label": scored.predicted[i], "probs": probs, "tone": round(probs["conciliatory"] - probs["critical"], 6)}


def build_predictions(
    records: Sequence[dict[str, Any]],
    model: Scored,
    baselines: Sequence[Scored] = (),
    others: Sequence[Scored] = (),
) -> list[dict[str, Any]]:
    """One output record per input record, in input order, shaped like ``detente score``'s.

    The input's ``label`` becomes ``gold_label`` (as ``detente score --input-format
    jsonl`` does) and ``label`` is the prediction, so the two files join on ``id``.
    """
    out = []
    for i, record in enumerate(records):
        row = {k: v for k, v in record.items() if k != "label"}
        row["gold_label"] = record["label"]
        row.update(_prediction(model, i))
        row["correct"] = row["label"] == row["gold_label"]
        row["model"] = model.tag
        if baselines:
            row["baselines"] = {b.tag: b.predicted[i] for b in baselines}
        if others:
            row["models"] = [{"model": o.tag, **_prediction(o, i)} for o in others]
        out.append(row)
    return out
