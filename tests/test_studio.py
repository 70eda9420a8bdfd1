"""Label Studio interchange on its documented JSON formats, and spreadsheet CSV, round trip."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from detente.labelling.studio import FROM_NAME, TO_NAME
from detente.model.labels import LABELS

from .conftest import run_cli


def export_tasks(scores_file, tmp_path, n=8):
    out = tmp_path / "tasks.json"
    done = run_cli("sample", scores_file, "-n", n, "--strategy", "uncertainty", "--format", "label-studio", "-o", out)
    assert done.returncode == 0, done.stderr.decode()
    return json.loads(out.read_text(encoding="utf-8")), tmp_path / "tasks.label-config.xml"


def test_label_studio_tasks_carry_the_suggestion_as_a_prediction_and_a_config(scores_file, tmp_path):
    tasks, config_path = export_tasks(scores_file, tmp_path)
    assert len(tasks) == 8
    config = ET.fromstring(config_path.read_text(encoding="utf-8"))
    text_tags = {t.get("name"): t.get("value") for t in config.iter("Text")}
    assert text_tags[TO_NAME] == f"${TO_NAME}" and text_tags["context"] == "$context"
    (choices,) = config.iter("Choices")
    assert choices.get("name") == FROM_NAME and choices.get("toName") == TO_NAME
    assert [c.get("value") for c in choices.iter("Choice")] == list(LABELS)
    assert all(c.get("hint") for c in choices.iter("Choice"))
    scores = {json.loads(line)["id"]: json.loads(line) for line in open(scores_file, encoding="utf-8")}
    for task in tasks:
        data = task["data"]
        source = scores[data["statement_id"]]
        assert data["text"] == source["text"] and source["text"] in data["context"]
        (prediction,) = task["predictions"]
        (result,) = prediction["result"]
        assert result == {"from_name": FROM_NAME, "to_name": TO_NAME, "type": "choices",
                          "value": {"choices": [source["label"]]}}  # fmt: skip
        assert abs(prediction["score"] - source["probs"][source["label"]]) < 1e-3
        assert prediction["model_version"] == source["model"]


def annotated(tasks, annotators):
    """What Label Studio's JSON export holds after each annotator labelled every task (its documented shape)."""
    out = []
    for n, task in enumerate(tasks, start=1):
        annotations = []
        for user_id, pick in annotators.items():
            label = pick(n)
            result = [{"id": f"r{n}{user_id}", "from_name": FROM_NAME, "to_name": TO_NAME, "type": "choices",
                       "origin": "manual", "value": {"choices": [label]}}]  # fmt: skip
            if n == 2:
                result.append({"id": "t1", "from_name": "note", "to_name": TO_NAME, "type": "textarea",
                               "value": {"text": ["rule 9"]}})  # fmt: skip
            annotations.append({
                "id": 100 * n + user_id, "completed_by": user_id, "result": result, "was_cancelled": False,
                "ground_truth": False, "created_at": "2026-01-05T10:00:00.000000Z",
                "updated_at": "2026-01-05T10:00:00.000000Z", "lead_time": 4.2, "task": n,
            })  # fmt: skip
        if n == 3:  # a skipped (cancelled) annotation carries no label
            annotations.append({"id": 999, "completed_by": 3, "result": [], "was_cancelled": True, "task": n})
        out.append({"id": n, "data": task["data"], "annotations": annotations, "predictions": task["predictions"],
                    "project": 1, "created_at": "2026-01-05T09:00:00Z"})  # fmt: skip
    return out


def test_label_studio_json_export_round_trip_keeps_annotators_apart(scores_file, tmp_path):
    tasks, _ = export_tasks(scores_file, tmp_path)
    picks = {1: lambda n: LABELS[n % 3], 2: lambda n: LABELS[(n // 2) % 3]}
    export = tmp_path / "project-1-at-2026-01-05.json"
    export.write_text(json.dumps(annotated(tasks, picks)), encoding="utf-8")
    done = run_cli("labels", "import", export, "-o", tmp_path / "labelled.jsonl")
    assert done.returncode == 0, done.stderr.decode()
    for user_id, pick in picks.items():
        records = [json.loads(line) for line in open(tmp_path / f"labelled.{user_id}.jsonl", encoding="utf-8")]
        assert [r["id"] for r in records] == [t["data"]["statement_id"] for t in tasks]
        assert [r["label"] for r in records] == [pick(n) for n in range(1, len(tasks) + 1)]
        assert [r["text"] for r in records] == [t["data"]["text"] for t in tasks]
        assert all(r["annotator"] == str(user_id) and r["labelled_at"] for r in records)
        assert records[1]["note"] == "rule 9" and records[0]["source"] == tasks[0]["data"]["doc"]
    assert not (tmp_path / "labelled.3.jsonl").exists()  # only a cancelled annotation
    done = run_cli("agreement", tmp_path / "labelled.1.jsonl", tmp_path / "labelled.2.jsonl")
    assert done.returncode == 0 and "8 statements" in done.stdout.decode()


def test_label_studio_json_min_export(scores_file, tmp_path):
    tasks, _ = export_tasks(scores_file, tmp_path, n=4)
    rows = []
    for n, task in enumerate(tasks, start=1):
        for email, label in (("ana@example.org", LABELS[n % 3]), ("ben@example.org", LABELS[0])):
            rows.append({**task["data"], "id": n, FROM_NAME: label, "annotator": email, "annotation_id": len(rows),
                         "created_at": "2026-01-05T10:00:00Z", "updated_at": "2026-01-05T10:00:00Z",
                         "lead_time": 3.1})  # fmt: skip
    export = tmp_path / "min.json"
    export.write_text(json.dumps(rows), encoding="utf-8")
    done = run_cli("labels", "import", export, "-o", tmp_path / "out.jsonl")
    assert done.returncode == 0, done.stderr.decode()
    ana = [json.loads(line) for line in open(tmp_path / "out.ana_example.org.jsonl", encoding="utf-8")]
    ben = [json.loads(line) for line in open(tmp_path / "out.ben_example.org.jsonl", encoding="utf-8")]
    assert [r["label"] for r in ana] == [LABELS[n % 3] for n in range(1, 5)]
    assert {r["label"] for r in ben} == {LABELS[0]} and ben[0]["annotator"] == "ben@example.org"
    assert [r["id"] for r in ana] == [t["data"]["statement_id"] for t in tasks]


def test_spreadsheet_csv_as_saved_by_excel(tmp_path):
    sheet = tmp_path / "sheet.csv"
    rows = ["id;text;label;note", "a1;Talks resumed in Geneva.;Procedural ;",
            'a2;"We reject this; it is a farce.";CRITICAL;', "a3;Both sides were constructive.;conciliatory;rule 11",
            "a4;Not labelled yet.;;"]  # fmt: skip
    sheet.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(rows).encode("utf-8") + b"\r\n")
    done = run_cli("labels", "import", sheet, "-o", tmp_path / "carol.jsonl", "--annotator", "carol")
    assert done.returncode == 0, done.stderr.decode()
    records = [json.loads(line) for line in open(tmp_path / "carol.jsonl", encoding="utf-8")]
    assert [(r["id"], r["label"]) for r in records] == [("a1", "procedural"), ("a2", "critical"),
                                                         ("a3", "conciliatory")]  # fmt: skip
    assert records[1]["text"] == "We reject this; it is a farce." and records[2]["note"] == "rule 11"
    assert {r["annotator"] for r in records} == {"carol"}


def test_not_an_export_is_one_line_exit_2(tmp_path):
    bad = tmp_path / "export.json"
    bad.write_text('{"tasks": 3}', encoding="utf-8")
    done = run_cli("labels", "import", bad, "-o", tmp_path / "out.jsonl")
    assert done.returncode == 2 and "not a Label Studio JSON export" in done.stderr.decode()
    sheet = tmp_path / "sheet.csv"
    sheet.write_text("id,text,label\nx1,Talks resumed.,friendly\n", encoding="utf-8")
    done = run_cli("labels", "import", sheet, "-o", tmp_path / "out.jsonl")
    assert done.returncode == 2 and "unknown label 'friendly'" in done.stderr.decode()
    assert not (tmp_path / "out.jsonl").exists()
