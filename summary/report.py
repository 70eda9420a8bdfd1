"""report.html (one self-contained page, plots embedded) and report.md from a summary."""

from __future__ import annotations

import base64
import html
from typing import Any

from detente.model.labels import LABELS
from detente.summary import defaults, plots


def _fmt_row(row: dict[str, Any], key: str = "key") -> list[str]:
    shares = " / ".join(f"{row['shares'][label]:.0%}" for label in LABELS)
    low, high = row["tone_ci"]
    return [str(row[key]), str(row["n"]), shares, f"{row['mean_tone']:+.2f}", f"[{low:+.2f}, {high:+.2f}]"]


HEAD = ["", "n", "shares (" + " / ".join(label[:4] + "." for label in LABELS) + ")", "mean tone", "95% CI"]


def _tables(summary: dict[str, Any]) -> list[tuple[str, str, list[dict[str, Any]]]]:
    top = defaults.REPORT_TOP
    tables = []
    if summary.get("sides"):
        tables.append(("Sides", "side", summary["sides"]))
    tables.append(
        ("Speakers (most statements first)", "speaker", sorted(summary["speakers"], key=lambda r: -r["n"])[:top])
    )
    tables.append(("Timeline", summary["by"], summary["timeline"]))
    docs = sorted(summary["documents"], key=lambda r: r["mean_tone"])
    tables.append(("Documents, most critical first", "document", docs[:top]))
    if summary.get("groups") is not None:
        tables.append((f"Groups by {summary['group_by']}", summary["group_by"], summary["groups"]))
    return tables


def markdown(summary: dict[str, Any]) -> str:
    o = summary["overall"]
    lines = [
        "# detente summary", "",
        f"{summary['records']} statements from {len(summary['documents'])} documents; "
        f"{summary['records'] - summary['unattributed_records']} with a speaker, "
        f"{len(summary['speakers'])} speakers.",
    ]  # fmt: skip
    if o:
        lines.append(f"Mean tone {o['mean_tone']:+.2f} (95% CI {o['tone_ci'][0]:+.2f} to {o['tone_ci'][1]:+.2f}).")
    for title, key, rows in _tables(summary):
        lines += ["", f"## {title}", "", "| " + " | ".join([key] + HEAD[1:]) + " |", "|" + "---|" * len(HEAD)]
        lines += ["| " + " | ".join(c.replace("|", "\\|") for c in _fmt_row(r)) + " |" for r in rows]
    if summary.get("unknown_speakers"):
        lines += ["", "## Speakers on no side", ""]
        lines += [f"- {u['speaker']} ({u['n']})" for u in summary["unknown_speakers"]]
    return "\n".join(lines) + "\n"


def _img(name: str, png: bytes, alt: str) -> str:
    data = base64.b64encode(png).decode()
    src = f"data:image/png;base64,{data}"
    return f'<figure><img class="plot" data-plot="{name}" alt="{html.escape(alt)}" src="{src}"></figure>'


#: Marks the page with how many plots the browser drew, so a headless browser can check them.
_CHECK = """<script>
window.addEventListener('load', function () {
  var imgs = Array.prototype.slice.call(document.querySelectorAll('img.plot'));
  var drawn = imgs.filter(function (i) { return i.complete && i.naturalWidth > 0; }).length;
  document.body.setAttribute('data-plots-total', imgs.length);
  document.body.setAttribute('data-plots-drawn', drawn);
});
</script>"""


def page(summary: dict[str, Any]) -> str:
    top = defaults.REPORT_TOP
    figures = [
        _img("tone-over-time", plots.tone_over_time(summary), "mean tone over time"),
        _img("shares-over-time", plots.shares_over_time(summary), "label shares over time"),
        _img("speakers", plots.ranked(summary["speakers"], f"Speakers by tone (the {top} most frequent)", top),
             "speakers ranked by tone"),
        _img("documents", plots.ranked(summary["documents"], f"Documents by tone (the {top} longest)", top),
             "documents ranked by tone"),
    ]  # fmt: skip
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'><title>detente summary</title>",
        "<style>body{font-family:sans-serif;max-width:980px;margin:2em auto;color:#222}"
        "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:2px 8px;font-size:13px}"
        "td:nth-child(n+2){text-align:right}img{max-width:100%}</style></head><body>",
        "<h1>detente summary</h1>",
    ]
    md = markdown(summary).split("\n")
    parts.append(f"<p>{html.escape(md[2])} {html.escape(md[3]) if len(md) > 3 else ''}</p>")
    parts += figures
    for title, key, rows in _tables(summary):
        parts.append(f"<h2>{html.escape(title)}</h2><table><tr>")
        parts.append("".join(f"<th>{html.escape(h)}</th>" for h in [key] + HEAD[1:]) + "</tr>")
        for r in rows:
            parts.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in _fmt_row(r)) + "</tr>")
        parts.append("</table>")
    if summary.get("unknown_speakers"):
        names = ", ".join(f"{html.escape(u['speaker'])} ({u['n']})" for u in summary["unknown_speakers"])
        parts.append(f"<h2>Speakers on no side</h2><p>{names}</p>")
    parts += [_CHECK, "</body></html>"]
    return "\n".join(parts)
