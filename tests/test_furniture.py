"""Page furniture, headlines and files as people save them, on articles written for these tests."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from detente.model.furniture import is_furniture_sentence, is_heading_line
from detente.model.segmenter import normalise_whitespace, segment

ARTICLES = Path(__file__).parent / "articles"
FURNITURE = sorted(ARTICLES.glob("furniture_*.txt"))


def _expected(path: Path) -> list[str]:
    return path.with_suffix(".expected").read_text(encoding="utf-8").splitlines()


def test_statements_are_recovered_and_furniture_dropped_across_the_articles():
    expected = got = recovered = furniture = 0
    for path in FURNITURE:
        want = _expected(path)
        have = normalise_whitespace(s.text for s in segment(path.read_text(encoding="utf-8"), path.name))
        expected += len(want)
        got += len(have)
        recovered += sum(w in have for w in want)
        furniture += sum(h not in want for h in have)
    assert len(FURNITURE) >= 4 and expected >= 25
    assert recovered / expected >= 0.99
    assert furniture / got <= 0.03


@pytest.mark.parametrize("path", FURNITURE, ids=lambda p: p.name)
def test_each_article_gives_exactly_its_statements_and_its_date(path):
    statements = segment(path.read_text(encoding="utf-8"), path.name)
    assert normalise_whitespace(s.text for s in statements) == _expected(path)
    assert statements[0].date is not None


@pytest.mark.parametrize(
    "line",
    [
        "Reporting by Maria Olsen; Editing by Tomas Riedel",
        "© 2024 Worldwide Wire.",
        "Sign up for our daily briefing newsletter.",
        "Follow us on Telegram.",
        "Updated 14:05 GMT, March 2, 2024",
        "Dec 5, 2024, 10:32 AM ET",
        "The envoy arrives in Geneva. REUTERS/Denis Balibouse",
        "Photo: delegates at the opening session.",
        "Tags: Kosovo | Serbia",
        "Also read: Union ballots members on new offer",
        "By Anna Smith and John Roe",
        "7 min read",
    ],
)
def test_furniture_sentences_are_recognised_by_shape(line):
    assert is_furniture_sentence(line)


@pytest.mark.parametrize(
    "sentence",
    [
        "Talks resumed.",
        "Follow-up talks are planned for May.",
        "Support for the deal grew in both parliaments.",
        "Like Moscow, Beijing wants the talks to continue.",
        "By Friday, the two sides had agreed on a venue.",
        "Read the statement carefully and you will see no concession, the minister said.",
        "The talks were updated on progress by the mediators on Monday.",
    ],
)
def test_real_sentences_are_not_furniture(sentence):
    assert not is_furniture_sentence(sentence)


def test_a_subheading_is_not_glued_to_the_next_sentence():
    text = "date 2024-01-10\n\n'Unacceptable' Status Quo\nThe foreign minister said the offer was a step back.\n"
    assert [s.text for s in segment(text)] == ["The foreign minister said the offer was a step back."]


def test_wrapped_lines_are_not_headings():
    assert not is_heading_line("The talks between Russia and", "Ukraine resumed on Monday.")
    text = "The talks between Russia and\nUkraine resumed on Monday in\nGeneva, officials said.\n"
    assert normalise_whitespace(s.text for s in segment(text)) == [
        "The talks between Russia and Ukraine resumed on Monday in Geneva, officials said."
    ]


def test_bom_and_crlf_keep_the_date_and_the_offsets_on_disk(tmp_path):
    text = "date 2024-02-01\r\n\r\nEnvoys met in Vienna.\r\n\r\n“We are close,” one said.\r\nTalks resume today.\r\n"
    for name, data in [("crlf.txt", text.encode()), ("bom.txt", b"\xef\xbb\xbf" + text.encode()),
                       ("cr.txt", text.replace("\r\n", "\r").encode())]:  # fmt: skip
        path = tmp_path / name
        path.write_bytes(data)
        on_disk = path.read_bytes().decode("utf-8")
        statements = segment(on_disk, name)
        assert [s.text for s in statements] == ["Envoys met in Vienna.", "“We are close,” one said.",
                                                "Talks resume today."], name  # fmt: skip
        assert all(s.date == "2024-02-01" for s in statements)
        assert all(on_disk[s.start : s.end] == s.text for s in statements)


def test_sentences_split_before_capitals_of_any_script():
    text = "Лавров заявил, что переговоры прошли в Москве. Переговоры будут продолжены в среду."
    assert len(segment(text)) == 2


def test_scoring_a_russian_text_warns_once_with_the_share_not_english(tmp_path):
    path = tmp_path / "ru.txt"
    path.write_text(
        "date 2024-03-01\n\n"
        "Лавров заявил, что переговоры прошли конструктивно. Переговоры будут продолжены в среду.\n\n"
        "The talks will continue on Wednesday, the ministry said.\n",
        encoding="utf-8",
    )
    done = subprocess.run([sys.executable, "-m", "detente", "score", str(path), "-q"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.splitlines()) == 3
    warnings = [line for line in done.stderr.splitlines() if "English" in line]
    assert len(warnings) == 1 and "2 of 3" in warnings[0]
