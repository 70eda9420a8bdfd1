"""Interchange with the labelling tools teams already run: Label Studio, and spreadsheets.

Export (``detente sample --format label-studio``): tasks in Label Studio's
basic JSON import format (``data`` plus ``predictions``: the model's label as a
pre-annotation of a ``Choices`` control), and the labelling config naming the
three labels with the guide's one-line definitions, hotkeys 1/2/3.

Import (``detente labels import``): Label Studio's JSON export (tasks with
``annotations``), its JSON-MIN and CSV exports (one flat row per annotation),
and plain CSV as spreadsheets save it (``id``, ``text``, ``label``, optionally
``annotator`` and ``note``; BOM, CRLF, ``;`` separators, ``Critical`` typed by
hand). Labels are kept apart per annotator: one labelled file each.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import defaultdict
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

from detente.errors import DetenteError
from detente.labelled import canonical_label
from detente.model.labels import LABELS

#: The guide's one-line definition of each label (shared with the annotate page).
DEFINITIONS = {
    "conciliatory": "Openness, goodwill, hope or progress toward the talks.",
    "critical": "Disapproval, rejection, blame, threat or pessimism.",
    "procedural": "The process reported without an evaluation of it.",
}
FROM_NAME, TO_NAME = "stance", "text"


def label_config() -> str:
    """The Label Studio labelling config for detente's tasks."""
    choices = "\n".join(
        f'    <Choice value={quoteattr(label)} hint={quoteattr(DEFINITIONS[label])} hotkey="{i}"/>'
        for i, label in enumerate(LABELS, start=1)
    )
    return f"""<View>
  <Header value="Context"/>
  <Text name="context" value="$context"/>
  <Header value="Statement: what stance does it express toward the negotiations?"/>
  <Text name="{TO_NAME}" value="${TO_NAME}"/>
  <Choices name="{FROM_NAME}" toName="{TO_NAME}" choice="single-radio" showInline="true" required="true">
{choices}
  </Choices>
  <TextArea name="note" toName="{TO_NAME}" placeholder="note (optional)" maxSubmissions="1" editable="true"/>
</View>
"""


def to_label_studio(task: dict[str, Any]) -> dict[str, Any]:
    """One detente task as a Label Studio task with the model's suggestion as a prediction."""
    suggestion = task.get("suggestion") or {}
    data = {"text": task["text"], "statement_id": task["id"]}
    data["context"] = " ".join([*task.get("context_before", []), f"【{task['text']}】", *task.get("context_after", [])])
    for key in ("doc", "index", "date", "speaker", "topic", "strategy"):
        if task.get(key) not in (None, ""):
            data[key] = task[key]
    out: dict[str, Any] = {"data": data}
    if suggestion.get("label"):
        probs = suggestion.get("probs") or {}
        out["predictions"] = [{
            "model_version": suggestion.get("model") or "detente",
            "score": probs.get(suggestion["label"]),
            "result": [{"from_name": FROM_NAME, "to_name": TO_NAME, "type": "choices",
                        "value": {"choices": [suggestion["label"]]}}],
        }]  # fmt: skip
    return out


def write_label_studio(tasks: list[dict[str, Any]], output: str | Path) -> tuple[Path, Path]:
    """``OUT`` (the tasks, a JSON list) and ``OUT``'s stem + ``.label-config.xml`` beside it."""
    output = Path(output)
    config = output.with_name(output.name.removesuffix(".json") + ".label-config.xml")
    output.write_text(json.dumps([to_label_studio(t) for t in tasks], ensure_ascii=False, indent=1) + "\n",
                      encoding="utf-8")  # fmt: skip
    config.write_text(label_config(), encoding="utf-8")
    return output, config


# --- import -----------------------------------------------------------------------------------------


def _annotator_name(value: Any) -> str:
    """Label Studio's ``completed_by`` is an id, or (in some exports) a user object; a CSV has a name."""
    if isinstance(value, dict):
        value = value.get("email") or value.get("username") or value.get("id")
    return str(value).strip() if value not in (None, "") else ""


def _choice(value: Any) -> Any:
    """A JSON-MIN/CSV label cell: ``critical``, ``{"choices": [...]}`` or its JSON text."""
    if isinstance(value, str) and value.strip().startswith("{"):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            pass
    if isinstance(value, dict):
        value = (value.get("choices") or [None])[0]
    if isinstance(value, list):
        value = value[0] if value else None
    return canonical_label(value)


def _from_full(task: dict[str, Any], where: str) -> list[dict[str, Any]]:
    """Records from one task of Label Studio's JSON export: one per (non-cancelled) annotation."""
    data = task.get("data") or {}
    out = []
    for ann in task.get("annotations") or []:
        if ann.get("was_cancelled"):
            continue
        label, note = None, None
        for result in ann.get("result") or []:
            value = result.get("value") or {}
            if result.get("type") == "choices" and value.get("choices"):
                label = canonical_label(value["choices"][0])
            elif result.get("type") == "textarea" and value.get("text"):
                note = " ".join(value["text"]) if isinstance(value["text"], list) else str(value["text"])
        if label is None:
            continue
        out.append({
            "id": data.get("statement_id", data.get("id", task.get("id"))), "text": data.get("text"),
            "label": label, "annotator": _annotator_name(ann.get("completed_by")), "note": note,
            "labelled_at": ann.get("updated_at") or ann.get("created_at"), "data": data, "where": where,
        })  # fmt: skip
    return out


def _from_flat(row: dict[str, Any], where: str, label_field: str | None) -> dict[str, Any] | None:
    """A record from a JSON-MIN/CSV export row or a spreadsheet row; ``None`` for a row not labelled yet."""
    fields = [label_field] if label_field else ["label", FROM_NAME]
    found = [f for f in fields if f in row]
    if not found:
        raise DetenteError(where, f"no label column (expected {' or '.join(repr(f) for f in fields)})")
    label = _choice(row[found[0]])
    if label in (None, ""):
        return None
    record_id = row.get("statement_id") or row.get("id")
    note = row.get("note")
    if isinstance(note, dict):
        note = note.get("text")
    return {
        "id": record_id, "text": row.get("text"), "label": label, "annotator": _annotator_name(row.get("annotator")),
        "note": note or None, "labelled_at": row.get("labelled_at") or row.get("updated_at") or row.get("created_at"),
        "data": row, "where": where,
    }  # fmt: skip


def _read_csv(path: Path) -> list[tuple[str, dict[str, Any]]]:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252")  # Excel's plain "CSV" on Windows; "CSV UTF-8" has a BOM
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text, newline=""), dialect=dialect)
    if reader.fieldnames:
        reader.fieldnames = [name.strip().lower() for name in reader.fieldnames]
    return [(f"{path}:{reader.line_num}", {k: v for k, v in row.items() if k is not None}) for row in reader]


def read_export(path: str | Path, label_field: str | None = None, annotator: str | None = None):
    """All labelled records of an export, each with ``annotator``; rows without a label are left out."""
    path = Path(path)
    if not path.is_file():
        raise DetenteError(path, "no such file" if not path.exists() else "not a file")
    records: list[dict[str, Any]] = []
    if path.suffix.lower() == ".csv":
        for where, row in _read_csv(path):
            if (record := _from_flat(row, where, label_field)) is not None:
                records.append(record)
    else:
        try:
            items = json.loads(path.read_text(encoding="utf-8-sig"))
        except (json.JSONDecodeError, UnicodeDecodeError) as err:
            raise DetenteError(path, f"not a Label Studio JSON export ({err})") from None
        if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
            raise DetenteError(path, "not a Label Studio JSON export (expected a list of tasks)")
        for n, item in enumerate(items, start=1):
            where = f"{path}: task {n}"
            if "annotations" in item or "data" in item:
                records += _from_full(item, where)
            elif (record := _from_flat(item, where, label_field)) is not None:
                records.append(record)
    for record in records:
        if annotator:
            record["annotator"] = annotator
        if record["id"] in (None, ""):
            raise DetenteError(record["where"], "no statement id ('statement_id' or 'id')")
        if not isinstance(record["text"], str) or not record["text"].strip():
            raise DetenteError(record["where"], "no 'text'")
        if record["label"] not in LABELS:
            raise DetenteError(record["where"],
                               f"unknown label {record['label']!r} (expected one of {', '.join(LABELS)})")  # fmt: skip
    if not records:
        raise DetenteError(path, "no labelled records")
    return records


def labelled_record(record: dict[str, Any]) -> dict[str, Any]:
    """The project's labelled format (see the guide's "File format"), with annotator and timestamp."""
    data = record["data"]
    out: dict[str, Any] = {"id": str(record["id"]), "text": record["text"], "label": record["label"]}
    for key, value in (("speaker", data.get("speaker")), ("source", data.get("source") or data.get("doc")),
                       ("date", data.get("date")), ("topic", data.get("topic")), ("note", record["note"])):  # fmt: skip
        if value not in (None, ""):
            out[key] = value
    out["annotator"] = record["annotator"] or "unknown"
    if record["labelled_at"]:
        out["labelled_at"] = record["labelled_at"]
    return out


def by_annotator(records: list[dict[str, Any]]) -> tuple[dict[str, list[dict[str, Any]]], int]:
    """Labelled records per annotator, each id once (a later annotation replaces an earlier); and how many were."""
    groups: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    replaced = 0
    for record in map(labelled_record, records):
        bucket = groups[record["annotator"]]
        replaced += record["id"] in bucket
        bucket.pop(record["id"], None)
        bucket[record["id"]] = record
    return {name: list(bucket.values()) for name, bucket in groups.items()}, replaced


def output_paths(output: str | Path, annotators: list[str]) -> dict[str, Path]:
    """``OUT`` for a single annotator; ``OUT-stem.<annotator>.jsonl`` each when there are several."""
    output = Path(output)
    if len(annotators) == 1:
        return {annotators[0]: output}
    stem = output.name.removesuffix(".jsonl")
    slug = lambda name: re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("._") or "unknown"  # noqa: E731
    paths = {name: output.with_name(f"{stem}.{slug(name)}.jsonl") for name in annotators}
    if len(set(paths.values())) < len(paths):
        raise DetenteError(output, "two annotators' names make the same file name")
    return paths


def import_labels(paths: list[str | Path], output: str | Path, label_field=None, annotator=None):
    """Read exports, write one labelled JSONL per annotator; returns [(path, annotator, count)] and replaced."""
    records = [r for path in paths for r in read_export(path, label_field, annotator)]
    groups, replaced = by_annotator(records)
    written = []
    for name, path in output_paths(output, sorted(groups)).items():
        text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in groups[name])
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
        written.append((path, name, len(groups[name])))
    return written, replaced
