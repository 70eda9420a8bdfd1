"""Training data: labelled JSONL and CSV files become validated ``datasets.Dataset`` splits."""

from __future__ import annotations

import json

import pytest
from datasets import Dataset

from detente.errors import DetenteError
from detente.training.config import load_config
from detente.training.data import concatenate, labelled_dataset, load_splits, load_unlabelled

from .conftest import ROOT


def _jsonl(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_csv_and_jsonl_load_as_the_same_dataset(tmp_path):
    rows = [
        {"id": "007", "text": "The sides met in Geneva, on schedule.", "label": "procedural", "date": "2022-01-10"},
        {"id": "008", "text": "We reject this ultimatum.", "label": "critical", "date": "2022-01-11"},
    ]
    jsonl = _jsonl(tmp_path / "set.jsonl", rows)
    csv = tmp_path / "set.csv"
    csv.write_text(
        'id,text,label,date\n007,"The sides met in Geneva, on schedule.",procedural,2022-01-10\n'
        "008,We reject this ultimatum.,critical,2022-01-11\n",
        encoding="utf-8",
    )
    from_jsonl, from_csv = labelled_dataset([jsonl]), labelled_dataset([csv])
    assert isinstance(from_csv, Dataset)
    # dates stay text, not timestamps; a statement without a document is its own document
    expected = [{"source": "", "topic": "", "origin": "", "doc": r["id"], **r} for r in rows]
    assert from_jsonl.to_list() == from_csv.to_list() == expected


def test_a_bad_record_is_named_by_file_and_line(tmp_path):
    csv = tmp_path / "set.csv"
    csv.write_text('id,text,label\n1,"a quoted\nline break",critical\n2,Fine.,hopeful\n', encoding="utf-8")
    with pytest.raises(DetenteError, match=r"set\.csv:4: unknown label 'hopeful'"):
        labelled_dataset([csv])


def test_without_dev_files_dev_is_cut_from_train_by_document():
    config = load_config(
        ROOT / "configs" / "default.yaml",
        [f"data.train_files=[{ROOT / 'data' / 'splits' / 'train.jsonl'}]", "data.dev_files=[]", "data.test_files=[]"],
    )
    splits = load_splits(config)
    train_ids, dev_ids = set(splits["train"]["id"]), set(splits["dev"]["id"])
    total = len((ROOT / "data" / "splits" / "train.jsonl").read_text(encoding="utf-8").splitlines())
    assert len(train_ids) + len(dev_ids) == total and not train_ids & dev_ids and len(splits["test"]) == 0
    by_id = {r["id"]: r["source"] for r in map(json.loads, (ROOT / "data" / "splits" / "train.jsonl").open())}
    assert not {by_id[i] for i in train_ids} & {by_id[i] for i in dev_ids}


def test_unlabelled_statements_drop_blanks_and_join_the_labelled_set(tmp_path):
    path = _jsonl(tmp_path / "u.jsonl", [{"text": "Talks resume on Monday."}, {"text": "  "}, {"text": "No deal."}])
    unlabelled = load_unlabelled([str(path)])
    assert list(unlabelled["text"]) == ["Talks resume on Monday.", "No deal."]
    one = {"id": 1, "text": "We agree.", "label": "conciliatory"}
    labelled = labelled_dataset([_jsonl(tmp_path / "l.jsonl", [one])])
    joined = concatenate(labelled, unlabelled)
    assert list(joined["label"]) == ["conciliatory", None, None] and joined[0]["id"] == "1"
    with pytest.raises(DetenteError, match="missing.jsonl: no such file"):
        load_unlabelled([str(tmp_path / "missing.jsonl")])
