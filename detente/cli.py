"""The ``detente`` command: a thin layer over the library that turns errors into one line.

Heavy libraries (torch, transformers) are imported inside the commands, so
``detente --help`` answers at once.
"""

from __future__ import annotations

import argparse
import sys

from detente import __version__
from detente.errors import DetenteError

SCORE_EXAMPLES = """\
examples:
  detente score examples/articles --output-format table     read the labels in the terminal
  detente score news/ -o scores.jsonl                       every *.txt under news/, one record per statement
  detente score news/ --glob '*.md' -o scores.csv           other files; CSV chosen from the suffix
  cat article.txt | detente score -                         stdin to stdout (JSONL)
  detente score labelled.jsonl --input-format jsonl -o p.jsonl   score each record's text, keep its id
  detente score news/ -o scores.jsonl --resume              continue an interrupted run
  detente score news/ -o scores.jsonl --engine ray          on a local Ray instance (pip install "detente[ray]")
  detente score news/ -o scores.jsonl --engine ray --ray-address HEAD:6379   on a Ray cluster

Each record: id, doc, date, index, start, end (character offsets in the file), speaker,
text, label, probs (conciliatory, critical, procedural), tone = P(conciliatory) - P(critical),
model. Bad input stops the run before anything is written, with exit code 2.
"""

TRAIN_EXAMPLES = """\
examples:
  detente train --config configs/default.yaml -o runs/my-model
  detente train --config configs/lora.yaml --set train.epochs=3 --set model.base=/path/to/hf-model
  detente score news/ --model runs/my-model -o scores.jsonl

An interrupted run resumes from its last epoch when started again with the same -o.
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="detente",
        description="Label each statement of news texts about negotiations as conciliatory, critical or "
        "procedural, with class probabilities and a tone score in [-1, 1].",
    )
    parser.add_argument("--version", action="version", version=f"detente {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    score = commands.add_parser(
        "score", help="score text files, folders or stdin", epilog=SCORE_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Split texts into statements and label each one.",
    )  # fmt: skip
    score.add_argument("paths", nargs="+", metavar="PATH", help="files, folders (searched recursively) or - for stdin")
    score.add_argument("-o", "--output", metavar="OUT", help="output file (default: stdout)")
    score.add_argument(
        "--output-format",
        choices=["jsonl", "csv", "table"],
        help="default: from OUT's suffix (.csv), else jsonl; 'table' is for reading",
    )
    score.add_argument(
        "--input-format",
        choices=["text", "jsonl"],
        default="text",
        help="text: news articles (default); jsonl: records with 'text' (and 'id'), one statement each",
    )
    score.add_argument("--glob", metavar="PATTERN", help="files to take from folders (default: *.txt, or *.jsonl)")
    score.add_argument(
        "--model", default="default", metavar="DIR", help="model directory or bundled name (default: default)"
    )
    score.add_argument(
        "--batch-size", type=int, default=64, metavar="N", help="statements per forward pass (default: 64)"
    )
    score.add_argument(
        "--chunk-size",
        type=int,
        default=2048,
        metavar="N",
        help="statements read, scored and written at a time (default: 2048)",
    )
    score.add_argument(
        "--backend",
        choices=["auto", "torch", "onnx"],
        default="auto",
        help="auto (default): torch on a GPU, else ONNX on the CPU (exported once, cached)",
    )
    score.add_argument(
        "--precision",
        choices=["auto", "int8", "fp32"],
        default="auto",
        help="ONNX weights: int8 (fastest) or fp32 (same labels as torch); auto (default): int8 if the "
        "model passed its int8 check when trained, else fp32",
    )
    score.add_argument("--threads", type=int, metavar="N", help="CPU threads (default: the cores available)")
    score.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="N",
        help="processes scoring in parallel, for many-core machines; same output (default: 1)",
    )
    score.add_argument("--device", help="torch device: cpu, cuda, ... (default: the GPU if there is one)")
    score.add_argument(
        "--engine",
        choices=["local", "ray"],
        default="local",
        help="local (default): this machine; ray: a pool of Ray actors, on this machine or a cluster, "
        "same records (needs detente[ray])",
    )
    score.add_argument(
        "--ray-address",
        metavar="ADDR",
        help="join a running Ray cluster (HEAD:6379, or 'auto' on one of its nodes); default: start a local one",
    )
    score.add_argument(
        "--ray-actors",
        type=int,
        metavar="N",
        help="scoring actors, each with one model and --threads CPUs (default: one per CPU of the cluster)",
    )
    score.add_argument(
        "--ray-cpus", type=int, metavar="N", help="CPUs of the local Ray instance (default: this machine's cores)"
    )
    score.add_argument("--resume", action="store_true", help="continue an interrupted run into the same OUT")
    score.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    score.set_defaults(handler=cmd_score)

    train = commands.add_parser(
        "train", help="fine-tune a model from a YAML config", epilog=TRAIN_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Fine-tune a stance classifier on hand-labelled statements (see configs/).",
    )  # fmt: skip
    train.add_argument("--config", metavar="YAML", help="config file (default: built-in defaults)")
    train.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a config value, e.g. train.epochs=3 (repeatable)",
    )
    train.add_argument("-o", "--output", metavar="DIR", help="model directory to write (default: runs/<model.name>)")
    train.set_defaults(handler=cmd_train)

    split = commands.add_parser(
        "split", help="cut labelled files into fixed train/dev/test files by document",
        description="Split hand-labelled statements into train/dev/test by source document (statements of "
        "one article never straddle two splits), stratified by label as far as documents allow.",
    )  # fmt: skip
    split.add_argument("data", nargs="+", metavar="FILE", help="labelled JSONL or CSV files")
    split.add_argument("-o", "--output", required=True, metavar="DIR", help="writes train/dev/test.jsonl here")
    split.add_argument("--dev-fraction", type=float, default=0.15, metavar="F", help="default: 0.15")
    split.add_argument("--test-fraction", type=float, default=0.15, metavar="F", help="default: 0.15")
    split.add_argument("--seed", type=int, default=13, help="default: 13")
    split.add_argument(
        "--strata",
        metavar="FIELD",
        help="split each value of FIELD (e.g. origin) separately, so each split gets its share",
    )
    split.set_defaults(handler=cmd_split)

    from detente.eval.cli import register as register_eval

    register_eval(commands)
    return parser


def cmd_score(args: argparse.Namespace) -> int:
    import itertools

    from detente.scoring import Inputs, ScoringOptions, progress_bar, scored_chunks
    from detente.sources import discover
    from detente.writers import RecordWriter, format_for

    if args.resume and not args.output:
        raise DetenteError(None, "--resume needs -o OUT: only a file output can be resumed")
    pattern = args.glob or ("*.jsonl" if args.input_format == "jsonl" else "*.txt")
    inputs = Inputs(discover(args.paths, pattern), args.input_format)
    inputs.check()
    fmt = format_for(args.output, args.output_format)
    if args.engine == "ray":
        return _score_on_ray(args, inputs, fmt)
    if args.ray_address or args.ray_actors or args.ray_cpus:
        raise DetenteError(None, "--ray-address, --ray-actors and --ray-cpus need --engine ray")

    options = ScoringOptions(
        model=args.model, backend=args.backend, device=args.device, precision=args.precision,
        threads=args.threads, batch_size=args.batch_size, chunk_size=args.chunk_size, workers=max(1, args.workers),
    )  # fmt: skip
    classifier = options.load()  # also validates the model and makes the ONNX export once, before workers
    # Resuming must not mix models, backends or chunkings (int8 scales activations per batch).
    run_key = inputs.run_key(classifier.name, classifier.backend, fmt, str(options.chunk_size))
    if options.workers > 1:
        classifier = None  # each worker loads its own copy
    with RecordWriter(args.output, fmt, run_key, args.resume) as writer:
        with progress_bar(args.quiet, writer.skip) as bar:
            items = itertools.islice(inputs.items(), writer.skip, None)
            for chunk in scored_chunks(classifier, options, items):
                writer.write(chunk)
                bar.update(len(chunk))
    return 0


def _score_on_ray(args: argparse.Namespace, inputs, fmt: str) -> int:
    """The same run on Ray (detente.engines.ray); Ray is imported only here."""
    from detente.engines import ray_engine
    from detente.scoring import ScoringOptions

    if args.workers > 1:
        raise DetenteError(None, "--workers is for local scoring; with --engine ray, use --ray-actors")
    for flag, value in (("--ray-actors", args.ray_actors), ("--ray-cpus", args.ray_cpus), ("--threads", args.threads)):
        if value is not None and value < 1:
            raise DetenteError(None, f"{flag} must be at least 1")
    engine = ray_engine()
    options = ScoringOptions(
        model=args.model, backend=args.backend, device=args.device, precision=args.precision,
        threads=args.threads, batch_size=args.batch_size, chunk_size=args.chunk_size,
    )  # fmt: skip
    settings = engine.RaySettings(address=args.ray_address, actors=args.ray_actors, cpus=args.ray_cpus)
    return engine.score(inputs, options, fmt, args.output, args.resume, args.quiet, settings)


def cmd_train(args: argparse.Namespace) -> int:
    from detente.training.config import load_config
    from detente.training.trainer import train

    config = load_config(args.config, args.set)
    output = args.output or f"runs/{config.model.name}"
    train(config, output, log=lambda line: print(line, file=sys.stderr))
    return 0


def cmd_split(args: argparse.Namespace) -> int:
    from collections import Counter

    from detente.labelled import read_labelled
    from detente.training.splits import make_splits, write_splits

    splits = make_splits(read_labelled(args.data), args.dev_fraction, args.test_fraction, args.seed, args.strata)
    write_splits(splits, args.output)
    for name, records in splits.items():
        counts = Counter(r["label"] for r in records)
        print(f"{name}: {len(records)} statements, {dict(sorted(counts.items()))}", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except DetenteError as err:
        print(f"detente: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("detente: interrupted; run again with --resume to continue", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `detente score ... | head`
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
