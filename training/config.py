"""Training configuration: typed dataclasses loaded from YAML, strictly.

A typo in a config should fail before a ten-minute run, not silently train the
default: unknown keys and wrongly typed values are errors naming the key, and
``--set section.key=value`` overrides go through the same checks.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from detente.errors import DetenteError


@dataclass
class ModelConfig:
    #: A packaged base name (see detente.model.bases) or a local HF model directory.
    base: str = "all-MiniLM-L6-v2"
    finetune: str = "lora"  # "lora" or "full"
    max_length: int = 128
    lora_r: int = 16
    lora_alpha: float = 32.0
    lora_dropout: float = 0.1
    lora_target_modules: list[str] = field(default_factory=lambda: ["query", "key", "value", "dense"])
    dropout: float = 0.1
    name: str = "detente-stance"
    version: str = "0.1.0"
    #: Start from a trained detente model (a bundled name or a directory) instead of the
    #: bare base: its encoder, LoRA factors and head are loaded, then trained further on
    #: this config's data, e.g. to adapt the bundled default to a new negotiation with a
    #: few hundred labels. Its base, fine-tuning kind, LoRA shape and max_length replace
    #: those of this section, which the saved model's provenance then records.
    init_from: str | None = None
    #: What the model reads besides the statement (detente.model.context): "none",
    #: "previous" (the sentence before it) or "previous+first" (the lede as well).
    #: Needs a longer max_length (e.g. 192) to hold both.
    context: str = "none"


@dataclass
class DataConfig:
    #: Labelled files (JSONL or CSV). Nothing is assumed about where they are: the
    #: configs in configs/ name this repository's splits, ``detente train --train``
    #: names a user's. Without dev files, dev is cut from train by document; test is optional.
    train_files: list[str] = field(default_factory=list)
    dev_files: list[str] = field(default_factory=list)
    test_files: list[str] = field(default_factory=list)
    #: Used only when dev_files is empty: the share of documents held out for dev.
    dev_fraction: float = 0.15
    split_seed: int = 13
    #: Loss weight of training statements by their ``origin`` (e.g. ``{written: 0.3}``);
    #: 0 leaves them out. Origins not named weigh 1.
    origin_weights: dict[str, float] = field(default_factory=dict)
    #: Statements without labels (JSONL with "text"), used only with train.teacher:
    #: the student learns the teacher's soft labels on them too.
    unlabelled_files: list[str] = field(default_factory=list)


@dataclass
class TrainConfig:
    epochs: int = 8
    batch_size: int = 16
    learning_rate: float = 2e-4
    head_learning_rate: float = 2e-3
    weight_decay: float = 0.01
    warmup_ratio: float = 0.1
    class_weighted_loss: bool = True
    #: Softens the gold targets: keeps logits from growing without bound on a small
    #: set, which also keeps the int8 ONNX export's labels close to torch's.
    label_smoothing: float = 0.0
    early_stopping_patience: int = 3
    #: Batch statements of similar length together (faster epochs on a CPU).
    group_by_length: bool = True
    seed: int = 13
    eval_batch_size: int = 64
    #: After training, measure int8 ONNX agreement with torch on the test split.
    check_int8: bool = True
    #: Distillation: a trained detente model whose soft labels the student also fits.
    #: A list of models is an ensemble: their probabilities are averaged.
    teacher: list[str] | None = None
    #: Weight of the gold-label loss; the rest goes to matching the teacher.
    distill_alpha: float = 0.5
    distill_temperature: float = 2.0


@dataclass
class Config:
    model: ModelConfig = field(default_factory=ModelConfig)
    data: DataConfig = field(default_factory=DataConfig)
    train: TrainConfig = field(default_factory=TrainConfig)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def _coerce(value: Any, annotation: Any, key: str) -> Any:
    """Check (and for ints given to float fields, widen) a value against a field type."""
    hint = annotation
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        for option in typing.get_args(hint):
            try:
                return _coerce(value, option, key)
            except DetenteError:
                continue
        raise DetenteError(key, f"expected {hint}, got {value!r}")
    if origin is dict:
        if not isinstance(value, dict):
            raise DetenteError(key, f"expected a mapping, got {value!r}")
        key_type, value_type = typing.get_args(hint)
        return {_coerce(k, key_type, key): _coerce(v, value_type, f"{key}.{k}") for k, v in value.items()}
    if origin is list:
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            value = [value]  # "train_files: mine.csv" means a list of one
        if not isinstance(value, list):
            raise DetenteError(key, f"expected a list, got {value!r}")
        (item,) = typing.get_args(hint)
        return [_coerce(v, item, key) for v in value]
    if hint is type(None):
        if value is None:
            return None
        raise DetenteError(key, f"expected null, got {value!r}")
    if hint is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if hint in (int, float) and isinstance(value, bool) or not isinstance(value, hint):
        raise DetenteError(key, f"expected {hint.__name__}, got {value!r}")
    return value


def _build(cls: type, raw: Any, prefix: str) -> Any:
    if not isinstance(raw, dict):
        raise DetenteError(prefix or "config", "expected a mapping")
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(raw) - set(fields))
    if unknown:
        raise DetenteError(f"{prefix}{unknown[0]}", f"unknown key (known: {', '.join(fields)})")
    values = {}
    for name, value in raw.items():
        hint = typing.get_type_hints(cls)[name]
        if dataclasses.is_dataclass(hint):
            values[name] = _build(hint, value, f"{prefix}{name}.")
        else:
            values[name] = _coerce(value, hint, f"{prefix}{name}")
    return cls(**values)


def parse_override(text: str) -> tuple[list[str], Any]:
    """``train.epochs=3`` -> (["train", "epochs"], 3); the value is read as YAML."""
    import yaml

    if "=" not in text:
        raise DetenteError(text, "override must look like section.key=value")
    key, value = text.split("=", 1)
    return key.strip().split("."), yaml.safe_load(value)


def load_config(path: str | Path | None = None, overrides: list[str] | None = None) -> Config:
    """The config at ``path`` (defaults when None) with ``--set`` overrides applied."""
    import yaml

    raw: dict[str, Any] = {}
    if path is not None:
        path = Path(path)
        if not path.is_file():
            raise DetenteError(path, "config file not found")
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as err:
            raise DetenteError(path, f"not valid YAML: {str(err).splitlines()[0]}") from None
    for override in overrides or []:
        keys, value = parse_override(override)
        node = raw
        for key in keys[:-1]:
            node = node.setdefault(key, {})
            if not isinstance(node, dict):
                raise DetenteError(override, f"{key} is not a section")
        node[keys[-1]] = value
    return _build(Config, raw, "")
