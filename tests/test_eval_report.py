"""metrics.json assembly, the HTML and Markdown reports, and the all-at-once directory write."""

from __future__ import annotations

import base64
import json
import re
from html.parser import HTMLParser

import numpy as np
import pytest

from detente.eval import output
from detente.eval.evaluate import Scored, build_metrics, build_predictions, model_info
from detente.eval.report_html import render_html
from detente.eval.report_md import render_markdown
from detente.model.labels import LABELS

C, K, P = LABELS

RECORDS = [
    {"id": "s1", "text": "Both sides called the talks constructive.", "label": C, "topic": "alpha",
     "date": "2022-01-10"},
    {"id": "s2", "text": "Moscow rejected the offer as unacceptable.", "label": K, "topic": "alpha",
     "date": "2022-01-21"},
    {"id": "s3", "text": "The delegations met in Geneva.", "label": P, "topic": "beta", "date": "2022-02-01"},
    {"id": "s4", "text": "We hope for a deal.", "label": C, "topic": "beta", "date": "2022-02-03"},
    {"id": "s5", "text": "The reply is <unacceptable> & insulting.", "label": K},
    {"id": "s6", "text": "A reply will be sent next week.", "label": P, "topic": "alpha", "date": "2022-02-09"},
]  # fmt: skip
MODEL_PROBS = np.array([
    [0.8, 0.1, 0.1],  # s1 right
    [0.1, 0.7, 0.2],  # s2 right
    [0.2, 0.1, 0.7],  # s3 right
    [0.1, 0.2, 0.7],  # s4 wrong: procedural, confidence 0.7
    [0.9, 0.05, 0.05],  # s5 wrong: conciliatory, confidence 0.9 (the most confident error)
    [0.2, 0.2, 0.6],  # s6 right
])  # fmt: skip


def _scored(tag="toy@1", probs=MODEL_PROBS, probabilistic=True):
    return Scored(tag, model_info(tag, tag.split("@")[0], "1", "abc", source="toy"), probs, probabilistic)


def _onehot(labels):
    return np.eye(3)[[LABELS.index(label) for label in labels]]


@pytest.fixture(scope="module")
def full():
    """Metrics and predictions with everything on: a second model, two baselines, groups."""
    model, other = _scored(), _scored("other@2", MODEL_PROBS[::-1].copy())
    baselines = [
        Scored("majority", model_info("majority", "majority", None, "fp"), np.tile([0.2, 0.3, 0.5], (6, 1))),
        Scored("vader", model_info("vader", "vader", None, None), _onehot([C, K, P, C, K, P]), False),
    ]
    metrics = build_metrics(RECORDS, ["toy.jsonl"], model, baselines, [other], "topic", None, resamples=200, seed=1)
    predictions = build_predictions(RECORDS, model, baselines, [other])
    return metrics, predictions


def test_metrics_document_has_stable_keys_and_consistent_numbers(full):
    metrics, predictions = full
    assert {"schema_version", "labels", "data", "bootstrap", "model", "n", "accuracy", "macro_f1", "ci95",
            "per_class", "confusion_matrix", "ece", "reliability", "baselines", "baselines_training", "models",
            "comparison", "groups", "warnings"} <= set(metrics)  # fmt: skip
    assert metrics["n"] == 6 and metrics["accuracy"] == pytest.approx(4 / 6)
    assert metrics["model"] == dict(tag="toy@1", name="toy", version="1", data_fingerprint="abc", source="toy")
    assert list(metrics["baselines"]) == ["majority", "vader"]
    assert metrics["baselines"]["vader"]["ece"] is None and metrics["baselines"]["vader"]["accuracy"] == 1.0
    assert metrics["baselines"]["majority"]["ece"] is not None
    assert metrics["models"][0]["model"]["tag"] == "other@2"
    comparison = metrics["comparison"]
    assert comparison["a"] == "toy@1" and comparison["b"] == "other@2"
    assert comparison["difference"] == pytest.approx(metrics["models"][0]["macro_f1"] - metrics["macro_f1"])
    assert 0 < comparison["p_value"] <= 1
    assert json.loads(json.dumps(metrics)) == metrics  # plain JSON throughout
    # predictions agree with the matrix: row sums are gold counts, the diagonal the correct ones
    cm = np.array(metrics["confusion_matrix"])
    assert cm.sum() == len(predictions) and np.trace(cm) == sum(p["correct"] for p in predictions)


def test_groups_put_records_without_the_field_in_their_own_row(full):
    metrics, _ = full
    rows = {row["value"]: row for row in metrics["groups"]["rows"]}
    assert [row["value"] for row in metrics["groups"]["rows"]] == ["alpha", "beta", "(none)"]  # largest first
    assert rows["alpha"]["n"] == 3 and rows["alpha"]["accuracy"] == 1.0
    assert rows["beta"]["accuracy"] == 0.5 and rows["(none)"]["accuracy"] == 0.0
    assert set(rows["alpha"]["baselines"]) == {"majority", "vader"}


def test_date_groups_are_months():
    model = _scored()
    metrics = build_metrics(RECORDS, ["toy.jsonl"], model, group_by="date", resamples=50)
    assert [(r["value"], r["n"]) for r in metrics["groups"]["rows"]] == [("2022-02", 3), ("2022-01", 2), ("(none)", 1)]


def test_predictions_keep_input_fields_and_add_gold_label_and_tone(full):
    _, predictions = full
    first = predictions[0]
    assert first["id"] == "s1" and first["gold_label"] == C and first["label"] == C and first["topic"] == "alpha"
    assert first["tone"] == pytest.approx(0.7) and first["model"] == "toy@1"
    assert first["baselines"] == {"majority": P, "vader": C}
    assert first["models"][0]["model"] == "other@2"


def test_a_model_scored_on_its_own_training_data_is_flagged():
    from detente.labelled import fingerprint

    model = Scored("toy@1", model_info("toy@1", "toy", "1", fingerprint(RECORDS)), MODEL_PROBS)
    assert "trained on exactly this data" in build_metrics(RECORDS, ["toy.jsonl"], model, resamples=50)["warnings"][0]


class _Sections(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids, self.images, self.scripts = [], [], 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "section":
            self.ids.append(attrs["id"])
        if tag == "img":
            self.images.append(attrs["src"])
        self.scripts += tag == "script"


def test_html_report_is_self_contained_with_every_section(full):
    metrics, predictions = full
    page = render_html(metrics, predictions)
    parsed = _Sections()
    parsed.feed(page)
    assert parsed.ids == ["summary", "comparison", "per-class", "confusion", "reliability", "tone", "groups",
                          "errors", "data"]  # fmt: skip
    assert len(parsed.images) == 4 and parsed.scripts == 0
    for src in parsed.images:
        assert src.startswith("data:image/png;base64,")
        assert base64.b64decode(src.split(",", 1)[1]).startswith(b"\x89PNG")
    assert not re.search(r"""(src|href)=["']https?:""", page)  # nothing fetched
    # headline numbers with their intervals, and the baselines' rows beside the model's
    assert f"{metrics['macro_f1']:.3f}" in page and "[" in page
    for tag in ("toy@1", "other@2", "majority", "vader"):
        assert f'<td class="text">{tag}</td>' in page
    # statement text is escaped, and the most confident error (s5) comes first
    assert "&lt;unacceptable&gt; &amp; insulting" in page and "<unacceptable>" not in page
    errors = page.split('id="errors"')[1]
    assert errors.index("s5") < errors.index("s4")


def test_markdown_report_has_the_same_numbers_as_tables(full):
    metrics, predictions = full
    md = render_markdown(metrics, predictions)
    for heading in ("## Headline numbers", "## Model comparison", "## Per class", "## Confusion matrix",
                    "## Calibration", "## By topic", "## Most confident errors"):  # fmt: skip
        assert heading in md
    headline = md.split("## Headline numbers")[1].split("##")[0]
    assert f"| toy@1 | model | 6 | {metrics['accuracy']:.3f} |" in headline
    assert "| vader | baseline |" in headline and "| – |" in headline  # no ECE for the rule-based baseline
    assert "\\|" not in headline


def test_minimal_report_without_options_still_renders(tmp_path):
    metrics = build_metrics(RECORDS, ["toy.jsonl"], _scored(), resamples=50)
    predictions = build_predictions(RECORDS, _scored())
    page = render_html(metrics, predictions)
    assert 'id="comparison"' not in page and 'id="groups"' not in page and 'id="summary"' in page
    assert "## By" not in render_markdown(metrics, predictions)


def test_write_evaluation_creates_replaces_only_its_files_and_is_all_or_nothing(tmp_path, full, monkeypatch):
    metrics, predictions = full
    target = tmp_path / "report"
    output.write_evaluation(target, metrics, predictions)
    assert sorted(p.name for p in target.iterdir()) == sorted(output.EVAL_FILES)
    assert json.loads((target / "metrics.json").read_text(encoding="utf-8")) == metrics
    assert len((target / "predictions.jsonl").read_text(encoding="utf-8").splitlines()) == len(RECORDS)

    (target / "notes.txt").write_text("mine", encoding="utf-8")
    (target / "metrics.json").write_text("old", encoding="utf-8")
    output.write_evaluation(target, metrics, predictions)
    assert (target / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert (target / "metrics.json").read_text(encoding="utf-8") != "old"

    before = {p.name: p.read_bytes() for p in target.iterdir()}

    def broken(*_):
        raise RuntimeError("figure failed")

    monkeypatch.setattr("detente.eval.report_md.render_markdown", broken)
    with pytest.raises(RuntimeError):
        output.write_evaluation(target, metrics, predictions)
    assert {p.name: p.read_bytes() for p in target.iterdir()} == before
    with pytest.raises(RuntimeError):
        output.write_evaluation(tmp_path / "fresh", metrics, predictions)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]  # no fresh/, no staging left behind
