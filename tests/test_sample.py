"""`detente sample` on real scored files: each strategy picks what it promises, excluded ids never return."""

from __future__ import annotations

import json
import random

import numpy as np

from detente.labelling.sample import covering_radius, k_centre, sample_tasks

from .conftest import run_cli


def read_jsonl(path):
    return [json.loads(line) for line in open(path, encoding="utf-8")]


def test_uncertainty_picks_the_lowest_margins(scores_file, tmp_path):
    out = tmp_path / "tasks.jsonl"
    done = run_cli("sample", scores_file, "-n", "12", "--strategy", "uncertainty", "-o", out)
    assert done.returncode == 0, done.stderr.decode()
    tasks = read_jsonl(out)
    margins = {}
    for line in open(scores_file, encoding="utf-8"):
        r = json.loads(line)
        top = sorted(r["probs"].values(), reverse=True)
        margins[r["id"]] = top[0] - top[1]
    chosen = {t["id"] for t in tasks}
    assert len(chosen) == 12
    assert max(margins[i] for i in chosen) <= min(m for i, m in margins.items() if i not in chosen) + 1e-4
    assert [t["suggestion"]["margin"] for t in tasks] == sorted(t["suggestion"]["margin"] for t in tasks)


def test_a_task_keeps_its_statement_document_neighbours_and_suggestion(scores_file, tmp_path):
    out = tmp_path / "tasks.jsonl"
    assert run_cli("sample", scores_file, "-n", "6", "--strategy", "random", "-o", out).returncode == 0
    by_doc = {}
    for line in open(scores_file, encoding="utf-8"):
        r = json.loads(line)
        by_doc.setdefault(r["doc"], {})[r["index"]] = r
    for task in read_jsonl(out):
        doc = by_doc[task["doc"]]
        source = doc[task["index"]]
        assert task["text"] == source["text"] and task["id"] == source["id"]
        assert task["context_before"] == [doc[i]["text"] for i in range(task["index"] - 2, task["index"]) if i in doc]
        assert task["context_after"] == [
            doc[i]["text"] for i in range(task["index"] + 1, task["index"] + 3) if i in doc
        ]
        assert task["suggestion"]["label"] == source["label"]
        assert abs(task["suggestion"]["tone"] - source["tone"]) < 1e-3
        assert task["strategy"] == "random"


def test_diverse_spreads_over_the_embedding_space(scored, embed):
    tasks = sample_tasks(scored, 10, "diverse", embed=embed)
    index = {r["id"]: i for i, r in enumerate(scored)}
    vectors = embed([r["text"] for r in scored])
    chosen = [index[t["id"]] for t in tasks]
    assert len(set(chosen)) == 10
    diverse_radius = covering_radius(vectors, chosen)
    rng = random.Random(0)
    random_radii = [covering_radius(vectors, rng.sample(range(len(scored)), 10)) for _ in range(30)]
    assert diverse_radius < np.median(random_radii)

    def closest_pair(idx):
        sub = vectors[idx]
        d = np.linalg.norm(sub[:, None] - sub[None], axis=-1) + np.eye(len(idx)) * 9
        return d.min()

    random_closest = [closest_pair(rng.sample(range(len(scored)), 10)) for _ in range(30)]
    assert closest_pair(chosen) > np.median(random_closest)


def test_k_centre_on_known_points():
    clusters = np.array([[0, 0], [10, 0], [0, 10]], dtype=np.float32)
    points = np.concatenate([clusters + 0.1 * np.random.default_rng(0).standard_normal((3, 2)) for _ in range(5)])
    picks = k_centre(points, 3)
    assert sorted(i % 3 for i in picks) == [0, 1, 2]  # one from each cluster
    assert covering_radius(points, picks) < 1
    line = np.array([[0, 0], [1, 0], [2, 0], [3, 0], [9, 0]], dtype=np.float32)
    assert k_centre(line, 2, start=[0]) == [4, 3]  # farthest from the chosen first, then from both
    assert k_centre(np.zeros((4, 2)), 3) == [0]  # duplicates add nothing


def test_stratified_covers_every_label_and_document(scored):
    strata = {(r["label"], r["doc"]) for r in scored}
    tasks = sample_tasks(scored, len(strata), "stratified")
    assert {(t["suggestion"]["label"], t["doc"]) for t in tasks} == strata


def test_mix_is_half_uncertain_by_document_half_diverse(scored, embed):
    tasks = sample_tasks(scored, 10, "mix", embed=embed)
    assert [t["strategy"] for t in tasks] == ["uncertainty"] * 5 + ["diverse"] * 5
    docs = {r["doc"] for r in scored}
    assert {t["doc"] for t in tasks[:5]} == docs or len({t["doc"] for t in tasks[:5]}) >= min(5, len(docs))
    assert len({t["id"] for t in tasks}) == 10


def test_excluded_ids_never_return(scores_file, scored, embed, tmp_path):
    labelled = tmp_path / "labelled.jsonl"
    excluded = scored[::2]  # every other statement, so each strategy has its favourites taken
    labelled.write_text("".join(json.dumps({"id": r["id"], "text": r["text"], "label": "procedural"}) + "\n"
                                for r in excluded), encoding="utf-8")  # fmt: skip
    ids = {r["id"] for r in excluded}
    for strategy in ("uncertainty", "diverse", "stratified", "random", "mix"):
        tasks = sample_tasks(scored, len(scored), strategy, exclude=ids, embed=embed)
        chosen = {t["id"] for t in tasks}
        assert not chosen & ids, strategy
        assert chosen == {r["id"] for r in scored} - ids, strategy
    out = tmp_path / "tasks.jsonl"
    done = run_cli("sample", scores_file, "-n", "5", "--exclude", labelled, "-o", out)
    assert done.returncode == 0, done.stderr.decode()
    assert not {t["id"] for t in read_jsonl(out)} & ids
    assert "uncertainty" in done.stderr.decode()  # the default


def test_everything_excluded_or_not_a_score_file_is_one_line_exit_2(scores_file, tmp_path):
    done = run_cli("sample", scores_file, "-n", "5", "--exclude", scores_file, "-o", tmp_path / "t.jsonl")
    assert done.returncode == 2
    assert done.stderr.decode().strip().count("\n") == 0 and "already labelled" in done.stderr.decode()
    bad = tmp_path / "labelled.jsonl"
    bad.write_text('{"id": "a", "text": "Talks resumed.", "label": "procedural"}\n', encoding="utf-8")
    done = run_cli("sample", bad, "-n", "5", "-o", tmp_path / "t.jsonl")
    assert done.returncode == 2 and "not `detente score` output" in done.stderr.decode()
    assert not (tmp_path / "t.jsonl").exists()
