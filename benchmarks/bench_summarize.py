"""Speed and peak memory of `detente summarize` on synthetic scores (no timing assertions anywhere).

    python benchmarks/bench_summarize.py [--records 1000000] [--format jsonl|parquet]

Writes N records in detente's JSONL (or Parquet) schema, 100 statements per
document, 400 speakers, dates over two years, then runs the real CLI in a fresh
process and prints rows/s and the peak RSS of that process.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np


def make_scores(path: Path, n: int, fmt: str) -> None:
    rng = np.random.default_rng(0)
    labels = np.array(["conciliatory", "critical", "procedural"])
    chunk = 200_000
    writer = None
    with open(path, "w", encoding="utf-8") if fmt == "jsonl" else open(path, "wb") as handle:
        for start in range(0, n, chunk):
            m = min(chunk, n - start)
            probs = rng.dirichlet([1, 1, 1], size=m)
            idx = np.arange(start, start + m)
            docs = idx // 100
            speakers = rng.integers(0, 400, size=m)
            days = (docs * 7919) % 730
            rows = []
            for i in range(m):
                p = probs[i]
                rows.append({
                    "id": f"doc{docs[i]}.txt:{idx[i] % 100}", "doc": f"doc{docs[i]}.txt",
                    "date": str(np.datetime64("2023-01-01") + int(days[i])), "index": int(idx[i] % 100),
                    "start": 0, "end": 10, "speaker": None if speakers[i] < 120 else f"Speaker {speakers[i]}",
                    "speaker_kind": None if speakers[i] < 120 else "person", "text": "x",
                    "label": str(labels[p.argmax()]),
                    "probs": {"conciliatory": float(p[0]), "critical": float(p[1]), "procedural": float(p[2])},
                    "tone": float(p[0] - p[1]), "model": "bench@0",
                })  # fmt: skip
            if fmt == "jsonl":
                handle.write("".join(json.dumps(r) + "\n" for r in rows))
            else:
                import pyarrow.parquet as pq

                from detente.parquet import _table, schema

                writer = writer or pq.ParquetWriter(handle, schema())
                writer.write_table(_table(rows))
        if writer is not None:
            writer.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--format", choices=["jsonl", "parquet"], default="jsonl")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        scores = Path(tmp) / f"scores.{args.format}"
        make_scores(scores, args.records, args.format)
        size = scores.stat().st_size / 2**20
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "detente", "summarize", str(scores), "-o", str(Path(tmp) / "out")],
                       check=True)  # fmt: skip
        seconds = time.perf_counter() - start
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print("| records | format | file MiB | seconds | rows/s | peak RSS MiB |")
    print("|---:|---|---:|---:|---:|---:|")
    rate = args.records / seconds
    print(f"| {args.records:,} | {args.format} | {size:.0f} | {seconds:.1f} | {rate:,.0f} | {peak:.0f} |")


if __name__ == "__main__":
    main()
