"""``detente eval`` end to end, short of writing: check inputs, load, predict, assemble.

Inputs are checked in the order that fails fastest (the labelled files, the
group field, the baselines' training data, then the models), so a bad file is
reported before any network is loaded or any statement scored.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from detente.errors import DetenteError
from detente.eval import metrics as m
from detente.eval.data import check_group_field, load_eval_set, resolve_train_files
from detente.eval.evaluate import Scored, build_metrics, build_predictions, model_info
from detente.labelled import fingerprint, read_labelled

#: One model, or two to compare; more would need a multiple-comparison correction.
MAX_MODELS = 2


@dataclass
class EvalRequest:
    data: Sequence[str]
    models: Sequence[str] = ("default",)
    baselines: bool = False
    train: Sequence[str] | None = None
    group_by: str | None = None
    device: str | None = None
    batch_size: int = 32
    resamples: int = m.DEFAULT_RESAMPLES
    seed: int = m.DEFAULT_SEED
    #: Minimal pairs reported as their own row (see detente.eval.contrast); None: none.
    contrast: str | None = None


def _quiet(_: str) -> None:
    pass


def score_classifier(classifier, source: str, texts: Sequence[str], batch_size: int) -> Scored:
    """A detente model's probabilities, named by its spec and its training data's fingerprint."""
    spec = classifier.spec
    info = model_info(
        classifier.name, spec.name, spec.version, spec.training.get("data_fingerprint"), source=str(source)
    )
    return Scored(classifier.name, info, classifier.predict_proba(list(texts), batch_size=batch_size))


def score_baselines(
    train_records: Sequence[dict[str, Any]],
    texts: Sequence[str],
    embed: Callable[[Sequence[str]], Any],
    log: Callable[[str], None] = _quiet,
) -> list[Scored]:
    """Fit each baseline on the training records and score the evaluation texts."""
    from detente.eval.baselines import all_baselines

    train_texts = [r["text"] for r in train_records]
    train_labels = [r["label"] for r in train_records]
    train_fp = fingerprint(train_records)
    scored = []
    for baseline in all_baselines(embed):
        log(f"baseline {baseline.name}: {baseline.description}")
        baseline.fit(train_texts, train_labels)
        info = model_info(
            baseline.name, baseline.name, None, train_fp if baseline.trained else None,
            description=baseline.description,
        )  # fmt: skip
        scored.append(Scored(baseline.name, info, baseline.predict_proba(texts), baseline.probabilistic))
    return scored


def run_evaluation(request: EvalRequest, log: Callable[[str], None] = _quiet):
    """(metrics document, prediction records) for a request; raises DetenteError on bad input."""
    if len(request.models) > MAX_MODELS:
        raise DetenteError(None, f"--model given {len(request.models)} times: evaluate one model or compare two")
    records = load_eval_set(request.data)
    pairs = None
    if request.contrast:
        from detente.eval.contrast import read_pairs

        pairs = read_pairs(request.contrast)
    if request.group_by:
        check_group_field(records, request.group_by, request.data)
    train_records, train_summary = None, None
    if request.baselines:
        train_files = resolve_train_files(request.train)
        train_records = read_labelled(train_files)
        overlap = {r["id"] for r in records} & {r["id"] for r in train_records}
        train_summary = {
            "files": list(map(str, train_files)),
            "n": len(train_records),
            "fingerprint": fingerprint(train_records),
            "overlap": len(overlap),
        }

    from detente.model.classifier import StanceClassifier

    classifiers = [(name, StanceClassifier.from_pretrained(name, device=request.device)) for name in request.models]
    texts = [r["text"] for r in records]
    scored = []
    for source, classifier in classifiers:
        log(f"scoring {len(texts)} statements with {classifier.name}")
        scored.append(score_classifier(classifier, source, texts, request.batch_size))
    baselines: list[Scored] = []
    if train_records is not None:
        from detente.eval.embeddings import FrozenEncoder

        encoder: list[FrozenEncoder] = []

        def embed(batch: Sequence[str]):
            if not encoder:
                encoder.append(FrozenEncoder(device=request.device))
            return encoder[0].embed(list(batch), batch_size=request.batch_size)

        baselines = score_baselines(train_records, texts, embed, log)
    model, others = scored[0], scored[1:]
    metrics = build_metrics(
        records, [str(Path(p)) for p in request.data], model, baselines, others, request.group_by,
        train_summary, request.resamples, request.seed,
    )  # fmt: skip
    if pairs is not None:
        from detente.eval.contrast import contrast_metrics

        pair_texts = [r["text"] for r in pairs]
        metrics["contrast"] = {"file": str(request.contrast), "models": {}}
        for _source, classifier in classifiers:
            log(f"scoring {len(pairs)} contrast statements with {classifier.name}")
            predicted = classifier.predict(pair_texts, batch_size=request.batch_size)
            metrics["contrast"]["models"][classifier.name] = contrast_metrics(pairs, predicted)
    return metrics, build_predictions(records, model, baselines, others)
