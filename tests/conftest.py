"""Shared fixtures: paths, and running the real CLI in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
EXAMPLES = ROOT / "examples" / "articles"


def run_cli(*args: str, stdin: bytes | None = None, cwd: Path | None = None, timeout: int = 300):
    """`python -m detente ARGS` as a user would run it; returns the CompletedProcess."""
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONUNBUFFERED": "1"}
    return subprocess.run(
        [sys.executable, "-m", "detente", *map(str, args)],
        input=stdin, capture_output=True, cwd=cwd or ROOT, env=env, timeout=timeout,
    )  # fmt: skip


@pytest.fixture(scope="session")
def classifier():
    from detente.model.classifier import StanceClassifier

    return StanceClassifier.from_pretrained("default", device="cpu")
