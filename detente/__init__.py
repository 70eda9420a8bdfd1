"""detente: stance and tone of statements in news about diplomatic negotiations.

    >>> from detente import StanceClassifier, segment
    >>> clf = StanceClassifier.from_pretrained()          # the bundled default model
    >>> statements = segment(open("article.txt").read())
    >>> clf.predict([s.text for s in statements])

Exports are resolved lazily so that ``import detente`` (and ``detente --help``)
does not pay for importing torch.
"""

from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["LABELS", "StanceClassifier", "Statement", "segment", "iter_statements", "__version__"]

_EXPORTS = {
    "LABELS": "detente.model.labels",
    "StanceClassifier": "detente.model.classifier",
    "Statement": "detente.model.segmenter",
    "segment": "detente.model.segmenter",
    "iter_statements": "detente.model.segmenter",
}


def __getattr__(name: str):
    if name in _EXPORTS:
        import importlib

        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'detente' has no attribute {name!r}")
