"""``detente label-issues``: find statements in a hand-labelled set whose label looks wrong.

The method is confident learning's self-confidence ranking (Northcutt et al.,
2021, as in cleanlab), written out with numpy so it needs no extra dependency:

1. Out-of-sample probabilities: every statement is scored by a simple classifier
   (TF-IDF or frozen-embedding logistic regression) that did not see it, by
   5-fold cross-validation. Folds are grouped by ``source`` (the document) so
   sentences of one article never sit on both sides, which would let the
   classifier echo a wrong label from its neighbours.
2. Per-class thresholds: t_j is the mean probability of class j over the
   statements labelled j, i.e. how sure the classifier typically is of that class.
3. A statement is flagged when some class j reaches its threshold t_j and, among
   those that do, the most probable is not the given label (the off-diagonal of
   the confident joint). That class is the suggestion.
4. Flagged statements are ranked by self-confidence, the probability of the given
   label, lowest first: the likeliest mistakes come first.

A simple classifier rather than the fine-tuned model: the bundled model was
trained on the project's corpus and would reproduce its labels, mistakes included.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from detente.errors import DetenteError
from detente.model.labels import LABEL2ID, LABELS

FOLDS = 5
#: Grouping by document needs at least this many documents, else folds are too uneven to train on.
MIN_GROUPS = FOLDS
METHODS = ("embedding", "tfidf")


def confident_learning(given: Sequence[int], probs: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(flagged mask, suggested class, self-confidence) per statement; see the module docstring.

    ``given`` holds class indices (LABELS order), ``probs`` out-of-sample probabilities.
    A class nobody was labelled with gets an infinite threshold: no evidence for it.
    """
    given = np.asarray(given, dtype=int)
    probs = np.asarray(probs, dtype=float)
    k = probs.shape[1]
    thresholds = np.array([probs[given == j, j].mean() if np.any(given == j) else np.inf for j in range(k)])
    above = probs >= thresholds - 1e-12
    candidates = np.where(above, probs, -np.inf)
    confident = candidates.argmax(axis=1)
    has_candidate = above.any(axis=1)
    flagged = has_candidate & (confident != given)
    suggested = np.where(flagged, confident, probs.argmax(axis=1))
    self_confidence = probs[np.arange(len(given)), given]
    return flagged, suggested, self_confidence


def fold_indices(labels: Sequence[str], groups: Sequence[str] | None, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """(train, held-out) index pairs: grouped by document when there are enough documents."""
    from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold

    n = len(labels)
    y = np.array([LABEL2ID[label] for label in labels])
    if groups is not None and len(set(groups)) >= MIN_GROUPS:
        splitter = StratifiedGroupKFold(n_splits=FOLDS, shuffle=True, random_state=seed)
        return list(splitter.split(np.zeros(n), y, groups))
    folds = min(FOLDS, n)
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    import warnings

    with warnings.catch_warnings():  # "least populated class has fewer members than n_splits" on tiny sets
        warnings.simplefilter("ignore", UserWarning)
        return list(splitter.split(np.zeros(n), y))


def cross_val_probs(
    fit_predict: Callable[[np.ndarray, np.ndarray], np.ndarray],
    labels: Sequence[str],
    folds: Sequence[tuple[np.ndarray, np.ndarray]],
) -> np.ndarray:
    """Out-of-fold probabilities: ``fit_predict(train_idx, test_idx)`` -> (len(test_idx), 3) per fold."""
    probs = np.zeros((len(labels), len(LABELS)))
    for train_idx, test_idx in folds:
        train_labels = {labels[i] for i in train_idx}
        if len(train_labels) < 2:  # nothing to learn: the fold's only label, with certainty
            probs[test_idx, LABEL2ID[train_labels.pop()]] = 1.0
            continue
        probs[test_idx] = fit_predict(train_idx, test_idx)
    return probs


def _tfidf_fit_predict(texts: Sequence[str], labels: Sequence[str]):
    from sklearn.feature_extraction.text import TfidfVectorizer

    from detente.eval.baselines import logreg_proba, make_logreg

    def fit_predict(train_idx, test_idx):
        vectorizer = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
        features = vectorizer.fit_transform([texts[i] for i in train_idx])
        model = make_logreg().fit(features, [labels[i] for i in train_idx])
        return logreg_proba(model, vectorizer.transform([texts[i] for i in test_idx]))

    return fit_predict


def _embedding_fit_predict(embeddings: np.ndarray, labels: Sequence[str]):
    from detente.eval.baselines import logreg_proba, make_logreg

    def fit_predict(train_idx, test_idx):
        model = make_logreg().fit(embeddings[train_idx], [labels[i] for i in train_idx])
        return logreg_proba(model, embeddings[test_idx])

    return fit_predict


def find_label_issues(
    records: Sequence[dict[str, Any]],
    method: str = "embedding",
    embed: Callable[[Sequence[str]], np.ndarray] | None = None,
    seed: int = 13,
    where: str = "",
) -> tuple[list[dict[str, Any]], str]:
    """(flagged statements, lowest self-confidence first; a line saying how the folds were made)."""
    labels = [r["label"] for r in records]
    if len(records) < 2 * FOLDS or len(set(labels)) < 2:
        raise DetenteError(where or None, f"label-issues needs at least {2 * FOLDS} statements with two or more "
                           f"labels to cross-validate (got {len(records)}, labels {sorted(set(labels))})")  # fmt: skip
    texts = [r["text"] for r in records]
    has_source = any(r.get("source") not in (None, "") for r in records)
    groups = [str(r.get("source") or f"id:{r['id']}") for r in records] if has_source else None
    folds = fold_indices(labels, groups, seed)
    grouped = groups is not None and len(set(groups)) >= MIN_GROUPS
    how = f"{len(folds)}-fold cross-validation " + ("grouped by source" if grouped else "by statement")
    if method == "tfidf":
        fit_predict = _tfidf_fit_predict(texts, labels)
    elif method == "embedding":
        if embed is None:
            raise ValueError("the embedding method needs an embed function")
        fit_predict = _embedding_fit_predict(embed(texts), labels)
    else:
        raise DetenteError(None, f"unknown method {method!r} (expected one of {', '.join(METHODS)})")
    probs = cross_val_probs(fit_predict, labels, folds)
    flagged, suggested, confidence = confident_learning([LABEL2ID[label] for label in labels], probs)
    issues = [
        {
            "id": records[i]["id"],
            "text": records[i]["text"],
            "given_label": labels[i],
            "suggested_label": LABELS[suggested[i]],
            "score": round(float(confidence[i]), 6),
            "probs": {label: round(float(p), 6) for label, p in zip(LABELS, probs[i], strict=True)},
        }
        for i in np.flatnonzero(flagged)
    ]
    issues.sort(key=lambda issue: (issue["score"], str(issue["id"])))
    return issues, how
