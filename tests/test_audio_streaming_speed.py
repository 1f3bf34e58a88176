"""The fast streaming paths of the keyword spotter give the offline results bit for bit.

StreamingMFCC (strided frames, a vectorised delta, the DCT without scipy.fft's dispatch),
PosteriorDetector (a vectorised moving average, blocks with nothing to decide skipped)
and KeywordSpotter.stream_posteriors (torch's LSTM kernel called directly) were sped up
for 0.1 s microphone blocks; none of that may change a single bit of the features, the
posteriors or the detections. No timing here: benchmarks/keyword_streaming.py measures.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from lstmkit.audio import MFCCConfig, StreamingMFCC, mfcc
from lstmkit.audio.detection import DetectorConfig, PosteriorDetector, detect_in_posteriors
from lstmkit.audio.evaluation import detections_at_thresholds
from lstmkit.audio.features import _delta_valid
from lstmkit.audio.streaming import _delta, _delta_weights
from lstmkit.tasks import KeywordSpotter
from lstmkit.training import TrainingOptions

SR = 16000


def _signal(seconds: float, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * SR)) / SR
    x = 0.02 * rng.normal(size=t.size) + 0.3 * np.sin(2 * np.pi * 700 * t) * (t % 0.5 < 0.2)
    return x.astype(np.float32)


def _cut(audio: np.ndarray, sizes) -> list[np.ndarray]:
    parts, start = [], 0
    for size in sizes:
        if start >= audio.size:
            break
        parts.append(audio[start : start + size])
        start += size
    return [*parts, audio[start:]] if start < audio.size else parts


def _stream(audio: np.ndarray, sizes, config: MFCCConfig | None = None) -> np.ndarray:
    stream = StreamingMFCC(config)
    parts = [stream.push(part) for part in _cut(audio, sizes)]
    return np.concatenate([*parts, stream.flush()])


def _same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


# ------------------------------------------------------------------------- features
@pytest.mark.parametrize(
    "config",
    [
        None,
        MFCCConfig(delta_width=3),
        MFCCConfig(delta_width=13, n_mfcc=20),
        MFCCConfig(deltas=False),
        MFCCConfig(
            n_fft=400,
            hop_length=160,
            n_mels=26,
            window="hamming",
            fmin=100.0,
            fmax=7000.0,
            log_floor=1e-6,
        ),
        MFCCConfig(sample_rate=8000, n_fft=256, hop_length=256),
    ],
)
@pytest.mark.parametrize("cut", ["one-frame", "hop", "0.1 s", "0.5 s", "random"])
def test_streaming_mfcc_is_offline_mfcc_bit_for_bit(config, cut):
    y = _signal(1.3)
    hop = (config or MFCCConfig()).hop_length
    sizes = {
        "one-frame": [hop] * y.size,  # one frame (and one network step) per push
        "hop": [hop + 1] * y.size,
        "0.1 s": [1600] * 100,
        "0.5 s": [8000] * 10,
        "random": np.random.default_rng(3).integers(0, 2500, size=y.size),
    }[cut]
    assert _same_bits(_stream(y, sizes, config), mfcc(y, config))


def test_streaming_mfcc_bit_for_bit_on_silence_odd_lengths_and_sample_types():
    # digital silence gives exact zeros (and signed zeros) in the cepstra and deltas
    y = np.concatenate([np.zeros(5000, np.float32), _signal(0.4), np.zeros(3000, np.float32)])
    sizes = [1, 511, 512, 513, 0, 1600, 7]
    assert _same_bits(_stream(y, sizes * 40), mfcc(y))
    y64 = _signal(0.6, seed=2).astype(np.float64)
    assert _same_bits(_stream(y64, [1600] * 10), mfcc(y64))
    short = _signal(0.05)  # fewer frames than the latency: all come at flush
    assert _same_bits(_stream(short, [100] * 10), mfcc(short))
    stream = StreamingMFCC()  # lists, float16 and strided views go the careful way
    parts = [stream.push(list(y64[:700])), stream.push(y64[700:3000:1].astype(np.float16))]
    assert np.concatenate([*parts, stream.flush()]).shape[1] == 39
    with pytest.raises(ValueError, match="chunk must hold finite"):
        StreamingMFCC().push(np.array([0.0, np.nan], np.float32))


@pytest.mark.parametrize("radius", [1, 2, 3, 4, 6])
def test_vectorised_delta_is_the_offline_delta_bit_for_bit(radius):
    rng = np.random.default_rng(radius)
    x = rng.normal(size=(40, 13))
    x[rng.random(x.shape) < 0.2] = -0.0  # signed zeros: 0.0 + -0.0 is +0.0 in the loop
    x[rng.random(x.shape) < 0.2] = 0.0
    for rows in (2 * radius + 1, 2 * radius + 2, 40):
        padded = np.ascontiguousarray(x[:rows])
        assert _same_bits(_delta(padded, *_delta_weights(radius)), _delta_valid(padded, radius))


# ------------------------------------------------------------------------- detector
@pytest.mark.parametrize("smoothing", [1, 2, 5, 9])
@pytest.mark.parametrize("block", [1, 3, 12, 13, 62, 10_000])
def test_detector_in_blocks_is_one_pass_and_the_threshold_sweep(smoothing, block):
    rng = np.random.default_rng(smoothing)
    p = np.clip(rng.normal(0.2, 0.25, size=3000), 0.0, 1.0)
    p[[100, 101, 102]] = 0.5  # exactly at the threshold
    p[500:900] = 0.97  # longer than max_frames: closed and reopened inside a block
    cfg = DetectorConfig(frame_seconds=0.008, smoothing_frames=smoothing, min_frames=2,
                         max_frames=150, refractory_seconds=0.1)  # fmt: skip
    offline = detect_in_posteriors(p, cfg)
    detector, streamed = PosteriorDetector(cfg), []
    for k in range(0, p.size, block):
        streamed += detector.push(p[k : k + block])
    streamed += detector.flush()
    assert streamed == offline and len(offline) >= 3
    assert detections_at_thresholds(p, cfg, [0.5])[0.5] == offline


# -------------------------------------------------------------------------- spotter
@pytest.fixture(scope="module")
def product_spotter():
    """The product architecture (causal LSTM, 128 units, 39 MFCCs), fitted briefly."""
    rng = np.random.default_rng(0)
    clips, spans = [], []
    for k in range(8):
        x, a = 0.02 * rng.normal(size=SR), rng.uniform(0.1, 0.6)
        t = np.arange(SR) / SR
        span = (t >= a) & (t < a + 0.3)
        x[span] += 0.3 * np.sin(2 * np.pi * (600 if k % 2 else 1500) * t[span])
        clips.append(x.astype(np.float32))
        spans.append([(a, a + 0.3)] if k % 2 else [])
    options = TrainingOptions(max_epochs=2, learning_rate=1e-2, batch_size=4, num_threads=1)
    spotter = KeywordSpotter(hidden_size=128, threshold=0.3, training_options=options)
    return spotter.fit(clips, spans)


@pytest.mark.parametrize("cut", ["one-frame", "0.1 s", "0.5 s", "random"])
def test_streamed_posteriors_and_detections_are_offline_bit_for_bit(product_spotter, cut):
    spotter = product_spotter
    audio = _signal(3.0, seed=5)
    sizes = {
        "one-frame": [128] * audio.size,  # a one-step LSTM call and one-row head per block
        "0.1 s": [1600] * 100,  # the first block completes a single frame
        "0.5 s": [8000] * 10,
        "random": np.random.default_rng(1).integers(0, 3000, size=audio.size),
    }[cut]
    blocks = _cut(audio, sizes)
    streamed = np.concatenate(list(spotter.stream_posteriors(blocks)))
    assert _same_bits(streamed, spotter.frame_posteriors(audio))
    # a microphone's (n, 1) float64 blocks are the same samples
    column = [b.astype(np.float64)[:, None] for b in blocks]
    offline = spotter.detect(audio)
    assert list(spotter.stream(column)) == offline and offline


def test_streaming_leaves_the_callers_autograd_mode_alone(product_spotter):
    audio = _signal(1.0)
    for _ in product_spotter.stream_posteriors(audio[k : k + 1600] for k in range(0, SR, 1600)):
        assert torch.is_grad_enabled() and not torch.is_inference_mode_enabled()


def test_layers_without_a_native_kernel_still_stream_through_step_block():
    rng = np.random.default_rng(1)
    clips = [(0.1 * rng.normal(size=SR)).astype(np.float32) for _ in range(4)]
    options = TrainingOptions(max_epochs=1, batch_size=4, num_threads=1)
    spotter = KeywordSpotter(hidden_size=8, layer_options={"peephole": True},
                             training_options=options)  # fmt: skip
    spotter.fit(clips, [[(0.2, 0.5)], [], [(0.4, 0.7)], []])
    assert spotter.network_.recurrent.active_backend != "native"
    audio = _signal(1.5)
    streamed = np.concatenate(list(spotter.stream_posteriors(_cut(audio, [1600] * 20))))
    np.testing.assert_allclose(streamed, spotter.frame_posteriors(audio), rtol=0, atol=1e-6)
