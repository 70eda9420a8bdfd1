"""Who voices each statement of a document: quotations, attributions and references back.

Rules over news conventions, not a parser (see the README for why no parser
model): a statement's speaker comes from an attribution in the text around its
quotation marks ("X said", "said X", "according to X", "X lashed out at ...",
"Writing on Twitter, X said"), anywhere in a quotation that runs over several
sentences or paragraphs (before, inside or after the quoted words), or, for a
quotation with no attribution of its own, from the statement just before it.
Surnames, pronouns and titles ("Lavrov", "she", "the minister") resolve through
:class:`detente.model.mentions.DocumentEntities` to the last full mention.
Unknown stays unknown: narration by the reporter has no speaker.

The attributor is fed paragraph by paragraph and hands back speakers as soon as
they are settled, so documents stream; only the sentences of an open quotation
wait, and at most :data:`MAX_OPEN_QUOTE` of them.
"""

from __future__ import annotations

from dataclasses import dataclass

from detente.model import speech as lex
from detente.model.mentions import (
    _INITIAL,
    DocumentEntities,
    Mention,
    _bare,
    is_capitalised,
    is_possessive,
    looks_like_name,
    parse_phrase,
    tokenize,
)

#: Sentences of one quotation held back waiting for its attribution; past this the quotes are unbalanced.
MAX_OPEN_QUOTE = 40
_OPEN, _CLOSE, _STRAIGHT = "“", "”", '"'
_STOPS = frozenset(("Q", ",", ":", ";", "(", ")"))
_INTRO = frozenset("On In At After Before During Earlier Later Meanwhile However Writing Speaking Asked Then".split())


@dataclass(frozen=True)
class Speaker:
    """A settled speaker: the canonical name and whether it is a person or an organisation."""

    name: str
    kind: str


@dataclass
class _Sentence:
    frame: list[str]  # tokens outside quotation marks; each quoted stretch is one "Q"
    starts_with_quote: bool
    ends_in_quote: bool


def scan_quotes(text: str, in_quote: bool) -> tuple[str, bool]:
    """The text with each quoted stretch replaced by `` Q ``, and whether a quote is open at its end."""
    out: list[str] = []
    if in_quote:
        out.append(" Q ")
    if not in_quote and _CLOSE in text and (_OPEN not in text or text.index(_CLOSE) < text.index(_OPEN)):
        in_quote = True  # a closing mark with no opening: the sentence began inside a quotation
        out.append(" Q ")
    for ch in text:
        if ch == _OPEN or (ch == _STRAIGHT and not in_quote):
            if not in_quote:
                out.append(" Q ")
            in_quote = True
        elif ch == _CLOSE or (ch == _STRAIGHT and in_quote):
            in_quote = False
            out.append(" ")
        elif not in_quote:
            out.append(ch)
    return "".join(out), in_quote


def _collect_back(tokens: list[str], j: int) -> list[str]:
    """The noun phrase that ends at token ``j``: "Russian Foreign Minister Sergei Lavrov", "the rebels"."""
    out: list[str] = []
    modifiers = 0
    while j >= 0:
        t = tokens[j]
        low = _bare(t).lower()
        if t in _STOPS:
            break
        if t == "the" and j > 1 and tokens[j - 1] == "of" and (is_capitalised(tokens[j - 2]) or _role(tokens[j - 2])):
            out += [t, "of"]  # "J. R. Whitcombe of the Lakeside Policy Forum said"
            j -= 2
            continue
        if low in lex.DETERMINERS or not out and (low in lex.PRONOUNS or low in lex.BODY_PRONOUNS):
            out.append(t)
            break
        if _INITIAL.match(t):
            out.append(t)
            j -= 1
            continue
        nounish = low in lex.PERSON_ROLES or low in lex.BODY_NOUNS or low in lex.GROUP_NOUNS
        if is_capitalised(t) and _bare(t) not in lex.NOT_NAMES or nounish or is_possessive(t) and out:
            out.append(t)
        elif t in ("of", "for") and out and j > 0 and (is_capitalised(tokens[j - 1]) or _role(tokens[j - 1])):
            out.append(t)
        elif t.islower() and out and modifiers < 3 and _headed_by_body(out):
            out.append(t)
            modifiers += 1
        else:
            break
        j -= 1
    return out[::-1]


def _role(token: str) -> bool:
    low = _bare(token).lower()
    return low in lex.PERSON_ROLES or low in lex.BODY_NOUNS or low in lex.GROUP_NOUNS


def _headed_by_body(collected: list[str]) -> bool:
    head = _bare(collected[0]).lower()
    return (head in lex.BODY_NOUNS or head in lex.GROUP_NOUNS) and not any(is_capitalised(t) for t in collected)


def _collect_forward(tokens: list[str], i: int) -> list[str]:
    """The noun phrase that starts at token ``i``: "said Council chairman Bruno Lacerda", "according to the X"."""
    out: list[str] = []
    j = i
    while j < len(tokens):
        t = tokens[j]
        low = _bare(t).lower()
        if t in _STOPS:
            break
        if _INITIAL.match(t):
            out.append(t)
        elif low in lex.DETERMINERS and not out:
            out.append(t)
        elif is_capitalised(t) and _bare(t) not in lex.NOT_NAMES or _role(t) or is_possessive(t):
            out.append(t)
        elif t in ("of", "for") and j + 1 < len(tokens) and (is_capitalised(tokens[j + 1]) or tokens[j + 1] == "the"):
            out.append(t)
        elif t.islower() and any(_role(x) for x in tokens[j + 1 : j + 4]):
            out.append(t)
        else:
            break
        j += 1
    return out


def _subject_before(tokens: list[str], i: int) -> Mention | None:
    """The speaker phrase before a speech verb, looking past "also" and past an appositive."""
    j = i - 1
    while j >= 0 and tokens[j].lower() in lex.ADVERBS:
        j -= 1
    if j >= 0 and tokens[j] == ",":
        k = j - 1
        while k >= 0 and tokens[k] != "," and j - k < 18:
            k -= 1
        if k < 0 or tokens[k] != ",":
            return None
        segment = tokens[k + 1 : j]
        if all(t.lower() in lex.ADVERBS for t in segment):  # "The deputy minister, however, warned"
            return parse_phrase(_collect_back(tokens, k - 1))
        before = _collect_back(tokens, k - 1)
        named = [t for t in segment if t in ("name", "as", "called")]
        if named and looks_like_name(segment[-1:]):  # "the commander, who goes by the name Saber, said"
            return Mention("name", segment[-1], roles={_bare(t).lower() for t in before} | {"leader"})
        if looks_like_name(segment):  # "Ostmark's chief negotiator, Ilse Brandvold, said"
            mention = parse_phrase(segment)
            described = parse_phrase(before) if before else None
            if mention and described and described.speaker_kind == "organisation" and described.kind != "literal":
                return Mention("body", " ".join(segment), speaker_kind="organisation")
            if mention and before:
                mention.roles |= {_bare(t).lower() for t in before}
                mention.gender = mention.gender or (described.gender if described else None)
            return mention
        return parse_phrase(before) if before else None
    phrase = _collect_back(tokens, j)
    return parse_phrase(phrase) if phrase else None


def _sentence_subject(tokens: list[str]) -> Mention | None:
    start = 0
    if tokens and tokens[0] in _INTRO and "," in tokens[:10]:
        start = tokens.index(",") + 1
    return parse_phrase(_collect_forward(tokens, start))


def find_attribution(tokens: list[str]) -> Mention | None:
    """The first attribution in a sentence's frame (its words outside quotation marks)."""
    for i, t in enumerate(tokens):
        nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
        mention = None
        if t in lex.SPEECH_VERBS:
            mention = _subject_before(tokens, i)
            if mention is None and (i == 0 or tokens[i - 1] in ("Q", ",", ":")):
                mention = parse_phrase(_collect_forward(tokens, i + 1))  # "..., said General Omar Haddad"
        elif t.lower() == "according" and nxt == "to":
            mention = parse_phrase(_collect_forward(tokens, i + 2))
        elif t in lex.SPEECH_PARTICIPLES and i > 0 and tokens[i - 1] in (",", "by"):
            mention = _sentence_subject(tokens)
        elif t.lower() == "in" and nxt.lower() in ("his", "her", "their") and i + 2 < len(tokens):
            if tokens[i + 2] in ("view", "opinion", "words", "assessment"):
                mention = parse_phrase([{"his": "he", "her": "she", "their": "they"}[nxt.lower()]])
        if mention is not None:
            return mention
    return None


class SpeakerAttributor:
    """Attributes the statements of one document in order; feed paragraphs, collect settled speakers."""

    def __init__(self) -> None:
        self.entities = DocumentEntities()
        self._in_quote = False
        self._open: list[Speaker | None] | None = None  # attributions of the open quotation's sentences
        self._settled: list[Speaker | None] = []
        self._last: Speaker | None = None  # speaker of the last settled statement

    def _speaker(self, mention: Mention | None) -> Speaker | None:
        entity = self.entities.resolve(mention) if mention else None
        return Speaker(entity.name, entity.kind) if entity else None

    def _settle(self, speakers: list[Speaker | None]) -> None:
        self._settled.extend(speakers)
        self._last = speakers[-1] if speakers else self._last

    def _close_quote(self) -> None:
        if self._open is None:
            return
        found = next((s for s in self._open if s is not None), None)
        self._settle([found or self._last] * len(self._open))
        self._open = None

    def add_paragraph(self, texts: list[str]) -> list[Speaker | None]:
        """Speakers settled by this paragraph (some may belong to sentences of earlier paragraphs)."""
        if self._open is not None and not (texts and texts[0].lstrip().startswith((_OPEN, _STRAIGHT))):
            self._close_quote()  # the quotation did not go on in this paragraph
        self._in_quote = False
        for text in texts:
            frame_text, ends_in_quote = scan_quotes(text, self._in_quote)
            tokens = tokenize(frame_text)
            speaker = self._speaker(find_attribution(tokens))
            self.entities.register(tokens)
            if speaker is not None:
                self.entities.add(speaker.name, speaker.kind)  # the speaker is the one a pronoun now means
            quoted = "Q" in tokens
            self._in_quote = ends_in_quote
            if self._open is not None or ends_in_quote:
                self._open = (self._open or []) + [speaker]
                if not ends_in_quote or len(self._open) >= MAX_OPEN_QUOTE:
                    self._close_quote()
            elif speaker is None and quoted and text.lstrip().startswith((_OPEN, _STRAIGHT)):
                self._settle([self._last])  # a quotation of its own continues the last speaker
            else:
                self._settle([speaker])
        return self._take()

    def finish(self) -> list[Speaker | None]:
        """Speakers of the sentences still waiting at the end of the document."""
        self._close_quote()
        return self._take()

    def _take(self) -> list[Speaker | None]:
        settled, self._settled = self._settled, []
        return settled
