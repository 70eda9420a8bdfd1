"""Pure metric functions: labels (and probabilities) in, numbers out.

Nothing here reads files, loads models or renders anything, so every number in
``metrics.json`` and the reports can be checked against a hand-computed case
(``tests/test_eval_metrics.py``). Point metrics come from scikit-learn, the
reference implementations; what scikit-learn lacks (bootstrap intervals, the
paired bootstrap test, calibration error, Krippendorff's alpha) is written out
here with numpy, short enough to read against its textbook formula.

Labels are strings; the class order is always :data:`detente.model.labels.LABELS`,
so per-class tables and confusion matrices have the same rows in every file.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

import numpy as np

from detente.model.labels import LABEL2ID, LABELS

#: Resamples for the bootstrap intervals and the paired test: enough that the
#: 2.5th/97.5th percentiles move by well under a point between seeds on a few hundred statements.
DEFAULT_RESAMPLES = 1000
#: The project's fixed seed (the same as ``detente split``), so two runs give the same intervals.
DEFAULT_SEED = 13
#: Equal-width confidence bins for the calibration error and the reliability diagram.
ECE_BINS = 10


def accuracy(y_true: Sequence[str], y_pred: Sequence[str]) -> float:
    """Share of statements whose predicted label is the gold label."""
    from sklearn.metrics import accuracy_score

    return float(accuracy_score(y_true, y_pred))


def macro_f1(y_true: Sequence[str], y_pred: Sequence[str]) -> float:
    """Unweighted mean of the per-class F1 over the labels present in gold or predictions.

    Macro rather than micro because the classes are of similar size and each
    matters equally: a model that never says "conciliatory" should pay for it.
    Labels absent from both sequences are left out (scikit-learn's default), so a
    small slice with no conciliatory statement is not scored 0 for that class.
    """
    from sklearn.metrics import f1_score

    return float(f1_score(y_true, y_pred, average="macro", zero_division=0))


def per_class(y_true: Sequence[str], y_pred: Sequence[str]) -> dict[str, dict[str, float | int]]:
    """Precision, recall, F1 and support (gold count) for every label, in LABELS order."""
    from sklearn.metrics import precision_recall_fscore_support

    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, labels=list(LABELS), zero_division=0)
    return {
        label: {"precision": float(p[i]), "recall": float(r[i]), "f1": float(f[i]), "support": int(s[i])}
        for i, label in enumerate(LABELS)
    }


def confusion(y_true: Sequence[str], y_pred: Sequence[str]) -> list[list[int]]:
    """Counts with rows = gold label and columns = predicted label, both in LABELS order."""
    from sklearn.metrics import confusion_matrix

    return confusion_matrix(y_true, y_pred, labels=list(LABELS)).astype(int).tolist()


def _encode(labels: Sequence[str]) -> np.ndarray:
    return np.fromiter((LABEL2ID[label] for label in labels), dtype=np.int64, count=len(labels))


def _resample_scores(true: np.ndarray, pred: np.ndarray, index: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Accuracy and macro-F1 of each resample (one row of ``index`` each), vectorised.

    A thousand calls to scikit-learn per block would take seconds per model; a
    confusion matrix per resample via one ``bincount`` takes milliseconds and
    gives the same numbers (checked against :func:`macro_f1` in the tests).
    """
    k = len(LABELS)
    t, p = true[index], pred[index]
    offsets = np.arange(index.shape[0])[:, None] * k * k
    cm = np.bincount((offsets + t * k + p).ravel(), minlength=index.shape[0] * k * k).reshape(-1, k, k)
    tp = np.einsum("bii->bi", cm).astype(float)
    gold, predicted = cm.sum(axis=2), cm.sum(axis=1)
    denominator = gold + predicted
    f1 = np.divide(2 * tp, denominator, out=np.zeros_like(tp), where=denominator > 0)
    present = denominator > 0
    macro = f1.sum(axis=1) / np.maximum(present.sum(axis=1), 1)
    acc = tp.sum(axis=1) / index.shape[1]
    return acc, macro


def _indices(n: int, resamples: int, seed: int) -> np.ndarray:
    if n == 0:
        raise ValueError("no statements to resample")
    return np.random.default_rng(seed).integers(0, n, size=(resamples, n))


def bootstrap_ci(
    y_true: Sequence[str],
    y_pred: Sequence[str],
    resamples: int = DEFAULT_RESAMPLES,
    seed: int = DEFAULT_SEED,
) -> dict[str, list[float]]:
    """Seeded percentile-bootstrap 95% intervals: ``{"accuracy": [lo, hi], "macro_f1": [lo, hi]}``.

    Statements are resampled with replacement; the 2.5th and 97.5th percentiles of
    each metric over the resamples bound it. On a test set of a few hundred
    statements these intervals are several points wide, which is the point: a
    one-point gain between two models is usually inside them.
    """
    index = _indices(len(y_true), resamples, seed)
    acc, macro = _resample_scores(_encode(y_true), _encode(y_pred), index)
    return {
        "accuracy": [float(np.percentile(acc, 2.5)), float(np.percentile(acc, 97.5))],
        "macro_f1": [float(np.percentile(macro, 2.5)), float(np.percentile(macro, 97.5))],
    }


def paired_bootstrap(
    y_true: Sequence[str],
    pred_a: Sequence[str],
    pred_b: Sequence[str],
    resamples: int = DEFAULT_RESAMPLES,
    seed: int = DEFAULT_SEED,
) -> dict[str, float | list[float]]:
    """Paired bootstrap test of macro-F1(b) - macro-F1(a) on the same statements.

    Both models are scored on the *same* resamples, so the statements that are
    hard for both cancel out and the interval is much narrower than the two
    separate intervals suggest. The two-sided p-value is that of the shifted
    null (Efron & Tibshirani; Berg-Kirkpatrick et al. 2012): the share of
    resampled differences at least twice the observed one away from zero once
    centred, i.e. ``(1 + #{|d* - d| >= |d|}) / (resamples + 1)``.
    """
    true = _encode(y_true)
    index = _indices(len(true), resamples, seed)
    _, macro_a = _resample_scores(true, _encode(pred_a), index)
    _, macro_b = _resample_scores(true, _encode(pred_b), index)
    observed = macro_f1(y_true, pred_b) - macro_f1(y_true, pred_a)
    diffs = macro_b - macro_a
    extreme = int(np.sum(np.abs(diffs - observed) >= abs(observed) - 1e-12))
    return {
        "difference": float(observed),
        "ci95": [float(np.percentile(diffs, 2.5)), float(np.percentile(diffs, 97.5))],
        "p_value": float((1 + extreme) / (resamples + 1)),
    }


def reliability_bins(
    y_true: Sequence[str], probs: np.ndarray, bins: int = ECE_BINS
) -> list[dict[str, float | int | None]]:
    """Equal-width bins of max-probability confidence: count, mean confidence and accuracy of each.

    Bin ``b`` holds confidences in ``(b/bins, (b+1)/bins]`` (the first also takes 0).
    Empty bins keep their place with ``None`` averages, so the diagram's x axis is fixed.
    """
    probs = np.asarray(probs, dtype=float)
    confidence = probs.max(axis=1)
    correct = probs.argmax(axis=1) == _encode(y_true)
    # rounded first so that 0.7 * 10 = 7.000000000000001 still lands in (0.6, 0.7], not the next bin
    which = np.clip(np.ceil(np.round(confidence * bins, 9)).astype(int) - 1, 0, bins - 1)
    rows: list[dict[str, float | int | None]] = []
    for b in range(bins):
        mask = which == b
        count = int(mask.sum())
        rows.append({
            "lo": b / bins,
            "hi": (b + 1) / bins,
            "n": count,
            "confidence": float(confidence[mask].mean()) if count else None,
            "accuracy": float(correct[mask].mean()) if count else None,
        })  # fmt: skip
    return rows


def expected_calibration_error(y_true: Sequence[str], probs: np.ndarray, bins: int = ECE_BINS) -> float:
    """ECE: the count-weighted mean gap |accuracy - confidence| over the confidence bins.

    Confidence is the probability of the predicted (most probable) class. 0 means
    that when the model says 80% it is right 80% of the time; the tone score is only
    as meaningful as the probabilities are calibrated, hence this number.
    """
    rows = reliability_bins(y_true, probs, bins)
    n = sum(row["n"] for row in rows)
    return float(sum(row["n"] / n * abs(row["accuracy"] - row["confidence"]) for row in rows if row["n"]))


def tones(probs: np.ndarray) -> np.ndarray:
    """Tone of each row: P(conciliatory) - P(critical), as the labelling guide defines it."""
    probs = np.asarray(probs, dtype=float)
    return probs[:, LABEL2ID["conciliatory"]] - probs[:, LABEL2ID["critical"]]


# --- agreement between two annotators -------------------------------------------------------


def raw_agreement(labels_a: Sequence[str], labels_b: Sequence[str]) -> float:
    """Share of statements both annotators gave the same label."""
    return float(np.mean([a == b for a, b in zip(labels_a, labels_b, strict=True)]))


def cohen_kappa(labels_a: Sequence[str], labels_b: Sequence[str]) -> float | None:
    """Cohen's kappa: agreement corrected for the agreement the two label marginals give by chance.

    ``None`` when chance agreement is already 1 (both used one and the same label),
    where kappa is 0/0.
    """
    from sklearn.metrics import cohen_kappa_score

    expected = sum(
        Counter(labels_a)[label] * Counter(labels_b)[label] for label in LABELS
    ) / max(len(labels_a), 1) ** 2  # fmt: skip
    if math.isclose(expected, 1.0):
        return None
    return float(cohen_kappa_score(labels_a, labels_b, labels=list(LABELS)))


def krippendorff_alpha_nominal(units: Sequence[Sequence[str]]) -> float | None:
    """Krippendorff's alpha for nominal data: ``1 - (n - 1) * D_o / D_e`` from the coincidence matrix.

    ``units`` holds each statement's labels from however many annotators gave one;
    units with fewer than two labels are not pairable and are skipped. Each unit
    with m labels adds 1/(m - 1) to o[c][k] for every ordered pair of its labels
    (c, k) from different annotators; with n_c the row sums and n their total,
    alpha = 1 - (n - 1) * sum_{c != k} o_ck / sum_{c != k} n_c n_k.
    Unlike kappa it pools both annotators' marginals and handles missing labels,
    which is why annotation studies report both. ``None`` when only one label
    value occurs at all (no expected disagreement).
    """
    k = len(LABELS)
    coincidence = np.zeros((k, k))
    for unit in units:
        values = [LABEL2ID[v] for v in unit]
        m = len(values)
        if m < 2:
            continue
        for i, c in enumerate(values):
            for j, d in enumerate(values):
                if i != j:
                    coincidence[c, d] += 1 / (m - 1)
    totals = coincidence.sum(axis=1)
    n = totals.sum()
    observed = coincidence.sum() - np.trace(coincidence)
    expected = n * n - float((totals**2).sum())
    if expected <= 0:
        return None
    return float(1 - (n - 1) * observed / expected)
