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


# The labelling tests' real scored file: the sample articles scored by the bundled model, once per session.
@pytest.fixture(scope="session")
def scores_file(tmp_path_factory):
    out = tmp_path_factory.mktemp("scored") / "scores.jsonl"
    done = run_cli("score", EXAMPLES, "--backend", "torch", "-q", "-o", out)
    assert done.returncode == 0, done.stderr.decode()
    return out


@pytest.fixture(scope="session")
def scored(scores_file):
    from detente.labelling.scores import read_scores

    return read_scores([scores_file])


@pytest.fixture(scope="session")
def embed(scored):
    """The model's embeddings of the scored statements, computed once and looked up by text."""
    from detente.labelling.sample import model_embedder

    texts = sorted({r["text"] for r in scored})
    vectors = dict(zip(texts, model_embedder("default", device="cpu")(texts), strict=True))

    def lookup(batch):
        import numpy as np

        return np.stack([vectors[t] for t in batch])

    return lookup
