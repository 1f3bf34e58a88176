"""Heatmaps of an LSTM's gate activations and cell state over time, one per gate."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from lstmkit.viz._common import check_png_path, check_title, describe, numeric_array
from lstmkit.viz.style import new_figure, save_figure

# Drawing order, and what each key is. "h" is accepted too: it is often wanted beside c.
GATE_NAMES = {
    "i": "input gate i",
    "f": "forget gate f",
    "g": "cell candidate g",
    "o": "output gate o",
    "c": "cell state c",
    "h": "hidden state h",
}
# Sigmoid gates live in [0, 1] and share one scale; g and h (tanh) in [-1, 1]; the
# cell state is unbounded, so it gets its own scale, symmetric about 0.
GATES_01 = ("i", "f", "o")
SEQUENTIAL_CMAP, DIVERGING_CMAP = "viridis", "RdBu_r"


def draw_heatmap(figure: Any, ax: Any, key: str, data: np.ndarray, bound: float | None = None):
    """Draw one (units, time) panel of gate or state ``key`` on ``ax`` with its colorbar.

    Gates in [0, 1] use a sequential map over [0, 1]; signed values a diverging map
    over [-bound, bound] (None: the panel's own largest magnitude). Returns the colorbar.
    """
    if key in GATES_01:
        cmap, low, high = SEQUENTIAL_CMAP, 0.0, 1.0
    else:
        if bound is None:
            bound = float(np.nanmax(np.abs(data), initial=0)) or 1.0
        cmap, low, high = DIVERGING_CMAP, -bound, bound
    units, steps = data.shape
    image = ax.imshow(
        data,
        aspect="auto",
        interpolation="nearest",
        cmap=cmap,
        vmin=low,
        vmax=high,
        extent=(-0.5, steps - 0.5, units - 0.5, -0.5),
    )
    ax.set_title(GATE_NAMES[key].capitalize(), fontsize=9, loc="left")
    ax.set_ylabel("Unit", fontsize=8)
    return figure.colorbar(image, ax=ax, pad=0.01, fraction=0.04, aspect=12)


MAX_UNIT_TICKS = 12


def plot_gate_heatmaps(
    gates: Mapping[str, Any],
    path: str | os.PathLike[str],
    *,
    units: Sequence[int] | None = None,
    title: str | None = "LSTM gate activations",
) -> Path:
    """Plot one heatmap per gate: time along x, hidden unit along y.

    The sigmoid gates (i, f, o) share the colour scale [0, 1]; the cell candidate g and
    hidden state h share a symmetric scale (at least [-1, 1], their tanh range); the
    cell state c has its own symmetric scale, ±max|c|. So a colour means the same value
    in every panel of a group, and 0 is white in the diverging ones.

    Args:
        gates: key -> array (T, H) for one sequence of one layer and direction, with keys
            among ``"i"``, ``"f"``, ``"g"``, ``"o"``, ``"c"`` (and ``"h"``); any subset.
            From ``lstmkit.nn.LSTM(...)(x, return_gates=True)``, whose gates are
            (num_layers, D, B, T, H), take ``{k: v[layer, direction, b] for k, v in
            gates.items()}``. Tensors are accepted.
        path: the PNG file to write (parent folders are created).
        units: which hidden units (column indices) to show, in this order; None for all.
        title: the figure title; None or ``""`` for none.

    Returns:
        The written PNG file as a ``Path``.

    Example:
        >>> import tempfile, torch
        >>> from lstmkit.nn import LSTM
        >>> from lstmkit.viz import plot_gate_heatmaps
        >>> lstm = LSTM(input_size=2, hidden_size=16)
        >>> _, _, gates = lstm(torch.randn(1, 50, 2), return_gates=True)
        >>> one = {k: v[0, 0, 0] for k, v in gates.items()}  # layer 0, forward, sequence 0
        >>> png = plot_gate_heatmaps(one, tempfile.mkdtemp() + "/gates.png", units=range(8))
        >>> png.name
        'gates.png'
    """
    path = check_png_path(path)
    title = check_title(title)
    arrays = _checked_gates(gates)
    hidden = next(iter(arrays.values())).shape[1]
    chosen = _checked_units(units, hidden)

    symmetric = max(
        [1.0] + [float(np.nanmax(np.abs(arrays[k]), initial=0)) for k in ("g", "h") if k in arrays]
    )
    rows = [k for k in GATE_NAMES if k in arrays]
    panel = float(np.clip(0.03 * len(chosen) + 1.0, 1.3, 2.6))  # inches per heatmap
    figure = new_figure(10.0, panel * len(rows) + (0.9 if title else 0.5))
    axes = figure.subplots(len(rows), 1, sharex=True, squeeze=False)[:, 0]
    for ax, key in zip(axes, rows, strict=True):
        data = arrays[key][:, chosen].T  # (units, time): time runs left to right
        # g and h share one scale so they compare; c gets its own (it grows)
        colorbar = draw_heatmap(figure, ax, key, data, bound=None if key == "c" else symmetric)
        colorbar.ax.tick_params(labelsize=7)
        every = int(np.ceil(len(chosen) / MAX_UNIT_TICKS))
        positions = list(range(0, len(chosen), every))
        ax.set_yticks(positions, [str(chosen[p]) for p in positions], fontsize=7)
        ax.tick_params(axis="x", labelsize=8)
    axes[-1].set_xlabel("Time step")
    if title:
        figure.suptitle(title, fontsize=13)
    return save_figure(figure, path)


def _checked_gates(gates: Any) -> dict[str, np.ndarray]:
    if not isinstance(gates, Mapping) or not gates:
        raise TypeError(
            f"gates must be a non-empty dict of gate name -> array (T, H); received "
            f"{describe(gates)}"
        )
    arrays: dict[str, np.ndarray] = {}
    for key, values in gates.items():
        if key not in GATE_NAMES:
            raise ValueError(f"gates keys must be among {list(GATE_NAMES)}; received key {key!r}")
        array = numeric_array(f"gates[{key!r}]", values, ndim=(1, 2, 3, 4, 5))
        if array.ndim != 2:
            raise ValueError(
                f"gates[{key!r}] must be 2-D (time, units) for one sequence; received shape "
                f"{array.shape} (from LSTM(..., return_gates=True) select one: "
                f"gates[{key!r}][layer, direction, sequence])"
            )
        if 0 in array.shape:
            raise ValueError(f"gates[{key!r}] must not be empty; received shape {array.shape}")
        arrays[key] = array
    shapes = {key: a.shape for key, a in arrays.items()}
    if len(set(shapes.values())) > 1:
        raise ValueError(f"gates must all have the same shape (T, H); received {shapes}")
    return arrays


def _checked_units(units: Any, hidden: int) -> list[int]:
    if units is None:
        return list(range(hidden))
    if isinstance(units, str | bytes) or not hasattr(units, "__iter__"):
        raise TypeError(
            f"units must be a sequence of unit indices or None; received {describe(units)}"
        )
    chosen = list(units)
    if not chosen:
        raise ValueError("units must name at least one unit; received an empty sequence")
    for unit in chosen:
        if isinstance(unit, bool) or not isinstance(unit, int | np.integer):
            raise TypeError(f"units must hold int indices; received {describe(unit)}")
        if not 0 <= unit < hidden:
            raise ValueError(
                f"units must lie in [0, {hidden}) (the gates have {hidden} units); received {unit}"
            )
    return [int(u) for u in chosen]
