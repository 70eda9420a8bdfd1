"""`detente eval`, `agreement` and `label-issues` end to end: the real CLI in subprocesses, real data."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter

import pytest

from detente.model.labels import LABELS

from .conftest import ROOT, run_cli

C, K, P = LABELS

#: Until detente/cli.py registers the evaluation commands, run them through a shim that does.
_SHIM = """
import sys
import detente.cli as cli
from detente.eval.cli import register
_build = cli.build_parser
def build_parser():
    parser = _build()
    register(parser._subparsers._group_actions[0])
    return parser
cli.build_parser = build_parser
sys.exit(cli.main(sys.argv[1:]))
"""


def _registered() -> bool:
    from detente.cli import build_parser

    return "eval" in build_parser()._subparsers._group_actions[0].choices


def detente(*args, timeout: int = 300):
    """`detente ARGS` in a subprocess, as run_cli does, with the eval commands available either way."""
    if _registered():
        return run_cli(*args, timeout=timeout)
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONUNBUFFERED": "1"}
    return subprocess.run([sys.executable, "-c", _SHIM, *map(str, args)], capture_output=True, cwd=ROOT, env=env,
                          timeout=timeout)  # fmt: skip


def _records(split):
    path = ROOT / "data" / "splits" / f"{split}.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _write(path, rows):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def _one_error_line(result, *fragments):
    assert result.returncode == 2, result.stderr.decode()
    lines = result.stderr.decode().strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("detente: error: "), lines
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


@pytest.fixture(scope="module")
def small_eval(tmp_path_factory):
    """40 test statements, baselines trained on 120 training statements, grouped by topic."""
    tmp = tmp_path_factory.mktemp("eval")
    data = _write(tmp / "small.jsonl", _records("test")[::5][:40])
    train = _write(tmp / "train.jsonl", _records("train")[::9][:120])
    out = tmp / "report"
    result = detente("eval", "--data", data, "--baselines", "--train", train, "--group-by", "topic",
                     "--bootstrap", "200", "--batch-size", "16", "-o", out)  # fmt: skip
    assert result.returncode == 0, result.stderr.decode()
    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    predictions = [json.loads(line) for line in (out / "predictions.jsonl").read_text(encoding="utf-8").splitlines()]
    return data, out, metrics, predictions, result.stderr.decode()


def test_eval_metrics_agree_with_the_predictions(small_eval):
    data, out, metrics, predictions, _ = small_eval
    assert sorted(p.name for p in out.iterdir()) == ["metrics.json", "predictions.jsonl", "report.html", "report.md"]
    assert metrics["n"] == len(predictions) == 40
    assert metrics["labels"] == list(LABELS)
    gold = [p["gold_label"] for p in predictions]
    assert [p["id"] for p in predictions] == [json.loads(line)["id"] for line in data.read_text().splitlines()]
    assert metrics["accuracy"] == pytest.approx(sum(p["correct"] for p in predictions) / 40)
    cm = metrics["confusion_matrix"]
    for i, g in enumerate(LABELS):
        for j, q in enumerate(LABELS):
            assert cm[i][j] == sum(p["gold_label"] == g and p["label"] == q for p in predictions)
    supports = {label: c["support"] for label, c in metrics["per_class"].items()}
    assert supports == {label: Counter(gold)[label] for label in LABELS}
    for key in ("accuracy", "macro_f1"):
        low, high = metrics["ci95"][key]
        assert 0 <= low <= metrics[key] <= high <= 1
    assert 0 <= metrics["ece"] <= 1 and len(metrics["reliability"]) == 10
    for p in predictions:
        assert sum(p["probs"].values()) == pytest.approx(1, abs=1e-4)
        assert p["label"] == max(p["probs"], key=p["probs"].get)
        assert p["tone"] == pytest.approx(p["probs"][C] - p["probs"][K], abs=1e-5)
    assert sum(row["n"] for row in metrics["groups"]["rows"]) == 40


def test_eval_scores_with_the_bundled_model_and_names_its_training_data(small_eval, classifier):
    _, _, metrics, predictions, _ = small_eval
    assert metrics["model"]["tag"] == classifier.name
    assert metrics["model"]["data_fingerprint"] == classifier.spec.training["data_fingerprint"]
    expected = classifier.predict_proba([p["text"] for p in predictions[:8]], batch_size=8)
    for p, row in zip(predictions[:8], expected, strict=True):
        assert [p["probs"][label] for label in LABELS] == pytest.approx(row.tolist(), abs=1e-4)


def test_eval_baselines_are_scored_on_the_same_statements(small_eval):
    _, _, metrics, predictions, stderr = small_eval
    assert list(metrics["baselines"]) == ["majority", "vader", "tfidf-logreg", "embedding-logreg"]
    assert metrics["baselines_training"]["n"] == 120 and metrics["baselines_training"]["overlap"] == 0
    for name, block in metrics["baselines"].items():
        assert block["n"] == 40 and set(block) >= {"accuracy", "macro_f1", "ci95", "per_class", "confusion_matrix"}
        picked = [p["baselines"][name] for p in predictions]
        right = sum(a == p["gold_label"] for a, p in zip(picked, predictions, strict=True))
        assert block["accuracy"] == pytest.approx(right / 40)
    assert len({p["baselines"]["majority"] for p in predictions}) == 1
    assert metrics["baselines"]["vader"]["ece"] is None
    assert "embedding-logreg" in stderr and "macro-F1" in stderr


def test_eval_report_pages_have_their_sections(small_eval):
    _, out, metrics, _, _ = small_eval
    page = (out / "report.html").read_text(encoding="utf-8")
    for section in ("summary", "per-class", "confusion", "reliability", "tone", "groups", "errors", "data"):
        assert f'<section id="{section}">' in page
    assert page.count("data:image/png;base64,") == 4
    assert all(row["value"] in page for row in metrics["groups"]["rows"]) and "tfidf-logreg" in page
    md = (out / "report.md").read_text(encoding="utf-8")
    assert f"| {metrics['model']['tag']} | model | 40 | {metrics['accuracy']:.3f} |" in md
    assert "## By topic" in md and "| embedding-logreg | baseline | 40 |" in md


GOOD = {"id": "g1", "text": "The sides met in Geneva.", "label": "procedural"}


@pytest.mark.parametrize(
    ("rows", "fragments"),
    [
        ([GOOD, {**GOOD, "id": "g2", "label": "neutral"}], ["bad.jsonl:2", "unknown label 'neutral'"]),
        ([GOOD, {"id": "g2", "label": "critical"}], ["bad.jsonl:2", "record has no 'text'"]),
        ([GOOD, GOOD], ["bad.jsonl:2", "duplicate id 'g1'"]),
        ([], ["bad.jsonl", "no records"]),
    ],
    ids=["unknown-label", "missing-field", "duplicate-id", "empty"],
)
def test_eval_bad_input_is_one_line_exit_2_and_writes_nothing(tmp_path, rows, fragments):
    data = _write(tmp_path / "bad.jsonl", rows)
    out = tmp_path / "report"
    _one_error_line(detente("eval", "--data", data, "-o", out), *fragments)
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.jsonl"]  # no staging directory either


def test_eval_bad_input_leaves_an_existing_report_unchanged(tmp_path):
    out = tmp_path / "report"
    out.mkdir()
    (out / "metrics.json").write_text('{"old": true}', encoding="utf-8")
    data = _write(tmp_path / "bad.jsonl", [GOOD, {**GOOD, "id": "g2", "label": "neutral"}])
    _one_error_line(detente("eval", "--data", data, "--group-by", "topic", "-o", out), "bad.jsonl:2")
    assert [p.name for p in out.iterdir()] == ["metrics.json"]
    assert (out / "metrics.json").read_text(encoding="utf-8") == '{"old": true}'


def test_eval_missing_training_data_and_group_field_are_clear_errors(tmp_path):
    data = _write(tmp_path / "set.jsonl", [GOOD])
    _one_error_line(detente("eval", "--data", data, "--baselines", "--train", tmp_path / "nope.jsonl", "-o",
                            tmp_path / "r"), "nope.jsonl", "no such file")  # fmt: skip
    _one_error_line(detente("eval", "--data", data, "--group-by", "topik", "-o", tmp_path / "r"), "'topik'")
    assert not (tmp_path / "r").exists()


def _annotators(tmp_path):
    # hand-made pair (see test_eval_metrics): A = c c k k p, B = c k k k p; B has no text
    ids = ["a1", "a2", "a3", "a4", "a5"]
    a = _write(tmp_path / "a.jsonl", [{"id": i, "text": f"Statement {i}.", "label": lab}
                                      for i, lab in zip(ids, [C, C, K, K, P], strict=True)])  # fmt: skip
    b_labels = [P, K, K, K, C]  # the same labels, in reverse id order
    b = _write(tmp_path / "b.jsonl", [{"id": i, "label": lab} for i, lab in zip(ids[::-1], b_labels, strict=True)])
    return a, b


def test_agreement_numbers_on_a_hand_made_pair(tmp_path):
    a, b = _annotators(tmp_path)
    result = detente("agreement", a, b, "--json")
    assert result.returncode == 0, result.stderr.decode()
    numbers = json.loads(result.stdout)
    assert numbers["n"] == 5
    assert numbers["raw_agreement"] == pytest.approx(0.8)
    assert numbers["cohen_kappa"] == pytest.approx(0.6875)  # (0.8 - 0.36) / 0.64
    assert numbers["krippendorff_alpha"] == pytest.approx(22 / 31)  # 1 - 9 * 2 / 62
    assert numbers["confusion_matrix"] == [[1, 1, 0], [0, 2, 0], [0, 0, 1]]
    assert numbers["disagreements"] == [{"id": "a2", "a": C, "b": K}]
    summary = detente("agreement", a, b).stdout.decode()
    assert "Cohen's kappa          0.688" in summary and "Krippendorff's alpha   0.710" in summary


def test_agreement_with_mismatched_ids_names_file_and_id(tmp_path):
    a, _ = _annotators(tmp_path)
    b = _write(tmp_path / "b2.jsonl", [{"id": i, "label": C} for i in ["a1", "a2", "a3", "a4", "zz"]])
    _one_error_line(detente("agreement", a, b), "a.jsonl:5", "'a5'", "b2.jsonl")
    bad = _write(tmp_path / "b3.jsonl", [{"id": "a1", "label": C}, {"id": "a2", "label": "warm"}])
    _one_error_line(detente("agreement", a, bad), "b3.jsonl:2", "unknown label 'warm'")


def test_label_issues_finds_a_deliberately_flipped_label(tmp_path):
    records = _records("dev")[::7][:78]
    flipped = next(r for r in records if r["id"] == "rn-179")  # "Russia should stop coercive military posturing..."
    assert flipped["label"] == K
    flipped["label"] = C
    data = _write(tmp_path / "set.jsonl", records)
    out = tmp_path / "issues.jsonl"
    result = detente("label-issues", "--data", data, "--top", "5", "-o", out)
    assert result.returncode == 0, result.stderr.decode()
    assert "grouped by source" in result.stderr.decode()
    issues = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(issues) == 5
    assert [i["score"] for i in issues] == sorted(i["score"] for i in issues)
    hit = next(i for i in issues if i["id"] == "rn-179")
    assert hit["given_label"] == C and hit["suggested_label"] != C
    assert set(hit) == {"id", "text", "given_label", "suggested_label", "score", "probs"}


def test_label_issues_bad_input_is_one_line(tmp_path):
    data = _write(tmp_path / "set.jsonl", [GOOD, {**GOOD, "id": "g2", "label": "neutral"}])
    _one_error_line(detente("label-issues", "--data", data, "-o", tmp_path / "o.jsonl"), "set.jsonl:2")
    _one_error_line(detente("label-issues", "--data", _write(tmp_path / "tiny.jsonl", [GOOD]), "--method", "tfidf"),
                    "at least 10 statements")  # fmt: skip
    assert not (tmp_path / "o.jsonl").exists()
