"""Counts, label shares, mean tone and its bootstrap interval for any grouping, computed in DuckDB.

Every table of the summary is one call of :func:`aggregate` with the SQL of its
key columns: two streaming passes over the scores (the group statistics, then
per-block sums for the bootstrap), whatever the number of records.
"""

from __future__ import annotations

from typing import Any

from detente.model.labels import LABELS
from detente.summary import defaults
from detente.summary.bootstrap import bootstrap_intervals


def aggregate(
    con, keys: dict[str, str], where: str = "TRUE", source: str = "scores", extra: dict[str, str] | None = None,
) -> list[dict[str, Any]]:  # fmt: skip
    """Rows ``{**keys, n, shares, mean_tone, tone_ci, **extra}`` ordered by key.

    ``keys`` maps output names to SQL expressions over ``source``; ``extra`` adds
    aggregate expressions (e.g. a document's date) to each row.
    """
    import numpy as np

    extra = extra or {}
    key_sql = ", ".join(f"{sql} AS k{i}" for i, sql in enumerate(keys.values()))
    key_refs = ", ".join(f"k{i}" for i in range(len(keys)))
    label_sql = ", ".join(f"count(*) FILTER (WHERE label = '{label}') AS c_{label}" for label in LABELS)
    extra_sql = "".join(f", {sql} AS x{i}" for i, sql in enumerate(extra.values()))
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE grp AS SELECT row_number() OVER (ORDER BY {key_refs}) - 1 AS gid, * FROM ("
        f"SELECT {key_sql}, count(*) AS n, {label_sql}, avg(tone) AS mean_tone{extra_sql} "
        f"FROM {source} WHERE {where} GROUP BY ALL)"
    )
    groups = con.execute("SELECT * FROM grp ORDER BY gid").fetchall()
    columns = [d[0] for d in con.description]
    if not groups:
        return []
    join = " AND ".join(f"g.k{i} IS NOT DISTINCT FROM s.k{i}" for i in range(len(keys)))
    blocks = defaults.BOOTSTRAP_BLOCKS
    # Blocks are ordered by a hash of the record id, so the same records give the same interval
    # whatever the file format or DuckDB's thread scheduling.
    bucket = f"CASE WHEN g.n <= {blocks} THEN hash(s.id) ELSE hash(s.id) % {blocks} END"
    arrays = con.execute(
        f"SELECT g.gid, {bucket} AS bucket, sum(s.tone) AS s, count(*) AS c FROM (SELECT {key_sql}, id, tone "
        f"FROM {source} WHERE {where}) s JOIN grp g ON {join} GROUP BY ALL ORDER BY g.gid, bucket"
    ).fetchnumpy()
    intervals = bootstrap_intervals(
        np.asarray(arrays["gid"], dtype=np.int64), np.asarray(arrays["s"], dtype=np.float64),
        np.asarray(arrays["c"], dtype=np.float64), len(groups),
    )  # fmt: skip
    rows = []
    for values in groups:
        record = dict(zip(columns, values, strict=True))
        n = record["n"]
        row = {name: _plain(record[f"k{i}"]) for i, name in enumerate(keys)}
        row["n"] = n
        row["shares"] = {label: record[f"c_{label}"] / n for label in LABELS}
        row["mean_tone"] = record["mean_tone"]
        low, high = intervals[record["gid"]]
        row["tone_ci"] = [float(low), float(high)]
        for i, name in enumerate(extra):
            row[name] = _plain(record[f"x{i}"])
        rows.append(row)
    return rows


def _plain(value: Any) -> Any:
    """JSON-friendly: dates as ISO strings."""
    return value.isoformat() if hasattr(value, "isoformat") else value
