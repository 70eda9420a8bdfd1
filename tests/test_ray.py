"""`detente score --engine ray`: the real CLI on a real local Ray instance (2 CPUs), against local scoring.

Every Ray run here starts its own local instance through the CLI (``--ray-cpus 2``;
the engine's local instance has a 200 MB object store and no dashboard) and shuts
it down, so the tests leave no Ray processes behind.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from detente.engines.parts import MANIFEST, PartStore
from detente.engines.plan import chunk_spans

from .conftest import EXAMPLES, ROOT, run_cli

RAY = ("--engine", "ray", "--ray-cpus", "2")
#: Small chunks, so chunks span several files and every actor gets many of them.
SETTINGS = ("--precision", "fp32", "--chunk-size", "48", "-q")


# ---------------------------------------------------------------- without Ray


def test_the_plan_cuts_the_statement_stream_exactly_like_local_scoring():
    rng = random.Random(7)
    counts = [(file, rng.choice([0, 0, 1, 3, 17, 40, 200])) for file in range(300)]
    stream = [(file, i) for file, n in counts for i in range(n)]
    local = [list(chunk) for chunk in itertools.batched(stream, 48)] if hasattr(itertools, "batched") else None
    local = local or [stream[i : i + 48] for i in range(0, len(stream), 48)]
    planned = [[(s.file, i) for s in spans for i in range(s.start, s.stop)] for spans in chunk_spans(counts, 48)]
    assert planned == local


def test_the_manifest_names_only_complete_parts_and_a_torn_line_is_redone(tmp_path):
    out = str(tmp_path / "out.jsonl")
    store = PartStore(out, "run-1", 3)
    store.check()
    store.open()
    store.append(0, [{"id": "a"}])
    store.finish(0, 1)
    store.append(1, [{"id": "b"}])  # file 1 unfinished: its .tmp part is not in the manifest
    with (store.dir / MANIFEST).open("a") as manifest:
        manifest.write('{"file": 2, "rec')  # a kill in the middle of a manifest line
    with pytest.raises(Exception, match="pass --resume"):
        PartStore(out, "run-1", 3).check()
    with pytest.raises(Exception, match="other inputs"):
        PartStore(out, "run-2", 3, resume=True).check()
    again = PartStore(out, "run-1", 3, resume=True)
    again.check()
    again.open()
    assert again.done == {0: 1} and again.missing() == [1, 2]
    assert not list(again.dir.glob("*.tmp"))


# ---------------------------------------------------------------- helpers


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """Several hundred short news files in nested folders, from the sample articles' paragraphs.

    Includes a file with only a date header (no statements) and one with CRLF line ends.
    """
    root = tmp_path_factory.mktemp("ray") / "news"
    paragraphs = []
    for path in sorted(EXAMPLES.glob("*.txt")):
        paragraphs += [p for p in path.read_text(encoding="utf-8").split("\n\n") if p.strip() and "date " not in p]
    for i in range(320):
        folder = root / f"desk-{i % 3}" / (f"week-{i % 7}" if i % 2 else "")
        folder.mkdir(parents=True, exist_ok=True)
        body = "\n\n".join(paragraphs[(i * 3 + k) % len(paragraphs)] for k in range(1 + i % 2))
        header = f"date 2024-{1 + i % 12:02d}-{1 + i % 28:02d}\n\n" if i % 4 == 0 else ""
        (folder / f"{i:04d}.txt").write_text(header + body, encoding="utf-8")
    (root / "desk-0" / "only-a-date.txt").write_text("date 2024-05-01\n", encoding="utf-8")
    (root / "desk-1" / "crlf.txt").write_bytes(("\r\n\r\n".join(paragraphs[:3]) + "\r\n").encode())
    return root


@pytest.fixture(scope="module")
def local_scores(corpus):
    out = corpus.parent / "local.jsonl"
    result = run_cli("score", corpus, "-o", out, *SETTINGS)
    assert result.returncode == 0, result.stderr.decode()
    return out.read_text(encoding="utf-8")


def _descendants(pid: int) -> list[int]:
    """Processes started, directly or not, by ``pid`` (Ray's head processes and workers, for a driver)."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    found, frontier = [], [pid]
    while frontier:
        children = [p for p, parent in parents.items() if parent in frontier]
        found += children
        frontier = children
    return found


def _cmdline(pid: int) -> str:
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def _start(*args: str) -> subprocess.Popen:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, "-m", "detente", "score", *map(str, args)]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _finished_files(out: Path) -> int:
    manifest = out.with_name(out.name + ".parts") / MANIFEST
    try:
        return max(0, len(manifest.read_text().splitlines()) - 1)
    except OSError:
        return 0


def _wait_for_files(proc: subprocess.Popen, out: Path, files: int, timeout: float = 120) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline and proc.poll() is None and _finished_files(out) < files:
        time.sleep(0.05)
    assert proc.poll() is None, f"the run ended before it could be interrupted: {proc.stderr.read().decode()}"


def _alive(pid: int) -> bool:
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def _reap(pids: list[int], grace: float = 15) -> list[int]:
    """Wait for processes to go; kill (by pid) any still running after ``grace`` s. Returns those killed."""
    deadline = time.time() + grace
    while time.time() < deadline and any(_alive(p) for p in pids):
        time.sleep(0.1)
    left = [p for p in pids if _alive(p)]
    for pid in left:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    return left


# ---------------------------------------------------------------- on Ray


def test_ray_gives_the_local_records_on_a_folder_of_several_hundred_files(corpus, local_scores, tmp_path):
    out = tmp_path / "ray.jsonl"
    result = run_cli("score", corpus, "-o", out, *RAY, "--ray-actors", "2", "--threads", "1", *SETTINGS[:-1])
    assert result.returncode == 0, result.stderr.decode()
    assert out.read_text(encoding="utf-8") == local_scores  # the same bytes, so the same records
    records = [json.loads(line) for line in local_scores.splitlines()]
    assert len({r["doc"] for r in records}) >= 300 and len(records) == len({r["id"] for r in records})
    summary = result.stderr.decode().strip().splitlines()[-1]
    assert f"{len(records):,} statements" in summary and "2 actors" in summary and "statements/s" in summary
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ray.jsonl"]  # parts and manifest gone


def test_ray_gives_the_local_records_on_the_sample_articles_as_csv_with_the_default_precision(tmp_path):
    local, ray = tmp_path / "local.csv", tmp_path / "ray.csv"
    assert run_cli("score", EXAMPLES, "-o", local, "--chunk-size", "16", "-q").returncode == 0
    result = run_cli("score", EXAMPLES, "-o", ray, "--chunk-size", "16", "-q", *RAY)  # default: 2 actors
    assert result.returncode == 0, result.stderr.decode()
    assert ray.read_text(encoding="utf-8") == local.read_text(encoding="utf-8")
    assert len(ray.read_text(encoding="utf-8").splitlines()) == 81


def test_killing_an_actor_mid_run_loses_and_duplicates_no_record(corpus, local_scores, tmp_path):
    out = tmp_path / "ray.jsonl"
    proc = _start(corpus, "-o", out, *RAY, "--ray-actors", "2", "--threads", "1", *SETTINGS)
    try:
        _wait_for_files(proc, out, 40)
        actors = [p for p in _descendants(proc.pid) if "StatementScorer" in _cmdline(p)]
        assert len(actors) == 2, [_cmdline(p) for p in _descendants(proc.pid)]
        os.kill(actors[0], signal.SIGKILL)
        assert proc.poll() is None and _finished_files(out) < 300  # killed mid-run
        assert proc.wait(timeout=180) == 0, proc.stderr.read().decode()
    finally:
        if proc.poll() is None:
            proc.kill()
    assert out.read_text(encoding="utf-8") == local_scores


def test_ctrl_c_then_a_killed_driver_then_resume_completes_with_nothing_lost_or_duplicated(
    corpus, local_scores, tmp_path
):
    out = tmp_path / "ray.jsonl"
    args = (corpus, "-o", out, *RAY, "--ray-actors", "2", "--threads", "1", *SETTINGS)
    first = _start(*args)
    _wait_for_files(first, out, 30)
    started = _descendants(first.pid)
    first.send_signal(signal.SIGINT)  # Ctrl-C
    assert first.wait(timeout=60) == 130
    assert "--resume" in first.stderr.read().decode()
    assert _reap(started) == []  # Ray shut down cleanly: nothing left running
    assert not out.exists() and 30 <= _finished_files(out) < 322

    second = _start(*args, "--resume")
    _wait_for_files(second, out, _finished_files(out) + 30)
    started = _descendants(second.pid)
    second.kill()  # the driver dies without any chance to clean up
    second.wait(timeout=30)
    _reap(started, grace=2)  # Ray's agents outlive a killed driver by about a minute; no need to wait here
    assert not out.exists()

    result = run_cli("score", *args, "--resume")
    assert result.returncode == 0, result.stderr.decode()
    assert out.read_text(encoding="utf-8") == local_scores
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ray.jsonl"]


def test_bad_input_stops_a_ray_run_before_ray_starts(tmp_path):
    folder = tmp_path / "news"
    folder.mkdir()
    (folder / "a.txt").write_text("The envoys met on Monday.", encoding="utf-8")
    (folder / "b.txt").write_bytes(b"ok\xff")
    result = run_cli("score", folder, "-o", tmp_path / "out.jsonl", *RAY)
    err = result.stderr.decode().strip()
    assert result.returncode == 2 and err.startswith("detente: error: ") and "b.txt: not UTF-8" in err, err
    assert len(err.splitlines()) == 1 and sorted(p.name for p in tmp_path.iterdir()) == ["news"]
    wrong = run_cli("score", folder / "a.txt", "--ray-actors", "2")
    assert wrong.returncode == 2 and "need --engine ray" in wrong.stderr.decode()


def test_local_scoring_and_help_never_import_ray(tmp_path):
    argv = ["score", str(EXAMPLES / "2023-11-02_grain_corridor.txt"), "-q", "-o", str(tmp_path / "o.jsonl")]
    code = f"import sys; from detente.cli import main; main({argv!r}); print('ray' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.stdout.strip() == "False", out.stderr
    assert "--engine" in run_cli("score", "--help").stdout.decode()
