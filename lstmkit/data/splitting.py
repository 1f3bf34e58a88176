"""The seeded hold-out split that estimators and applications share."""

from __future__ import annotations

import numpy as np

from lstmkit._checks import check_int, check_probability


def validation_split(n: int, fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Seeded indices ``(train, validation)`` for holding out part of ``n`` samples.

    The same ``(n, fraction, seed)`` always gives the same split, so an application can
    find the sequences an estimator held out for validation during ``fit``.

    Args:
        n: number of samples.
        fraction: share held out, in [0, 1); 0 (or n < 2) holds out nothing.
        seed: seeds the permutation.

    Returns:
        Two sorted int arrays, the training and the validation indices.

    Example:
        >>> from lstmkit.data import validation_split
        >>> train, val = validation_split(10, 0.2, seed=0)
        >>> len(train), len(val), sorted(set(train) | set(val)) == list(range(10))
        (8, 2, True)
    """
    check_int("n", n, 0)
    check_probability("fraction", fraction)
    check_int("seed", seed, 0)
    if fraction == 0 or n < 2:
        return np.arange(n), np.arange(0)
    n_val = min(n - 1, max(1, round(n * fraction)))
    order = np.random.default_rng(seed).permutation(n)
    return np.sort(order[n_val:]), np.sort(order[:n_val])
