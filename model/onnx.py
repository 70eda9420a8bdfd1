"""The fast CPU backend: the same network exported to ONNX, optionally int8, under onnxruntime.

The export is made once per model and cached under a key derived from the
model's files (and its base's), so a second run starts from the cached file and
does not import torch or transformers at all: only ``tokenizers`` and
onnxruntime, which is what makes a short ``detente score`` return quickly.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from detente.errors import DetenteError
from detente.model.batching import length_sorted_batches
from detente.model.classifier import softmax
from detente.model.labels import LABELS
from detente.model.precision import (
    Int8Verdict,
    cached_verdict,
    machine_key,
    measure,
    read_check_set,
    save_verdict,
    warn,
)
from detente.model.spec import SPEC_FILE, ModelSpec

PRECISIONS = ("auto", "int8", "fp32")
OPSET = 17

#: Bump when the export or quantisation recipe changes, so old cached exports are not reused.
QUANTISATION_VERSION = 3


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def model_fingerprint(directory: Path, spec: ModelSpec) -> str:
    """Identifies the network an export was made from: weights, tokenizer, base and shape.

    Metadata that the graph does not contain (metrics, the int8 check, the
    temperature, applied after the graph) is left out, so recording it does not
    invalidate an export.
    """
    from detente.model.bases import resolve_base

    digest = hashlib.sha256()
    graph = {"base": spec.base_model, "finetune": spec.finetune, "lora": spec.lora and vars(spec.lora),
             "max_length": spec.max_length}  # fmt: skip
    digest.update(json.dumps(graph, sort_keys=True).encode())
    for path in sorted(p for p in directory.rglob("*") if p.is_file() and p.name not in ("README.md", SPEC_FILE)):
        digest.update(path.relative_to(directory).as_posix().encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    if spec.finetune == "lora":
        base = resolve_base(spec.base_model)
        for path in sorted(base.glob("*.safetensors")) + [base / "config.json"]:
            stat = path.stat()
            digest.update(json.dumps([path.name, stat.st_size, stat.st_mtime_ns]).encode())
    return digest.hexdigest()[:32]


def export_onnx(directory: Path, target_dir: Path) -> None:
    """Write model-fp32.onnx and model-int8.onnx for the model in ``directory``."""
    import logging
    import warnings

    with warnings.catch_warnings():
        # The tracer's warnings concern shapes that the tests check end to end
        # (fp32 export equals torch across lengths and batch sizes); quantisation
        # logs advice on the root logger. Neither helps a user.
        warnings.simplefilter("ignore")
        root = logging.getLogger()
        level = root.level
        root.setLevel(logging.ERROR)
        try:
            _export(directory, target_dir)
        finally:
            root.setLevel(level)


def _export(directory: Path, target_dir: Path) -> None:
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    from detente.model.classifier import StanceClassifier

    classifier = StanceClassifier.from_pretrained(directory, device="cpu")
    network = classifier.network.eval()
    sample = classifier.tokenizer(["a sample statement", "another one"], padding=True, return_tensors="pt")
    fp32 = target_dir / "model-fp32.onnx"
    with torch.inference_mode():
        torch.onnx.export(
            network,
            (sample["input_ids"], sample["attention_mask"]),
            str(fp32),
            input_names=["input_ids", "attention_mask"],
            output_names=["logits"],
            dynamic_axes={
                "input_ids": {0: "batch", 1: "sequence"},
                "attention_mask": {0: "batch", 1: "sequence"},
                "logits": {0: "batch"},
            },  # fmt: skip
            opset_version=OPSET,
            dynamo=False,
        )
    import onnx

    quantize_dynamic(
        str(fp32),
        str(target_dir / "model-int8.onnx"),
        weight_type=QuantType.QInt8,
        per_channel=True,
        reduce_range=REDUCE_RANGE,
        op_types_to_quantize=["MatMul"],
        nodes_to_exclude=fp32_matmuls(onnx.load(str(fp32))),
    )


#: 7-bit weights: on AVX2 without VNNI, onnxruntime multiplies u8 activations by s8
#: weights with an instruction that sums pairs into 16 bits (255·127·2 overflows it);
#: with weights in [-64, 63] the pair sum fits (255·64·2 < 32767), so int8 computes
#: the same thing on every x86 CPU. See README, "Backends and speed", for what it costs.
REDUCE_RANGE = True


def fp32_matmuls(graph_model) -> list[str]:
    """MatMuls kept in fp32: the feed-forward down-projections, whose inputs (after GELU)
    have the widest range; quantising them roughly doubled int8's label disagreements."""
    names = [node.name for node in graph_model.graph.node if node.op_type == "MatMul"]
    return [n for n in names if "/output/dense" in n and "attention" not in n]


def cached_export(directory: Path, spec: ModelSpec) -> Path:
    """The folder holding this model's ONNX files, exporting them first if needed."""
    from detente.model.bases import cache_dir

    folder = cache_dir() / "onnx" / f"{spec.name}-{model_fingerprint(directory, spec)}-q{QUANTISATION_VERSION}"
    if (folder / "model-int8.onnx").is_file():
        return folder
    folder.parent.mkdir(parents=True, exist_ok=True)
    print(f"detente: exporting {spec.tag} to ONNX once; cached in {folder}", file=sys.stderr)
    tmp = Path(tempfile.mkdtemp(dir=folder.parent, prefix=".export-"))
    try:
        export_onnx(directory, tmp)
        try:
            tmp.rename(folder)
        except OSError:  # another process finished the same export first
            if not (folder / "model-int8.onnx").is_file():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return folder


class OnnxStanceClassifier:
    """Same interface and labels as StanceClassifier, run by onnxruntime on the CPU."""

    labels: tuple[str, ...] = LABELS

    def __init__(self, session, tokenizer, spec: ModelSpec, precision: str, verdict: Int8Verdict | None = None):
        self.session = session
        self.tokenizer = tokenizer
        self.spec = spec
        self.precision = precision
        #: Why int8 was (not) chosen on this machine; None when fp32 was asked for.
        self.int8_verdict = verdict

    @classmethod
    def from_pretrained(cls, directory: Path, precision: str = "auto", threads: int | None = None):
        """Load the cached export; with ``auto``, int8 only where it passed its check on this machine."""
        if precision not in PRECISIONS:
            raise DetenteError(None, f"unknown ONNX precision {precision!r} (choose from {', '.join(PRECISIONS)})")
        spec = ModelSpec.load(directory)
        folder = cached_export(directory, spec)
        tokenizer = _tokenizer(directory, spec)

        def load(kind: str, verdict: Int8Verdict | None = None) -> OnnxStanceClassifier:
            return cls(_session(folder / f"model-{kind}.onnx", threads), tokenizer, spec, kind, verdict)

        if precision == "fp32":
            return load("fp32")
        verdict = int8_verdict(directory, folder, load)
        if precision == "int8":
            if not verdict.passed:
                warn(f"--precision int8 forced for {spec.tag}, but {verdict.reason}")
            return load("int8", verdict)
        if verdict.passed:
            return load("int8", verdict)
        warn(f"scoring {spec.tag} in fp32, not int8: {verdict.reason}")
        return load("fp32", verdict)

    @property
    def name(self) -> str:
        return self.spec.tag

    @property
    def backend(self) -> str:
        return f"onnx-{self.precision}"

    def predict_proba(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        """Class probabilities in :attr:`labels` order; batches sorted by length as in torch."""
        probs = np.zeros((len(texts), len(LABELS)), dtype=np.float32)
        for idx in length_sorted_batches(texts, batch_size):
            encodings = self.tokenizer.encode_batch([texts[i] for i in idx])
            ids = np.array([e.ids for e in encodings], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
            (logits,) = self.session.run(["logits"], {"input_ids": ids, "attention_mask": mask})
            probs[idx] = softmax(logits / self.spec.temperature)
        return probs

    def predict(self, texts: Sequence[str], batch_size: int = 64) -> list[str]:
        return [LABELS[i] for i in self.predict_proba(texts, batch_size).argmax(axis=1)]


def _session(path: Path, threads: int | None):
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads or available_cores()
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def _tokenizer(directory: Path, spec: ModelSpec):
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(directory / "tokenizer.json"))
    tokenizer.enable_truncation(max_length=spec.max_length)
    pad_id = tokenizer.token_to_id("[PAD]")
    if pad_id is None:
        pad_id = tokenizer.token_to_id("<pad>") or 0
    tokenizer.enable_padding(pad_id=pad_id, pad_token=tokenizer.id_to_token(pad_id))
    return tokenizer


def int8_verdict(directory: Path, folder: Path, load) -> Int8Verdict:
    """The cached verdict for this machine, or a new one measured on the model's check set."""
    verdict = cached_verdict(folder)
    if verdict is not None:
        return verdict
    check = read_check_set(directory)
    if check is None:
        return Int8Verdict(False, "the model has no check set (check.jsonl) to verify int8 with", machine_key())
    texts, gold = check
    warn(f"checking int8 against fp32 on this machine ({len(texts)} statements; once per machine and model)")
    verdict = measure(load("fp32").predict, load("int8").predict, texts, gold)
    save_verdict(folder, verdict)
    return verdict
