"""How many CPU threads an app uses: torch's and the BLAS/OpenMP pools', restored after.

The apps' networks and classical fits are small: one thread per process runs them about
as fast as two on an idle machine, and it avoids the many-fold slow-down that spinning
OpenMP threads suffer when another process shares the cores (the boosted trees of the
radar app took 26 s instead of 0.5 s in quick mode). Torch keeps its own pool, apart
from the BLAS libraries that NumPy, SciPy and scikit-learn call, so both are limited.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

__all__ = ["limit_threads"]


@contextlib.contextmanager
def limit_threads(count: int | None) -> Iterator[None]:
    """Run the ``with`` block on ``count`` threads (torch and BLAS/OpenMP), then restore them.

    Args:
        count: the threads to use; ``None`` changes nothing.

    Returns:
        A context manager.

    Example:
        >>> import torch
        >>> before = torch.get_num_threads()
        >>> with limit_threads(1):
        ...     torch.get_num_threads()
        1
        >>> torch.get_num_threads() == before
        True
    """
    if count is None:
        yield
        return
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise ValueError(f"count must be an int >= 1 or None; received {count!r}")
    from threadpoolctl import threadpool_limits

    from lstmkit.training import torch_threads

    with torch_threads(count), threadpool_limits(limits=count):
        yield
