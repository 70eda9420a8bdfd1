"""The report's figures, each returned as PNG bytes for embedding in one HTML file.

Figures are built on ``matplotlib.figure.Figure`` with the Agg canvas, never
through ``pyplot``: no global figure state, no display needed, and nothing for a
user's own matplotlib backend setting to change.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import numpy as np

from detente.model.labels import LABELS

#: One colour per label wherever labels are coloured (colour-blind-safe Okabe-Ito hues).
LABEL_COLOURS = {"conciliatory": "#009E73", "critical": "#D55E00", "procedural": "#0072B2"}


def _figure(width: float, height: float):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def _png(figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def confusion_heatmap(matrix: Sequence[Sequence[int]], title: str = "") -> bytes:
    """Counts with rows = gold and columns = predicted; each cell shaded by its share of the row.

    Shading by row share (recall) rather than raw count keeps a small class's
    confusions as visible as a large one's.
    """
    counts = np.asarray(matrix, dtype=float)
    shares = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    figure = _figure(4.6, 3.9)
    ax = figure.add_subplot()
    image = ax.imshow(shares, cmap="Blues", vmin=0, vmax=1)
    for i in range(len(LABELS)):
        for j in range(len(LABELS)):
            colour = "white" if shares[i, j] > 0.6 else "black"
            ax.text(j, i, f"{int(counts[i, j])}\n{shares[i, j]:.0%}", ha="center", va="center", color=colour)
    ax.set_xticks(range(len(LABELS)), LABELS, rotation=20)
    ax.set_yticks(range(len(LABELS)), LABELS)
    ax.set_xlabel("predicted")
    ax.set_ylabel("gold")
    ax.set_title(title or "confusion matrix (share of gold row)")
    figure.colorbar(image, ax=ax, shrink=0.8)
    return _png(figure)


def reliability_diagram(curves: Sequence[tuple[str, Sequence[dict[str, Any]]]]) -> bytes:
    """Accuracy against confidence per bin, one line per predictor, with the diagonal of perfect calibration.

    Points below the diagonal mean over-confidence; the bar chart underneath shows
    how many statements each bin holds, since a point over three statements is noise.
    """
    figure = _figure(5.2, 5.0)
    top, bottom = figure.subplots(2, 1, sharex=True, height_ratios=[3, 1])
    top.plot([0, 1], [0, 1], linestyle="--", color="grey", label="perfect calibration")
    width = 1 / max(len(bins) for _, bins in curves) / (len(curves) + 1)
    for k, (name, bins) in enumerate(curves):
        filled = [b for b in bins if b["n"]]
        top.plot([b["confidence"] for b in filled], [b["accuracy"] for b in filled], marker="o", label=name)
        bottom.bar([b["lo"] + (k + 0.5) * width for b in bins], [b["n"] for b in bins], width=width, label=name)
    top.set_xlim(0, 1)
    top.set_ylim(0, 1)
    top.set_ylabel("accuracy")
    top.set_title("reliability (confidence = max probability)")
    top.legend(loc="upper left", fontsize="small")
    bottom.set_xlabel("confidence")
    bottom.set_ylabel("statements")
    return _png(figure)


def tone_distribution(gold: Sequence[str], tone: Sequence[float]) -> bytes:
    """Histogram of predicted tone for each gold label, on a shared [-1, 1] axis.

    A good model puts gold-critical statements to the left, gold-conciliatory to the
    right and gold-procedural around zero; overlap shows where the tone score blurs.
    """
    tone = np.asarray(tone, dtype=float)
    gold = np.asarray(gold)
    figure = _figure(6.0, 4.6)
    axes = figure.subplots(len(LABELS), 1, sharex=True)
    edges = np.linspace(-1, 1, 21)
    for ax, label in zip(axes, LABELS, strict=True):
        values = tone[gold == label]
        ax.hist(values, bins=edges, color=LABEL_COLOURS[label])
        mean = f", mean {values.mean():+.2f}" if len(values) else ""
        ax.set_title(f"gold {label} (n={len(values)}{mean})", fontsize="medium", loc="left")
        ax.axvline(0, color="grey", linewidth=0.8)
    axes[-1].set_xlabel("tone = P(conciliatory) − P(critical)")
    axes[-1].set_xlim(-1, 1)
    return _png(figure)


def f1_intervals(names: Sequence[str], values: Sequence[float], bounds: Sequence[Sequence[float]]) -> bytes:
    """Macro-F1 of each predictor with its 95% interval: overlapping bars mean "not clearly better"."""
    figure = _figure(6.0, 0.5 + 0.45 * len(names))
    ax = figure.add_subplot()
    y = np.arange(len(names))[::-1]
    values = np.asarray(values, dtype=float)
    lower = values - np.array([b[0] for b in bounds])
    upper = np.array([b[1] for b in bounds]) - values
    ax.errorbar(values, y, xerr=[lower, upper], fmt="o", capsize=4, color="#0072B2")
    ax.set_yticks(y, names)
    ax.set_xlim(0, 1)
    ax.set_xlabel("macro-F1 (95% bootstrap interval)")
    ax.grid(axis="x", alpha=0.3)
    return _png(figure)
