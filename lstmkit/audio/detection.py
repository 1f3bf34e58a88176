"""From per-frame keyword posteriors to detections: smoothing, threshold, refractory.

A keyword spotter's network gives, for every feature frame, the probability that the
keyword is being spoken there. A wake-word engine turns that into events the way
openWakeWord and Porcupine do: average the posterior over a short causal window (one
noisy frame must not fire), fire when the average crosses a threshold, and then stay
deaf for a refractory period so one utterance gives one detection.

:class:`PosteriorDetector` does exactly that, one block of frames at a time, so the same
object serves offline detection (all frames at once) and streaming (blocks as audio
arrives): both give identical detections, which the tests check.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from lstmkit._checks import check_float, check_int, check_positive, describe

__all__ = ["Detection", "DetectorConfig", "PosteriorDetector", "detect_in_posteriors"]


@dataclass(frozen=True)
class Detection:
    """One keyword detection.

    Args:
        start, end: seconds from the start of the audio where the smoothed posterior
            was above the threshold (compensated for the smoothing window's delay).
        score: the highest smoothed posterior in that span (0..1).
        decided_at: seconds of audio that had been heard when the detection was
            decided (a stream cannot know sooner); ``decided_at - end`` of the true
            keyword is the detection latency.

    Returns:
        A frozen record that unpacks as ``(start, end, score)``.

    Example:
        >>> start, end, score = Detection(1.2, 1.6, 0.93, decided_at=1.7)
        >>> end - start < 0.5, score
        (True, 0.93)
    """

    start: float
    end: float
    score: float
    decided_at: float

    def __iter__(self) -> Iterator[float]:
        """Unpacks as ``(start, end, score)``."""
        return iter((self.start, self.end, self.score))

    def to_dict(self) -> dict[str, float]:
        return {k: round(float(v), 4) for k, v in asdict(self).items()}


@dataclass(frozen=True)
class DetectorConfig:
    """How posteriors become detections.

    Args:
        frame_seconds: seconds between frames (the feature hop).
        first_frame_seconds: time of frame 0's centre.
        threshold: fire when the smoothed posterior reaches this (0 < threshold < 1).
        smoothing_frames: causal moving-average length (1: no smoothing).
        min_frames: a span must last this many frames to count.
        max_frames: a span is closed (and reported) after this many frames even if
            the posterior stays high, so a stream never waits forever.
        refractory_seconds: after a detection, no new span may start for this long
            after its end.
        latency_seconds: how far the frames lag behind the audio heard (the feature
            extractor's look-ahead), added to ``decided_at``.

    Returns:
        A frozen, validated configuration for :class:`PosteriorDetector`.

    Example:
        >>> cfg = DetectorConfig(frame_seconds=0.008, threshold=0.5, smoothing_frames=3)
        >>> cfg.threshold, cfg.refractory_seconds
        (0.5, 1.0)
    """

    frame_seconds: float
    first_frame_seconds: float = 0.0
    threshold: float = 0.5
    smoothing_frames: int = 5
    min_frames: int = 3
    max_frames: int = 250
    refractory_seconds: float = 1.0
    latency_seconds: float = 0.0

    def __post_init__(self) -> None:
        check_positive("frame_seconds", self.frame_seconds)
        check_float("first_frame_seconds", self.first_frame_seconds, 0.0)
        check_float("threshold", self.threshold, 0.0)
        if not 0.0 < self.threshold < 1.0:
            raise ValueError(f"threshold must be in (0, 1); received {describe(self.threshold)}")
        check_int("smoothing_frames", self.smoothing_frames, 1)
        check_int("min_frames", self.min_frames, 1)
        check_int("max_frames", self.max_frames, self.min_frames)
        check_float("refractory_seconds", self.refractory_seconds, 0.0)
        check_float("latency_seconds", self.latency_seconds, 0.0)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class PosteriorDetector:
    """Causal smoothing, threshold and refractory period over a stream of posteriors.

    Args:
        config: a :class:`DetectorConfig`.

    Returns:
        ``push(posteriors)`` gives the detections decided by those frames; ``flush()``
        those still open at the end of the audio.

    Example:
        >>> import numpy as np
        >>> det = PosteriorDetector(DetectorConfig(frame_seconds=0.01, smoothing_frames=1))
        >>> p = np.r_[np.zeros(50), np.ones(20), np.zeros(50)]
        >>> [(round(d.start, 3), round(d.end, 3)) for d in det.push(p) + det.flush()]
        [(0.495, 0.695)]
    """

    def __init__(self, config: DetectorConfig) -> None:
        if not isinstance(config, DetectorConfig):
            raise TypeError(f"config must be a DetectorConfig; received {describe(config)}")
        self.config = config
        self.reset()

    def reset(self) -> None:
        """Forget everything heard (a new stream)."""
        # the last k - 1 posteriors, zeros before the first frame (see push)
        self._history = np.zeros(self.config.smoothing_frames - 1)
        self._frame = 0  # index of the next frame
        self._open: tuple[int, float] | None = None  # (first frame, best score)
        self._deaf_until = -1  # no span may start before this frame

    def _time(self, frame: float) -> float:
        # the moving average of frames (f - k + 1 .. f) is centred (k - 1) / 2 frames back
        delay = (self.config.smoothing_frames - 1) / 2
        return self.config.first_frame_seconds + (frame - delay) * self.config.frame_seconds

    def _close(self, last: int, decided: int) -> Detection | None:
        first, score = self._open  # type: ignore[misc]
        self._open = None
        if last - first + 1 < self.config.min_frames:
            return None
        refractory = round(self.config.refractory_seconds / self.config.frame_seconds)
        self._deaf_until = last + 1 + refractory
        heard = self._time(decided) + self.config.frame_seconds / 2 + self.config.latency_seconds
        return Detection(
            start=self._time(first) - self.config.frame_seconds / 2,
            end=self._time(last) + self.config.frame_seconds / 2,
            score=float(score),
            decided_at=float(heard),
        )

    def push(self, posteriors: Any) -> list[Detection]:
        """Take the next frames' keyword posteriors; return the detections they decide."""
        p = np.asarray(posteriors, dtype=np.float64).reshape(-1)
        if not np.isfinite(p).all():
            raise ValueError("posteriors must be finite; received NaN or inf")
        found: list[Detection] = []
        cfg = self.config
        if p.size == 0:
            return found
        # The causal moving average of the block, vectorised: each frame's window (the
        # last k posteriors, fewer at the very start) summed left to right -- a running
        # sum along the window adds them one after another, as a per-frame loop does.
        # Zeros stand in before the first frame (adding an exact 0.0 changes nothing),
        # so the sums are bit for bit those of a per-frame loop (but for the sign of an
        # all-zero sum, which no threshold in (0, 1) tells apart), and
        # lstmkit.audio.evaluation reproduces them exactly in a threshold sweep. No
        # running total across frames: adding the new frame and subtracting the oldest
        # would drift by rounding over hours of frames.
        k = cfg.smoothing_frames
        padded = np.concatenate((self._history, p))
        step = padded.strides[0]
        windows = np.ndarray((p.size, k), padded.dtype, padded, 0, (step, step))  # no copy
        total = windows.cumsum(axis=1)[:, -1]
        if self._frame + 1 >= k:  # every window is full: one divisor (the same quotients)
            smoothed_block = total / float(k)
        else:
            index = np.arange(self._frame, self._frame + p.size)
            smoothed_block = total / np.minimum(index + 1, k).astype(np.float64)
        self._history = padded[padded.size - (k - 1) :]
        if self._open is None and not (smoothed_block >= cfg.threshold).any():
            # nothing open and nothing reaches the threshold: no frame changes anything
            # but the frame count (most blocks of a stream; skips the per-frame loop)
            self._frame += p.size
            return found
        for smoothed in smoothed_block.tolist():
            f = self._frame
            self._frame += 1
            if self._open is not None:
                first, best = self._open
                if smoothed >= cfg.threshold and f - first < cfg.max_frames:
                    self._open = (first, max(best, smoothed))
                    continue
                closed = self._close(f - 1, f)
                if closed is not None:
                    found.append(closed)
                # fall through: after a span closed at max_frames, this frame may open
                # the next one (below the threshold it opens nothing)
            if smoothed >= cfg.threshold and f >= self._deaf_until:
                self._open = (f, smoothed)
        return found

    def flush(self) -> list[Detection]:
        """The end of the audio: close a span that is still open."""
        if self._open is None:
            return []
        closed = self._close(self._frame - 1, self._frame - 1)
        return [] if closed is None else [closed]


def detect_in_posteriors(posteriors: Any, config: DetectorConfig) -> list[Detection]:
    """All detections in one clip's posteriors (offline; the same as streaming them).

    Args:
        posteriors: ``(frames,)`` keyword probabilities.
        config: a :class:`DetectorConfig`.

    Returns:
        The detections, in time order.

    Example:
        >>> import numpy as np
        >>> p = np.r_[np.zeros(40), np.full(30, 0.9), np.zeros(40)]
        >>> len(detect_in_posteriors(p, DetectorConfig(frame_seconds=0.008)))
        1
    """
    detector = PosteriorDetector(config)
    return detector.push(posteriors) + detector.flush()
