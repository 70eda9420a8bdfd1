"""`detente score` to Parquet: same records as JSONL, written in chunks, resumable."""

from __future__ import annotations

import json

import pytest

from detente.model.labels import LABELS
from detente.parquet import ParquetRecordWriter

from .conftest import EXAMPLES, run_cli


def _records(n, start=0):
    probs = {"conciliatory": 0.5, "critical": 0.25, "procedural": 0.25}
    return [
        {"id": str(i), "doc": "d", "index": i, "text": f"t{i}", "probs": probs, "tone": 0.25}
        for i in range(start, start + n)
    ]


def test_parquet_output_matches_jsonl(tmp_path):
    import pyarrow.parquet as pq

    article = EXAMPLES / "2023-11-02_grain_corridor.txt"
    out = tmp_path / "scores.parquet"
    result = run_cli("score", article, "-o", out, "--chunk-size", "5")
    assert result.returncode == 0, result.stderr.decode()
    jsonl = run_cli("score", article, "--chunk-size", "5")
    records = [json.loads(line) for line in jsonl.stdout.decode().splitlines()]
    table = pq.read_table(out).to_pylist()
    assert len(table) == len(records) == 21
    assert pq.ParquetFile(out).num_row_groups == 5  # one row group per chunk of 5
    for row, record in zip(table, records, strict=True):
        for key in ("id", "doc", "date", "index", "start", "end", "speaker", "speaker_kind", "text", "label"):
            assert row[key] == record[key]
        assert row["tone"] == pytest.approx(record["tone"], abs=1e-6)
        for label in LABELS:
            assert row[f"p_{label}"] == pytest.approx(record["probs"][label], abs=1e-6)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scores.parquet"]


def test_parquet_writer_resumes_from_the_last_complete_chunk(tmp_path):
    import pyarrow.parquet as pq

    out = tmp_path / "out.parquet"
    with pytest.raises(KeyboardInterrupt):
        with ParquetRecordWriter(str(out), "parquet", "run-1") as writer:
            writer.write(_records(3))
            writer.write(_records(2, 3))
            (writer.partial / "part-000002.parquet").write_bytes(b"PAR1 torn")  # a kill mid-write
            raise KeyboardInterrupt
    assert not out.exists()
    with ParquetRecordWriter(str(out), "parquet", "run-1", resume=True) as writer:
        assert writer.skip == 5
        writer.write(_records(2, 5))
    assert pq.read_table(out).column("id").to_pylist() == [str(i) for i in range(7)]
    assert list(tmp_path.iterdir()) == [out]


def test_parquet_to_stdout_is_refused_before_loading_a_model():
    result = run_cli("score", "-", "--output-format", "parquet", stdin=b"The talks resumed.")
    assert result.returncode == 2
    assert result.stderr.decode().strip() == "detente: error: Parquet output needs -o OUT (a file, not stdout)"
