"""A user's mapping of speakers and organisations to sides, checked strictly.

``sides.yaml``::

    sides:
      Russia: [Sergei Lavrov, Kremlin, Russian Foreign Ministry]
      United States: [Antony Blinken, White House]

Names match speakers case-insensitively. A speaker listed on two sides, an
unknown top-level key or a malformed list stops the run: a silently wrong side
would move every number on the report.
"""

from __future__ import annotations

from pathlib import Path

from detente.errors import DetenteError

ALLOWED_KEYS = ("sides",)


def load_sides(path: str | Path) -> dict[str, str]:
    """speaker name (lower case) -> side."""
    import yaml

    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DetenteError(path, "no such file") from None
    except (yaml.YAMLError, UnicodeDecodeError) as err:
        raise DetenteError(path, f"not YAML: {str(err).splitlines()[0]}") from None
    if not isinstance(data, dict):
        raise DetenteError(path, "expected a mapping with the key 'sides'")
    unknown = [k for k in data if k not in ALLOWED_KEYS]
    if unknown:
        raise DetenteError(path, f"unknown key {unknown[0]!r} (expected: {', '.join(ALLOWED_KEYS)})")
    sides = data.get("sides")
    if not isinstance(sides, dict) or not sides:
        raise DetenteError(path, "'sides' must map each side to a list of speakers")
    mapping: dict[str, str] = {}
    for side, names in sides.items():
        if not isinstance(names, list) or not all(isinstance(n, str) and n.strip() for n in names):
            raise DetenteError(path, f"side {side!r}: expected a list of speaker names")
        for name in names:
            key = " ".join(name.split()).lower()
            if key in mapping and mapping[key] != str(side):
                raise DetenteError(path, f"speaker {name!r} is on two sides: {mapping[key]!r} and {str(side)!r}")
            mapping[key] = str(side)
    return mapping
