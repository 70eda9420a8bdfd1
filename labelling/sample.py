"""``detente sample``: choose the statements of a scored corpus most worth labelling.

Strategies, each a function from candidates to an ordered choice of indices:

- ``uncertainty`` (the default, from benchmarks/learning_curve.py): the lowest margins
  between the two most probable labels;
- ``diverse``: greedy k-centre on the model's sentence embeddings (each pick is
  the statement farthest from everything picked so far), so the labels cover
  the kinds of statement in the corpus instead of piling up on one kind;
- ``stratified``: round robin over (predicted label, ``--by`` field) strata,
  randomly within each, so every document and label gets its share;
- ``random``;
- ``mix``: half by uncertainty, taken in turn from each document
  (stratified by document), half by k-centre started from those picks.

Ids already labelled (``--exclude``) are removed before any strategy sees them.
Each task keeps the statement, its document, its neighbouring statements and
the model's suggestion (label, probabilities, tone, margin).
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from detente.errors import DetenteError
from detente.labelling import DEFAULT_STRATEGY, STRATEGIES

#: Statements a diverse pick embeds at most (a seeded random subset beyond that).
DIVERSE_POOL = 5000

Embedder = Callable[[Sequence[str]], np.ndarray]


def by_uncertainty(records: list[dict[str, Any]], n: int) -> list[int]:
    """Indices of the ``n`` lowest margins, lowest first (ties by input order)."""
    return sorted(range(len(records)), key=lambda i: (records[i]["margin"], i))[:n]


def round_robin(groups: list[list[int]], n: int) -> list[int]:
    """Take one from each group in turn (groups keep their own order) until ``n`` are taken."""
    out: list[int] = []
    depth = 0
    while len(out) < n and any(depth < len(g) for g in groups):
        for group in groups:
            if depth < len(group) and len(out) < n:
                out.append(group[depth])
        depth += 1
    return out


def by_uncertainty_per_field(records: list[dict[str, Any]], n: int, field: str) -> list[int]:
    """Lowest margins, one from each ``field`` value in turn; values with the lowest margin first."""
    groups: dict[Any, list[int]] = defaultdict(list)
    for i in by_uncertainty(records, len(records)):
        groups[records[i].get(field)].append(i)
    return round_robin(list(groups.values()), n)  # dicts keep insertion order: most uncertain group first


def by_stratified(records: list[dict[str, Any]], n: int, field: str, rng: random.Random) -> list[int]:
    """Round robin over (predicted label, field) strata, random order within each, largest strata first."""
    strata: dict[tuple[Any, Any], list[int]] = defaultdict(list)
    for i, record in enumerate(records):
        strata[(record["label"], str(record.get(field)))].append(i)
    groups = [strata[key] for key in sorted(strata, key=lambda k: (-len(strata[k]), k))]
    for group in groups:
        rng.shuffle(group)
    return round_robin(groups, n)


def k_centre(embeddings: np.ndarray, n: int, start: Sequence[int] = ()) -> list[int]:
    """Greedy k-centre (Gonzalez; Sener & Savarese's core-set): ``n`` new indices, each farthest from the chosen.

    ``start`` are already chosen (not returned); without it the first pick is the
    point nearest the centroid, so the result is deterministic.
    """
    count = len(embeddings)
    n = min(n, count - len(set(start)))
    if n <= 0:
        return []
    emb = np.asarray(embeddings, dtype=np.float32)
    nearest = np.full(count, np.inf, dtype=np.float32)
    chosen: list[int] = []

    def add(i: int) -> None:
        nonlocal nearest
        nearest = np.minimum(nearest, np.linalg.norm(emb - emb[i], axis=1))

    for i in start:
        add(i)
    if not len(start):
        first = int(np.argmin(np.linalg.norm(emb - emb.mean(axis=0), axis=1)))
        chosen.append(first)
        add(first)
    while len(chosen) < n:
        i = int(np.argmax(nearest))
        if nearest[i] <= 0:
            break  # every remaining point duplicates a chosen one
        chosen.append(i)
        add(i)
    return chosen


def covering_radius(embeddings: np.ndarray, chosen: Sequence[int]) -> float:
    """The largest distance from any statement to its nearest chosen one: how well a choice covers the corpus."""
    emb = np.asarray(embeddings, dtype=np.float32)
    nearest = np.full(len(emb), np.inf, dtype=np.float32)
    for i in chosen:
        nearest = np.minimum(nearest, np.linalg.norm(emb - emb[i], axis=1))
    return float(nearest.max())


def _diverse(records, n: int, embed: Embedder, rng: random.Random, start: Sequence[int] = ()) -> list[int]:
    """k-centre over at most DIVERSE_POOL candidates (always including ``start``)."""
    pool = list(range(len(records)))
    if len(pool) > DIVERSE_POOL:
        rest = [i for i in pool if i not in set(start)]
        pool = list(start) + sorted(rng.sample(rest, DIVERSE_POOL - len(start)))
    position = {i: p for p, i in enumerate(pool)}
    embeddings = embed([records[i]["text"] for i in pool])
    return [pool[p] for p in k_centre(embeddings, n, [position[i] for i in start])]


def choose(
    records: list[dict[str, Any]],
    n: int,
    strategy: str = DEFAULT_STRATEGY,
    embed: Embedder | None = None,
    by: str = "doc",
    seed: int = 13,
) -> list[tuple[int, str]]:
    """``(index into records, the strategy that picked it)`` for up to ``n`` statements."""
    if strategy not in STRATEGIES:
        raise DetenteError(None, f"unknown strategy {strategy!r} (choose from {', '.join(STRATEGIES)})")
    if n < 1:
        raise DetenteError(None, f"-n must be at least 1, not {n}")
    rng = random.Random(seed)
    n = min(n, len(records))
    if strategy == "uncertainty":
        return [(i, "uncertainty") for i in by_uncertainty(records, n)]
    if strategy == "random":
        return [(i, "random") for i in rng.sample(range(len(records)), n)]
    if strategy == "stratified":
        return [(i, "stratified") for i in by_stratified(records, n, by, rng)]
    if embed is None:
        raise DetenteError(None, f"strategy {strategy!r} needs sentence embeddings")
    if strategy == "diverse":
        return [(i, "diverse") for i in _diverse(records, n, embed, rng)]
    uncertain = by_uncertainty_per_field(records, n // 2 if n > 1 else n, by)
    diverse = _diverse(records, n - len(uncertain), embed, rng, start=uncertain) if n > len(uncertain) else []
    return [(i, "uncertainty") for i in uncertain] + [(i, "diverse") for i in diverse]


def neighbours(records: list[dict[str, Any]], width: int) -> dict[int, tuple[list[str], list[str]]]:
    """For each record, the texts of up to ``width`` statements before and after it in its document."""
    by_doc: dict[str, list[int]] = defaultdict(list)
    for i, record in enumerate(records):
        by_doc[record["doc"]].append(i)
    out: dict[int, tuple[list[str], list[str]]] = {}
    for members in by_doc.values():
        if all(records[i]["index"] is not None for i in members):
            members.sort(key=lambda i: records[i]["index"])
        for pos, i in enumerate(members):
            before = [records[j]["text"] for j in members[max(0, pos - width) : pos]]
            after = [records[j]["text"] for j in members[pos + 1 : pos + 1 + width]]
            out[i] = (before, after)
    return out


KEPT_FIELDS = ("doc", "index", "date", "speaker", "topic", "start", "end")


def make_task(record: dict[str, Any], context: tuple[list[str], list[str]], strategy: str) -> dict[str, Any]:
    """One labelling task: the statement, where it stands, and what the model suggests."""
    task = {"id": record["id"], "text": record["text"]}
    task.update({key: record[key] for key in KEPT_FIELDS if record.get(key) not in (None, "")})
    task["context_before"], task["context_after"] = context
    probs = {label: round(p, 4) for label, p in record["probs"].items()}
    task["suggestion"] = {
        "label": record["label"],
        "probs": probs,
        "tone": round(probs["conciliatory"] - probs["critical"], 4),
        "margin": round(record["margin"], 4),
        "model": record.get("model"),
    }
    task["strategy"] = strategy
    return task


def sample_tasks(
    records: list[dict[str, Any]],
    n: int,
    strategy: str = DEFAULT_STRATEGY,
    exclude: set[str] | frozenset[str] = frozenset(),
    embed: Embedder | None = None,
    by: str = "doc",
    seed: int = 13,
    context: int = 2,
) -> list[dict[str, Any]]:
    """The tasks for ``n`` statements of ``records`` (scored), none of whose ids is in ``exclude``."""
    context_of = neighbours(records, context)  # neighbours come from the whole file, labelled or not
    candidates = [i for i, record in enumerate(records) if record["id"] not in exclude]
    if not candidates:
        raise DetenteError(None, "every statement is already labelled (all ids are in --exclude)")
    pool = [records[i] for i in candidates]
    picks = choose(pool, n, strategy, embed, by, seed)
    return [make_task(pool[p], context_of[candidates[p]], why) for p, why in picks]


def model_embedder(model: str = "default", device: str | None = None, batch_size: int = 32) -> Embedder:
    """The classifier's own sentence embeddings (mean-pooled encoder output, L2-normalised), computed with torch."""

    def embed(texts: Sequence[str]) -> np.ndarray:
        import torch

        from detente.model.batching import encode, length_sorted_batches
        from detente.model.classifier import StanceClassifier

        clf = StanceClassifier.from_pretrained(model, device=device)
        out = np.zeros((len(texts), clf.network.head.in_features), dtype=np.float32)
        with torch.inference_mode():
            for idx in length_sorted_batches(texts, batch_size):
                batch = encode(clf.tokenizer, [texts[i] for i in idx], clf.spec.max_length, clf.device)
                pooled = clf.network.embed(batch["input_ids"], batch["attention_mask"])
                out[idx] = torch.nn.functional.normalize(pooled, dim=-1).float().cpu().numpy()
        return out

    return embed
