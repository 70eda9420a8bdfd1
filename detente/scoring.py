"""Batch scoring: inputs -> statements -> probabilities -> records, streamed in chunks.

Nothing here holds a whole input: statements flow from the segmenter in chunks
of ``chunk_size``, each chunk is scored (sorted by length inside the classifier)
and written before the next is read, so memory stays flat for any input size.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from detente.labelled import check_text, iter_records
from detente.model.labels import LABELS, tone
from detente.model.segmenter import iter_statements
from detente.sources import Source, check_utf8_text, read_stdin

INPUT_FORMATS = ("text", "jsonl")
#: Input fields that the output would otherwise overwrite, and what they become.
_RENAMED_INPUT_FIELDS = {"label": "gold_label"}


class Inputs:
    """The checked inputs of one run; stdin is read once, at check time."""

    def __init__(self, sources: list[Source], input_format: str):
        self.sources = sources
        self.input_format = input_format
        self._stdin: str | None = None

    def check(self) -> None:
        """Every problem a file can have, found before any model is loaded or output started."""
        for source in self.sources:
            if source.is_stdin:
                self._stdin = read_stdin()
                if self.input_format == "jsonl":
                    self._check_jsonl(source)
                continue
            check_utf8_text(Path(source.path))
            if self.input_format == "jsonl":
                self._check_jsonl(source)

    def _open(self, source: Source):
        if source.is_stdin:
            return io.StringIO(self._stdin)
        return open(source.path, encoding="utf-8", newline="")

    def _check_jsonl(self, source: Source) -> None:
        name = "<stdin>" if source.is_stdin else source.path
        for line_no, record in iter_records(Path(name), self._open(source)):
            check_text(Path(name), line_no, record)

    def run_key(self, *parts: str) -> str:
        """Identifies a run's inputs and settings, so --resume only continues the same run."""
        digest = hashlib.sha256(json.dumps([self.input_format, *parts]).encode())
        for source in self.sources:
            stat = os.stat(source.path) if not source.is_stdin else None
            digest.update(json.dumps([source.path, stat and stat.st_size, stat and stat.st_mtime_ns]).encode())
            if source.is_stdin:
                digest.update(self._stdin.encode())
        return digest.hexdigest()

    def items(self) -> Iterator[dict[str, Any]]:
        """Unscored output records, in input order."""
        for source in self.sources:
            if self.input_format == "text":
                with self._open(source) as stream:
                    for st in iter_statements(stream, source.doc):
                        yield {
                            "id": st.id, "doc": st.doc, "date": st.date, "index": st.index,
                            "start": st.start, "end": st.end, "speaker": st.speaker, "text": st.text,
                        }  # fmt: skip
                continue
            name = Path("<stdin>" if source.is_stdin else source.path)
            for index, (line_no, record) in enumerate(iter_records(name, self._open(source))):
                text = check_text(name, line_no, record)
                extra = {_RENAMED_INPUT_FIELDS.get(k, k): v for k, v in record.items() if k not in ("id", "text")}
                yield {
                    "id": str(record.get("id", f"{source.doc}:{index}")), "doc": source.doc,
                    "date": record.get("date"), "index": index, "start": None, "end": None,
                    "speaker": record.get("speaker") or None, "text": text, **extra,
                }  # fmt: skip


def predictions(classifier, items: Iterator[dict[str, Any]], batch_size: int, chunk_size: int):
    """(chunk of scored records) for each chunk of items: label, probs, tone, model."""
    while chunk := list(itertools.islice(items, chunk_size)):
        probs = classifier.predict_proba([item["text"] for item in chunk], batch_size=batch_size)
        for item, row in zip(chunk, probs):
            p = {label: round(float(v), 6) for label, v in zip(LABELS, row)}
            item["label"] = LABELS[int(row.argmax())]
            item["probs"] = p
            item["tone"] = round(tone(p), 6)
            item["model"] = classifier.name
        yield chunk


def progress_bar(quiet: bool, initial: int):
    """A statements/s counter on stderr, only when a person is watching it."""
    from tqdm import tqdm

    return tqdm(
        unit=" statements", initial=initial, disable=quiet or not sys.stderr.isatty(), file=sys.stderr,
        dynamic_ncols=True, smoothing=0.1,
    )  # fmt: skip
