"""The labelled data an evaluation reads: the set scored, the baselines' training set, group keys.

Every reader here fails with :class:`DetenteError` naming the file (and line),
before any model is loaded, so a typo in a label never costs a minute of scoring.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from detente.errors import DetenteError
from detente.labelled import read_labelled

#: Where the baselines learn from when no ``--train`` is given: the project's fixed split,
#: relative to the working directory (so it works from a checkout of the repository).
DEFAULT_TRAIN = Path("data") / "splits" / "train.jsonl"
#: Group value of a record without the field, so every statement lands in some row.
MISSING_GROUP = "(none)"


def load_eval_set(paths: Sequence[str | Path]) -> list[dict[str, Any]]:
    """The statements to evaluate on, validated (fields, labels, unique ids, not empty)."""
    return read_labelled(paths)


def resolve_train_files(train: Sequence[str | Path] | None, cwd: Path | None = None) -> list[Path]:
    """``--train`` files as given, else ``data/splits/train.jsonl`` under the working directory.

    The baselines that learn need labelled data that is not the evaluation set; when
    neither exists the user gets told both ways to provide it.
    """
    if train:
        return [Path(p) for p in train]
    default = DEFAULT_TRAIN if cwd is None else cwd / DEFAULT_TRAIN
    if not default.is_file():
        raise DetenteError(
            None,
            f"--baselines needs training data: no {DEFAULT_TRAIN} under {cwd or Path.cwd()}; "
            "pass --train FILE... (labelled JSONL or CSV)",
        )
    return [default]


def group_key(record: dict[str, Any], field: str) -> str:
    """The value a record is grouped under for ``--group-by FIELD``.

    ``date`` is bucketed by month (``2022-01``) because single days give groups of
    one or two statements, too small to say anything; other fields are used as they are.
    """
    value = record.get(field)
    if value in (None, ""):
        return MISSING_GROUP
    value = str(value)
    if field == "date":
        match = re.match(r"(\d{4}-\d{2})", value)
        return match.group(1) if match else value
    return value


def check_group_field(records: Sequence[dict[str, Any]], field: str, paths: Sequence[str | Path]) -> None:
    """A ``--group-by`` field that no record has is a typo, not a one-row table."""
    if not any(record.get(field) not in (None, "") for record in records):
        files = ", ".join(map(str, paths))
        raise DetenteError(files, f"no record has the --group-by field {field!r}")
