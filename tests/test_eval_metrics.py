"""detente.eval.metrics against small cases worked out by hand (the arithmetic is in the comments)."""

from __future__ import annotations

import numpy as np
import pytest

from detente.eval import metrics as m

C, K, P = "conciliatory", "critical", "procedural"

# Six statements: gold c c c k k p, predicted c c k k p p.
GOLD = [C, C, C, K, K, P]
PRED = [C, C, K, K, P, P]


def test_accuracy_and_confusion_by_hand():
    # correct at positions 0, 1, 3, 5: 4 of 6
    assert m.accuracy(GOLD, PRED) == pytest.approx(4 / 6)
    # rows gold, columns predicted (c, k, p):
    #   gold c: predicted c twice, k once  -> [2, 1, 0]
    #   gold k: predicted k once, p once   -> [0, 1, 1]
    #   gold p: predicted p once           -> [0, 0, 1]
    assert m.confusion(GOLD, PRED) == [[2, 1, 0], [0, 1, 1], [0, 0, 1]]


def test_per_class_and_macro_f1_by_hand():
    # conciliatory: TP 2, FP 0, FN 1 -> P = 1, R = 2/3, F1 = 2 * 1 * 2/3 / (1 + 2/3) = 0.8
    # critical:     TP 1, FP 1, FN 1 -> P = 1/2, R = 1/2, F1 = 1/2
    # procedural:   TP 1, FP 1, FN 0 -> P = 1/2, R = 1, F1 = 2 * 1/2 * 1 / (3/2) = 2/3
    # macro-F1 = (0.8 + 0.5 + 2/3) / 3 = (59/30) / 3 = 59/90
    table = m.per_class(GOLD, PRED)
    assert list(table) == [C, K, P]
    assert table[C] == pytest.approx({"precision": 1.0, "recall": 2 / 3, "f1": 0.8, "support": 3})
    assert table[K] == pytest.approx({"precision": 0.5, "recall": 0.5, "f1": 0.5, "support": 2})
    assert table[P] == pytest.approx({"precision": 0.5, "recall": 1.0, "f1": 2 / 3, "support": 1})
    assert m.macro_f1(GOLD, PRED) == pytest.approx(59 / 90)


def test_macro_f1_leaves_out_a_label_absent_from_gold_and_predictions():
    # only c and k occur: F1(c) = 1 (2 of 2), F1(k) = 1 -> macro 1.0, not (1 + 1 + 0) / 3
    assert m.macro_f1([C, C, K], [C, C, K]) == pytest.approx(1.0)


# Four statements for calibration: (gold, probabilities c/k/p) ->
#   r0 gold c [0.95 0.03 0.02]: confidence 0.95, predicted c, right -> bin (0.9, 1.0]
#   r1 gold k [0.65 0.30 0.05]: confidence 0.65, predicted c, wrong -> bin (0.6, 0.7]
#   r2 gold k [0.20 0.70 0.10]: confidence 0.70, predicted k, right -> bin (0.6, 0.7] (upper edge included)
#   r3 gold p [0.10 0.15 0.75]: confidence 0.75, predicted p, right -> bin (0.7, 0.8]
CAL_GOLD = [C, K, K, P]
CAL_PROBS = np.array([[0.95, 0.03, 0.02], [0.65, 0.30, 0.05], [0.20, 0.70, 0.10], [0.10, 0.15, 0.75]])


def test_reliability_bins_by_hand():
    bins = m.reliability_bins(CAL_GOLD, CAL_PROBS)
    assert len(bins) == 10 and bins[0]["lo"] == 0.0 and bins[-1]["hi"] == 1.0
    filled = {i: b for i, b in enumerate(bins) if b["n"]}
    assert set(filled) == {6, 7, 9}
    # bin 6: confidences 0.65, 0.70 -> mean 0.675; right 1 of 2 -> 0.5
    assert filled[6]["n"] == 2
    assert filled[6]["confidence"] == pytest.approx(0.675) and filled[6]["accuracy"] == pytest.approx(0.5)
    assert filled[7]["confidence"] == pytest.approx(0.75) and filled[7]["accuracy"] == 1.0
    assert bins[0]["confidence"] is None and bins[0]["accuracy"] is None


def test_expected_calibration_error_by_hand():
    # gaps: bin 9 |1 - 0.95| = 0.05 (1 statement), bin 6 |0.5 - 0.675| = 0.175 (2), bin 7 |1 - 0.75| = 0.25 (1)
    # ECE = 1/4 * 0.05 + 2/4 * 0.175 + 1/4 * 0.25 = 0.0125 + 0.0875 + 0.0625 = 0.1625
    assert m.expected_calibration_error(CAL_GOLD, CAL_PROBS) == pytest.approx(0.1625)


def test_tone_is_conciliatory_minus_critical():
    # 0.95 - 0.03, 0.65 - 0.30, 0.20 - 0.70, 0.10 - 0.15
    assert m.tones(CAL_PROBS) == pytest.approx([0.92, 0.35, -0.5, -0.05])


def test_bootstrap_of_a_perfect_predictor_is_a_point():
    # every resample is all correct: accuracy 1 and macro-F1 1 in each, so both intervals are [1, 1]
    ci = m.bootstrap_ci(GOLD, GOLD, resamples=200, seed=1)
    assert ci == {"accuracy": [1.0, 1.0], "macro_f1": [1.0, 1.0]}


def test_bootstrap_is_seeded_and_brackets_the_point_estimate():
    gold, pred = GOLD * 10, PRED * 10
    first = m.bootstrap_ci(gold, pred, resamples=300, seed=7)
    assert first == m.bootstrap_ci(gold, pred, resamples=300, seed=7)
    assert first["macro_f1"][0] < m.macro_f1(gold, pred) < first["macro_f1"][1]
    assert first["accuracy"][0] < 4 / 6 < first["accuracy"][1]


def test_vectorised_resample_scores_equal_scikit_learn():
    rng = np.random.default_rng(0)
    gold = [m.LABELS[i] for i in rng.integers(0, 3, 50)]
    pred = [m.LABELS[i] for i in rng.integers(0, 3, 50)]
    index = np.vstack([np.arange(50), rng.integers(0, 50, (5, 50))])
    acc, macro = m._resample_scores(m._encode(gold), m._encode(pred), index)
    for row, a, f in zip(index, acc, macro, strict=True):
        assert a == pytest.approx(m.accuracy([gold[i] for i in row], [pred[i] for i in row]))
        assert f == pytest.approx(m.macro_f1([gold[i] for i in row], [pred[i] for i in row]))


def test_paired_bootstrap_by_hand():
    gold = [C, K, P, C, K, P]
    always_wrong = [K, P, C, K, P, C]
    # a is always right (macro-F1 1 on every resample), b always wrong (0 on every resample):
    # difference b - a = -1 everywhere, so the interval is [-1, -1]; no centred resample
    # |d* - d| = 0 reaches |d| = 1, so p = (1 + 0) / (200 + 1)
    result = m.paired_bootstrap(gold, gold, always_wrong, resamples=200, seed=3)
    assert result["difference"] == pytest.approx(-1.0)
    assert result["ci95"] == pytest.approx([-1.0, -1.0])
    assert result["p_value"] == pytest.approx(1 / 201)
    # identical predictions: difference 0 on every resample, every |d* - d| = 0 >= 0, so p = 201/201
    same = m.paired_bootstrap(gold, always_wrong, always_wrong, resamples=200, seed=3)
    assert same == {"difference": 0.0, "ci95": [0.0, 0.0], "p_value": 1.0}


# Two annotators, five statements: A = c c k k p, B = c k k k p.
ANN_A = [C, C, K, K, P]
ANN_B = [C, K, K, K, P]


def test_raw_agreement_and_cohen_kappa_by_hand():
    # agree on 4 of 5: p_o = 0.8
    assert m.raw_agreement(ANN_A, ANN_B) == pytest.approx(0.8)
    # marginals A: c 2, k 2, p 1; B: c 1, k 3, p 1
    # p_e = (2*1 + 2*3 + 1*1) / 5^2 = 9/25 = 0.36; kappa = (0.8 - 0.36) / (1 - 0.36) = 0.44 / 0.64 = 0.6875
    assert m.cohen_kappa(ANN_A, ANN_B) == pytest.approx(0.6875)


def test_krippendorff_alpha_nominal_by_hand():
    # units (c,c) (c,k) (k,k) (k,k) (p,p); each pair adds 1 to o[x][y] and o[y][x]:
    #   o_cc = 2, o_ck = o_kc = 1, o_kk = 4, o_pp = 2
    # n_c = 3, n_k = 5, n_p = 2, n = 10
    # observed off-diagonal: o_ck + o_kc = 2
    # expected off-diagonal: sum_{c != k} n_c n_k = n^2 - sum n_c^2 = 100 - (9 + 25 + 4) = 62
    # alpha = 1 - (n - 1) * 2 / 62 = 1 - 18/62 = 44/62 = 22/31
    assert m.krippendorff_alpha_nominal(list(zip(ANN_A, ANN_B, strict=True))) == pytest.approx(22 / 31)


def test_krippendorff_alpha_skips_unpairable_units_and_handles_three_coders():
    # a unit with one label is not pairable: same alpha as without it
    units = [*zip(ANN_A, ANN_B, strict=True), (P,)]
    assert m.krippendorff_alpha_nominal(units) == pytest.approx(22 / 31)
    # three coders in full agreement on varied units: alpha = 1
    assert m.krippendorff_alpha_nominal([(C, C, C), (K, K, K), (P, P, P)]) == pytest.approx(1.0)


def test_agreement_coefficients_are_undefined_with_a_single_label():
    # both annotators only ever say "procedural": chance agreement 1, expected disagreement 0
    assert m.cohen_kappa([P, P], [P, P]) is None
    assert m.krippendorff_alpha_nominal([(P, P), (P, P)]) is None
    assert m.raw_agreement([P, P], [P, P]) == 1.0
