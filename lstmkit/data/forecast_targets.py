"""Multi-step forecasting targets: the next ``h`` values at every step, and their bases.

A forecaster trained sequence to sequence with a horizon ``h`` predicts, at every step
``t`` of a series, the values ``y[t + 1], ..., y[t + h]`` (``h`` outputs per feature).
:func:`ahead_windows` lays those targets out, NaN where they run past the end of the
series (the loss leaves NaN targets out). :func:`seasonal_naive_base` gives, for the
same positions, the seasonal-naive forecast from step ``t``, which a forecaster can
learn the residual over.
"""

from __future__ import annotations

import numpy as np

from lstmkit._checks import check_int, describe

__all__ = ["ahead_windows", "seasonal_naive_base", "seasonal_naive_index"]


def _series_2d(series: np.ndarray) -> np.ndarray:
    if not isinstance(series, np.ndarray) or series.ndim != 2 or len(series) == 0:
        raise ValueError(f"series must be a non-empty (T, F) array; received {describe(series)}")
    return series


def ahead_windows(series: np.ndarray, horizon: int) -> np.ndarray:
    """The next ``horizon`` values after every step: ``out[t, j - 1] = series[t + j]``.

    Args:
        series: one series, a ``(T, F)`` array.
        horizon: h, the number of steps ahead (>= 1).

    Returns:
        A float32 ``(T, h, F)`` array, NaN where ``t + j >= T`` (past the end).

    Example:
        >>> import numpy as np
        >>> from lstmkit.data.forecast_targets import ahead_windows
        >>> ahead_windows(np.arange(4.0)[:, None], 2)[..., 0].tolist()
        [[1.0, 2.0], [2.0, 3.0], [3.0, nan], [nan, nan]]
    """
    s = _series_2d(series)
    check_int("horizon", horizon, 1)
    t, f = s.shape
    padded = np.concatenate([s.astype(np.float32), np.full((horizon, f), np.nan, np.float32)])
    index = np.arange(t)[:, None] + np.arange(1, horizon + 1)[None, :]
    return padded[index]


def seasonal_naive_index(length: int, horizon: int, period: int) -> np.ndarray:
    """Which observed step the seasonal-naive forecast from step ``t`` uses for ``t + j``.

    Step ``t + j - m * ceil(j / m)`` (the same phase in the last season observed by
    ``t``); where that lies before the series starts (fewer than ``m`` steps seen),
    the naive forecast's step ``t``. ``period=1`` is the naive forecast everywhere.

    Args:
        length: T, the number of observed steps.
        horizon: h, steps ahead.
        period: m, the seasonal period (>= 1).

    Returns:
        An int ``(T, h)`` array of indices into the series, each ``<= t``.

    Example:
        >>> from lstmkit.data.forecast_targets import seasonal_naive_index
        >>> seasonal_naive_index(4, 3, 2).tolist()
        [[0, 0, 0], [0, 1, 0], [1, 2, 1], [2, 3, 2]]
    """
    check_int("length", length, 1)
    check_int("horizon", horizon, 1)
    check_int("period", period, 1)
    t = np.arange(length)[:, None]
    j = np.arange(1, horizon + 1)[None, :]
    index = t + j - period * np.ceil(j / period).astype(np.int64)
    return np.where(index >= 0, index, t)


def seasonal_naive_base(series: np.ndarray, horizon: int, period: int) -> np.ndarray:
    """The seasonal-naive forecasts from every step (see :func:`seasonal_naive_index`).

    Args:
        series: one series, a ``(T, F)`` array.
        horizon: h, steps ahead.
        period: m, the seasonal period (1: naive).

    Returns:
        A float32 ``(T, h, F)`` array: ``out[t, j - 1]`` forecasts ``series[t + j]``
        from the values up to step t.

    Example:
        >>> import numpy as np
        >>> from lstmkit.data.forecast_targets import seasonal_naive_base
        >>> seasonal_naive_base(np.array([[1.0], [2.0], [3.0]]), 2, 1)[..., 0].tolist()
        [[1.0, 1.0], [2.0, 2.0], [3.0, 3.0]]
    """
    s = _series_2d(series)
    return s.astype(np.float32)[seasonal_naive_index(len(s), horizon, period)]
