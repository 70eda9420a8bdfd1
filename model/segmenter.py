"""Cut a news text into statements, the unit the labelling guide defines.

A statement is one sentence; a quotation over several sentences gives one
statement per sentence. The `date YYYY-MM-DD` header is the document's date,
not text, and page debris (a lone credit such as ``NSN.``, a channel name glued
after a full stop such as ``reported.360“.``) is dropped. Each statement keeps
its character offsets into the original text so a reader can find it.

Rules, not a trained splitter: the guide's unit is mechanical, the hard cases
(abbreviations, initials, quotes) are few and known, and offsets must be exact.
Texts are processed paragraph by paragraph from a stream, so a file of any size
is segmented in bounded memory.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TextIO

from detente.model.furniture import is_furniture_sentence, is_heading_line
from detente.model.speakers import SpeakerAttributor

#: Words that end with a full stop without ending the sentence.
ABBREVIATIONS = frozenset(
    """Mr Mrs Ms Messrs Dr Prof Gen Lt Col Maj Capt Sgt Adm Cmdr Rep Sen Gov Pres Amb
    Sec Gen Rev Hon St Jr Sr Mt Ft Inc Corp Ltd Co Bros Dept Univ Assn Ave Blvd
    Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec vs etc cf approx est
    a.m p.m e.g i.e U.S U.K U.N E.U U.S.A U.A.E U.S.S.R D.C""".split()
)
#: Abbreviations that only count as such before a number ("No. 2", "Art. 5").
NUMBER_ABBREVIATIONS = frozenset("No Nos Art Arts Vol p pp para paras Fig".split())
#: Words that start a sentence after an initialism such as "U.S." ends one.
SENTENCE_STARTERS = frozenset(
    """The A An He She It They We I This That These Those But And In On At As
    According After Before Earlier Later Meanwhile However Yet Still There Its His
    Her Their Our When While If Asked""".split()
)

#: The date header: at the start of a line (or after a byte-order mark), within the first lines.
_HEADER = re.compile(r"^[\ufeff \t]*date\s+(\d{4}-\d{2}-\d{2})\b[ \t]*", re.MULTILINE)
#: Paragraphs are separated by a blank line, whatever the line ends (LF, CRLF, CR).
_PARAGRAPH_BREAK = re.compile(r"(?:\r\n|\r|\n)[ \t\f\v]*(?:\r\n|\r|\n)")
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n|\Z)")
#: How many paragraphs from the top may hold the date header (after a headline, say).
HEADER_PARAGRAPHS = 3


# Sentence-final punctuation, closing quotes/brackets glued to it, then either
# whitespace before a sentence-like start, or the end of the paragraph.
def _non_lowercase_letters() -> str:
    """A character class of every letter that is not lowercase: capitals of any script, and
    the letters of scripts without case (Arabic, Chinese, Hebrew, ...), which may start a sentence."""
    ranges: list[list[int]] = []
    for code in range(0x41, 0x30000):
        char = chr(code)
        if char.isalpha() and not char.islower():
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1][1] = code
            else:
                ranges.append([code, code])
    return "".join(re.escape(chr(a)) + ("-" + re.escape(chr(b)) if b > a else "") for a, b in ranges)


_STARTER = _non_lowercase_letters()
_BOUNDARY = re.compile(
    r"""(?P<punct>[.!?…。！？]+)(?P<close>[”"’'»)\]]*)"""
    r"""(?:(?P<space>\s+)(?=[“"‘'«(\[0-9""" + _STARTER + r"""]|[a-z]{1,12}\.(?:\s+[“"‘'A-Z]|\s*\Z))|(?P<end>\s*\Z))"""
)
# A full stop glued to a trailing fragment: "the TV channel reported.360“."
_GLUED_TAIL = re.compile(r"(?<=[a-z]{2})\.(?=[0-9A-Z][^.!?\n]{0,30}[.!?]?\s*\Z)")
_WORD = re.compile(r"[^\W\d_]+(?:[’'-][^\W\d_]+)*")
_DEBRIS = re.compile(r"\A(?:read more|related:|photo:|video:|advertisement)\b", re.IGNORECASE)

#: Paragraphs longer than this are cut at their last sentence boundary while
#: streaming, so a file without blank lines does not have to fit in memory.
MAX_PARAGRAPH_CHARS = 100_000
_READ_CHARS = 1 << 16


@dataclass(frozen=True)
class Statement:
    """One statement of a document, with where it is in the source text."""

    doc: str
    index: int
    start: int
    end: int
    text: str
    speaker: str | None = None
    date: str | None = None
    speaker_kind: str | None = None  # "person" or "organisation" when there is a speaker

    @property
    def id(self) -> str:
        return f"{self.doc}:{self.index}"


def _is_boundary(text: str, match: re.Match[str]) -> bool:
    if match.group("punct") != ".":
        return True
    before = text[: match.start()]
    token = before.rsplit(None, 1)[-1] if before.strip() else ""
    token = token.lstrip("“\"‘'([")
    following = text[match.end() :].split(None, 1)
    next_word = following[0].strip("“\"‘'([,") if following else ""
    if token in ABBREVIATIONS:
        # "to the U.S. The talks ..." does end a sentence; "the U.S. envoy" does not.
        return "." in token and next_word in SENTENCE_STARTERS and match.group("end") is None
    if token in NUMBER_ABBREVIATIONS and next_word[:1].isdigit():
        return False
    if len(token) == 1 and token.isupper():  # an initial: "J. R. Smith"
        return False
    return True


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences of one paragraph (lone credits included, glued tails not)."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        if match.end() <= start or not _is_boundary(text, match):
            continue
        end = match.end("close")
        glued = _GLUED_TAIL.search(text, start, end)
        if glued and match.group("end") is not None:
            spans.append((start, glued.end()))  # the glued channel name is dropped
        else:
            spans.append((start, end))
        start = match.end()
    if text[start:].strip():
        spans.append((start, len(text)))
    return [_strip(text, a, b) for a, b in spans if text[a:b].strip()]


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def is_debris(sentence: str) -> bool:
    """Page debris rather than a statement: a lone credit, a glued channel name, a link."""
    words = _WORD.findall(sentence)
    if len(words) < 2:
        return True
    if not any(any(ch.islower() for ch in w) for w in words) and all(w.isascii() for w in words):
        return True  # "AFP. TASS." and other all-caps credits
    return bool(_DEBRIS.match(sentence)) or is_furniture_sentence(sentence)


def _blank(line: str) -> str:
    body = line.rstrip("\r\n")
    return " " * len(body) + line[len(body) :]


def blank_headings(paragraph: str) -> str:
    """The paragraph with its heading-like lines (headlines, subheadings, tags, links) blanked.

    Blanked with spaces, not removed, so offsets into the paragraph still hold.
    A heading starts where a sentence may start: at the top, or after a line
    that ended a sentence or was itself a heading.
    """
    lines = [m.group() for m in _LINE.finditer(paragraph) if m.group()]
    out, after_break = [], True
    for i, line in enumerate(lines):
        body = line.rstrip("\r\n")
        following = next((x.rstrip("\r\n") for x in lines[i + 1 :] if x.strip()), None)
        if after_break and body.strip() and is_heading_line(body, following):
            out.append(_blank(line))
            continue
        out.append(line)
        if body.strip():
            after_break = bool(re.search(r"""[.!?…]["”’')\]]*\s*\Z""", body))
    filled = [line for line in lines if line.strip()]
    blanked = [line for line in out if line.strip() == "" and line.strip("\r\n")]
    if len(filled) >= 3 and len(blanked) * 2 >= len(filled):
        # A block that is mostly headings is a list of links or tags: its short
        # remaining lines that end in a question or exclamation mark
        # ("Why are rail workers striking?") are link titles too.
        out = [_blank(x) if len(x.split()) <= 12 and x.rstrip().endswith(("?", "!")) else x for x in out]
    return "".join(out)


def _paragraphs(stream: TextIO) -> Iterator[tuple[int, str, bool]]:
    """(offset, text, complete) for each paragraph; long ones arrive in pieces."""
    buffer, offset = "", 0
    while True:
        chunk = stream.read(_READ_CHARS)
        buffer += chunk
        while True:
            brk = _PARAGRAPH_BREAK.search(buffer)
            if brk is None:
                break
            yield offset, buffer[: brk.start()], True
            offset += brk.end()
            buffer = buffer[brk.end() :]
        if not chunk:
            if buffer.strip():
                yield offset, buffer, True
            return
        if len(buffer) > MAX_PARAGRAPH_CHARS:
            spans = split_sentences(buffer)
            if len(spans) > 1:
                cut = spans[-1][0]
                yield offset, buffer[:cut], False
                offset += cut
                buffer = buffer[cut:]


def iter_statements(stream: TextIO, doc: str) -> Iterator[Statement]:
    """Statements of one document read from a text stream, in order.

    A statement waits only while it is inside a quotation whose attribution has
    not been read yet (see :class:`detente.model.speakers.SpeakerAttributor`).
    """
    from collections import deque

    date: str | None = None
    index = 0
    speakers = SpeakerAttributor()
    waiting: deque[tuple[int, int, str]] = deque()

    def emit(settled):
        nonlocal index
        for speaker in settled:
            start, end, text = waiting.popleft()
            name, kind = (speaker.name, speaker.kind) if speaker else (None, None)
            yield Statement(doc, index, start, end, text, name, date, kind)
            index += 1

    for number, (offset, original, _complete) in enumerate(_paragraphs(stream)):
        paragraph = original.replace("\ufeff", " ") if number == 0 else original
        if date is None and number < HEADER_PARAGRAPHS and index == 0 and not waiting:
            header = _HEADER.search(paragraph, 0, 2000)
            if header:
                date = header.group(1)
                # Whatever stands before the header on the top lines is a headline: not text.
                paragraph = " " * header.end() + paragraph[header.end() :]
        paragraph = blank_headings(paragraph)
        kept = [(a, b) for a, b in split_sentences(paragraph) if not is_debris(paragraph[a:b])]
        texts = [original[a:b] for a, b in kept]
        waiting.extend((offset + a, offset + b, text) for (a, b), text in zip(kept, texts, strict=True))
        yield from emit(speakers.add_paragraph(texts))
    yield from emit(speakers.finish())


def segment(text: str, doc: str = "text") -> list[Statement]:
    """Statements of a text held in memory (see :func:`iter_statements`)."""
    import io

    return list(iter_statements(io.StringIO(text), doc))


def normalise_whitespace(texts: Iterable[str]) -> list[str]:
    """Texts with runs of whitespace collapsed, for comparing segmentations."""
    return [" ".join(t.split()) for t in texts]
