"""Which statements go into which chunk: the same cut as local scoring.

Local scoring reads the statements of all inputs as one stream and scores them
``chunk_size`` at a time, so a chunk can hold the end of one file and the start
of the next. Inside a chunk, statements are sorted by length into batches, and
int8's dynamic quantisation scales activations per batch: a statement's
probabilities depend (in the 4th decimal) on its chunk-mates. A distributed
engine that scores exactly these chunks gives exactly the local records.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class Span:
    """Statements ``start:stop`` of input file number ``file``."""

    file: int
    start: int
    stop: int

    def __len__(self) -> int:
        return self.stop - self.start


def chunk_spans(counts: Iterable[tuple[int, int]], chunk_size: int) -> Iterator[list[Span]]:
    """The chunks of local scoring, as spans of files, from ``(file, statement count)`` in input order.

    ``counts`` may be a lazy iterator: a chunk is yielded as soon as the counts it
    covers are known, so a planner never needs every file's count up front.
    """
    if chunk_size < 1:
        raise ValueError("chunk_size must be at least 1")
    chunk: list[Span] = []
    room = chunk_size
    for file, count in counts:
        position = 0
        while position < count:
            take = min(room, count - position)
            chunk.append(Span(file, position, position + take))
            position += take
            room -= take
            if room == 0:
                yield chunk
                chunk, room = [], chunk_size
    if chunk:
        yield chunk
