"""Negotiations reserved for the team's own evaluation: nothing about them may be trained on.

The team measures accuracy on real news from these contexts, so a statement
about one of them in the project's data (labelled, unlabelled, a sample
article, a model's check set) would make that measurement dishonest. The list
is the team's (``shared/reserved-contexts.md``); this module is its one
machine-readable copy, and ``tests/test_reserved.py`` applies it to every data
file in the repository.

A record is matched on its ``topic``, ``source_url``/``source`` and text, and
a context with an event window also on its ``date``. A record with no date that
matches a windowed context counts as reserved: nothing shows it is outside the
window. Matching is per document: one reserved statement takes its whole
article out, since the rest of the article is about the same negotiation.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

#: The seed article is the one exception the team's list allows.
SEED_DOCUMENT = "000_e8df3a3c245efa1e.txt"


@dataclass(frozen=True)
class ReservedContext:
    name: str
    pattern: str  # case-insensitive, searched in topic, source and text
    start: str | None = None  # ISO dates, inclusive; None: any date
    end: str | None = None

    def matches(self, haystack: str, date: str | None) -> bool:
        if not re.search(self.pattern, haystack, re.IGNORECASE):
            return False
        if self.start is None:
            return True
        if not date:
            return True
        return self.start <= date[:10] <= self.end


RESERVED_CONTEXTS: tuple[ReservedContext, ...] = (
    ReservedContext(
        "Russia-US/NATO security guarantees (Feb 2022)",
        r"security[- ]guarantee|nato|russia|kremlin|moscow|ukrain",
        "2022-02-01",
        "2022-02-24",
    ),
    ReservedContext("Iran nuclear (JCPOA) talks in Vienna", r"\biran|jcpoa|tehran", "2021-10-01", "2022-12-31"),
    ReservedContext(
        "Russia-Ukraine talks (Belarus, Istanbul, video)", r"ukrain|russia|kremlin|istanbul", "2022-02-01", "2022-05-31"
    ),
    ReservedContext("COP27", r"\bcop\b|cop-?27|climate|sharm", "2022-11-01", "2022-11-30"),
    ReservedContext("COP28", r"\bcop\b|cop-?28|climate|dubai", "2023-11-01", "2023-12-31"),
    ReservedContext("COP27/COP28 by name", r"\bcop-?2[78]\b|sharm el-sheikh|cop2[78]"),
    ReservedContext("Colombia-ELN talks", r"\beln\b|national liberation army", "2023-01-01", "2023-12-31"),
    ReservedContext("Ethiopia-TPLF talks in Pretoria", r"tigray|tplf|ethiopia|pretoria", "2022-10-01", "2022-11-30"),
    ReservedContext("Venezuela talks in Mexico City", r"venezuela|maduro", "2021-01-01", "2022-12-31"),
    ReservedContext(
        "UAW and SAG-AFTRA strike talks",
        r"\buaw\b|united auto workers|auto-workers|sag-aftra|screen actors|hollywood|amptp|stellantis",
        "2023-01-01",
        "2023-12-31",
    ),
    ReservedContext("US-Taliban talks in Doha", r"taliban"),
    ReservedContext("Saudi-Houthi / Yemen truce", r"houthi|yemen"),
    ReservedContext(
        "Israel-Lebanon maritime border", r"israel-lebanon|lebanon-israel|maritime[- ]border|karish|qana field"
    ),
    ReservedContext("Iran-Saudi rapprochement", r"iran-saudi|saudi-iran|saudi arabia and iran|iran and saudi arabia"),
    ReservedContext("Cyprus reunification", r"cyprus|cypriot"),
    ReservedContext("GERD", r"renaissance dam|\bgerd\b|nile-dam|nile dam"),
    ReservedContext("Greece-North Macedonia name", r"prespa|macedonia"),
    ReservedContext("Syria talks", r"syria|astana"),
    ReservedContext("DR Congo-Rwanda", r"\bdrc\b|congo|\bm23\b"),
    ReservedContext("Libya ceasefire", r"libya"),
    ReservedContext("Six-Party talks", r"six[- ]party"),
    ReservedContext("Thailand-Cambodia border", r"cambodia"),
)


def _document(record: dict[str, Any]) -> str:
    return str(record.get("doc") or record.get("source") or record.get("source_url") or f"id:{record.get('id')}")


def reserved_context(record: dict[str, Any]) -> str | None:
    """The reserved context a single record is about, or None."""
    if _document(record) == SEED_DOCUMENT:
        return None
    haystack = " ".join(str(record.get(k) or "") for k in ("topic", "source_url", "source", "text"))
    date = record.get("date")
    for context in RESERVED_CONTEXTS:
        if context.matches(haystack, str(date) if date else None):
            return context.name
    return None


def reserved_documents(records: Iterable[dict[str, Any]]) -> dict[str, str]:
    """Document -> reserved context, for every document with at least one reserved record."""
    found: dict[str, str] = {}
    for record in records:
        name = reserved_context(record)
        if name:
            found.setdefault(_document(record), name)
    return found


def without_reserved(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The records whose documents touch no reserved context."""
    banned = reserved_documents(records)
    return [r for r in records if _document(r) not in banned]
