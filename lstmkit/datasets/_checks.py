"""Argument checks for the dataset loaders (private).

They word their errors like :mod:`lstmkit.nn.validation` (name the argument, what was
expected, what was received) but live here so that loading a dataset never imports
torch: ``lstmkit.datasets`` needs only numpy, pandas and the packages that ship the data.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from lstmkit._messages import describe


def check_int(name: str, value: Any, minimum: int) -> None:
    # bool is an int subclass, but True as a sequence count is always a mistake
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise TypeError(f"{name} must be an int >= {minimum}; received {describe(value)}")
    if value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}; received {value}")


def check_float(name: str, value: Any, minimum: float) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise TypeError(f"{name} must be a float >= {minimum}; received {describe(value)}")
    if not np.isfinite(value) or value < minimum:
        raise ValueError(f"{name} must be a finite float >= {minimum}; received {value}")


def check_bool(name: str, value: Any) -> None:
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False; received {describe(value)}")


def check_choice(name: str, value: Any, choices: Iterable[str]) -> None:
    choices = list(choices)
    if not isinstance(value, str) or value not in choices:
        options = ", ".join(repr(c) for c in choices)
        raise ValueError(f"{name} must be one of {options}; received {describe(value)}")
