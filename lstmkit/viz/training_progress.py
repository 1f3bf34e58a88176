"""The training-progress figure, laid out like MATLAB's training-progress window."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lstmkit.viz._common import check_png_path, check_title, describe
from lstmkit.viz.style import BLUE, ORANGE, new_figure, save_figure

# Column names that hold the iteration counter, in order of preference.
STEP_COLUMNS = ("step", "iteration")
# How the y axis of a metric is labelled; anything else is shown as its name.
METRIC_LABELS = {"accuracy": "Accuracy", "rmse": "RMSE", "mae": "MAE", "mse": "MSE"}
MAX_EPOCH_LINES = 200


def plot_training_progress(
    history: pd.DataFrame | str | os.PathLike[str],
    path: str | os.PathLike[str],
    *,
    metric_name: str | None = "accuracy",
    smoothing: float | None = None,
    title: str | None = "Training progress",
) -> Path:
    """Plot a training history: the metric (top) and the loss (bottom) per iteration.

    Like MATLAB's training-progress window: each training curve is drawn raw (light) and
    exponentially smoothed (solid), validation values as a dashed line with markers, and
    epoch boundaries as faint vertical lines labelled with the epoch on the top axis.
    Rows may leave values empty (NaN) where they were not logged at that iteration, as
    when validation runs only every N iterations; each curve uses the rows where it has
    a value.

    Args:
        history: a ``pandas.DataFrame`` or the path of a CSV file with columns ``step``
            (or ``iteration``; default: the row number), optional ``epoch`` (epochs
            counted from 0, as Lightning logs them, are shown from 1), ``train_loss``
            and/or ``val_loss``, and ``train_<metric>`` and/or ``val_<metric>``.
        path: the PNG file to write (parent folders are created).
        metric_name: the metric of the top panel, e.g. ``"accuracy"`` or ``"rmse"``; None
            draws the loss alone. Accuracy given as a fraction is shown in percent.
        smoothing: weight of the exponential moving average of the training curves, in
            [0, 1); 0 = no smoothing; None (default) picks one from the number of
            iterations (about a 30th of the run).
        title: the figure title; None or ``""`` for none.

    Returns:
        The written PNG file as a ``Path``.

    Example:
        >>> import tempfile
        >>> import numpy as np, pandas as pd
        >>> from lstmkit.viz import plot_training_progress
        >>> steps = np.arange(1, 61)
        >>> history = pd.DataFrame({
        ...     "step": steps, "epoch": (steps - 1) // 20,
        ...     "train_loss": 2.0 / np.sqrt(steps), "train_accuracy": 1 - 0.9 / np.sqrt(steps),
        ...     "val_loss": np.where(steps % 10 == 0, 2.2 / np.sqrt(steps), np.nan),
        ...     "val_accuracy": np.where(steps % 10 == 0, 1 - 1.0 / np.sqrt(steps), np.nan)})
        >>> png = plot_training_progress(history, tempfile.mkdtemp() + "/progress.png")
        >>> png.read_bytes()[:8]
        b'\\x89PNG\\r\\n\\x1a\\n'
    """
    path = check_png_path(path)
    title = check_title(title)
    frame = _read_history(history)
    if metric_name is not None and (not isinstance(metric_name, str) or not metric_name):
        raise TypeError(
            f"metric_name must be a non-empty str such as 'accuracy' or 'rmse', or None; "
            f"received {describe(metric_name)}"
        )
    if smoothing is not None and (
        isinstance(smoothing, bool)
        or not isinstance(smoothing, int | float)
        or not 0 <= smoothing < 1
    ):
        raise ValueError(f"smoothing must be a float in [0, 1) or None; received {smoothing!r}")

    steps = _steps(frame)
    loss = _pair(frame, "loss")
    if loss is None:
        raise ValueError(
            f"history must have a train_loss or val_loss column; received columns "
            f"{list(frame.columns)}"
        )
    panels = [("loss", loss)]
    if metric_name is not None:
        metric = _pair(frame, metric_name)
        if metric is None:
            raise ValueError(
                f"history must have a train_{metric_name} or val_{metric_name} column for "
                f"metric_name={metric_name!r}; received columns {list(frame.columns)} "
                f"(pass metric_name=None to plot the loss alone)"
            )
        panels.insert(0, (metric_name, metric))
    if not any(np.isfinite(v).any() for v in loss):
        raise ValueError("history must hold at least one logged loss value; all are empty (NaN)")

    figure = new_figure(9.0, 6.4 if len(panels) == 2 else 3.8)
    axes = figure.subplots(len(panels), 1, sharex=True, squeeze=False)[:, 0]
    for ax, (name, (train, val)) in zip(axes, panels, strict=True):
        colour = ORANGE if name == "loss" else BLUE
        label, scale = _axis_label(name, train, val)
        _draw_panel(ax, steps, train * scale, val * scale, colour, smoothing, label)
    axes[-1].set_xlabel("Iteration")
    _draw_epochs(axes, frame, steps)
    if title:
        figure.suptitle(title, fontsize=13)
    return save_figure(figure, path)


def _read_history(history: Any) -> pd.DataFrame:
    if isinstance(history, str | os.PathLike):
        source = Path(history)
        if not source.is_file():
            raise ValueError(
                f"history must be a DataFrame or an existing CSV file; {source} does not exist"
            )
        try:
            frame = pd.read_csv(source)
        except (ValueError, OSError, pd.errors.ParserError) as error:
            raise ValueError(f"history: cannot read {source} as CSV ({error})") from error
    elif isinstance(history, pd.DataFrame):
        frame = history
    else:
        raise TypeError(
            f"history must be a pandas DataFrame or the path of a CSV file; received "
            f"{describe(history)}"
        )
    if frame.empty:
        raise ValueError("history must have at least one row; received an empty table")
    return frame


def _numeric(frame: pd.DataFrame, column: str) -> np.ndarray:
    try:
        return pd.to_numeric(frame[column], errors="raise").to_numpy(dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(
            f"history column {column!r} must hold numbers (empty cells allowed); "
            f"received values such as {frame[column].iloc[0]!r}"
        ) from error


def _steps(frame: pd.DataFrame) -> np.ndarray:
    for column in STEP_COLUMNS:
        if column in frame:
            steps = _numeric(frame, column)
            if not np.isfinite(steps).all():
                raise ValueError(f"history column {column!r} must have a value on every row")
            return steps
    return np.arange(1, len(frame) + 1, dtype=np.float64)


def _pair(frame: pd.DataFrame, name: str) -> tuple[np.ndarray, np.ndarray] | None:
    """The training and validation columns of ``name`` (all-NaN where absent)."""
    columns = (f"train_{name}", f"val_{name}")
    if not any(c in frame for c in columns):
        return None
    empty = np.full(len(frame), np.nan)
    train, val = (_numeric(frame, c) if c in frame else empty for c in columns)
    return train, val


def _axis_label(name: str, train: np.ndarray, val: np.ndarray) -> tuple[str, float]:
    if name == "loss":
        return "Loss", 1.0
    values = np.concatenate([train, val])
    values = values[np.isfinite(values)]
    if name == "accuracy" and values.size and values.min() >= 0 and values.max() <= 1:
        return "Accuracy (%)", 100.0
    return METRIC_LABELS.get(name, name.replace("_", " ").capitalize()), 1.0


def _ema(values: np.ndarray, weight: float) -> np.ndarray:
    # Debiased like TensorBoard's smoothing, so the curve does not start at 0.
    out = np.empty_like(values)
    last, norm = 0.0, 0.0
    for i, value in enumerate(values):
        last = weight * last + (1 - weight) * value
        norm = weight * norm + (1 - weight)
        out[i] = last / norm
    return out


def _draw_panel(ax, steps, train, val, colour, smoothing, label) -> None:
    ax.grid(True, color="0.92", linewidth=0.8)
    ax.set_axisbelow(True)
    ax.set_ylabel(label)
    unit = "%" if label.endswith("(%)") else ""
    drawn = False
    keep = np.isfinite(train)
    if keep.any():
        x, y = _sorted(steps[keep], train[keep])
        weight = smoothing if smoothing is not None else 1 - 2 / (max(1.0, len(y) / 30) + 1)
        if weight > 0 and len(y) > 2:
            smooth = _ema(y, weight)
            ax.plot(x, y, color=colour, alpha=0.3, linewidth=0.8)
            # The legend quotes where the smoothed line ends, as that is what one reads.
            ax.plot(
                x,
                smooth,
                color=colour,
                linewidth=1.8,
                label=f"Training, smoothed (final {_fmt(smooth[-1], unit)})",
            )
        else:
            ax.plot(
                x,
                y,
                color=colour,
                linewidth=1.5,
                marker="." if len(y) < 30 else None,
                label=f"Training (final {_fmt(y[-1], unit)})",
            )
        drawn = True
    keep = np.isfinite(val)
    if keep.any():
        x, y = _sorted(steps[keep], val[keep])
        ax.plot(
            x,
            y,
            color="black",
            linestyle="--",
            linewidth=1.2,
            marker="o" if len(y) <= 60 else None,
            markersize=4,
            label=f"Validation (final {_fmt(y[-1], unit)})",
        )
        drawn = True
    if drawn:
        ax.legend(loc="best", fontsize=8, framealpha=0.85)
    else:
        ax.text(
            0.5,
            0.5,
            "no values logged",
            transform=ax.transAxes,
            ha="center",
            va="center",
            color="0.5",
        )


def _draw_epochs(axes, frame: pd.DataFrame, steps: np.ndarray) -> None:
    """Faint lines between epochs, and the epoch numbers along the top axis."""
    if "epoch" not in frame:
        return
    epochs = _numeric(frame, "epoch")
    keep = np.isfinite(epochs)
    if not keep.any():
        return
    x, e = _sorted(steps[keep], epochs[keep])
    numbers = np.unique(e)
    if len(numbers) < 2 or len(numbers) > MAX_EPOCH_LINES:
        return
    starts = np.array([x[e == n].min() for n in numbers])
    ends = np.array([x[e == n].max() for n in numbers])
    boundaries = (ends[:-1] + starts[1:]) / 2
    for ax in axes:
        ax.grid(False, axis="x")  # the epoch lines take the vertical grid's place
        for b in boundaries:
            ax.axvline(b, color="0.8", linewidth=0.8, zorder=0)
    # Label the middle of each epoch; thin the labels so at most ~12 are shown.
    offset = 1 if numbers.min() == 0 else 0  # Lightning counts epochs from 0
    middles = (
        np.concatenate([[starts[0]], boundaries]) + np.concatenate([boundaries, [ends[-1]]])
    ) / 2
    every = int(np.ceil(len(numbers) / 12))
    top = axes[0].secondary_xaxis("top")
    top.set_xticks(middles[::every], [str(int(n) + offset) for n in numbers[::every]])
    top.tick_params(length=0, labelsize=8, labelcolor="0.4")
    top.set_xlabel("Epoch", fontsize=9, color="0.4")


def _sorted(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    order = np.argsort(x, kind="stable")
    return x[order], y[order]


def _fmt(value: float, unit: str) -> str:
    if unit == "%":
        return f"{value:.1f}%"
    return f"{value:.3g}" if abs(value) < 1000 else f"{value:,.0f}"
