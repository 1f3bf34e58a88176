"""Checks shared by the data modules (private; the public checks live in sequences.py).

The argument-level checks (``check_int``, ``check_choice``, ...) come from
:mod:`lstmkit._checks`, so every part of lstmkit words its errors alike; this
module adds what data needs on top: descriptions of numpy arrays and the conversion of
one user-given sample into a numeric numpy array.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from lstmkit._checks import describe

# numpy dtype kinds that name non-numeric data, and how to say so in an error
_NON_NUMERIC_KINDS = {
    "b": "booleans",
    "c": "complex numbers",
    "U": "strings",
    "S": "bytes",
    "O": "Python objects (mixed types, None or strings)",
    "M": "datetimes",
    "m": "timedeltas",
    "V": "raw records",
}


def count(value: Any, name: str) -> int:
    """How many samples ``value`` holds (its first dimension), or a TypeError."""
    if isinstance(value, torch.Tensor | np.ndarray):
        if value.ndim == 0:
            raise TypeError(f"{name} must hold one entry per sample; received a single value")
        return int(value.shape[0])
    if isinstance(value, str | bytes) or not hasattr(value, "__len__"):
        raise TypeError(f"{name} must hold one entry per sample; received {describe(value)}")
    return len(value)


def numeric_array(value: Any, label: str) -> np.ndarray:
    """``value`` (array, tensor, nested list) as a numeric (int or float) numpy array.

    ``label`` names the sample in errors, e.g. ``"X[3]"``. No copy is made here.
    """
    if isinstance(value, torch.Tensor):
        if value.is_complex() or value.dtype == torch.bool:
            raise TypeError(f"{label} must hold real numbers; received dtype {value.dtype}")
        value = value.detach().cpu()
        if value.dtype in (torch.float16, torch.bfloat16):
            value = value.float()  # numpy has no bfloat16
        return value.numpy()
    try:
        array = np.asarray(value)
    except (ValueError, TypeError) as error:
        # numpy refuses ragged nested lists ("inhomogeneous shape")
        raise ValueError(
            f"{label} could not be read as a numeric array (are its rows of different "
            f"lengths?); received {describe(value)}: {error}"
        ) from None
    if array.dtype.kind in _NON_NUMERIC_KINDS:
        what = _NON_NUMERIC_KINDS[array.dtype.kind]
        raise TypeError(
            f"{label} must hold real numbers (int or float); received dtype {array.dtype}, "
            f"i.e. {what}"
        )
    return array


def float32_checked(array: np.ndarray, label: str) -> np.ndarray:
    """A float32 copy of a 2-D ``(T, F)`` array, refusing NaN/inf with step and feature."""
    # A copy, always: callers (normalisers, chunking) may then change it freely
    # without touching the user's data.
    with np.errstate(over="ignore"):  # values beyond float32's range are reported below
        out = np.array(array, dtype=np.float32)
    finite = np.isfinite(out)
    if not finite.all():
        step, feature = (int(i) for i in np.argwhere(~finite)[0])
        original = array[step, feature].item()  # a plain Python number prints cleanly
        if np.isfinite(original):
            what, fix = f"value {original!r} too large for float32", "rescale the data first"
        else:
            what, fix = f"non-finite value ({original})", "remove or fill in missing values first"
        raise ValueError(f"{label} holds a {what} at step {step}, feature {feature}; {fix}")
    return out
