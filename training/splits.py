"""Train/dev/test splits by source document, stratified by label as far as documents allow.

Statements of one article share a speaker, a topic and phrasing; letting them
straddle train and test would reward memorising the article, so the unit of
splitting is the document (``source``), as scikit-learn's StratifiedGroupKFold does.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any


def group_of(record: dict[str, Any]) -> str:
    """The document a statement belongs to; a record without ``source`` is its own document."""
    return str(record.get("source") or f"id:{record['id']}")


def split_by_document(
    records: Sequence[dict[str, Any]], fraction: float, seed: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(kept, held_out): about ``fraction`` of the records, whole documents only."""
    from sklearn.model_selection import StratifiedGroupKFold

    if not 0 < fraction < 1:
        raise ValueError(f"fraction must be in (0, 1), got {fraction}")
    folds = max(2, round(1 / fraction))
    splitter = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed)
    labels = [r["label"] for r in records]
    groups = [group_of(r) for r in records]
    kept_idx, held_idx = next(splitter.split(records, labels, groups))
    return [records[i] for i in kept_idx], [records[i] for i in held_idx]


def make_splits(
    records: Sequence[dict[str, Any]],
    dev_fraction: float,
    test_fraction: float,
    seed: int,
    strata: str | None = None,
) -> dict[str, list[dict[str, Any]]]:
    """Fixed train/dev/test splits by document; test is cut first, then dev from the rest.

    With ``strata`` (a field such as ``origin``), each value's records are split
    on their own, so every split gets its share of each kind (real news and
    written statements, say) instead of whatever whole documents happen to give.
    """
    if strata:
        # A stratum with too few documents to split joins the largest one.
        docs: dict[str, set[str]] = {}
        for r in records:
            docs.setdefault(str(r.get(strata)), set()).add(group_of(r))
        largest = max(docs, key=lambda v: len(docs[v]))
        needed = round(1 / min(dev_fraction, test_fraction))
        stratum = {v: (v if len(d) >= needed else largest) for v, d in docs.items()}
        out: dict[str, list[dict[str, Any]]] = {"train": [], "dev": [], "test": []}
        for value in sorted(set(stratum.values())):
            members = [r for r in records if stratum[str(r.get(strata))] == value]
            part = make_splits(members, dev_fraction, test_fraction, seed)
            for name in out:
                out[name] += part[name]
        return out
    rest, test = split_by_document(records, test_fraction, seed)
    train, dev = split_by_document(rest, dev_fraction / (1 - test_fraction), seed)
    return {"train": train, "dev": dev, "test": test}


def split_by_context(
    records: Sequence[dict[str, Any]],
    field: str,
    dev_fraction: float,
    test_fraction: float,
    seed: int,
    pool: Callable[[dict[str, Any]], bool] = lambda record: True,
    seen_test_fraction: float = 0.0,
    fixed: dict[str, Sequence[str]] | None = None,
) -> dict[str, list[dict[str, Any]]]:
    """Splits that answer "how good is it on negotiations it has never seen".

    Whole values of ``field`` (the negotiation context, ``topic``) are held out:
    test contexts first, then dev contexts, drawn in a seeded order until each
    holds its share of the ``pool`` records (the kind being evaluated, such as
    real news). Records of a held-out context that are outside the pool leave
    training too, so no statement about a test negotiation is trained on. With
    ``seen_test_fraction``, whole documents of the remaining pool are held out
    as ``test_seen``: the same question for talks the model has seen.
    ``fixed`` ({"test": [...], "dev": [...]}) names the held-out values instead
    of drawing them, so adding data about new negotiations keeps the split.
    """
    import random

    evaluated = [r for r in records if pool(r)]
    contexts = sorted({str(r.get(field)) for r in evaluated})
    random.Random(seed).shuffle(contexts)
    sizes = {c: sum(str(r.get(field)) == c for r in evaluated) for c in contexts}
    held: dict[str, str] = {}
    if fixed:
        held = {str(value): name for name in ("test", "dev") for value in fixed.get(name, ())}
    for name, fraction in (("test", test_fraction), ("dev", dev_fraction)):
        if fixed:
            break
        total = 0
        for context in contexts:
            if context not in held and total < fraction * len(evaluated):
                held[context] = name
                total += sizes[context]
    out: dict[str, list[dict[str, Any]]] = {"train": [], "dev": [], "test": [], "left_out": []}
    rest_pool = []
    for r in records:
        where = held.get(str(r.get(field)))
        if where is None:
            (rest_pool if pool(r) else out["train"]).append(r)
        else:
            out[where if pool(r) else "left_out"].append(r)
    if seen_test_fraction:
        # A document's place is decided by a hash of its name, not by a draw over all
        # documents, so adding articles later never moves an existing one.
        out["test_seen"] = [r for r in rest_pool if _unit_hash(group_of(r), seed) < seen_test_fraction]
        rest_pool = [r for r in rest_pool if _unit_hash(group_of(r), seed) >= seen_test_fraction]
    out["train"] += rest_pool
    return out


def _unit_hash(value: str, seed: int) -> float:
    import hashlib

    return int(hashlib.sha256(f"{seed}:{value}".encode()).hexdigest()[:12], 16) / 16**12


def write_splits(splits: dict[str, list[dict[str, Any]]], directory: str | Path) -> None:
    import json

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    for name, records in splits.items():
        tmp = directory / f"{name}.jsonl.tmp"
        with tmp.open("w", encoding="utf-8") as handle:
            for record in sorted(records, key=lambda r: r["id"]):
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        tmp.replace(directory / f"{name}.jsonl")
