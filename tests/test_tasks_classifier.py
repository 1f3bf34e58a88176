"""SequenceClassifier: learning, labels, probabilities, seeding, sklearn API, errors, I/O."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV

import lstmkit.training.engine as engine
from lstmkit.datasets import load_dataset
from lstmkit.tasks import SequenceClassifier
from lstmkit.training import TrainingOptions


@pytest.fixture(autouse=True)
def _no_plots(monkeypatch):
    # The progress plot is tested with lstmkit.viz; here it only costs time.
    monkeypatch.setattr(engine, "_plot_progress", lambda *a, **k: None)


@pytest.fixture(scope="module")
def vowels():
    return load_dataset("japanese-vowels")


def _options(**kw):
    base = dict(max_epochs=15, batch_size=16, learning_rate=1e-2, seed=0)
    return TrainingOptions(**{**base, **kw})


def _toy(n=40, seed=0):
    """Two classes told apart by the sign of the mean."""
    rng = np.random.default_rng(seed)
    y = np.array(["neg", "pos"] * (n // 2))
    X = [rng.normal(size=(rng.integers(5, 12), 2)) + (1.0 if c == "pos" else -1.0) for c in y]
    return X, y


def test_learns_japanese_vowels_subset(vowels):
    clf = SequenceClassifier(architecture="recurrent", hidden_size=32, training_options=_options(),
                             validation_fraction=0)  # fmt: skip
    assert clf.fit(vowels.X_train[::3], vowels.y_train[::3]) is clf
    assert clf.score(vowels.X_test, vowels.y_test) > 0.8  # chance is 1/9
    assert clf.n_features_in_ == 12
    assert list(clf.classes_) == sorted(set(vowels.y_train))
    predicted = clf.predict(vowels.X_test[:5])
    assert set(predicted) <= set(clf.classes_)
    proba = clf.predict_proba(vowels.X_test[:5])
    assert proba.shape == (5, 9)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-6)
    assert (clf.classes_[proba.argmax(1)] == predicted).all()
    assert not clf.history_.empty


def test_labels_round_trip_strings_and_ints():
    X, y = _toy()
    opts = _options(max_epochs=5)
    clf = SequenceClassifier(hidden_size=8, training_options=opts).fit(X, y)
    assert clf.predict(X).dtype.kind == "U"
    ints = np.where(y == "pos", 7, 3)
    clf = SequenceClassifier(hidden_size=8, training_options=opts).fit(X, ints)
    assert set(clf.predict(X)) <= {3, 7} and clf.classes_.tolist() == [3, 7]
    assert clf.score(X, ints) > 0.9


def test_same_seed_same_model_different_seed_different_weights():
    X, y = _toy()

    def fit(seed):
        return SequenceClassifier(
            hidden_size=8, training_options=_options(max_epochs=3, seed=seed)
        ).fit(X, y)

    a, b, c = fit(1), fit(1), fit(2)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    wa, wc = a.network_.state_dict(), c.network_.state_dict()
    assert any(not torch.equal(wa[k], wc[k]) for k in wa)


def test_sklearn_api_clone_params_and_grid_search():
    clf = SequenceClassifier(hidden_size=8, layer="gru", training_options=_options(max_epochs=4))
    params = clf.get_params()
    assert params["hidden_size"] == 8 and params["layer"] == "gru"
    assert params["training_options"] is clf.training_options
    copy = clone(clf)
    assert copy.get_params()["hidden_size"] == 8 and not hasattr(copy, "network_")
    assert clf.set_params(hidden_size=4) is clf and clf.hidden_size == 4
    X, y = _toy(24)
    search = GridSearchCV(clf, {"hidden_size": [4, 8]}, cv=2).fit(X, y)
    assert search.best_params_["hidden_size"] in (4, 8)
    assert search.predict(X).shape == (24,)


def test_balanced_class_weight_and_validation_data():
    X, y = _toy(30)
    clf = SequenceClassifier(
        hidden_size=8, class_weight="balanced", training_options=_options(max_epochs=3)
    )
    clf.fit(X[:20], y[:20], validation_data=(X[20:], y[20:]))
    assert clf.fit_result_.best_val_loss is not None


def test_bad_input_errors():
    X, y = _toy(20)
    clf = SequenceClassifier(hidden_size=4, training_options=_options(max_epochs=1)).fit(X, y)
    with pytest.raises(ValueError, match="must have 2 features"):
        clf.predict([np.zeros((5, 3))])
    with pytest.raises(ValueError, match="not seen in training"):
        clf.score(X[:2], ["neg", "cat"])
    with pytest.raises(ValueError, match="only one class"):
        SequenceClassifier(hidden_size=4).fit(X, ["a"] * len(X))
    with pytest.raises(ValueError, match="same number of samples"):
        SequenceClassifier(hidden_size=4).fit(X, y[:-1])
    with pytest.raises(ValueError, match="layer must be one of"):
        SequenceClassifier(layer="transformer").fit(X, y)
    with pytest.raises(ValueError, match="class_weight"):
        SequenceClassifier(class_weight="auto").fit(X, y)
    with pytest.raises(ValueError, match="validation_fraction"):
        SequenceClassifier(validation_fraction=1.5).fit(X, y)
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError, match="not fitted"):
        SequenceClassifier().predict(X)


def test_save_load_round_trip(tmp_path):
    pytest.importorskip("lstmkit.io")
    from lstmkit.tasks import load

    X, y = _toy(20)
    clf = SequenceClassifier(hidden_size=8, layer="bilstm", training_options=_options(max_epochs=2))
    clf.fit(X, y)
    folder = clf.save(tmp_path / "model")
    restored = load(folder)
    assert type(restored) is SequenceClassifier
    np.testing.assert_array_equal(restored.predict_proba(X), clf.predict_proba(X))
    assert restored.predict(X).tolist() == clf.predict(X).tolist()
    assert restored.get_params()["training_options"] == clf.training_options
    assert SequenceClassifier.load(folder).hidden_size == 8


def test_fit_resumes_from_a_checkpoint(tmp_path):
    rng = np.random.default_rng(0)
    X = [rng.normal(size=(8, 2)).astype(np.float32) for _ in range(40)]
    y = np.array(["pos" if x[:, 0].sum() > 0 else "neg" for x in X])

    def make(epochs: int, run_dir):
        options = TrainingOptions(max_epochs=epochs, batch_size=10, learning_rate=1e-2, seed=1)
        return SequenceClassifier(hidden_size=8, training_options=options,
                                  validation_fraction=0.0, run_dir=str(run_dir))  # fmt: skip

    straight = make(4, tmp_path / "straight").fit(X, y)
    make(2, tmp_path / "part").fit(X, y)
    resumed = make(4, tmp_path / "part").fit(
        X, y, resume_from=str(tmp_path / "part" / "checkpoints" / "last.ckpt")
    )
    np.testing.assert_allclose(resumed.predict_proba(X), straight.predict_proba(X), atol=1e-5)


def test_sample_weight_weighs_the_score_and_is_refused_by_fit():
    X, y = _toy(20)
    clf = SequenceClassifier(hidden_size=4, training_options=_options(max_epochs=1)).fit(X, y)
    correct = clf.predict(X) == y
    only_first = np.zeros(20)
    only_first[0] = 1.0
    assert clf.score(X, y, sample_weight=only_first) == float(correct[0])
    weights = np.linspace(1, 2, 20)
    expected = np.average(correct, weights=weights)
    assert clf.score(X, y, sample_weight=weights) == pytest.approx(expected)
    with pytest.raises(ValueError, match=r"sample_weight must be None: SequenceClassifier\.fit"):
        SequenceClassifier(hidden_size=4).fit(X, y, sample_weight=np.ones(20))
    assert clf.training_options_ == clf.training_options
