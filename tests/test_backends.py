"""The ONNX backend and worker processes against the torch reference."""

from __future__ import annotations

import json

import numpy as np
import pytest

from detente.model.classifier import load_classifier
from detente.model.onnx import OnnxStanceClassifier

from .conftest import EXAMPLES, ROOT, run_cli


@pytest.fixture(scope="module")
def test_texts():
    lines = (ROOT / "data" / "splits" / "test.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["text"] for line in lines]


def test_onnx_fp32_matches_torch(classifier, test_texts):
    onnx = load_classifier("default", backend="onnx", precision="fp32")
    texts = test_texts[:64]
    np.testing.assert_allclose(onnx.predict_proba(texts), classifier.predict_proba(texts), atol=1e-4)


def test_onnx_int8_labels_agree_with_torch_on_the_test_split(classifier, test_texts):
    int8 = load_classifier("default", backend="onnx", precision="int8")
    agreement = np.mean(np.array(int8.predict(test_texts)) == np.array(classifier.predict(test_texts)))
    assert agreement >= 0.99


def test_the_export_is_cached_by_fingerprint(tmp_path, monkeypatch):
    import shutil

    from detente.model.classifier import resolve_model_dir

    monkeypatch.setenv("DETENTE_CACHE", str(tmp_path / "cache"))
    model = tmp_path / "model"
    shutil.copytree(resolve_model_dir("default"), model)
    first = OnnxStanceClassifier.from_pretrained(model)
    exports = list((tmp_path / "cache" / "onnx").iterdir())
    assert len(exports) == 1
    stamp = (exports[0] / "model-int8.onnx").stat().st_mtime_ns
    OnnxStanceClassifier.from_pretrained(model)
    assert (exports[0] / "model-int8.onnx").stat().st_mtime_ns == stamp  # reused, not re-exported
    spec = json.loads((model / "detente.json").read_text())
    spec["training"]["note"] = "metadata the graph does not contain"
    (model / "detente.json").write_text(json.dumps(spec))
    OnnxStanceClassifier.from_pretrained(model)
    assert len(list((tmp_path / "cache" / "onnx").iterdir())) == 1  # same network: same export
    head = model / "head.safetensors"
    head.write_bytes(head.read_bytes()[:-4] + b"\x00\x00\x80\x3f")  # one weight changed
    OnnxStanceClassifier.from_pretrained(model)
    assert len(list((tmp_path / "cache" / "onnx").iterdir())) == 2
    assert first.predict(["We welcome the offer."])


def test_workers_give_the_same_output_as_one_process(tmp_path):
    one = run_cli("score", EXAMPLES, "--chunk-size", "16", "-q")
    two = run_cli("score", EXAMPLES, "--chunk-size", "16", "-q", "--workers", "2")
    assert one.returncode == 0 and two.returncode == 0, two.stderr.decode()
    assert two.stdout == one.stdout and len(one.stdout.splitlines()) == 80


def test_auto_precision_uses_int8_only_for_models_that_passed_their_check():
    from detente.model.onnx import choose_precision
    from detente.model.spec import ModelSpec

    spec = ModelSpec(name="m", version="1", base_model="all-MiniLM-L6-v2", finetune="full")
    assert choose_precision(spec) == "fp32"
    spec.training["onnx_int8"] = {"agreement": 0.97, "macro_f1_delta": 0.01, "passed": False}
    assert choose_precision(spec) == "fp32"
    spec.training["onnx_int8"] = {"agreement": 0.995, "macro_f1_delta": 0.0, "passed": True}
    assert choose_precision(spec) == "int8"
