"""Hold out the end of a series for testing a forecaster."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np

from lstmkit._checks import describe
from lstmkit.datasets.types import SeriesData


def train_test_split_series(
    series: np.ndarray | list | SeriesData, test_size: int | float
) -> tuple[Any, Any]:
    """Split a series in time: everything but the last ``test_size`` steps, and those steps.

    A forecaster must be tested on the future of what it was trained on, so the split
    never shuffles. Both parts are copies: editing them leaves ``series`` as it was.

    Args:
        series: a series of shape (T,) or (T, F) (numpy array, list of numbers or
            pandas object), a list of numpy arrays (each split the same way), or a
            :class:`SeriesData` (its ``time_index`` is split alongside).
        test_size: the number of final steps to hold out, an int in [1, T - 1]; or a
            float in (0, 1), the fraction of the steps to hold out (rounded up, so at
            least one step). Both parts must keep at least one step.

    Returns:
        ``(train, test)`` of the same kind as ``series``: two arrays, two lists of
        arrays, or two :class:`SeriesData`.

    Example:
        >>> import numpy as np
        >>> from lstmkit.datasets import load_dataset, train_test_split_series
        >>> train, test = train_test_split_series(np.arange(10.0), test_size=3)
        >>> train.shape, test
        ((7,), array([7., 8., 9.]))
        >>> air_train, air_test = train_test_split_series(load_dataset("airline"), 24)
        >>> air_train.series.shape, str(air_test.time_index[0])
        ((120,), '1959-01')
    """
    if isinstance(series, SeriesData):
        return _split_series_data(series, test_size)
    if isinstance(series, list | tuple) and series and isinstance(series[0], np.ndarray):
        pairs = [_split_one(s, test_size, f"series[{i}]") for i, s in enumerate(series)]
        return [p[0] for p in pairs], [p[1] for p in pairs]
    return _split_one(series, test_size, "series")


def _split_series_data(data: SeriesData, test_size: Any) -> tuple[SeriesData, SeriesData]:
    """Split every series of ``data`` and its time index at the same step."""
    multi = data.is_multiseries
    values = data.series if multi else [data.series]
    times = data.time_index if multi else [data.time_index]
    if not values:
        raise ValueError("series.series must hold at least one series; received an empty list")
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
    for i, (value, time) in enumerate(zip(values, times, strict=True)):
        head, tail = _split_one(value, test_size, f"series.series[{i}]" if multi else "series")
        parts.append((head, tail, *_cut(time, len(head))))
    # back to the layout that came in: a list per field, or the single array
    fields = (list(p) if multi else p[0] for p in zip(*parts, strict=True))
    head, tail, time_head, time_tail = fields
    return (
        dataclasses.replace(
            data, series=head, time_index=time_head, feature_names=list(data.feature_names)
        ),
        dataclasses.replace(
            data, series=tail, time_index=time_tail, feature_names=list(data.feature_names)
        ),
    )


def _cut(values: np.ndarray, at: int) -> tuple[np.ndarray, np.ndarray]:
    return np.array(values[:at]), np.array(values[at:])


def _split_one(series: Any, test_size: Any, label: str) -> tuple[np.ndarray, np.ndarray]:
    if isinstance(series, str | bytes | dict | set) or series is None:
        raise TypeError(
            f"{label} must be an array of shape (T,) or (T, F); received {describe(series)}"
        )
    try:
        array = np.asarray(series)
    except ValueError:  # numpy refuses ragged nested lists
        raise TypeError(
            f"{label} must be an array of shape (T,) or (T, F); received {describe(series)}, "
            "which is not rectangular"
        ) from None
    if array.dtype.kind not in "iuf":
        raise TypeError(
            f"{label} must hold real numbers (int or float); received {describe(array)}"
        )
    if array.ndim not in (1, 2):
        raise ValueError(
            f"{label} must have shape (T,) or (T, F); received a {array.ndim}-D array "
            f"of shape {array.shape}"
        )
    steps = len(array)
    if steps < 2:
        raise ValueError(
            f"{label} must have at least 2 steps to split into train and test; received {steps}"
        )
    held_out = _steps_to_hold_out(test_size, steps, label)
    return _cut(array, steps - held_out)


def _steps_to_hold_out(test_size: Any, steps: int, label: str) -> int:
    expected = f"an int in [1, {steps - 1}] or a float in (0, 1)"
    if isinstance(test_size, bool) or not isinstance(
        test_size, int | float | np.integer | np.floating
    ):
        raise TypeError(f"test_size must be {expected}; received {describe(test_size)}")
    if isinstance(test_size, int | np.integer):
        if not 1 <= test_size <= steps - 1:
            raise ValueError(
                f"test_size must be {expected} ({label} has {steps} steps and both parts "
                f"need at least one); received {test_size}"
            )
        return int(test_size)
    if not 0.0 < test_size < 1.0:
        raise ValueError(
            f"test_size must be {expected} (a float is a fraction of the steps); "
            f"received {test_size}"
        )
    # round first: 0.3 * 10 is 3.0000000000000004 in floating point, not a reason for 4
    held_out = math.ceil(round(test_size * steps, 9))
    if held_out > steps - 1:
        raise ValueError(
            f"test_size={test_size} holds out all {steps} steps of {label}; "
            "the training part needs at least one"
        )
    return held_out
