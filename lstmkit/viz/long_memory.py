"""Figures of the long-time-lag experiments: solved share vs lag, gradient flow, memory.

:func:`plot_solved_vs_lag` shows which models learn as the lag grows;
:func:`plot_gradient_flow` shows why (||dLoss/dx_t|| against t on a log axis: the
simple RNN's gradient from early steps vanishes, the LSTM's does not);
:func:`plot_memory_heatmaps` shows how (an LSTM's forget gate and cell state holding
the marked inputs of one sequence).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from lstmkit.viz._common import check_png_path, check_title, describe, numeric_array
from lstmkit.viz.style import BLUE, GREEN, ORANGE, PURPLE, RED, YELLOW, new_figure, save_figure

#: One colour per model, the same in every figure.
MODEL_COLOURS = {"rnn": ORANGE, "gru": YELLOW, "lstm": BLUE}
MODEL_LABELS = {"rnn": "simple RNN (tanh)", "gru": "GRU", "lstm": "LSTM"}
_FALLBACK = (PURPLE, GREEN, RED)


def _colour(name: str, index: int) -> str:
    return MODEL_COLOURS.get(name, _FALLBACK[index % len(_FALLBACK)])


def _check_mapping(name: str, value: Any) -> None:
    if not isinstance(value, Mapping) or not value:
        raise TypeError(f"{name} must be a non-empty dict; received {describe(value)}")


def plot_solved_vs_lag(
    lags: Sequence[int],
    solved: Mapping[str, Sequence[float]],
    path: str | os.PathLike[str],
    *,
    spread: Mapping[str, Sequence[tuple[float, float]]] | None = None,
    other_tasks: Mapping[str, Mapping[str, float]] | None = None,
    title: str | None = "Share of test sequences solved",
) -> Path:
    """Share solved against the time lag, one line per model (plus bars for other tasks).

    Args:
        lags: the lags (x axis, log scale), e.g. ``[10, 50, 100, 200, 500]``.
        solved: model -> share solved (0-1) at each lag (e.g. the median over seeds).
        path: the PNG to write.
        spread: model -> ``(low, high)`` per lag (e.g. min and max over seeds), drawn
            as error bars; None for none.
        other_tasks: task -> model -> share, drawn as grouped bars in a second panel
            (tasks with one standard lag, like temporal order or a Reber grammar).
        title: figure title; None for none.

    Returns:
        The written PNG as a ``Path``.

    Example:
        >>> import tempfile
        >>> from lstmkit.viz import plot_solved_vs_lag
        >>> png = plot_solved_vs_lag([10, 100], {"rnn": [1.0, 0.1], "lstm": [1.0, 1.0]},
        ...                          tempfile.mkdtemp() + "/solved.png")
        >>> png.name
        'solved.png'
    """
    path = check_png_path(path)
    title = check_title(title)
    x = numeric_array("lags", lags, ndim=1)
    _check_mapping("solved", solved)
    for model, values in solved.items():
        if numeric_array(f"solved[{model!r}]", values, ndim=1).shape != x.shape:
            raise ValueError(
                f"solved[{model!r}] must hold one share per lag ({len(x)}); received "
                f"{describe(values)}"
            )
    if other_tasks is not None:
        _check_mapping("other_tasks", other_tasks)
    figure = new_figure(11.0 if other_tasks else 6.5, 4.2)
    axes = figure.subplots(1, 2 if other_tasks else 1, squeeze=False)[0]
    ax = axes[0]
    for k, (model, values) in enumerate(solved.items()):
        y = np.asarray(values, dtype=float)
        yerr = None
        if spread is not None and model in spread:
            bounds = np.asarray(spread[model], dtype=float).reshape(len(x), 2)
            yerr = np.stack([y - bounds[:, 0], bounds[:, 1] - y]).clip(min=0)
        ax.errorbar(
            x,
            y,
            yerr=yerr,
            marker="o",
            capsize=3,
            color=_colour(model, k),
            label=MODEL_LABELS.get(model, model),
        )
    ax.set_xscale("log")
    ax.set_xticks(x, [str(int(v)) for v in x])
    ax.set_ylim(-0.03, 1.03)
    ax.set_xlabel("Minimal time lag T (adding problem)")
    ax.set_ylabel("Share of test sequences solved")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8, loc="lower left")
    ax.set_title("Adding problem (|error| < 0.04)", fontsize=10, loc="left")
    if other_tasks:
        bar_ax = axes[1]
        tasks = list(other_tasks)
        models = list(dict.fromkeys(m for t in tasks for m in other_tasks[t]))
        width = 0.8 / len(models)
        for k, model in enumerate(models):
            heights = [other_tasks[t].get(model, np.nan) for t in tasks]
            positions = np.arange(len(tasks)) + (k - (len(models) - 1) / 2) * width
            bar_ax.bar(
                positions,
                heights,
                width,
                color=_colour(model, k),
                label=MODEL_LABELS.get(model, model),
            )
        bar_ax.set_xticks(range(len(tasks)), tasks, fontsize=8)
        bar_ax.set_ylim(0, 1.03)
        bar_ax.set_ylabel("Share solved")
        bar_ax.grid(True, axis="y", alpha=0.3)
        bar_ax.set_title("Standard-length tasks", fontsize=10, loc="left")
    if title:
        figure.suptitle(title, fontsize=12)
    return save_figure(figure, path)


def plot_gradient_flow(
    norms: Mapping[str, Mapping[str, Any]],
    path: str | os.PathLike[str],
    *,
    title: str | None = "Gradient flow",
) -> Path:
    """||dLoss/dx_t|| against t on a log axis, one panel per state, one line per model.

    Args:
        norms: model -> state name (e.g. ``"initialisation"``, ``"trained"``) -> a 1-D
            array of gradient norms per time step.
        path: the PNG to write.
        title: figure title; None for none.

    Returns:
        The written PNG as a ``Path``.

    Example:
        >>> import tempfile, numpy as np
        >>> from lstmkit.viz import plot_gradient_flow
        >>> g = {"rnn": {"init": 0.9 ** np.arange(50)[::-1]}, "lstm": {"init": np.ones(50)}}
        >>> plot_gradient_flow(g, tempfile.mkdtemp() + "/grad.png").name
        'grad.png'
    """
    path = check_png_path(path)
    title = check_title(title)
    _check_mapping("norms", norms)
    for model, states in norms.items():
        _check_mapping(f"norms[{model!r}]", states)
    states = list(dict.fromkeys(s for v in norms.values() for s in v))
    figure = new_figure(5.0 * len(states), 4.0)
    axes = figure.subplots(1, len(states), squeeze=False, sharey=True)[0]
    for ax, state in zip(axes, states, strict=True):
        for k, (model, by_state) in enumerate(norms.items()):
            if state not in by_state:
                continue
            values = numeric_array(f"norms[{model!r}][{state!r}]", by_state[state], ndim=1)
            # log axis: exact zeros (an input the loss cannot see) are drawn at the floor
            floor = np.finfo(np.float32).tiny
            ax.plot(
                np.arange(len(values)),
                np.maximum(values, floor),
                color=_colour(model, k),
                label=MODEL_LABELS.get(model, model),
            )
        ax.set_yscale("log")
        ax.set_xlabel("Time step t (loss at the last step)")
        ax.set_title(state.capitalize(), fontsize=10, loc="left")
        ax.grid(True, which="both", alpha=0.25)
    axes[0].set_ylabel("||dLoss / dx_t||")
    axes[0].legend(fontsize=8)
    if title:
        figure.suptitle(title, fontsize=12)
    return save_figure(figure, path)


def plot_memory_heatmaps(
    gates: Mapping[str, Any],
    inputs: Any,
    path: str | os.PathLike[str],
    *,
    marks: Sequence[int] = (),
    title: str | None = "LSTM memory",
) -> Path:
    """The inputs of one sequence above heatmaps of LSTM gates / cell state over time.

    Like :func:`lstmkit.viz.plot_gate_heatmaps`, but with the input sequence drawn on
    top and the steps in ``marks`` (e.g. the adding problem's marked values) drawn as
    dashed lines through every panel, so one sees which units open, hold and release.

    Args:
        gates: key (``"i"``, ``"f"``, ``"g"``, ``"o"``, ``"c"``, ``"h"``) -> (T, H) array
            for one sequence, e.g. ``{k: v[0, 0, 0] for k, v in gates.items()}`` from
            ``LSTM(..., return_gates=True)``.
        inputs: (T, F) inputs of that sequence, drawn as lines.
        path: the PNG to write.
        marks: steps to mark.
        title: figure title; None for none.

    Returns:
        The written PNG as a ``Path``.

    Example:
        >>> import tempfile, numpy as np
        >>> from lstmkit.viz import plot_memory_heatmaps
        >>> rng = np.random.default_rng(0)
        >>> g = {"f": rng.uniform(size=(30, 4)), "c": rng.normal(size=(30, 4))}
        >>> plot_memory_heatmaps(g, rng.normal(size=(30, 2)), tempfile.mkdtemp() + "/m.png",
        ...                      marks=[3, 12]).name
        'm.png'
    """
    from lstmkit.viz.gates import GATE_NAMES, _checked_gates, draw_heatmap

    path = check_png_path(path)
    title = check_title(title)
    arrays = _checked_gates(gates)
    steps = next(iter(arrays.values())).shape[0]
    x = numeric_array("inputs", inputs, ndim=2)
    if len(x) != steps:
        raise ValueError(
            f"inputs must have one row per time step of the gates ({steps}); received "
            f"{describe(inputs)}"
        )
    marks = [int(m) for m in marks]
    for m in marks:
        if not 0 <= m < steps:
            raise ValueError(f"marks must lie in [0, {steps}); received {m}")
    rows = [k for k in GATE_NAMES if k in arrays]
    figure = new_figure(10.0, 1.6 + 2.2 * len(rows) + (0.5 if title else 0))
    axes = figure.subplots(len(rows) + 1, 1, sharex=True, height_ratios=[0.7] + [1.0] * len(rows))
    top = axes[0]
    for j in range(x.shape[1]):
        top.plot(
            np.arange(steps),
            x[:, j],
            lw=0.8,
            color=(BLUE, ORANGE, PURPLE)[j % 3],
            label=("value", "marker", "input 3")[min(j, 2)],
        )
    top.set_ylabel("Input", fontsize=8)
    top.legend(fontsize=7, loc="upper right")
    for ax, key in zip(axes[1:], rows, strict=True):
        draw_heatmap(figure, ax, key, arrays[key].T)
    for ax in axes:
        for m in marks:
            ax.axvline(m, color=RED, ls="--", lw=1.0)
    axes[-1].set_xlabel("Time step (dashed: marked inputs)")
    if title:
        figure.suptitle(title, fontsize=12)
    return save_figure(figure, path)
