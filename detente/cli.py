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
  detente score news/ -o scores.parquet                     Parquet (columns as in CSV), written in chunks
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
  detente train --train mine.csv -o runs/mine                  your labelled file; dev cut from it by document
  detente train --train train.jsonl --dev dev.jsonl --test test.jsonl -o runs/mine
  detente train --init-from default --train my-negotiation.jsonl -o runs/adapted   the bundled model, adapted
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
        choices=["jsonl", "csv", "parquet", "table"],
        help="default: from OUT's suffix (.csv, .parquet), else jsonl; 'table' is for reading; parquet needs -o",
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
    train.add_argument(
        "--train", nargs="+", metavar="FILE", help="labelled JSONL/CSV files to train on (sets data.train_files)"
    )
    train.add_argument(
        "--dev", nargs="+", metavar="FILE", help="labelled files to select on (default: cut from --train)"
    )
    train.add_argument("--test", nargs="+", metavar="FILE", help="labelled files to report on (default: none)")
    train.add_argument(
        "--init-from", metavar="MODEL",
        help="start from a trained model (e.g. default) rather than the bare base (sets model.init_from)",
    )  # fmt: skip
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
    split.add_argument(
        "--holdout-field",
        metavar="FIELD",
        help="hold out whole values of FIELD (e.g. topic: whole negotiations) for dev and test, so test measures "
        "contexts never trained on; records of held-out values outside --eval-only go to left_out.jsonl",
    )
    split.add_argument(
        "--eval-only",
        metavar="FIELD=VALUE",
        help="with --holdout-field: dev and test hold only records with FIELD=VALUE "
        "(e.g. origin=real-news-paraphrased)",
    )
    split.add_argument(
        "--test-values",
        metavar="V1,V2",
        help="with --holdout-field: the values held out as test (instead of a seeded draw), comma-separated",
    )
    split.add_argument("--dev-values", metavar="V1,V2", help="with --holdout-field: the values held out as dev")
    split.add_argument(
        "--seen-test-fraction",
        type=float,
        default=0.0,
        metavar="F",
        help="with --holdout-field: also hold out documents of trained contexts as test_seen.jsonl (default: 0)",
    )
    split.set_defaults(handler=cmd_split)

    from detente.eval.cli import register as register_eval

    info = commands.add_parser(
        "info", help="version, CPU features and what each bundled model runs as here (for bug reports)",
        description="Print the version, libraries, CPU features and, for each bundled model, the backend and "
        "precision that auto chooses on this machine and why (the int8 check measured here).",
    )  # fmt: skip
    info.set_defaults(handler=cmd_info)

    register_eval(commands)
    from detente.summary.cli import register as register_summary

    register_summary(commands)

    from detente.labelling.cli import register as register_labelling

    register_labelling(commands)
    return parser


def cmd_info(args: argparse.Namespace) -> int:
    from detente.info import report

    for line in report():
        print(line)
    return 0


def cmd_score(args: argparse.Namespace) -> int:
    import itertools

    from detente.model.language import LanguageTally
    from detente.scoring import Inputs, ScoringOptions, progress_bar, scored_chunks
    from detente.sources import discover
    from detente.writers import format_for, open_writer

    if args.resume and not args.output:
        raise DetenteError(None, "--resume needs -o OUT: only a file output can be resumed")
    pattern = args.glob or ("*.jsonl" if args.input_format == "jsonl" else "*.txt")
    inputs = Inputs(discover(args.paths, pattern), args.input_format)
    inputs.check()
    fmt = format_for(args.output, args.output_format)
    if fmt == "parquet" and not args.output:
        raise DetenteError(None, "Parquet output needs -o OUT (a file, not stdout)")
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
    languages = LanguageTally()
    with open_writer(args.output, fmt, run_key, args.resume) as writer:
        with progress_bar(args.quiet, writer.skip) as bar:
            items = itertools.islice(inputs.items(), writer.skip, None)
            for chunk in scored_chunks(classifier, options, items):
                writer.write(chunk)
                languages.add(item["text"] for item in chunk)
                bar.update(len(chunk))
    if warning := languages.warning():
        print(f"detente: {warning}", file=sys.stderr)
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
    import os

    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")  # read when transformers is imported
    from detente.training.config import load_config
    from detente.training.trainer import train

    config = load_config(args.config, args.set)
    if args.init_from:
        config.model.init_from = args.init_from
    if args.train:
        # Files named on the command line replace the config's whole data set.
        config.data.train_files, config.data.dev_files = list(args.train), list(args.dev or [])
        config.data.test_files = list(args.test or [])
    else:
        config.data.dev_files = list(args.dev) if args.dev else config.data.dev_files
        config.data.test_files = list(args.test) if args.test else config.data.test_files
    output = args.output or f"runs/{config.model.name}"
    with quiet_third_party():
        classifier = train(config, output, log=lambda line: print(line, file=sys.stderr))
    print(training_summary(classifier.spec, output))
    return 0


def training_summary(spec, output: str) -> str:
    """The line a person reads at the end of a run."""
    t = spec.training
    metrics, sizes = t.get("metrics", {}), t.get("sizes", {})
    parts = [f"saved {spec.tag} to {output}", f"trained on {sizes.get('train', 0):,} statements"]
    parts.append(f"dev macro-F1 {metrics.get('dev_macro_f1', float('nan')):.3f}")
    if "test_macro_f1" in metrics:
        parts.append(f"test macro-F1 {metrics['test_macro_f1']:.3f} on {sizes.get('test', 0):,}")
    minutes = t.get("train_seconds", 0) / 60
    return ", ".join(parts) + f" ({minutes:.1f} min)"


def quiet_third_party():
    """Deprecation and advice warnings of transformers/torch/peft are for us, not for users."""
    import contextlib
    import os
    import warnings

    @contextlib.contextmanager
    def scope():
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            warnings.simplefilter("ignore", DeprecationWarning)
            warnings.simplefilter("ignore", UserWarning)
            yield

    return scope()


def cmd_split(args: argparse.Namespace) -> int:
    from collections import Counter

    from detente.labelled import read_labelled
    from detente.training.splits import make_splits, write_splits

    records = read_labelled(args.data)
    if args.holdout_field:
        from detente.training.splits import split_by_context

        pool = lambda record: True  # noqa: E731
        if args.eval_only:
            key, _, value = args.eval_only.partition("=")
            pool = lambda record: str(record.get(key)) == value  # noqa: E731
        fixed = None
        if args.test_values or args.dev_values:
            fixed = {name: [v for v in (values or "").split(",") if v]
                     for name, values in (("test", args.test_values), ("dev", args.dev_values))}  # fmt: skip
        splits = split_by_context(records, args.holdout_field, args.dev_fraction, args.test_fraction, args.seed,
                                  pool, args.seen_test_fraction, fixed)  # fmt: skip
    else:
        splits = make_splits(records, args.dev_fraction, args.test_fraction, args.seed, args.strata)
    write_splits(splits, args.output)
    for name, part in splits.items():
        counts = Counter(r["label"] for r in part)
        contexts = f", {len({r.get(args.holdout_field) for r in part})} contexts" if args.holdout_field else ""
        print(f"{name}: {len(part)} statements{contexts}, {dict(sorted(counts.items()))}", file=sys.stderr)
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
