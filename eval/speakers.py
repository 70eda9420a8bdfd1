"""Accuracy of speaker attribution against a hand-labelled gold file.

The gold file (``data/speakers/gold.jsonl``) names, for each statement of each
article, who voices it (``null`` for the reporter's narration). Statements are
matched by document and index, and the gold text must equal the segmenter's, so
a change in segmentation shows up as an error instead of silently shifting the
comparison. Names are compared after :func:`normalise_speaker` (case, curly
apostrophes, a leading "the"), the conventions in ``data/speakers/README.md``.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from detente.errors import DetenteError


def normalise_speaker(name: str | None) -> str | None:
    """The form two speaker names are compared in: lower case, straight apostrophes, no leading 'the'."""
    if name is None:
        return None
    name = " ".join(name.replace("’", "'").split()).lower()
    return name[4:] if name.startswith("the ") else name


def read_gold(path: Path) -> dict[str, list[dict[str, Any]]]:
    """Gold records grouped by document, in index order."""
    by_doc: dict[str, list[dict[str, Any]]] = defaultdict(list)
    with open(path, encoding="utf-8") as handle:
        for line_no, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                by_doc[record["doc"]].append(record)
            except (json.JSONDecodeError, KeyError, TypeError) as err:
                raise DetenteError(path, f"line {line_no}: not a gold speaker record ({err})") from None
    for records in by_doc.values():
        records.sort(key=lambda r: r["index"])
    return dict(by_doc)


def evaluate_speakers(gold_path: Path, articles: Path) -> dict[str, Any]:
    """Attribute every gold article and compare: overall, on named speakers, and the errors."""
    from detente.model.segmenter import segment

    gold = read_gold(gold_path)
    rows = []
    for doc, records in sorted(gold.items()):
        path = articles / doc
        if not path.is_file():
            raise DetenteError(path, "article named in the gold file is missing")
        statements = segment(path.read_text(encoding="utf-8"), doc)
        if [s.text for s in statements] != [r["text"] for r in records]:
            raise DetenteError(gold_path, f"{doc}: the gold statements differ from the segmenter's")
        for st, rec in zip(statements, records, strict=True):
            rows.append({"doc": doc, "index": st.index, "text": st.text, "gold": rec["speaker"], "got": st.speaker})
    correct = [normalise_speaker(r["gold"]) == normalise_speaker(r["got"]) for r in rows]
    named = [c for c, r in zip(correct, rows, strict=True) if r["gold"] is not None]
    narration = [c for c, r in zip(correct, rows, strict=True) if r["gold"] is None]
    return {
        "documents": len(gold),
        "statements": len(rows),
        "accuracy": sum(correct) / len(rows),
        "named_statements": len(named),
        "named_accuracy": sum(named) / len(named) if named else None,
        "narration_statements": len(narration),
        "narration_accuracy": sum(narration) / len(narration) if narration else None,
        "errors": [r for c, r in zip(correct, rows, strict=True) if not c],
    }


def format_report(result: dict[str, Any], show_errors: bool) -> str:
    lines = [
        f"documents {result['documents']}, statements {result['statements']}",
        f"accuracy (all statements)        {result['accuracy']:.1%}",
        f"accuracy (named person or body)  {result['named_accuracy']:.1%} of {result['named_statements']}",
        f"accuracy (narration, no speaker) {result['narration_accuracy']:.1%} of {result['narration_statements']}",
    ]
    if show_errors:
        for err in result["errors"]:
            lines.append(f"  {err['doc']}:{err['index']} gold={err['gold']!r} got={err['got']!r}  {err['text'][:90]}")
    return "\n".join(lines)
