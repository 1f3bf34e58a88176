"""The estimators' ``architecture`` and ``augmentation`` options: an LSTM-FCN classifier,
tagger and regressor train, save and load; augmentation is seeded (same seed, same
model) and really changes training; stray or bad options are refused before training."""

from __future__ import annotations

import numpy as np
import pytest

from lstmkit.tasks import SequenceClassifier, SequenceRegressor, SequenceTagger, load
from lstmkit.training import TrainingOptions

FCN = {"filters": (8, 16, 8), "kernel_sizes": (5, 3, 3)}


def _data(n: int = 48):
    rng = np.random.default_rng(0)
    X = [rng.normal(size=(int(rng.integers(8, 20)), 2)).astype(np.float32) for _ in range(n)]
    y = np.arange(n) % 2
    for x, label in zip(X, y, strict=True):
        x[:, 0] += 1.5 * label
    return X, y


def _options(**kw) -> TrainingOptions:
    return TrainingOptions(**{"max_epochs": 8, "learning_rate": 1e-2, "num_threads": 1, **kw})


def test_an_lstm_fcn_classifier_learns_and_round_trips(tmp_path):
    X, y = _data()
    clf = SequenceClassifier(architecture="lstm-fcn", hidden_size=8, fcn_options=FCN,
                             training_options=_options(), validation_fraction=0)  # fmt: skip
    assert clf.fit(X, y) is clf
    assert type(clf.network_).__name__ == "LSTMFCNNetwork"
    assert clf.score(X, y) >= 0.9
    clf.save(tmp_path / "m")
    again = load(tmp_path / "m")
    assert again.architecture == "lstm-fcn"
    assert again.fcn_options == {key: list(value) for key, value in FCN.items()}  # JSON
    assert np.allclose(again.predict_proba(X), clf.predict_proba(X), atol=1e-6)


def test_lstm_fcn_serves_per_step_and_regression_estimators():
    X, _ = _data(24)
    steps = [(x[:, 0] > 0.75).astype(int) for x in X]
    tagger = SequenceTagger(architecture="lstm-fcn", hidden_size=6, fcn_options=FCN,
                            training_options=_options(max_epochs=30),
                            validation_fraction=0)  # fmt: skip
    assert tagger.fit(X, steps).score(X, steps) >= 0.8
    targets = np.array([x[:, 0].mean() for x in X])
    reg = SequenceRegressor(architecture="lstm-fcn", hidden_size=6, fcn_options=FCN,
                            training_options=_options(max_epochs=30),
                            validation_fraction=0)  # fmt: skip
    assert reg.fit(X, targets).score(X, targets) > 0.5  # R^2


def test_augmentation_is_seeded_and_changes_what_is_learned():
    X, y = _data(32)

    def fit(augmentation, seed=0):
        clf = SequenceClassifier(hidden_size=6, augmentation=augmentation,
                                 training_options=_options(max_epochs=3, seed=seed),
                                 validation_fraction=0)  # fmt: skip
        return clf.fit(X, y).predict_proba(X)

    jitter = {"jitter": 0.2, "time_warp": 0.2}
    assert np.array_equal(fit(jitter), fit(jitter))
    assert not np.allclose(fit(jitter), fit(None), atol=1e-4)
    assert not np.allclose(fit(jitter), fit(jitter, seed=1), atol=1e-4)


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"architecture": "cnn"}, "architecture must be one of"),
        (
            {"architecture": "recurrent", "fcn_options": {"filters": (4,)}},
            "fcn_options configures the convolutional branch",
        ),
        ({"augmentation": {"jitter": "lots"}}, r"augmentation\['jitter'\]"),
    ],
)
def test_bad_architecture_options_are_refused_before_training(params, match):
    X, y = _data(8)
    with pytest.raises((ValueError, TypeError), match=match):
        SequenceClassifier(**params).fit(X, y)
    assert not hasattr(SequenceClassifier(**params), "network_")
