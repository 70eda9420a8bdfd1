"""Writing an output directory all at once, so a failed run never leaves half a report.

Files are written into a temporary sibling of the target (same file system, so
the final step is a rename, not a copy). If the target does not exist the whole
directory is renamed into place; if it does, each written file replaces its old
version with ``os.replace`` and every other file there is left alone. On any
error the temporary directory is removed and the target is as it was.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from detente.errors import DetenteError


def check_output_dir(directory: str | Path) -> Path:
    """Refuse a target that cannot become a directory, before any work is done."""
    directory = Path(directory)
    if directory.exists() and not directory.is_dir():
        raise DetenteError(directory, "exists and is not a directory")
    return directory


@contextmanager
def staged_directory(directory: str | Path) -> Iterator[Path]:
    """Yield a fresh temporary directory; on normal exit, move its files into ``directory``."""
    directory = check_output_dir(directory)
    parent = directory.absolute().parent
    parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{directory.name}.", suffix=".tmp", dir=parent))
    try:
        yield staging
        if not directory.exists():
            staging.rename(directory)
            return
        for path in sorted(staging.iterdir()):
            os.replace(path, directory / path.name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def write_file_atomically(path: str | Path, text: str) -> None:
    """Write ``text`` to a temporary sibling of ``path`` and rename it into place."""
    path = Path(path)
    check = path.absolute().parent
    check.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=check)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


#: The files ``detente eval`` writes; with an existing target only these are replaced.
EVAL_FILES = ("metrics.json", "predictions.jsonl", "report.html", "report.md")


def write_evaluation(directory: str | Path, metrics: dict, predictions: list[dict]) -> Path:
    """Render and write the four ``detente eval`` files into ``directory`` in one step.

    Rendering happens inside the staging directory, so a failure while drawing a
    figure leaves the target exactly as it was, like a failure while scoring.
    """
    import json

    from detente.eval.report_html import render_html
    from detente.eval.report_md import render_markdown

    directory = Path(directory)
    with staged_directory(directory) as staging:
        (staging / "metrics.json").write_text(json.dumps(metrics, indent=2, ensure_ascii=False) + "\n", "utf-8")
        with (staging / "predictions.jsonl").open("w", encoding="utf-8") as out:
            for record in predictions:
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
        (staging / "report.html").write_text(render_html(metrics, predictions), encoding="utf-8")
        (staging / "report.md").write_text(render_markdown(metrics, predictions), encoding="utf-8")
    return directory
