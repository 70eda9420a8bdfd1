"""Who a noun phrase names, and the people and bodies a document has named so far.

Attribution finds a phrase next to a speech verb ("Russian Foreign Minister
Sergei Lavrov", "the minister", "he", "officials", "the Kremlin"); this module
turns it into one canonical speaker per document. Full names are remembered
with their titles and gender cues as they appear, so a later surname, pronoun
or title ("Lavrov", "she", "the secretary of state") resolves to the last
matching full mention, and "Sergei Lavrov", "Lavrov" and "Russian Foreign
Minister Sergei Lavrov" all come out as ``Sergei Lavrov``. Bodies ("the
Kremlin", "the National Rail Union", "officials") are kept apart from people.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from detente.model import speech as lex

_TOKEN = re.compile(
    r"(?:[A-Z]\.){2,}|[A-Z]\.(?=\s)|(?:Mr|Mrs|Ms|Dr|Prof|Gen|Capt|Col|Maj|Lt|Sgt|Adm|Sen|Rep|Gov|Amb|St)\.(?=\s)"
    r"|[^\W\d_][\w’'\-]*|\d[\d,.]*|[,;:()]"
)
_INITIAL = re.compile(r"\A[A-Z]\.\Z")
_PARTICLES = frozenset("de del van von der bin al da di la le ibn".split())
PERSON, ORGANISATION = "person", "organisation"


def tokenize(text: str) -> list[str]:
    """Words, initials, abbreviations and clause punctuation; quotes are already a ``Q`` token."""
    return _TOKEN.findall(text)


def _bare(token: str) -> str:
    return token.rstrip(".").removesuffix("’s").removesuffix("'s").rstrip("’'")


def is_possessive(token: str) -> bool:
    return token.endswith(("’s", "'s", "s’", "s'"))


def is_capitalised(token: str) -> bool:
    return token[:1].isupper()


def is_name_token(token: str) -> bool:
    """Could be part of a person's or company's name: capitalised, not a title, role or clause word."""
    if _INITIAL.match(token):
        return True
    bare = _bare(token)
    if not bare or not bare[0].isupper() or bare.isupper() and len(bare) > 1:
        return False
    low = bare.lower()
    if bare in lex.NOT_NAMES or bare in lex.TITLE_WORDS or bare in lex.ORG_HEADS or bare in lex.KNOWN_BODIES:
        return False
    return low not in lex.PERSON_ROLES and low not in lex.GROUP_NOUNS and low not in lex.BODY_NOUNS


def _gender(words: list[str]) -> str | None:
    for word in words:
        bare = _bare(word)
        if bare in lex.FEMALE or bare.lower() in lex.FEMALE:
            return "female"
        if bare in lex.MALE or bare.lower() in lex.MALE:
            return "male"
    return None


def _name_runs(tokens: list[str]) -> list[tuple[int, int]]:
    """Spans of consecutive name tokens (particles allowed inside: "Ursula von Teller")."""
    runs, i = [], 0
    while i < len(tokens):
        if is_name_token(tokens[i]) and not _INITIAL.match(tokens[i]) or _INITIAL.match(tokens[i]):
            j = i + 1
            while j < len(tokens) and (
                is_name_token(tokens[j])
                or tokens[j] in _PARTICLES
                and j + 1 < len(tokens)
                and is_name_token(tokens[j + 1])
            ):
                j += 1
            if any(not _INITIAL.match(t) for t in tokens[i:j]):
                runs.append((i, j))
            i = j
        else:
            i += 1
    return runs


def _particle_before_name(tokens: list[str], j: int) -> bool:
    return tokens[j] in _PARTICLES and j + 1 < len(tokens) and is_name_token(tokens[j + 1])


@dataclass
class Entity:
    """A person or body named in the document."""

    name: str
    kind: str
    roles: set[str] = field(default_factory=set)
    gender: str | None = None
    seen: int = 0

    @property
    def words(self) -> list[str]:
        return self.name.split()


@dataclass
class Mention:
    """What an attribution phrase says about its speaker, before resolution."""

    kind: str  # "name", "body", "pronoun", "role", "literal"
    text: str
    roles: set[str] = field(default_factory=set)
    gender: str | None = None
    speaker_kind: str = PERSON


def _strip_determiners(tokens: list[str]) -> list[str]:
    while tokens and tokens[0].lower() in lex.DETERMINERS:
        tokens = tokens[1:]
    return tokens


def _is_body_phrase(tokens: list[str]) -> bool:
    """ "National Rail Union", "Alliance of Small Island States", "Ostmark Fisheries Directorate"."""
    if not tokens or not is_capitalised(tokens[0]):
        return False
    if not all(is_capitalised(t) or t in ("of", "for", "and", "on") for t in tokens):
        return False
    heads = [i for i, t in enumerate(tokens) if _bare(t) in lex.ORG_HEADS]
    # The body's head ends the phrase or takes an of/for complement: "Committee for Humanitarian Dialogue";
    # "European Commission President Ana Ruiz" is a person.
    return bool(heads) and (heads[-1] == len(tokens) - 1 or tokens[heads[-1] + 1] in ("of", "for"))


def parse_phrase(tokens: list[str]) -> Mention | None:
    """Classify an attribution phrase: a name, a body, a pronoun, a role, or a literal group."""
    tokens = _strip_determiners([t for t in tokens if t not in ("Q",)])
    while tokens and tokens[0] in ("of", "for", ","):
        tokens = tokens[1:]
    if not tokens:
        return None
    low = [_bare(t).lower() for t in tokens]
    text = " ".join(tokens)
    if len(tokens) == 1 and low[0] in lex.PRONOUNS:
        return Mention("pronoun", low[0], gender=lex.PRONOUNS[low[0]])
    if len(tokens) == 1 and low[0] in lex.BODY_PRONOUNS:
        return Mention("pronoun", low[0], speaker_kind=ORGANISATION)
    for phrase in lex.KNOWN_BODY_PHRASES:
        if phrase in text:
            return Mention("body", phrase, speaker_kind=ORGANISATION)
    if any(_bare(t) in lex.KNOWN_BODIES for t in tokens) and not is_name_token(tokens[-1]):
        return Mention(
            "body", next(_bare(t) for t in tokens if _bare(t) in lex.KNOWN_BODIES), speaker_kind=ORGANISATION
        )
    # "a spokesman for the Hospital Employers' Association", "a negotiator for a group of donors"
    if "for" in tokens and low[0] in lex.PERSON_ROLES:
        rest = _strip_determiners(tokens[tokens.index("for") + 1 :])
        if len(rest) > 2 and rest[0] == "group" and rest[1] == "of":
            rest = _strip_determiners(rest[2:])
        return parse_phrase(rest) if rest else None
    if len(tokens) > 2 and tokens[0] == "group" and tokens[1] == "of":
        return parse_phrase(tokens[2:])
    if _is_body_phrase(tokens):
        return Mention("body", text, speaker_kind=ORGANISATION)
    if "of" in tokens:
        cut = tokens.index("of")  # "Ambassador Mele Kioa of Tonga", "J. R. Whitcombe of the Policy Forum"
        runs = _name_runs(tokens[:cut])
        if runs and runs[-1][1] == cut:
            return parse_phrase(tokens[:cut])
    runs = [r for r in _name_runs(tokens) if not (r[0] > 0 and tokens[r[0] - 1] == "of")]
    head = low[-1]
    if "of" in tokens and not runs:  # "Residents of Oster": the head comes before "of"
        head = low[tokens.index("of") - 1]
    if runs and runs[-1][1] == len(tokens):
        start, end = runs[-1]
        before = tokens[:start]
        return Mention(
            "name", " ".join(tokens[start:end]), roles={_bare(t).lower() for t in before if not is_possessive(t)},
            gender=_gender(before), speaker_kind=PERSON,
        )  # fmt: skip
    possessed = any(is_possessive(t) and is_capitalised(t) for t in tokens[:-1])
    if head in lex.GROUP_NOUNS or head == "source":
        return Mention("literal", text, speaker_kind=ORGANISATION)
    if head in lex.BODY_NOUNS:
        if possessed or any(is_capitalised(t) for t in tokens) or any(is_possessive(t) for t in tokens):
            return Mention("literal", text, speaker_kind=ORGANISATION)
        return Mention("role", text, roles=set(low), speaker_kind=ORGANISATION)
    if head in lex.PERSON_ROLES:
        if head.startswith("spokes") and len(tokens) > 1 and not possessed:
            return parse_phrase(tokens[:-1]) or Mention("literal", " ".join(tokens[:-1]), speaker_kind=ORGANISATION)
        if possessed:
            return Mention("literal", text, speaker_kind=PERSON)
        return Mention("role", text, roles=set(low) - {"of"}, gender=_gender(tokens), speaker_kind=PERSON)
    return None


def looks_like_name(tokens: list[str]) -> bool:
    """An appositive that is a name ("..., Ilse Brandvold, said"), possibly with titles and "of Place"."""
    if not tokens or not is_capitalised(tokens[0]):
        return False
    if "of" in tokens:
        tokens = tokens[: tokens.index("of")]
    runs = _name_runs(tokens)
    return bool(runs) and runs[-1][1] == len(tokens) and all(is_capitalised(t) or t in _PARTICLES for t in tokens)


class DocumentEntities:
    """The people and bodies named so far in one document, most recent last."""

    def __init__(self) -> None:
        self.entities: list[Entity] = []
        self._clock = 0

    def _touch(self, entity: Entity) -> Entity:
        self._clock += 1
        entity.seen = self._clock
        return entity

    def _recent(self, kind: str) -> list[Entity]:
        return sorted((e for e in self.entities if e.kind == kind), key=lambda e: -e.seen)

    def find_name(self, name: str) -> Entity | None:
        """The entity a name refers to: the same name, or a surname/first name of a fuller one."""
        words = name.split()
        for entity in sorted(self.entities, key=lambda e: -e.seen):
            if entity.name == name:
                return entity
        if len(words) == 1:
            for position in (-1, 0):
                for entity in self._recent(PERSON) + self._recent(ORGANISATION):
                    if len(entity.words) > 1 and entity.words[position] == words[0]:
                        return entity
        else:
            for entity in self._recent(PERSON):
                if len(entity.words) == 1 and entity.words[0] == words[-1]:
                    entity.name = name  # "Mr. Adler" first, "Tomas Adler" later: keep the full name
                    return entity
        return None

    def add(self, name: str, kind: str, roles: set[str] = frozenset(), gender: str | None = None) -> Entity:
        """Remember a mention; the same name again updates what is known about it."""
        entity = self.find_name(name)
        if entity is None:
            entity = Entity(name, kind)
            self.entities.append(entity)
        entity.roles |= {r for r in roles if r in lex.PERSON_ROLES or r in lex.BODY_NOUNS or r == "state"}
        entity.gender = entity.gender or gender
        return self._touch(entity)

    def resolve(self, mention: Mention) -> Entity | None:
        """The entity a parsed phrase refers to, or a new one; None when it names no speaker."""
        if mention.kind == "name":
            entity = self.find_name(_clean_name(mention.text))
            if entity is None:
                if len(mention.text.split()) == 1 and not (mention.roles & lex.PERSON_ROLES or mention.gender):
                    return None  # a lone unknown word ("Russia said") names no speaker
                entity = Entity(_clean_name(mention.text), PERSON)
                self.entities.append(entity)
            entity.roles |= mention.roles & lex.PERSON_ROLES
            entity.gender = entity.gender or mention.gender
            return self._touch(entity)
        if mention.kind in ("body", "literal"):
            return self.add(mention.text, mention.speaker_kind)
        if mention.kind == "pronoun":
            return self._pronoun(mention)
        if mention.kind == "role":
            return self._role(mention)
        return None

    def _pronoun(self, mention: Mention) -> Entity | None:
        if mention.speaker_kind == ORGANISATION:
            bodies = self._recent(ORGANISATION)
            return self._touch(bodies[0]) if bodies else None
        for entity in self._recent(PERSON):
            if entity.gender in (None, mention.gender):
                return self._touch(entity)
        return None

    def _role(self, mention: Mention) -> Entity | None:
        kind = mention.speaker_kind
        words = {w for w in mention.roles if w in lex.PERSON_ROLES or w in lex.BODY_NOUNS or w == "state"}
        phrase = mention.text.lower().split()
        head = phrase[phrase.index("of") - 1] if "of" in phrase[1:] else phrase[-1]  # "secretary of state"
        candidates = self._recent(kind)
        if kind == ORGANISATION:
            accepted = lex.BODY_SYNONYMS.get(head, {head})
            for entity in candidates:
                names = {w.lower().rstrip("’'s") for w in entity.words} | {w.lower() for w in entity.words}
                if (entity.roles | names) & accepted:
                    return self._touch(entity)
            return self.add(" ".join(mention.text.split()), ORGANISATION)
        for test in (lambda e: words <= e.roles, lambda e: head in e.roles):
            for entity in candidates:
                if test(entity) and entity.gender in (None, mention.gender or entity.gender):
                    return self._touch(entity)
        return self._touch(candidates[0]) if candidates else None

    def register(self, tokens: list[str]) -> None:
        """Remember the people and bodies a sentence names outside quotations, with their titles."""
        for start, end in _name_runs(tokens):
            name_tokens = tokens[start:end]
            if start > 0 and tokens[start - 1] == "of":
                continue  # "the president of Luzan": a place, not a person
            words = [t for t in name_tokens if _bare(t) not in lex.HONORIFICS]
            before = tokens[max(0, start - 4) : start]
            if before and before[-1] == ",":  # "the Qirati envoy, Sheikh Faisal Al-Mansour,"
                before = tokens[max(0, start - 6) : start - 1]
            after = tokens[end : end + 5]
            after_roles = after[1:] if after[:1] == [","] else []
            lowered = {_bare(t).lower() for t in before + after_roles}
            prev = _bare(before[-1]).lower() if before else ""
            nxt = _bare(tokens[end]).lower() if end < len(tokens) else ""
            if end < len(tokens) and _bare(tokens[end]) in lex.ORG_HEADS:
                continue  # part of a body's name, registered below as a whole
            if prev in lex.BODY_NOUNS or nxt in lex.BODY_NOUNS:
                body = tokens[start:end] + ([tokens[end]] if nxt in lex.BODY_NOUNS else [])
                self.add(" ".join(body), ORGANISATION, {prev})
                continue
            if not words:
                continue
            honorific = any(_bare(t) in lex.HONORIFICS for t in name_tokens + before[-1:])
            if len(words) == 1 and not honorific and self.find_name(words[0]) is None:
                continue  # a lone capitalised word: a place or a country, not a person
            name = _clean_name(" ".join(words))
            self.add(name, PERSON, lowered, _gender(before + name_tokens + after_roles))
        i = 0
        while i < len(tokens):  # maximal capitalised runs: "the Alliance of Small Island States"
            if not is_capitalised(tokens[i]):
                i += 1
                continue
            j = i + 1
            while j < len(tokens) and (
                is_capitalised(tokens[j])
                or tokens[j] in ("of", "for")
                and j + 1 < len(tokens)
                and is_capitalised(tokens[j + 1])
            ):
                j += 1
            span = _strip_determiners(tokens[i:j])
            if len(span) > 1 and _is_body_phrase(span):
                self.add(" ".join(span), ORGANISATION)
            i = j
        for h, token in enumerate(tokens):  # "the Maltaran foreign ministry", "the Red Hills militia"
            if token.islower() and token in lex.BODY_NOUNS:
                k = h
                while k > 0 and h - k < 5 and (is_capitalised(tokens[k - 1]) or tokens[k - 1] in lex.BODY_MODIFIERS):
                    if tokens[k - 1].lower() in lex.DETERMINERS or tokens[k - 1] in lex.NOT_NAMES:
                        break
                    k -= 1
                span = tokens[k : h + 1]
                if any(is_capitalised(t) for t in span) and not any(is_possessive(t) for t in span):
                    self.add(" ".join(span), ORGANISATION)


def _joins_capitals(tokens: list[str], j: int) -> bool:
    return tokens[j] in ("of", "for") and j + 1 < len(tokens) and is_capitalised(tokens[j + 1])


def _clean_name(name: str) -> str:
    """Without honorifics, and at most two name words (initials and particles kept between them).

    A title run into a name ("the Center for Political Information Alexei Mukhin")
    otherwise leaves organisation words in front of it.
    """
    words = [w for w in name.split() if _bare(w) not in lex.HONORIFICS] or name.split()
    kept: list[str] = []
    full = 0
    for word in reversed(words):
        plain = not _INITIAL.match(word) and word not in _PARTICLES
        if plain and full == 2:
            break
        kept.insert(0, word)
        full += plain
    return " ".join(kept)
