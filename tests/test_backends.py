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


def test_int8_is_verified_on_this_machine_and_auto_follows_the_verdict():
    """Whatever this CPU's int8 kernels do, auto never uses int8 that failed its check here."""
    from detente.model.classifier import resolve_model_dir
    from detente.model.onnx import cached_export
    from detente.model.precision import INT8_MAX_F1_DELTA, INT8_MIN_AGREEMENT, read_check_set, verdict_path
    from detente.model.spec import ModelSpec

    auto = load_classifier("default", backend="onnx", precision="auto")
    verdict = auto.int8_verdict
    directory = resolve_model_dir("default")
    texts, _ = read_check_set(directory)
    assert verdict.n == len(texts) >= 200
    within = abs(verdict.macro_f1_int8 - verdict.macro_f1_fp32) <= INT8_MAX_F1_DELTA
    assert verdict.passed == (verdict.agreement >= INT8_MIN_AGREEMENT and within)
    assert auto.precision == ("int8" if verdict.passed else "fp32")
    fp32 = load_classifier("default", backend="onnx", precision="fp32")
    int8 = load_classifier("default", backend="onnx", precision="int8")
    measured = np.mean(np.array(int8.predict(texts)) == np.array(fp32.predict(texts)))
    assert measured == pytest.approx(verdict.agreement, abs=1e-4)  # the recorded verdict is this machine's
    assert verdict_path(cached_export(directory, ModelSpec.load(directory))).is_file()


def test_a_broken_int8_export_falls_back_to_fp32_with_one_line(tmp_path, monkeypatch, capsys):
    import shutil

    import onnx
    from onnx import TensorProto, helper

    from detente.model.classifier import resolve_model_dir
    from detente.model.onnx import cached_export
    from detente.model.spec import ModelSpec

    directory = resolve_model_dir("default")
    source = cached_export(directory, ModelSpec.load(directory))
    monkeypatch.setenv("DETENTE_CACHE", str(tmp_path))
    folder = tmp_path / "onnx" / source.name
    shutil.copytree(source, folder, ignore=shutil.ignore_patterns("int8-check-*"))
    # An "int8" model that says "conciliatory" to everything: as wrong as saturated kernels can be.
    ids = helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "sequence"])
    mask = helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "sequence"])
    logits = helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", 3])
    nodes = [
        helper.make_node("Cast", ["attention_mask"], ["m"], to=TensorProto.FLOAT),
        helper.make_node("ReduceMax", ["m"], ["col"], axes=[1], keepdims=1),
        helper.make_node("Mul", ["col", "row"], ["logits"]),
    ]
    row = helper.make_tensor("row", TensorProto.FLOAT, [1, 3], [5.0, 0.0, 0.0])
    graph = helper.make_graph(nodes, "broken", [ids, mask], [logits], initializer=[row])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), folder / "model-int8.onnx")

    auto = OnnxStanceClassifier.from_pretrained(directory, precision="auto")
    assert auto.precision == "fp32" and not auto.int8_verdict.passed
    err = capsys.readouterr().err
    assert "scoring detente" in err and "in fp32, not int8" in err and "failed" in err
    forced = OnnxStanceClassifier.from_pretrained(directory, precision="int8")
    assert forced.precision == "int8" and forced.predict(["We reject it."]) == ["conciliatory"]
    assert "--precision int8 forced" in capsys.readouterr().err


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
