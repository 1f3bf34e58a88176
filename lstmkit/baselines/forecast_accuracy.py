"""Forecast accuracy as the M4 competition measured it: sMAPE, MASE and OWA.

* **sMAPE** (symmetric mean absolute percentage error, in percent):
  ``200 / h * sum(|y - f| / (|y| + |f|))`` over the ``h`` forecast steps.
* **MASE** (mean absolute scaled error): the forecast's mean absolute error divided by
  the in-sample mean absolute error of the seasonal-naive forecast ``y[t - m]`` on the
  history (``m = 1`` for non-seasonal data).
* **OWA** (overall weighted average): ``(sMAPE / sMAPE_naive2 + MASE / MASE_naive2) / 2``,
  each measure first averaged over all series (and origins), then divided by the same
  average for the Naive2 method (:func:`~lstmkit.baselines.forecasting.naive2_baseline`).
  Below 1 beats Naive2.

These live with the baselines (not in :mod:`lstmkit.metrics`) because OWA is defined
relative to one of them; the layering keeps baselines and metrics independent.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from lstmkit._checks import check_int, describe

__all__ = ["mase", "owa", "smape"]


def _vector(name: str, values: Any) -> np.ndarray:
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must hold real numbers; received {describe(values)}") from None
    if array.ndim == 2 and array.shape[1] == 1:
        array = array[:, 0]
    if array.ndim != 1 or array.size == 0:
        raise ValueError(
            f"{name} must be a non-empty univariate series of shape (h,); received shape "
            f"{array.shape}"
        )
    if not np.isfinite(array).all():
        raise ValueError(f"{name} must hold finite numbers; received NaN or inf")
    return array


def _pair(actual: Any, forecast: Any) -> tuple[np.ndarray, np.ndarray]:
    y, f = _vector("actual", actual), _vector("forecast", forecast)
    if y.shape != f.shape:
        raise ValueError(
            f"actual and forecast must have the same shape; received {y.shape} and {f.shape}"
        )
    return y, f


def smape(actual: Any, forecast: Any) -> float:
    """M4's symmetric MAPE in percent: ``200 / h * sum(|y - f| / (|y| + |f|))``.

    A step where both the actual and the forecast are 0 counts as a perfect 0 (the
    ratio would be 0/0).

    Args:
        actual: the true future values, shape (h,).
        forecast: the forecasts, shape (h,).

    Returns:
        sMAPE in [0, 200].

    Example:
        >>> from lstmkit.baselines.forecast_accuracy import smape
        >>> smape([100.0, 200.0], [110.0, 200.0])   # 200/2 * (10/210 + 0)
        4.761904761904762
    """
    y, f = _pair(actual, forecast)
    denominator = np.abs(y) + np.abs(f)
    ratio = np.divide(np.abs(y - f), denominator, out=np.zeros_like(y), where=denominator > 0)
    return float(200.0 * ratio.mean())


def mase(actual: Any, forecast: Any, history: Any, *, period: int = 1) -> float:
    """Mean absolute scaled error, scaled by the history's seasonal-naive error.

    Args:
        actual: the true future values, shape (h,).
        forecast: the forecasts, shape (h,).
        history: the in-sample series the forecast was made from, shape (n,), with
            ``n > period``.
        period: the seasonal period ``m`` of the scaling naive forecast (1: naive).

    Returns:
        ``mean(|y - f|) / mean(|history[t] - history[t - m]|)``.

    Raises:
        ValueError: the history is too short, or its scale is 0 (a constant or exactly
            periodic history), where MASE is undefined.

    Example:
        >>> from lstmkit.baselines.forecast_accuracy import mase
        >>> # in-sample naive errors 1, 2, 1 -> scale 4/3; forecast MAE 1
        >>> mase([5.0, 6.0], [4.0, 7.0], [1.0, 2.0, 4.0, 3.0])
        0.75
    """
    y, f = _pair(actual, forecast)
    hist = _vector("history", history)
    check_int("period", period, 1)
    if len(hist) <= period:
        raise ValueError(
            f"history must have more than period={period} steps to compute the MASE scale; "
            f"received {len(hist)}"
        )
    scale = float(np.mean(np.abs(hist[period:] - hist[:-period])))
    if scale == 0:
        raise ValueError(
            f"history gives a zero MASE scale (its seasonal-naive forecast with period="
            f"{period} is exact in-sample), so MASE is undefined"
        )
    return float(np.mean(np.abs(y - f)) / scale)


def owa(smape_value: float, mase_value: float, smape_naive2: float, mase_naive2: float) -> float:
    """M4's overall weighted average: ``(sMAPE / sMAPE_naive2 + MASE / MASE_naive2) / 2``.

    Pass each measure averaged over all series (and origins) of the set, the method's
    and Naive2's over the same forecasts.

    Args:
        smape_value: the method's mean sMAPE.
        mase_value: the method's mean MASE.
        smape_naive2: Naive2's mean sMAPE (> 0).
        mase_naive2: Naive2's mean MASE (> 0).

    Returns:
        OWA; 1 is Naive2's accuracy, below 1 better.

    Example:
        >>> from lstmkit.baselines.forecast_accuracy import owa
        >>> owa(10.0, 2.0, 20.0, 2.0)   # (0.5 + 1.0) / 2
        0.75
    """
    values = {
        "smape_value": smape_value,
        "mase_value": mase_value,
        "smape_naive2": smape_naive2,
        "mase_naive2": mase_naive2,
    }
    for name, value in values.items():
        if isinstance(value, bool) or not isinstance(value, int | float | np.floating):
            raise TypeError(f"{name} must be a real number; received {describe(value)}")
        if not np.isfinite(value) or value < 0:
            raise ValueError(f"{name} must be a finite number >= 0; received {value!r}")
    for name in ("smape_naive2", "mase_naive2"):
        if values[name] == 0:
            raise ValueError(f"{name} must be > 0 (it divides); received 0")
    return float((smape_value / smape_naive2 + mase_value / mase_naive2) / 2)
