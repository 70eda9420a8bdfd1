import io
import json
import re

import pytest

from detente.model import segmenter
from detente.model.segmenter import iter_statements, normalise_whitespace, segment

from .conftest import EXAMPLES, SHARED

SEED = SHARED / "seeds" / "000_e8df3a3c245efa1e.txt"


@pytest.mark.skipif(not SEED.exists(), reason="../shared is not beside this checkout")
def test_seed_article_gives_the_28_labelled_statements_in_order():
    expected = [json.loads(line)["text"] for line in (SHARED / "data" / "seed-labelled.jsonl").open()]
    got = segment(SEED.read_text(encoding="utf-8"), doc=SEED.name)
    assert normalise_whitespace(s.text for s in got) == normalise_whitespace(expected)
    assert {s.date for s in got} == {"2022-02-15"}


def _expected_from_markdown():
    """{file name: [statement, ...]} from examples/articles/EXPECTED.md."""
    expected, current = {}, None
    for line in (EXAMPLES / "EXPECTED.md").read_text(encoding="utf-8").splitlines():
        heading = re.match(r"## (\S+\.txt)", line)
        if heading:
            current = expected.setdefault(heading.group(1), [])
        elif current is not None and re.match(r"\d+\. ", line):
            current.append(line.split(". ", 1)[1])
    return expected


@pytest.mark.parametrize("name", sorted(_expected_from_markdown()))
def test_example_articles_segment_as_a_careful_reader_would(name):
    got = segment((EXAMPLES / name).read_text(encoding="utf-8"), doc=name)
    assert normalise_whitespace(s.text for s in got) == normalise_whitespace(_expected_from_markdown()[name])


def test_offsets_point_back_into_the_original_text():
    for path in sorted(EXAMPLES.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        for st in segment(text, path.name):
            assert text[st.start : st.end] == st.text


HARD = (
    " date 2021-12-17 The U.S. envoy met Mr. Ryabkov at 10 a.m. on Dec. 17 in Geneva. "
    "Talks on the 3.5 billion package, item No. 2, were led by J. R. Smith of the U.N. office.\n\n"
    "“We are ready to talk. We are not ready to wait forever,” he said. TASS.\n\n"
    '"Is this a serious offer?" she asked. Nobody answered, the channel reported.RBC“.\n\n'
    "Read more: the full transcript\n"
)


def test_hard_cases_abbreviations_initials_numbers_quotes_and_debris():
    got = segment(HARD, "hard")
    assert [s.text for s in got] == [
        "The U.S. envoy met Mr. Ryabkov at 10 a.m. on Dec. 17 in Geneva.",
        "Talks on the 3.5 billion package, item No. 2, were led by J. R. Smith of the U.N. office.",
        "“We are ready to talk.",
        "We are not ready to wait forever,” he said.",
        '"Is this a serious offer?" she asked.',
        "Nobody answered, the channel reported.",
    ]
    assert got[0].date == "2021-12-17"
    assert [s.index for s in got] == list(range(6))


def test_header_on_its_own_line_is_the_date_not_a_statement():
    got = segment("date 2024-06-18\n\nUnion leaders met the employer on Monday.", "d")
    assert [(s.text, s.date) for s in got] == [("Union leaders met the employer on Monday.", "2024-06-18")]


def test_a_text_without_header_has_no_date():
    assert segment("The sides met. They will meet again.", "d")[0].date is None


def test_streaming_a_long_paragraph_gives_the_same_statements(monkeypatch):
    text = " ".join(f"Delegation {i} arrived in Vienna on Monday." for i in range(400))
    whole = segment(text, "long")
    monkeypatch.setattr(segmenter, "MAX_PARAGRAPH_CHARS", 500)
    monkeypatch.setattr(segmenter, "_READ_CHARS", 128)
    streamed = list(iter_statements(io.StringIO(text), "long"))
    assert [(s.start, s.end, s.text) for s in streamed] == [(s.start, s.end, s.text) for s in whole]
    assert len(whole) == 400
