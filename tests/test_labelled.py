import json

import pytest

from detente.errors import DetenteError
from detente.labelled import fingerprint, read_labelled

from .conftest import ROOT


def _write(tmp_path, rows):
    path = tmp_path / "set.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


GOOD = {"id": "1", "text": "The sides met.", "label": "procedural"}


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([GOOD, {**GOOD, "id": "2", "label": "neutral"}], "set.jsonl:2: unknown label 'neutral'"),
        ([GOOD, {"id": "2", "label": "critical"}], "set.jsonl:2: record has no 'text'"),
        ([{"text": "x", "label": "critical"}], "set.jsonl:1: record has no 'id'"),
        ([GOOD, {"id": "2", "text": "x"}], "set.jsonl:2: record has no 'label'"),
        ([GOOD, GOOD], "set.jsonl:2: duplicate id '1'"),
        ([], "set.jsonl: no records"),
    ],
)
def test_bad_labelled_sets_name_file_and_line(tmp_path, rows, message):
    with pytest.raises(DetenteError, match=message.replace("'", ".")):
        read_labelled([_write(tmp_path, rows)])


def test_csv_sets_are_read_too(tmp_path):
    path = tmp_path / "set.csv"
    path.write_text("id,text,label\n1,The sides met.,procedural\n2,We reject it.,critical\n", encoding="utf-8")
    assert [r["label"] for r in read_labelled([path])] == ["procedural", "critical"]


def test_fingerprint_depends_on_content_not_order():
    a = [GOOD, {**GOOD, "id": "2"}]
    assert fingerprint(a) == fingerprint(a[::-1])
    assert fingerprint(a) != fingerprint([GOOD, {**GOOD, "id": "2", "label": "critical"}])


def test_the_project_corpus_is_valid_and_split_by_document():
    corpus = read_labelled(sorted((ROOT / "data" / "corpus").glob("*.jsonl")))
    names = ("train", "dev", "test", "test_seen", "left_out")
    splits = {name: read_labelled([ROOT / "data" / "splits" / f"{name}.jsonl"]) for name in names}
    assert sum(map(len, splits.values())) == len(corpus) >= 4000
    docs = {name: {r["source"] for r in records} for name, records in splits.items()}
    for a, b in [(a, b) for a in names for b in names if a < b]:
        assert not docs[a] & docs[b], (a, b)
    # dev and test are real news from whole negotiations that nothing in train is about
    contexts = {name: {r["topic"] for r in records} for name, records in splits.items()}
    assert not contexts["train"] & (contexts["dev"] | contexts["test"])
    assert not contexts["dev"] & contexts["test"] and len(contexts["test"]) >= 8
    for name in ("dev", "test", "test_seen"):
        assert {r["origin"] for r in splits[name]} == {"real-news-paraphrased"}


def test_a_spreadsheet_csv_with_bom_crlf_and_hand_typed_labels_is_read(tmp_path):
    path = tmp_path / "labels.csv"
    rows = "id,text,label\r\n1,We welcome the offer.,Critical \r\n2,Talks resume today., PROCEDURAL\r\n"
    path.write_bytes(b"\xef\xbb\xbf" + rows.encode("utf-8"))
    records = read_labelled([path])
    assert [(r["id"], r["label"]) for r in records] == [("1", "critical"), ("2", "procedural")]


def test_a_jsonl_file_with_bom_and_crlf_is_read(tmp_path):
    path = tmp_path / "labels.jsonl"
    lines = (
        '{"id": "a", "text": "Talks resume.", "label": "procedural"}\r\n'
        '{"id": "b", "text": "No.", "label": "critical"}\r\n'
    )
    path.write_bytes(b"\xef\xbb\xbf" + lines.encode("utf-8"))
    assert [r["id"] for r in read_labelled([path])] == ["a", "b"]


def test_a_label_that_is_not_one_of_the_three_still_names_file_and_line(tmp_path):
    path = tmp_path / "labels.csv"
    path.write_text("id,text,label\n1,We welcome the offer.,positive\n", encoding="utf-8")
    with pytest.raises(DetenteError, match=r"labels.csv:2: unknown label 'positive'"):
        read_labelled([path])
