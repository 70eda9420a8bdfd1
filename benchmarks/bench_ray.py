"""Ray's overhead: ``detente score`` locally and with ``--engine ray`` on the same files.

Run:  python benchmarks/bench_ray.py                  (about 3 minutes on 2 cores)
      python benchmarks/bench_ray.py --files 100      (a quicker look)

Each configuration is the real CLI in a fresh process on the same folder of
news files (the sample articles, repeated), timed end to end, and once more on
one file: the difference between the two gives the scoring rate without the
start-up (imports, model load, and for Ray starting a local instance and its
actors). This prints numbers; it asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CONFIGS = {
    "local (1 process)": [],
    "local --workers 2": ["--workers", "2"],
    "ray, default (1 actor per CPU)": ["--engine", "ray"],
    "ray, 1 actor × 2 threads": ["--engine", "ray", "--ray-actors", "1", "--threads", "2"],
    "ray, 1 actor × 1 thread": ["--engine", "ray", "--ray-actors", "1", "--threads", "1"],
}


def corpus(folder: Path, files: int) -> Path:
    articles = sorted((ROOT / "examples" / "articles").glob("*.txt"))
    news = folder / "news"
    news.mkdir()
    for i in range(files):
        shutil.copy(articles[i % len(articles)], news / f"{i:05d}-{articles[i % len(articles)].name}")
    return news


def run(paths: Path, out: Path, extra: list[str], precision: str) -> float:
    command = [sys.executable, "-m", "detente", "score", str(paths), "-o", str(out), "-q", "--precision", precision]
    start = time.perf_counter()
    subprocess.run(command + extra, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=200, help="news files (about 20 statements each)")
    parser.add_argument("--precision", default="auto", help="auto (default), int8 or fp32")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        news = corpus(folder, args.files)
        one = next(news.iterdir())
        run(one, folder / "warm.jsonl", [], args.precision)  # the ONNX export and int8 check, once
        reference = None
        rows = []
        for name, extra in CONFIGS.items():
            out = folder / "out.jsonl"
            small = run(one, folder / "small.jsonl", extra, args.precision)
            wall = run(news, out, extra, args.precision)
            text = out.read_text(encoding="utf-8")
            n = len(text.splitlines())
            statements_one = len((folder / "small.jsonl").read_text(encoding="utf-8").splitlines())
            reference = reference or text
            same = "yes" if [json.loads(x) for x in text.splitlines()] == [
                json.loads(x) for x in reference.splitlines()
            ] else "NO"  # fmt: skip
            rate = (n - statements_one) / max(1e-9, wall - small)
            rows.append((name, n, wall, n / wall, small, rate, same))
    print(f"{args.files} files, --precision {args.precision}, {rows[0][1]:,} statements\n")
    print("| configuration | wall s | statements/s, end to end | start-up s (1 file) | statements/s, scoring "
          "| records = local |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---|")
    for name, _, wall, per_s, small, rate, same in rows:
        print(f"| {name} | {wall:.1f} | {per_s:.0f} | {small:.1f} | {rate:.0f} | {same} |")


if __name__ == "__main__":
    main()
