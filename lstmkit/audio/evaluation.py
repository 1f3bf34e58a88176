"""Wake-word metrics: false rejects against false alarms per hour, over many thresholds.

A wake-word engine is judged by two error rates that trade against each other through
its threshold: the **false-reject rate** (FRR: the share of spoken keywords it misses)
and the **false alarms per hour** (FA/h: how often it wakes on audio without the
keyword). openWakeWord's published bar is FRR < 5% at < 0.5 FA/h; Porcupine reports
misses at 1 false alarm per 10 hours. Measuring FA/h needs hours of background audio,
so a threshold sweep must be cheap:

* :func:`detections_at_thresholds` gives, for every threshold, exactly the detections
  that :class:`~lstmkit.audio.detection.PosteriorDetector` (causal moving average,
  threshold, minimum and maximum span, refractory period) would give -- same starts,
  ends, scores and decision times -- but vectorised: the smoothing is computed once,
  runs of above-threshold frames are found with ``np.diff``, and Python loops only
  over those runs (a handful per minute of audio), never over frames. Ten hours of
  frames (4.5 million) at 40 thresholds take seconds.
* :func:`match_detections` scores one clip's detections against its true keyword
  spans: detections within a second of each other are merged into one (a stutter of
  the detector is one wake-up), a detection overlapping a true span widened by a
  tolerance is a **hit**, a span with no hit is a **miss**, and a detection that
  overlaps no span is a **false alarm**; several detections of one keyword count as
  one hit. Latency = when the detection was decided minus when the keyword ended.
* :func:`det_curve` sweeps thresholds over positive clips (FRR, latency), background
  audio (FA/h) and, optionally, negative clips (false alarms per clip, e.g. on
  confusable words), and :func:`frr_at_far` reads the curve at a false-alarm budget,
  :func:`operating_point` at one of its thresholds.

Torch-free (NumPy only).

Example:
    >>> import numpy as np
    >>> from lstmkit.audio import DetectorConfig
    >>> from lstmkit.audio.evaluation import det_curve, frr_at_far
    >>> cfg = DetectorConfig(frame_seconds=0.01, smoothing_frames=3)
    >>> keyword = np.r_[np.zeros(100), np.full(40, 0.9), np.zeros(100)]  # 1.0-1.4 s
    >>> background = np.zeros(360_000)  # one hour of frames without the keyword
    >>> background[1000:1030] = 0.6  # one confident false alarm
    >>> curve = det_curve([keyword], [[(1.0, 1.4)]], [background], 1.0, cfg, [0.5, 0.7])
    >>> curve.frr.tolist(), curve.false_alarms_per_hour.tolist()
    ([0.0, 0.0], [1.0, 0.0])
    >>> frr_at_far(curve, 0.5)["threshold"]
    0.7
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lstmkit._checks import check_float, describe
from lstmkit.audio.detection import Detection, DetectorConfig

__all__ = [
    "DETCurve",
    "MatchResult",
    "det_curve",
    "detections_at_thresholds",
    "false_alarm_counts",
    "frr_at_far",
    "match_detections",
    "merge_detections",
    "operating_point",
    "smoothed_posteriors",
]

#: detections this close (seconds between one's end and the next one's start) are one
MERGE_SECONDS = 1.0


# ----------------------------------------------------------------------- detections
def _posteriors(posteriors: Any, name: str) -> np.ndarray:
    p = np.asarray(posteriors, dtype=np.float64)
    if p.ndim != 1:
        raise ValueError(
            f"{name} must be a 1-D array of per-frame posteriors; received shape {p.shape}"
        )
    if not np.isfinite(p).all():
        raise ValueError(f"{name} must be finite; received NaN or inf")
    return p


def smoothed_posteriors(posteriors: Any, smoothing_frames: int) -> np.ndarray:
    """The causal moving average :class:`~lstmkit.audio.detection.PosteriorDetector` uses.

    Frame ``f`` averages frames ``max(0, f - k + 1) .. f`` (fewer at the start), summed
    left to right in exactly the detector's order, so the values are bit-identical.

    Args:
        posteriors: ``(frames,)`` keyword posteriors.
        smoothing_frames: the window ``k`` (int >= 1).

    Returns:
        ``(frames,)`` float64 smoothed posteriors.

    Example:
        >>> smoothed_posteriors([0.0, 1.0, 1.0, 0.0], 2).tolist()
        [0.0, 0.5, 1.0, 0.5]
    """
    if isinstance(smoothing_frames, bool) or not isinstance(smoothing_frames, int | np.integer):
        raise TypeError(
            f"smoothing_frames must be an int >= 1; received {describe(smoothing_frames)}"
        )
    if smoothing_frames < 1:
        raise ValueError(f"smoothing_frames must be >= 1; received {smoothing_frames}")
    p = _posteriors(posteriors, "posteriors")
    n, k = p.size, int(smoothing_frames)
    padded = np.concatenate([np.zeros(k - 1), p])
    # 0.0 + (leading zeros) + p[f-k+1] + ... + p[f]: adding exact zeros changes nothing,
    # so the short windows at the start sum like the detector's shorter deque does
    total = np.zeros(n)
    for j in range(k):
        total += padded[j : j + n]
    return total / np.minimum(np.arange(1, n + 1), k).astype(np.float64)


def _thresholds(thresholds: Any) -> list[float]:
    if isinstance(thresholds, int | float | np.integer | np.floating):
        thresholds = [thresholds]
    try:
        values = [float(t) for t in thresholds]
    except (TypeError, ValueError):
        raise TypeError(
            f"thresholds must be a list of numbers in (0, 1); received {describe(thresholds)}"
        ) from None
    bad = [t for t in values if not 0.0 < t < 1.0]
    if not values or bad:
        raise ValueError(
            f"thresholds must be a non-empty list of numbers in (0, 1); "
            f"received {list(thresholds)!r}"
        )
    return values


def _spans_at(
    smoothed: np.ndarray, threshold: float, cfg: DetectorConfig, refractory: int
) -> tuple[list[int], list[int], list[int]]:
    """(first, last, decided) frames of the detector's spans at ``threshold``."""
    n = smoothed.size
    above = smoothed >= threshold
    edges = np.diff(np.concatenate([[0], above.view(np.int8), [0]]))
    run_starts = np.flatnonzero(edges == 1)
    run_ends = np.flatnonzero(edges == -1) - 1
    # a run shorter than min_frames can never give a detection, nor start a refractory
    # period (a discarded span leaves the detector as it was): drop those runs at once
    keep = run_ends - run_starts + 1 >= cfg.min_frames
    firsts: list[int] = []
    lasts: list[int] = []
    decided: list[int] = []
    deaf = -1  # no span may start before this frame
    for a, b in zip(run_starts[keep].tolist(), run_ends[keep].tolist(), strict=True):
        start = max(a, deaf)
        while start <= b:
            end = min(b, start + cfg.max_frames - 1)
            if end - start + 1 < cfg.min_frames:
                break  # too short (only the run's last piece can be): discarded
            firsts.append(start)
            lasts.append(end)
            # closed by the first frame after it (below the threshold, or one past
            # max_frames) -- or, at the end of the audio, by flush()
            decided.append(end + 1 if end + 1 < n else n - 1)
            deaf = end + 1 + refractory
            start = max(end + 1, deaf)
    return firsts, lasts, decided


def detections_at_thresholds(
    posteriors: Any, config: DetectorConfig, thresholds: Any
) -> dict[float, list[Detection]]:
    """What :class:`~lstmkit.audio.detection.PosteriorDetector` detects, at many thresholds.

    Exactly the detector's output (``push`` of all frames, then ``flush``) with
    ``config.threshold`` replaced by each threshold in turn: same starts, ends, scores
    and ``decided_at``. Vectorised: the cost is a few array passes per threshold plus a
    Python step per above-threshold run, whatever the number of frames.

    Args:
        posteriors: ``(frames,)`` keyword posteriors of one recording.
        config: the detector's settings (its ``threshold`` is ignored).
        thresholds: numbers in (0, 1).

    Returns:
        ``{threshold: [Detection, ...]}``, keys as floats in the order given.

    Example:
        >>> import numpy as np
        >>> from lstmkit.audio import DetectorConfig
        >>> p = np.r_[np.zeros(50), np.full(20, 0.6), np.full(20, 0.9), np.zeros(50)]
        >>> found = detections_at_thresholds(p, DetectorConfig(frame_seconds=0.01), [0.5, 0.8])
        >>> {t: [(round(d.start, 2), round(d.end, 2)) for d in ds] for t, ds in found.items()}
        {0.5: [(0.52, 0.9)], 0.8: [(0.7, 0.88)]}
    """
    if not isinstance(config, DetectorConfig):
        raise TypeError(f"config must be a DetectorConfig; received {describe(config)}")
    values = _thresholds(thresholds)
    smoothed = smoothed_posteriors(posteriors, config.smoothing_frames)
    refractory = round(config.refractory_seconds / config.frame_seconds)
    hop = config.frame_seconds
    delay = (config.smoothing_frames - 1) / 2

    def time(frame: int) -> float:  # the detector's _time, the same float operations
        return config.first_frame_seconds + (frame - delay) * hop

    # one extra element so that reduceat may be given the index one past the end
    padded = np.concatenate([smoothed, [0.0]])
    result: dict[float, list[Detection]] = {}
    for threshold in values:
        firsts, lasts, decided = _spans_at(smoothed, threshold, config, refractory)
        if not firsts:
            result[threshold] = []
            continue
        bounds = np.empty(2 * len(firsts), dtype=np.intp)
        bounds[0::2] = firsts
        bounds[1::2] = np.asarray(lasts) + 1
        scores = np.maximum.reduceat(padded, bounds)[0::2].tolist()
        result[threshold] = [
            Detection(
                start=time(first) - hop / 2,
                end=time(last) + hop / 2,
                score=float(score),
                decided_at=float(time(when) + hop / 2 + config.latency_seconds),
            )
            for first, last, when, score in zip(firsts, lasts, decided, scores, strict=True)
        ]
    return result


# -------------------------------------------------------------------------- matching
def merge_detections(
    detections: Sequence[Detection], within_s: float = MERGE_SECONDS
) -> list[Detection]:
    """Detections closer than ``within_s`` seconds to each other merged into one.

    A merged detection spans all of its parts, keeps their best score and the first
    part's ``decided_at`` (when the system first woke).

    Args:
        detections: :class:`~lstmkit.audio.detection.Detection` s of one recording.
        within_s: the largest gap (seconds from one's end to the next one's start) that
            still merges (>= 0).

    Returns:
        The merged detections, sorted by start.

    Example:
        >>> from lstmkit.audio import Detection
        >>> parts = [Detection(1.0, 1.2, 0.7, 1.3), Detection(1.8, 2.0, 0.9, 2.1),
        ...          Detection(5.0, 5.3, 0.8, 5.4)]
        >>> [(d.start, d.end, d.score, d.decided_at) for d in merge_detections(parts)]
        [(1.0, 2.0, 0.9, 1.3), (5.0, 5.3, 0.8, 5.4)]
    """
    check_float("within_s", within_s, 0.0)
    merged: list[Detection] = []
    for d in sorted(detections, key=lambda d: (d.start, d.end)):
        if merged and d.start - merged[-1].end <= within_s:
            last = merged[-1]
            merged[-1] = Detection(
                start=last.start,
                end=max(last.end, d.end),
                score=max(last.score, d.score),
                decided_at=min(last.decided_at, d.decided_at),
            )
        else:
            merged.append(d)
    return merged


@dataclass(frozen=True)
class MatchResult:
    """One recording's detections scored against its true keyword spans.

    Args:
        hits: the true spans that were detected.
        misses: the true spans that were not.
        false_alarms: (merged) detections that overlap no (widened) true span.
        latencies: per hit, seconds from the keyword's end to the decision of the
            first detection that overlapped it (negative: decided before it ended).

    Returns:
        A frozen record.

    Example:
        >>> MatchResult(hits=[(1.0, 1.4)], misses=[], false_alarms=[], latencies=[0.1]).n_hits
        1
    """

    hits: list[tuple[float, float]] = field(default_factory=list)
    misses: list[tuple[float, float]] = field(default_factory=list)
    false_alarms: list[Detection] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)

    @property
    def n_hits(self) -> int:
        return len(self.hits)

    @property
    def n_misses(self) -> int:
        return len(self.misses)

    @property
    def n_false_alarms(self) -> int:
        return len(self.false_alarms)


def _true_spans(spans: Any, name: str) -> list[tuple[float, float]]:
    try:
        result = [(float(a), float(b)) for a, b in spans]
    except (TypeError, ValueError):
        raise TypeError(
            f"{name} must be a list of (start_s, end_s) pairs; received {describe(spans)}"
        ) from None
    for a, b in result:
        if not (np.isfinite(a) and np.isfinite(b) and a <= b):
            raise ValueError(f"{name}: span ({a}, {b}) must have finite start <= end")
    return sorted(result)


def match_detections(
    detections: Sequence[Detection],
    true_spans: Any,
    tolerance_s: float = 0.5,
    *,
    merge_s: float = MERGE_SECONDS,
) -> MatchResult:
    """Score one recording's detections against where the keyword really is.

    Detections within ``merge_s`` of each other are merged first (one wake-up). A
    merged detection that overlaps a true span widened by ``tolerance_s`` on each side
    is a hit for that span; a span with no such detection is a miss; a detection that
    overlaps no widened span is a false alarm. Several detections of one keyword make
    one hit and no false alarms.

    Args:
        detections: the recording's detections (any order).
        true_spans: ``(start_s, end_s)`` of each spoken keyword (``[]``: none).
        tolerance_s: seconds a detection may lie before or after the span (>= 0).
        merge_s: detections closer than this are one (>= 0; the issue's one second).

    Returns:
        A :class:`MatchResult`.

    Example:
        >>> from lstmkit.audio import Detection
        >>> found = [Detection(1.1, 1.5, 0.9, 1.6), Detection(7.0, 7.2, 0.6, 7.3)]
        >>> m = match_detections(found, [(1.0, 1.4), (4.0, 4.4)])
        >>> m.n_hits, m.n_misses, m.n_false_alarms, [round(x, 2) for x in m.latencies]
        (1, 1, 1, [0.2])
    """
    check_float("tolerance_s", tolerance_s, 0.0)
    spans = _true_spans(true_spans, "true_spans")
    merged = merge_detections(detections, merge_s)
    matched = [False] * len(merged)
    hits, misses, latencies = [], [], []
    for a, b in spans:
        lo, hi = a - tolerance_s, b + tolerance_s
        overlapping = [i for i, d in enumerate(merged) if d.start <= hi and d.end >= lo]
        for i in overlapping:
            matched[i] = True
        if overlapping:
            hits.append((a, b))
            latencies.append(min(merged[i].decided_at for i in overlapping) - b)
        else:
            misses.append((a, b))
    alarms = [d for d, m in zip(merged, matched, strict=True) if not m]
    return MatchResult(hits=hits, misses=misses, false_alarms=alarms, latencies=latencies)


# ------------------------------------------------------------------------ DET curve
@dataclass(frozen=True)
class DETCurve:
    """A detection-error trade-off: error rates per threshold (ascending thresholds).

    Args:
        thresholds: ``(m,)`` thresholds.
        frr: ``(m,)`` false-reject rate on the positive clips' keywords.
        false_alarms: ``(m,)`` false alarms counted on the background.
        false_alarms_per_hour: ``(m,)`` those per hour of background.
        background_hours: hours of background audio.
        n_keywords: keywords spoken in the positive clips.
        positive_false_alarms: ``(m,)`` detections on positive clips matching no keyword.
        negative_false_alarms: ``(m,)`` detections on the negative clips (None: none
            given).
        n_negative_clips: negative clips (0: none given).
        latencies: per threshold, the latency of every hit (seconds).

    Returns:
        A frozen record; :meth:`to_dict` gives plain JSON types.

    Example:
        >>> c = DETCurve(np.array([0.5]), np.array([0.1]), np.array([2]), np.array([0.2]),
        ...              10.0, 10, np.array([0]), None, 0, [np.array([0.1, 0.2])])
        >>> c.to_dict()["median_latency"]
        [0.15]
    """

    thresholds: np.ndarray
    frr: np.ndarray
    false_alarms: np.ndarray
    false_alarms_per_hour: np.ndarray
    background_hours: float
    n_keywords: int
    positive_false_alarms: np.ndarray
    negative_false_alarms: np.ndarray | None
    n_negative_clips: int
    latencies: list[np.ndarray]

    @property
    def median_latency(self) -> np.ndarray:
        """Median hit latency per threshold (NaN where nothing was hit)."""
        return np.array([float(np.median(x)) if len(x) else np.nan for x in self.latencies])

    def to_dict(self) -> dict[str, Any]:
        """The curve as plain JSON types (NaN latencies become None).

        Returns:
            A dict of lists and numbers.
        """

        def floats(values: Any) -> list[float | None]:
            return [None if not np.isfinite(v) else round(float(v), 6) for v in values]

        return {
            "thresholds": floats(self.thresholds),
            "frr": floats(self.frr),
            "false_alarms": [int(v) for v in self.false_alarms],
            "false_alarms_per_hour": floats(self.false_alarms_per_hour),
            "background_hours": float(self.background_hours),
            "n_keywords": int(self.n_keywords),
            "positive_false_alarms": [int(v) for v in self.positive_false_alarms],
            "negative_false_alarms": None
            if self.negative_false_alarms is None
            else [int(v) for v in self.negative_false_alarms],
            "n_negative_clips": int(self.n_negative_clips),
            "median_latency": floats(self.median_latency),
        }


def _posterior_list(value: Any, name: str) -> list[np.ndarray]:
    if isinstance(value, np.ndarray) and value.ndim == 1:
        value = [value]
    if isinstance(value, str) or not isinstance(value, Sequence | np.ndarray):
        raise TypeError(
            f"{name} must be a list of 1-D posterior arrays; received {describe(value)}"
        )
    return [_posteriors(p, f"{name}[{i}]") for i, p in enumerate(value)]


def false_alarm_counts(
    background_posteriors: Any,
    config: DetectorConfig,
    thresholds: Any,
    *,
    merge_s: float = MERGE_SECONDS,
) -> np.ndarray:
    """False alarms on keyword-free audio at each threshold (merged within ``merge_s``).

    The expensive half of a DET curve on hours of background: compute it once and
    pass it to :func:`det_curve` (``background_false_alarms``) for every set of
    positive clips scored against the same background and detector.

    Args:
        background_posteriors: one ``(frames,)`` array, or a list of them (each its own
            recording).
        config: the detector's settings (threshold ignored).
        thresholds: numbers in (0, 1); counted in ascending order.
        merge_s: detections closer than this count once.

    Returns:
        ``(len(thresholds),)`` int64 counts, for the thresholds sorted ascending.

    Example:
        >>> import numpy as np
        >>> from lstmkit.audio import DetectorConfig
        >>> p = np.zeros(1000)
        >>> p[100:120] = 0.7
        >>> p[600:620] = 0.9
        >>> cfg = DetectorConfig(frame_seconds=0.01, smoothing_frames=1)
        >>> false_alarm_counts([p], cfg, [0.8, 0.5]).tolist()
        [2, 1]
    """
    if not isinstance(config, DetectorConfig):
        raise TypeError(f"config must be a DetectorConfig; received {describe(config)}")
    values = sorted(set(_thresholds(thresholds)))
    background = _posterior_list(background_posteriors, "background_posteriors")
    alarms = np.zeros(len(values), dtype=np.int64)
    for p in background:
        found = detections_at_thresholds(p, config, values)
        for j, t in enumerate(values):
            alarms[j] += len(merge_detections(found[t], merge_s))
    return alarms


def det_curve(
    positive_posteriors: Any,
    positive_spans: Any,
    background_posteriors: Any,
    background_hours: float,
    config: DetectorConfig,
    thresholds: Any,
    *,
    negative_posteriors: Any = None,
    background_false_alarms: Any = None,
    tolerance_s: float = 0.5,
    merge_s: float = MERGE_SECONDS,
) -> DETCurve:
    """False rejects on keyword clips against false alarms per hour of background.

    Each recording goes through the detector at every threshold
    (:func:`detections_at_thresholds`) and :func:`match_detections`: FRR = missed
    keywords / keywords in ``positive_posteriors``; false alarms on the background are
    its (merged) detections, counted per hour of ``background_hours``.

    Args:
        positive_posteriors: per positive clip, ``(frames,)`` posteriors.
        positive_spans: per positive clip, its keyword ``(start_s, end_s)`` spans.
        background_posteriors: keyword-free recordings' posteriors (one array, or a
            list: each is its own stream, e.g. a whole background stream in one array);
            None when ``background_false_alarms`` gives their counts.
        background_hours: hours of audio the background posteriors cover (> 0).
        config: the detector's settings (threshold ignored).
        thresholds: numbers in (0, 1); sorted ascending in the curve.
        negative_posteriors: optional keyword-free clips (e.g. confusable words):
            their detections are counted as ``negative_false_alarms``.
        background_false_alarms: the background's counts from
            :func:`false_alarm_counts` (same config, thresholds and ``merge_s``),
            instead of ``background_posteriors``.
        tolerance_s, merge_s: as for :func:`match_detections`.

    Returns:
        A :class:`DETCurve`.

    Example:
        >>> import numpy as np
        >>> from lstmkit.audio import DetectorConfig
        >>> cfg = DetectorConfig(frame_seconds=0.01, smoothing_frames=1)
        >>> hit = np.r_[np.zeros(100), np.full(30, 0.8), np.zeros(50)]
        >>> curve = det_curve([hit, np.zeros(180)], [[(1.0, 1.3)], [(0.5, 0.8)]],
        ...                   np.zeros(3600), 0.01, cfg, [0.5, 0.9])
        >>> curve.frr.tolist(), curve.false_alarms_per_hour.tolist()
        ([0.5, 1.0], [0.0, 0.0])
    """
    if not isinstance(config, DetectorConfig):
        raise TypeError(f"config must be a DetectorConfig; received {describe(config)}")
    values = sorted(set(_thresholds(thresholds)))
    positives = _posterior_list(positive_posteriors, "positive_posteriors")
    if isinstance(positive_spans, str) or len(positive_spans) != len(positives):
        raise ValueError(
            f"positive_spans must give the spans of each of the "
            f"{len(positives)} positive clips; received "
            f"{describe(positive_spans)}"
        )
    spans = [_true_spans(s, f"positive_spans[{i}]") for i, s in enumerate(positive_spans)]
    if (background_posteriors is None) == (background_false_alarms is None):
        raise ValueError("give exactly one of background_posteriors and background_false_alarms")
    check_float("background_hours", background_hours, 0.0)
    if background_hours <= 0:
        raise ValueError(f"background_hours must be > 0; received {background_hours}")
    negatives = (
        None
        if negative_posteriors is None
        else _posterior_list(negative_posteriors, "negative_posteriors")
    )
    m = len(values)
    missed = np.zeros(m, dtype=np.int64)
    positive_alarms = np.zeros(m, dtype=np.int64)
    latencies: list[list[float]] = [[] for _ in range(m)]
    for p, clip_spans in zip(positives, spans, strict=True):
        found = detections_at_thresholds(p, config, values)
        for j, t in enumerate(values):
            match = match_detections(found[t], clip_spans, tolerance_s, merge_s=merge_s)
            missed[j] += match.n_misses
            positive_alarms[j] += match.n_false_alarms
            latencies[j].extend(match.latencies)
    if background_false_alarms is None:
        alarms = false_alarm_counts(background_posteriors, config, values, merge_s=merge_s)
    else:
        alarms = np.asarray(background_false_alarms, dtype=np.int64).reshape(-1)
        if alarms.shape != (m,):
            raise ValueError(
                f"background_false_alarms must hold one count per threshold "
                f"({m}); received {alarms.size}"
            )
    negative_alarms = None
    if negatives is not None:
        negative_alarms = np.zeros(m, dtype=np.int64)
        for p in negatives:
            found = detections_at_thresholds(p, config, values)
            for j, t in enumerate(values):
                negative_alarms[j] += len(merge_detections(found[t], merge_s))
    n_keywords = sum(len(s) for s in spans)
    frr = missed / n_keywords if n_keywords else np.full(m, np.nan)
    return DETCurve(
        thresholds=np.asarray(values),
        frr=np.asarray(frr, dtype=np.float64),
        false_alarms=alarms,
        false_alarms_per_hour=alarms / float(background_hours),
        background_hours=float(background_hours),
        n_keywords=n_keywords,
        positive_false_alarms=positive_alarms,
        negative_false_alarms=negative_alarms,
        n_negative_clips=0 if negatives is None else len(negatives),
        latencies=[np.asarray(x, dtype=np.float64) for x in latencies],
    )


def frr_at_far(curve: DETCurve, far_per_hour: float) -> dict[str, Any]:
    """The curve read at a false-alarm budget: the best FRR with FA/h <= the budget.

    Args:
        curve: a :class:`DETCurve`.
        far_per_hour: the false alarms per hour allowed (>= 0).

    Returns:
        ``{"far_per_hour", "reached", "frr", "threshold", "false_alarms_per_hour",
        "median_latency"}``: the lowest FRR among thresholds whose FA/h is at most the
        budget (ties: the fewer false alarms, then the higher threshold). When no
        threshold is that quiet, ``reached`` is False, ``frr`` is 1.0 (everything would
        have to be rejected) and ``threshold`` is ``"not reached"``.

    Example:
        >>> c = DETCurve(np.array([0.3, 0.6, 0.9]), np.array([0.0, 0.05, 0.4]),
        ...              np.array([12, 4, 0]), np.array([1.2, 0.4, 0.0]), 10.0, 20,
        ...              np.zeros(3), None, 0, [np.array([0.1])] * 3)
        >>> r = frr_at_far(c, 0.5)
        >>> r["frr"], r["threshold"], r["reached"]
        (0.05, 0.6, True)
        >>> frr_at_far(c, 0.0)["threshold"], frr_at_far(c, 0.0)["frr"]
        (0.9, 0.4)
    """
    if not isinstance(curve, DETCurve):
        raise TypeError(f"curve must be a DETCurve; received {describe(curve)}")
    check_float("far_per_hour", far_per_hour, 0.0)
    ok = np.flatnonzero(curve.false_alarms_per_hour <= far_per_hour + 1e-12)
    if ok.size == 0:
        return {
            "far_per_hour": float(far_per_hour),
            "reached": False,
            "frr": 1.0,
            "threshold": "not reached",
            "false_alarms_per_hour": None,
            "median_latency": None,
        }
    best = min(
        ok.tolist(),
        key=lambda i: (curve.frr[i], curve.false_alarms_per_hour[i], -curve.thresholds[i]),
    )
    latency = curve.median_latency[best]
    return {
        "far_per_hour": float(far_per_hour),
        "reached": True,
        "frr": float(curve.frr[best]),
        "threshold": float(curve.thresholds[best]),
        "false_alarms_per_hour": float(curve.false_alarms_per_hour[best]),
        "median_latency": None if not np.isfinite(latency) else float(latency),
    }


def operating_point(curve: DETCurve, threshold: float) -> dict[str, Any]:
    """The curve read at one of its thresholds (e.g. the one chosen on validation).

    Args:
        curve: a :class:`DETCurve`.
        threshold: one of ``curve.thresholds`` (compared with ``numpy.isclose``).

    Returns:
        ``{"threshold", "frr", "false_alarms_per_hour", "false_alarms",
        "negative_clip_false_alarms", "negative_clip_false_alarm_rate",
        "positive_clip_false_alarms", "median_latency_s"}``; the negative-clip counts
        are None when the curve was built without negative clips, the latency None when
        nothing was hit.

    Example:
        >>> c = DETCurve(np.array([0.3, 0.6]), np.array([0.0, 0.05]), np.array([12, 4]),
        ...              np.array([1.2, 0.4]), 10.0, 20, np.array([1, 0]), None, 0,
        ...              [np.array([0.1]), np.array([0.2, 0.4])])
        >>> r = operating_point(c, 0.6)
        >>> r["frr"], r["false_alarms"], r["median_latency_s"], r["negative_clip_false_alarms"]
        (0.05, 4, 0.30000000000000004, None)
    """
    if not isinstance(curve, DETCurve):
        raise TypeError(f"curve must be a DETCurve; received {describe(curve)}")
    check_float("threshold", threshold, 0.0)
    matches = np.flatnonzero(np.isclose(curve.thresholds, threshold))
    if matches.size == 0:
        raise ValueError(f"threshold must be one of the curve's thresholds; received {threshold!r}")
    j = int(matches[0])
    latency = curve.median_latency[j]
    negatives = curve.negative_false_alarms
    n_negative = curve.n_negative_clips
    return {
        "threshold": float(threshold),
        "frr": float(curve.frr[j]),
        "false_alarms_per_hour": float(curve.false_alarms_per_hour[j]),
        "false_alarms": int(curve.false_alarms[j]),
        "negative_clip_false_alarms": None if negatives is None else int(negatives[j]),
        "negative_clip_false_alarm_rate": None
        if not n_negative
        else float(negatives[j] / n_negative),
        "positive_clip_false_alarms": int(curve.positive_false_alarms[j]),
        "median_latency_s": None if not np.isfinite(latency) else float(latency),
    }
