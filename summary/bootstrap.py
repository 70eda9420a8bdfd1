"""Bootstrap 95% intervals for the mean tone of many groups at once.

DuckDB hands over, per group, the sum and count of tone in each block of
records (one record per block for small groups). Resampling blocks with
replacement and taking sum/count gives the bootstrap distribution of the mean;
groups with the same number of blocks share one matrix of multinomial weights,
so the whole bootstrap is a few matrix products however many groups there are.
"""

from __future__ import annotations

import numpy as np

from detente.summary import defaults


def bootstrap_intervals(
    gid: np.ndarray, sums: np.ndarray, counts: np.ndarray, n_groups: int,
    resamples: int = defaults.BOOTSTRAP_RESAMPLES, seed: int = defaults.BOOTSTRAP_SEED,
) -> np.ndarray:  # fmt: skip
    """(n_groups, 2) percentile intervals; ``gid``/``sums``/``counts`` are one row per (group, block)."""
    out = np.full((n_groups, 2), np.nan)
    if len(gid) == 0:
        return out
    order = np.argsort(gid, kind="stable")
    gid, sums, counts = gid[order], sums[order], counts[order]
    starts = np.searchsorted(gid, np.arange(n_groups))
    ends = np.searchsorted(gid, np.arange(n_groups), side="right")
    blocks = ends - starts
    rng = np.random.default_rng(seed)
    for k in np.unique(blocks[blocks > 0]):
        groups = np.flatnonzero(blocks == k)
        weights = rng.multinomial(k, np.full(k, 1.0 / k), size=resamples).astype(np.float64).T  # (k, B)
        for lo in range(0, len(groups), defaults.BOOTSTRAP_GROUPS_PER_BATCH):
            batch = groups[lo : lo + defaults.BOOTSTRAP_GROUPS_PER_BATCH]
            index = starts[batch][:, None] + np.arange(k)[None, :]
            means = (sums[index] @ weights) / (counts[index] @ weights)  # (groups, B)
            out[batch] = np.percentile(means, [2.5, 97.5], axis=1).T
    return out
