"""Forecaster, SequenceRegressor and SequenceTagger: learning, shapes, streaming, I/O."""

from __future__ import annotations

import numpy as np
import pytest

import lstmkit.training.engine as engine
from lstmkit.tasks import Forecaster, SequenceRegressor, SequenceTagger
from lstmkit.training import TrainingOptions


@pytest.fixture(autouse=True)
def _no_plots(monkeypatch):
    monkeypatch.setattr(engine, "_plot_progress", lambda *a, **k: None)


def _sine(n=250, seed=0, phase=0.0):
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    return np.sin(t / 6 + phase) + 0.05 * rng.normal(size=n) + 3.0


def _forecaster(**kw):
    opts = TrainingOptions(max_epochs=80, learning_rate=1e-2, seed=0)
    # global scaling: a history is then scaled like the whole series, so a forecast
    # from s[:200] starts exactly at predict(s)[199], and streaming step by step equals
    # predict (per-series scaling, the default, takes each history's own scale)
    return Forecaster(hidden_size=16, training_options=opts, scaling="global", **kw)


@pytest.fixture(scope="module")
def fitted_forecaster():
    import lstmkit.training.engine as tr

    original, tr._plot_progress = tr._plot_progress, lambda *a, **k: None
    try:
        return _forecaster().fit(_sine())
    finally:
        tr._plot_progress = original


def test_forecaster_beats_naive_and_forecasts_in_original_units(fitted_forecaster):
    model, s = fitted_forecaster, _sine(300, seed=1)
    naive_rmse = np.sqrt(np.mean(np.diff(s) ** 2))
    assert -model.score(s) < 0.7 * naive_rmse
    one_step = model.predict(s)
    assert one_step.shape == (300, 1)
    future = model.forecast(s[:200], steps=12)
    assert future.shape == (12, 1)
    assert 1.5 < future.mean() < 4.5  # original units (the series lives around 3)
    np.testing.assert_allclose(future[0], one_step[199], atol=1e-5)
    assert np.sqrt(np.mean((future[:, 0] - s[200:212]) ** 2)) < 0.5


def test_forecaster_streaming_equals_predict(fitted_forecaster):
    model, s = fitted_forecaster, _sine(60, seed=2)
    expected = model.predict(s)
    model.reset_state()
    streamed = np.stack([model.update_state(v) for v in s])
    np.testing.assert_allclose(streamed, expected, atol=1e-5)
    model.reset_state()
    np.testing.assert_allclose(model.update_state(s[:, None]), expected, atol=1e-5)
    with pytest.raises(ValueError, match="x_t must be one step"):
        model.update_state(np.zeros(3))


def test_forecaster_multiseries_multivariate_and_refuses_bidirectional():
    series = [np.stack([_sine(80, i, i), _sine(80, i + 9, -i)], axis=1) for i in range(3)]
    opts = TrainingOptions(max_epochs=5, learning_rate=1e-2)
    model = Forecaster(hidden_size=8, training_options=opts, validation_fraction=0.34)
    model.fit(series)
    assert model.n_features_in_ == 2 and model.fit_result_.best_val_loss is not None
    out = model.forecast(series, steps=4)
    assert isinstance(out, list) and [o.shape for o in out] == [(4, 2)] * 3
    assert [p.shape for p in model.predict(series)] == [(80, 2)] * 3
    with pytest.raises(ValueError, match="bidirectional"):
        Forecaster(layer="bilstm").fit(series)
    with pytest.raises(ValueError, match="must have 2 features"):
        model.predict(_sine(20))


def _mean_task(n=160, seed=0):
    rng = np.random.default_rng(seed)
    X = [rng.normal(size=(rng.integers(8, 16), 1)) + rng.normal() for _ in range(n)]
    return X, np.array([x.mean() for x in X])


def test_regressor_learns_sequence_means():
    X, y = _mean_task()
    X_test, y_test = _mean_task(60, seed=1)
    opts = TrainingOptions(max_epochs=40, batch_size=16, learning_rate=1e-2)
    model = SequenceRegressor(hidden_size=16, training_options=opts).fit(X, y)
    assert model.predict(X_test).shape == (60,)
    assert model.score(X_test, y_test) > 0.8
    two = np.stack([y, 2 * y], axis=1)
    opts2 = TrainingOptions(max_epochs=2, learning_rate=1e-2)
    assert SequenceRegressor(hidden_size=4, training_options=opts2).fit(X, two).predict(
        X[:3]
    ).shape == (3, 2)


def test_regressor_sequence_to_sequence():
    rng = np.random.default_rng(0)
    X = [rng.normal(size=(rng.integers(10, 20), 1)) for _ in range(80)]
    Y = [np.cumsum(x[:, 0]) / 3 for x in X]  # running sum: needs memory
    opts = TrainingOptions(max_epochs=40, batch_size=16, learning_rate=1e-2)
    model = SequenceRegressor(hidden_size=16, training_options=opts).fit(X, Y)
    predicted = model.predict(X[:5])
    assert [p.shape for p in predicted] == [(len(x),) for x in X[:5]]
    assert model.score(X, Y) > 0.8


def _tagging_task(n=80, seed=0):
    rng = np.random.default_rng(seed)
    X = [rng.normal(size=(rng.integers(10, 20), 1)) for _ in range(n)]
    return X, [np.where(np.cumsum(x[:, 0]) > 0, "pos", "neg") for x in X]


def test_tagger_learns_running_sum_sign():
    X, y = _tagging_task()
    X_test, y_test = _tagging_task(40, seed=1)
    opts = TrainingOptions(max_epochs=30, batch_size=16, learning_rate=1e-2)
    model = SequenceTagger(hidden_size=16, training_options=opts).fit(X, y)
    predicted = model.predict(X_test)
    assert [p.shape for p in predicted] == [(len(x),) for x in X_test]
    assert predicted[0].dtype.kind == "U"
    assert model.score(X_test, y_test) > 0.8  # chance is about 0.5
    proba = model.predict_proba(X_test[:2])
    np.testing.assert_allclose(proba[0].sum(-1), 1.0, atol=1e-6)
    with pytest.raises(ValueError, match="targets but"):
        model.score(X_test[:1], [y_test[0][:-1]])


def test_save_load_round_trips(tmp_path, fitted_forecaster):
    pytest.importorskip("lstmkit.io")
    from lstmkit.tasks import load

    s = _sine(50, seed=3)
    restored = load(fitted_forecaster.save(tmp_path / "forecaster"))
    assert type(restored) is Forecaster
    np.testing.assert_array_equal(restored.predict(s), fitted_forecaster.predict(s))
    np.testing.assert_array_equal(restored.forecast(s, 5), fitted_forecaster.forecast(s, 5))

    opts = TrainingOptions(max_epochs=2)
    X, y = _mean_task(30)
    reg = SequenceRegressor(hidden_size=4, training_options=opts).fit(X, y)
    reg2 = load(reg.save(tmp_path / "reg"))
    np.testing.assert_array_equal(reg2.predict(X), reg.predict(X))
    Y = [np.stack([x[:, 0], -x[:, 0]], 1) for x in X]
    seq = SequenceRegressor(hidden_size=4, training_options=opts).fit(X, Y)
    seq2 = load(seq.save(tmp_path / "seq"))
    for a, b in zip(seq2.predict(X), seq.predict(X), strict=True):
        np.testing.assert_array_equal(a, b)
    X, y = _tagging_task(20)
    tag = SequenceTagger(hidden_size=4, training_options=opts).fit(X, y)
    tag2 = SequenceTagger.load(tag.save(tmp_path / "tag"))
    assert [p.tolist() for p in tag2.predict(X)] == [p.tolist() for p in tag.predict(X)]
    with pytest.raises(ValueError, match="not a SequenceTagger"):
        SequenceTagger.load(tmp_path / "reg")


def test_tagger_score_weighs_sequences_and_fit_refuses_sample_weight():
    X, y = _tagging_task(12)
    opts = TrainingOptions(max_epochs=1)
    tag = SequenceTagger(hidden_size=4, class_weight="balanced", training_options=opts).fit(X, y)
    first = np.mean(tag.predict(X[:1])[0] == y[0])
    assert tag.score(X, y, sample_weight=[1.0] + [0.0] * 11) == pytest.approx(first)
    assert tag.score(X, y, sample_weight=np.ones(12)) == pytest.approx(tag.score(X, y))
    with pytest.raises(ValueError, match="sample_weight must hold one weight per sequence"):
        tag.score(X, y, sample_weight=np.ones(3))
    with pytest.raises(ValueError, match=r"sample_weight must be None: SequenceTagger\.fit"):
        SequenceTagger(hidden_size=4).fit(X, y, sample_weight=np.ones(12))


def test_regressor_score_weighs_sequences_and_fit_refuses_sample_weight():
    from sklearn.metrics import r2_score

    opts = TrainingOptions(max_epochs=1)
    X, y = _mean_task(20)
    reg = SequenceRegressor(hidden_size=4, training_options=opts).fit(X, y)
    weights = np.linspace(0.5, 2.0, 20)
    assert reg.score(X, y, sample_weight=weights) == pytest.approx(
        r2_score(y, reg.predict(X), sample_weight=weights)
    )
    Y = [np.cumsum(x[:, 0]) for x in X]
    seq = SequenceRegressor(hidden_size=4, training_options=opts).fit(X, Y)
    assert seq.score(X, Y, sample_weight=[0.0] * 10 + [1.0] * 10) == pytest.approx(
        seq.score(X[10:], Y[10:]), rel=1e-4
    )
    with pytest.raises(ValueError, match=r"sample_weight must be None: SequenceRegressor\.fit"):
        SequenceRegressor(hidden_size=4).fit(X, y, sample_weight=weights)


def test_forecaster_score_weighs_series_and_fit_refuses_sample_weight(fitted_forecaster):
    a, b = _sine(40, seed=4), _sine(30, seed=5, phase=1.0)
    model = fitted_forecaster
    assert model.score([a, b], sample_weight=[1.0, 0.0]) == pytest.approx(model.score(a))
    assert model.score([a, b], sample_weight=[2.0, 2.0]) == pytest.approx(model.score([a, b]))
    with pytest.raises(ValueError, match=r"sample_weight must be None: Forecaster\.fit"):
        Forecaster(hidden_size=4).fit(a, sample_weight=np.ones(40))
