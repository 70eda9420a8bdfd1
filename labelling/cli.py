"""The labelling subcommands: ``detente sample``, ``detente annotate`` and ``detente labels import``.

``register(commands)`` adds them to :func:`detente.cli.build_parser`'s subparsers.
Only argparse is imported at module level, so ``detente --help`` stays instant.
"""

from __future__ import annotations

import argparse
import sys

from detente.argtypes import positive_int
from detente.errors import DetenteError

SAMPLE_EXAMPLES = """\
examples:
  detente score news/ -o scores.jsonl && detente sample scores.jsonl -n 100 -o tasks.jsonl
  detente sample scores.jsonl -n 50 --strategy uncertainty --exclude labelled.jsonl -o more.jsonl
  detente sample scores.jsonl -n 60 --strategy stratified --by date -o tasks.jsonl
  detente sample scores.jsonl -n 200 --format label-studio -o tasks.json   (+ tasks.label-config.xml)

Strategies: uncertainty (default: lowest margin between the two likeliest labels),
mix (half uncertainty, one document at a time; half diverse), diverse (k-centre on the
model's sentence embeddings), stratified (by predicted label and --by), random.
"""

ANNOTATE_EXAMPLES = """\
examples:
  detente annotate tasks.jsonl -o labelled.jsonl --annotator alice
  detente annotate tasks.jsonl -o bob.jsonl --annotator bob --show-suggestion never
  detente agreement labelled.jsonl bob.jsonl

Every label is appended to OUT at once; run the same command again to resume.
"""

IMPORT_EXAMPLES = """\
examples:
  detente labels import project-1-export.json -o labelled.jsonl    (Label Studio JSON or JSON-MIN)
  detente labels import sheet.csv -o labelled.jsonl --annotator carol   (id, text, label columns)

With several annotators, each gets OUT-stem.<annotator>.jsonl.
"""


def register(commands) -> None:
    raw = argparse.RawDescriptionHelpFormatter
    from detente.labelling import DEFAULT_STRATEGY, STRATEGIES

    sa = commands.add_parser(
        "sample", help="choose the statements of `detente score` output worth labelling", epilog=SAMPLE_EXAMPLES,
        formatter_class=raw,
        description="Choose statements to label from scored files and write labelling tasks: each keeps the "
        "statement, its document, its neighbouring statements and the model's suggestion.",
    )  # fmt: skip
    sa.add_argument("scores", nargs="+", metavar="SCORES", help="`detente score` output (JSONL or CSV)")
    sa.add_argument("-n", type=positive_int, required=True, metavar="N", help="how many statements")
    sa.add_argument("-o", "--output", required=True, metavar="OUT", help="tasks file to write")
    sa.add_argument("--strategy", choices=STRATEGIES, default=DEFAULT_STRATEGY, help=f"default: {DEFAULT_STRATEGY}")
    sa.add_argument("--by", default="doc", metavar="FIELD", help="stratify by this field too (default: doc)")
    sa.add_argument("--exclude", nargs="+", default=[], metavar="FILE", help="labelled files whose ids to leave out")
    sa.add_argument("--context", type=int, default=2, metavar="K", help="neighbouring statements kept (default: 2)")
    sa.add_argument(
        "--format",
        choices=["jsonl", "label-studio"],
        default="jsonl",
        help="jsonl: for detente annotate (default); label-studio: tasks JSON + labelling config",
    )
    sa.add_argument("--model", default="default", metavar="DIR", help="model for the embeddings (default: default)")
    sa.add_argument("--device", help="torch device for the embeddings")
    sa.add_argument("--seed", type=int, default=13, help="default: 13")
    sa.set_defaults(handler=cmd_sample)

    an = commands.add_parser(
        "annotate", help="label statements one at a time in a local web page", epilog=ANNOTATE_EXAMPLES,
        formatter_class=raw,
        description="Serve a labelling page on 127.0.0.1 and open it in the browser. Labels are appended to "
        "OUT at once, in the labelled format with annotator and timestamp.",
    )  # fmt: skip
    an.add_argument("tasks", metavar="TASKS", help="tasks file from detente sample")
    an.add_argument("-o", "--output", required=True, metavar="OUT", help="labelled JSONL to append to")
    an.add_argument("--annotator", help="your name in the file (default: the login name)")
    an.add_argument("--port", type=int, default=8642, help="default: 8642; 0 picks a free port")
    an.add_argument(
        "--show-suggestion",
        choices=["after", "always", "never"],
        default="after",
        help="the model's label: after you choose (default, avoids anchoring), always or never",
    )
    an.add_argument("--no-browser", action="store_true", help="do not open a browser; print the address")
    an.set_defaults(handler=cmd_annotate)

    la = commands.add_parser("labels", help="convert labels from other tools", description="Label interchange.")
    sub = la.add_subparsers(dest="labels_command", metavar="COMMAND", required=True)
    im = sub.add_parser(
        "import", help="Label Studio exports and spreadsheet CSV to the labelled format", epilog=IMPORT_EXAMPLES,
        formatter_class=raw,
        description="Read Label Studio JSON / JSON-MIN / CSV exports or plain CSV and write labelled JSONL, "
        "one file per annotator.",
    )  # fmt: skip
    im.add_argument("exports", nargs="+", metavar="EXPORT", help="export files (.json or .csv)")
    im.add_argument("-o", "--output", required=True, metavar="OUT", help="labelled JSONL to write")
    im.add_argument("--label-field", metavar="NAME", help="the label column (default: label, else stance)")
    im.add_argument("--annotator", help="annotator for every record (when the export names none)")
    im.set_defaults(handler=cmd_labels_import)


def cmd_sample(args: argparse.Namespace) -> int:
    import json
    from collections import Counter

    from detente.labelling.sample import model_embedder, sample_tasks
    from detente.labelling.scores import read_ids, read_scores

    records = read_scores(args.scores)
    exclude = read_ids(args.exclude) if args.exclude else set()
    embed = model_embedder(args.model, args.device) if args.strategy in ("mix", "diverse") else None
    tasks = sample_tasks(records, args.n, args.strategy, exclude, embed, args.by, args.seed, args.context)
    if args.format == "label-studio":
        from detente.labelling.studio import write_label_studio

        out, config = write_label_studio(tasks, args.output)
        written = f"{out} and {config}"
    else:
        with open(args.output, "w", encoding="utf-8") as handle:
            handle.writelines(json.dumps(task, ensure_ascii=False) + "\n" for task in tasks)
        written = args.output
    how = dict(Counter(task["strategy"] for task in tasks))
    left = len(records) - len([r for r in records if r["id"] in exclude])
    print(f"detente sample: {len(tasks)} of {left} statements ({args.strategy}: {how}) to {written}", file=sys.stderr)
    return 0


def cmd_annotate(args: argparse.Namespace) -> int:
    import getpass
    import signal
    import threading
    import webbrowser

    from detente.labelling.annotate import LabelStore, page_settings, read_tasks, start_server

    tasks = read_tasks(args.tasks)
    if args.port < 0 or args.port > 65535:
        raise DetenteError(None, f"--port must be 0-65535, not {args.port}")
    annotator = args.annotator or getpass.getuser()
    store = LabelStore(tasks, args.output, annotator)
    stop = threading.Event()
    server = start_server(store, args.port, page_settings(args.show_suggestion), stop)
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    state = store.state()
    print(f"detente annotate: {state['done']} / {state['total']} labelled; labelling at {url} "
          f"(Ctrl-C to stop; labels go to {args.output} as you go)", file=sys.stderr, flush=True)  # fmt: skip
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    if not args.no_browser:
        webbrowser.open(url)
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    server.shutdown()
    state = store.state()
    print(f"detente annotate: {state['done']} / {state['total']} labelled in {args.output}", file=sys.stderr)
    return 0


def cmd_labels_import(args: argparse.Namespace) -> int:
    from detente.labelling.studio import import_labels

    written, replaced = import_labels(args.exports, args.output, args.label_field, args.annotator)
    for path, name, count in written:
        print(f"detente labels import: {count} labels by {name} to {path}", file=sys.stderr)
    if replaced:
        print(f"detente labels import: {replaced} repeated labels (same annotator, same id): the later kept",
              file=sys.stderr)  # fmt: skip
    return 0
