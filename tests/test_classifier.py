"""The bundled model and the model directory format, with the real base encoder."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from detente.errors import DetenteError
from detente.model.classifier import StanceClassifier
from detente.model.labels import LABELS

TEXTS = [
    "The sides agreed to meet again next week.",
    "Moscow called the Western reply disrespectful and warned of grave consequences for European security.",
    "We remain open to dialogue.",
]


def test_probabilities_are_distributions_in_label_order(classifier):
    probs = classifier.predict_proba(TEXTS)
    assert probs.shape == (3, len(LABELS))
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-5)
    assert classifier.predict(TEXTS) == [LABELS[i] for i in probs.argmax(axis=1)]


def test_length_sorted_batches_return_rows_in_input_order(classifier):
    batched = classifier.predict_proba(TEXTS, batch_size=2)
    single = np.vstack([classifier.predict_proba([t]) for t in TEXTS])
    np.testing.assert_allclose(batched, single, atol=1e-5)


def test_the_bundled_model_records_how_it_was_made(classifier):
    training = classifier.spec.training
    assert training["data_fingerprint"] and training["config"]["model"]["base"] == classifier.spec.base_model
    assert set(training["sizes"]) == {"train", "dev", "test"}


def test_save_and_load_round_trip_gives_the_same_probabilities(classifier, tmp_path):
    classifier.save_pretrained(tmp_path / "copy")
    again = StanceClassifier.from_pretrained(tmp_path / "copy", device="cpu")
    np.testing.assert_allclose(again.predict_proba(TEXTS), classifier.predict_proba(TEXTS), atol=1e-5)
    assert again.name == classifier.name


def test_pickled_weights_are_never_loaded(classifier, tmp_path):
    """A full model whose encoder has only a pickle checkpoint must be refused, not unpickled."""
    import torch

    from detente.model.classifier import resolve_model_dir

    model_dir = tmp_path / "pickled"
    shutil.copytree(resolve_model_dir("default"), model_dir)
    spec = json.loads((model_dir / "detente.json").read_text())
    spec.update(finetune="full", lora=None)
    (model_dir / "detente.json").write_text(json.dumps(spec))
    encoder_dir = model_dir / "encoder"
    encoder_dir.mkdir()
    from detente.model.bases import resolve_base

    shutil.copy(resolve_base(spec["base_model"]) / "config.json", encoder_dir / "config.json")
    torch.save({"marker": torch.zeros(1)}, encoder_dir / "pytorch_model.bin")
    with pytest.raises(DetenteError, match="broken detente model"):
        StanceClassifier.from_pretrained(model_dir)


def test_unknown_labels_in_a_model_spec_are_refused(tmp_path):
    from detente.model.classifier import resolve_model_dir

    model_dir = tmp_path / "m"
    shutil.copytree(resolve_model_dir("default"), model_dir)
    spec = json.loads((model_dir / "detente.json").read_text())
    spec["labels"] = ["positive", "negative", "neutral"]
    (model_dir / "detente.json").write_text(json.dumps(spec))
    with pytest.raises(DetenteError, match="labels"):
        StanceClassifier.from_pretrained(model_dir)
