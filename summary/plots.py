"""The report's four plots as PNG bytes (matplotlib, no display)."""

from __future__ import annotations

import io
from typing import Any

from detente.model.labels import LABELS

COLOURS = {"conciliatory": "#2e7d32", "critical": "#c62828", "procedural": "#78909c"}


def _png(fig) -> bytes:
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return buffer.getvalue()


def _figure(width: float = 8, height: float = 3.6):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt.subplots(figsize=(width, height))


def tone_over_time(summary: dict[str, Any]) -> bytes:
    """Mean tone per period with its 95% interval: one line per side, or all records."""
    fig, ax = _figure()
    series: dict[str, list[dict]] = {}
    if summary.get("timeline_by_side"):
        for row in summary["timeline_by_side"]:
            series.setdefault(row["side"], []).append(row)
    else:
        series["all statements"] = summary["timeline"]
    for name, rows in sorted(series.items()):
        rows = sorted(rows, key=lambda r: r["key"])
        x = [_day(r["key"]) for r in rows]
        (line,) = ax.plot(x, [r["mean_tone"] for r in rows], marker="o", label=f"{name}")
        ax.fill_between(x, [r["tone_ci"][0] for r in rows], [r["tone_ci"][1] for r in rows], alpha=0.2,
                        color=line.get_color())  # fmt: skip
    ax.axhline(0, color="#999", lw=0.8)
    ax.set_ylim(-1.05, 1.05)
    ax.set_ylabel("mean tone (95% CI)")
    ax.set_title(f"Tone over time, by {summary['by']}")
    if not any(series.values()):
        ax.text(0.5, 0.5, "no dated statements", ha="center", transform=ax.transAxes)
    ax.legend(loc="best", fontsize=8)
    fig.autofmt_xdate()
    return _png(fig)


def shares_over_time(summary: dict[str, Any]) -> bytes:
    """Label shares per period, stacked."""
    fig, ax = _figure()
    rows = sorted(summary["timeline"], key=lambda r: r["key"])
    x = [_day(r["key"]) for r in rows]
    ax.stackplot(x, *[[r["shares"][label] for r in rows] for label in LABELS], labels=list(LABELS),
                 colors=[COLOURS[label] for label in LABELS], alpha=0.85)  # fmt: skip
    ax.set_ylim(0, 1)
    ax.set_ylabel("share of statements")
    ax.set_title(f"Label shares over time, by {summary['by']}")
    if not rows:
        ax.text(0.5, 0.5, "no dated statements", ha="center", transform=ax.transAxes)
    ax.legend(loc="upper left", fontsize=8)
    fig.autofmt_xdate()
    return _png(fig)


def ranked(rows: list[dict[str, Any]], title: str, top: int) -> bytes:
    """Groups ranked by mean tone, with intervals and counts: the most frequent ``top`` of them."""
    chosen = sorted(sorted(rows, key=lambda r: -r["n"])[:top], key=lambda r: r["mean_tone"])
    fig, ax = _figure(8, max(2.0, 0.32 * len(chosen) + 1))
    y = range(len(chosen))
    tones = [r["mean_tone"] for r in chosen]
    errors = [[t - r["tone_ci"][0] for t, r in zip(tones, chosen, strict=True)],
              [r["tone_ci"][1] - t for t, r in zip(tones, chosen, strict=True)]]  # fmt: skip
    ax.barh(list(y), tones, xerr=errors, color=["#2e7d32" if t >= 0 else "#c62828" for t in tones], alpha=0.8,
            error_kw={"lw": 0.8, "ecolor": "#333"})  # fmt: skip
    ax.set_yticks(list(y), [f"{_short(str(r['key']))} (n={r['n']})" for r in chosen], fontsize=8)
    ax.axvline(0, color="#999", lw=0.8)
    ax.set_xlim(-1.05, 1.05)
    ax.set_xlabel("mean tone (95% CI)")
    ax.set_title(title)
    if not chosen:
        ax.text(0.5, 0.5, "none", ha="center", transform=ax.transAxes)
    return _png(fig)


def _short(text: str, width: int = 40) -> str:
    return text if len(text) <= width else "…" + text[-(width - 1) :]


def _day(text: str):
    from datetime import date

    return date.fromisoformat(str(text)[:10])
