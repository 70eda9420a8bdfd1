"""Scoring speed and memory: the transformers pipeline against detente's backends.

Run:  python benchmarks/bench_scoring.py            (about 10 minutes on 2 cores)
      python benchmarks/bench_scoring.py --n 5000   (a quicker look)

Each measurement runs in a fresh process, so peak RSS is that configuration's
own. Statements are the project's sample articles, segmented and repeated.
This prints numbers; it asserts nothing (the test suite has no timing tests).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONFIGS = ["pipeline", "torch", "onnx-fp32", "onnx-int8"]


def statements(n: int) -> list[str]:
    from detente.model.segmenter import segment

    texts = [s.text for p in sorted((ROOT / "examples" / "articles").glob("*.txt"))
             for s in segment(p.read_text(encoding="utf-8"), p.name)]  # fmt: skip
    return (texts * (n // len(texts) + 1))[:n]


def measure_one(name: str, n: int, model: str) -> dict:
    texts = statements(n)
    start = time.perf_counter()
    if name == "pipeline":
        from transformers import AutoModelForSequenceClassification, AutoTokenizer, pipeline

        from detente.model.bases import resolve_base
        from detente.model.classifier import resolve_model_dir
        from detente.model.spec import ModelSpec

        # The same encoder with a 3-class head, as a Hugging Face user would run it.
        base = resolve_base(ModelSpec.load(resolve_model_dir(model)).base_model)
        hf = AutoModelForSequenceClassification.from_pretrained(base, num_labels=3, use_safetensors=True)
        classify = pipeline("text-classification", model=hf, tokenizer=AutoTokenizer.from_pretrained(base),
                            device="cpu", top_k=None)  # fmt: skip
        loaded = time.perf_counter()
        classify(texts, batch_size=32, truncation=True)
    else:
        from detente.scoring import ScoringOptions, scored_chunks

        backend, _, precision = name.partition("-")
        options = ScoringOptions(model=model, backend=backend, precision=precision or "int8")
        classifier = options.load()
        loaded = time.perf_counter()
        items = iter({"text": t} for t in texts)
        for _ in scored_chunks(classifier, options, items):
            pass
    done = time.perf_counter()
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"config": name, "n": n, "load_s": loaded - start, "per_s": n / (done - loaded), "peak_rss_mib": peak}


def run_child(args: list[str]) -> dict:
    out = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def cli_peak_rss(n: int, folder: Path) -> float:
    corpus = folder / f"corpus-{n}.txt"
    with corpus.open("w", encoding="utf-8") as handle:
        for i, text in enumerate(statements(n)):
            handle.write(text + ("\n\n" if i % 5 == 4 else " "))
    proc = subprocess.Popen([sys.executable, "-m", "detente", "score", str(corpus), "-o", str(folder / "out.jsonl"),
                             "-q"], stdout=subprocess.DEVNULL)  # fmt: skip
    _, status, usage = os.wait4(proc.pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    return usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=20_000, help="statements per speed run (default 20000)")
    parser.add_argument("--model", default="default")
    parser.add_argument("--memory-sizes", default="10000,100000", help="statement counts for the RSS table")
    parser.add_argument("--one", choices=CONFIGS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure_one(args.one, args.n, args.model)))
        return
    rows = [run_child(["--one", name, "--n", str(args.n), "--model", args.model]) for name in CONFIGS]
    base = rows[0]["per_s"]
    print(f"\nScoring {args.n} statements, {os.cpu_count()} cores, model {args.model!r}\n")
    print("| configuration | statements/s | × pipeline | load s | peak RSS MiB |")
    print("|---|---:|---:|---:|---:|")
    for row in rows:
        print(f"| {row['config']} | {row['per_s']:.0f} | {row['per_s'] / base:.1f} | {row['load_s']:.1f} "
              f"| {row['peak_rss_mib']:.0f} |")  # fmt: skip
    sizes = [int(s) for s in args.memory_sizes.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        rss = {n: cli_peak_rss(n, Path(tmp)) for n in sizes}
    print("\n`detente score` (default backend), peak RSS by input size\n")
    print("| statements | peak RSS MiB | vs smallest |")
    print("|---:|---:|---:|")
    for n in sizes:
        print(f"| {n} | {rss[n]:.0f} | {rss[n] / rss[sizes[0]] - 1:+.1%} |")


if __name__ == "__main__":
    main()
