"""`detente summarize`: every number recomputed from the records it came from; bad input refused."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections import defaultdict
from datetime import date, timedelta

import numpy as np
import pytest

from detente.model.labels import LABELS

from .conftest import ROOT, run_cli

ARTICLES = ROOT / "data" / "speakers" / "articles"
SIDES = """\
sides:
  Unions: [Marta Kowal, National Rail Union, Aoife Brennan, Kwame Asante, Gloria Santangelo]
  Governments: [Alan Whitby, Declan Foley, Paolo Ferri, Grace Mwila, Carlos Bento, Kremlin]
"""


@pytest.fixture(scope="module")
def scored(tmp_path_factory):
    """The speaker-set articles scored once, in all three output formats."""
    folder = tmp_path_factory.mktemp("scored")
    paths = {}
    for fmt in ("jsonl", "csv", "parquet"):
        paths[fmt] = folder / f"scores.{fmt}"
        result = run_cli("score", ARTICLES, "-o", paths[fmt])
        assert result.returncode == 0, result.stderr.decode()
    records = [json.loads(line) for line in paths["jsonl"].read_text(encoding="utf-8").splitlines()]
    (folder / "sides.yaml").write_text(SIDES, encoding="utf-8")
    return folder, paths, records


def _summarize(*args):
    out = tempfile.mkdtemp()
    result = run_cli("summarize", *args, "-o", out)
    assert result.returncode == 0, result.stderr.decode()
    return json.loads(open(os.path.join(out, "summary.json"), encoding="utf-8").read()), out


def _expected(records, key):
    groups = defaultdict(list)
    for r in records:
        k = key(r)
        if k is not None:
            groups[k].append(r)
    return groups


def _check_rows(rows, groups):
    assert {str(r["key"]) for r in rows} == {str(k) for k in groups}
    for row in rows:
        members = groups[row["key"]]
        tones = np.array([m["tone"] for m in members])
        assert row["n"] == len(members)
        for label in LABELS:
            assert row["shares"][label] == pytest.approx(sum(m["label"] == label for m in members) / len(members))
        assert row["mean_tone"] == pytest.approx(tones.mean(), abs=1e-9)
        low, high = row["tone_ci"]
        assert low - 1e-9 <= row["mean_tone"] <= high + 1e-9
        assert tones.min() - 1e-9 <= low and high <= tones.max() + 1e-9
        if len(tones) < 10:
            continue  # too few records for two bootstraps' percentiles to agree closely
        # an independent plain bootstrap of the records agrees with the reported interval
        rng = np.random.default_rng(0)
        means = tones[rng.integers(0, len(tones), size=(4000, len(tones)))].mean(axis=1)
        ref_low, ref_high = np.percentile(means, [2.5, 97.5])
        spread = max(tones.std() / np.sqrt(len(tones)), 1e-6)
        assert abs(low - ref_low) < 0.35 * spread + 0.01 and abs(high - ref_high) < 0.35 * spread + 0.01


def _week(day):
    d = date.fromisoformat(day)
    return (d - timedelta(days=d.weekday())).isoformat()


def test_summary_numbers_agree_with_the_records(scored):
    folder, paths, records = scored
    summary, out = _summarize(paths["jsonl"], "--sides", folder / "sides.yaml", "--group-by", "speaker_kind")
    assert summary["records"] == len(records)
    assert summary["unattributed_records"] == sum(r["speaker"] is None for r in records)
    _check_rows(summary["documents"], _expected(records, lambda r: r["doc"]))
    _check_rows(summary["speakers"], _expected(records, lambda r: r["speaker"]))
    _check_rows(summary["timeline"], _expected(records, lambda r: _week(r["date"])))
    _check_rows(summary["groups"], _expected(records, lambda r: r["speaker_kind"] or "(none)"))
    sides = {"marta kowal": "Unions", "national rail union": "Unions", "aoife brennan": "Unions",
             "kwame asante": "Unions", "gloria santangelo": "Unions", "alan whitby": "Governments",
             "declan foley": "Governments", "paolo ferri": "Governments", "grace mwila": "Governments",
             "carlos bento": "Governments", "kremlin": "Governments"}  # fmt: skip
    side_of = lambda r: sides.get((r["speaker"] or "").lower())  # noqa: E731
    _check_rows(summary["sides"], _expected(records, side_of))
    by_side = _expected(records, lambda r: (side_of(r), _week(r["date"])) if side_of(r) else None)
    assert {(r["side"], r["key"]) for r in summary["timeline_by_side"]} == set(by_side)
    for row in summary["timeline_by_side"]:
        members = by_side[(row["side"], row["key"])]
        assert row["n"] == len(members)
        assert row["mean_tone"] == pytest.approx(np.mean([m["tone"] for m in members]))
    unknown = {r["speaker"] for r in records if r["speaker"] and not side_of(r)}
    assert {u["speaker"] for u in summary["unknown_speakers"]} == unknown
    assert {p: os.path.exists(os.path.join(out, p)) for p in ("report.html", "report.md", "speakers.csv")} == {
        "report.html": True, "report.md": True, "speakers.csv": True,
    }  # fmt: skip


def test_csv_and_parquet_give_the_same_summary_as_jsonl(scored):
    _, paths, _ = scored
    base, _ = _summarize(paths["jsonl"], "--by", "month", "--no-report")
    for fmt in ("csv", "parquet"):
        other, _ = _summarize(paths[fmt], "--by", "month", "--no-report")
        for table in ("documents", "speakers", "timeline"):
            assert [(r["key"], r["n"]) for r in other[table]] == [(r["key"], r["n"]) for r in base[table]]
            for a, b in zip(other[table], base[table], strict=True):
                assert a["mean_tone"] == pytest.approx(b["mean_tone"], abs=1e-6)
                assert a["tone_ci"] == pytest.approx(b["tone_ci"], abs=1e-6)


@pytest.mark.parametrize(
    "content, problem",
    [
        ('{"text": "hello", "label": "critical"}\n', "missing column 'id'"),
        ("not json at all\n", "not detente score output"),
    ],
)
def test_a_file_that_is_not_detente_output_is_refused(tmp_path, content, problem):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(content, encoding="utf-8")
    result = run_cli("summarize", bad, "-o", tmp_path / "out")
    lines = result.stderr.decode().strip().splitlines()
    assert result.returncode == 2 and len(lines) == 1
    assert lines[0].startswith(f"detente: error: {bad}: ") and problem in lines[0]


def test_a_missing_csv_column_is_named(scored, tmp_path):
    _, paths, _ = scored
    text = paths["csv"].read_text(encoding="utf-8").replace(",tone,", ",tonality,", 1)
    bad = tmp_path / "no-tone.csv"
    bad.write_text(text, encoding="utf-8")
    result = run_cli("summarize", bad, "-o", tmp_path / "out")
    assert result.returncode == 2
    assert result.stderr.decode().strip() == f"detente: error: {bad}: missing column 'tone': not detente score output?"


@pytest.mark.parametrize(
    "yaml_text, problem",
    [
        ("sides:\n  A: [X]\nteams: {}\n", "unknown key 'teams' (expected: sides)"),
        ("sides:\n  A: [Marta Kowal]\n  B: [marta kowal]\n", "speaker 'marta kowal' is on two sides: 'A' and 'B'"),
    ],
)
def test_bad_sides_files_are_refused(scored, tmp_path, yaml_text, problem):
    _, paths, _ = scored
    sides = tmp_path / "sides.yaml"
    sides.write_text(yaml_text, encoding="utf-8")
    result = run_cli("summarize", paths["jsonl"], "--sides", sides, "-o", tmp_path / "out")
    assert result.returncode == 2
    assert result.stderr.decode().strip() == f"detente: error: {sides}: {problem}"


def _chromium():
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(_chromium() is None, reason="chromium is not installed (apt-get install chromium)")
def test_report_opens_in_a_real_browser_with_every_plot_drawn(scored, tmp_path):
    folder, paths, _ = scored
    _, out = _summarize(paths["jsonl"], "--sides", folder / "sides.yaml")
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}"]  # fmt: skip
    page = f"file://{out}/report.html"
    dom = subprocess.run([_chromium(), *flags, "--virtual-time-budget=5000", "--dump-dom", page],
                         capture_output=True, text=True, timeout=120)  # fmt: skip
    assert 'data-plots-total="4"' in dom.stdout and 'data-plots-drawn="4"' in dom.stdout, dom.stderr[-2000:]
    shot = tmp_path / "report.png"
    subprocess.run([_chromium(), *flags, f"--screenshot={shot}", "--window-size=1000,1400", page],
                   capture_output=True, timeout=120)  # fmt: skip
    assert shot.exists() and shot.stat().st_size > 10_000
