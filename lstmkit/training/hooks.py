"""Callbacks that reach every fit from the outside, without changing the estimators.

The estimators (:mod:`lstmkit.tasks`) build their Lightning Trainer deep inside ``fit``
and take no callbacks. A tool that must watch the training of a fit it did not write --
the experiment manager prunes bad trials on the validation loss after every epoch --
wraps the ``fit`` call in :func:`extra_callbacks`; :func:`~lstmkit.training.run_training`,
the one loop of every fit, adds them after its own. A context variable (not a global)
holds them, so fits running at the same time in other threads or tasks never see
each other's callbacks.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator, Sequence
from typing import Any

__all__ = ["current_extra_callbacks", "extra_callbacks"]

_EXTRA: contextvars.ContextVar[tuple[Any, ...]] = contextvars.ContextVar(
    "lstmkit_extra_callbacks", default=()
)


@contextlib.contextmanager
def extra_callbacks(callbacks: Sequence[Any]) -> Iterator[None]:
    """Add Lightning callbacks to every fit that runs inside the ``with`` block.

    Nested blocks add up (the outer block's callbacks come first); leaving a block
    removes exactly the callbacks it added, also when the fit fails.

    Args:
        callbacks: ``lightning.Callback`` objects (a list or tuple).

    Returns:
        A context manager.

    Raises:
        TypeError: ``callbacks`` is not a list or tuple.

    Example:
        >>> from lstmkit.training import current_extra_callbacks, extra_callbacks
        >>> with extra_callbacks(["a"]):
        ...     with extra_callbacks(["b"]):
        ...         inner = current_extra_callbacks()
        >>> inner, current_extra_callbacks()
        (('a', 'b'), ())
    """
    if not isinstance(callbacks, list | tuple):
        raise TypeError(
            f"callbacks must be a list or tuple of Lightning callbacks; "
            f"received {type(callbacks).__name__}"
        )
    token = _EXTRA.set((*_EXTRA.get(), *callbacks))
    try:
        yield
    finally:
        _EXTRA.reset(token)


def current_extra_callbacks() -> tuple[Any, ...]:
    """The callbacks that :func:`extra_callbacks` blocks around this call have added.

    Args:
        None.

    Returns:
        A tuple of callbacks, outermost block first (empty outside any block).

    Example:
        >>> from lstmkit.training import current_extra_callbacks
        >>> current_extra_callbacks()
        ()
    """
    return _EXTRA.get()
