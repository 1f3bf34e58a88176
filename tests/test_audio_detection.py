"""Posteriors to detections (lstmkit.audio.detection): smoothing, threshold, refractory
period, and streaming in blocks equal to one pass over the whole clip."""

from __future__ import annotations

import numpy as np
import pytest

from lstmkit.audio.detection import DetectorConfig, PosteriorDetector, detect_in_posteriors

HOP = 0.008


def _bursts(spans, frames=1000):
    p = np.zeros(frames)
    for a, b in spans:
        p[a:b] = 0.95
    return p


def test_one_detection_per_burst_with_its_span_and_decision_time():
    cfg = DetectorConfig(frame_seconds=HOP, smoothing_frames=1, refractory_seconds=0.0)
    found = detect_in_posteriors(_bursts([(100, 150), (400, 420)]), cfg)
    assert [(round(d.start / HOP), round(d.end / HOP)) for d in found] == [(100, 150),
                                                                           (400, 420)]  # fmt: skip
    # a span is decided by the first frame below the threshold: once that frame is heard
    assert [d.decided_at / HOP for d in found] == pytest.approx([150.5, 420.5])
    start, end, score = found[0]  # unpacks as a (start, end, score) triple
    assert score == pytest.approx(0.95) and end > start


def test_smoothing_ignores_one_frame_spikes_and_refractory_merges_a_stutter():
    spikes = np.zeros(500)
    spikes[::50] = 1.0
    cfg = DetectorConfig(frame_seconds=HOP, smoothing_frames=5)
    assert detect_in_posteriors(spikes, cfg) == []
    stutter = _bursts([(100, 140), (160, 200)], 600)  # 0.16 s gap inside 1 s refractory
    assert len(detect_in_posteriors(stutter, cfg)) == 1
    no_refractory = DetectorConfig(frame_seconds=HOP, smoothing_frames=5, refractory_seconds=0)
    assert len(detect_in_posteriors(stutter, no_refractory)) == 2


@pytest.mark.parametrize("block", [1, 7, 64, 5000])
def test_streaming_in_blocks_gives_the_offline_detections(block):
    rng = np.random.default_rng(0)
    p = np.clip(_bursts([(80, 130), (300, 310), (700, 800)]) + 0.2 * rng.normal(size=1000), 0, 1)
    cfg = DetectorConfig(frame_seconds=HOP, smoothing_frames=4, refractory_seconds=0.5)
    offline = detect_in_posteriors(p, cfg)
    detector = PosteriorDetector(cfg)
    streamed = []
    for k in range(0, len(p), block):
        streamed += detector.push(p[k : k + block])
    assert streamed + detector.flush() == offline and len(offline) >= 2


def test_a_span_that_never_ends_is_closed_at_max_frames_and_at_flush():
    cfg = DetectorConfig(frame_seconds=HOP, smoothing_frames=1, max_frames=100,
                         refractory_seconds=0.0)  # fmt: skip
    found = detect_in_posteriors(np.ones(250), cfg)
    assert [round((d.end - d.start) / HOP) for d in found] == [100, 100, 50]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"threshold": 1.5}, "threshold must be in \\(0, 1\\)"),
     ({"smoothing_frames": 0}, "smoothing_frames"),
     ({"frame_seconds": -1.0}, "frame_seconds")],
)  # fmt: skip
def test_bad_settings_are_refused_by_name(kwargs, message):
    with pytest.raises((ValueError, TypeError), match=message):
        DetectorConfig(**{"frame_seconds": HOP, **kwargs})
    with pytest.raises(ValueError, match="finite"):
        PosteriorDetector(DetectorConfig(frame_seconds=HOP)).push([0.1, np.nan])
