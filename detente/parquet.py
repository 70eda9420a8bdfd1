"""Writing scored records as Parquet, chunk by chunk and resumably.

A Parquet file cannot be appended to or truncated like JSONL, so each chunk is
written as its own part file in ``OUT.partial/`` and the progress file records
how many parts (and records) are complete. ``--resume`` deletes any part beyond
that count and carries on; when the run completes the parts are streamed, row
group by row group, into ``OUT``, so neither step holds more than a chunk in
memory. Columns are those of the CSV output (``probs`` flattened into
``p_<label>``), with native types.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from detente.errors import DetenteError
from detente.model.labels import LABELS
from detente.writers import PartialFiles


def schema():
    import pyarrow as pa

    text = pa.string()
    fields = [
        ("id", text), ("doc", text), ("date", text), ("index", pa.int64()), ("start", pa.int64()),
        ("end", pa.int64()), ("speaker", text), ("speaker_kind", text), ("text", text), ("label", text),
        *[(f"p_{label}", pa.float64()) for label in LABELS], ("tone", pa.float64()), ("model", text),
        ("gold_label", text),
    ]  # fmt: skip
    return pa.schema(fields)


def _table(records: list[dict[str, Any]]):
    import pyarrow as pa

    sch = schema()
    columns: dict[str, list] = {name: [] for name in sch.names}
    for record in records:
        for name in sch.names:
            if name.startswith("p_"):
                columns[name].append(record["probs"][name[2:]])
            else:
                value = record.get(name)
                columns[name].append(str(value) if value is not None and name == "gold_label" else value)
    return pa.table(columns, schema=sch)


class ParquetRecordWriter(PartialFiles):
    """Same interface as :class:`detente.writers.RecordWriter`: ``skip``, ``write(chunk)``, a context manager."""

    def __init__(self, out: str | None, fmt: str, run_key: str, resume: bool = False, stream=None):
        if out is None:
            raise DetenteError(None, "Parquet output needs -o OUT (a file, not stdout)")
        self.out = Path(out)
        self.run_key = run_key
        self.resume = resume
        self.skip = 0
        self.written = 0
        self.parts = 0

    def _part(self, number: int) -> Path:
        return self.partial / f"part-{number:06d}.parquet"

    def __enter__(self) -> ParquetRecordWriter:
        if self.resume and self.partial.is_dir() and self.progress.exists():
            state = json.loads(self.progress.read_text())
            if state.get("run") != self.run_key:
                raise DetenteError(
                    self.partial,
                    "was made by a run with other inputs, model or format; delete it or run without --resume",
                )
            self.skip = self.written = state["records"]
            self.parts = state["parts"]
            for stray in self.partial.glob("part-*.parquet"):
                if int(stray.stem.split("-")[1]) >= self.parts:
                    stray.unlink()  # written after the last recorded chunk: redone below
        else:
            if self.partial.exists() and not self.resume:
                raise DetenteError(
                    self.partial,
                    "an interrupted run left this file: pass --resume to continue it, or delete it to start over",
                )
            self.out.parent.mkdir(parents=True, exist_ok=True)
            if self.partial.exists():
                shutil.rmtree(self.partial)
            self.partial.mkdir()
        return self

    def write(self, records: list[dict[str, Any]]) -> None:
        import pyarrow.parquet as pq

        if not records:
            return
        tmp = self._part(self.parts).with_suffix(".tmp")
        pq.write_table(_table(records), tmp, compression="zstd")
        tmp.replace(self._part(self.parts))
        self.parts += 1
        self.written += len(records)
        state = {"run": self.run_key, "records": self.written, "parts": self.parts}
        tmp_state = self.progress.with_suffix(".tmp")
        tmp_state.write_text(json.dumps(state))
        tmp_state.replace(self.progress)

    def _merge(self) -> None:
        import pyarrow.parquet as pq

        tmp = self.out.with_name(self.out.name + ".merging")
        with pq.ParquetWriter(tmp, schema(), compression="zstd") as writer:
            for number in range(self.parts):
                part = pq.ParquetFile(self._part(number))
                for group in range(part.num_row_groups):
                    writer.write_table(part.read_row_group(group))
        tmp.replace(self.out)

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self._merge()
            shutil.rmtree(self.partial, ignore_errors=True)
            self.progress.unlink(missing_ok=True)
        elif issubclass(exc_type, DetenteError):
            shutil.rmtree(self.partial, ignore_errors=True)
            self.progress.unlink(missing_ok=True)
