"""The evaluation subcommands: ``detente eval``, ``detente agreement`` and ``detente label-issues``.

``register(commands)`` adds them to the subparsers of :func:`detente.cli.build_parser`,
so the face package needs one line and the commands live with the code they run.
Only ``argparse`` is imported here at module level: ``detente --help`` must stay
instant, so numpy, scikit-learn, matplotlib and torch load inside the handlers.
"""

from __future__ import annotations

import argparse
import sys

from detente.argtypes import positive_int
from detente.errors import DetenteError

EVAL_EXAMPLES = """\
examples:
  detente eval --data data/splits/test.jsonl -o reports/test
  detente eval --data data/splits/test.jsonl --baselines --group-by topic -o reports/test
  detente eval --data test.jsonl --model default --model runs/my-model -o reports/compare
  detente eval --data my-set.csv --baselines --train my-train.jsonl -o reports/mine

Writes metrics.json (schema: eval/SCHEMA.md), predictions.jsonl, report.html (one
self-contained page) and report.md into DIR, all at once: a failed run leaves DIR as it was.
"""

AGREEMENT_EXAMPLES = """\
examples:
  detente agreement annotator-a.jsonl annotator-b.jsonl
  detente agreement a.jsonl b.csv --json > agreement.json

Both files label the same ids; the second may hold only id and label.
"""

LABEL_ISSUES_EXAMPLES = """\
examples:
  detente label-issues --data my-labelled.jsonl --top 30
  detente label-issues --data data/corpus/*.jsonl --method tfidf -o issues.jsonl

Each output record: id, text, given_label, suggested_label, score (the cross-validated
probability of the given label: lowest first), probs.
"""


def register(commands) -> None:
    """Add ``eval``, ``agreement``, ``label-issues`` and ``eval-speakers`` to ``build_parser``'s subparsers."""
    raw = argparse.RawDescriptionHelpFormatter
    sp = commands.add_parser(
        "eval-speakers", help="measure speaker attribution on hand-labelled articles",
        description="Attribute the statements of gold articles and report the share with the right speaker: "
        "overall, on statements voiced by a named person or body, and on the reporter's narration.",
    )  # fmt: skip
    sp.add_argument("--gold", default="data/speakers/gold.jsonl", help="default: data/speakers/gold.jsonl")
    sp.add_argument("--articles", default="data/speakers/articles", help="default: data/speakers/articles")
    sp.add_argument("--errors", action="store_true", help="list every wrong attribution")
    sp.add_argument("--json", action="store_true", help="the numbers and errors as JSON")
    sp.set_defaults(handler=cmd_eval_speakers)
    ev = commands.add_parser(
        "eval", help="measure models (and baselines) on hand-labelled statements", epilog=EVAL_EXAMPLES,
        formatter_class=raw,
        description="Score hand-labelled statements with a model and report accuracy, macro-F1 with bootstrap "
        "intervals, per-class numbers, calibration, errors and, with --baselines, simple reference methods.",
    )  # fmt: skip
    ev.add_argument("--data", nargs="+", required=True, metavar="FILE", help="labelled JSONL or CSV files")
    ev.add_argument(
        "--model",
        action="append",
        metavar="DIR",
        help="model directory or bundled name (default: default); twice to compare two models",
    )
    ev.add_argument(
        "--baselines",
        action="store_true",
        help="also score majority, VADER, TF-IDF+LR and frozen-embedding+LR baselines",
    )
    ev.add_argument(
        "--train",
        nargs="+",
        metavar="FILE",
        help="the baselines' training data (default: data/splits/train.jsonl in the current directory)",
    )
    ev.add_argument("--group-by", metavar="FIELD", help="a table per FIELD value: topic, source, speaker, date")
    ev.add_argument(
        "--contrast",
        metavar="FILE",
        help="minimal pairs (records with 'pair') reported as their own row: statement accuracy and the share of "
        "pairs with both members right (the project's: data/contrast/pairs.jsonl)",
    )
    ev.add_argument("-o", "--output", required=True, metavar="DIR", help="directory to write the report into")
    ev.add_argument("--device", help="cpu, cuda, ... (default: the GPU if there is one)")
    ev.add_argument("--batch-size", type=positive_int, default=32, metavar="N", help="default: 32")
    ev.add_argument("--bootstrap", type=positive_int, default=1000, metavar="N", help="resamples (default: 1000)")
    ev.add_argument("--seed", type=int, default=13, help="bootstrap seed (default: 13)")
    ev.add_argument("-q", "--quiet", action="store_true", help="no progress lines on stderr")
    ev.set_defaults(handler=cmd_eval)

    ag = commands.add_parser(
        "agreement", help="inter-annotator agreement of two labellings", epilog=AGREEMENT_EXAMPLES,
        formatter_class=raw,
        description="Cohen's kappa, Krippendorff's alpha (nominal), raw agreement and the annotator confusion "
        "matrix for two labellings of the same statement ids.",
    )  # fmt: skip
    ag.add_argument("a", metavar="A", help="first annotator's labelled JSONL or CSV")
    ag.add_argument("b", metavar="B", help="second annotator's file (id and label suffice)")
    ag.add_argument("--json", action="store_true", help="print the numbers as JSON instead of a summary")
    ag.set_defaults(handler=cmd_agreement)

    li = commands.add_parser(
        "label-issues", help="find statements whose label looks wrong", epilog=LABEL_ISSUES_EXAMPLES,
        formatter_class=raw,
        description="Rank hand-labelled statements by how unlikely their label is under a cross-validated "
        "classifier (confident learning), so a person can review the likeliest mistakes first.",
    )  # fmt: skip
    li.add_argument("--data", nargs="+", required=True, metavar="FILE", help="labelled JSONL or CSV files")
    li.add_argument("-o", "--output", metavar="OUT", help="JSONL file to write (default: stdout)")
    li.add_argument("--top", type=positive_int, metavar="N", help="only the N likeliest mistakes")
    li.add_argument(
        "--method",
        choices=["embedding", "tfidf"],
        default="embedding",
        help="embedding: frozen base encoder + LR (default); tfidf: TF-IDF + LR (no model load)",
    )
    li.add_argument("--device", help="cpu, cuda, ... for the encoder")
    li.add_argument("--seed", type=int, default=13, help="fold seed (default: 13)")
    li.set_defaults(handler=cmd_label_issues)


def cmd_eval_speakers(args: argparse.Namespace) -> int:
    import json
    from pathlib import Path

    from detente.eval.speakers import evaluate_speakers, format_report

    result = evaluate_speakers(Path(args.gold), Path(args.articles))
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        print(format_report(result, args.errors))
    return 0


def _log(quiet: bool):
    return (lambda line: None) if quiet else (lambda line: print(f"detente eval: {line}", file=sys.stderr))


def cmd_eval(args: argparse.Namespace) -> int:
    from detente.eval.output import check_output_dir, write_evaluation
    from detente.eval.pipeline import EvalRequest, run_evaluation
    from detente.eval.tables import headline_rows

    check_output_dir(args.output)
    if args.train and not args.baselines:
        raise DetenteError(None, "--train is the baselines' training data: add --baselines")
    request = EvalRequest(
        data=args.data, models=args.model or ["default"], baselines=args.baselines, train=args.train,
        group_by=args.group_by, device=args.device, batch_size=args.batch_size,
        resamples=args.bootstrap, seed=args.seed, contrast=args.contrast,
    )  # fmt: skip
    metrics, predictions = run_evaluation(request, _log(args.quiet))
    directory = write_evaluation(args.output, metrics, predictions)
    for row in headline_rows(metrics):
        print(f"{row['name']:<24} macro-F1 {row['macro_f1']} {row['macro_f1_ci']}  "
              f"accuracy {row['accuracy']} {row['accuracy_ci']}", file=sys.stderr)  # fmt: skip
    for name, row in metrics.get("contrast", {}).get("models", {}).items():
        print(f"{name:<24} contrast pairs: both right {row['both_right']:.3f} of {row['pairs']}, "
              f"statements {row['accuracy']:.3f}", file=sys.stderr)  # fmt: skip
    for warning in metrics["warnings"]:
        print(f"detente eval: warning: {warning}", file=sys.stderr)
    print(f"wrote {directory}/report.html, report.md, metrics.json, predictions.jsonl", file=sys.stderr)
    return 0


def cmd_agreement(args: argparse.Namespace) -> int:
    import json

    from detente.eval.agreement import compare_files, summary

    result = compare_files(args.a, args.b)
    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        print(summary(result))
    return 0


def cmd_label_issues(args: argparse.Namespace) -> int:
    import json

    from detente.eval.label_issues import find_label_issues
    from detente.eval.output import write_file_atomically
    from detente.labelled import read_labelled

    records = read_labelled(args.data)
    embed = None
    if args.method == "embedding":
        from detente.eval.embeddings import FrozenEncoder

        embed = FrozenEncoder(device=args.device).embed
    issues, how = find_label_issues(records, args.method, embed, args.seed, where=", ".join(args.data))
    print(f"detente label-issues: {len(issues)} of {len(records)} statements flagged "
          f"({args.method} + logistic regression, {how})", file=sys.stderr)  # fmt: skip
    shown = issues[: args.top] if args.top else issues
    text = "".join(json.dumps(issue, ensure_ascii=False) + "\n" for issue in shown)
    if args.output:
        write_file_atomically(args.output, text)
    else:
        sys.stdout.write(text)
    return 0
