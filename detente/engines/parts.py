"""Per-file outputs and a manifest: what a distributed run has finished, so a rerun scores only the rest.

A run writing ``OUT`` keeps its work in ``OUT.parts/``::

    manifest.jsonl      {"run": KEY, "files": N}, then {"file": i, "records": n, "bytes": b} per finished file
    00000012.jsonl      the records of input file 12 (JSONL, whatever OUT's format), in order
    00000012.jsonl.tmp  a file still being written; not in the manifest, so redone by a rerun

A part is renamed into place and fsynced before its manifest line is appended,
so the manifest never names a part that is not complete on disk; a torn last
manifest line (a kill mid-write) is dropped on resume. When every file is
finished the parts are read back in input order and written to ``OUT`` by the
ordinary :class:`~detente.writers.RecordWriter` (JSONL, CSV, or any format it
learns, such as Parquet), then ``OUT.parts/`` is removed.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from detente.errors import DetenteError

MANIFEST = "manifest.jsonl"


class PartStore:
    """``check()`` (before any work), ``open()``, then ``append``/``finish`` per file, ``records()``, ``remove()``."""

    def __init__(self, out: str | None, run_key: str, n_files: int, resume: bool = False):
        self.out = Path(out) if out else None
        self.run_key = run_key
        self.n_files = n_files
        self.resume = resume
        self.done: dict[int, int] = {}  # file -> records, for finished files
        self.dir: Path | None = self.out.with_name(self.out.name + ".parts") if self.out else None

    @property
    def partial(self) -> Path | None:
        """Where the final writer puts OUT while it is being assembled."""
        return self.out.with_name(self.out.name + ".partial") if self.out else None

    def check(self) -> None:
        """Refuse leftovers of another run, and read what a resumed run has finished; writes nothing."""
        if self.out is None:
            return
        if not self.resume:
            for leftover in (self.dir, self.partial):
                if leftover.exists():
                    raise DetenteError(
                        leftover,
                        "an interrupted run left this: pass --resume to continue it, or delete it to start over",
                    )
            return
        if not (self.dir / MANIFEST).is_file():
            if self.partial.exists():
                raise DetenteError(
                    self.partial, "was left by a run without --engine ray: resume it the same way, or delete it"
                )
            return
        header, *entries = _read_lines(self.dir / MANIFEST)
        if header.get("run") != self.run_key or header.get("files") != self.n_files:
            raise DetenteError(
                self.dir, "was made by a run with other inputs, model or settings; delete it or run without --resume"
            )
        for entry in entries:
            path = self._part(entry["file"])
            if path.is_file() and path.stat().st_size == entry["bytes"]:
                self.done[entry["file"]] = entry["records"]

    def open(self) -> None:
        """Create the parts folder (or a temporary one for stdout) and a clean manifest."""
        if self.dir is None:
            self.dir = Path(tempfile.mkdtemp(prefix="detente-parts-"))
        self.dir.mkdir(parents=True, exist_ok=True)
        for stale in self.dir.glob("*.tmp"):
            stale.unlink()
        lines = [{"run": self.run_key, "files": self.n_files}]
        for file, records in sorted(self.done.items()):
            lines.append({"file": file, "records": records, "bytes": self._part(file).stat().st_size})
        tmp = self.dir / (MANIFEST + ".tmp")
        tmp.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
        tmp.replace(self.dir / MANIFEST)  # drops a torn last line left by a kill

    def _part(self, file: int) -> Path:
        return self.dir / f"{file:08d}.jsonl"

    def append(self, file: int, records: list[dict[str, Any]]) -> None:
        """Add the next records of ``file``, in order."""
        with self._part(file).with_suffix(".jsonl.tmp").open("a", encoding="utf-8", newline="") as handle:
            handle.write("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))

    def finish(self, file: int, records: int) -> None:
        """Mark ``file`` complete with ``records`` records: durable part first, then its manifest line."""
        tmp = self._part(file).with_suffix(".jsonl.tmp")
        with tmp.open("a", encoding="utf-8") as handle:
            handle.flush()
            os.fsync(handle.fileno())
        size = tmp.stat().st_size
        tmp.replace(self._part(file))
        with (self.dir / MANIFEST).open("a", encoding="utf-8") as manifest:
            manifest.write(json.dumps({"file": file, "records": records, "bytes": size}) + "\n")
            manifest.flush()
            os.fsync(manifest.fileno())
        self.done[file] = records

    def missing(self) -> list[int]:
        return [f for f in range(self.n_files) if f not in self.done]

    def records(self) -> Iterator[dict[str, Any]]:
        """Every record of the run, in input order."""
        for file in range(self.n_files):
            with self._part(file).open(encoding="utf-8") as handle:
                for line in handle:
                    yield json.loads(line)

    def remove(self) -> None:
        if self.dir is not None:
            shutil.rmtree(self.dir, ignore_errors=True)


def _read_lines(path: Path) -> list[dict[str, Any]]:
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            lines.append(json.loads(line))
        except json.JSONDecodeError:
            break  # a torn last line: that file is redone
    return lines or [{}]
