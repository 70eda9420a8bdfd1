"""Length-sorted batching: the one trick every inference path here shares.

Sorting texts by length before batching means each batch pads only to its own
longest text; callers write results back by index, so output order is input order.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence


def length_sorted_batches(texts: Sequence[str], batch_size: int) -> Iterator[list[int]]:
    """Index lists of at most ``batch_size``, shortest texts first."""
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    for lo in range(0, len(order), batch_size):
        yield order[lo : lo + batch_size]


def encode(
    tokenizer, texts: Sequence[str], max_length: int, device: str = "cpu", contexts: Sequence[str] | None = None
):
    """A padded, truncated torch batch from a Hugging Face tokenizer, on ``device``.

    With ``contexts`` each text is the first segment of a pair and its context the
    second (see :mod:`detente.model.context`); the longer segment is cut first.
    """
    pairs = None if contexts is None else [c or "" for c in contexts]
    return tokenizer(list(texts), pairs, padding=True, truncation=True, max_length=max_length, return_tensors="pt").to(
        device
    )
