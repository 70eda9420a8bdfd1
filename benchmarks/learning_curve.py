"""How many labels does a new negotiation need? The sample → label → fine-tune loop, simulated on the corpus.

For each held-out context (a negotiation in data/splits' dev, test or left_out files,
so never in train.jsonl), its documents are cut into a labelling pool and a test
part. A model trained without the context scores the pool; each strategy of
`detente sample` picks k statements from it; their gold labels stand in for the
annotator; the model is trained again with them, and macro-F1 is measured on the
context's test statements. k = 0 is the model before any label of the context.

Two modes:

- ``--mode head`` (default, minutes on 2 cores): the model is a logistic-regression
  head on the frozen base encoder's mean-pooled sentence embeddings (max_length 64),
  fitted on a fixed subset of train.jsonl; "fine-tuning" refits it with the k new
  labels added (weighted ``--new-weight``). Sampling uses this model's margins and
  these embeddings, as `detente sample` uses the classifier's.
- ``--mode lora``: the real thing. A LoRA model is trained on the subset (without the
  contexts); the sampler uses its probabilities and embeddings; each (context, seed,
  strategy, k) fine-tunes that model (``detente train --init-from``) on the k labels
  plus k replayed training statements, as a user adapting a model would.

Run:
    python benchmarks/learning_curve.py                                   # the README's table and plot
    python benchmarks/learning_curve.py --contexts 0 --seeds 5 --k 10 25 50 100 200   # every context
    python benchmarks/learning_curve.py --mode lora --context iran-nuclear-2013-2015 sudan-ceasefire --k 25 50 100 200

Writes benchmarks/results/learning_curve-<mode>.json and docs/learning_curve-<mode>.png
and prints a Markdown table. It asserts nothing (the test suite has no timing tests).
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import tempfile
import time
import warnings
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SPLITS = ROOT / "data" / "splits"
STRATEGIES = ("uncertainty", "diverse", "stratified", "random", "mix")


def load(name: str) -> list[dict]:
    from detente.labelled import read_labelled

    path = SPLITS / f"{name}.jsonl"
    return read_labelled([path]) if path.exists() else []


def held_out_contexts(min_size: int, named: list[str] | None = None) -> dict[str, list[dict]]:
    """Contexts to simulate, with all their labelled statements, largest first.

    By default the contexts never in train.jsonl (dev, test, left_out). Named
    contexts may be training ones as well: the runs then leave them out of the
    model they start from, so each is still new to it.
    """
    train_topics = {r.get("topic") for r in load("train")}
    by_topic: dict[str, list[dict]] = defaultdict(list)
    for name in ("train", "dev", "test", "left_out"):
        for record in load(name):
            topic = record.get("topic")
            if topic and (topic in (named or ()) or (not named and name != "train" and topic not in train_topics)):
                by_topic[topic].append(record)
    if named and (missing := sorted(set(named) - set(by_topic))):
        raise SystemExit(f"no labelled statements of context(s) {', '.join(missing)} in {SPLITS}")
    big = {t: rs for t, rs in by_topic.items() if named or len(rs) >= min_size}
    return dict(sorted(big.items(), key=lambda item: (-len(item[1]), item[0])))


def split_by_document(records: list[dict], seed: int, pool_share: float = 0.6) -> tuple[list[dict], list[dict]]:
    docs = sorted({r.get("source") or r.get("doc") or r["id"] for r in records})
    random.Random(seed).shuffle(docs)
    pool_docs, total, cut = set(), len(records), 0
    for doc in docs:  # documents into the pool until it holds pool_share of the statements
        if cut >= pool_share * total:
            break
        pool_docs.add(doc)
        cut += sum(1 for r in records if (r.get("source") or r.get("doc") or r["id"]) == doc)
    pool = [r for r in records if (r.get("source") or r.get("doc") or r["id"]) in pool_docs]
    test = [r for r in records if (r.get("source") or r.get("doc") or r["id"]) not in pool_docs]
    return pool, test


def macro_f1(gold, predicted) -> float:
    from sklearn.metrics import f1_score

    from detente.model.labels import LABELS

    return float(f1_score(gold, predicted, labels=list(LABELS), average="macro", zero_division=0))


def candidates(pool: list[dict], probs: np.ndarray) -> list[dict]:
    """The pool as `detente sample` sees scored statements: probabilities, margin, predicted label, document."""
    from detente.model.labels import LABELS

    out = []
    for record, p in zip(pool, probs, strict=True):
        top = np.sort(p)[::-1]
        out.append({"id": record["id"], "text": record["text"], "doc": record.get("source") or record.get("doc"),
                    "label": LABELS[int(np.argmax(p))], "margin": float(top[0] - top[1]),
                    "probs": dict(zip(LABELS, map(float, p), strict=True))})  # fmt: skip
    return out


def pick(pool: list[dict], probs: np.ndarray, embeddings: np.ndarray, strategy: str, k: int, seed: int) -> list[int]:
    from detente.labelling.sample import choose

    by_text = {}
    for record, vector in zip(pool, embeddings, strict=True):
        by_text[record["text"]] = vector
    embed = lambda texts: np.stack([by_text[t] for t in texts])  # noqa: E731
    return [i for i, _ in choose(candidates(pool, probs), k, strategy, embed, "doc", seed)]


# --- head mode ---------------------------------------------------------------------------------------


class HeadModel:
    """Logistic regression on frozen, L2-normalised sentence embeddings."""

    def __init__(self, embed_cache: dict[str, np.ndarray]):
        self.cache = embed_cache

    def vectors(self, records):
        return np.stack([self.cache[r["text"]] for r in records])

    def fit(self, records, weights=None):
        from sklearn.linear_model import LogisticRegression

        self.model = LogisticRegression(max_iter=500, C=2.0, tol=1e-3, class_weight="balanced")
        self.model.fit(self.vectors(records), [r["label"] for r in records], sample_weight=weights)
        return self

    def proba(self, records) -> np.ndarray:
        from detente.model.labels import LABELS

        p = self.model.predict_proba(self.vectors(records))
        order = [list(self.model.classes_).index(label) for label in LABELS]
        return p[:, order]

    def predict(self, records):
        return list(self.model.predict(self.vectors(records)))


def run_head(args, contexts, train) -> list[dict]:
    from detente.eval.embeddings import FrozenEncoder

    texts = sorted({r["text"] for r in train} | {r["text"] for rs in contexts.values() for r in rs})
    started = time.perf_counter()
    encoder = FrozenEncoder(max_length=args.max_length)
    cache = dict(zip(texts, encoder.embed(texts), strict=True))
    print(f"embedded {len(texts)} statements in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    rows = []
    for seed in range(args.first_seed, args.first_seed + args.seeds):
        subset = random.Random(seed).sample(train, min(args.train_size, len(train)))
        base = HeadModel(cache).fit(subset)
        for topic, records in contexts.items():
            pool, test = split_by_document(records, seed)
            gold = [r["label"] for r in test]
            f0 = macro_f1(gold, base.predict(test))
            rows.append({"context": topic, "seed": seed, "strategy": "none", "k": 0, "macro_f1": f0,
                         "pool": len(pool), "test": len(test)})  # fmt: skip
            probs, vectors = base.proba(pool), base.vectors(pool)
            for strategy in STRATEGIES:
                for k in args.k:
                    if k > len(pool):
                        continue
                    chosen = [pool[i] for i in pick(pool, probs, vectors, strategy, k, seed)]
                    weights = [1.0] * len(subset) + [args.new_weight] * len(chosen)
                    tuned = HeadModel(cache).fit(subset + chosen, weights)
                    rows.append({"context": topic, "seed": seed, "strategy": strategy, "k": k,
                                 "macro_f1": macro_f1(gold, tuned.predict(test)), "pool": len(pool),
                                 "test": len(test)})  # fmt: skip
            print(f"seed {seed} {topic}: pool {len(pool)}, test {len(test)}, k=0 macro-F1 {f0:.3f}", file=sys.stderr)
    return rows


# --- lora mode ---------------------------------------------------------------------------------------


def train_lora(records, dev, directory: Path, args, seed: int, init_from: Path | None = None, epochs=None):
    from detente.model.classifier import StanceClassifier
    from detente.training.config import load_config
    from detente.training.trainer import train

    directory.mkdir(parents=True, exist_ok=True)
    files = []
    for name, rows in (("train", records), ("dev", dev)):
        files.append(directory / f"{name}.jsonl")
        files[-1].write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    overrides = [f"train.epochs={epochs or args.epochs}", f"model.max_length={args.max_length}", f"train.seed={seed}",
                 "train.check_int8=false", "train.early_stopping_patience=99"]  # fmt: skip
    config = load_config(None, overrides)
    config.data.train_files, config.data.dev_files = [str(files[0])], [str(files[1])]
    config.model.init_from = str(init_from) if init_from else None
    train(config, directory / "model", log=lambda line: None)
    return StanceClassifier.from_pretrained(directory / "model", device=args.device)


def lora_embed(clf, texts) -> np.ndarray:
    import torch

    from detente.model.batching import encode

    with torch.inference_mode():
        batch = encode(clf.tokenizer, list(texts), clf.spec.max_length, clf.device)
        pooled = clf.network.embed(batch["input_ids"], batch["attention_mask"])
        return torch.nn.functional.normalize(pooled, dim=-1).float().cpu().numpy()


def run_lora(args, contexts, train) -> list[dict]:
    """One base model per seed, trained without any of the contexts; each (context, strategy, k)
    fine-tunes that base (``model.init_from``) on the k labels plus as many replayed training
    statements, as a user adapting a trained model to a new negotiation would."""
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for seed in range(args.first_seed, args.first_seed + args.seeds):
            rng = random.Random(seed)
            shuffled = rng.sample(train, len(train))
            subset, dev = shuffled[: args.train_size], shuffled[args.train_size : args.train_size + 200]
            started = time.perf_counter()
            base_dir = Path(tmp) / f"base-{seed}"
            base = train_lora(subset, dev, base_dir, args, seed, epochs=args.base_epochs)
            print(f"seed {seed}: base on {len(subset)} in {time.perf_counter() - started:.0f} s", file=sys.stderr)
            for topic, records in contexts.items():
                pool, test = split_by_document(records, seed)
                gold = [r["label"] for r in test]
                texts = [r["text"] for r in pool]
                f0 = macro_f1(gold, base.predict([r["text"] for r in test]))
                rows.append({"context": topic, "seed": seed, "strategy": "none", "k": 0, "macro_f1": f0,
                             "pool": len(pool), "test": len(test)})  # fmt: skip
                probs = base.predict_proba(texts)
                vectors = np.concatenate([lora_embed(base, texts[i : i + 32]) for i in range(0, len(texts), 32)])
                for strategy in STRATEGIES:
                    for k in args.k:
                        if k > len(pool):
                            continue
                        started = time.perf_counter()
                        chosen = [pool[i] for i in pick(pool, probs, vectors, strategy, k, seed)]
                        replay = random.Random(seed * 1000 + k).sample(subset, min(k, len(subset)))
                        run_dir = Path(tmp) / f"{topic}-{seed}-{strategy}-{k}"
                        tuned = train_lora(chosen + replay, dev, run_dir, args, seed, init_from=base_dir / "model")
                        f1 = macro_f1(gold, tuned.predict([r["text"] for r in test]))
                        rows.append({"context": topic, "seed": seed, "strategy": strategy, "k": k, "macro_f1": f1,
                                     "pool": len(pool), "test": len(test)})  # fmt: skip
                        print(f"seed {seed} {topic} {strategy} k={k}: {f0:.3f} -> {f1:.3f} "
                              f"({time.perf_counter() - started:.0f} s)", file=sys.stderr)  # fmt: skip
                        shutil.rmtree(run_dir, ignore_errors=True)
    return rows


# --- report ------------------------------------------------------------------------------------------


def summarise(rows: list[dict], ks: list[int]) -> tuple[str, dict]:
    """A Markdown table: mean macro-F1 per strategy and k, and its gain over k = 0.

    A gain is taken against the k = 0 model of the same context and seed, so
    contexts that are easy or hard for the starting model do not move the
    comparison, and a cell over fewer contexts (k = 200 needs a large pool) is
    still read as a change.
    """
    start = {(r["context"], r["seed"]): r["macro_f1"] for r in rows if r["strategy"] == "none"}
    cells: dict[tuple[str, int], list[tuple[float, float]]] = defaultdict(list)
    for row in rows:
        if row["strategy"] != "none":
            gain = row["macro_f1"] - start[(row["context"], row["seed"])]
            cells[(row["strategy"], row["k"])].append((row["macro_f1"], gain))
    base = np.mean(list(start.values()))
    header = "| strategy | k = 0 | " + " | ".join(f"k = {k}" for k in ks) + " | mean gain |"
    lines = [header, "|---" + "|---:" * (len(ks) + 2) + "|"]
    means = {}
    for strategy in STRATEGIES:
        parts, gains = [], []
        for k in ks:
            values = cells.get((strategy, k), [])
            if not values:
                parts.append("–")
                continue
            f1s, deltas = np.array(values).T
            se = np.std(deltas, ddof=1) / np.sqrt(len(deltas)) if len(deltas) > 1 else float("nan")
            parts.append(f"{np.mean(f1s):.3f} ({np.mean(deltas):+.3f} ± {se:.3f}, n={len(deltas)})")
            gains.append(np.mean(deltas))
            means[(strategy, k)] = float(np.mean(deltas))
        mean_gain = f"{np.mean(gains):+.3f}" if gains else "–"
        lines.append(f"| {strategy} | {base:.3f} | " + " | ".join(parts) + f" | {mean_gain} |")
    return "\n".join(lines), means


def plot(rows: list[dict], ks: list[int], path: Path, title: str) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(6.4, 4.0), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    ax = figure.add_subplot()
    base = np.mean([r["macro_f1"] for r in rows if r["strategy"] == "none"])
    for strategy in STRATEGIES:
        xs, ys = [0], [base]
        for k in ks:
            values = [r["macro_f1"] for r in rows if r["strategy"] == strategy and r["k"] == k]
            if values:
                xs.append(k)
                ys.append(float(np.mean(values)))
        ax.plot(xs, ys, marker="o", label=strategy, linewidth=2.2 if strategy == "mix" else 1.4)
    ax.set_xlabel("labels from the new context (k)")
    ax.set_ylabel("macro-F1 on the context's test statements")
    ax.set_title(title, fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=["head", "lora"], default="head")
    parser.add_argument("--contexts", type=int, default=6, help="how many held-out contexts, largest first (0: all)")
    parser.add_argument("--context", nargs="+", metavar="TOPIC",
                        help="these contexts (training ones too: left out of the starting model)")  # fmt: skip
    parser.add_argument("--min-size", type=int, default=100, help="contexts with at least this many statements")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--first-seed", type=int, default=0, help="seeds run are first-seed .. first-seed+seeds-1")
    parser.add_argument("--append", action="store_true",
                        help="add these rows to the mode's results file (more seeds of the same settings)")  # fmt: skip
    parser.add_argument("--k", type=int, nargs="+", default=[10, 25, 50, 100])
    parser.add_argument("--train-size", type=int, default=1000, help="the fixed training subset (default: 1000)")
    parser.add_argument("--new-weight", type=float, default=3.0, help="head mode: weight of the new labels")
    parser.add_argument("--max-length", type=int, default=64)
    parser.add_argument("--epochs", type=int, default=3, help="lora mode: epochs of each fine-tuning on k labels")
    parser.add_argument("--base-epochs", type=int, default=3, help="lora mode: epochs of the starting model")
    parser.add_argument("--device", default=None, help="lora mode: torch device")
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore", category=FutureWarning)  # transformers' deprecation notes, once per run

    contexts = held_out_contexts(args.min_size, args.context)
    train = [r for r in load("train") if r.get("topic") not in contexts]
    if args.contexts and not args.context:
        contexts = dict(list(contexts.items())[: args.contexts])
    print(f"{len(contexts)} held-out contexts: " + ", ".join(f"{t} ({len(r)})" for t, r in contexts.items()),
          file=sys.stderr)  # fmt: skip
    started = time.perf_counter()
    rows = (run_head if args.mode == "head" else run_lora)(args, contexts, train)
    minutes = (time.perf_counter() - started) / 60
    out = ROOT / "benchmarks" / "results" / f"learning_curve-{args.mode}.json"
    if args.append and out.is_file():
        earlier = json.loads(out.read_text())
        keep = {k: v for k, v in vars(args).items() if k not in ("first_seed", "seeds", "append")}
        if {k: earlier["args"].get(k) for k in keep} != keep:
            raise SystemExit(f"--append: {out} was made with other settings")
        rows = earlier["rows"] + rows
        minutes += earlier["minutes"]
    table, means = summarise(rows, args.k)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"args": vars(args), "minutes": round(minutes, 1), "rows": rows}, indent=1) + "\n")
    seeds = len({row["seed"] for row in rows})
    title = f"{args.mode}: {len(contexts)} held-out contexts × {seeds} seed{'s' * (seeds > 1)}"
    plot(rows, args.k, ROOT / "docs" / f"learning_curve-{args.mode}.png", title)
    print(table)
    best = {k: max(STRATEGIES, key=lambda s, k=k: means.get((s, k), -1)) for k in args.k}
    print(f"\nbest strategy per k: {best}; {minutes:.1f} min; rows in {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
