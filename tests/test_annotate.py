"""`detente annotate`: the labelling page in a real browser, and its file on disk.

The browser test drives Debian's headless Chromium through Selenium with Debian's
chromedriver (`apt-get install chromium chromium-driver`); Selenium is given the
driver's path, so it never tries to download one.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from detente.labelling.annotate import LabelStore, read_tasks
from detente.labelling.sample import sample_tasks
from detente.model.labels import LABELS

from .conftest import ROOT, run_cli

CHROMEDRIVER = Path("/usr/bin/chromedriver")
CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture
def tasks_file(scored, tmp_path):
    path = tmp_path / "tasks.jsonl"
    tasks = sample_tasks(scored, 10, "random", seed=3)
    path.write_text("".join(json.dumps(t, ensure_ascii=False) + "\n" for t in tasks), encoding="utf-8")
    return path


def read_jsonl(path):
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines()]


def start_annotate(tasks, out, *extra):
    """The real command in a subprocess; returns it and the page's address once it serves."""
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "detente", "annotate", str(tasks), "-o", str(out), "--port", "0", "--no-browser",
         *extra],
        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, cwd=ROOT, env=env,
    )  # fmt: skip
    line = proc.stderr.readline()
    assert "http://127.0.0.1:" in line, line + proc.stderr.read()
    return proc, line.split("labelling at ")[1].split()[0]


def chrome(tmp_path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--window-size=1100,820",
                 f"--user-data-dir={tmp_path / 'chrome-profile'}"):  # fmt: skip
        options.add_argument(flag)
    return webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)


@pytest.mark.skipif(
    not CHROMEDRIVER.exists(), reason="no /usr/bin/chromedriver: apt-get install chromium chromium-driver"
)
def test_label_ten_by_keyboard_reload_midway_finish(tasks_file, tmp_path, monkeypatch):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    monkeypatch.setenv("SE_OFFLINE", "true")  # Selenium Manager must not reach for the network
    out = tmp_path / "labelled.jsonl"
    proc, url = start_annotate(tasks_file, out, "--annotator", "alice")
    driver = chrome(tmp_path)
    wait = WebDriverWait(driver, 30)
    body = lambda: driver.find_element(By.TAG_NAME, "body")  # noqa: E731
    current = lambda: body().get_attribute("data-task-id")  # noqa: E731
    expected: dict[str, str] = {}
    try:
        driver.get(url)
        previous = None
        for i in range(10):
            wait.until(lambda d, p=previous: current() not in (None, "", p))
            if i == 5:  # reload mid-way: the page resumes at the first statement not labelled
                before = current()
                driver.refresh()
                wait.until(lambda d, b=before: current() == b)
                assert driver.find_element(By.ID, "progress").text == "5 / 10"
            task_id = current()
            if i == 2:  # a wrong label, taken back with U: the statement returns with it preselected
                body().send_keys("3", Keys.ENTER)
                wait.until(lambda d, t=task_id: current() != t)
                body().send_keys("u")
                wait.until(lambda d, t=task_id: current() == t)
                assert "selected" in driver.find_element(By.ID, "label-procedural").get_attribute("class")
                assert driver.find_element(By.ID, "progress").text == "2 / 10"
            key = str(i % 3 + 1)
            suggestion = driver.find_element(By.ID, "suggestion")
            if i != 2:
                assert "Model suggests" not in suggestion.text  # hidden until the annotator has chosen
            body().send_keys(key)
            wait.until(lambda d, s=suggestion: "Model suggests" in s.text)
            if i == 3 and os.environ.get("DETENTE_SCREENSHOT"):
                driver.save_screenshot(os.environ["DETENTE_SCREENSHOT"])
            if i == 7:  # a note, saved with Enter from the note field
                note = driver.find_element(By.ID, "note")
                note.click()
                note.send_keys("rule 14: hope with a caveat", Keys.ENTER)
            else:
                body().send_keys(Keys.ENTER)
            expected[task_id] = LABELS[i % 3]
            previous = task_id
        wait.until(lambda d: d.find_element(By.ID, "done").is_displayed())
        assert driver.find_element(By.ID, "progress").text == "10 / 10"
        driver.find_element(By.ID, "quit").click()
        assert proc.wait(timeout=30) == 0
    finally:
        driver.quit()
        if proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=30)
    records = read_jsonl(out)
    assert len(records) == 10
    assert {r["id"]: r["label"] for r in records} == expected
    assert {r["id"] for r in records} == {t["id"] for t in read_tasks(tasks_file)}
    assert all(r["annotator"] == "alice" and r["labelled_at"].endswith("Z") for r in records)
    assert [r.get("note") for r in records].count("rule 14: hope with a caveat") == 1


def test_every_label_is_on_disk_at_once_and_reopening_resumes(tasks_file, tmp_path):
    tasks = read_tasks(tasks_file)
    out = tmp_path / "labelled.jsonl"
    store = LabelStore(tasks, out, "alice")
    store.label(tasks[0]["id"], "Critical", "")
    store.label(tasks[1]["id"], "procedural", "a note")
    assert [r["id"] for r in read_jsonl(out)] == [tasks[0]["id"], tasks[1]["id"]]
    with out.open("a", encoding="utf-8") as handle:  # a crash in the middle of writing a line
        handle.write('{"id": "' + tasks[2]["id"] + '", "te')
    again = LabelStore(tasks, out, "alice")
    assert again.state()["done"] == 2 and again.state()["task"]["id"] == tasks[2]["id"]
    assert len(read_jsonl(out)) == 2  # the torn line is cut off
    again.skip(tasks[2]["id"])
    assert again.state()["task"]["id"] == tasks[3]["id"]
    assert again.undo() == tasks[1]["id"]
    assert again.state()["preselect"] == {"label": "procedural", "note": "a note"}
    assert [r["id"] for r in read_jsonl(out)] == [tasks[0]["id"]]
    with pytest.raises(ValueError):
        again.label(tasks[0]["id"], "critical")  # already labelled


def test_two_annotators_files_feed_agreement(tasks_file, tmp_path):
    tasks = read_tasks(tasks_file)
    for name, shift in (("alice", 0), ("bob", 1)):
        store = LabelStore(tasks, tmp_path / f"{name}.jsonl", name)
        for i, task in enumerate(tasks):
            store.label(task["id"], LABELS[(i + shift * (i % 2)) % 3])
    done = run_cli("agreement", tmp_path / "alice.jsonl", tmp_path / "bob.jsonl", "--json")
    assert done.returncode == 0, done.stderr.decode()
    assert json.loads(done.stdout)["n"] == 10
    from detente.labelled import read_labelled  # the labelled format is what training reads too

    assert len(read_labelled([tmp_path / "alice.jsonl"])) == 10


def test_bad_input_is_one_line_and_exit_2(tasks_file, scores_file, tmp_path):
    not_tasks = tmp_path / "notes.jsonl"
    not_tasks.write_text('{"title": "not a task"}\n', encoding="utf-8")
    done = run_cli("annotate", not_tasks, "-o", tmp_path / "l.jsonl", "--no-browser", "--port", "0")
    assert done.returncode == 2 and "not a tasks file" in done.stderr.decode()
    assert len(done.stderr.decode().strip().splitlines()) == 1
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = run_cli("annotate", tasks_file, "-o", tmp_path / "l.jsonl", "--no-browser", "--port", port)
    assert done.returncode == 2 and "port in use" in done.stderr.decode()
    assert len(done.stderr.decode().strip().splitlines()) == 1
    assert not (tmp_path / "l.jsonl").exists()


def test_chromium_is_where_ci_installs_it():
    if not CHROMEDRIVER.exists():
        pytest.skip("no /usr/bin/chromedriver: apt-get install chromium chromium-driver")
    assert shutil.which("chromium") or CHROMIUM.exists()
