"""``detente annotate``: a local page for labelling one statement at a time.

The page is plain HTML and JavaScript (``page.html``, no build step, nothing
fetched from the network), served by the standard library's ``http.server`` on
127.0.0.1 in a thread. The :class:`LabelStore` is the only state that matters
and it lives in the labelled file: every label is appended and fsynced at once,
so a crash or a closed tab loses nothing, and opening the same file again
resumes with the statements not yet labelled. Undo removes the file's last
record (the file is rewritten atomically). Skips only reorder this session's queue.
"""

from __future__ import annotations

import datetime as dt
import errno
import json
import os
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from detente.errors import DetenteError
from detente.labelled import canonical_label, iter_records
from detente.labelling.studio import DEFINITIONS
from detente.model.labels import LABELS

SUGGESTION_MODES = ("after", "always", "never")
PAGE = Path(__file__).with_name("page.html")


def read_tasks(path: str | Path) -> list[dict[str, Any]]:
    """The tasks of a file made by ``detente sample`` (any JSONL/CSV of records with ``id`` and ``text`` will do)."""
    tasks: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for line_no, record in iter_records(path):
        where = f"{path}:{line_no}"
        if record.get("id") in (None, "") or not isinstance(record.get("text"), str) or not record["text"].strip():
            raise DetenteError(where, "not a tasks file: a task needs 'id' and 'text' (make one with detente sample)")
        record["id"] = str(record["id"])
        if record["id"] in seen:
            raise DetenteError(where, f"duplicate id {record['id']!r} (first at line {seen[record['id']]})")
        seen[record["id"]] = line_no
        tasks.append(record)
    if not tasks:
        raise DetenteError(path, "no tasks")
    return tasks


def now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


class LabelStore:
    """Tasks, the labelled file they go into, and the queue of those still to label. Thread-safe."""

    def __init__(self, tasks: list[dict[str, Any]], output: str | Path, annotator: str):
        self.tasks = {t["id"]: t for t in tasks}
        self.output = Path(output)
        self.annotator = annotator
        self.lock = threading.Lock()
        self.preselect: dict[str, dict[str, str]] = {}  # id -> label and note brought back by undo
        self.records = self._read_existing()
        self.labelled = {r["id"]: r for r in self.records if r["id"] in self.tasks}
        self.pending = [i for i in self.tasks if i not in self.labelled]

    def _read_existing(self) -> list[dict[str, Any]]:
        """Records already in the output; a line torn by a crash mid-write is cut off."""
        if not self.output.exists():
            return []
        if not self.output.is_file():
            raise DetenteError(self.output, "not a file")
        data = self.output.read_bytes()
        if data and not data.endswith(b"\n"):
            data = data[: data.rfind(b"\n") + 1]
            with self.output.open("r+b") as handle:
                handle.truncate(len(data))
        records = []
        for line_no, record in iter_records(self.output):
            if record.get("id") in (None, "") or canonical_label(record.get("label")) not in LABELS:
                raise DetenteError(f"{self.output}:{line_no}", "not a labelled record (needs 'id' and a known 'label')")
            record["id"] = str(record["id"])
            records.append(record)
        return records

    def _append(self, record: dict[str, Any]) -> None:
        self.output.parent.mkdir(parents=True, exist_ok=True)
        with self.output.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
            handle.flush()
            os.fsync(handle.fileno())

    def _rewrite(self) -> None:
        tmp = self.output.with_name(self.output.name + ".tmp")
        with tmp.open("w", encoding="utf-8") as handle:
            handle.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in self.records)
            handle.flush()
            os.fsync(handle.fileno())
        tmp.replace(self.output)

    def record_for(self, task: dict[str, Any], label: str, note: str) -> dict[str, Any]:
        """The project's labelled format: id, text, label, the task's provenance, note, annotator, timestamp."""
        record: dict[str, Any] = {"id": task["id"], "text": task["text"], "label": label}
        doc = task.get("source") or task.get("doc")
        for key, value in (("speaker", task.get("speaker")), ("source", doc), ("date", task.get("date")),
                           ("topic", task.get("topic")), ("note", note.strip())):  # fmt: skip
            if value not in (None, ""):
                record[key] = value
        record["annotator"] = self.annotator
        record["labelled_at"] = now()
        suggestion = task.get("suggestion") or {}
        if suggestion.get("label"):
            record["model_label"] = suggestion["label"]
        return record

    def label(self, task_id: str, label: str, note: str = "") -> None:
        label = canonical_label(label)
        if label not in LABELS:
            raise ValueError(f"unknown label {label!r}")
        with self.lock:
            if task_id not in self.pending:
                raise ValueError(f"{task_id!r} is not waiting for a label")
            record = self.record_for(self.tasks[task_id], label, note)
            self._append(record)
            self.records.append(record)
            self.labelled[task_id] = record
            self.pending.remove(task_id)
            self.preselect.pop(task_id, None)

    def undo(self) -> str | None:
        """Take back the file's last label of one of these tasks; its statement comes first again."""
        with self.lock:
            for pos in range(len(self.records) - 1, -1, -1):
                record = self.records[pos]
                if record["id"] in self.tasks:
                    del self.records[pos]
                    self._rewrite()
                    del self.labelled[record["id"]]
                    self.pending.insert(0, record["id"])
                    self.preselect[record["id"]] = {"label": record["label"], "note": record.get("note", "")}
                    return record["id"]
            return None

    def skip(self, task_id: str) -> None:
        with self.lock:
            if task_id in self.pending:
                self.pending.remove(task_id)
                self.pending.append(task_id)

    def state(self) -> dict[str, Any]:
        with self.lock:
            task = self.tasks[self.pending[0]] if self.pending else None
            counts = Counter(r["label"] for r in self.labelled.values())
            return {
                "task": task,
                "preselect": self.preselect.get(task["id"]) if task else None,
                "done": len(self.labelled),
                "total": len(self.tasks),
                "counts": {label: counts[label] for label in LABELS},
                "annotator": self.annotator,
                "output": str(self.output),
            }


def make_handler(store: LabelStore, settings: dict[str, Any], stop: threading.Event):
    page = PAGE.read_text(encoding="utf-8").replace(
        "/*SETTINGS*/null", json.dumps(settings, ensure_ascii=False).replace("</", "<\\/")
    )

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format, *args):  # noqa: A002 - the base class's name
            pass

        def _send(self, status: int, body: bytes, kind: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def _json(self, payload: Any, status: int = 200) -> None:
            self._send(status, json.dumps(payload, ensure_ascii=False).encode(), "application/json; charset=utf-8")

        def do_GET(self):  # noqa: N802 - http.server's naming
            if self.path in ("/", "/index.html"):
                self._send(200, page.encode(), "text/html; charset=utf-8")
            elif self.path == "/api/state":
                self._json(store.state())
            else:
                self._json({"error": "not found"}, 404)

        def do_POST(self):  # noqa: N802
            length = int(self.headers.get("Content-Length") or 0)
            try:
                body = json.loads(self.rfile.read(length) or b"{}")
                if self.path == "/api/label":
                    store.label(str(body["id"]), body["label"], str(body.get("note") or ""))
                elif self.path == "/api/undo":
                    store.undo()
                elif self.path == "/api/skip":
                    store.skip(str(body["id"]))
                elif self.path == "/api/quit":
                    self._json({"stopped": True})
                    stop.set()
                    return
                else:
                    self._json({"error": "not found"}, 404)
                    return
            except (ValueError, KeyError, TypeError) as err:
                self._json({"error": str(err), **store.state()}, 409)
                return
            self._json(store.state())

    return Handler


def start_server(store: LabelStore, port: int, settings: dict[str, Any], stop: threading.Event):
    """A running server on 127.0.0.1 (in a daemon thread); ``port`` 0 picks a free one."""
    try:
        server = ThreadingHTTPServer(("127.0.0.1", port), make_handler(store, settings, stop))
    except OSError as err:
        if err.errno == errno.EADDRINUSE:
            raise DetenteError(
                f"127.0.0.1:{port}", "port in use (choose another with --port; 0 picks a free one)"
            ) from None
        raise DetenteError(f"127.0.0.1:{port}", f"cannot serve: {err.strerror or err}") from None
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def page_settings(show_suggestion: str) -> dict[str, Any]:
    return {"labels": list(LABELS), "definitions": DEFINITIONS, "show_suggestion": show_suggestion}
