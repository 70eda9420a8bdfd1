"""Scoring streams: peak memory does not grow with the number of statements."""

from __future__ import annotations

import os
import subprocess
import sys

from .conftest import ROOT

SENTENCES = [
    "Delegation {i} met the mediators in Vienna on Monday and agreed to continue the talks next week.",
    "“We reject this ultimatum and hold the other side responsible for the deadlock,” envoy {i} said.",
    "The sides welcomed the constructive atmosphere of round {i} and thanked the hosts.",
]


def _write_corpus(path, statements):
    with path.open("w", encoding="utf-8") as handle:
        for i in range(statements):
            handle.write(SENTENCES[i % 3].format(i=i) + (" " if i % 5 else "\n\n"))


def _peak_rss_kib(*args):
    """Run the CLI and return (exit code, peak RSS of that process in KiB)."""
    proc = subprocess.Popen([sys.executable, "-m", "detente", *map(str, args)], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, usage.ru_maxrss


def test_peak_memory_is_flat_from_2k_to_8k_statements(tmp_path):
    rss = {}
    for n in (2_000, 8_000):
        corpus = tmp_path / f"corpus-{n}.txt"
        _write_corpus(corpus, n)
        out = tmp_path / f"out-{n}.jsonl"
        code, rss[n] = _peak_rss_kib("score", corpus, "-o", out, "--chunk-size", "256", "-q")
        assert code == 0
        assert sum(1 for _ in out.open(encoding="utf-8")) == n
    assert rss[8_000] <= rss[2_000] * 1.10, rss
