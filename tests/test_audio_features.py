"""MFCC front-end (lstmkit.audio.features / streaming / labels) against librosa and itself.

The offline features are checked against librosa's own MFCC and delta functions; the
streaming extractor against the offline features for many ways of cutting the same
audio; the labels against positions worked out by hand.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

librosa = pytest.importorskip("librosa")
from scipy.signal import chirp  # noqa: E402

from lstmkit.audio import (  # noqa: E402
    FeatureNormalizer,
    MFCCConfig,
    StreamingMFCC,
    delta,
    frame_labels,
    frame_times,
    intervals_from_mask,
    mfcc,
    num_frames,
)

SR = 16000


def _test_signal(seconds: float = 1.0, seed: int = 0) -> np.ndarray:
    """A chirp plus a tone plus a little noise: energy that moves across every mel band,
    so each coefficient and its deltas vary over time."""
    t = np.arange(int(seconds * SR)) / SR
    noise = np.random.default_rng(seed).normal(scale=0.01, size=t.size)
    return 0.3 * chirp(t, 100, t[-1], 6000) + 0.1 * np.sin(2 * np.pi * 440 * t) + noise


def _librosa_static(y: np.ndarray, config: MFCCConfig) -> np.ndarray:
    """librosa's MFCCs on the same framing, with dB and no top_db clipping: (frames, n)."""
    mel = librosa.feature.melspectrogram(
        y=y,
        sr=config.sample_rate,
        n_fft=config.n_fft,
        hop_length=config.hop_length,
        window=config.window,
        center=False,
        power=2.0,
        n_mels=config.n_mels,
        fmin=config.fmin,
        fmax=config.fmax,
    )
    db = librosa.power_to_db(mel, ref=1.0, amin=config.log_floor, top_db=None)
    return librosa.feature.mfcc(S=db, n_mfcc=config.n_mfcc).T


# ---------------------------------------------------------------------- offline MFCC
def test_mfcc_matches_librosa_with_deltas():
    y = _test_signal()
    config = MFCCConfig()
    ours = mfcc(y, config)
    assert ours.shape == (1 + (y.size - 512) // 128, 39) and ours.dtype == np.float32
    static = _librosa_static(y, config)
    d1 = librosa.feature.delta(static, width=9, order=1, mode="nearest", axis=0)
    d2 = librosa.feature.delta(d1, width=9, order=1, mode="nearest", axis=0)
    # values reach ~500 (dB-scaled cepstra): float32 output rounding is ~3e-5 there
    np.testing.assert_allclose(ours[:, :13], static, rtol=1e-6, atol=1e-4)
    np.testing.assert_allclose(ours[:, 13:26], d1, rtol=1e-6, atol=1e-4)
    np.testing.assert_allclose(ours[:, 26:], d2, rtol=1e-6, atol=1e-4)
    # the deltas are not trivially zero: the test would catch a wrong formula
    assert np.abs(d1).max() > 1 and np.abs(d2).max() > 0.1


def test_mfcc_other_settings_match_librosa():
    y = _test_signal(0.5, seed=3)
    config = MFCCConfig(
        n_fft=400,
        hop_length=160,
        n_mels=26,
        n_mfcc=20,
        fmin=50.0,
        fmax=7000.0,
        window="hamming",
        deltas=False,
    )
    ours = mfcc(y, config)
    assert ours.shape == (1 + (y.size - 400) // 160, 20)
    np.testing.assert_allclose(ours, _librosa_static(y, config), rtol=1e-6, atol=1e-4)


def test_mfcc_differs_from_librosa_default_top_db():
    # librosa's default power_to_db clips at max - 80 dB; ours must not (a stream cannot
    # know the clip's maximum). A quiet stretch after a loud one makes the two differ.
    y = _test_signal()
    y[8000:] *= 1e-6
    ours = mfcc(y, MFCCConfig(deltas=False))
    clipped = librosa.feature.mfcc(
        y=y, sr=SR, n_fft=512, hop_length=128, center=False, n_mels=40, n_mfcc=13
    ).T
    assert np.abs(ours - clipped).max() > 10
    np.testing.assert_allclose(ours, _librosa_static(y, MFCCConfig()), rtol=1e-6, atol=1e-4)


def test_silence_gives_the_log_floor_not_inf():
    features = mfcc(np.zeros(1024))
    assert np.isfinite(features).all()
    # log-mel is -100 dB everywhere: c0 = -100 * sqrt(40), the rest 0
    np.testing.assert_allclose(features[:, 0], -100 * np.sqrt(40), rtol=1e-6)
    np.testing.assert_allclose(features[:, 1:], 0, atol=1e-3)


def test_delta_matches_librosa_delta():
    x = np.random.default_rng(0).normal(size=(30, 4))
    for width in (3, 5, 9):
        expected = librosa.feature.delta(x, width=width, order=1, mode="nearest", axis=0)
        np.testing.assert_allclose(delta(x, width=width), expected, atol=1e-12)
    # fewer frames than the window: still the edge-replication rule
    short = x[:3]
    np.testing.assert_allclose(
        delta(short), librosa.feature.delta(short, width=9, mode="nearest", axis=0), atol=1e-12
    )


@pytest.mark.parametrize(
    ("audio", "error", "words"),
    [
        (np.zeros(511), ValueError, "at least n_fft=512"),
        (np.zeros((1000, 2)), ValueError, "1-D mono"),
        (np.array([0.0] * 600 + [np.nan]), ValueError, "finite"),
        ("clip.wav", TypeError, "1-D array"),
        (np.zeros(600, dtype=complex), TypeError, "float samples"),
        (np.zeros(600, dtype=np.int16), TypeError, "integer PCM: convert it with load_audio"),
    ],
)
def test_mfcc_rejects_bad_audio(audio, error, words):
    with pytest.raises(error, match="audio") as info:
        mfcc(audio)
    assert words in str(info.value)


def test_mfcc_rejects_a_non_config():
    with pytest.raises(TypeError, match="config must be an MFCCConfig"):
        mfcc(np.zeros(1000), {"n_fft": 512})


# --------------------------------------------------------------------------- config
def test_config_defaults_are_matlabs_and_round_trip_through_json():
    config = MFCCConfig()
    assert (config.sample_rate, config.n_fft, config.hop_length, config.n_mfcc) == (
        16000,
        512,
        128,
        13,
    )
    assert config.num_features == 39 and MFCCConfig(deltas=False).num_features == 13
    assert config.latency_frames == 8 and MFCCConfig(deltas=False).latency_frames == 0
    custom = MFCCConfig(n_mfcc=20, fmax=np.float64(7600), delta_width=np.int64(5))
    text = json.dumps(custom.to_dict())
    back = MFCCConfig.from_dict(json.loads(text))
    assert back == custom and back.num_features == 60
    with pytest.raises(ValueError, match="n_ftt"):
        MFCCConfig.from_dict({"n_ftt": 512})


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"n_fft": 1}, ValueError, "n_fft must be an int >= 2"),
        ({"n_fft": 512.0}, TypeError, "n_fft"),
        ({"hop_length": 600}, ValueError, "hop_length must be <= n_fft=512"),
        ({"n_mfcc": 41}, ValueError, "n_mfcc must be <= n_mels=40"),
        ({"fmax": 9000.0}, ValueError, "fmax must lie in"),
        ({"fmin": 8000.0}, ValueError, "fmin must be below"),
        ({"window": "kaiser"}, ValueError, "window must be one of"),
        ({"delta_width": 4}, ValueError, "delta_width must be an odd int"),
        ({"deltas": 1}, TypeError, "deltas must be True or False"),
        ({"log_floor": 0.0}, ValueError, "log_floor"),
    ],
)
def test_config_validation_names_the_argument(kwargs, error, words):
    with pytest.raises(error) as info:
        MFCCConfig(**kwargs)
    assert words in str(info.value)


# ------------------------------------------------------------------------ streaming
def _stream(audio: np.ndarray, sizes, config: MFCCConfig | None = None) -> np.ndarray:
    stream = StreamingMFCC(config)
    parts, start = [], 0
    for size in sizes:
        parts.append(stream.push(audio[start : start + size]))
        start += size
        if start >= audio.size:
            break
    assert start >= audio.size
    parts.append(stream.flush())
    assert all(p.shape[1] == stream.num_features and p.dtype == np.float32 for p in parts)
    return np.concatenate(parts)


@pytest.mark.parametrize("chunk", [1, 37, 128, 511, 512, 513, 2000, 100_000])
def test_streaming_equals_offline_for_fixed_chunks(chunk):
    # 1 sample at a time is the slowest path; keep that clip short
    y = _test_signal(0.25 if chunk == 1 else 1.0)
    offline = mfcc(y)
    streamed = _stream(y, [chunk] * (y.size // chunk + 1))
    assert streamed.shape == offline.shape
    np.testing.assert_allclose(streamed, offline, rtol=0, atol=1e-5)


def test_streaming_equals_offline_for_random_chunks_and_lengths():
    rng = np.random.default_rng(7)
    for trial in range(6):
        # lengths from one frame to many, including fewer frames than the latency
        n = int(rng.choice([512, 700, 1500, 2600, 9000, 16000]))
        y = _test_signal(n / SR, seed=trial)[:n]
        sizes = rng.integers(0, 900, size=n)  # 0-sample chunks are allowed too
        config = MFCCConfig(delta_width=int(rng.choice([3, 5, 9])))
        np.testing.assert_allclose(_stream(y, sizes, config), mfcc(y, config), atol=1e-5)


def test_streaming_without_deltas_has_no_latency():
    config = MFCCConfig(deltas=False)
    y = _test_signal(0.2)
    stream = StreamingMFCC(config)
    first = stream.push(y[:1000])
    assert first.shape == (num_frames(1000, config), 13)  # every complete frame at once
    assert stream.latency_frames == 0 and stream.latency_seconds == 0
    rest = np.concatenate([first, stream.push(y[1000:]), stream.flush()])
    np.testing.assert_allclose(rest, mfcc(y, config), atol=1e-5)


def test_streaming_latency_and_bounded_state():
    config = MFCCConfig()
    stream = StreamingMFCC(config)
    assert stream.latency_frames == 8
    assert stream.latency_samples == 1024 and stream.latency_seconds == pytest.approx(0.064)
    y = _test_signal(2.0)
    total = 0
    for start in range(0, y.size, 1600):
        total += stream.push(y[start : start + 1600]).shape[0]
        frames_so_far = num_frames(min(start + 1600, y.size), config)
        # a frame is returned exactly when 8 more frames exist
        assert total == max(0, frames_so_far - 8)
        # O(chunk) work: the stream keeps under one frame of audio and 4N static rows
        assert stream._samples.size < config.n_fft
        assert stream._static.shape[0] <= 16
    assert stream.frames_emitted == total
    assert total + stream.flush().shape[0] == num_frames(y.size, config)


def test_streaming_flush_resets_and_short_streams():
    stream = StreamingMFCC()
    assert stream.push(np.zeros(100)).shape == (0, 39)
    assert stream.flush().shape == (0, 39)  # less than one frame: nothing, no error
    y = _test_signal(0.5)
    once = np.concatenate([stream.push(y), stream.flush()])
    again = np.concatenate([stream.push(y), stream.flush()])  # flush reset the stream
    np.testing.assert_array_equal(once, again)
    stream.push(y[:3000])
    stream.reset()
    np.testing.assert_array_equal(np.concatenate([stream.push(y), stream.flush()]), once)


def test_streaming_rejects_bad_chunks():
    stream = StreamingMFCC()
    with pytest.raises(ValueError, match="chunk must be 1-D"):
        stream.push(np.zeros((10, 2)))
    assert stream.push([]).shape == (0, 39)
    with pytest.raises(ValueError, match="chunk must hold finite"):
        stream.push(np.array([0.0, np.inf]))
    with pytest.raises(TypeError, match="config"):
        StreamingMFCC("default")


# ----------------------------------------------------------------------- normaliser
def test_normalizer_fit_transform_and_json_round_trip():
    rng = np.random.default_rng(0)
    train = [rng.normal(loc=3.0, scale=2.0, size=(rng.integers(20, 60), 4)) for _ in range(5)]
    for t in train:
        t[:, 2] = 7.0  # a constant feature
    norm = FeatureNormalizer().fit(train)
    frames = np.concatenate(train)
    np.testing.assert_allclose(norm.mean_, frames.mean(axis=0))
    assert norm.std_[2] == 1.0  # floored, not 0
    out = norm.transform(train)
    assert isinstance(out, list) and out[0].dtype == np.float32
    stacked = np.concatenate(out)
    np.testing.assert_allclose(stacked.mean(axis=0), 0, atol=1e-5)
    np.testing.assert_allclose(stacked.std(axis=0)[[0, 1, 3]], 1, atol=1e-5)
    assert np.all(stacked[:, 2] == 0)

    back = FeatureNormalizer.from_dict(json.loads(json.dumps(norm.to_dict())))
    np.testing.assert_array_equal(back.transform(train[1]), norm.transform(train[1]))
    batch = np.stack([train[0][:20], train[1][:20]])  # (N, T, F) stays (N, T, F)
    assert back.transform(batch).shape == (2, 20, 4)


def test_normalizer_errors_name_the_problem():
    with pytest.raises(ValueError, match="not fitted"):
        FeatureNormalizer().transform(np.zeros((3, 2)))
    norm = FeatureNormalizer().fit(np.ones((5, 3)))
    with pytest.raises(ValueError, match=r"features must have 3 features .* \(5, 2\)"):
        norm.transform(np.zeros((5, 2)))
    with pytest.raises(ValueError, match=r"features\[1\] must hold finite"):
        norm.transform([np.zeros((2, 3)), np.full((2, 3), np.nan)])
    with pytest.raises(TypeError, match="features must be"):
        FeatureNormalizer().fit("frames")
    with pytest.raises(ValueError, match="values must be a dict"):
        FeatureNormalizer.from_dict({"mean": [1.0]})


# --------------------------------------------------------------------------- labels
def test_frame_labels_hand_computed():
    # n_fft 512, hop 128: 2048 samples give 13 frames centred at 256, 384, ..., 1792
    assert num_frames(2048) == 13 == len(mfcc(np.zeros(2048)))
    labels = frame_labels([(384, 641), (1700, 5000)], 2048)
    centres = [256 + 128 * k for k in range(13)]
    expected = [384 <= c < 641 or 1700 <= c < 5000 for c in centres]
    assert labels.tolist() == expected
    # written out: frames 1, 2, 3 (384, 512, 640) and 12 (1792)
    assert np.flatnonzero(labels).tolist() == [1, 2, 3, 12]
    # the end is exclusive: [384, 640) no longer holds the centre 640
    assert np.flatnonzero(frame_labels([(384, 640)], 2048)).tolist() == [1, 2]
    assert frame_labels([], 2048).tolist() == [False] * 13
    assert frame_labels([(0, 100)], 300).shape == (0,)


def test_frame_times_and_intervals_round_trip():
    config = MFCCConfig()
    times = frame_times(4, config)
    np.testing.assert_allclose(times, [256 / SR, 384 / SR, 512 / SR, 640 / SR])
    mask = np.zeros(60, bool)
    mask[[0, 1, 2, 10, 20, 21, 22, 23, 59]] = True
    intervals = intervals_from_mask(mask, config)
    assert intervals[0] == pytest.approx((192 / SR, 576 / SR)) and len(intervals) == 4
    # back to samples, then to frames: the same mask
    samples = [(round(a * SR), round(b * SR)) for a, b in intervals]
    assert frame_labels(samples, 512 + 59 * 128, config).tolist() == mask.tolist()
    assert len(intervals_from_mask(mask, config, min_frames=3)) == 2


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda: frame_labels([(500, 100)], 2048), ValueError, "intervals[0] must satisfy"),
        (lambda: frame_labels([(-1, 100)], 2048), ValueError, "intervals[0]"),
        (lambda: frame_labels([1, 2, 3], 2048), ValueError, "(start_sample, end_sample)"),
        (lambda: frame_labels([(0, 1)], -5), ValueError, "num_samples"),
        (lambda: intervals_from_mask([0.5, 1.0]), ValueError, "mask must hold bools"),
        (lambda: intervals_from_mask(np.zeros((2, 2), bool)), ValueError, "mask must be 1-D"),
        (lambda: intervals_from_mask([1], min_frames=0), ValueError, "min_frames"),
    ],
)
def test_label_errors_name_the_argument(call, error, words):
    with pytest.raises(error) as info:
        call()
    assert words in str(info.value)


def test_end_windows_mark_the_end_of_each_keyword_inside_the_clip():
    from lstmkit.audio import end_windows

    assert end_windows([(0.5, 0.9), (1.2, 1.95)], (0.12, 0.08), 2.0) == [
        (0.78, 0.98),
        (1.83, 2.0),  # cut at the clip's end
    ]
    assert end_windows([(0.0, 0.05)], (0.12, 0.0), 1.0) == [(0.0, 0.05)]
    assert end_windows([], (0.12, 0.08), 1.0) == []
    with pytest.raises(ValueError, match="window must be two finite seconds >= 0"):
        end_windows([(0.1, 0.2)], (-0.1, 0.1), 1.0)
    with pytest.raises(ValueError, match=r"must not be \(0, 0\)"):
        end_windows([(0.1, 0.2)], (0, 0), 1.0)
    with pytest.raises(TypeError, match="window must be \\(before_s, after_s\\)"):
        end_windows([(0.1, 0.2)], 0.1, 1.0)
