"""``report.md``: the report's numbers as Markdown tables, for diffs and pull requests.

No figures: a PR description or a diff of two evaluations needs the numbers
side by side, and the HTML report has the pictures.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from detente.eval import tables


def _cell(value: str) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def md_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(map(_cell, header)) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(map(_cell, row)) + " |" for row in rows]
    return "\n".join(lines)


def render_markdown(metrics: dict[str, Any], predictions: Sequence[dict[str, Any]]) -> str:
    """The same sections as the HTML report, figures left out."""
    tag = metrics["model"]["tag"]
    rows = tables.headline_rows(metrics)
    out = [
        f"# detente evaluation: {tag}",
        "",
        f"{', '.join(metrics['data']['files'])}: {metrics['n']} statements "
        f"(data fingerprint `{metrics['data']['fingerprint'][:12]}`). 95% intervals: percentile bootstrap, "
        f"{metrics['bootstrap']['resamples']} resamples, seed {metrics['bootstrap']['seed']}.",
        "",
        *[f"**Warning:** {w}\n" for w in metrics["warnings"]],
        "## Headline numbers",
        "",
        md_table([t for _, t in tables.HEADLINE_COLUMNS], [[r[k] for k, _ in tables.HEADLINE_COLUMNS] for r in rows]),
    ]
    line = tables.comparison_line(metrics)
    if line:
        out += ["", "## Model comparison", "", line]
    if metrics.get("contrast"):
        out += [
            "",
            "## Contrast pairs",
            "",
            f"{metrics['contrast']['file']}: minimal pairs whose stance flips while the loaded words stay.",
            "",
            md_table(tables.CONTRAST_HEADER, tables.contrast_rows(metrics)),
        ]
    out += ["", f"## Per class: {tag}", "", md_table(tables.PER_CLASS_HEADER, tables.per_class_rows(metrics))]
    out += ["", "## Confusion matrix", "", md_table(tables.CONFUSION_HEADER, tables.confusion_rows(metrics))]
    out += ["", "## Calibration", "", f"ECE (10 bins, max-probability confidence): {tables.num(metrics['ece'])}"]
    if metrics["groups"]:
        out += ["", f"## By {metrics['groups']['field']}", "",
                md_table(tables.group_header(metrics), tables.group_rows(metrics))]  # fmt: skip
    out += ["", "## Most confident errors", "", md_table(tables.ERROR_HEADER, tables.error_rows(predictions))]
    return "\n".join(out) + "\n"
