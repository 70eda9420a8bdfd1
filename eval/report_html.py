"""``report.html``: the evaluation as one self-contained page a person reads.

Self-contained (inline CSS, PNGs as base64 ``data:`` URIs, no scripts, no fonts or
assets fetched) so the single file can be mailed, attached to an issue or opened
from an archive years later and still show everything. All text from the data
is HTML-escaped: statements are news copy with quotes and angle brackets.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from html import escape
from typing import Any

from detente.eval import plots, tables

#: Section ids, in page order; tests and links rely on them.
SECTIONS = ("summary", "comparison", "per-class", "confusion", "reliability", "tone", "groups", "errors", "data")

STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; max-width: 1100px; margin: 2em auto;
       padding: 0 1em; color: #222; line-height: 1.45; }
h1 { margin-bottom: 0.2em; } h2 { border-bottom: 1px solid #ddd; padding-bottom: 0.2em; margin-top: 2em; }
table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.92em; }
th, td { border: 1px solid #ddd; padding: 0.3em 0.6em; text-align: right; vertical-align: top; }
th { background: #f4f4f4; } td.text, th.text { text-align: left; max-width: 42em; }
td.name, th.name { text-align: left; }
tr.model td { font-weight: 600; background: #f3f8fd; }
.headline { display: flex; gap: 2.5em; flex-wrap: wrap; margin: 1em 0; }
.headline div { font-size: 0.9em; color: #555; } .headline b { display: block; font-size: 1.9em; color: #111; }
.note { color: #555; font-size: 0.9em; } .warning { color: #a33; font-weight: 600; }
img { max-width: 100%; }
"""


def _img(png: bytes, alt: str) -> str:
    return f'<img alt="{escape(alt)}" src="data:image/png;base64,{base64.b64encode(png).decode("ascii")}">'


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], text_columns: Sequence[int] = (0,),
           row_classes: Sequence[str] | None = None) -> str:  # fmt: skip
    def cell(tag: str, i: int, value: str) -> str:
        cls = ' class="text"' if i in text_columns else ""
        return f"<{tag}{cls}>{escape(str(value))}</{tag}>"

    head = "".join(cell("th", i, h) for i, h in enumerate(header))
    body = []
    for r, row in enumerate(rows):
        cls = f' class="{row_classes[r]}"' if row_classes and row_classes[r] else ""
        body.append(f"<tr{cls}>" + "".join(cell("td", i, v) for i, v in enumerate(row)) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _section(section_id: str, title: str, *parts: str) -> str:
    return f'<section id="{section_id}"><h2>{escape(title)}</h2>{"".join(parts)}</section>'


def _summary(metrics: dict[str, Any]) -> str:
    ci = metrics["ci95"]
    tiles = [
        ("macro-F1", tables.num(metrics["macro_f1"]), tables.interval(ci["macro_f1"])),
        ("accuracy", tables.num(metrics["accuracy"]), tables.interval(ci["accuracy"])),
        ("calibration error (ECE)", tables.num(metrics["ece"]), "10 bins, lower is better"),
        ("statements", str(metrics["n"]), ", ".join(f"{k}: {v['support']}" for k, v in metrics["per_class"].items())),
    ]
    headline = "".join(f"<div>{escape(name)}<b>{escape(value)}</b>{escape(note)}</div>" for name, value, note in tiles)
    rows = tables.headline_rows(metrics)
    header = [title for _, title in tables.HEADLINE_COLUMNS]
    cells = [[r[key] for key, _ in tables.HEADLINE_COLUMNS] for r in rows]
    table = _table(header, cells, row_classes=["model" if r["kind"] == "model" else "" for r in rows])
    chart = _img(
        plots.f1_intervals([r["name"] for r in rows],
                           [float(r["macro_f1"]) for r in rows],
                           [_bounds(metrics, r["name"]) for r in rows]),
        "macro-F1 with 95% intervals per predictor",
    )  # fmt: skip
    note = (
        '<p class="note">Intervals: percentile bootstrap over statements '
        f"({metrics['bootstrap']['resamples']} resamples, seed {metrics['bootstrap']['seed']}). "
        "Baselines are scored on the same statements; ECE is not given for rule-based baselines "
        "whose outputs are not probabilities.</p>"
    )
    return _section("summary", "Headline numbers", f'<div class="headline">{headline}</div>', table, chart, note)


def _bounds(metrics: dict[str, Any], tag: str) -> list[float]:
    for b in [metrics, *metrics["models"], *metrics["baselines"].values()]:
        if b["model"]["tag"] == tag:
            return b["ci95"]["macro_f1"]
    raise KeyError(tag)


def render_html(metrics: dict[str, Any], predictions: Sequence[dict[str, Any]]) -> str:
    """The full page from ``metrics.json`` and the prediction records."""
    tag = metrics["model"]["tag"]
    parts = [_summary(metrics)]
    line = tables.comparison_line(metrics)
    if line:
        parts.append(_section("comparison", "Model comparison",
                              f"<p>{escape(line)}</p>",
                              '<p class="note">Paired bootstrap: both models are scored on the same resamples; '
                              "an interval that contains 0 means the data do not tell the two apart.</p>"))  # fmt: skip
    if metrics.get("contrast"):
        parts.append(_section(
            "contrast", "Contrast pairs",
            _table(tables.CONTRAST_HEADER, tables.contrast_rows(metrics)),
            f'<p class="note">{escape(metrics["contrast"]["file"])}: minimal pairs whose stance flips while the '
            "loaded words stay; a model that reads words rather than stance gets one member of a pair right.</p>",
        ))  # fmt: skip
    per_class = _table(tables.PER_CLASS_HEADER, tables.per_class_rows(metrics))
    parts.append(_section("per-class", f"Per class: {tag}", per_class))
    parts.append(_section(
        "confusion", "Confusion matrix",
        _img(plots.confusion_heatmap(metrics["confusion_matrix"]), "confusion matrix heat-map"),
        _table(tables.CONFUSION_HEADER, tables.confusion_rows(metrics)),
    ))  # fmt: skip
    curves = [(b["model"]["tag"], b["reliability"]) for b in [metrics, *metrics["models"]] if b["reliability"]]
    parts.append(_section(
        "reliability", "Calibration",
        _img(plots.reliability_diagram(curves), "reliability diagram"),
        f'<p class="note">ECE {tables.num(metrics["ece"])}: the count-weighted gap between confidence and '
        "accuracy. Points below the diagonal are over-confident bins.</p>",
    ))  # fmt: skip
    parts.append(_section(
        "tone", "Tone by gold label",
        _img(plots.tone_distribution([p["gold_label"] for p in predictions], [p["tone"] for p in predictions]),
             "tone distribution per gold label"),
    ))  # fmt: skip
    if metrics["groups"]:
        parts.append(_section(
            "groups", f"By {metrics['groups']['field']}",
            _table(tables.group_header(metrics), tables.group_rows(metrics)),
            '<p class="note">Small groups have wide intervals; read them as hints, not findings.</p>',
        ))  # fmt: skip
    parts.append(_section(
        "errors", "Most confident errors",
        _table(tables.ERROR_HEADER, tables.error_rows(predictions), text_columns=(0, 4)),
        '<p class="note">Wrong predictions the model was surest of: some of these may be wrong gold labels rather '
        "than model mistakes (see <code>detente label-issues</code>).</p>",
    ))  # fmt: skip
    parts.append(_section("data", "Data and provenance", _provenance(metrics)))
    title = f"detente evaluation: {tag}"
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        f"<style>{STYLE}</style></head><body><h1>{escape(title)}</h1>"
        f'<p class="note">{escape(", ".join(metrics["data"]["files"]))}: {metrics["n"]} statements</p>'
        + "".join(parts) + "</body></html>\n"
    )  # fmt: skip


def _provenance(metrics: dict[str, Any]) -> str:
    model = metrics["model"]
    rows = [
        ["evaluation files", ", ".join(metrics["data"]["files"])],
        ["evaluation data fingerprint", metrics["data"]["fingerprint"]],
        ["model", f"{model['tag']} ({model.get('source', '')})"],
        ["model training data fingerprint", model["data_fingerprint"] or "unknown"],
    ]
    training = metrics["baselines_training"]
    if training:
        rows.append(["baselines trained on", f"{', '.join(training['files'])} ({training['n']} statements)"])
    for b in metrics["baselines"].values():
        rows.append([f"baseline {b['model']['tag']}", b["model"].get("description", "")])
    warnings = "".join(f'<p class="warning">{escape(w)}</p>' for w in metrics["warnings"])
    return warnings + _table(["what", "value"], rows, text_columns=(0, 1))
