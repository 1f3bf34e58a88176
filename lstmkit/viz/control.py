"""Figures for control tasks: a day of pump schedules, and reinforcement-learning curves."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from lstmkit._checks import describe
from lstmkit.viz._common import check_png_path, check_title, numeric_array
from lstmkit.viz.style import BLUE, GREEN, ORANGE, PURPLE, RED, SKY, YELLOW, new_figure, save_figure

__all__ = ["plot_learning_curves", "plot_pump_schedules"]

_COLOURS = (BLUE, ORANGE, GREEN, PURPLE, YELLOW, SKY, RED)


def _check_mapping(name: str, value: Any) -> None:
    if not isinstance(value, Mapping) or not value:
        raise TypeError(
            f"{name} must be a non-empty mapping of name -> data; received {describe(value)}"
        )


def plot_pump_schedules(
    demand: Sequence[float],
    schedules: Mapping[str, Mapping[str, Sequence[float]]],
    path: str | os.PathLike[str],
    *,
    max_level: float,
    title: str | None = "One test day",
) -> Path:
    """Demand, tank level and pumps running, hour by hour, for several controllers.

    Args:
        demand: m³/h for each hour (the same for every controller), length H.
        schedules: controller -> ``{"level": H + 1 levels (m, the first the initial
            one), "pumps": H actions}``.
        path: the PNG to write.
        max_level: the tank's height (m), drawn as a dashed line.
        title: figure title; None for none.

    Returns:
        The written PNG as a ``Path``.

    Example:
        >>> import tempfile
        >>> png = plot_pump_schedules(
        ...     [28, 450], {"rule": {"level": [3, 6.4, 2.6], "pumps": [1, 3]}},
        ...     tempfile.mkdtemp() + "/day.png", max_level=7.0)
        >>> png.name
        'day.png'
    """
    path = check_png_path(path)
    title = check_title(title)
    hours = numeric_array("demand", demand, ndim=1)
    if hours.size == 0:
        raise ValueError("demand must hold at least one hour; received an empty sequence")
    if (
        isinstance(max_level, bool)
        or not isinstance(max_level, int | float)
        or not np.isfinite(max_level)
        or max_level <= 0
    ):
        raise ValueError(f"max_level must be a finite number > 0; received {describe(max_level)}")
    _check_mapping("schedules", schedules)
    for name, schedule in schedules.items():
        if not isinstance(schedule, Mapping) or not {"level", "pumps"} <= set(schedule):
            raise ValueError(
                f"schedules[{name!r}] must map 'level' and 'pumps' to arrays; "
                f"received {describe(schedule)}"
            )
        level = numeric_array(f"schedules[{name!r}]['level']", schedule["level"], ndim=1)
        pumps = numeric_array(f"schedules[{name!r}]['pumps']", schedule["pumps"], ndim=1)
        if level.size != hours.size + 1 or pumps.size != hours.size:
            raise ValueError(
                f"schedules[{name!r}] must hold {hours.size + 1} levels and {hours.size} "
                f"pump counts (one per hour of demand); received {level.size} and {pumps.size}"
            )
        if not (np.isfinite(level).all() and np.isfinite(pumps).all()):
            raise ValueError(f"schedules[{name!r}] must hold finite levels and pump counts")
    steps = np.arange(hours.size)
    figure = new_figure(9.0, 7.0)
    top, middle, bottom = figure.subplots(3, 1, sharex=True)
    top.step(steps, hours, where="post", color="black")
    top.set_ylabel("Demand (m³/h)")
    top.grid(True, alpha=0.3)
    for k, (name, schedule) in enumerate(schedules.items()):
        colour = _COLOURS[k % len(_COLOURS)]
        middle.plot(np.arange(hours.size + 1), schedule["level"], color=colour, label=name)
        offset = (k - (len(schedules) - 1) / 2) * 0.06
        bottom.step(
            steps, np.asarray(schedule["pumps"], float) + offset, where="post", color=colour,
            label=name,
        )  # fmt: skip
    middle.axhline(max_level, color="grey", linestyle="--", linewidth=1)
    middle.axhline(0.0, color="grey", linestyle="--", linewidth=1)
    middle.set_ylabel("Tank level (m)")
    middle.grid(True, alpha=0.3)
    middle.legend(fontsize=8, loc="upper right")
    bottom.set_ylabel("Pumps running")
    bottom.set_xlabel("Hour")
    bottom.set_yticks(range(int(max(max(s["pumps"]) for s in schedules.values())) + 1))
    bottom.grid(True, alpha=0.3)
    if title:
        figure.suptitle(title, fontsize=12)
    return save_figure(figure, path)


def plot_learning_curves(
    curves: Mapping[str, Sequence[Sequence[float]]],
    path: str | os.PathLike[str],
    *,
    references: Mapping[str, float] | None = None,
    ylabel: str = "Return per day",
    title: str | None = "Learning curves",
    window: int = 50,
) -> Path:
    """Training episodes' returns against environment steps, one line per agent.

    Args:
        curves: agent -> ``[[step, value], ...]`` (one point per training episode);
            drawn as a moving average over ``window`` episodes.
        path: the PNG to write.
        references: name -> value drawn as a horizontal line (e.g. the optimum).
        ylabel: the y axis label.
        title: figure title; None for none.
        window: episodes per moving average (int >= 1).

    Returns:
        The written PNG as a ``Path``.

    Example:
        >>> import tempfile
        >>> png = plot_learning_curves({"lstm": [[96, -80.0], [192, -40.0]]},
        ...                            tempfile.mkdtemp() + "/curves.png",
        ...                            references={"optimum": -25.1})
        >>> png.name
        'curves.png'
    """
    path = check_png_path(path)
    title = check_title(title)
    _check_mapping("curves", curves)
    if isinstance(window, bool) or not isinstance(window, int) or window < 1:
        raise ValueError(f"window must be an int >= 1; received {describe(window)}")
    figure = new_figure(7.0, 4.2)
    ax = figure.subplots()
    for k, (name, points) in enumerate(curves.items()):
        data = numeric_array(f"curves[{name!r}]", points, ndim=(1, 2))
        if data.ndim != 2 or data.shape[0] == 0 or data.shape[1] != 2:
            raise ValueError(
                f"curves[{name!r}] must be a non-empty list of [step, value] pairs; "
                f"received {describe(points)}"
            )
        width = min(window, len(data))
        smooth = np.convolve(data[:, 1], np.ones(width) / width, mode="valid")
        ax.plot(data[width - 1 :, 0], smooth, color=_COLOURS[k % len(_COLOURS)], label=name)
    for k, (name, value) in enumerate((references or {}).items()):
        if isinstance(value, bool) or not isinstance(value, int | float | np.number):
            raise TypeError(f"references[{name!r}] must be a number; received {describe(value)}")
        ax.axhline(float(value), color="grey", linestyle=("--", ":", "-.")[k % 3], label=name)
    ax.set_xlabel("Environment steps")
    ax.set_ylabel(ylabel)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    if title:
        ax.set_title(title, fontsize=11)
    return save_figure(figure, path)
