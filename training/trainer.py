"""Fine-tuning: full or LoRA, class-weighted loss, early stopping on dev macro-F1.

A plain torch loop rather than transformers.Trainer: the network has its own
pooling head, runs are small, and the loop is short enough to read whole. Each
epoch ends with a checkpoint, so an interrupted run resumes where it stopped,
and seeds plus deterministic kernels make two runs of one config agree.
"""

from __future__ import annotations

import json
import random
import shutil
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch
from safetensors.torch import load_file
from torch import nn

from detente.errors import DetenteError
from detente.labelled import fingerprint
from detente.model.bases import resolve_base
from detente.model.batching import encode
from detente.model.classifier import StanceClassifier, resolve_model_dir
from detente.model.context import check_mode
from detente.model.device import default_device
from detente.model.labels import LABEL2ID, LABELS
from detente.model.network import StanceNetwork, load_encoder
from detente.model.precision import write_check_set
from detente.model.spec import SPEC_FILE, LoraSpec, ModelSpec
from detente.training.config import Config
from detente.training.data import concatenate, load_splits, load_unlabelled, with_contexts, with_soft_labels

CHECKPOINT_DIR = "checkpoint"


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True, warn_only=True)


def macro_f1(gold: list[str], predicted: list[str]) -> float:
    from sklearn.metrics import f1_score

    return float(f1_score(gold, predicted, labels=list(LABELS), average="macro", zero_division=0))


def class_weights(labels: list[str]) -> torch.Tensor:
    """Inverse-frequency weights (n / (k * count)), as scikit-learn's 'balanced'."""
    counts = Counter(labels)
    n = len(labels)
    return torch.tensor([n / (len(LABELS) * max(counts[label], 1)) for label in LABELS])


def batch_order(
    lengths: list[int], batch_size: int, shuffle: bool, generator=None, grouped: bool = True
) -> list[list[int]]:
    """Batches of record indices, shuffled or in order; optionally grouped by text length.

    Grouped, shuffled indices are cut into windows of 16 batches, each window sorted by
    text length and cut into batches, and the batches shuffled again: batches
    stay random in content and order but pad far less (as transformers'
    group_by_length), which makes an epoch markedly faster on a CPU.
    """
    order = torch.randperm(len(lengths), generator=generator).tolist() if shuffle else list(range(len(lengths)))
    if not (shuffle and grouped):
        return [order[lo : lo + batch_size] for lo in range(0, len(order), batch_size)]
    window = 16 * batch_size
    batches = []
    for lo in range(0, len(order), window):
        part = sorted(order[lo : lo + window], key=lengths.__getitem__)
        batches += [part[b : b + batch_size] for b in range(0, len(part), batch_size)]
    return [batches[i] for i in torch.randperm(len(batches), generator=generator).tolist()]


def make_loss(tcfg, weights: torch.Tensor | None):
    """Class-weighted cross-entropy; with a teacher, mixed with the KL to its soft labels.

    Unlabelled statements (label -100) contribute only the teacher term. The KL
    is scaled by T² so its gradients stay comparable across temperatures (Hinton et al.).
    """
    gold_loss = nn.CrossEntropyLoss(weight=weights, ignore_index=-100, label_smoothing=tcfg.label_smoothing)
    per_item = nn.CrossEntropyLoss(weight=weights, ignore_index=-100, label_smoothing=tcfg.label_smoothing,
                                   reduction="none")  # fmt: skip

    def weighted(logits: torch.Tensor, labels: torch.Tensor, item_weights: torch.Tensor) -> torch.Tensor:
        """The class-weighted mean, with each statement's origin weight as well."""
        known = labels >= 0
        class_w = weights[labels.clamp(min=0)] if weights is not None else torch.ones_like(item_weights)
        w = item_weights * class_w * known
        return (per_item(logits, labels) * item_weights).sum() / w.sum().clamp(min=1e-12)

    def loss(logits: torch.Tensor, target) -> torch.Tensor:
        if isinstance(target, dict):  # statements with origin weights
            return weighted(logits, target["labels"], target["weights"])
        if not isinstance(target, tuple):
            return gold_loss(logits, target)
        labels, soft = target
        t = tcfg.distill_temperature
        kl = nn.functional.kl_div(nn.functional.log_softmax(logits / t, -1), soft, reduction="batchmean")
        gold = gold_loss(logits, labels) if (labels >= 0).any() else logits.sum() * 0
        return tcfg.distill_alpha * gold + (1 - tcfg.distill_alpha) * t * t * kl

    return loss


def _lora_factors(peft_encoder: nn.Module) -> dict[str, torch.Tensor]:
    from peft.tuners.lora import LoraLayer

    factors = {}
    for name, module in peft_encoder.named_modules():
        if isinstance(module, LoraLayer) and "default" in module.lora_A:
            key = name.removeprefix("base_model.model.")
            factors[f"{key}.lora_A"] = module.lora_A["default"].weight.detach().cpu().clone()
            factors[f"{key}.lora_B"] = module.lora_B["default"].weight.detach().cpu().clone()
    return factors


def adopt_init_model(cfg, log: Callable[[str], None]) -> Path:
    """The directory of ``model.init_from``, with its architecture copied into ``cfg``.

    The model started from fixes what the weights mean (base, LoRA shape, input
    length), so the config follows it rather than the other way round.
    """
    directory = resolve_model_dir(cfg.init_from)
    spec = ModelSpec.load(directory)
    cfg.base, cfg.finetune, cfg.max_length = spec.base_model, spec.finetune, spec.max_length
    cfg.context = spec.context
    if spec.lora:
        cfg.lora_r, cfg.lora_alpha = spec.lora.r, spec.lora.alpha
        cfg.lora_target_modules = list(spec.lora.target_modules)
    log(f"starting from {spec.tag} ({directory})")
    return directory


def _load_lora_factors(peft_encoder: nn.Module, factors: dict[str, torch.Tensor], source: Path) -> None:
    """Put saved LoRA factors (as :func:`_lora_factors` writes them) back into a peft model."""
    from peft.tuners.lora import LoraLayer

    loaded = 0
    with torch.no_grad():
        for name, module in peft_encoder.named_modules():
            key = name.removeprefix("base_model.model.")
            if isinstance(module, LoraLayer) and f"{key}.lora_A" in factors:
                module.lora_A["default"].weight.copy_(factors[f"{key}.lora_A"])
                module.lora_B["default"].weight.copy_(factors[f"{key}.lora_B"])
                loaded += 2
    if loaded != len(factors):
        raise DetenteError(source, f"{len(factors) - loaded} of its LoRA factors fit no layer of {source.name}'s base")


class Trainer:
    def __init__(self, config: Config, output_dir: str | Path, log: Callable[[str], None] = print):
        self.config = config
        self.output_dir = Path(output_dir)
        self.log = log
        self.device = default_device()

    def _build(self, start: Path | None):
        from transformers import AutoTokenizer

        cfg = self.config.model
        base_dir = resolve_base(cfg.base)
        tokenizer = AutoTokenizer.from_pretrained(base_dir, local_files_only=True)
        encoder = load_encoder(start / "encoder" if start and cfg.finetune == "full" else base_dir)
        if cfg.finetune == "lora":
            from peft import LoraConfig, get_peft_model

            lora = LoraConfig(
                r=cfg.lora_r,
                lora_alpha=cfg.lora_alpha,
                lora_dropout=cfg.lora_dropout,
                target_modules=cfg.lora_target_modules,
            )
            encoder = get_peft_model(encoder, lora)
            if start:
                _load_lora_factors(encoder, load_file(start / "lora.safetensors"), start)
        elif cfg.finetune != "full":
            raise ValueError(f"model.finetune must be 'lora' or 'full', got {cfg.finetune!r}")
        network = StanceNetwork(encoder, len(LABELS), cfg.dropout)
        if start:
            network.head.load_state_dict(load_file(start / "head.safetensors"))
        return tokenizer, network

    def _batches(self, tokenizer, dataset, batch_size: int, shuffle: bool, generator=None, grouped: bool = False):
        lengths = [len(text) for text in dataset["text"]]
        for idx in batch_order(lengths, batch_size, shuffle, generator, grouped):
            chunk = dataset[idx]
            contexts = chunk["context"] if "context" in chunk else None
            enc = encode(tokenizer, chunk["text"], self.config.model.max_length, self.device, contexts)
            labels = torch.tensor([LABEL2ID.get(label, -100) for label in chunk["label"]], device=self.device)
            origin_weights = self.config.data.origin_weights
            if origin_weights and "soft" not in chunk and shuffle:
                item = [origin_weights.get(o, 1.0) for o in chunk["origin"]]
                yield enc["input_ids"], enc["attention_mask"], {
                    "labels": labels, "weights": torch.tensor(item, device=self.device)
                }  # fmt: skip
            elif "soft" in chunk:
                soft = torch.tensor(chunk["soft"], device=self.device)
                yield enc["input_ids"], enc["attention_mask"], (labels, soft)
            else:
                yield enc["input_ids"], enc["attention_mask"], labels

    def _predict(self, network, tokenizer, dataset) -> list[str]:
        network.eval()
        out: list[str] = []
        with torch.inference_mode():
            for ids, mask, _ in self._batches(tokenizer, dataset, self.config.train.eval_batch_size, False):
                out.extend(LABELS[i] for i in network(ids, mask).argmax(-1).tolist())
        return out

    def fit(self) -> StanceClassifier:
        cfg, tcfg = self.config, self.config.train
        seed_everything(tcfg.seed)
        for teacher in tcfg.teacher or []:
            if not (resolve_model_dir(teacher) / SPEC_FILE).is_file():
                raise DetenteError(
                    "train.teacher", f"no detente model at {teacher} (train the teacher first: see the config's notes)"
                )
        start = adopt_init_model(cfg.model, self.log) if cfg.model.init_from else None
        check_mode(cfg.model.context)
        splits = {name: with_contexts(part, cfg.model.context) for name, part in load_splits(cfg).items()}
        self.log(f"data: train {len(splits['train'])}, dev {len(splits['dev'])}, test {len(splits['test'])}")
        tokenizer, network = self._build(start)
        network.to(self.device)
        trainable = [p for n, p in network.named_parameters() if p.requires_grad and not n.startswith("head.")]
        optimizer = torch.optim.AdamW(
            [
                {"params": trainable, "lr": tcfg.learning_rate},
                {"params": network.head.parameters(), "lr": tcfg.head_learning_rate},
            ],
            weight_decay=tcfg.weight_decay,
        )
        fitted = splits["train"]
        if tcfg.teacher:
            unlabelled = with_contexts(load_unlabelled(cfg.data.unlabelled_files), cfg.model.context)
            fitted = concatenate(splits["train"], unlabelled)
            fitted = with_soft_labels(fitted, tcfg.teacher, tcfg.distill_temperature)
            self.log(f"distilling from {', '.join(tcfg.teacher)} on {len(fitted)} statements")
        steps = tcfg.epochs * -(-len(fitted) // tcfg.batch_size)
        from transformers import get_linear_schedule_with_warmup

        scheduler = get_linear_schedule_with_warmup(optimizer, int(tcfg.warmup_ratio * steps), steps)
        weights = class_weights(list(splits["train"]["label"])) if tcfg.class_weighted_loss else None
        loss_fn = make_loss(tcfg, None if weights is None else weights.to(self.device))
        generator = torch.Generator().manual_seed(tcfg.seed)

        state = {"epoch": 0, "best_f1": -1.0, "best": None, "stale": 0, "history": []}
        ckpt = self.output_dir / CHECKPOINT_DIR / "state.pt"
        if ckpt.is_file():
            saved = torch.load(ckpt, weights_only=True)
            if saved["config"] != json.dumps(cfg.to_dict(), sort_keys=True):
                raise DetenteError(ckpt, "checkpoint was made with another config; delete it to start over")
            network.load_state_dict(saved["network"])
            optimizer.load_state_dict(saved["optimizer"])
            scheduler.load_state_dict(saved["scheduler"])
            generator.set_state(saved["generator"])
            torch.set_rng_state(saved["torch_rng"])
            state = saved["state"]
            self.log(f"resuming after epoch {state['epoch']}")

        started = time.perf_counter()
        while state["epoch"] < tcfg.epochs and state["stale"] < tcfg.early_stopping_patience:
            network.train()
            total = 0.0
            batches = self._batches(tokenizer, fitted, tcfg.batch_size, True, generator, tcfg.group_by_length)
            for ids, mask, labels in batches:
                loss = loss_fn(network(ids, mask), labels)
                loss.backward()
                torch.nn.utils.clip_grad_norm_(network.parameters(), 1.0)
                optimizer.step()
                scheduler.step()
                optimizer.zero_grad()
                total += loss.item()
            dev_f1 = macro_f1(list(splits["dev"]["label"]), self._predict(network, tokenizer, splits["dev"]))
            state["epoch"] += 1
            state["history"].append({"epoch": state["epoch"], "loss": round(total, 4), "dev_macro_f1": dev_f1})
            if dev_f1 > state["best_f1"]:
                state["best_f1"], state["stale"] = dev_f1, 0
                state["best"] = {k: v.detach().cpu().clone() for k, v in network.state_dict().items()}
            else:
                state["stale"] += 1
            ckpt.parent.mkdir(parents=True, exist_ok=True)
            torch.save(
                {
                    "config": json.dumps(cfg.to_dict(), sort_keys=True),
                    "network": network.state_dict(),
                    "optimizer": optimizer.state_dict(),
                    "scheduler": scheduler.state_dict(),
                    "generator": generator.get_state(),
                    "torch_rng": torch.get_rng_state(),
                    "state": state,
                },
                ckpt.with_suffix(".tmp"),
            )
            ckpt.with_suffix(".tmp").replace(ckpt)
            self.log(f"epoch {state['epoch']}: loss {total:.3f}  dev macro-F1 {dev_f1:.4f}")

        network.load_state_dict(state["best"])
        return self._finish(network, tokenizer, splits, state, time.perf_counter() - started)

    def _finish(self, network, tokenizer, splits, state, seconds: float) -> StanceClassifier:
        cfg = self.config
        factors, lora_spec = None, None
        if cfg.model.finetune == "lora":
            factors = _lora_factors(network.encoder)
            network.encoder = network.encoder.merge_and_unload()
            lora_spec = LoraSpec(cfg.model.lora_r, cfg.model.lora_alpha, list(cfg.model.lora_target_modules))
        metrics: dict[str, Any] = {"dev_macro_f1": state["best_f1"], "history": state["history"]}
        temperature = fit_temperature(
            _logits(network, tokenizer, splits["dev"], self), [LABEL2ID[label] for label in splits["dev"]["label"]]
        )
        if splits["test"]:
            gold = list(splits["test"]["label"])
            metrics["test_macro_f1"] = macro_f1(gold, self._predict(network, tokenizer, splits["test"]))
        spec = ModelSpec(
            name=cfg.model.name,
            version=cfg.model.version,
            base_model=cfg.model.base,
            finetune=cfg.model.finetune,
            max_length=cfg.model.max_length,
            context=cfg.model.context,
            temperature=temperature,
            lora=lora_spec,
            training={
                "config": cfg.to_dict(),
                "data_fingerprint": fingerprint([*splits["train"], *splits["dev"]]),
                "sizes": {k: len(v) for k, v in splits.items()},
                "metrics": metrics,
                "train_seconds": round(seconds, 1),
                "torch": torch.__version__,
            },
        )
        classifier = StanceClassifier(network.cpu(), tokenizer, spec, device="cpu", lora_factors=factors)
        classifier.save_pretrained(self.output_dir)
        check = splits["test"] if len(splits["test"]) else splits["dev"]
        write_check_set(self.output_dir, check.to_list())
        if cfg.train.check_int8:
            spec.training["onnx_int8"] = int8_check(self.output_dir)
            spec.save(self.output_dir)
            self.log(f"int8 ONNX on this machine: {spec.training['onnx_int8']['reason']}")
        (self.output_dir / "README.md").write_text(model_card(spec))
        shutil.rmtree(self.output_dir / CHECKPOINT_DIR, ignore_errors=True)
        self.log(f"saved {spec.tag} to {self.output_dir}")
        return classifier


def _logits(network, tokenizer, dataset, trainer: Trainer) -> np.ndarray:
    network.eval()
    rows = []
    with torch.inference_mode():
        for ids, mask, _ in trainer._batches(tokenizer, dataset, trainer.config.train.eval_batch_size, False):
            rows.append(network(ids, mask).float().cpu().numpy())
    return np.concatenate(rows)


def fit_temperature(logits: np.ndarray, gold: list[int]) -> float:
    """The temperature minimising dev negative log-likelihood (Guo et al., 2017), by grid search.

    One scalar cannot change any label, only how sure the probabilities are:
    a fine-tuned model on a small set is overconfident, and tone is built from
    these probabilities.
    """
    grid = np.exp(np.linspace(np.log(0.5), np.log(20.0), 300))
    gold_idx = np.asarray(gold)
    best, best_nll = 1.0, np.inf
    for t in grid:
        scaled = logits / t
        scaled = scaled - scaled.max(axis=1, keepdims=True)
        log_probs = scaled - np.log(np.exp(scaled).sum(axis=1, keepdims=True))
        nll = -log_probs[np.arange(len(gold_idx)), gold_idx].mean()
        if nll < best_nll:
            best, best_nll = float(t), nll
    return round(best, 4)


def int8_check(directory: Path) -> dict[str, Any]:
    """The int8 check on the training machine, kept as provenance only.

    Scoring does not trust it: every machine measures int8 for itself on the
    check set written beside the model (see detente.model.precision).
    """
    from dataclasses import asdict

    from detente.model.onnx import OnnxStanceClassifier

    verdict = OnnxStanceClassifier.from_pretrained(directory, precision="auto").int8_verdict
    return asdict(verdict) if verdict else {}


def model_card(spec: ModelSpec) -> str:
    t = spec.training
    m = t.get("metrics", {})
    lines = [
        f"# {spec.tag}",
        "",
        "A detente stance classifier (conciliatory / critical / procedural), made by `detente train`.",
        "",
        f"- base encoder: `{spec.base_model}`, fine-tuning: {spec.finetune}",
        f"- training data: {t.get('sizes')}, fingerprint `{t.get('data_fingerprint', '')[:16]}`",
        f"- dev macro-F1: {m.get('dev_macro_f1', float('nan')):.4f}",
    ]
    if "test_macro_f1" in m:
        lines.append(f"- test macro-F1: {m['test_macro_f1']:.4f}")
    lines += ["", "The resolved training config is in `detente.json` under `training.config`.", ""]
    return "\n".join(lines)


def train(config: Config, output_dir: str | Path, log: Callable[[str], None] = print) -> StanceClassifier:
    """Fine-tune a classifier from ``config`` and save it to ``output_dir``."""
    return Trainer(config, output_dir, log).fit()
