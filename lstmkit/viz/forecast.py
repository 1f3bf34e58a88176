"""The forecast figure: observed history, what happened next, and the forecasts."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from lstmkit.viz._common import check_png_path, check_title, describe, numeric_array
from lstmkit.viz.style import BLUE, GREEN, ORANGE, PURPLE, SKY, YELLOW, new_figure, save_figure

BASELINE_COLOURS = (YELLOW, PURPLE, GREEN, SKY, "#8c564b", "#7f7f7f")


def plot_forecast(
    history: Any,
    truth: Any,
    forecast: Any,
    path: str | os.PathLike[str],
    *,
    time: Any = None,
    title: str | None = "Forecast",
    baselines: Mapping[str, Any] | None = None,
    interval: tuple[Any, Any] | None = None,
    interval_label: str = "Prediction interval",
    forecast_label: str = "LSTM forecast",
    show_history: int | None = None,
) -> Path:
    """Plot a series' history, the true continuation, the forecast and baselines.

    The history is drawn in grey, the truth in black (joined to the last observed
    point), the LSTM forecast in orange and each baseline as a thin dashed line, with a
    vertical line where the forecast starts. When ``truth`` is given the legend shows
    each forecast's RMSE. NaN values leave gaps.

    Args:
        history: the observed series before the forecast, shape (T_h,) (or (T_h, 1)).
        truth: the values that actually followed, shape (H,); None if unknown.
        forecast: the forecast, shape (H,).
        path: the PNG file to write (parent folders are created).
        time: x values for all T_h + H points (numbers or datetimes, increasing); None
            for step numbers 0, 1, ...
        title: the figure title; None or ``""`` for none.
        baselines: name -> forecast of shape (H,), e.g. ``{"seasonal naive": ...}``.
        interval: ``(lower, upper)``, each of shape (H,): a band drawn around the forecast.
        interval_label: the legend entry of the band.
        forecast_label: the legend entry of ``forecast``.
        show_history: draw only the last this many history points (the forecast stays
            readable after a long history); None for all.

    Returns:
        The written PNG file as a ``Path``.

    Example:
        >>> import tempfile
        >>> import numpy as np
        >>> from lstmkit.viz import plot_forecast
        >>> t = np.arange(120)
        >>> series = np.sin(2 * np.pi * t / 24) + 0.01 * t
        >>> png = plot_forecast(series[:96], series[96:], series[96:] + 0.05,
        ...                     tempfile.mkdtemp() + "/forecast.png",
        ...                     baselines={"seasonal naive": series[72:96]})
        >>> png.suffix
        '.png'
    """
    path = check_png_path(path)
    title = check_title(title)
    past = _series("history", history)
    if past.size == 0:
        raise ValueError("history must hold at least one value; received an empty array")
    predicted = _series("forecast", forecast)
    horizon = predicted.size
    if horizon == 0:
        raise ValueError("forecast must hold at least one value; received an empty array")
    actual = None if truth is None else _series("truth", truth, length=horizon)
    if baselines is not None and not isinstance(baselines, Mapping):
        raise TypeError(
            f"baselines must be a dict of name -> forecast or None; received {describe(baselines)}"
        )
    lines = {}
    for name, values in (baselines or {}).items():
        if not isinstance(name, str):
            raise TypeError(f"baselines keys must be str names; received {describe(name)}")
        lines[name] = _series(f"baselines[{name!r}]", values, length=horizon)
    band = None
    if interval is not None:
        if not isinstance(interval, tuple | list) or len(interval) != 2:
            raise TypeError(
                f"interval must be a (lower, upper) pair of arrays; received {describe(interval)}"
            )
        band = (
            _series("interval[0] (lower)", interval[0], length=horizon),
            _series("interval[1] (upper)", interval[1], length=horizon),
        )
    if show_history is not None and (
        isinstance(show_history, bool) or not isinstance(show_history, int) or show_history < 1
    ):
        raise ValueError(f"show_history must be an int >= 1 or None; received {show_history!r}")
    x = _time(time, past.size + horizon)

    start = 0 if show_history is None else max(0, past.size - show_history)
    x_past, x_future = x[start : past.size], x[past.size :]
    figure = new_figure(10.0, 4.6)
    ax = figure.add_subplot()
    ax.grid(True, color="0.92", linewidth=0.8)
    ax.set_axisbelow(True)
    ax.plot(x_past, past[start:], color="0.45", linewidth=1.3, label="History")
    if band is not None:
        ax.fill_between(
            x_future, band[0], band[1], color=ORANGE, alpha=0.18, linewidth=0, label=interval_label
        )
    if actual is not None:
        # Join the truth to the last observed point: it is the same series, continued.
        ax.plot(
            np.concatenate([x[past.size - 1 : past.size], x_future]),
            np.concatenate([past[-1:], actual]),
            color="black",
            linewidth=1.3,
            zorder=3,  # above the forecast, so both stay visible where they agree
            label="Truth",
        )
    for (name, values), colour in zip(lines.items(), _cycle(BASELINE_COLOURS), strict=False):
        ax.plot(
            x_future,
            values,
            color=colour,
            linewidth=1.3,
            linestyle="--",
            label=_with_rmse(name, values, actual),
        )
    ax.plot(
        x_future,
        predicted,
        color=ORANGE,
        linewidth=2.0,
        marker="." if horizon <= 48 else None,
        markersize=5,
        label=_with_rmse(forecast_label, predicted, actual),
    )
    ax.axvline(x_future[0], color=BLUE, linestyle=":", linewidth=1.3)
    ax.annotate(
        "forecast start",
        xy=(x_future[0], 1.0),
        xycoords=("data", "axes fraction"),
        xytext=(3, -3),
        textcoords="offset points",
        ha="left",
        va="top",
        fontsize=8,
        color=BLUE,
    )
    ax.set_xlabel("Time" if time is not None else "Time step")
    ax.set_ylabel("Value")
    ax.legend(loc="best", fontsize=8, framealpha=0.85)
    if title:
        ax.set_title(title, fontsize=13)
    return save_figure(figure, path)


def _series(name: str, values: Any, *, length: int | None = None) -> np.ndarray:
    array = numeric_array(name, values, ndim=(1, 2))
    if array.ndim == 2:
        if array.shape[1] != 1:
            raise ValueError(
                f"{name} must be one series, shape (T,) or (T, 1); received shape "
                f"{array.shape} (plot one feature at a time: {name}[:, k])"
            )
        array = array[:, 0]
    if length is not None and array.size != length:
        raise ValueError(
            f"{name} must have {length} values, one per forecast step (like "
            f"forecast); received {array.size}"
        )
    return array


def _time(time: Any, total: int) -> np.ndarray:
    if time is None:
        return np.arange(total)
    if hasattr(time, "to_numpy"):  # pandas Index / Series
        time = time.to_numpy()
    x = np.asarray(time)
    if x.ndim != 1 or x.size != total:
        raise ValueError(
            f"time must be 1-D with one value per history and forecast step "
            f"({total}); received shape {x.shape}"
        )
    if x.dtype.kind not in "iufM":
        raise TypeError(f"time must hold numbers or datetimes; received dtype {x.dtype}")
    return x


def _cycle(colours: tuple[str, ...]):
    while True:
        yield from colours


def _with_rmse(label: str, values: np.ndarray, truth: np.ndarray | None) -> str:
    if truth is None:
        return label
    keep = np.isfinite(values) & np.isfinite(truth)
    if not keep.any():
        return label
    error = float(np.sqrt(np.mean((values[keep] - truth[keep]) ** 2)))
    return f"{label} (RMSE {error:.3g})"
