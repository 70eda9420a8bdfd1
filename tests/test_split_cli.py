"""`detente split`: fixed train/dev/test files by document, reproducible from a seed."""

from __future__ import annotations

import json

from .conftest import ROOT, run_cli


def _read(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_split_keeps_documents_whole_and_is_reproducible(tmp_path):
    data = ROOT / "data" / "corpus" / "written-wa.jsonl"
    for name in ("a", "b"):
        result = run_cli("split", data, "-o", tmp_path / name, "--seed", "5")
        assert result.returncode == 0, result.stderr.decode()
    parts = {name: _read(tmp_path / "a" / f"{name}.jsonl") for name in ("train", "dev", "test")}
    assert sum(map(len, parts.values())) == len(_read(data))
    docs = {name: {r["source"] for r in records} for name, records in parts.items()}
    assert not (docs["train"] & docs["dev"] or docs["train"] & docs["test"] or docs["dev"] & docs["test"])
    assert 0.08 < len(parts["test"]) / len(_read(data)) < 0.25
    for name in ("train", "dev", "test"):
        assert (tmp_path / "a" / f"{name}.jsonl").read_bytes() == (tmp_path / "b" / f"{name}.jsonl").read_bytes()


def test_split_refuses_a_set_with_unknown_labels(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"id": "1", "text": "x", "label": "hostile"}) + "\n", encoding="utf-8")
    result = run_cli("split", bad, "-o", tmp_path / "out")
    assert result.returncode == 2 and "bad.jsonl:1: unknown label 'hostile'" in result.stderr.decode()
    assert not (tmp_path / "out").exists()


def test_holdout_by_context_keeps_whole_negotiations_out_of_training(tmp_path):
    data = sorted((ROOT / "data" / "corpus").glob("*.jsonl"))
    args = ["--holdout-field", "topic", "--eval-only", "origin=real-news-paraphrased", "--seen-test-fraction", "0.1"]
    for name in ("a", "b"):
        result = run_cli("split", *data, "-o", tmp_path / name, "--seed", "7", *args)
        assert result.returncode == 0, result.stderr.decode()
        assert "contexts" in result.stderr.decode()
    names = ("train", "dev", "test", "test_seen", "left_out")
    parts = {name: _read(tmp_path / "a" / f"{name}.jsonl") for name in names}
    topics = {name: {r["topic"] for r in records} for name, records in parts.items()}
    assert not topics["train"] & topics["test"] and not topics["train"] & topics["dev"]
    assert not topics["dev"] & topics["test"] and topics["left_out"] <= topics["dev"] | topics["test"]
    for name in ("dev", "test", "test_seen"):
        assert {r["origin"] for r in parts[name]} == {"real-news-paraphrased"}
    docs = {name: {r["source"] for r in records} for name, records in parts.items()}
    assert not docs["test_seen"] & docs["train"]
    real = sum(r["origin"] == "real-news-paraphrased" for r in sum(parts.values(), []))
    assert 0.15 < len(parts["test"]) / real < 0.3
    for name in names:
        assert (tmp_path / "a" / f"{name}.jsonl").read_bytes() == (tmp_path / "b" / f"{name}.jsonl").read_bytes()


def test_named_held_out_contexts_and_hashed_documents_stay_put_when_data_is_added(tmp_path):
    corpus = sorted((ROOT / "data" / "corpus").glob("real-news-*.jsonl"))
    extra = tmp_path / "more.jsonl"
    extra.write_text(
        "".join(json.dumps({"id": f"x{i}", "text": f"Talks in round {i} went well.", "label": "conciliatory",
                            "source": f"x-doc-{i // 5}", "topic": "new-talks", "origin": "real-news-paraphrased"})
                 + "\n" for i in range(40)),
        encoding="utf-8",
    )  # fmt: skip
    args = ["--holdout-field", "topic", "--eval-only", "origin=real-news-paraphrased", "--seen-test-fraction", "0.1",
            "--test-values", "black-sea-grain,wto-talks", "--dev-values", "nafta-usmca"]  # fmt: skip
    assert run_cli("split", *corpus, "-o", tmp_path / "before", *args).returncode == 0
    assert run_cli("split", *corpus, extra, "-o", tmp_path / "after", *args).returncode == 0
    for name in ("dev", "test"):
        assert (tmp_path / "before" / f"{name}.jsonl").read_bytes() == (
            tmp_path / "after" / f"{name}.jsonl"
        ).read_bytes()
    before = {r["id"] for r in _read(tmp_path / "before" / "test_seen.jsonl")}
    after = {r["id"] for r in _read(tmp_path / "after" / "test_seen.jsonl")}
    assert before == {i for i in after if not i.startswith("x")}
    assert {r["topic"] for r in _read(tmp_path / "before" / "test.jsonl")} == {"black-sea-grain", "wto-talks"}
