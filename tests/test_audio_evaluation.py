"""Wake-word metrics (lstmkit.audio.evaluation): the vectorised threshold sweep equals the
streaming detector exactly, matching counts hits / misses / false alarms as the issue
defines them, and the DET curve and its reading at a false-alarm budget add up."""

from __future__ import annotations

import time

import numpy as np
import pytest

from lstmkit.audio import Detection, DetectorConfig, PosteriorDetector, detect_in_posteriors
from lstmkit.audio.evaluation import (
    DETCurve,
    det_curve,
    detections_at_thresholds,
    frr_at_far,
    match_detections,
    merge_detections,
    operating_point,
    smoothed_posteriors,
)

HOP = 0.008
THRESHOLDS = [0.1, 0.3, 0.45, 0.5, 0.62, 0.8, 0.95]


def _random_posteriors(seed: int, frames: int = 6000) -> np.ndarray:
    """Bursts of high posterior (some long, some one frame) in noise: every case of the
    detector (short spans, max_frames splits, refractory merges, spans at the edges)."""
    rng = np.random.default_rng(seed)
    p = np.clip(rng.beta(0.6, 3.0, size=frames), 0.0, 1.0)
    for _ in range(40):
        a = int(rng.integers(0, frames))
        p[a : a + int(rng.integers(1, 400))] = rng.uniform(0.4, 1.0)
    p[-30:] = 0.97  # a span still open at the end (closed by flush)
    p[:5] = 0.9  # and one that starts at frame 0
    return p


CONFIGS = [
    DetectorConfig(frame_seconds=HOP),
    DetectorConfig(frame_seconds=HOP, smoothing_frames=1, min_frames=1, refractory_seconds=0.0),
    DetectorConfig(
        frame_seconds=0.01,
        first_frame_seconds=0.016,
        smoothing_frames=7,
        min_frames=4,
        max_frames=60,
        refractory_seconds=0.3,
        latency_seconds=0.064,
    ),
    DetectorConfig(
        frame_seconds=HOP, smoothing_frames=4, min_frames=10, max_frames=10, refractory_seconds=0.0
    ),
    DetectorConfig(
        frame_seconds=HOP, smoothing_frames=2, min_frames=2, max_frames=25, refractory_seconds=2.5
    ),
]


@pytest.mark.parametrize("config", CONFIGS, ids=range(len(CONFIGS)))
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_sweep_gives_exactly_the_detectors_detections(config, seed):
    p = _random_posteriors(seed)
    swept = detections_at_thresholds(p, config, THRESHOLDS)
    assert list(swept) == THRESHOLDS
    total = 0
    for threshold, found in swept.items():
        cfg = DetectorConfig(**{**config.to_dict(), "threshold": threshold})
        expected = detect_in_posteriors(p, cfg)
        assert found == expected  # dataclass equality: every field, bit for bit
        total += len(found)
    assert total > 20


def test_the_sweep_covers_max_frames_splits_and_refractory_merges():
    p = np.r_[np.zeros(10), np.ones(250), np.zeros(10), np.ones(20), np.zeros(30)]
    split = DetectorConfig(
        frame_seconds=HOP, smoothing_frames=1, max_frames=100, refractory_seconds=0.0
    )
    found = detections_at_thresholds(p, split, [0.5])[0.5]
    assert [round((d.end - d.start) / HOP) for d in found] == [100, 100, 50, 20]
    assert found == detect_in_posteriors(p, split)
    # one second of refractory (125 frames): the second and last pieces are swallowed
    deaf = DetectorConfig(frame_seconds=HOP, smoothing_frames=1, max_frames=100)
    found = detections_at_thresholds(p, deaf, [0.5])[0.5]
    assert found == detect_in_posteriors(p, deaf)
    assert [round(d.start / HOP + 0.5) for d in found] == [10, 235]  # first frames


def test_smoothing_is_bit_identical_to_the_detectors():
    rng = np.random.default_rng(3)
    p = rng.random(2000)
    smoothed = smoothed_posteriors(p, 5)
    window: list[float] = []
    for f, value in enumerate(p):
        window = [*window[-4:], float(value)]
        total = 0.0
        for item in window:
            total += item
        assert smoothed[f] == total / len(window)


def test_the_sweep_is_fast_on_hours_of_frames():
    rng = np.random.default_rng(0)
    frames = 1_000_000  # ~2.2 h at 8 ms
    p = rng.beta(0.3, 6.0, size=frames)
    config = DetectorConfig(frame_seconds=HOP)
    started = time.perf_counter()
    found = detections_at_thresholds(p, config, np.linspace(0.05, 0.95, 40))
    seconds = time.perf_counter() - started
    assert sum(map(len, found.values())) > 0
    assert seconds < 10.0  # ~1 s alone; generous for a shared machine


def test_merging_and_matching_follow_the_issue():
    parts = [
        Detection(1.0, 1.2, 0.7, 1.3),
        Detection(2.1, 2.3, 0.9, 2.4),
        Detection(3.4, 3.5, 0.6, 3.6),
    ]
    merged = merge_detections(parts)  # gaps of 0.9 s and 1.1 s
    assert [(d.start, d.end, d.score, d.decided_at) for d in merged] == [
        (1.0, 2.3, 0.9, 1.3),
        (3.4, 3.5, 0.6, 3.6),
    ]
    # two detections of one keyword (3 s apart): one hit, and the other is no false alarm
    found = [
        Detection(0.9, 1.3, 0.9, 1.35),
        Detection(4.4, 4.6, 0.8, 4.7),
        Detection(9.0, 9.2, 0.7, 9.3),
    ]
    match = match_detections(found, [(1.0, 4.0)], tolerance_s=0.5)
    assert (match.n_hits, match.n_misses, match.n_false_alarms) == (1, 0, 1)
    assert match.false_alarms[0].start == 9.0
    assert match.latencies == pytest.approx([1.35 - 4.0])
    # the tolerance widens the span on both sides
    late = [Detection(1.8, 2.0, 0.9, 2.1)]
    assert match_detections(late, [(1.0, 1.4)], tolerance_s=0.5).n_hits == 1
    assert match_detections(late, [(1.0, 1.4)], tolerance_s=0.3).n_false_alarms == 1
    assert match_detections([], [(1.0, 1.4)]).n_misses == 1


def _clip(span_frames: tuple[int, int] | None, level: float, frames: int = 250) -> np.ndarray:
    p = np.full(frames, 0.02)
    if span_frames is not None:
        p[span_frames[0] : span_frames[1]] = level
    return p


def test_det_curve_counts_misses_false_alarms_and_latency():
    config = DetectorConfig(frame_seconds=HOP, smoothing_frames=1, min_frames=1)
    t = lambda f: f * HOP  # noqa: E731 -- frame f's centre (first frame at 0)
    positives = [_clip((100, 150), 0.9), _clip((100, 150), 0.6), _clip((100, 150), 0.3)]
    spans = [[(t(100), t(150))]] * 3
    background = np.full(450_000, 0.01)  # one hour at 8 ms
    background[1000:1040] = 0.7
    background[200_000:200_010] = 0.4
    negatives = [_clip((50, 90), 0.55), _clip(None, 0.0)]
    curve = det_curve(
        positives, spans, [background], 1.0, config, [0.2, 0.5, 0.8], negative_posteriors=negatives
    )
    assert curve.thresholds.tolist() == [0.2, 0.5, 0.8]
    assert curve.frr.tolist() == pytest.approx([0.0, 1 / 3, 2 / 3])
    assert curve.false_alarms.tolist() == [2, 1, 0]
    assert curve.false_alarms_per_hour.tolist() == [2.0, 1.0, 0.0]
    assert curve.negative_false_alarms.tolist() == [1, 1, 0]
    assert curve.positive_false_alarms.tolist() == [0, 0, 0]
    # decided by the first frame below the threshold: half a frame after the keyword
    assert curve.median_latency.tolist() == pytest.approx([HOP / 2] * 3)
    assert frr_at_far(curve, 1.0)["threshold"] == 0.5
    assert frr_at_far(curve, 0.5)["frr"] == pytest.approx(2 / 3)
    record = curve.to_dict()
    assert record["false_alarms"] == [2, 1, 0] and record["n_keywords"] == 3
    point = operating_point(curve, 0.5)
    assert point["frr"] == pytest.approx(1 / 3) and point["false_alarms"] == 1
    assert point["negative_clip_false_alarms"] == 1
    assert point["negative_clip_false_alarm_rate"] == pytest.approx(0.5)
    assert point["positive_clip_false_alarms"] == 0
    assert point["median_latency_s"] == pytest.approx(HOP / 2)
    with pytest.raises(ValueError, match=r"threshold must be one of the curve's thresholds"):
        operating_point(curve, 0.55)


def test_frr_at_far_says_when_the_budget_is_not_reached():
    curve = DETCurve(
        np.array([0.5, 0.9]),
        np.array([0.0, 0.1]),
        np.array([30, 6]),
        np.array([3.0, 0.6]),
        10.0,
        10,
        np.zeros(2),
        None,
        0,
        [np.array([]), np.array([0.2])],
    )
    result = frr_at_far(curve, 0.5)
    assert result["reached"] is False and result["threshold"] == "not reached"
    assert result["frr"] == 1.0
    assert frr_at_far(curve, 1.0)["median_latency"] == pytest.approx(0.2)


def test_bad_inputs_are_refused_by_name():
    config = DetectorConfig(frame_seconds=HOP)
    with pytest.raises(ValueError, match="thresholds"):
        detections_at_thresholds(np.zeros(10), config, [0.0, 0.5])
    with pytest.raises(ValueError, match="1-D"):
        detections_at_thresholds(np.zeros((2, 10)), config, [0.5])
    with pytest.raises(ValueError, match="finite"):
        detections_at_thresholds([0.1, np.nan], config, [0.5])
    with pytest.raises(TypeError, match="config must be a DetectorConfig"):
        detections_at_thresholds(np.zeros(10), {"frame_seconds": HOP}, [0.5])
    with pytest.raises(ValueError, match="positive_spans"):
        det_curve([np.zeros(10)], [], [np.zeros(10)], 1.0, config, [0.5])
    with pytest.raises(ValueError, match="background_hours must be > 0"):
        det_curve([np.zeros(10)], [[]], [np.zeros(10)], 0.0, config, [0.5])
    with pytest.raises(ValueError, match=r"true_spans: span \(2.0, 1.0\)"):
        match_detections([], [(2.0, 1.0)])


def test_streaming_detector_still_matches_offline_after_the_exact_smoothing():
    p = _random_posteriors(5, 3000)
    config = DetectorConfig(frame_seconds=HOP, smoothing_frames=6, refractory_seconds=0.4)
    detector = PosteriorDetector(config)
    streamed = []
    for k in range(0, p.size, 37):
        streamed += detector.push(p[k : k + 37])
    assert streamed + detector.flush() == detections_at_thresholds(p, config, [0.5])[0.5]


def test_precomputed_background_counts_give_the_same_curve():
    from lstmkit.audio.evaluation import false_alarm_counts

    config = DetectorConfig(frame_seconds=HOP)
    background = [_random_posteriors(7, 20_000), _random_posteriors(8, 5000)]
    positives = [_clip((100, 150), 0.9), _clip((100, 150), 0.4)]
    spans = [[(100 * HOP, 150 * HOP)]] * 2
    direct = det_curve(positives, spans, background, 0.1, config, THRESHOLDS)
    counts = false_alarm_counts(background, config, THRESHOLDS[::-1])  # any order given
    assert counts.tolist() == direct.false_alarms.tolist() and counts.sum() > 0
    reused = det_curve(
        positives, spans, None, 0.1, config, THRESHOLDS, background_false_alarms=counts
    )
    assert reused.to_dict() == direct.to_dict()
    with pytest.raises(ValueError, match="exactly one"):
        det_curve(
            positives, spans, background, 0.1, config, THRESHOLDS, background_false_alarms=counts
        )


@pytest.mark.parametrize("block", [1, 2, 3, 50])
def test_the_detector_smooths_exactly_in_any_blocks(block):
    # a burst right at the start: the first windows are short and cross block edges
    p = np.r_[np.full(6, 0.9), np.zeros(20), _random_posteriors(9, 400)]
    config = DetectorConfig(
        frame_seconds=HOP, smoothing_frames=7, min_frames=1, refractory_seconds=0.0
    )
    detector = PosteriorDetector(config)
    found = []
    for k in range(0, p.size, block):
        found += detector.push(p[k : k + block])
    expected = detections_at_thresholds(p, config, [0.5])[0.5]
    assert found + detector.flush() == expected and expected[0].start < 0
