"""A light, offline check that statements are English, the only language the models know.

Not a language identifier: it only needs to tell a user that a share of their
input is not English, so that labels on it are not trusted silently. A
statement counts as English when its letters are Latin and common English
function words make up a fair share of its words; texts too short to judge
count as English, so a warning is never raised on a few stray words.
"""

from __future__ import annotations

import re

_WORD = re.compile(r"[^\W\d_]+")
_FUNCTION_WORDS = frozenset(
    """the a an and or but of to in on at by for from with as is are was were be been has have had will would
    not no that this these those it its they their he his she her we our you your i who which what when where
    than then there also said says after before about over into more talks""".split()
)
#: Below this share of English function words (and of Latin letters) a statement is not English.
MIN_FUNCTION_SHARE = 0.12
MIN_LATIN_SHARE = 0.8
MIN_WORDS = 4


def looks_english(text: str) -> bool:
    words = _WORD.findall(text)
    if len(words) < MIN_WORDS:
        return True
    letters = "".join(words)
    latin = sum(ch.isascii() or "\u00c0" <= ch <= "\u024f" for ch in letters) / len(letters)
    if latin < MIN_LATIN_SHARE:
        return False
    return sum(w.lower() in _FUNCTION_WORDS for w in words) / len(words) >= MIN_FUNCTION_SHARE


class LanguageTally:
    """Counts statements that do not look English, for one warning line at the end of a run."""

    def __init__(self) -> None:
        self.total = 0
        self.other = 0

    def add(self, texts) -> None:
        for text in texts:
            self.total += 1
            self.other += not looks_english(text)

    def warning(self) -> str | None:
        if not self.other:
            return None
        return (
            f"warning: {self.other} of {self.total} statements ({self.other / self.total:.0%}) do not look like "
            "English; the model was trained on English news only, so their labels are not to be trusted"
        )
