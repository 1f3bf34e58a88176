"""Instantaneous frequency and spectral entropy: hand-computed values and known signals."""

from __future__ import annotations

import numpy as np
import pytest

from lstmkit.signal import (
    instantaneous_frequency,
    spectral_entropy,
    spectrogram_power,
    time_frequency_features,
)

FS = 300.0
T = np.arange(9000) / FS


def test_hand_computed_moment_and_entropy():
    f = np.array([0.0, 1.0, 2.0, 3.0])
    P = np.array([[1.0, 0.0], [1.0, 2.0], [1.0, 0.0], [1.0, 2.0]])  # two windows
    np.testing.assert_allclose(instantaneous_frequency(f, P), [1.5, 2.0])
    # window 0 flat over 4 bins: entropy 1; window 1 half/half over 2 of 4: ln2 / ln4
    np.testing.assert_allclose(spectral_entropy(P), [1.0, 0.5])
    # no power at all: the centre frequency, and entropy 1
    np.testing.assert_allclose(instantaneous_frequency(f, np.zeros((4, 1))), [1.5])
    np.testing.assert_allclose(spectral_entropy(np.zeros((4, 1))), [1.0])


def test_a_sinusoid_has_its_frequency_and_low_entropy():
    features = time_frequency_features(np.sin(2 * np.pi * 25.0 * T), FS)
    assert features.shape == (254, 2) and features.dtype == np.float32  # as MATLAB's ~255
    np.testing.assert_allclose(features[:, 0], 25.0, atol=0.5)
    assert features[:, 1].max() < 0.3


def test_white_noise_is_flat_and_centred():
    noise = np.random.default_rng(0).normal(size=(4, 9000))
    features = time_frequency_features(noise, FS)
    assert features.shape == (4, 254, 2)
    assert abs(features[..., 0].mean() - FS / 4) < 3  # the middle of 0..fs/2
    # A periodogram bin of white noise is exponentially distributed around the flat
    # spectrum, which puts the expected normalised entropy at 1 - (1 - gamma) / ln K.
    expected = 1 - (1 - np.euler_gamma) / np.log(65)  # K = 128 / 2 + 1 bins
    assert abs(features[..., 1].mean() - expected) < 0.01


def test_a_chirp_is_tracked():
    from scipy.signal import chirp

    x = chirp(T, f0=5.0, t1=T[-1], f1=100.0)
    _, times, _ = spectrogram_power(x, FS)
    inst = time_frequency_features(x, FS)[:, 0]
    expected = 5.0 + (100.0 - 5.0) * times / T[-1]
    np.testing.assert_allclose(inst, expected, atol=3.0)


def test_batch_equals_one_at_a_time_and_band_limits_apply():
    x = np.random.default_rng(1).normal(size=(3, 2000))
    batch = time_frequency_features(x, FS, frequency_range=(0.5, 40.0))
    for row, features in zip(x, batch, strict=True):
        np.testing.assert_allclose(
            time_frequency_features(row, FS, frequency_range=(0.5, 40.0)), features, rtol=1e-6
        )
    assert batch[..., 0].min() >= 0.5 and batch[..., 0].max() <= 40.0
    f, _, P = spectrogram_power(x, FS, frequency_range=(0.5, 40.0))
    assert f.min() >= 0.5 and f.max() <= 40.0 and P.shape[1] == len(f)


def test_log_power_is_relative_decibels_that_find_the_bursts_and_ignore_gain():
    # quiet noise with a 10x louder 0.3 s burst every second: bursts stand out by
    # 20 dB, the median window sits at 0 dB, and scaling the signal changes nothing
    rng = np.random.default_rng(2)
    x = 0.01 * rng.normal(size=9000)
    loud = (np.arange(9000) % 300) < 90
    x[loud] *= 10.0
    options = {"nperseg": 64, "noverlap": 29, "frequency_range": (0.5, 40.0)}
    features = time_frequency_features(x, FS, log_power=True, **options)
    assert features.shape == (256, 3) and features.dtype == np.float32
    np.testing.assert_array_equal(features[:, :2], time_frequency_features(x, FS, **options))
    db = features[:, 2]
    assert abs(np.median(db)) < 1e-5
    assert 17.0 < np.percentile(db, 95) - np.percentile(db, 5) < 27.0  # 20 dB + estimate noise
    scaled = time_frequency_features(37.0 * x, FS, log_power=True, **options)
    np.testing.assert_allclose(scaled[:, 2], db, atol=1e-3)
    # by hand: 10 log10 of each window's in-band power, minus the median window's
    _, _, P = spectrogram_power(x, FS, nperseg=64, noverlap=29, frequency_range=(0.5, 40.0))
    by_hand = 10 * np.log10(P.sum(axis=0))
    np.testing.assert_allclose(db, by_hand - np.median(by_hand), atol=1e-4)
    batch = time_frequency_features(np.stack([x, 5 * x]), FS, log_power=True, **options)
    np.testing.assert_allclose(batch[1, :, 2], db, atol=1e-3)
    silent = time_frequency_features(np.zeros(9000), FS, log_power=True, **options)
    assert np.isfinite(silent).all()


def test_af_like_ecg_has_higher_entropy_than_sinus_rhythm():
    from lstmkit.datasets.ecg import simulate_ecg

    ecg = simulate_ecg(20, 20, seed=4)
    entropy = time_frequency_features(ecg.signals, FS, frequency_range=(0.5, 40.0))[..., 1]
    assert np.median(entropy[20:].mean(axis=1)) > np.median(entropy[:20].mean(axis=1))


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"signal": "abc"}, TypeError, "signal"),
        ({"signal": np.zeros((2, 2, 200))}, ValueError, "signal must be 1-D"),
        ({"signal": np.full(200, np.nan)}, ValueError, "finite"),
        ({"signal": np.zeros(50)}, ValueError, "nperseg=128"),
        ({"fs": 0.0}, ValueError, "fs"),
        ({"fs": "300"}, TypeError, "fs"),
        ({"nperseg": 2}, ValueError, "nperseg"),
        ({"noverlap": 128}, ValueError, "noverlap"),
        ({"frequency_range": (200.0, 300.0)}, ValueError, "frequency_range"),
        ({"frequency_range": "low"}, TypeError, "frequency_range"),
    ],
)
def test_bad_input_is_named(kwargs, error, match):
    arguments = {"signal": np.zeros(600), "fs": FS, **kwargs}
    with pytest.raises(error, match=match):
        time_frequency_features(**arguments)
