"""Interrupted scoring resumes without losing or duplicating records."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from detente.errors import DetenteError
from detente.writers import RecordWriter

from .conftest import EXAMPLES, ROOT, run_cli


def _records(n, start=0):
    return [{"id": str(i), "text": f"t{i}"} for i in range(start, start + n)]


def test_writer_resumes_from_the_last_complete_chunk(tmp_path):
    out = tmp_path / "out.jsonl"
    with pytest.raises(KeyboardInterrupt):
        with RecordWriter(str(out), "jsonl", "run-1") as writer:
            writer.write(_records(3))
            writer.write(_records(2, 3))
            writer._handle.write('{"id": "5", "te')  # a torn line, as a kill mid-write leaves
            raise KeyboardInterrupt
    assert not out.exists() and (tmp_path / "out.jsonl.partial").exists()
    with RecordWriter(str(out), "jsonl", "run-1", resume=True) as writer:
        assert writer.skip == 5
        writer.write(_records(2, 5))
    assert [json.loads(line)["id"] for line in out.read_text().splitlines()] == [str(i) for i in range(7)]
    assert list(tmp_path.iterdir()) == [out]


def test_resume_refuses_a_partial_file_of_another_run(tmp_path):
    out = tmp_path / "out.csv"
    with pytest.raises(KeyboardInterrupt):
        with RecordWriter(str(out), "csv", "run-1") as writer:
            writer.write([{"id": "1", "text": "x", "probs": {"conciliatory": 1, "critical": 0, "procedural": 0}}])
            raise KeyboardInterrupt
    with pytest.raises(DetenteError, match="other inputs"):
        with RecordWriter(str(out), "csv", "run-2", resume=True):
            pass


def test_cli_run_killed_midway_then_resumed_equals_an_uninterrupted_run(tmp_path):
    corpus = tmp_path / "news"
    corpus.mkdir()
    for i in range(25):
        for path in EXAMPLES.glob("*.txt"):
            (corpus / f"{i:02d}-{path.name}").write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    full = tmp_path / "full.jsonl"
    assert run_cli("score", corpus, "-o", full, "--chunk-size", "40").returncode == 0

    out = tmp_path / "resumed.jsonl"
    progress = tmp_path / "resumed.jsonl.partial.json"
    args = [sys.executable, "-m", "detente", "score", str(corpus), "-o", str(out), "--chunk-size", "40"]
    proc = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 120
    while time.time() < deadline and proc.poll() is None:
        if progress.exists() and json.loads(progress.read_text())["records"] >= 200:
            break
        time.sleep(0.05)
    assert proc.poll() is None, "the run ended before it could be interrupted"
    os.kill(proc.pid, signal.SIGINT)
    assert proc.wait(timeout=60) == 130
    assert not out.exists() and progress.exists()

    result = run_cli("score", corpus, "-o", out, "--chunk-size", "40", "--resume")
    assert result.returncode == 0, result.stderr.decode()
    assert out.read_text(encoding="utf-8") == full.read_text(encoding="utf-8")
    assert not progress.exists()
