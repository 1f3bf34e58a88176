"""Argument checks shared by every part of lstmkit, with one wording (torch-free).

Each check raises ``ValueError`` (a bad value) or ``TypeError`` (a bad type) and names
the argument, what was expected and what was received, so a user never has to read a
stack trace to find the mistake. Layers, data, datasets, training and the estimators all
use these; checks that need torch (tensor shapes, devices) live in
:mod:`lstmkit.nn.validation` on top of them. Torch-free on purpose: ``import
lstmkit.data`` and ``import lstmkit.datasets`` must not load the layer family.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

__all__ = [
    "check_bool",
    "check_choice",
    "check_float",
    "check_int",
    "check_optional_int",
    "check_positive",
    "check_probability",
    "describe",
]


def describe(value: Any) -> str:
    """Arrays and tensors by dtype and shape; anything else by a clipped repr and type.

    Args:
        value: what the caller passed.

    Returns:
        A short phrase such as ``"a float32 array of shape (3, 4)"`` or
        ``"'abc' (str)"``.

    Example:
        >>> describe(np.zeros((2, 3), np.float32)), describe("abc")
        ('a float32 array of shape (2, 3)', "'abc' (str)")
    """
    if isinstance(value, np.ndarray):
        return f"a {value.dtype} array of shape {value.shape}"
    # tensors are recognised by their module, so this file never imports torch
    if type(value).__module__.partition(".")[0] == "torch" and hasattr(value, "shape"):
        return f"a {value.dtype} tensor of shape {tuple(value.shape)}"
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{text} ({type(value).__name__})"


def _is_int(value: Any) -> bool:
    # bool is an int subclass, but True as a count is always a mistake
    return not isinstance(value, bool | np.bool_) and isinstance(value, int | np.integer)


def _is_real(value: Any) -> bool:
    return not isinstance(value, bool | np.bool_) and isinstance(
        value, int | float | np.integer | np.floating
    )


def check_choice(name: str, value: Any, choices: Iterable[Any]) -> None:
    """``value`` must be one of the strings ``choices``.

    Example:
        >>> check_choice("mode", "last", ("sequence", "last"))
        >>> check_choice("mode", "first", ("sequence", "last"))
        Traceback (most recent call last):
        ValueError: mode must be one of 'sequence', 'last'; received 'first' (str)
    """
    choices = list(choices)
    if not isinstance(value, str) or value not in choices:
        options = ", ".join(repr(c) for c in choices)
        raise ValueError(f"{name} must be one of {options}; received {describe(value)}")


def check_int(name: str, value: Any, minimum: int) -> None:
    """``value`` must be an int (Python or numpy, not bool) ``>= minimum``."""
    if not _is_int(value):
        raise TypeError(f"{name} must be an int >= {minimum}; received {describe(value)}")
    if value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}; received {value}")


def check_optional_int(name: str, value: Any, minimum: int) -> None:
    """Like :func:`check_int`, but None is allowed too."""
    if value is None:
        return
    if not _is_int(value) or value < minimum:
        error = TypeError if not _is_int(value) else ValueError
        raise error(f"{name} must be an int >= {minimum} or None; received {describe(value)}")


def check_bool(name: str, value: Any) -> None:
    """``value`` must be True or False (numpy's bool too)."""
    if not isinstance(value, bool | np.bool_):
        raise TypeError(f"{name} must be True or False; received {describe(value)}")


def check_float(name: str, value: Any, minimum: float) -> None:
    """``value`` must be a finite real number ``>= minimum``."""
    if not _is_real(value):
        raise TypeError(f"{name} must be a float >= {minimum}; received {describe(value)}")
    if not math.isfinite(value) or value < minimum:
        raise ValueError(f"{name} must be a finite float >= {minimum}; received {value}")


def check_positive(name: str, value: Any, *, allow_zero: bool = False) -> None:
    """``value`` must be a finite number ``> 0`` (``>= 0`` with ``allow_zero``)."""
    bound = ">= 0" if allow_zero else "> 0"
    if not _is_real(value):
        raise TypeError(f"{name} must be a number {bound}; received {describe(value)}")
    if not math.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        raise ValueError(f"{name} must be a finite number {bound}; received {value}")


def check_probability(name: str, value: Any, *, allow_one: bool = False) -> None:
    """``value`` must be a real number in [0, 1) (or [0, 1] with ``allow_one``)."""
    upper = "1]" if allow_one else "1)"
    if not _is_real(value):
        raise TypeError(f"{name} must be a float in [0, {upper}; received {describe(value)}")
    if not (0.0 <= value <= 1.0) or (value == 1.0 and not allow_one):
        raise ValueError(f"{name} must be a float in [0, {upper}; received {value}")
