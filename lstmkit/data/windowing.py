"""Training pairs for forecasting: shifted sequences, and sliding windows of long series.

The standard LSTM forecasting set-up (MATLAB's "Time Series Forecasting Using Deep
Learning" example) trains sequence to sequence: the input is the series without its
last ``horizon`` steps and the target is the series shifted ``horizon`` steps ahead,
so at every step the network learns to predict the value ``horizon`` steps later.
:func:`make_forecast_pairs` builds those pairs; :func:`sliding_windows` cuts a long
series into many shorter such pairs (or into window → next-values pairs).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from lstmkit._checks import check_choice, check_int
from lstmkit.data.sequences import as_series

__all__ = ["make_forecast_pairs", "sliding_windows"]

WINDOW_TARGETS = ("shifted", "ahead")


def make_forecast_pairs(
    series_list: Any, *, horizon: int = 1
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Sequence-to-sequence training pairs: ``series[:-horizon]`` → ``series[horizon:]``.

    Args:
        series_list: one series ``(T,)`` / ``(T, F)`` or several, in any form
            :func:`as_series` accepts.
        horizon: how many steps ahead each target lies.

    Returns:
        ``(inputs, targets)``: two lists of float32 ``(T_i - horizon, F)`` arrays; the
        target at step t is the series at step ``t + horizon``.

    Example:
        >>> import numpy as np
        >>> from lstmkit.data import make_forecast_pairs
        >>> inputs, targets = make_forecast_pairs(np.arange(5.0), horizon=2)
        >>> inputs[0][:, 0].tolist(), targets[0][:, 0].tolist()
        ([0.0, 1.0, 2.0], [2.0, 3.0, 4.0])
    """
    check_int("horizon", horizon, 1)
    series = as_series(series_list, name="series_list")
    inputs, targets = [], []
    for i, s in enumerate(series):
        if len(s) <= horizon:
            label = "series_list" if len(series) == 1 else f"series_list[{i}]"
            raise ValueError(
                f"{label} has {len(s)} steps; horizon={horizon} needs at least "
                f"{horizon + 1} (one input step plus {horizon} ahead)"
            )
        inputs.append(s[:-horizon])
        targets.append(s[horizon:])
    return inputs, targets


def sliding_windows(
    series: Any,
    window: int,
    horizon: int = 1,
    stride: int = 1,
    *,
    target: str = "shifted",
) -> tuple[np.ndarray, np.ndarray]:
    """Cut long series into fixed-length training windows.

    A window starts at every ``stride``-th step where ``window + horizon`` steps fit
    (windows never cross from one series into the next).

    Args:
        series: one series ``(T,)`` / ``(T, F)`` or several (see :func:`as_series`).
        window: input steps per window.
        horizon: how many steps ahead the targets lie.
        stride: steps between the starts of consecutive windows.
        target: ``"shifted"``: the target is the window shifted ``horizon`` steps ahead
            (sequence to sequence, as :func:`make_forecast_pairs`); ``"ahead"``: the
            target is the ``horizon`` steps that follow the window.

    Returns:
        ``(inputs, targets)``: float32 arrays ``(N, window, F)`` and ``(N, window, F)``
        (shifted) or ``(N, horizon, F)`` (ahead).

    Example:
        >>> import numpy as np
        >>> from lstmkit.data import sliding_windows
        >>> x, y = sliding_windows(np.arange(6.0), window=3, horizon=1, stride=2)
        >>> x[..., 0].tolist(), y[..., 0].tolist()
        ([[0.0, 1.0, 2.0], [2.0, 3.0, 4.0]], [[1.0, 2.0, 3.0], [3.0, 4.0, 5.0]])
    """
    check_int("window", window, 1)
    check_int("horizon", horizon, 1)
    check_int("stride", stride, 1)
    check_choice("target", target, WINDOW_TARGETS)
    all_series = as_series(series, name="series")
    span = window + horizon
    inputs, targets = [], []
    for i, s in enumerate(all_series):
        if len(s) < span:
            label = "series" if len(all_series) == 1 else f"series[{i}]"
            raise ValueError(
                f"window + horizon ({window} + {horizon} = {span} steps) must not exceed the "
                f"length of {label}; received a series of {len(s)} steps"
            )
        # (N, F, span) views, one per start; moved to (N, span, F) and copied below
        views = np.lib.stride_tricks.sliding_window_view(s, span, axis=0)[::stride]
        views = views.transpose(0, 2, 1)
        inputs.append(views[:, :window])
        targets.append(views[:, horizon:] if target == "shifted" else views[:, window:])
    return (
        np.ascontiguousarray(np.concatenate(inputs), dtype=np.float32),
        np.ascontiguousarray(np.concatenate(targets), dtype=np.float32),
    )
