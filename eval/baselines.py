"""Reference predictors scored beside the model, so its numbers mean something.

Each answers "how much of the model's score would a simpler method get?":

- ``majority``: the most frequent label of the training set, with the training
  label shares as its probabilities. Any model must beat it.
- ``vader``: a general-purpose sentiment lexicon (VADER) mapped to stance by
  thresholds on its compound score (see :data:`VADER_THRESHOLD`). Measures how far
  plain positive/negative sentiment gets; stance is not sentiment (a calm
  rejection is critical), and this baseline shows by how much.
- ``tfidf-logreg``: word and bigram TF-IDF with logistic regression, trained on
  the training set. The classic strong text-classification baseline.
- ``embedding-logreg``: mean-pooled embeddings of the frozen base encoder with
  logistic regression. What the model's own starting point gets without fine-tuning.

All share ``fit(texts, labels)`` and ``predict_proba(texts)`` with columns in
LABELS order, so the evaluation treats them exactly like the model.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence

import numpy as np

from detente.model.labels import LABEL2ID, LABELS

#: VADER compound score at or above +0.3 -> conciliatory, at or below -0.3 -> critical,
#: in between -> procedural. 0.3 rather than VADER's own +-0.05 "neutral" band because
#: news copy about talks is full of mildly loaded words ("security", "threat" in a
#: schedule line); a statement needs clear valence before it is read as a stance.
VADER_THRESHOLD = 0.3
#: Inverse regularisation of both logistic regressions: the scikit-learn default, untuned,
#: so the baselines are not fitted to the evaluation set.
LOGREG_C = 1.0


class Baseline:
    name: str = ""
    description: str = ""
    #: False where the "probabilities" are one-hot rule outputs: their ECE is not reported.
    probabilistic: bool = True
    #: False where nothing is learnt from the training set.
    trained: bool = True

    def fit(self, texts: Sequence[str], labels: Sequence[str]) -> Baseline:
        return self

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        raise NotImplementedError


class Majority(Baseline):
    name = "majority"
    description = "most frequent training label; training label shares as probabilities"

    def fit(self, texts: Sequence[str], labels: Sequence[str]) -> Majority:
        counts = Counter(labels)
        self.prior = np.array([counts[label] for label in LABELS], dtype=float) / len(labels)
        return self

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        return np.tile(self.prior, (len(texts), 1))


def vader_stance(compound: float, threshold: float = VADER_THRESHOLD) -> str:
    """The stance a VADER compound score maps to (see :data:`VADER_THRESHOLD`)."""
    if compound >= threshold:
        return "conciliatory"
    if compound <= -threshold:
        return "critical"
    return "procedural"


class Vader(Baseline):
    name = "vader"
    description = (
        f"VADER sentiment, compound >= {VADER_THRESHOLD} conciliatory, <= -{VADER_THRESHOLD} critical, else procedural"
    )
    probabilistic = False
    trained = False

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        analyzer = SentimentIntensityAnalyzer()
        probs = np.zeros((len(texts), len(LABELS)))
        for i, text in enumerate(texts):
            probs[i, LABEL2ID[vader_stance(analyzer.polarity_scores(text)["compound"])]] = 1.0
        return probs


def logreg_proba(model, features) -> np.ndarray:
    """A fitted classifier's probabilities as LABELS columns; labels it never saw get 0."""
    probs = np.zeros((features.shape[0], len(LABELS)))
    probs[:, [LABEL2ID[c] for c in model.classes_]] = model.predict_proba(features)
    return probs


def make_logreg():
    """Balanced class weights so the smallest class is not sacrificed for accuracy."""
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=LOGREG_C, class_weight="balanced", max_iter=2000)


class TfidfLogReg(Baseline):
    name = "tfidf-logreg"
    description = "word 1-2-gram TF-IDF + logistic regression"

    def fit(self, texts: Sequence[str], labels: Sequence[str]) -> TfidfLogReg:
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.vectorizer = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1)
        self.model = make_logreg().fit(self.vectorizer.fit_transform(texts), list(labels))
        return self

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        return logreg_proba(self.model, self.vectorizer.transform(texts))


class EmbeddingLogReg(Baseline):
    name = "embedding-logreg"
    description = "frozen all-MiniLM-L6-v2 mean-pooled embeddings + logistic regression"

    def __init__(self, embed: Callable[[Sequence[str]], np.ndarray]):
        self.embed = embed

    def fit(self, texts: Sequence[str], labels: Sequence[str]) -> EmbeddingLogReg:
        self.model = make_logreg().fit(self.embed(texts), list(labels))
        return self

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        return logreg_proba(self.model, self.embed(texts))


def all_baselines(embed: Callable[[Sequence[str]], np.ndarray]) -> list[Baseline]:
    """The baselines ``--baselines`` runs, in the order the reports list them."""
    return [Majority(), Vader(), TfidfLogReg(), EmbeddingLogReg(embed)]
