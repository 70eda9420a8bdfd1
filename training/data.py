"""Training data as ``datasets.Dataset``: the labelled splits, unlabelled statements, soft labels.

Labelled files are read and checked by ``detente.labelled`` first, because every
bad record must be reported by file and line, which the ``datasets`` JSON and
CSV builders cannot do (and their JSON reader turns a ``date`` field into a
timestamp). The checked records are then held as a ``Dataset``: columnar,
sliceable by index lists for batching, and the form users' own tooling expects.
Unlabelled statements have no such checks to make and go straight through
``load_dataset``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from detente.errors import DetenteError
from detente.labelled import read_labelled
from detente.model.context import document_contexts

if TYPE_CHECKING:
    from datasets import Dataset

    from detente.training.config import Config

#: The columns training needs; other fields of a labelled file (notes, provenance) are dropped.
#: What training reads, then provenance kept for what a model writes beside itself (its check set).
COLUMNS = ("id", "text", "label", "source", "doc", "topic", "date", "origin")


def _datasets():
    import datasets

    datasets.disable_progress_bars()
    datasets.logging.set_verbosity_error()
    return datasets


def labelled_dataset(paths: list[str]) -> Dataset:
    """Hand-labelled files as one dataset, validated, in file order (ids as text)."""
    return _from_records(read_labelled(paths))


def load_splits(config: Config) -> dict[str, Dataset]:
    """train, dev and test: from explicit files, or dev cut from train by document."""
    from detente.training.splits import split_by_document

    data = config.data
    if not data.train_files:
        raise DetenteError("data.train_files", "no training data: give --train FILE or name the files in the config")
    train = read_labelled(data.train_files)
    if data.dev_files:
        dev = read_labelled(data.dev_files)
    else:
        train, dev = split_by_document(train, data.dev_fraction, data.split_seed)
    if data.origin_weights:
        train = [r for r in train if data.origin_weights.get(str(r.get("origin")), 1.0) > 0]
    test = read_labelled(data.test_files) if data.test_files else []
    return {"train": _from_records(train), "dev": _from_records(dev), "test": _from_records(test)}


def _from_records(records: list[dict[str, Any]]) -> Dataset:
    """Records in file order, with ``doc`` the statement's document (its own id if it has none)."""
    columns = {name: [str(r.get(name) or "") for r in records] for name in COLUMNS}
    columns["doc"] = [str(r.get("doc") or r.get("source") or r.get("id")) for r in records]
    return _from_columns(columns)


def _from_columns(columns: dict[str, list[Any]]) -> Dataset:
    datasets = _datasets()
    features = datasets.Features({name: datasets.Value("string") for name in COLUMNS})
    size = len(columns["id"])
    columns = {name: columns.get(name, [""] * size) for name in COLUMNS}
    return datasets.Dataset.from_dict(columns, features=features)


def load_unlabelled(paths: list[str]) -> Dataset:
    """Unlabelled statements for distillation (any size; ``datasets`` caches them as Arrow).

    Blank texts are dropped; the label column is empty so the set concatenates
    with the labelled one.
    """
    for path in paths:
        if not Path(path).is_file():
            raise DetenteError(path, "no such file")
    if not paths:
        return _from_records([])
    loaded = _datasets().load_dataset("json", data_files=list(paths), split="train")
    if "text" not in loaded.column_names:
        raise DetenteError(paths[0], "unlabelled statements need a 'text' field")
    docs = loaded["doc"] if "doc" in loaded.column_names else [None] * len(loaded)
    kept = [(t, d) for t, d in zip(loaded["text"], docs, strict=True) if isinstance(t, str) and t.strip()]
    ids = [f"unlabelled:{i}" for i in range(len(kept))]
    return _from_columns({"id": ids, "text": [t for t, _ in kept], "label": [None] * len(kept),
                          "doc": [str(d) if d else i for (_, d), i in zip(kept, ids, strict=True)]})  # fmt: skip


def with_contexts(dataset: Dataset, mode: str) -> Dataset:
    """The dataset plus a ``context`` column for a model that reads one (detente.model.context).

    Contexts come from neighbouring rows of the same document, so this must run
    on a dataset still in file order, before any shuffling.
    """
    contexts = document_contexts(list(dataset["text"]), list(dataset["doc"]), mode)
    return dataset if contexts is None else dataset.add_column("context", contexts)


def concatenate(*parts: Dataset) -> Dataset:
    return _datasets().concatenate_datasets(list(parts))


def with_soft_labels(dataset: Dataset, teachers: list[str], temperature: float) -> Dataset:
    """The dataset plus a ``soft`` column: the teachers' mean class distribution, softened by the temperature.

    Several teachers are averaged in probability (each calibrated by its own
    temperature first), so an ensemble's errors that do not agree cancel out.
    """
    from detente.model.classifier import StanceClassifier

    texts, docs = list(dataset["text"]), list(dataset["doc"])
    runs = []
    for teacher in teachers:  # each teacher reads the context it was trained with
        model = StanceClassifier.from_pretrained(teacher)
        runs.append(model.predict_proba(texts, contexts=document_contexts(texts, docs, model.spec.context)))
    probs = np.mean(runs, axis=0)
    soft = np.power(np.clip(probs, 1e-12, 1.0), 1.0 / temperature)  # softmax(logits / T), from probabilities
    soft /= soft.sum(axis=1, keepdims=True)
    return dataset.add_column("soft", soft.tolist())
