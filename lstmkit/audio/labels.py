"""Per-frame keyword labels from sample positions, and back to time intervals.

A keyword-spotting network is trained to say, at every feature frame, "keyword here or
not". When the training clips are built by placing a spoken keyword into background
audio, the exact samples it occupies are known, and :func:`frame_labels` turns them into
the per-frame mask on the same grid as :func:`lstmkit.audio.mfcc`: frame ``k`` is
labelled by its centre sample ``k * hop + n_fft / 2``. :func:`intervals_from_mask` goes
the other way, from a network's per-frame decisions to detections in seconds.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from lstmkit._checks import check_int, describe
from lstmkit.audio.features import MFCCConfig, _check_config

__all__ = ["end_windows", "frame_labels", "frame_times", "intervals_from_mask", "num_frames"]


def _centres(count: int, config: MFCCConfig) -> np.ndarray:
    """Centre sample of each frame (a half sample for odd n_fft)."""
    return np.arange(count) * config.hop_length + config.n_fft / 2


def num_frames(num_samples: int, config: MFCCConfig | None = None) -> int:
    """How many frames :func:`mfcc` gives for a clip of ``num_samples``.

    Args:
        num_samples: samples in the clip.
        config: an :class:`MFCCConfig`; None uses the defaults.

    Returns:
        ``1 + (num_samples - n_fft) // hop_length``, or 0 for a clip shorter than one
        frame.

    Example:
        >>> from lstmkit.audio import num_frames
        >>> num_frames(16000), num_frames(511)
        (122, 0)
    """
    config = _check_config(config)
    check_int("num_samples", num_samples, 0)
    if num_samples < config.n_fft:
        return 0
    return 1 + (int(num_samples) - config.n_fft) // config.hop_length


def frame_times(num_frames: int, config: MFCCConfig | None = None) -> np.ndarray:
    """The time of each frame's centre, in seconds from the start of the clip.

    Args:
        num_frames: frames (e.g. ``len(mfcc(audio))``).
        config: an :class:`MFCCConfig`; None uses the defaults.

    Returns:
        A float64 array ``(num_frames,)``: ``(k * hop + n_fft / 2) / sample_rate``.

    Example:
        >>> from lstmkit.audio import frame_times
        >>> frame_times(3).tolist()
        [0.016, 0.024, 0.032]
    """
    config = _check_config(config)
    check_int("num_frames", num_frames, 0)
    return _centres(int(num_frames), config) / config.sample_rate


def _check_intervals(intervals: Any) -> np.ndarray:
    """(K, 2) float64 array of [start, end) sample positions, checked."""
    if isinstance(intervals, str | bytes) or intervals is None:
        raise TypeError(
            f"intervals must be a list of (start_sample, end_sample) pairs; received "
            f"{describe(intervals)}"
        )
    try:
        array = np.asarray(intervals, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise TypeError(
            f"intervals must be a list of (start_sample, end_sample) pairs of numbers; "
            f"received {describe(intervals)}"
        ) from error
    if array.size == 0:
        return np.zeros((0, 2))
    if array.ndim != 2 or array.shape[1] != 2:
        raise ValueError(
            f"intervals must be a list of (start_sample, end_sample) pairs; received "
            f"{describe(intervals)} (as an array: shape {array.shape})"
        )
    starts, ends = array[:, 0], array[:, 1]
    bad = ~np.isfinite(array).all(axis=1) | (starts < 0) | (ends < starts)
    if bad.any():
        i = int(np.argmax(bad))
        raise ValueError(
            f"intervals[{i}] must satisfy 0 <= start_sample <= end_sample (finite); "
            f"received {tuple(array[i].tolist())}"
        )
    return array


def frame_labels(intervals: Any, num_samples: int, config: MFCCConfig | None = None) -> np.ndarray:
    """Which frames of a clip lie on a keyword: True where the frame's centre sample is
    inside one of the ``intervals``.

    Args:
        intervals: ``[(start_sample, end_sample), ...]``, each half-open
            ``[start, end)`` in samples at ``config.sample_rate`` (e.g. where a keyword
            was placed); may be empty, may overlap, and may run past the clip's end.
        num_samples: samples in the clip.
        config: the :class:`MFCCConfig` of the features; None uses the defaults.

    Returns:
        A bool array ``(num_frames(num_samples, config),)``.

    Example:
        >>> from lstmkit.audio import frame_labels
        >>> # centres at 256, 384, 512, 640, 768 (n_fft 512, hop 128); keyword [300, 600)
        >>> frame_labels([(300, 600)], 1024).tolist()
        [False, True, True, False, False]
    """
    config = _check_config(config)
    check_int("num_samples", num_samples, 0)
    spans = _check_intervals(intervals)
    centres = _centres(num_frames(num_samples, config), config)
    # (frames, intervals) comparison: a few hundred frames by a few intervals
    inside = (centres[:, None] >= spans[None, :, 0]) & (centres[:, None] < spans[None, :, 1])
    return inside.any(axis=1)


def intervals_from_mask(
    mask: Any, config: MFCCConfig | None = None, *, min_frames: int = 1
) -> list[tuple[float, float]]:
    """Runs of True frames as ``(start_s, end_s)`` intervals in seconds.

    A run of frames ``a..b`` becomes ``[centre(a) - hop/2, centre(b) + hop/2)`` (never
    negative, as ``hop <= n_fft``): the boundaries lie halfway between a labelled and an unlabelled
    centre, so ``frame_labels`` of the interval (in samples) gives the run back.

    Args:
        mask: 1-D per-frame decisions (bool, or 0/1 integers).
        config: the :class:`MFCCConfig` of the frames; None uses the defaults.
        min_frames: drop runs shorter than this many frames (isolated false alarms).

    Returns:
        A list of ``(start_s, end_s)`` float pairs, in time order.

    Example:
        >>> from lstmkit.audio import intervals_from_mask
        >>> intervals_from_mask([0, 1, 1, 0, 0, 1])
        [(0.02, 0.036), (0.052, 0.06)]
        >>> intervals_from_mask([0, 1, 1, 0, 0, 1], min_frames=2)
        [(0.02, 0.036)]
    """
    config = _check_config(config)
    check_int("min_frames", min_frames, 1)
    if isinstance(mask, str | bytes) or mask is None:
        raise TypeError(f"mask must be a 1-D array of bools; received {describe(mask)}")
    array = np.asarray(mask)
    if array.ndim != 1:
        raise ValueError(f"mask must be 1-D (frames,); received {describe(array)}")
    if array.dtype.kind != "b":
        if array.dtype.kind not in "iu" or not np.isin(array, (0, 1)).all():
            raise ValueError(f"mask must hold bools (or 0/1 integers); received {describe(array)}")
        array = array.astype(bool)
    # run boundaries: +1 where a run starts, -1 just after it ends
    edges = np.diff(np.concatenate([[0], array.astype(np.int8), [0]]))
    starts, stops = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    hop, rate = config.hop_length, config.sample_rate
    out = []
    for a, stop in zip(starts, stops, strict=True):
        if stop - a < min_frames:
            continue
        b = stop - 1
        start = a * hop + config.n_fft / 2 - hop / 2
        end = b * hop + config.n_fft / 2 + hop / 2
        out.append((float(start / rate), float(end / rate)))
    return out


def end_windows(
    spans: Any, window: tuple[float, float], duration: float
) -> list[tuple[float, float]]:
    """Each keyword span replaced by the window around its end that a causal detector
    is trained to mark.

    A causal model hears "ye..." before it can tell "yes" from "yet", "yeah" or
    "yesterday"; it can know the word at its end. So the streaming keyword spotter's
    target is ``[end - before, end + after)`` of each span, not the whole word.

    Args:
        spans: ``[(start_s, end_s), ...]`` keyword spans in seconds.
        window: ``(before, after)`` seconds, both >= 0 and not both 0.
        duration: the clip's length in seconds (windows are cut to ``[0, duration]``).

    Returns:
        ``[(start_s, end_s), ...]``, one per span (empty windows dropped).

    Example:
        >>> from lstmkit.audio import end_windows
        >>> end_windows([(0.5, 0.9)], (0.12, 0.08), 2.0)
        [(0.78, 0.98)]
    """
    before, after = check_window("window", window)
    out = []
    for _, end in spans:
        a, b = max(0.0, float(end) - before), min(float(duration), float(end) + after)
        if b > a:
            out.append((round(a, 9), round(b, 9)))
    return out


def check_window(name: str, window: Any) -> tuple[float, float]:
    """``window`` as ``(before, after)`` seconds, both finite and >= 0, not both 0.

    Args:
        name: the argument's name, for the error.
        window: the value to check.

    Returns:
        ``(before, after)`` floats.

    Example:
        >>> from lstmkit.audio.labels import check_window
        >>> check_window("target_window", [0.12, 0.08])
        (0.12, 0.08)
    """
    try:
        before, after = (float(v) for v in window)
    except (TypeError, ValueError):
        raise TypeError(
            f"{name} must be (before_s, after_s), two numbers; received {describe(window)}"
        ) from None
    if not (np.isfinite(before) and np.isfinite(after)) or min(before, after) < 0:
        raise ValueError(f"{name} must be two finite seconds >= 0; received {window!r}")
    if before + after <= 0:
        raise ValueError(f"{name} must not be (0, 0): it would mark no frame; received {window!r}")
    return before, after
