"""lstmkit.baselines.radar: the features are what they say, and both classifiers learn."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats
from sklearn.base import clone

from lstmkit.baselines.radar import RCSFeatureClassifier, RCSFeatures, rcs_features
from lstmkit.datasets.radar import simulate_rcs_sweeps


@pytest.fixture(scope="module")
def sweeps():
    # training and test targets from different seeds, as in the app
    return simulate_rcs_sweeps(100, seed=20), simulate_rcs_sweeps(100, seed=21)


def test_feature_columns_are_the_named_statistics():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(5, 64)).cumsum(axis=1)
    F = rcs_features(X, segments=2, level=3)
    assert F.shape == (5, 9 * 3 + 4 + 3 * 4)
    assert np.allclose(F[:, 0], X.mean(axis=1))
    assert np.allclose(F[:, 1], X.std(axis=1))
    assert np.allclose(F[:, 7], stats.skew(X, axis=1))
    assert np.allclose(F[:, 9], X[:, :32].mean(axis=1))  # first segment's mean
    assert np.allclose(F[:, 18], X[:, 32:].mean(axis=1))  # second segment's mean
    centred = X - X.mean(axis=1, keepdims=True)
    lag1 = (centred[:, 1:] * centred[:, :-1]).mean(axis=1) / (centred**2).mean(axis=1)
    assert np.allclose(F[:, 27], lag1, atol=1e-9)


def test_wavelet_features_see_oscillation_scale():
    t = np.arange(128)
    slow = np.sin(2 * np.pi * t / 64)[None]
    fast = np.sin(2 * np.pi * t / 4)[None]
    # the last 3 * (level + 1) columns: (log energy, std, max) per band, coarsest first;
    # the finest detail band (last) holds the fast wave's energy, not the slow one's
    finest_slow = rcs_features(slow)[0, -3]
    finest_fast = rcs_features(fast)[0, -3]
    assert finest_fast > finest_slow + 5  # log energies


def test_inputs_in_every_sequence_form_give_the_same_features():
    X = np.random.default_rng(1).normal(size=(3, 128))
    a = rcs_features(X)
    assert np.array_equal(a, rcs_features(X[:, :, None]))
    assert np.array_equal(a, rcs_features([x[:, None] for x in X]))
    assert np.isfinite(rcs_features(np.zeros((2, 128)))).all()  # constant: no NaN


def test_bad_inputs_are_refused_by_name():
    with pytest.raises(ValueError, match=r"X must have shape \(N, T\)"):
        rcs_features(np.zeros(10))
    with pytest.raises(ValueError, match="equal length"):
        rcs_features([np.zeros(10), np.zeros(12)])
    with pytest.raises(ValueError, match="segments must be an int >= 1"):
        rcs_features(np.zeros((2, 10)), segments=0)
    with pytest.raises(ValueError, match="model must be one of"):
        RCSFeatureClassifier(model="knn").fit(np.zeros((4, 16)), ["a", "b"] * 2)
    fitted = RCSFeatures().fit(np.zeros((2, 32)))
    with pytest.raises(ValueError, match="sequences of 32 steps"):
        fitted.transform(np.zeros((2, 33)))


def test_scikit_learn_estimator_contract():
    clf = RCSFeatureClassifier(model="gbt", segments=3, random_state=4)
    assert clf.get_params()["segments"] == 3
    copy = clone(clf)
    assert copy.get_params() == clf.get_params() and not hasattr(copy, "pipeline_")


@pytest.mark.parametrize("model", ["svm", "gbt"])
def test_both_baselines_learn_cylinder_versus_cone(sweeps, model):
    train, test = sweeps
    clf = RCSFeatureClassifier(model=model, cv=3)
    assert clf.fit(train.X, train.y) is clf
    assert list(clf.classes_) == ["cone", "cylinder"]
    accuracy = clf.score(test.X, test.y)
    assert accuracy > 0.75, accuracy  # chance is 0.5
    if model == "svm":
        assert set(clf.best_params_) == {"C", "gamma"}
    # seeded: the same fit predicts the same labels
    again = RCSFeatureClassifier(model=model, cv=3).fit(train.X, train.y)
    assert np.array_equal(again.predict(test.X), clf.predict(test.X))
