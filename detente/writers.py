"""Writing scored records: JSONL, CSV or a table, atomically and resumably.

A file output is written to ``OUT.partial`` and renamed to ``OUT`` only when the
run completes, so a reader never sees half a result. After each chunk the
writer records in ``OUT.partial.json`` how many records and bytes are safely on
disk; ``--resume`` truncates the partial file to that point and skips that many
statements, so an interrupted run loses at most one chunk of work, never records.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TextIO

from detente.errors import DetenteError
from detente.model.labels import LABELS

FORMATS = ("jsonl", "csv", "table", "parquet")
CSV_COLUMNS = (
    ["id", "doc", "date", "index", "start", "end", "speaker", "speaker_kind", "text", "label"]
    + [f"p_{label}" for label in LABELS]
    + ["tone", "model", "gold_label"]
)


def format_for(path: str | None, explicit: str | None) -> str:
    """``--output-format`` if given, else from the output file's suffix, else JSONL."""
    if explicit:
        return explicit
    if path and path.lower().endswith(".csv"):
        return "csv"
    if path and path.lower().endswith(".parquet"):
        return "parquet"
    return "jsonl"


def open_writer(out: str | None, fmt: str, run_key: str, resume: bool = False):
    """The writer for a format: Parquet has its own (chunks as part files), the rest share RecordWriter."""
    if fmt == "parquet":
        from detente.parquet import ParquetRecordWriter

        return ParquetRecordWriter(out, fmt, run_key, resume)
    return RecordWriter(out, fmt, run_key, resume)


def _csv_row(record: dict[str, Any]) -> dict[str, Any]:
    row = {key: record.get(key) for key in CSV_COLUMNS}
    for label in LABELS:
        row[f"p_{label}"] = record["probs"][label]
    return row


class _Encoder:
    """Turns records into text in one format; CSV remembers whether its header is out."""

    def __init__(self, fmt: str, header_written: bool = False):
        self.fmt = fmt
        self.header_written = header_written

    def encode(self, records: Iterable[dict[str, Any]]) -> str:
        buffer = io.StringIO()
        if self.fmt == "jsonl":
            for record in records:
                buffer.write(json.dumps(record, ensure_ascii=False) + "\n")
        elif self.fmt == "csv":
            writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n")
            if not self.header_written:
                writer.writeheader()
                self.header_written = True
            writer.writerows(_csv_row(r) for r in records)
        else:
            for record in records:
                doc = record["doc"] if len(record["doc"]) <= 28 else "…" + record["doc"][-27:]
                text = record["text"] if len(record["text"]) <= 80 else record["text"][:79] + "…"
                buffer.write(f"{doc:<28} {record['index']:>4} {record['label']:<13} {record['tone']:+.2f}  {text}\n")
        return buffer.getvalue()


class PartialFiles:
    """Where a file output lives until it is complete: the names every writer and --resume share."""

    out: Path

    @property
    def partial(self) -> Path:
        return self.out.with_name(self.out.name + ".partial")

    @property
    def progress(self) -> Path:
        return self.out.with_name(self.out.name + ".partial.json")


class RecordWriter(PartialFiles):
    """Context manager: ``with RecordWriter(out, fmt, run_key, resume) as w: w.skip; w.write(chunk)``."""

    def __init__(self, out: str | None, fmt: str, run_key: str, resume: bool = False, stream: TextIO | None = None):
        if fmt not in FORMATS:
            raise DetenteError(None, f"unknown output format {fmt!r} (choose from {', '.join(FORMATS)})")
        self.out = Path(out) if out else None
        self.fmt = fmt
        self.run_key = run_key
        self.resume = resume
        self.stream = stream
        self.skip = 0  # records already written by an interrupted run
        self.written = 0
        self._handle: TextIO | None = None

    def __enter__(self) -> RecordWriter:
        if self.out is None:
            self._encoder = _Encoder(self.fmt)
            if self.fmt == "table":
                (self.stream or sys.stdout).write(f"{'doc':<28} {'#':>4} {'label':<13} {'tone':>5}  text\n")
            return self
        if self.resume and self.partial.exists() and self.progress.exists():
            state = json.loads(self.progress.read_text())
            if state.get("run") != self.run_key:
                raise DetenteError(
                    self.partial,
                    "was made by a run with other inputs, model or format; delete it or run without --resume",
                )
            with self.partial.open("r+b") as handle:
                handle.truncate(state["bytes"])
            self.skip = self.written = state["records"]
            self._handle = self.partial.open("a", encoding="utf-8", newline="")
        else:
            if self.partial.exists() and not self.resume:
                raise DetenteError(
                    self.partial,
                    "an interrupted run left this file: pass --resume to continue it, or delete it to start over",
                )
            self.out.parent.mkdir(parents=True, exist_ok=True)
            self._handle = self.partial.open("w", encoding="utf-8", newline="")
        self._encoder = _Encoder(self.fmt, header_written=self.skip > 0)
        return self

    def write(self, records: list[dict[str, Any]]) -> None:
        text = self._encoder.encode(records)
        if self._handle is None:
            stream = self.stream or sys.stdout
            stream.write(text)
            stream.flush()
            return
        self._handle.write(text)
        self._handle.flush()
        os.fsync(self._handle.fileno())
        self.written += len(records)
        state = {"run": self.run_key, "records": self.written, "bytes": self._handle.tell()}
        tmp = self.progress.with_suffix(".tmp")
        tmp.write_text(json.dumps(state))
        tmp.replace(self.progress)

    def __exit__(self, exc_type, exc, tb) -> None:
        if self._handle is None:
            return
        if exc_type is None and self.fmt == "csv" and not self._encoder.header_written:
            self.write([])  # a run with no statements still gets a CSV header
        self._handle.close()
        if exc_type is None:
            self.partial.replace(self.out)
            self.progress.unlink(missing_ok=True)
        elif issubclass(exc_type, DetenteError):
            # Bad input found mid-run: leave nothing half-written behind.
            self.partial.unlink(missing_ok=True)
            self.progress.unlink(missing_ok=True)
        # Anything else (Ctrl-C, a crash) keeps the partial file for --resume.
