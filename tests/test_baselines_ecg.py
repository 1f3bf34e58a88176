"""The RR-irregularity baseline: R peaks, hand-computed RR features, and that it separates."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone

from lstmkit.baselines.ecg_rhythm import (
    RR_FEATURES,
    RRIrregularityClassifier,
    detect_r_peaks,
    rr_feature_matrix,
    rr_features,
)
from lstmkit.datasets.ecg import HELD_OUT_RANGES, simulate_ecg

FS = 300.0


@pytest.fixture(scope="module")
def records():
    train = simulate_ecg(60, 20, duration=20.0, seed=11)
    test = simulate_ecg(60, 20, duration=20.0, ranges=HELD_OUT_RANGES, seed=12)
    return train, test, rr_feature_matrix(train.signals, FS), rr_feature_matrix(test.signals, FS)


def test_r_peaks_are_where_the_simulator_put_them():
    ecg = simulate_ecg(3, 3, duration=20.0, seed=5)
    for signal, true in zip(ecg.signals, ecg.r_times, strict=True):
        found = detect_r_peaks(signal[:, None], FS) / FS  # (T, 1) is accepted too
        interior = true[(true > 0.5) & (true < 19.5)]
        distance = np.abs(found[None, :] - interior[:, None]).min(axis=1)
        assert np.mean(distance < 0.02) > 0.95


def test_rr_features_hand_computed():
    # RR = 1.0, 1.2, 1.0, 1.2, 1.0 s (alternating) at fs = 100
    peaks = np.array([0, 100, 220, 320, 440, 540])
    features = dict(zip(RR_FEATURES, rr_features(peaks, 100), strict=True))
    rr = np.array([1.0, 1.2, 1.0, 1.2, 1.0])
    assert features["mean_rr"] == pytest.approx(rr.mean())
    assert features["cv_rr"] == pytest.approx(rr.std() / rr.mean())
    assert features["nrmssd"] == pytest.approx(0.2 / rr.mean())  # every difference is 0.2 s
    assert features["pnn50"] == pytest.approx(1.0)
    c = rr - rr.mean()
    assert features["rr_autocorrelation"] == pytest.approx((c[1:] * c[:-1]).mean() / c.var())
    assert features["rr_autocorrelation"] < -0.5  # alternation: strongly negative
    # too few beats: a regular rhythm, never AF-like
    few = dict(zip(RR_FEATURES, rr_features([0, 300, 600], FS), strict=True))
    assert few["cv_rr"] == 0 and few["rr_autocorrelation"] == 1


def test_af_records_are_more_irregular(records):
    train, _, features, _ = records
    af, normal = features[train.labels == "A"], features[train.labels == "N"]
    for name in ("cv_rr", "nrmssd", "sample_entropy"):
        k = RR_FEATURES.index(name)
        assert np.median(af[:, k]) > 2 * np.median(normal[:, k]) or name == "sample_entropy"
        assert np.median(af[:, k]) > np.median(normal[:, k]), name


def test_classifier_separates_held_out_patients(records):
    train, test, f_train, f_test = records
    model = RRIrregularityClassifier().fit(None, train.labels, features=f_train)
    assert model.classes_.tolist() == ["A", "N"] and model.n_features_in_ == len(RR_FEATURES)
    predicted = model.predict(None, features=f_test)
    recall_af = np.mean(predicted[test.labels == "A"] == "A")
    recall_n = np.mean(predicted[test.labels == "N"] == "N")
    assert recall_af > 0.8 and recall_n > 0.8
    proba = model.predict_proba(None, features=f_test)
    assert proba.shape == (80, 2) and np.allclose(proba.sum(axis=1), 1)
    # from signals directly: the same as from the precomputed features
    mixed = np.r_[0:10, 60:70]  # ten of each class
    direct = RRIrregularityClassifier().fit(train.signals[mixed], train.labels[mixed])
    np.testing.assert_array_equal(
        direct.predict(test.signals[:5]),
        direct.predict(None, features=f_test[:5]),
    )


def test_estimator_contract_and_errors():
    model = RRIrregularityClassifier(C=0.5)
    assert clone(model).get_params() == {"fs": 300.0, "C": 0.5, "class_weight": "balanced"}
    with pytest.raises(ValueError, match="class_weight"):
        RRIrregularityClassifier(class_weight="auto").fit(None, ["A"], features=np.zeros((1, 7)))
    with pytest.raises(ValueError, match="features must be"):
        RRIrregularityClassifier().fit(None, ["A", "N"], features=np.zeros((2, 3)))
    with pytest.raises(ValueError, match="y must hold one label"):
        RRIrregularityClassifier().fit(None, ["A"], features=np.zeros((2, 7)))
    with pytest.raises(ValueError, match="at least 2 s"):
        detect_r_peaks(np.zeros(100), FS)
    with pytest.raises(ValueError, match="fs"):
        detect_r_peaks(np.zeros(1000), -1.0)
    with pytest.raises(ValueError, match="X must be ECG signals"):
        rr_feature_matrix(5, FS)
