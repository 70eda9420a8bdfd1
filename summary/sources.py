"""``detente score`` output files (JSONL, CSV, Parquet) as one DuckDB view, checked first.

DuckDB reads all three formats itself and streams them, so nothing here loads
records into Python. Each file is checked before any number is computed: a file
that is not detente output, or lacks a column, stops the run naming the file.
"""

from __future__ import annotations

from pathlib import Path

from detente.errors import DetenteError
from detente.model.labels import LABELS
from detente.summary import defaults


def file_format(path: Path) -> str:
    name = path.name.lower()
    if name.endswith(".parquet"):
        return "parquet"
    if name.endswith(".csv"):
        return "csv"
    return "jsonl"


def _reader(path: Path, fmt: str, columns: dict[str, str] | None = None) -> str:
    quoted = "'" + str(path).replace("'", "''") + "'"
    if fmt == "parquet":
        return f"read_parquet({quoted})"
    if fmt == "csv":
        return f"read_csv({quoted}, header=true, all_varchar=true)"
    if columns:
        spec = ", ".join(f"'{name}': '{kind}'" for name, kind in columns.items())
        return f"read_json({quoted}, format='newline_delimited', columns={{{spec}}})"
    return f"read_json({quoted}, format='newline_delimited')"


def _columns(con, path: Path, fmt: str) -> list[str]:
    import duckdb

    try:
        return [row[0] for row in con.execute(f"DESCRIBE SELECT * FROM {_reader(path, fmt)}").fetchall()]
    except duckdb.Error as err:
        raise DetenteError(path, f"not detente score output ({fmt}): {str(err).splitlines()[0]}") from None


def register_scores(con, paths: list[str], group_by: str | None = None) -> int:
    """Create the view ``scores`` over all files; returns the number of records. Raises on bad input."""

    selects = []
    for raw in paths:
        path = Path(raw)
        if not path.is_file():
            raise DetenteError(path, "no such file")
        fmt = file_format(path)
        present = _columns(con, path, fmt)
        wanted = list(defaults.REQUIRED_COLUMNS) + ([group_by] if group_by else [])
        for column in wanted:
            if column not in present:
                raise DetenteError(path, f"missing column {column!r}: not detente score output?")
        types = {c: "VARCHAR" for c in wanted if c != "tone"} | {"tone": "VARCHAR"}
        types |= {c: "VARCHAR" for c in defaults.OPTIONAL_COLUMNS if c in present}
        source = _reader(path, fmt, types if fmt == "jsonl" else None)
        kind = "CAST(speaker_kind AS VARCHAR)" if "speaker_kind" in present else "CAST(NULL AS VARCHAR)"
        group = f", CAST({_ident(group_by)} AS VARCHAR) AS grp" if group_by else ""
        selects.append(
            f"SELECT CAST(id AS VARCHAR) AS id, CAST(doc AS VARCHAR) AS doc, TRY_CAST(date AS DATE) AS date, "
            f"NULLIF(CAST(speaker AS VARCHAR), '') AS speaker, {kind} AS speaker_kind, "
            f"CAST(label AS VARCHAR) AS label, TRY_CAST(tone AS DOUBLE) AS tone, "
            f"CAST(date AS VARCHAR) AS raw_date, TRY_CAST(tone AS VARCHAR) AS raw_tone{group} FROM {source}"
        )
        _check_values(con, path, selects[-1])
    con.execute("CREATE OR REPLACE TEMP VIEW scores AS " + " UNION ALL ".join(selects))
    return con.execute("SELECT count(*) FROM scores").fetchone()[0]


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _check_values(con, path: Path, select: str) -> None:
    """Labels from the model's set, numeric tones in [-1, 1], a document for every record."""
    import duckdb

    labels = ", ".join(f"'{label}'" for label in LABELS)
    query = (
        f"SELECT count(*) FILTER (WHERE label IS NULL OR label NOT IN ({labels})), "
        f"any_value(label) FILTER (WHERE label IS NULL OR label NOT IN ({labels})), "
        "count(*) FILTER (WHERE tone IS NULL OR tone < -1 OR tone > 1), "
        "any_value(raw_tone) FILTER (WHERE tone IS NULL OR tone < -1 OR tone > 1), "
        "count(*) FILTER (WHERE doc IS NULL), "
        "count(*) FILTER (WHERE raw_date IS NOT NULL AND raw_date <> '' AND date IS NULL) "
        f"FROM ({select})"
    )
    try:
        bad_label, label, bad_tone, tone, no_doc, bad_date = con.execute(query).fetchone()
    except duckdb.Error as err:
        raise DetenteError(path, f"not detente score output: {str(err).splitlines()[0]}") from None
    if bad_label:
        raise DetenteError(path, f"{bad_label} records with a label other than {'/'.join(LABELS)} (e.g. {label!r})")
    if bad_tone:
        raise DetenteError(path, f"{bad_tone} records without a tone in [-1, 1] (e.g. {tone!r})")
    if no_doc:
        raise DetenteError(path, f"{no_doc} records without a doc")
    if bad_date:
        raise DetenteError(path, f"{bad_date} records with a date that is not YYYY-MM-DD")
