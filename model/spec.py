"""What a detente model directory is: the ``detente.json`` that describes it.

A model directory holds ``detente.json`` (this spec), ``head.safetensors``, the
tokenizer files, and either ``lora.safetensors`` (LoRA factors over a named base)
or ``encoder/`` (a full fine-tuned Hugging Face encoder). Only safetensors are
ever read, so loading a model cannot run code from it.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from detente.errors import DetenteError
from detente.model.labels import LABELS

SPEC_FILE = "detente.json"
FORMAT_VERSION = 1


@dataclass
class LoraSpec:
    r: int
    alpha: float
    target_modules: list[str]

    @property
    def scaling(self) -> float:
        return self.alpha / self.r


@dataclass
class ModelSpec:
    name: str
    version: str
    base_model: str
    finetune: str  # "lora" or "full"
    max_length: int = 128
    #: Logits are divided by this before the softmax (temperature scaling, fitted
    #: on dev after training) so that probabilities and tone are calibrated.
    temperature: float = 1.0
    labels: list[str] = field(default_factory=lambda: list(LABELS))
    lora: LoraSpec | None = None
    #: What the model reads besides the statement (see detente.model.context).
    context: str = "none"
    #: Provenance: resolved training config, data fingerprint, dev/test metrics.
    training: dict[str, Any] = field(default_factory=dict)
    format_version: int = FORMAT_VERSION

    @property
    def tag(self) -> str:
        """How records name the model that scored them."""
        return f"{self.name}@{self.version}"

    def save(self, directory: Path) -> None:
        (directory / SPEC_FILE).write_text(json.dumps(asdict(self), indent=2, ensure_ascii=False) + "\n")

    @classmethod
    def load(cls, directory: Path) -> ModelSpec:
        path = directory / SPEC_FILE
        if not directory.is_dir():
            raise DetenteError(directory, "model directory not found")
        if not path.is_file():
            raise DetenteError(directory, f"not a detente model (no {SPEC_FILE})")
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            lora = raw.pop("lora", None)
            spec = cls(**raw, lora=LoraSpec(**lora) if lora else None)
        except (ValueError, TypeError) as err:
            raise DetenteError(path, f"unreadable model spec: {err}") from None
        if spec.format_version > FORMAT_VERSION:
            raise DetenteError(path, f"model format {spec.format_version} is newer than this detente")
        if tuple(spec.labels) != LABELS:
            raise DetenteError(path, f"labels {spec.labels} differ from {list(LABELS)}")
        if spec.finetune not in ("lora", "full") or (spec.finetune == "lora") != (spec.lora is not None):
            raise DetenteError(path, "finetune must be 'full', or 'lora' with a lora section")
        return spec
