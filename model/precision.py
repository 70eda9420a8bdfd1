"""Whether int8 may stand in for fp32 on *this* machine, decided by measuring it here.

Dynamic int8 under onnxruntime does not compute the same thing on every CPU:
with AVX-512 VNNI the u8×s8 products are summed in 32 bits, while AVX2 without
VNNI sums pairs in 16 bits and can saturate. An int8 export that agrees with
fp32 on the trainer's machine can therefore be badly wrong on a user's. So the
verdict is not taken from training: the first time an export is used on a
machine, the model's own check set (``check.jsonl`` in the model directory: a
few hundred labelled statements) is scored in fp32 and int8 here, and the
verdict is cached beside the export, keyed by the CPU features that select
onnxruntime's int8 kernels and by onnxruntime's version.
"""

from __future__ import annotations

import hashlib
import json
import platform
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from detente.model.labels import LABELS

#: int8 may replace fp32 only if its labels agree with fp32 this often on the check set...
INT8_MIN_AGREEMENT = 0.99
#: ...and macro-F1 against the check set's gold labels moves by no more than this.
INT8_MAX_F1_DELTA = 0.005
#: The labelled statements a model directory carries for this check.
CHECK_FILE = "check.jsonl"
#: CPU flags that decide which int8 kernels onnxruntime runs (x86 and Arm).
KERNEL_FLAGS = ("avx2", "avx512f", "avx512bw", "avx512_vnni", "avx_vnni", "amx_int8", "asimddp", "i8mm")


def cpu_flags() -> list[str]:
    """The kernel-selecting CPU flags this machine has (from /proc/cpuinfo; empty where unreadable)."""
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    present: set[str] = set()
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key.strip() in ("flags", "Features"):
            present.update(value.split())
    return [f for f in KERNEL_FLAGS if f in present]


def machine_key() -> str:
    """Names the int8 behaviour of this machine: architecture, kernel flags, onnxruntime version."""
    import onnxruntime

    parts = [platform.machine() or "unknown", *cpu_flags(), f"ort{onnxruntime.__version__}"]
    return "-".join(parts)


def macro_f1(gold: list[str], predicted: list[str]) -> float:
    """Macro-F1 over the three labels (kept here so scoring needs no scikit-learn)."""
    scores = []
    for label in LABELS:
        tp = sum(g == label and p == label for g, p in zip(gold, predicted, strict=True))
        fp = sum(g != label and p == label for g, p in zip(gold, predicted, strict=True))
        fn = sum(g == label and p != label for g, p in zip(gold, predicted, strict=True))
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return float(np.mean(scores))


@dataclass
class Int8Verdict:
    """The measured agreement of int8 with fp32 on one machine, and whether int8 may be used."""

    passed: bool
    reason: str
    machine: str
    n: int = 0
    agreement: float | None = None
    macro_f1_fp32: float | None = None
    macro_f1_int8: float | None = None

    @property
    def summary(self) -> str:
        if self.agreement is None:
            return self.reason
        delta = (self.macro_f1_int8 or 0.0) - (self.macro_f1_fp32 or 0.0)
        return f"int8 agrees with fp32 on {self.agreement:.1%} of {self.n} check statements here, macro-F1 {delta:+.3f}"


def read_check_set(directory: Path) -> tuple[list[str], list[str]] | None:
    """(texts, gold labels) of the model's check set, or None if it has none."""
    path = directory / CHECK_FILE
    if not path.is_file():
        return None
    texts, gold = [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            record = json.loads(line)
            texts.append(record["text"])
            gold.append(record["label"])
    return (texts, gold) if texts else None


def write_check_set(directory: Path, records: list[dict], limit: int = 400, seed: int = 13) -> None:
    """Store up to ``limit`` labelled statements (a seeded sample) as the model's check set."""
    rng = np.random.default_rng(seed)
    chosen = sorted(rng.permutation(len(records))[:limit].tolist()) if len(records) > limit else range(len(records))
    # Provenance fields travel with the text, so the check set can be audited like any data file.
    keep = ("id", "text", "label", "topic", "date", "source")
    with (directory / CHECK_FILE).open("w", encoding="utf-8") as handle:
        for i in chosen:
            record = {k: records[i][k] for k in keep if records[i].get(k) not in (None, "")}
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")


def measure(fp32_predict, int8_predict, texts: list[str], gold: list[str]) -> Int8Verdict:
    """Score the check set both ways and judge int8 against the two bounds."""
    reference = fp32_predict(texts)
    quantised = int8_predict(texts)
    agreement = float(np.mean([a == b for a, b in zip(reference, quantised, strict=True)]))
    f1_fp32, f1_int8 = macro_f1(gold, reference), macro_f1(gold, quantised)
    passed = agreement >= INT8_MIN_AGREEMENT and abs(f1_int8 - f1_fp32) <= INT8_MAX_F1_DELTA
    verdict = Int8Verdict(
        passed=passed,
        reason="",
        machine=machine_key(),
        n=len(texts),
        agreement=round(agreement, 4),
        macro_f1_fp32=round(f1_fp32, 4),
        macro_f1_int8=round(f1_int8, 4),
    )
    bounds = f"needs >= {INT8_MIN_AGREEMENT:.0%} and |macro-F1 change| <= {INT8_MAX_F1_DELTA}"
    verdict.reason = f"{verdict.summary} ({'passed' if passed else 'failed'}; {bounds})"
    return verdict


def verdict_path(export_dir: Path) -> Path:
    key = hashlib.sha256(machine_key().encode()).hexdigest()[:12]
    return export_dir / f"int8-check-{key}.json"


def cached_verdict(export_dir: Path) -> Int8Verdict | None:
    path = verdict_path(export_dir)
    if not path.is_file():
        return None
    try:
        return Int8Verdict(**json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, TypeError):
        return None  # a damaged record is measured again


def save_verdict(export_dir: Path, verdict: Int8Verdict) -> None:
    path = verdict_path(export_dir)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(asdict(verdict), indent=2) + "\n", encoding="utf-8")
    tmp.replace(path)


def warn(message: str) -> None:
    print(f"detente: {message}", file=sys.stderr)
