"""``detente summarize``: stance by document, speaker, side and time, from ``detente score`` output.

Registered on the main parser like the eval commands; duckdb, numpy and
matplotlib load inside the handler.
"""

from __future__ import annotations

import argparse
import sys

from detente.summary import defaults

EXAMPLES = """\
examples:
  detente score news/ -o scores.jsonl && detente summarize scores.jsonl -o summary/
  detente summarize scores.parquet --by month --sides sides.yaml -o summary/
  detente summarize a.jsonl b.csv --group-by topic -o summary/

Writes summary.json (documents, speakers, timeline; sides, timeline_by_side and unknown_speakers
with --sides; groups with --group-by), one CSV per table, report.md and report.html (self-contained).
Each row: key, n, shares (label -> share), mean_tone, tone_ci (bootstrap 95% interval).
"""


def register(commands) -> None:
    sm = commands.add_parser(
        "summarize", help="summarise scores by document, speaker, side and time", epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Aggregate detente score output (JSONL, CSV or Parquet; any size, streamed by DuckDB) "
        "into label shares and mean tone with bootstrap intervals, with tables and a report.",
    )  # fmt: skip
    sm.add_argument("scores", nargs="+", metavar="SCORES", help="detente score output files")
    sm.add_argument("-o", "--output", required=True, metavar="DIR", help="folder to write the summary into")
    sm.add_argument("--by", choices=defaults.PERIODS, default="week", help="timeline period (default: week)")
    sm.add_argument("--sides", metavar="YAML", help="map speakers and organisations to sides")
    sm.add_argument("--group-by", metavar="FIELD", help="also summarise by this record field (e.g. topic)")
    sm.add_argument("--no-report", action="store_true", help="only summary.json and the CSV tables")
    sm.set_defaults(handler=cmd_summarize)


def cmd_summarize(args: argparse.Namespace) -> int:
    import json
    import tempfile
    from pathlib import Path

    from detente.summary.summarize import summarize
    from detente.summary.tables import write_tables

    out = Path(args.output)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out, prefix=".spill-") as spill:
        summary = summarize(args.scores, args.by, args.sides, args.group_by, Path(spill))
    (out / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    written = ["summary.json", *write_tables(summary, out)]
    if not args.no_report:
        from detente.summary.report import markdown, page

        (out / "report.md").write_text(markdown(summary), encoding="utf-8")
        (out / "report.html").write_text(page(summary), encoding="utf-8")
        written += ["report.md", "report.html"]
    print(f"{summary['records']} records -> {out}: {', '.join(written)}", file=sys.stderr)
    return 0
