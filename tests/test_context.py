"""The context a model may read besides its statement: built the same way everywhere."""

from __future__ import annotations

import json

import pytest

from detente.model.context import LEDE_SEPARATOR, document_contexts
from detente.training.config import load_config
from detente.training.trainer import train

from .conftest import ROOT

TEXTS = ["Talks opened in Geneva.", "Both sides praised the tone.", "Moscow said it was not enough.", "A new day."]
DOCS = ["a", "a", "a", "b"]


def test_previous_context_never_crosses_a_document():
    assert document_contexts(TEXTS, DOCS, "none") is None
    assert document_contexts(TEXTS, DOCS, "previous") == ["", TEXTS[0], TEXTS[1], ""]


def test_previous_and_first_adds_the_lede_once():
    assert document_contexts(TEXTS, DOCS, "previous+first") == [
        "", TEXTS[0], TEXTS[0] + LEDE_SEPARATOR + TEXTS[1], ""
    ]  # fmt: skip


def test_an_unknown_context_mode_is_refused():
    with pytest.raises(ValueError, match="model.context must be one of"):
        document_contexts(TEXTS, DOCS, "next")


def test_a_model_trained_with_context_reads_it(tmp_path):
    """The previous sentence must change what a context model says; an empty one is the statement alone."""
    data = tmp_path / "data"
    data.mkdir()
    for name, n in (("train", 48), ("dev", 24)):
        lines = (ROOT / "data" / "splits" / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()[:n]
        (data / f"{name}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    config = load_config(None, [f"data.train_files=[{data / 'train.jsonl'}]", f"data.dev_files=[{data / 'dev.jsonl'}]",
                                "train.epochs=1", "train.batch_size=8", "model.max_length=64", "model.context=previous",
                                "train.check_int8=false"])  # fmt: skip
    model = train(config, tmp_path / "model", log=lambda line: None)
    assert json.loads((tmp_path / "model" / "detente.json").read_text())["context"] == "previous"
    texts = ["It is not enough.", "It is not enough."]
    with_context = model.logits(texts, contexts=["Talks made real progress today.", "The proposal was rejected."])
    assert abs(with_context[0] - with_context[1]).max() > 1e-4
    assert model.logits(texts[:1]) == pytest.approx(model.logits(texts[:1], contexts=[""]), abs=1e-6)


def test_scoring_refuses_a_model_that_reads_context(tmp_path):
    """Scoring gives statements no neighbours yet: a context model must be refused, not run blind."""
    import shutil

    from detente.errors import DetenteError
    from detente.model.classifier import PRETRAINED_DIR, load_classifier

    model = tmp_path / "ctx-model"
    shutil.copytree(PRETRAINED_DIR / "default", model)
    spec = json.loads((model / "detente.json").read_text())
    (model / "detente.json").write_text(json.dumps({**spec, "context": "previous"}))
    with pytest.raises(DetenteError, match="reads context"):
        load_classifier(model, backend="torch")
