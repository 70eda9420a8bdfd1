"""The summary's tables as CSV files, one row per group, shares flattened into columns."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from detente.model.labels import LABELS

#: summary.json list -> CSV file name.
TABLES = {
    "documents": "documents.csv", "speakers": "speakers.csv", "timeline": "timeline.csv",
    "sides": "sides.csv", "timeline_by_side": "timeline_by_side.csv", "groups": "groups.csv",
}  # fmt: skip


def flat(row: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in row.items() if k not in ("shares", "tone_ci")}
    out |= {f"share_{label}": row["shares"][label] for label in LABELS}
    out["ci_low"], out["ci_high"] = row["tone_ci"]
    return out


def write_tables(summary: dict[str, Any], out: Path) -> list[str]:
    written = []
    for key, name in TABLES.items():
        rows = summary.get(key)
        if rows is None:
            continue
        flats = [flat(r) for r in rows]
        fields = list(flats[0]) if flats else ["key", "n"]
        with open(out / name, "w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=fields, lineterminator="\n")
            writer.writeheader()
            writer.writerows(flats)
        written.append(name)
    return written
