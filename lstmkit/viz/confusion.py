"""The confusion-matrix figure, with per-class recall and precision like MATLAB's
``confusionchart`` (row and column summaries)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.colors import to_rgb

from lstmkit.viz._common import check_png_path, check_title, describe, numeric_array
from lstmkit.viz.style import BLUE, ORANGE, new_figure, save_figure

NORMALIZE = (None, "true", "pred")
# Beyond this many classes cell texts would be unreadable; the shading still tells.
MAX_TEXT_CLASSES = 30


def plot_confusion_matrix(
    cm: Any,
    labels: Sequence[Any] | None,
    path: str | os.PathLike[str],
    *,
    normalize: str | None = None,
    title: str | None = "Confusion matrix",
) -> Path:
    """Plot a confusion matrix with per-class recall (right) and precision (bottom).

    Rows are true classes, columns predicted classes (scikit-learn's layout, and
    ``classification_metrics(...)["confusion_matrix"]``). Correct cells (the diagonal)
    are shaded blue and errors orange, darker for a larger share of the true class, so
    small classes stay visible next to large ones; empty cells are left blank. The
    right column gives each class's recall (correct / true), the bottom row its
    precision (correct / predicted), and the corner the overall accuracy.

    Args:
        cm: the (K, K) matrix of counts (non-negative).
        labels: the K class names, in the order of the rows; None for 0..K-1.
        path: the PNG file to write (parent folders are created).
        normalize: what the cells show: None (default) the counts; ``"true"`` the share
            of each true class (rows sum to 100 %); ``"pred"`` the share of each
            predicted class (columns sum to 100 %). Normalised cells also show the count.
        title: the figure title; None or ``""`` for none.

    Returns:
        The written PNG file as a ``Path``.

    Example:
        >>> import tempfile
        >>> from lstmkit.viz import plot_confusion_matrix
        >>> cm = [[50, 2, 0], [5, 40, 5], [0, 3, 45]]
        >>> png = plot_confusion_matrix(cm, ["walk", "run", "sit"],
        ...                             tempfile.mkdtemp() + "/confusion.png", normalize="true")
        >>> png.name
        'confusion.png'
    """
    path = check_png_path(path)
    title = check_title(title)
    counts = numeric_array("cm", cm, ndim=2)
    k = counts.shape[0]
    if counts.shape != (k, k) or k == 0:
        raise ValueError(
            f"cm must be a square (K, K) matrix with K >= 1; received shape {counts.shape}"
        )
    if not np.isfinite(counts).all() or (counts < 0).any():
        raise ValueError("cm must hold non-negative finite counts")
    names = _labels(labels, k)
    if normalize not in NORMALIZE:
        raise ValueError(f"normalize must be None, 'true' or 'pred'; received {normalize!r}")

    rows, cols = counts.sum(axis=1), counts.sum(axis=0)
    diagonal = np.diag(counts)
    # Shares of each true class: the shading (and the cells for normalize="true").
    by_true = _share(counts, rows[:, None])
    shown = {None: counts, "true": by_true, "pred": _share(counts, cols[None, :])}[normalize]
    recall = np.divide(diagonal, rows, out=np.full(k, np.nan), where=rows > 0)
    precision = np.divide(diagonal, cols, out=np.full(k, np.nan), where=cols > 0)
    accuracy = diagonal.sum() / counts.sum() if counts.sum() > 0 else np.nan

    cell = float(np.clip(7.0 / max(k, 1), 0.32, 0.9))  # inches per cell
    # Summary strips keep a readable size however many classes there are.
    # With narrow cells the precision percentages are written upright to fit.
    upright = cell < 0.5
    strip_w, strip_h = max(1.3 * cell, 0.8), 0.7 if upright else max(1.3 * cell, 0.45)
    longest = max(len(n) for n in names)
    label_room = min(2.5, 0.08 * longest + 0.4)
    width = max(4.5, k * cell + strip_w + label_room + 1.0)
    height = max(4.0, k * cell + strip_h + label_room + (0.6 if title else 0.2))
    figure = new_figure(width, height)
    grid = figure.add_gridspec(
        2,
        2,
        width_ratios=[k * cell, strip_w],
        height_ratios=[k * cell, strip_h],
        wspace=0.02,
        hspace=0.02,
    )
    main = figure.add_subplot(grid[0, 0])
    right = figure.add_subplot(grid[0, 1], sharey=main)
    bottom = figure.add_subplot(grid[1, 0], sharex=main)
    corner = figure.add_subplot(grid[1, 1])
    font = float(np.clip(13 - 0.35 * k, 6, 11))

    # The square root lifts small shares: a 4 % error rate must not look white.
    shade = np.sqrt(by_true)
    colours = np.where(np.eye(k, dtype=bool)[..., None], _tint(BLUE, shade), _tint(ORANGE, shade))
    main.imshow(colours, aspect="auto", interpolation="nearest")
    if k <= MAX_TEXT_CLASSES:
        for i in range(k):
            for j in range(k):
                if counts[i, j] == 0:
                    continue  # empty cells stay blank, as in MATLAB: less to read
                text = _cell_text(counts[i, j], shown[i, j], normalize)
                colour = "white" if shade[i, j] > 0.7 else "black"
                main.text(j, i, text, ha="center", va="center", fontsize=font, color=colour)
    _summary(right, recall[:, None], font)
    _summary(bottom, precision[None, :], font, rotation=90 if upright else 0)
    _summary(corner, np.array([[accuracy]]), font)

    main.set_yticks(range(k), names)
    main.set_ylabel("True class")
    main.tick_params(labelbottom=False, bottom=False)
    rotate = longest * 0.085 > 0.9 * cell  # ~0.085 inch per character at 10 pt
    bottom.set_xticks(
        range(k),
        names,
        rotation=45 if rotate else 0,
        ha="right" if rotate else "center",
        rotation_mode="anchor",
    )
    bottom.set_xlabel("Predicted class")
    bottom.set_yticks([0], ["Precision"])
    right.tick_params(labelleft=False, left=False, bottom=False, labelbottom=False)
    right.set_title("Recall", fontsize=10)
    corner.set_xticks([])
    corner.set_yticks([])
    corner.set_xlabel("Accuracy", fontsize=9)
    for ax in (main, right, bottom, corner):
        for spine in ax.spines.values():
            spine.set_color("0.7")
    # Thin white grid lines between cells.
    for ax, nx, ny in ((main, k, k), (right, 1, k), (bottom, k, 1)):
        ax.set_xticks(np.arange(nx + 1) - 0.5, minor=True)
        ax.set_yticks(np.arange(ny + 1) - 0.5, minor=True)
        ax.grid(which="minor", color="white", linewidth=1.5)
        ax.tick_params(which="minor", length=0)
    if title:
        figure.suptitle(title, fontsize=13)
    return save_figure(figure, path)


def _labels(labels: Any, k: int) -> list[str]:
    if labels is None:
        return [str(i) for i in range(k)]
    if isinstance(labels, str | bytes) or not hasattr(labels, "__len__"):
        raise TypeError(
            f"labels must be a sequence of {k} class names or None; received {describe(labels)}"
        )
    if len(labels) != k:
        raise ValueError(
            f"labels must name the {k} classes of cm (one per row); received {len(labels)} labels"
        )
    return [str(label) for label in labels]


def _share(counts: np.ndarray, totals: np.ndarray) -> np.ndarray:
    totals = np.broadcast_to(totals, counts.shape)
    return np.divide(counts, totals, out=np.zeros_like(counts), where=totals > 0)


def _tint(colour: str, amount: np.ndarray) -> np.ndarray:
    """White blended towards ``colour`` by ``amount`` in [0, 1]; RGB (..., 3)."""
    base = np.array(to_rgb(colour))
    amount = np.clip(np.nan_to_num(amount), 0, 1)[..., None]
    return 1.0 - amount * (1.0 - base)


def _count_text(count: float) -> str:
    return f"{int(count):d}" if float(count).is_integer() else f"{count:.3g}"


def _cell_text(count: float, value: float, normalize: str | None) -> str:
    if normalize is None:
        return _count_text(count)
    return f"{100 * value:.1f}%\n({_count_text(count)})"


def _summary(ax, values: np.ndarray, font: float, rotation: float = 0) -> None:
    """Cells shaded blue by a rate in [0, 1], with the rate in percent ("–" if undefined)."""
    colours = _tint(BLUE, values)
    colours[np.isnan(values)] = 0.93
    ax.imshow(colours, aspect="auto", interpolation="nearest")
    for (i, j), value in np.ndenumerate(values):
        text = "–" if np.isnan(value) else f"{100 * value:.1f}%"
        dark = not np.isnan(value) and value > 0.55
        ax.text(
            j,
            i,
            text,
            ha="center",
            va="center",
            fontsize=max(7.0, font * 0.9),
            color="white" if dark else "black",
            rotation=rotation,
        )
