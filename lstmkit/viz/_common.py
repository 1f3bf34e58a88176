"""What every figure shares: path checks, input checks, and the atomic PNG write.

Figures are built with :class:`matplotlib.figure.Figure` and drawn by an explicit
``FigureCanvasAgg``; pyplot is never imported, so lstmkit never changes (or depends on)
the user's global backend, and a figure is freed as soon as it is unreferenced: there
is no pyplot registry to leak figures into when plotting in a loop.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from lstmkit._checks import describe

DPI = 120
# MATLAB's default line colours, so the figures look familiar to its users.
BLUE, ORANGE, YELLOW, PURPLE, GREEN = "#0072BD", "#D95319", "#EDB120", "#7E2F8E", "#77AC30"
SKY, RED = "#4DBEEE", "#A2142F"


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


def new_figure(width: float, height: float) -> Figure:
    figure = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)  # attaches itself as figure.canvas
    return figure


def save_figure(figure: Figure, path: Path) -> Path:
    """Write ``figure`` as PNG to ``path`` atomically and release it.

    The PNG goes to a temporary file in the same folder and is moved over ``path`` with
    ``os.replace`` only once complete, so a reader never sees a half-written image and a
    failure leaves any previous file untouched.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Not tempfile.NamedTemporaryFile: its files are private (0600), and the PNG
        # should get the usual permissions (0666 minus the umask) like any other file.
        staging = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
        try:
            with open(staging, "xb") as handle:
                figure.savefig(handle, format="png", dpi=DPI)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(staging, path)
        except BaseException:
            staging.unlink(missing_ok=True)
            raise
    finally:
        figure.clear()  # drop artists now rather than whenever the GC gets to them
    return path
