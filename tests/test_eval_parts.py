"""The evaluation's smaller parts in-process: inputs, baselines, annotations, confident learning, the CLI wiring."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

import numpy as np
import pytest

from detente.errors import DetenteError
from detente.eval import agreement, baselines, data
from detente.eval.label_issues import confident_learning
from detente.model.labels import LABELS

C, K, P = LABELS


def _jsonl(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_group_key_buckets_dates_by_month_and_names_missing_values():
    assert data.group_key({"date": "2022-01-10"}, "date") == "2022-01"
    assert data.group_key({"topic": "brexit"}, "topic") == "brexit"
    assert data.group_key({"topic": ""}, "topic") == data.MISSING_GROUP
    assert data.group_key({}, "speaker") == data.MISSING_GROUP


def test_a_group_field_no_record_has_is_an_error():
    with pytest.raises(DetenteError, match="no record has the --group-by field 'topik'"):
        data.check_group_field([{"topic": "x"}], "topik", ["set.jsonl"])


def test_train_files_default_to_the_fixed_split_and_say_how_to_fix_their_absence(tmp_path):
    assert data.resolve_train_files(["a.jsonl"]) == [data.Path("a.jsonl")]
    with pytest.raises(DetenteError, match="--baselines needs training data.*--train FILE"):
        data.resolve_train_files(None, cwd=tmp_path)
    (tmp_path / "data" / "splits").mkdir(parents=True)
    (tmp_path / "data" / "splits" / "train.jsonl").write_text("", encoding="utf-8")
    assert data.resolve_train_files(None, cwd=tmp_path) == [tmp_path / "data" / "splits" / "train.jsonl"]


def test_vader_thresholds_are_inclusive_at_plus_minus_0_3():
    assert [baselines.vader_stance(x) for x in (0.3, 0.29, 0.0, -0.29, -0.3)] == [C, P, P, P, K]


def test_vader_baseline_reads_plain_sentiment():
    probs = baselines.Vader().predict_proba(["We warmly welcome this wonderful, hopeful progress.",
                                             "This is a disgusting, hateful, terrible betrayal.",
                                             "The delegations met on Tuesday."])  # fmt: skip
    assert [LABELS[i] for i in probs.argmax(axis=1)] == [C, K, P]
    assert set(np.unique(probs)) == {0.0, 1.0}


def test_majority_and_tfidf_baselines_learn_from_training_labels():
    texts = ["we welcome the progress", "we reject this insult", "the meeting is on monday"] * 4
    labels = [C, K, P] * 3 + [P, P, P]
    majority = baselines.Majority().fit(texts, labels).predict_proba(["anything"])
    assert majority[0] == pytest.approx([3 / 12, 3 / 12, 6 / 12])  # training shares: c 3, k 3, p 6
    tfidf = baselines.TfidfLogReg().fit(texts, labels)
    assert [LABELS[i] for i in tfidf.predict_proba(["we reject the insult"]).argmax(axis=1)] == [K]


def test_confident_learning_flags_by_hand():
    # given labels c c k k, out-of-sample probabilities (c, k, p):
    probs = np.array([[0.8, 0.2, 0.0], [0.6, 0.4, 0.0], [0.1, 0.9, 0.0], [0.7, 0.3, 0.0]])
    given = [0, 0, 1, 1]
    # thresholds: t_c = mean(0.8, 0.6) = 0.7; t_k = mean(0.9, 0.3) = 0.6; t_p = inf (nobody labelled p)
    # r0: c 0.8 >= 0.7 only -> c = given, fine;   r1: nothing reaches its threshold -> not flagged
    # r2: k 0.9 >= 0.6 only -> k = given, fine;   r3: c 0.7 >= 0.7 (k 0.3 < 0.6) -> c != given k: flagged
    flagged, suggested, confidence = confident_learning(given, probs)
    assert flagged.tolist() == [False, False, False, True]
    assert suggested[3] == 0
    assert confidence.tolist() == pytest.approx([0.8, 0.6, 0.9, 0.3])  # probability of the given label


def test_annotations_need_only_id_and_label(tmp_path):
    path = _jsonl(tmp_path / "b.jsonl", [{"id": 1, "label": C}, {"id": "2", "label": K}])
    assert agreement.read_annotations(path) == {"1": (C, 1), "2": (K, 2)}


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([{"id": "1", "label": C}, {"id": "2", "label": "neutral"}], r"b.jsonl:2: unknown label 'neutral'"),
        ([{"id": "1", "label": C}, {"id": "2"}], r"b.jsonl:2: record has no 'label'"),
        ([{"label": C}], r"b.jsonl:1: record has no 'id'"),
        ([{"id": "1", "label": C}, {"id": "1", "label": K}], r"b.jsonl:2: duplicate id '1' \(first at line 1\)"),
        ([], r"b.jsonl: no records"),
    ],
)
def test_bad_annotations_name_file_and_line(tmp_path, rows, message):
    with pytest.raises(DetenteError, match=message):
        agreement.read_annotations(_jsonl(tmp_path / "b.jsonl", rows))


def test_mismatched_ids_name_the_file_the_line_and_an_example(tmp_path):
    a = _jsonl(tmp_path / "a.jsonl", [{"id": "1", "label": C}, {"id": "2", "label": K}, {"id": "3", "label": P}])
    b = _jsonl(tmp_path / "b.jsonl", [{"id": "1", "label": C}])
    with pytest.raises(DetenteError, match=r"a.jsonl:2: id '2' is not in .*b.jsonl \(and 1 more\)"):
        agreement.compare_files(a, b)
    with pytest.raises(DetenteError, match=r"a.jsonl:2: id '2' is not in .*b.jsonl"):
        agreement.compare_files(b, a)  # b's ids are all in a, a's extra ids are named


def test_register_adds_the_three_commands_with_handlers():
    from detente.eval.cli import register

    parser = argparse.ArgumentParser(prog="detente")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["eval", "--data", "x.jsonl", "-o", "out"])
    assert args.model is None and args.baselines is False and callable(args.handler)
    assert callable(parser.parse_args(["agreement", "a.jsonl", "b.jsonl", "--json"]).handler)
    assert parser.parse_args(["label-issues", "--data", "x.jsonl", "--top", "3"]).top == 3
    with pytest.raises(SystemExit):
        parser.parse_args(["label-issues", "--data", "x.jsonl", "--top", "0"])


def test_the_eval_cli_module_imports_no_heavy_library():
    heavy = ("torch", "transformers", "numpy", "sklearn", "matplotlib")
    code = f"import sys, detente.eval.cli; print(sorted(m for m in {heavy!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
