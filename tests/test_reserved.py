"""No data about a negotiation reserved for the team's evaluation is in the project."""

from __future__ import annotations

import json
import re

import pytest

from detente.training.reserved import RESERVED_CONTEXTS, reserved_context, reserved_documents

from .conftest import EXAMPLES, ROOT, SHARED

DATA_FILES = sorted([*ROOT.glob("data/**/*.jsonl"), *ROOT.glob("model/pretrained/*/check.jsonl")], key=str)


def test_the_module_lists_every_context_of_the_shared_list():
    listing = SHARED / "reserved-contexts.md"
    if not listing.is_file():
        pytest.skip("shared/ is not beside this checkout")
    text = listing.read_text(encoding="utf-8")
    windows = len(re.findall(r"^\| (?!context|---)", text, re.MULTILINE))
    whole = len(re.findall(r"^- ", text.split("## Whole contexts", 1)[1], re.MULTILINE))
    # COP27 and COP28 share a row of the list; the module has one window each and a by-name rule.
    assert len(RESERVED_CONTEXTS) == windows + whole + 2


@pytest.mark.parametrize(
    ("record", "reserved"),
    [
        ({"topic": "russia-nato-security-guarantees", "date": "2022-02-10", "text": "NATO replied."}, True),
        ({"topic": "russia-nato-security-guarantees", "date": "2022-01-10", "text": "NATO replied."}, False),
        ({"topic": "climate-cop", "date": "2023-12-05", "text": "Delegates met."}, True),
        ({"topic": "climate-cop", "date": "2015-12-05", "text": "Delegates met in Paris."}, False),
        ({"topic": "trade", "date": "2019-01-01", "text": "Talks on Cyprus resumed."}, True),
        ({"topic": "iran-nuclear", "text": "Iran answered."}, True),  # no date: not shown to be outside
        ({"topic": "x", "source_url": "https://example.org/2023/houthi-truce", "text": "A truce."}, True),
        ({"source": "000_e8df3a3c245efa1e.txt", "date": "2022-02-15", "text": "Russia and NATO."}, False),
    ],
)
def test_records_are_matched_on_topic_date_source_and_text(record, reserved):
    assert (reserved_context(record) is not None) is reserved


@pytest.mark.parametrize("path", DATA_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_data_file_holds_a_reserved_context(path):
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert reserved_documents([r for r in records if "text" in r]) == {}


def test_no_sample_article_is_about_a_reserved_context():
    for path in EXAMPLES.glob("*.txt"):
        text = path.read_text(encoding="utf-8")
        date = re.search(r"date (\d{4}-\d{2}-\d{2})", text)
        assert reserved_context({"source": path.name, "text": text, "date": date and date.group(1)}) is None, path
