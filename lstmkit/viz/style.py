"""The look every lstmkit figure shares: colours, size and resolution, and the PNG write.

Figures are built with :class:`matplotlib.figure.Figure` and drawn by an explicit
``FigureCanvasAgg``; pyplot is never imported, so lstmkit never changes (or depends on)
the user's global backend, and a figure is freed as soon as it is unreferenced: there
is no pyplot registry to leak figures into when plotting in a loop. Apps that draw
their own figures use :func:`new_figure` and :func:`save_figure` too, so their PNGs
look like the rest.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from lstmkit.viz._common import check_png_path

__all__ = [
    "BLUE",
    "DPI",
    "GREEN",
    "ORANGE",
    "PURPLE",
    "RED",
    "SKY",
    "YELLOW",
    "new_figure",
    "save_figure",
]

DPI = 120
# MATLAB's default line colours, so the figures look familiar to its users.
BLUE, ORANGE, YELLOW, PURPLE, GREEN = "#0072BD", "#D95319", "#EDB120", "#7E2F8E", "#77AC30"
SKY, RED = "#4DBEEE", "#A2142F"


def new_figure(width: float, height: float) -> Figure:
    """A blank figure of ``width`` x ``height`` inches with lstmkit's resolution and layout.

    Args:
        width: inches.
        height: inches.

    Returns:
        A :class:`matplotlib.figure.Figure` with its own Agg canvas (no pyplot).

    Example:
        >>> figure = new_figure(4, 3)
        >>> figure.get_size_inches().tolist(), figure.dpi == DPI
        ([4.0, 3.0], True)
    """
    figure = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)  # attaches itself as figure.canvas
    return figure


def save_figure(figure: Figure, path: str | os.PathLike[str]) -> Path:
    """Write ``figure`` as PNG to ``path`` atomically and release it.

    The PNG goes to a temporary file in the same folder and is moved over ``path`` with
    ``os.replace`` only once complete, so a reader never sees a half-written image and a
    failure leaves any previous file untouched.

    Args:
        figure: a figure from :func:`new_figure`.
        path: the ``.png`` file to write; parent folders are created.

    Returns:
        The written path.

    Example:
        >>> import pathlib, tempfile
        >>> figure = new_figure(4, 3)
        >>> _ = figure.subplots().plot([0, 1, 4], color=BLUE)
        >>> save_figure(figure, pathlib.Path(tempfile.mkdtemp()) / "line.png").name
        'line.png'
    """
    path = check_png_path(path)
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
