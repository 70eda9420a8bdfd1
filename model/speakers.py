"""Who voices a statement, where the text says so.

A heuristic, not a parser: news copy attributes speech in a handful of shapes
("X said", "said X", "according to X", "he added", "the minister stressed"),
and a reader of the output mainly wants quotes and reported speech tied to a
person. Unknown stays unknown (None) rather than guessed from nothing.
"""

from __future__ import annotations

import re

_SPEECH_VERBS = (
    r"said|says|told|added|noted|stressed|warned|explained|clarified|recalled|argued|"
    r"insisted|concluded|announced|declared|replied|wrote|asked|urged|called|described|"
    r"pointed|elaborated|commented|complained|emphasi[sz]ed|underlined|acknowledged|"
    r"admitted|conceded|suggested|predicted|believes|thinks|stated|continued|reiterated"
)
_NAME = r"(?:[A-Z][\w’'.-]*\s+){0,5}[A-Z][\w’'-]+"
_NAMED_BEFORE_VERB = re.compile(rf"(?P<name>{_NAME}),?\s+(?:also\s+|later\s+|then\s+)?(?:{_SPEECH_VERBS})\b")
_VERB_BEFORE_NAME = re.compile(rf"\b(?:{_SPEECH_VERBS})\s+(?P<name>{_NAME})")
_AS_NAMED = re.compile(rf"^As (?P<name>{_NAME}),")
_ACCORDING_TO = re.compile(rf"\b[Aa]ccording to (?P<name>{_NAME})")
_REFERENCE = re.compile(
    r"(?:^|[,”\"]\s*|\b[Aa]ccording to\s+|\bIn\s+)(?:he|she|him|her|his|the\s+(?:[a-z-]+\s+){0,3}"
    r"(?:expert|minister|official|spokesman|spokeswoman|spokesperson|diplomat|head|analyst|"
    r"scientist|president|envoy|negotiator|ambassador|chief|leader|secretary|source))\b",
    re.IGNORECASE,
)
#: Capitalised words that are titles or organisations, not parts of a person's name.
_NOT_NAME = frozenset(
    """He She They It We I His Her Their Its Our This That These Those
    The A An In On At As But And Earlier Later Meanwhile However According Russian American US
    U.S. UK EU NATO UN Foreign Defence Defense Prime Deputy Minister Ministry President Presidential
    Secretary General State Ambassador Permanent Representative Spokesman Spokeswoman Director
    Chancellor Senator Governor Chief Head Vice Mr Mrs Ms Dr Prof Security Council United
    States Union Nations Federation European Kremlin White House Office Department
    Commission Organization Organisation Republic Party Government Agency News Press TV
    January February March April May June July August September October November December
    Monday Tuesday Wednesday Thursday Friday Saturday Sunday Geneva Moscow Washington Brussels
    Kyiv Beijing London Paris Tehran Vienna Forum Institute Centre Center Group Network Service
    Trusts Foundation Association Bank Fund""".split()
)
_NAME_WORD = re.compile(r"\A[A-Z][a-z]+(?:-[A-Z][a-z]+)*\Z")
_INITIAL = re.compile(r"\A[A-Z]\.\Z")
_PERSON_RUN = re.compile(r"(?:[A-Z]\.\s+)*[A-Z][\w’'-]+(?:\s+(?:[A-Z]\.\s+)*[A-Z][\w’'-]+)*")


def _person(name: str) -> str | None:
    """The person's name at the end of a capitalised run, without titles before it.

    At most two name words are kept ("Information Alexei Mukhin" -> "Alexei
    Mukhin"), with any initials among them ("J. R. Whitcombe", "Ellen M. Hartley").
    """
    tokens = [t.rstrip(",") for t in name.split()]
    while tokens and tokens[0].rstrip(".") in _NOT_NAME:
        tokens = tokens[1:]
    if not tokens or any(t in _NOT_NAME or not (_NAME_WORD.match(t) or _INITIAL.match(t)) for t in tokens):
        return None
    kept: list[str] = []
    words = 0
    for token in reversed(tokens):
        is_initial = bool(_INITIAL.match(token))
        if not is_initial and words == 2:
            break
        kept.insert(0, token)
        words += not is_initial
    if words == 0 or (words == 1 and len(kept) == 1):
        return kept[0] if words == 1 else None
    return " ".join(kept)


class SpeakerTracker:
    """Attributes the statements of one document in order, remembering who was named."""

    def __init__(self) -> None:
        self.known: list[str] = []  # full names seen, most recent last
        self.last_mentioned: str | None = None

    def _resolve(self, name: str | None) -> str | None:
        if name is None:
            return None
        if " " not in name:  # "Lavrov" after "Sergei Lavrov"
            for full in reversed(self.known):
                if full.split()[-1] == name:
                    return full
        return name

    def _remember(self, sentence: str) -> None:
        for run in _PERSON_RUN.findall(sentence):
            person = _person(run)
            if person and " " in person:  # a full name, not a lone word
                self.known.append(person)
                self.last_mentioned = person

    def _explicit(self, sentence: str) -> str | None:
        for pattern in (_AS_NAMED, _ACCORDING_TO, _NAMED_BEFORE_VERB, _VERB_BEFORE_NAME):
            for match in pattern.finditer(sentence):
                person = self._resolve(_person(match.group("name")))
                # A lone word counts only as the surname of someone named in full
                # before ("Mukhin added"): "Russia asked" names no speaker.
                if person and " " in person:
                    return person
        return None

    def attribute(self, sentence: str) -> str | None:
        before = self.last_mentioned
        self._remember(sentence)
        speaker = self._explicit(sentence)
        if speaker is None and _REFERENCE.search(sentence):
            speaker = before
        if speaker is not None:
            self.last_mentioned = speaker
        return speaker


def attribute_quotes(texts: list[str], speakers: list[str | None]) -> list[str | None]:
    """Give the sentences of a multi-sentence quotation the speaker named at its close."""
    result = list(speakers)
    open_from: int | None = None
    for i, text in enumerate(texts):
        quotes = sum(text.count(q) for q in '“”"')
        opens = text.lstrip().startswith(("“", '"'))
        if open_from is None and opens and quotes % 2 == 1:
            open_from = i
        elif open_from is not None and quotes % 2 == 1:
            for j in range(open_from, i):
                if result[j] is None:
                    result[j] = result[i]
            open_from = None
    return result
