"""Reading statement records (JSONL or CSV) and checking them against the guide's format.

Shared by scoring (``--input-format jsonl``), training and evaluation, so a bad
file gets the same one-line error everywhere: the file, the line, the problem.
Records are streamed, so a large unlabelled file is never held whole.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TextIO

from detente.errors import DetenteError
from detente.model.labels import LABELS

REQUIRED_LABELLED = ("id", "text", "label")


def iter_records(path: str | Path, handle: TextIO | None = None) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, record) for each record of a ``.jsonl`` or ``.csv`` file (or an open ``handle``)."""
    path = Path(path)
    if handle is None:
        if not path.is_file():
            raise DetenteError(path, "no such file" if not path.exists() else "not a file")
        # utf-8-sig: files saved by spreadsheets and Windows editors start with a byte-order mark.
        handle = path.open(encoding="utf-8-sig", newline="")
    try:
        with handle:
            if path.suffix.lower() == ".csv":
                reader = csv.DictReader(handle)
                if reader.fieldnames:
                    reader.fieldnames = [name.lstrip("\ufeff").strip() for name in reader.fieldnames]
                for row in reader:
                    yield reader.line_num, {k: v for k, v in row.items() if k is not None}
                return
            for line_no, line in enumerate(handle, start=1):
                if line_no == 1:
                    line = line.lstrip("\ufeff")
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as err:
                    raise DetenteError(f"{path}:{line_no}", f"not valid JSON ({err.msg})") from None
                if not isinstance(record, dict):
                    raise DetenteError(f"{path}:{line_no}", "a record must be a JSON object")
                yield line_no, record
    except UnicodeDecodeError as err:
        raise DetenteError(path, f"not UTF-8 text (byte 0x{err.object[err.start]:02x})") from None


def check_text(path: Path, line_no: int, record: dict[str, Any]) -> str:
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        raise DetenteError(f"{path}:{line_no}", "record has no 'text'")
    return text


def read_labelled(paths: Iterable[str | Path]) -> list[dict[str, Any]]:
    """All records of hand-labelled files, validated: required fields, known labels, unique ids."""
    records: list[dict[str, Any]] = []
    seen: dict[str, str] = {}
    for path in map(Path, paths):
        count = 0
        for line_no, record in iter_records(path):
            where = f"{path}:{line_no}"
            for key in REQUIRED_LABELLED:
                if record.get(key) in (None, ""):
                    raise DetenteError(where, f"record has no '{key}'")
            check_text(path, line_no, record)
            record["id"] = str(record["id"])
            record["label"] = canonical_label(record["label"])
            if record["label"] not in LABELS:
                raise DetenteError(where, f"unknown label {record['label']!r} (expected one of {', '.join(LABELS)})")
            if record["id"] in seen:
                raise DetenteError(where, f"duplicate id {record['id']!r} (first at {seen[record['id']]})")
            seen[record["id"]] = where
            records.append(record)
            count += 1
        if count == 0:
            raise DetenteError(path, "no records")
    return records


def canonical_label(label: Any) -> Any:
    """ " Critical" and "CRITICAL" as typed by hand are "critical"; anything else is left to be refused."""
    if isinstance(label, str) and label.strip().lower() in LABELS:
        return label.strip().lower()
    return label


def fingerprint(records: Iterable[dict[str, Any]]) -> str:
    """SHA-256 over (id, text, label): names the exact data a model was trained or scored on."""
    digest = hashlib.sha256()
    for record in sorted(records, key=lambda r: str(r["id"])):
        digest.update(json.dumps([str(record["id"]), record["text"], record.get("label")]).encode())
    return digest.hexdigest()
