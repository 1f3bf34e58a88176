"""Shortening long sequences by averaging: the estimators' ``max_steps`` rule.

Recurrent layers and convolutions both cost time in proportion to the number of steps,
and an LSTM must carry what it learns across all of them; a 1,460-step power-usage
record holds little that a 487-step one of 3-step averages does not. So a per-sequence
estimator (classifier, regressor) whose training sequences are longer than
``max_steps`` at the median averages non-overlapping windows of ``factor`` steps
(piecewise aggregate approximation, Keogh et al. 2001), in ``fit`` and in ``predict``
alike.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from lstmkit._checks import check_int

__all__ = ["average_pool", "pooling_factor"]


def pooling_factor(lengths: Sequence[int], max_steps: int | None) -> int:
    """The window ``average_pool`` uses: 1 (nothing changes) unless the median length
    exceeds ``max_steps``; then the smallest factor that brings it within.

    Args:
        lengths: the training sequences' lengths.
        max_steps: the longest median length kept as it is (>= 2), or None (never pool).

    Returns:
        The factor, an int >= 1.

    Example:
        >>> from lstmkit.data.resampling import pooling_factor
        >>> pooling_factor([1460] * 5, 512), pooling_factor([427, 400], 512)
        (3, 1)
    """
    if max_steps is None:
        return 1
    check_int("max_steps", max_steps, 2)
    median = float(np.median(np.asarray(lengths)))
    return 1 if median <= max_steps else math.ceil(median / max_steps)


def average_pool(seqs: list[np.ndarray], factor: int) -> list[np.ndarray]:
    """Each ``(T, F)`` sequence as ``(ceil(T / factor), F)`` window averages (the last
    window may be shorter); ``factor`` 1 returns the sequences unchanged.

    Args:
        seqs: ``(T_i, F)`` arrays.
        factor: steps per window (>= 1), e.g. from :func:`pooling_factor`.

    Returns:
        The pooled sequences, each of the same dtype.

    Example:
        >>> import numpy as np
        >>> from lstmkit.data.resampling import average_pool
        >>> average_pool([np.arange(7.0).reshape(7, 1)], 3)[0].ravel().tolist()
        [1.0, 4.0, 6.0]
    """
    check_int("factor", factor, 1)
    if factor == 1:
        return seqs
    pooled = []
    for seq in seqs:
        steps = seq.shape[0]
        starts = np.arange(0, steps, factor)
        sums = np.add.reduceat(seq, starts, axis=0)
        counts = np.minimum(factor, steps - starts)[:, None]
        pooled.append((sums / counts).astype(seq.dtype, copy=False))
    return pooled
