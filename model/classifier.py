"""The public predictor: ``StanceClassifier.from_pretrained(...).predict_proba(texts)``.

Shaped like a Hugging Face / scikit-learn estimator so it reads as one: load by
name or path, ``predict``/``predict_proba`` on lists of strings, ``save_pretrained``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from detente.errors import DetenteError
from detente.model.batching import encode, length_sorted_batches
from detente.model.labels import LABELS
from detente.model.spec import ModelSpec

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for a hub at run time

#: Models shipped inside the package, loadable by name.
PRETRAINED_DIR = Path(__file__).resolve().parent / "pretrained"
DEFAULT_MODEL = "default"
#: "auto" is torch on a GPU and ONNX int8 on a CPU: on the project's test split
#: int8 labels agree with torch fp32 (see README, "Backends") at several times the speed.
BACKENDS = ("auto", "torch", "onnx")


def gpu_present() -> bool:
    """A cheap check that avoids importing torch just to decide not to use it."""
    return any(Path(p).exists() for p in ("/dev/nvidia0", "/dev/nvidiactl")) or bool(os.environ.get("DETENTE_GPU"))


def load_classifier(
    name_or_path: str | os.PathLike[str] = DEFAULT_MODEL,
    backend: str = "auto",
    device: str | None = None,
    precision: str = "auto",
    threads: int | None = None,
):
    """A classifier on the chosen backend: StanceClassifier (torch) or OnnxStanceClassifier."""
    if backend not in BACKENDS:
        raise DetenteError(None, f"unknown backend {backend!r} (choose from {', '.join(BACKENDS)})")
    if backend == "auto":
        backend = "torch" if (device not in (None, "cpu") or (device is None and gpu_present())) else "onnx"
    directory = resolve_model_dir(name_or_path)
    context = ModelSpec.load(directory).context
    if context != "none":
        # Scoring feeds statements one by one; a model that reads its neighbours
        # would silently see none. Refuse rather than label worse than promised.
        raise DetenteError(directory, f"model reads context ({context}), which scoring does not provide yet; "
                           "use it through StanceClassifier.predict_proba(texts, contexts=...)")  # fmt: skip
    if backend == "onnx":
        from detente.model.onnx import OnnxStanceClassifier

        return OnnxStanceClassifier.from_pretrained(directory, precision=precision, threads=threads)
    if threads:
        import torch

        torch.set_num_threads(threads)
    return StanceClassifier.from_pretrained(directory, device=device)


#: Older names of bundled models, still accepted: "mpnet" was the accurate model's name up to 0.2.
MODEL_ALIASES = {"mpnet": "accurate"}


def resolve_model_dir(name_or_path: str | os.PathLike[str]) -> Path:
    """A bundled model's name ("default", "accurate") or a path to a model directory."""
    name = MODEL_ALIASES.get(str(name_or_path), str(name_or_path))
    if name in bundled_model_names():
        return PRETRAINED_DIR / name
    return Path(name_or_path).expanduser()


def bundled_model_names() -> list[str]:
    if not PRETRAINED_DIR.is_dir():
        return []
    return sorted(p.name for p in PRETRAINED_DIR.iterdir() if (p / "detente.json").is_file())


def softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    return (exp / exp.sum(axis=1, keepdims=True)).astype(np.float32)


class StanceClassifier:
    """Labels statements conciliatory / critical / procedural with probabilities."""

    labels: tuple[str, ...] = LABELS

    def __init__(self, network, tokenizer, spec: ModelSpec, device: str | None = None, lora_factors=None):
        from detente.model.device import default_device

        if spec.finetune == "lora" and lora_factors is None:
            raise ValueError("a LoRA model needs its LoRA factors to be saved again")
        self.network = network
        self.lora_factors = lora_factors  # kept so that save_pretrained writes the small factors
        self.tokenizer = tokenizer
        self.spec = spec
        self.device = device or default_device()
        self.network.to(self.device).eval()

    @classmethod
    def from_pretrained(cls, name_or_path: str | os.PathLike[str] = DEFAULT_MODEL, device: str | None = None):
        from safetensors.torch import load_file
        from transformers import AutoTokenizer

        from detente.model.bases import resolve_base
        from detente.model.network import StanceNetwork, load_encoder, merge_lora

        directory = resolve_model_dir(name_or_path)
        spec = ModelSpec.load(directory)
        try:
            factors = None
            if spec.finetune == "full":
                encoder = load_encoder(directory / "encoder")
            else:
                encoder = load_encoder(resolve_base(spec.base_model))
                factors = load_file(directory / "lora.safetensors")
                merge_lora(encoder, factors, spec.lora.scaling)
            network = StanceNetwork(encoder, len(LABELS))
            network.head.load_state_dict(load_file(directory / "head.safetensors"))
            tokenizer = AutoTokenizer.from_pretrained(directory, local_files_only=True)
        except (OSError, KeyError, RuntimeError) as err:
            raise DetenteError(directory, f"broken detente model: {err}".splitlines()[0]) from None
        return cls(network, tokenizer, spec, device, lora_factors=factors)

    @property
    def name(self) -> str:
        """``name@version`` of the model, as written into every output record."""
        return self.spec.tag

    @property
    def backend(self) -> str:
        return f"torch-{self.device}"

    def logits(self, texts: Sequence[str], batch_size: int = 64, contexts: Sequence[str] | None = None) -> np.ndarray:
        """Raw class scores, shape (len(texts), 3), before temperature and softmax.

        Texts are sorted by length so each batch pads to its own longest text,
        then put back in input order. ``contexts`` (one per text, see
        detente.model.context) is read only by a model trained with a context;
        such a model given none reads each statement with an empty one.
        """
        if self.spec.context == "none":
            contexts = None
        elif contexts is None:
            contexts = [""] * len(texts)
        import torch

        out = np.zeros((len(texts), len(LABELS)), dtype=np.float32)
        self.network.eval()
        with torch.inference_mode():
            for idx in length_sorted_batches(texts, batch_size):
                pairs = None if contexts is None else [contexts[i] for i in idx]
                batch = encode(self.tokenizer, [texts[i] for i in idx], self.spec.max_length, self.device, pairs)
                out[idx] = self.network(batch["input_ids"], batch["attention_mask"]).float().cpu().numpy()
        return out

    def predict_proba(self, texts: Sequence[str], batch_size: int = 64, contexts: Sequence[str] | None = None):
        """Class probabilities, shape (len(texts), 3), columns in :attr:`labels` order."""
        return softmax(self.logits(texts, batch_size, contexts) / self.spec.temperature)

    def predict(self, texts: Sequence[str], batch_size: int = 64, contexts: Sequence[str] | None = None) -> list[str]:
        return [LABELS[i] for i in self.logits(texts, batch_size, contexts).argmax(axis=1)]

    def save_pretrained(self, directory: str | os.PathLike[str]) -> Path:
        """Write a self-contained model directory (see :mod:`detente.model.spec`)."""
        from safetensors.torch import save_file

        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        head = {k: v.detach().cpu().contiguous() for k, v in self.network.head.state_dict().items()}
        save_file(head, directory / "head.safetensors")
        if self.spec.finetune == "full":
            self.network.encoder.save_pretrained(directory / "encoder", safe_serialization=True)
        else:
            save_file({k: v.contiguous() for k, v in self.lora_factors.items()}, directory / "lora.safetensors")
        self.tokenizer.save_pretrained(directory)
        self.spec.save(directory)
        return directory
