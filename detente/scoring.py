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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from detente.labelled import check_text, iter_records
from detente.model.labels import LABELS, tone
from detente.model.segmenter import iter_statements
from detente.sources import Source, check_utf8_text, read_stdin

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
            with self._open(source) as stream:
                yield from source_items(source, self.input_format, stream)

    def stdin_text(self) -> str | None:
        """What was read from stdin at check time (None when stdin is not an input)."""
        return self._stdin


def source_items(source: Source, input_format: str, stream) -> Iterator[dict[str, Any]]:
    """One input's unscored output records, in order, from its open text ``stream``.

    Every engine (this process, worker processes, Ray tasks) makes records here,
    so ids, offsets and fields are the same whichever runs.
    """
    if input_format == "text":
        for st in iter_statements(stream, source.doc):
            yield {
                "id": st.id, "doc": st.doc, "date": st.date, "index": st.index,
                "start": st.start, "end": st.end, "speaker": st.speaker, "speaker_kind": st.speaker_kind,
                "text": st.text,
            }  # fmt: skip
        return
    name = Path("<stdin>" if source.is_stdin else source.path)
    for index, (line_no, record) in enumerate(iter_records(name, stream)):
        text = check_text(name, line_no, record)
        extra = {_RENAMED_INPUT_FIELDS.get(k, k): v for k, v in record.items() if k not in ("id", "text")}
        yield {
            "id": str(record.get("id", f"{source.doc}:{index}")), "doc": source.doc,
            "date": record.get("date"), "index": index, "start": None, "end": None,
            "speaker": record.get("speaker") or None, "speaker_kind": record.get("speaker_kind"), "text": text,
            **extra,
        }  # fmt: skip


@dataclass(frozen=True)
class ScoringOptions:
    """How to load and run the model; picklable, so worker processes load the same one."""

    model: str = "default"
    backend: str = "auto"
    device: str | None = None
    precision: str = "auto"
    threads: int | None = None
    batch_size: int = 64
    chunk_size: int = 2048
    workers: int = 1

    def load(self, threads: int | None = None):
        from detente.model.classifier import load_classifier

        return load_classifier(self.model, self.backend, self.device, self.precision, threads or self.threads)


def score_chunk(classifier, chunk: list[dict[str, Any]], batch_size: int) -> list[dict[str, Any]]:
    """Add label, probs, tone and model to each item of a chunk."""
    probs = classifier.predict_proba([item["text"] for item in chunk], batch_size=batch_size)
    for item, row in zip(chunk, probs, strict=True):
        p = {label: round(float(v), 6) for label, v in zip(LABELS, row, strict=True)}
        item["label"] = LABELS[int(row.argmax())]
        item["probs"] = p
        item["tone"] = round(tone(p), 6)
        item["model"] = classifier.name
    return chunk


def _chunks(items: Iterator[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    while chunk := list(itertools.islice(items, size)):
        yield chunk


_worker_classifier = None


def _init_worker(options: ScoringOptions, threads: int) -> None:
    global _worker_classifier
    _worker_classifier = options.load(threads)


def _score_in_worker(chunk: list[dict[str, Any]], batch_size: int) -> list[dict[str, Any]]:
    return score_chunk(_worker_classifier, chunk, batch_size)


def scored_chunks(classifier, options: ScoringOptions, items: Iterator[dict[str, Any]]):
    """Scored chunks in input order, from this process or from ``options.workers`` processes.

    With workers, at most two chunks per worker are in flight, so a large input
    is never read ahead into memory; results are yielded in submission order, so
    the output is the same as with one process.
    """
    if options.workers <= 1:
        for chunk in _chunks(items, options.chunk_size):
            yield score_chunk(classifier, chunk, options.batch_size)
        return
    import multiprocessing
    from collections import deque

    from detente.model.onnx import available_cores

    threads = max(1, (options.threads or available_cores()) // options.workers)
    context = multiprocessing.get_context("spawn")  # no fork of a process that holds thread pools
    with context.Pool(options.workers, initializer=_init_worker, initargs=(options, threads)) as pool:
        pending: deque = deque()
        for chunk in _chunks(items, options.chunk_size):
            pending.append(pool.apply_async(_score_in_worker, (chunk, options.batch_size)))
            if len(pending) >= 2 * options.workers:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()


def progress_bar(quiet: bool, initial: int):
    """A statements/s counter on stderr, only when a person is watching it."""
    from tqdm import tqdm

    return tqdm(
        unit=" statements", initial=initial, disable=quiet or not sys.stderr.isatty(), file=sys.stderr,
        dynamic_ncols=True, smoothing=0.1,
    )  # fmt: skip
