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
