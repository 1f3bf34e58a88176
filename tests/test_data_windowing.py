"""Forecasting pairs and sliding windows."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lstmkit.data import make_forecast_pairs, sliding_windows


@pytest.mark.parametrize("horizon", [1, 3])
def test_forecast_pairs_shift_by_horizon(horizon):
    series = [np.arange(10.0), np.arange(100.0, 106.0)]
    inputs, targets = make_forecast_pairs(series, horizon=horizon)
    assert [len(x) for x in inputs] == [10 - horizon, 6 - horizon]
    for x, y, s in zip(inputs, targets, series, strict=True):
        assert x.dtype == y.dtype == np.float32 and x.shape == y.shape
        np.testing.assert_array_equal(x[:, 0], s[:-horizon])
        np.testing.assert_array_equal(y[:, 0], s[horizon:])


def test_forecast_pairs_of_one_multivariate_series():
    series = np.stack([np.arange(6.0), -np.arange(6.0)], axis=1)
    inputs, targets = make_forecast_pairs(series)
    assert len(inputs) == 1 and inputs[0].shape == (5, 2)
    np.testing.assert_array_equal(targets[0][0], [1.0, -1.0])


def test_forecast_pair_errors():
    pattern = r"series_list\[1\] has 3 steps; horizon=3 needs at least 4"
    with pytest.raises(ValueError, match=pattern):
        make_forecast_pairs([np.arange(10.0), np.arange(3.0)], horizon=3)
    with pytest.raises(ValueError, match=r"series_list has 2 steps; horizon=2 needs at least 3"):
        make_forecast_pairs(np.arange(2.0), horizon=2)
    with pytest.raises(ValueError, match=r"horizon must be an int >= 1; received 0"):
        make_forecast_pairs(np.arange(5.0), horizon=0)
    with pytest.raises(ValueError, match=r"series_list\[0\] holds a non-finite value \(nan\)"):
        make_forecast_pairs([np.array([1.0, np.nan, 2.0])])


def test_sliding_windows_shifted_and_ahead():
    series = np.arange(10.0)
    x, y = sliding_windows(series, 4, horizon=2, stride=3)
    assert x.shape == y.shape == (2, 4, 1) and x.dtype == np.float32
    assert x[:, :, 0].tolist() == [[0, 1, 2, 3], [3, 4, 5, 6]]
    assert y[:, :, 0].tolist() == [[2, 3, 4, 5], [5, 6, 7, 8]]
    x, y = sliding_windows(series, 4, horizon=2, stride=3, target="ahead")
    assert y.shape == (2, 2, 1) and y[:, :, 0].tolist() == [[4, 5], [7, 8]]


def test_sliding_windows_never_cross_series():
    x, y = sliding_windows([np.arange(5.0), np.arange(100.0, 104.0)], 3)
    assert x.shape == (3, 3, 1)  # 2 windows from the first series, 1 from the second
    assert x[2, :, 0].tolist() == [100, 101, 102] and y[2, :, 0].tolist() == [101, 102, 103]


@settings(max_examples=50, deadline=None)
@given(st.integers(2, 60), st.integers(1, 10), st.integers(1, 5), st.integers(1, 7))
def test_window_count_and_contents(steps, window, horizon, stride):
    series = np.stack([np.arange(steps), np.arange(steps) * 2], axis=1).astype(float)
    if window + horizon > steps:
        with pytest.raises(ValueError, match=r"window \+ horizon"):
            sliding_windows(series, window, horizon, stride)
        return
    x, y = sliding_windows(series, window, horizon, stride)
    assert len(x) == (steps - window - horizon) // stride + 1
    starts = x[:, 0, 0].astype(int)
    np.testing.assert_array_equal(starts, np.arange(len(x)) * stride)
    np.testing.assert_array_equal(y, x + np.array([horizon, 2 * horizon]))


def test_sliding_window_errors():
    with pytest.raises(ValueError, match=r"window \+ horizon \(8 \+ 3 = 11 steps\) must not exceed "
                       r"the length of series; received a series of 10 steps"):  # fmt: skip
        sliding_windows(np.arange(10.0), 8, horizon=3)
    with pytest.raises(ValueError, match=r"length of series\[1\]; received a series of 3"):
        sliding_windows([np.arange(10.0), np.arange(3.0)], 3)
    with pytest.raises(ValueError, match=r"window must be an int >= 1; received 0"):
        sliding_windows(np.arange(10.0), 0)
    with pytest.raises(ValueError, match=r"stride must be an int >= 1"):
        sliding_windows(np.arange(10.0), 2, stride=0)
    with pytest.raises(ValueError, match=r"target must be one of 'shifted', 'ahead'"):
        sliding_windows(np.arange(10.0), 2, target="next")
