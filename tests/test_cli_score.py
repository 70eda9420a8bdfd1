"""`detente score` end to end: the real CLI in a subprocess, the bundled model, real files."""

from __future__ import annotations

import csv
import json
import shutil

import pytest

from detente.model.labels import LABELS

from .conftest import EXAMPLES, run_cli

RECORD_KEYS = {
    "id",
    "doc",
    "date",
    "index",
    "start",
    "end",
    "speaker",
    "speaker_kind",
    "text",
    "label",
    "probs",
    "tone",
    "model",
}


@pytest.fixture(scope="module")
def scored_examples(tmp_path_factory):
    out = tmp_path_factory.mktemp("score") / "examples.jsonl"
    result = run_cli("score", EXAMPLES, "-o", out, "--batch-size", "16")
    assert result.returncode == 0, result.stderr.decode()
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


def test_folder_scoring_gives_one_complete_record_per_statement(scored_examples):
    from detente.model.segmenter import segment

    expected = []
    for path in sorted(EXAMPLES.glob("*.txt")):
        expected += [(path.name, s.index, s.text) for s in segment(path.read_text(encoding="utf-8"), path.name)]
    assert [(r["doc"], r["index"], r["text"]) for r in scored_examples] == expected
    for record in scored_examples:
        assert set(record) == RECORD_KEYS
        assert record["id"] == f"{record['doc']}:{record['index']}"
        assert set(record["probs"]) == set(LABELS)
        assert sum(record["probs"].values()) == pytest.approx(1.0, abs=1e-4)
        assert record["label"] == max(record["probs"], key=record["probs"].get)
        assert record["tone"] == pytest.approx(record["probs"]["conciliatory"] - record["probs"]["critical"], abs=1e-5)
        assert record["model"].startswith("detente-stance")
        text = (EXAMPLES / record["doc"]).read_text(encoding="utf-8")
        assert text[record["start"] : record["end"]] == record["text"]
    assert {r["date"] for r in scored_examples if r["doc"].startswith("2022-01-10")} == {"2022-01-10"}


def test_csv_output_flattens_probabilities(tmp_path):
    article = EXAMPLES / "2023-11-02_grain_corridor.txt"
    out = tmp_path / "scores.csv"
    assert run_cli("score", article, "-o", out).returncode == 0
    jsonl = run_cli("score", article)
    assert jsonl.returncode == 0, jsonl.stderr.decode()
    records = [json.loads(line) for line in jsonl.stdout.decode().splitlines()]
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [row["text"] for row in rows] == [r["text"] for r in records] and len(rows) == 21
    for row, record in zip(rows, records, strict=True):
        assert row["label"] == record["label"] and row["id"] == record["id"]
        for label in LABELS:
            assert float(row[f"p_{label}"]) == pytest.approx(record["probs"][label], abs=1e-6)


def test_stdin_to_stdout_and_table():
    text = "date 2022-01-10 The delegations met in Geneva. “We hope for progress,” the envoy said.".encode()
    result = run_cli("score", "-", stdin=text)
    assert result.returncode == 0, result.stderr.decode()
    records = [json.loads(line) for line in result.stdout.decode().splitlines()]
    assert [r["text"] for r in records] == [
        "The delegations met in Geneva.",
        "“We hope for progress,” the envoy said.",
    ]
    assert records[0]["doc"] == "stdin" and records[0]["date"] == "2022-01-10"
    table = run_cli("score", "-", "--output-format", "table", stdin=text)
    assert table.returncode == 0
    lines = table.stdout.decode().splitlines()
    assert lines[0].split()[:4] == ["doc", "#", "label", "tone"] and len(lines) == 3


def test_jsonl_input_scores_each_record_and_keeps_its_id_and_fields(tmp_path):
    data = tmp_path / "labelled.jsonl"
    data.write_text(
        json.dumps({"id": "a-1", "text": "The talks were constructive.", "label": "conciliatory", "topic": "t"})
        + "\n"
        + json.dumps({"text": "The reply is unacceptable. It ignores our concerns."})
        + "\n",
        encoding="utf-8",
    )
    result = run_cli("score", data, "--input-format", "jsonl")
    assert result.returncode == 0, result.stderr.decode()
    records = [json.loads(line) for line in result.stdout.decode().splitlines()]
    assert [r["id"] for r in records] == ["a-1", "labelled.jsonl:1"]
    assert records[0]["gold_label"] == "conciliatory" and records[0]["topic"] == "t"
    assert records[1]["text"] == "The reply is unacceptable. It ignores our concerns."  # one statement, not split


def test_glob_selects_other_files(tmp_path):
    (tmp_path / "a.md").write_text("The envoys met on Monday.", encoding="utf-8")
    (tmp_path / "b.txt").write_text("Ignored by the glob.", encoding="utf-8")
    result = run_cli("score", tmp_path, "--glob", "*.md")
    assert result.returncode == 0, result.stderr.decode()
    assert [json.loads(line)["doc"] for line in result.stdout.decode().splitlines()] == ["a.md"]


def _bad(tmp_path, *args, stdin=None):
    out = tmp_path / "out.jsonl"
    result = run_cli("score", *args, "-o", out, stdin=stdin)
    err = result.stderr.decode().strip()
    assert result.returncode == 2, err
    assert len(err.splitlines()) == 1 and err.startswith("detente: error: "), err
    assert list(tmp_path.glob("out.jsonl*")) == []  # nothing half-written
    return err


def test_missing_path(tmp_path):
    assert "nowhere.txt: no such file or directory" in _bad(tmp_path, tmp_path / "nowhere.txt")


def test_directory_without_matching_files(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "notes.pdf").write_bytes(b"%PDF")
    assert "no files matching '*.txt'" in _bad(tmp_path, tmp_path / "docs")


def test_binary_file(tmp_path):
    path = tmp_path / "image.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert "image.txt: binary file" in _bad(tmp_path, path)


def test_non_utf8_file_names_the_byte_offset(tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes("The talks in Zürich went well.".encode("latin-1"))
    err = _bad(tmp_path, path)
    assert "latin1.txt: not UTF-8" in err and "0xfc at byte offset 14" in err


def test_empty_file(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_text("  \n\n", encoding="utf-8")
    assert "empty.txt: empty file" in _bad(tmp_path, path)


def test_one_bad_file_in_a_folder_stops_the_run_before_any_output(tmp_path):
    folder = tmp_path / "news"
    folder.mkdir()
    shutil.copy(EXAMPLES / "2023-11-02_grain_corridor.txt", folder / "a.txt")
    (folder / "b.txt").write_bytes(b"ok\xff")
    assert "b.txt: not UTF-8" in _bad(tmp_path, folder)


def test_jsonl_line_that_does_not_parse(tmp_path):
    path = tmp_path / "records.jsonl"
    path.write_text('{"id": "1", "text": "fine"}\n{"id": "2", "text": \n', encoding="utf-8")
    assert "records.jsonl:2: not valid JSON" in _bad(tmp_path, path, "--input-format", "jsonl")


def test_jsonl_record_without_text(tmp_path):
    path = tmp_path / "records.jsonl"
    path.write_text('{"id": "1", "text": "fine"}\n{"id": "2", "body": "no text"}\n', encoding="utf-8")
    assert "records.jsonl:2: record has no 'text'" in _bad(tmp_path, path, "--input-format", "jsonl")


def test_unknown_model_directory(tmp_path):
    err = _bad(tmp_path, EXAMPLES, "--model", tmp_path / "no-such-model")
    assert "no-such-model: model directory not found" in err


def test_directory_that_is_not_a_detente_model(tmp_path):
    fake = tmp_path / "hf-model"
    fake.mkdir()
    (fake / "config.json").write_text("{}")
    assert "hf-model: not a detente model" in _bad(tmp_path, EXAMPLES, "--model", fake)


def test_a_partial_file_from_an_interrupted_run_is_not_overwritten_without_resume(tmp_path):
    (tmp_path / "out.jsonl.partial").write_text('{"id": "x"}\n')
    result = run_cli("score", EXAMPLES, "-o", tmp_path / "out.jsonl")
    assert result.returncode == 2 and "--resume" in result.stderr.decode()
    assert (tmp_path / "out.jsonl.partial").read_text() == '{"id": "x"}\n'


def test_help_teaches_with_examples():
    result = run_cli("score", "--help")
    assert result.returncode == 0
    assert "examples:" in result.stdout.decode() and "--resume" in result.stdout.decode()


def test_files_with_the_same_name_in_two_folders_keep_distinct_document_names(tmp_path):
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "x.txt").write_text(f"Envoys from {folder} met on Monday.", encoding="utf-8")
    result = run_cli("score", tmp_path / "a", tmp_path / "b", "--backend", "onnx")
    assert result.returncode == 0, result.stderr.decode()
    docs = [json.loads(line)["doc"] for line in result.stdout.decode().splitlines()]
    assert docs == [str(tmp_path / "a" / "x.txt"), str(tmp_path / "b" / "x.txt")]
