"""The whole summary of a set of scores: every table, in one DuckDB session.

The records stay in DuckDB from file to aggregate (it streams JSONL, CSV and
Parquet and spills to disk when a grouping does not fit in memory), so the size
of the input only costs time. Python sees the per-group rows.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from detente.errors import DetenteError
from detente.model.labels import LABELS
from detente.summary import defaults
from detente.summary.aggregate import aggregate
from detente.summary.sides import load_sides
from detente.summary.sources import register_scores


def connect(spill_dir: Path | None = None):
    import duckdb

    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = false")
    if spill_dir is not None:
        con.execute(f"SET temp_directory = '{str(spill_dir).replace(chr(39), chr(39) * 2)}'")
    return con


def summarize(
    paths: list[str], by: str = "week", sides_path: str | None = None, group_by: str | None = None,
    spill_dir: Path | None = None,
) -> dict[str, Any]:  # fmt: skip
    """The summary as a JSON-ready dict (see the README's "Summaries" for the fields)."""
    if by not in defaults.PERIODS:
        raise DetenteError(None, f"--by must be one of {', '.join(defaults.PERIODS)}, not {by!r}")
    sides = load_sides(sides_path) if sides_path else None  # checked before any scores file is read
    con = connect(spill_dir)
    total = register_scores(con, paths, group_by)
    if sides:
        con.execute("CREATE TEMP TABLE side_map (name VARCHAR, side VARCHAR)")
        con.executemany("INSERT INTO side_map VALUES (?, ?)", list(sides.items()))
        con.execute(
            "CREATE TEMP VIEW scored AS SELECT s.*, m.side FROM scores s "
            "LEFT JOIN side_map m ON m.name = lower(s.speaker)"
        )
    else:
        con.execute("CREATE TEMP VIEW scored AS SELECT *, CAST(NULL AS VARCHAR) AS side FROM scores")
    period = f"CAST(date_trunc('{by}', date) AS DATE)"
    result: dict[str, Any] = {
        "inputs": [str(p) for p in paths],
        "records": total,
        "labels": list(LABELS),
        "by": by,
        "bootstrap": {
            "resamples": defaults.BOOTSTRAP_RESAMPLES,
            "seed": defaults.BOOTSTRAP_SEED,
            "interval": "95% percentile",
            "blocks_above": defaults.BOOTSTRAP_BLOCKS,
        },  # fmt: skip
        "unattributed_records": con.execute("SELECT count(*) FROM scores WHERE speaker IS NULL").fetchone()[0],
        "undated_records": con.execute("SELECT count(*) FROM scores WHERE date IS NULL").fetchone()[0],
    }
    overall = aggregate(con, {"key": "'all'"}, source="scored")
    result["overall"] = overall[0] if overall else None
    result["documents"] = aggregate(con, {"key": "doc"}, source="scored", extra={"date": "min(date)"})
    result["speakers"] = aggregate(
        con, {"key": "speaker"}, "speaker IS NOT NULL", "scored",
        extra={"kind": "mode(speaker_kind)", "side": "any_value(side)"},
    )  # fmt: skip
    result["timeline"] = aggregate(con, {"key": period}, "date IS NOT NULL", "scored")
    if sides:
        result["sides"] = aggregate(con, {"key": "side"}, "side IS NOT NULL", "scored")
        result["timeline_by_side"] = aggregate(
            con, {"side": "side", "key": period}, "side IS NOT NULL AND date IS NOT NULL", "scored"
        )
        result["unknown_speakers"] = [
            {"speaker": row["key"], "n": row["n"]}
            for row in sorted(result["speakers"], key=lambda r: (-r["n"], r["key"]))
            if row["side"] is None
        ]
        known = {row["key"].lower() for row in result["speakers"]}
        result["sides_unused_names"] = sorted(name for name in sides if name not in known)
    if group_by:
        result["group_by"] = group_by
        result["groups"] = aggregate(con, {"key": "coalesce(grp, '(none)')"}, source="scored")
    con.close()
    return result
