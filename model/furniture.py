"""Page furniture: the parts of a scraped news page that are not statements.

Scraped articles carry headlines, subheadings, bylines, photo captions and
credits, share and newsletter prompts, timestamps, topic tags and blocks of
links. The guide says none of them is a statement, and labelling them skews
every count built on the output. They are recognised by their *shape*, not by
a list of exact strings, since every site words them differently:

- a line that does not end like a sentence (no final punctuation) and stands
  alone, as headlines, subheadings, tags and link lists do;
- a sentence shaped like a credit, a caption, a prompt, a timestamp, a
  copyright line or a label ("Topics: ...").

A short real sentence that ends like one ("Talks resumed.") stays a statement.
"""

from __future__ import annotations

import re

#: A line ends like a sentence: final punctuation, perhaps inside closing quotes or brackets.
_SENTENCE_END = re.compile(r"""[.!?…]["”’')\]]*\s*\Z|[.!?…]\s*["”’)]\s*\Z""")
#: A line that continues into the next: it ends with a comma, colon, dash or an open quote.
_CONTINUES = re.compile(r"""[,;:—–\-(“"‘]\s*\Z""")
_WORD = re.compile(r"[^\W_]+(?:[’'.-][^\W_]+)*")
_SMALL_WORDS = frozenset("a an and as at by for from in of on or the to vs with".split())
#: Words a headline does not end on but a wrapped line often does.
_RUN_ON_WORDS = _SMALL_WORDS | frozenset(
    "between that which who whom whose than but nor its their his her our your my is are was were will would "
    "could should has have had be been not no said says told about into over under after before".split()
)

_PROMPT_VERB = re.compile(
    r"^(?:share|follow(?!-)|subscribe|sign (?:up|in)|log in|register|click|tap|download|listen|watch|read|"
    r"join|get|comment|donate|see|view|explore|discover|skip|jump|back to|print|email|send us)\b",
    re.IGNORECASE,
)
_MARKETING = re.compile(
    r"\b(?:newsletters?|app|podcasts?|articles?|stor(?:y|ies)|videos?|channel|updates|subscriptions?|"
    r"notifications|alerts|twitter|facebook|telegram|instagram|whatsapp|linkedin|youtube|tiktok|x|email|inbox|"
    r"comments?|here|below|full coverage|live blog|gallery|top)\b",
    re.IGNORECASE,
)
_CREDIT = re.compile(
    r"^\(?(?:additional )?(?:reporting|writing|editing|edited|written|compiled|produced|translated|"
    r"photography|graphics|design|research)(?: and [a-z]+)? by\b|;\s*(?:editing|writing) by\b",
    re.IGNORECASE,
)
_CAPTION = re.compile(
    r"getty images|\bap photo\b|\b(?:reuters|afp|ap|epa|tass|sputnik|anadolu|xinhua|ria novosti|efe|dpa)\s*/\s*\w|"
    r"\b(?:photo(?:graph)?|image|picture|pictured|caption|credit)\s*:|\bfile photo\b|\(photo\b|photo credit|"
    r"\bvia (?:getty|reuters|ap)\b|\bphoto by\b",
    re.IGNORECASE,
)
_COPYRIGHT = re.compile(r"©|\(c\)\s*\d{4}|\bcopyright\b|all rights reserved", re.IGNORECASE)
_TIMESTAMP = re.compile(
    r"^(?:updated|published|posted|last (?:updated|modified)|first published|modified)\b|"
    r"\b\d+\s*(?:min|mins|minutes?)\s*(?:read|listen)\b|\b\d+\s*(?:hours?|minutes?|mins?|days?)\s*ago\b",
    re.IGNORECASE,
)
_LABEL = re.compile(
    r"^(?:topics?|tags?|filed under|categor(?:y|ies)|more on|keywords|section|related(?: \w+)?|read (?:next|more|also)|"
    r"also read|see also|most (?:read|popular|viewed)|trending(?: now)?|recommended(?: for you)?|more (?:stories|news)|"
    r"in other news|advertisement|sponsored|editor'?s note|note to editors|watch|listen|live|breaking)\s*[:|»›>-]",
    re.IGNORECASE,
)
_TIME_TOKEN = re.compile(
    r"^(?:\d[\d:.,/-]*|am|pm|a\.m|p\.m|gmt|utc|et|est|edt|bst|cet|cest|msk|ist|jst|"
    r"jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|january|february|march|april|june|july|august|"
    r"september|october|november|december|mon|tue|wed|thu|fri|sat|sun|monday|tuesday|wednesday|thursday|"
    r"friday|saturday|sunday|updated|published|ago|hours?|mins?|minutes?|days?)$",
    re.IGNORECASE,
)


def ends_like_a_sentence(line: str) -> bool:
    return bool(_SENTENCE_END.search(line))


def is_heading_line(line: str, next_line: str | None) -> bool:
    """A line that is a headline, subheading, tag or link rather than part of a sentence.

    It does not end like a sentence, does not run on into the next line (which
    is absent or starts a new sentence), and is short or title-cased, so the
    lines of a hard-wrapped paragraph are not mistaken for headings.
    """
    line = line.strip()
    if not line or ends_like_a_sentence(line) or _CONTINUES.search(line):
        return False
    if next_line is not None:
        start = next_line.lstrip()[:1]
        if start and (start.islower() or start in ",;:)"):
            return False  # a wrapped sentence carries on
    words = _WORD.findall(line)
    if words and words[-1].lower() in _RUN_ON_WORDS:
        return False
    if len(words) <= 12:
        return True
    capitalised = [w for w in words if w[:1].isupper() or w.lower() in _SMALL_WORDS]
    return len(capitalised) >= 0.8 * len(words)


def is_furniture_sentence(sentence: str) -> bool:
    """A sentence-shaped piece of page furniture: credit, caption, prompt, timestamp, copyright, label."""
    text = sentence.strip().strip("()[]")
    words = _WORD.findall(text)
    if _CREDIT.search(text) or _CAPTION.search(text) or _COPYRIGHT.search(text) or _LABEL.match(text):
        return True
    if _PROMPT_VERB.match(text) and (len(words) <= 6 or _MARKETING.search(text)):
        return True
    if _TIMESTAMP.search(text) and len(words) <= 14:
        return True
    if words and len(words) <= 10 and sum(bool(_TIME_TOKEN.match(w)) for w in words) >= 0.6 * len(words):
        return True  # "Dec 5, 2024, 10:32 AM ET"
    return _is_byline(words, text)


def _is_byline(words: list[str], text: str) -> bool:
    """ "By Anna Smith and John Roe, BBC News": a name list after "By", nothing else."""
    if not text.startswith("By ") or len(words) > 10 or ends_like_a_sentence(text) and len(words) > 6:
        return False
    rest = words[1:]
    return bool(rest) and all(w[:1].isupper() or w.lower() in _SMALL_WORDS for w in rest)
