"""Scoring engines beside the local pipeline (:mod:`detente.scoring`).

An engine takes the checked inputs and the scoring options and produces the
same records as local scoring, in the same order, through the same writers.
Each engine's heavy dependency is imported only when that engine is chosen:
``detente --help`` and local scoring never import Ray.

- :mod:`detente.engines.plan`: cutting the statement stream into the chunks local scoring uses.
- :mod:`detente.engines.parts`: per-file outputs and a manifest, for resuming a distributed run.
- :mod:`detente.engines.ray`: ``detente score --engine ray``, on a local Ray instance or a cluster.
"""

from __future__ import annotations

from detente.errors import DetenteError

ENGINES = ("local", "ray")


def ray_engine():
    """The Ray engine module, or a one-line error saying how to install Ray."""
    try:
        import ray  # noqa: F401
    except ModuleNotFoundError:
        raise DetenteError(None, '--engine ray needs Ray: pip install "detente[ray]"') from None
    from detente.engines import ray as engine

    return engine
