"""The one exception users see as a one-line message instead of a traceback."""

from __future__ import annotations

from pathlib import Path


class DetenteError(Exception):
    """Bad input or a bad model: the CLI prints ``detente: error: <where>: <what>`` and exits 2."""

    def __init__(self, where: str | Path | None, problem: str):
        self.where = None if where is None else str(where)
        self.problem = problem
        super().__init__(f"{self.where}: {problem}" if self.where else problem)
