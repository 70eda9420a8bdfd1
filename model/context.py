"""What a model may read besides the statement: the sentence before it in its document.

A statement's stance often leans on the one before ("That is not acceptable.",
"He said it would not happen again."). A model trained with ``context:
previous`` reads each statement as the first segment of a pair and the
previous statement of the same document as the second; ``previous+first`` adds
the document's first statement (the lede) before it. Training, scoring and
evaluation all build the context here, so a model reads the same thing everywhere.
"""

from __future__ import annotations

from collections.abc import Sequence

#: What a model's ``context`` setting may be.
CONTEXT_MODES = ("none", "previous", "previous+first")
#: Between the lede and the previous statement when both are given.
LEDE_SEPARATOR = " … "


def check_mode(mode: str) -> str:
    if mode not in CONTEXT_MODES:
        raise ValueError(f"model.context must be one of {', '.join(CONTEXT_MODES)}, got {mode!r}")
    return mode


def document_contexts(texts: Sequence[str], documents: Sequence[str], mode: str) -> list[str] | None:
    """For statements in document order, the context of each (None for mode "none").

    A statement's document is ``documents[i]``; the first statement of a document
    has an empty context, so a statement is never read with another document's text.
    """
    if check_mode(mode) == "none":
        return None
    contexts, lede, previous_doc = [], "", object()
    for i, (text, doc) in enumerate(zip(texts, documents, strict=True)):
        if doc != previous_doc:
            contexts.append("")
            lede, previous_doc = text, doc
            continue
        previous = texts[i - 1]
        if mode == "previous+first" and i > 0 and previous != lede:
            contexts.append(lede + LEDE_SEPARATOR + previous)
        else:
            contexts.append(previous)
    return contexts
