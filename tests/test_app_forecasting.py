"""The forecasting app (quick mode, run once) and its classical baselines."""

from __future__ import annotations

import json

import numpy as np
import pytest

from lstmkit.apps import run_app
from lstmkit.apps.forecasting import METHODS
from lstmkit.baselines.forecasting import (
    WarningCounter,
    arima_baseline,
    dominant_period,
    ets_baseline,
    naive_baseline,
    per_channel,
    seasonal_naive_baseline,
)

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("forecasting")
    metrics = run_app("forecasting", out, quick=True, seed=0)
    return out, metrics


# ------------------------------------------------------------------------- app
def test_metrics_json_has_every_method_and_setting(quick_run):
    out, metrics = quick_run
    written = json.loads((out / "metrics.json").read_text())
    assert written == metrics
    assert written["mode"] == "quick" and written["seed"] == 0
    for dataset in ("waveform", "sunspots"):
        part = written[dataset]
        for loop in ("open_loop", "closed_loop"):
            assert set(part[loop]) == set(METHODS)
            for scores in part[loop].values():
                assert np.isfinite(scores["rmse"]) and scores["rmse"] >= 0
                assert np.isfinite(scores["mase"]) and scores["mase"] >= 0
            assert isinstance(part[f"{loop}_comparison"]["lstm_beats_naive"], bool)
        assert "lstm_train" in part["seconds"]
        assert part["model"]["training_options"]["seed"] == 0
    assert set(written["lstm_beats_naive"]) == {
        "waveform_open_loop",
        "waveform_closed_loop",
        "sunspots_open_loop",
        "sunspots_closed_loop",
    }
    assert written["waveform"]["dataset"]["train_sequences"] > 0
    assert written["sunspots"]["dataset"]["test_months"] == 264
    assert written["statsmodels_warnings"]["total"] >= 0


def test_lstm_learned_the_waveforms(quick_run):
    _, metrics = quick_run
    open_loop = metrics["waveform"]["open_loop"]
    assert open_loop["lstm"]["rmse"] < open_loop["naive"]["rmse"]
    assert metrics["lstm_beats_naive"]["waveform_open_loop"] is True


def test_forecast_pngs_are_valid(quick_run):
    out, metrics = quick_run
    names = [n for d in ("waveform", "sunspots") for n in metrics[d]["figures"].values()]
    assert len(names) == 4
    for name in names:
        data = (out / name).read_bytes()
        assert data.startswith(PNG_MAGIC) and len(data) > 5000


def test_saved_models_load_and_predict_what_the_run_scored(quick_run):
    from lstmkit.datasets import load_dataset
    from lstmkit.metrics import rmse
    from lstmkit.tasks import Forecaster, load

    out, metrics = quick_run
    # Waveform: the reloaded model's one-step RMSE on the held-out parts is the run's.
    info = metrics["waveform"]["dataset"]
    model = load(out / "model-waveform")
    assert isinstance(model, Forecaster)
    series = load_dataset("waveform", num_sequences=info["num_sequences"], seed=0).series
    test = [series[i] for i in info["heldout_indices"]]
    cuts = [int(len(s) * info["history_fraction"]) for s in test]
    preds = model.predict(test)
    pred = np.concatenate(
        [p[c - 1 : len(s) - 1] for p, c, s in zip(preds, cuts, test, strict=True)]
    )
    true = np.concatenate([s[c:] for c, s in zip(cuts, test, strict=True)])
    expected = metrics["waveform"]["lstm_all_heldout"]["open_loop"]["rmse"]
    assert rmse(true, pred) == pytest.approx(expected, rel=1e-5)

    # Sunspots: the same for the test window, after the same warm-up.
    info = metrics["sunspots"]["dataset"]
    model = load(out / "model-sunspots")
    y = np.asarray(load_dataset("sunspots").series, dtype=np.float32)
    n, warmup = info["train_months"], info["lstm_warmup_months"]
    context = y[n - warmup :]
    pred = model.predict(context)[warmup - 1 : len(context) - 1, 0]
    expected = metrics["sunspots"]["open_loop"]["lstm"]["rmse"]
    assert rmse(y[n:], pred) == pytest.approx(expected, rel=1e-5)
    assert np.isfinite(model.forecast(context, 5)).all()


def test_run_is_reproducible(quick_run, tmp_path):
    # Same seed: same data, weights and baselines, so the same scores.
    _, metrics = quick_run
    again = run_app("forecasting", tmp_path, quick=True, seed=0)
    for dataset in ("waveform", "sunspots"):
        for loop in ("open_loop", "closed_loop"):
            for m in METHODS:
                assert again[dataset][loop][m]["rmse"] == pytest.approx(
                    metrics[dataset][loop][m]["rmse"], rel=1e-5
                )


# ------------------------------------------------------------------- baselines
def test_naive_exact_values():
    open_loop, closed = naive_baseline([1.0, 2.0, 3.0], [4.0, 5.0, 7.0], 2)
    np.testing.assert_array_equal(open_loop, [3.0, 4.0, 5.0])
    np.testing.assert_array_equal(closed, [3.0, 3.0])
    _, from_origins = naive_baseline([1.0, 2.0, 3.0], [4.0, 5.0, 7.0], 2, origins=[0, 2])
    np.testing.assert_array_equal(from_origins, [[3.0, 3.0], [5.0, 5.0]])


def test_seasonal_naive_exact_values():
    history = [1.0, 2.0, 3.0, 10.0, 20.0, 30.0]
    future = [11.0, 21.0, 31.0, 12.0]
    open_loop, closed = seasonal_naive_baseline(history, future, 5, period=3)
    np.testing.assert_array_equal(open_loop, [10.0, 20.0, 30.0, 11.0])
    np.testing.assert_array_equal(closed, [10.0, 20.0, 30.0, 10.0, 20.0])
    _, from_origins = seasonal_naive_baseline(history, future, 2, period=3, origins=[1])
    np.testing.assert_array_equal(from_origins, [[20.0, 30.0]])
    with pytest.raises(ValueError, match="period"):
        seasonal_naive_baseline([1.0, 2.0], [3.0], 1, period=3)


def test_dominant_period_of_a_sine_and_of_channels():
    t = np.arange(240)
    assert dominant_period(np.sin(2 * np.pi * t / 12)) == 12
    both = np.stack([np.sin(2 * np.pi * t / 30), np.cos(2 * np.pi * t / 30)], axis=1)
    assert dominant_period(both) == 30


@pytest.fixture
def seasonal_series():
    rng = np.random.default_rng(0)
    t = np.arange(130)
    return 5 + np.sin(2 * np.pi * t / 12) + 0.01 * t + 0.1 * rng.standard_normal(len(t))


@pytest.mark.parametrize(
    ("method", "kwargs"),
    [
        (arima_baseline, {"order": (2, 0, 1)}),
        (arima_baseline, {"order": (1, 1, 1)}),
        (ets_baseline, {"period": 12}),
        (ets_baseline, {"period": None}),
    ],
)
def test_statsmodels_baselines_shapes_and_finite(method, kwargs, seasonal_series):
    counter = WarningCounter()
    history, future = seasonal_series[:100], seasonal_series[100:]
    open_loop, closed = method(history, future, 7, warnings_counter=counter, **kwargs)
    assert open_loop.shape == (30,) and closed.shape == (7,)
    assert np.isfinite(open_loop).all() and np.isfinite(closed).all()
    # One step ahead with the true values is better than a week-long closed loop,
    # and both are in the series' range.
    assert np.abs(open_loop - future).mean() < 1.0
    assert np.abs(closed - future[:7]).mean() < 2.0
    _, from_origins = method(history, future, 4, origins=[0, 10], **kwargs)
    assert from_origins.shape == (2, 4)
    np.testing.assert_allclose(from_origins[0], closed[:4], rtol=1e-6)
    assert counter.total >= 0


def test_ets_open_loop_continues_the_fitted_smoothing(seasonal_series):
    # The first open-loop prediction equals the one-step forecast from the history.
    history, future = seasonal_series[:100], seasonal_series[100:]
    open_loop, closed = ets_baseline(history, future, 1, period=12)
    assert open_loop[0] == pytest.approx(closed[0], rel=1e-6)
    open_loop, closed = arima_baseline(history, future, 1)
    assert open_loop[0] == pytest.approx(closed[0], rel=1e-6)


def test_per_channel_shapes():
    history = np.stack([np.arange(20.0), -np.arange(20.0)], axis=1)
    future = np.stack([np.arange(20.0, 25.0), -np.arange(20.0, 25.0)], axis=1)
    open_loop, closed = per_channel(naive_baseline, history, future, 3)
    assert open_loop.shape == (5, 2) and closed.shape == (3, 2)
    np.testing.assert_array_equal(closed[:, 1], [-19.0, -19.0, -19.0])
    _, from_origins = per_channel(naive_baseline, history, future, 3, origins=[0, 1])
    assert from_origins.shape == (2, 3, 2)


def test_baselines_reject_bad_input():
    with pytest.raises(ValueError, match="history"):
        naive_baseline([1.0], [2.0], 1)
    with pytest.raises(ValueError, match="finite"):
        naive_baseline([1.0, np.nan], [2.0], 1)
    with pytest.raises(ValueError, match="origins"):
        naive_baseline([1.0, 2.0], [3.0], 1, origins=[5])
