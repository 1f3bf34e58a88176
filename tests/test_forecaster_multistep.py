"""Forecaster: multi-step horizon, global models with per-series scaling, seasonal modes;
M4's accuracy measures and benchmarks (sMAPE, MASE, OWA, Naive2, Theta)."""

from __future__ import annotations

import json

import numpy as np
import pytest

import lstmkit.training.engine as engine
from lstmkit.baselines.forecast_accuracy import mase, owa, smape
from lstmkit.baselines.forecasting import (
    auto_arima_baseline,
    is_seasonal,
    naive2_baseline,
    seasonal_indices,
    theta_baseline,
)
from lstmkit.data.forecast_targets import ahead_windows, seasonal_naive_base
from lstmkit.tasks import Forecaster, load
from lstmkit.training import TrainingOptions


@pytest.fixture(autouse=True)
def _no_plots(monkeypatch):
    monkeypatch.setattr(engine, "_plot_progress", lambda *a, **k: None)


def _options(epochs=60, **kw):
    return TrainingOptions(
        max_epochs=epochs, learning_rate=1e-2, gradient_threshold=1.0, num_threads=1, **kw
    )


def _seasonal(n=180, seed=0, level=50.0, amplitude=8.0, trend=0.2, period=12):
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    return level + trend * t + amplitude * np.sin(2 * np.pi * t / period) + rng.normal(size=n)


# --------------------------------------------------------------- accuracy measures
def test_smape_mase_owa_match_hand_computations():
    # sMAPE = 200/3 * (|100-90|/190 + |50-50|/100 + |10-20|/30)
    assert smape([100, 50, 10], [90, 50, 20]) == pytest.approx(200 / 3 * (10 / 190 + 1 / 3))
    assert smape([0.0, 1.0], [0.0, 1.0]) == 0.0  # 0/0 counts as perfect
    # MASE: history 1, 3, 2, 6 with period 2 -> in-sample errors |2-1|, |6-3| -> scale 2
    assert mase([7.0, 9.0], [8.0, 6.0], [1.0, 3.0, 2.0, 6.0], period=2) == pytest.approx(1.0)
    assert owa(12.0, 1.5, 16.0, 1.0) == pytest.approx((0.75 + 1.5) / 2)
    with pytest.raises(ValueError, match="actual and forecast must have the same shape"):
        smape([1.0, 2.0], [1.0])
    with pytest.raises(ValueError, match="zero MASE scale"):
        mase([1.0], [2.0], [3.0, 3.0, 3.0])
    with pytest.raises(ValueError, match="history must have more than period=4"):
        mase([1.0], [2.0], [1.0, 2.0, 3.0], period=4)
    with pytest.raises(ValueError, match="smape_naive2 must be > 0"):
        owa(1.0, 1.0, 0.0, 1.0)
    with pytest.raises(TypeError, match="mase_value must be a real number"):
        owa(1.0, "1", 1.0, 1.0)


def test_targets_ahead_and_seasonal_naive_base():
    y = np.arange(1.0, 7.0)[:, None]  # 1..6
    ahead = ahead_windows(y, 3)[..., 0]
    assert ahead[0].tolist() == [2.0, 3.0, 4.0] and np.isnan(ahead[4, 1:]).all()
    base = seasonal_naive_base(y, 3, 2)[..., 0]
    # from step 3 (value 4): y[4] <- y[2] = 3, y[5] <- y[3] = 4, y[6] <- y[2] = 3
    assert base[3].tolist() == [3.0, 4.0, 3.0]
    assert base[0].tolist() == [1.0, 1.0, 1.0]  # less than a season known: naive


# ------------------------------------------------------------------ baselines
def test_naive2_theta_arima_on_tiny_series():
    y = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    assert naive2_baseline(y, [], 3)[1].tolist() == [6.0, 6.0, 6.0]  # yearly: naive
    # Theta on a straight line: SES (last value) plus half the slope per step
    np.testing.assert_allclose(theta_baseline(y, [], 2)[1], [6.5, 7.0], atol=0.05)
    # a multiplicative season is found and reapplied: Naive2 beats naive by far
    t = np.arange(72)
    factors = 1 + 0.3 * np.sin(2 * np.pi * np.arange(12) / 12)
    s = 100 * factors[t % 12]
    assert is_seasonal(s, 12) and not is_seasonal(np.arange(72.0), 12)
    np.testing.assert_allclose(seasonal_indices(s, 12), factors, rtol=1e-6)
    open_loop, closed = naive2_baseline(s[:60], s[60:], 12, period=12)
    np.testing.assert_allclose(closed, s[60:], rtol=1e-6)
    np.testing.assert_allclose(open_loop, s[60:], rtol=1e-6)
    line = np.arange(1.0, 31.0)
    np.testing.assert_allclose(auto_arima_baseline(line, [], 2)[1], [31.0, 32.0], atol=0.5)


# ------------------------------------------------------------------- horizon
def test_horizon_training_gives_direct_multistep_forecasts():
    y = _seasonal(150, trend=0.0)
    model = Forecaster(hidden_size=16, horizon=6, seasonality=12, training_options=_options(60))
    model.fit(y[:138])
    assert model.network_.head.out_features == 6 and model.period_ == 12
    first = model.forecast(y[:138], steps=6)[:, 0]
    longer = model.forecast(y[:138], steps=12)[:, 0]  # two blocks of 6
    np.testing.assert_allclose(longer[:6], first, rtol=1e-5)
    assert model.forecast(y[:138], steps=2).shape == (2, 1)
    naive_mae = np.mean(np.abs(y[138:150] - y[137]))
    assert np.mean(np.abs(longer - y[138:150])) < 0.6 * naive_mae
    one_step = model.predict(y[:138])  # the same history, so the same per-series scale
    assert one_step.shape == (138, 1)
    np.testing.assert_allclose(one_step[-1, 0], first[0], rtol=1e-5)


# --------------------------------------------------------------- global model
def test_global_model_with_per_series_scaling_learns_series_of_any_size():
    sizes = [1.0, 1e3, 1e6]
    series = [k * _seasonal(96, seed=i, trend=0.0) for i, k in enumerate(sizes)]
    errors = {}
    for scaling in ("per-series", "global"):
        model = Forecaster(hidden_size=16, horizon=12, seasonality=12, scaling=scaling,
                           training_options=_options(80))  # fmt: skip
        model.fit([s[:84] for s in series])
        forecasts = model.forecast([s[:84] for s in series], steps=12)
        assert [f.shape for f in forecasts] == [(12, 1)] * 3
        errors[scaling] = [
            mase(s[84:], f[:, 0], s[:84]) for s, f in zip(series, forecasts, strict=True)
        ]
    assert max(errors["per-series"]) < 0.5  # every size well ahead of naive
    # one global normalisation leaves the smallest series at ~1e-6 of the range: lost
    assert errors["global"][0] > 2 * errors["per-series"][0]
    with pytest.raises(ValueError, match="scaling must be one of"):
        Forecaster(scaling="by-series").fit(series[0])


# ------------------------------------------------------------- seasonal modes
def test_seasonal_modes_detect_the_period_and_beat_naive():
    y = _seasonal(168)
    for mode in ("naive-residual", "difference"):
        model = Forecaster(hidden_size=16, horizon=12, seasonal_mode=mode,
                           training_options=_options(60))  # fmt: skip
        model.fit(y[:156])
        assert model.period_ == 12  # "auto" finds the yearly season
        f = model.forecast(y[:156], steps=12)[:, 0]
        assert mase(y[156:], f, y[:156], period=1) < 0.5, mode
    one_step = model.predict(y)  # "difference": nothing to predict before step 12
    assert np.isnan(one_step[:12]).all() and np.isfinite(one_step[12:]).all()
    assert np.isfinite(model.score(y))
    with pytest.raises(ValueError, match="seasonal_mode must be one of"):
        Forecaster(seasonal_mode="residual").fit(y)
    with pytest.raises(ValueError, match="seasonality must be an int >= 1, 'auto' or None"):
        Forecaster(seasonality="monthly").fit(y)


def test_streaming_saving_and_non_streamable_networks(tmp_path):
    y = _seasonal(100, trend=0.0)
    model = Forecaster(hidden_size=8, horizon=3, seasonality=12, scaling="global",
                       seasonal_mode="difference", training_options=_options(5))  # fmt: skip
    model.fit(y)
    expected = model.predict(y)
    streamed = np.stack([model.update_state(v) for v in y])
    np.testing.assert_allclose(streamed, expected, atol=1e-4, equal_nan=True)
    restored = load(model.save(tmp_path / "m"))
    assert restored.period_ == 12 and restored.seasonal_mode == "difference"
    np.testing.assert_array_equal(restored.forecast(y, 5), model.forecast(y, 5))
    # a model saved before multi-step forecasting (no horizon in its params) keeps the
    # one-step, global, raw-target behaviour it was trained with
    config_path = tmp_path / "m" / "config.json"
    config = json.loads(config_path.read_text())
    for key in ("horizon", "scaling", "seasonality", "seasonal_mode"):
        config["params"].pop(key)
    config_path.write_text(json.dumps(config))
    legacy = load(tmp_path / "m")
    assert (legacy.scaling, legacy.seasonal_mode) == ("global", "none")
    model.network_.streamable = False  # e.g. an LSTM-FCN network
    assert model.forecast(y, 4).shape == (4, 1)
    with pytest.raises(ValueError, match="not streamable"):
        model.update_state(1.0)


# ------------------------------------------------------------- defaults learn
def test_defaults_learn_on_a_slice_of_m1_yearly():
    from lstmkit.datasets.forecasting import load_m1_yearly

    series = [np.asarray(s, dtype=np.float64) for s in load_m1_yearly().series[:20]]
    history = [s[:-6] for s in series]
    # the library's defaults, with a small epoch budget to keep the test fast
    model = Forecaster(horizon=6, training_options=_options(30, lr_schedule="cosine"))
    forecasts = model.fit(history).forecast(history, steps=6)
    triples = zip(series, forecasts, history, strict=True)
    ours = np.mean([mase(s[-6:], f[:, 0], h) for s, f, h in triples])
    pairs = zip(series, history, strict=True)
    naive = np.mean([mase(s[-6:], np.full(6, h[-1]), h) for s, h in pairs])
    assert model.period_ == 1
    assert ours < naive
