"""Finding the input files and checking them before any model is loaded.

Every input is checked up front (exists, not empty, not binary, valid UTF-8) so
that a bad file fails the run in a second with one line naming it, instead of
after an hour of scoring, and no output file is started.
"""

from __future__ import annotations

import codecs
import sys
from dataclasses import dataclass
from pathlib import Path

from detente.errors import DetenteError

STDIN = "-"
_SNIFF_BYTES = 8192
_CHECK_CHUNK = 1 << 20


@dataclass(frozen=True)
class Source:
    """One input: a file, or stdin (``path`` is ``"-"``); ``doc`` names it in the output."""

    path: str
    doc: str

    @property
    def is_stdin(self) -> bool:
        return self.path == STDIN


def discover(paths: list[str], pattern: str = "*.txt") -> list[Source]:
    """Files named, and files under folders matching ``pattern`` (recursively), in a stable order."""
    sources: list[Source] = []
    for raw in paths:
        if raw == STDIN:
            sources.append(Source(STDIN, "stdin"))
            continue
        path = Path(raw)
        if path.is_dir():
            found = sorted(p for p in path.rglob(pattern) if p.is_file())
            if not found:
                raise DetenteError(path, f"no files matching {pattern!r} in this directory")
            sources.extend(Source(str(p), p.relative_to(path).as_posix()) for p in found)
        elif path.is_file():
            sources.append(Source(str(path), path.name))
        else:
            raise DetenteError(path, "no such file or directory")
    # Names must identify documents in the output: where two inputs share one
    # (x.txt from two folders), both are named by their full path instead.
    counts: dict[str, int] = {}
    for source in sources:
        counts[source.doc] = counts.get(source.doc, 0) + 1
    return [Source(s.path, s.path) if counts[s.doc] > 1 and not s.is_stdin else s for s in sources]


def check_utf8_text(path: Path) -> None:
    """Raise DetenteError unless ``path`` is a non-empty UTF-8 text file; reads in chunks."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0
    has_text = False
    try:
        handle = path.open("rb")
    except OSError as err:
        raise DetenteError(path, f"cannot read ({err.strerror})") from None
    with handle:
        head = handle.read(_SNIFF_BYTES)
        if b"\x00" in head:
            raise DetenteError(path, "binary file (contains NUL bytes), not text")
        chunk = head
        while chunk:
            pending = decoder.getstate()[0]  # bytes of a character split across chunks
            try:
                text = decoder.decode(chunk)
            except UnicodeDecodeError as err:
                data = pending + chunk
                where = offset - len(pending) + err.start
                raise DetenteError(
                    path, f"not UTF-8 text: invalid byte 0x{data[err.start]:02x} at byte offset {where}"
                ) from None
            has_text = has_text or bool(text.strip())
            offset += len(chunk)
            chunk = handle.read(_CHECK_CHUNK)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            raise DetenteError(path, f"not UTF-8 text: truncated character at byte offset {offset}") from None
    if not has_text:
        raise DetenteError(path, "empty file (no text)")


def read_stdin() -> str:
    """Stdin as text, with the same checks as a file."""
    data = sys.stdin.buffer.read()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise DetenteError(
            "<stdin>", f"not UTF-8 text: invalid byte 0x{data[err.start]:02x} at byte offset {err.start}"
        ) from None
    if not text.strip():
        raise DetenteError("<stdin>", "empty input (no text)")
    return text
