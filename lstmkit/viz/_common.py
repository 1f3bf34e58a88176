"""The input checks every figure shares (paths, titles, numeric arrays)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from lstmkit._checks import describe


def check_png_path(path: Any) -> Path:
    if not isinstance(path, str | os.PathLike):
        raise TypeError(f"path must be a str or Path ending in .png; received {describe(path)}")
    result = Path(path)
    if result.suffix.lower() != ".png":
        raise ValueError(f"path must end in .png; received {str(path)!r}")
    if result.is_dir():
        raise ValueError(f"path must be a file path; received {str(path)!r}, which is a folder")
    return result


def check_title(title: Any) -> str:
    if title is not None and not isinstance(title, str):
        raise TypeError(f"title must be a str or None; received {describe(title)}")
    return title or ""


def numeric_array(name: str, values: Any, *, ndim: int | tuple[int, ...]) -> np.ndarray:
    """``values`` as a float64 array of the given number of dimensions (NaN allowed)."""
    if hasattr(values, "detach") and hasattr(values, "cpu"):  # a torch tensor
        values = values.detach().cpu().numpy()
    if isinstance(values, str | bytes):
        raise TypeError(f"{name} must be an array of numbers; received a string")
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise TypeError(
            f"{name} must be an array of numbers; received {describe(values)} ({error})"
        ) from error
    allowed = (ndim,) if isinstance(ndim, int) else ndim
    if array.ndim not in allowed:
        forms = " or ".join(f"{d}-D" for d in allowed)
        raise ValueError(f"{name} must be {forms}; received shape {array.shape}")
    return array
