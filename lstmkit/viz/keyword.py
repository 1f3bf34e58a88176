"""Figures of keyword spotting: the DET curve and a clip with its true and predicted masks.

:func:`plot_det_curves` draws the detection-error trade-off the way wake-word engines
report it -- false-reject rate against false alarms per hour on a log axis, one line
per model, the false-alarm budget marked -- with one panel per test condition (clean,
10 dB, 0 dB). :func:`plot_keyword_masks` shows one recording: its waveform with the
true keyword span shaded, and the model's per-frame posterior against the threshold
with the detections it made.

Plain arrays in (seconds, rates, posteriors): this module knows nothing of audio
features or detectors.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from lstmkit.viz._common import check_png_path, check_title, describe, numeric_array
from lstmkit.viz.style import (
    BLUE,
    GREEN,
    ORANGE,
    PURPLE,
    RED,
    SKY,
    YELLOW,
    new_figure,
    save_figure,
)

__all__ = ["plot_det_curves", "plot_keyword_masks"]

_COLOURS = (BLUE, ORANGE, YELLOW, PURPLE, GREEN, SKY, RED)


def plot_det_curves(
    curves: Mapping[str, Mapping[str, tuple[Any, Any]]],
    path: str | os.PathLike[str],
    *,
    background_hours: float,
    target_far: float | None = 0.5,
    target_frr: Mapping[str, float] | None = None,
    title: str | None = "Detection-error trade-off (held-out voices)",
) -> Path:
    """False-reject rate against false alarms per hour, one panel per condition.

    Zero false alarms cannot sit on a log axis: those points are drawn at half of
    one false alarm in the background's hours (marked "0" on the axis).

    Args:
        curves: condition -> model -> ``(false_alarms_per_hour, frr)`` arrays over the
            same thresholds, e.g. ``{"10 dB": {"LSTM": (far, frr), ...}, ...}``; models
            keep their colour across panels.
        path: the PNG to write.
        background_hours: hours of background the false alarms were counted on.
        target_far: the false-alarm budget to mark (a vertical line); None for none.
        target_frr: condition -> target false-reject rate (a horizontal line).
        title: the figure title; None for none.

    Returns:
        The written PNG as a ``Path``.

    Example:
        >>> import tempfile, pathlib
        >>> far, frr = np.array([3.0, 0.4, 0.0]), np.array([0.01, 0.04, 0.3])
        >>> out = pathlib.Path(tempfile.mkdtemp()) / "det.png"
        >>> plot_det_curves({"10 dB": {"LSTM": (far, frr)}}, out, background_hours=10).name
        'det.png'
    """
    path = check_png_path(path)
    title = check_title(title)
    if not isinstance(curves, Mapping) or not curves:
        raise TypeError(
            f"curves must be a non-empty dict condition -> model -> (far, frr); "
            f"received {describe(curves)}"
        )
    if not isinstance(background_hours, int | float) or background_hours <= 0:
        raise ValueError(f"background_hours must be > 0; received {describe(background_hours)}")
    floor = 0.5 / float(background_hours)
    models: list[str] = []
    for condition, per_model in curves.items():
        if not isinstance(per_model, Mapping) or not per_model:
            raise TypeError(
                f"curves[{condition!r}] must be a non-empty dict model -> (far, frr); "
                f"received {describe(per_model)}"
            )
        models.extend(m for m in per_model if m not in models)
    colour = {m: _COLOURS[i % len(_COLOURS)] for i, m in enumerate(models)}
    figure = new_figure(5.0 * len(curves), 4.4)
    axes = np.atleast_1d(figure.subplots(1, len(curves), sharey=True))
    highest = floor
    for ax, (condition, per_model) in zip(axes, curves.items(), strict=True):
        for model, pair in per_model.items():
            far = numeric_array(f"curves[{condition!r}][{model!r}][0]", pair[0], ndim=1)
            frr = numeric_array(f"curves[{condition!r}][{model!r}][1]", pair[1], ndim=1)
            if far.shape != frr.shape:
                raise ValueError(
                    f"curves[{condition!r}][{model!r}]: far and frr differ in "
                    f"length ({far.size} vs {frr.size})"
                )
            order = np.argsort(far, kind="stable")
            x = np.maximum(far[order], floor)
            highest = max(highest, float(np.nanmax(x)) if x.size else floor)
            ax.step(
                x,
                100 * frr[order],
                where="post",
                color=colour[model],
                lw=1.6,
                label=model,
                marker=".",
                ms=3,
            )
        if target_far is not None:
            ax.axvline(target_far, color="0.3", ls="--", lw=1)
        if target_frr and condition in target_frr:
            ax.axhline(100 * target_frr[condition], color="0.3", ls=":", lw=1)
        ax.set_xscale("log")
        ax.set_title(str(condition))
        ax.set_xlabel(f"false alarms per hour ({background_hours:.3g} h of background)")
        ax.grid(alpha=0.3, which="both")
    for ax in axes:
        ax.set_xlim(floor * 0.7, max(highest * 1.5, 10 * floor))
        ticks = [t for t in (0.1, 0.5, 1, 10, 100, 1000) if floor < t < highest * 1.5]
        ax.set_xticks([floor, *ticks], ["0", *[f"{t:g}" for t in ticks]])
    axes[0].set_ylabel("false rejects (%)")
    axes[0].set_ylim(-2, 102)
    axes[-1].legend(loc="upper right", fontsize=8)
    if title:
        figure.suptitle(title)
    return save_figure(figure, path)


def plot_keyword_masks(
    audio: Any,
    sample_rate: int,
    path: str | os.PathLike[str],
    *,
    frame_times: Any,
    posteriors: Any,
    true_spans: Sequence[tuple[float, float]] = (),
    detections: Sequence[tuple[float, float]] = (),
    threshold: float | None = None,
    title: str | None = None,
) -> Path:
    """One recording: the waveform with the true keyword span, and the model's posterior.

    Args:
        audio: ``(samples,)`` the recording.
        sample_rate: its rate (Hz).
        path: the PNG to write.
        frame_times: ``(frames,)`` seconds of each frame's centre.
        posteriors: ``(frames,)`` the keyword posterior per frame (0..1).
        true_spans: ``(start_s, end_s)`` where the keyword really is (shaded green).
        detections: ``(start_s, end_s)`` of the detections made (shaded orange).
        threshold: the detection threshold (a dashed line); the frames at or above it
            form the predicted mask.
        title: the figure title; None for none.

    Returns:
        The written PNG as a ``Path``.

    Example:
        >>> import tempfile, pathlib
        >>> t = np.arange(16000) / 16000
        >>> frames = np.arange(0, 1, 0.01)
        >>> out = pathlib.Path(tempfile.mkdtemp()) / "clip.png"
        >>> plot_keyword_masks(np.sin(2 * np.pi * 300 * t), 16000, out, frame_times=frames,
        ...                    posteriors=(frames > 0.4) & (frames < 0.7),
        ...                    true_spans=[(0.4, 0.7)], threshold=0.5).name
        'clip.png'
    """
    path = check_png_path(path)
    title = check_title(title)
    signal = numeric_array("audio", audio, ndim=1)
    if (
        isinstance(sample_rate, bool)
        or not isinstance(sample_rate, int | np.integer)
        or (sample_rate <= 0)
    ):
        raise ValueError(f"sample_rate must be a positive int; received {describe(sample_rate)}")
    times = numeric_array("frame_times", frame_times, ndim=1)
    p = numeric_array("posteriors", posteriors, ndim=1)
    if times.shape != p.shape:
        raise ValueError(
            f"frame_times and posteriors must have the same length; received "
            f"{times.size} and {p.size}"
        )
    figure = new_figure(10, 5)
    top, bottom = figure.subplots(2, 1, sharex=True, height_ratios=[1.2, 1])
    t = np.arange(signal.size) / sample_rate
    top.plot(t, signal, color="0.35", lw=0.5)
    for k, (a, b) in enumerate(true_spans):
        for ax in (top, bottom):
            ax.axvspan(
                a,
                b,
                color=GREEN,
                alpha=0.25,
                lw=0,
                label="true keyword" if k == 0 and ax is top else None,
            )
    for k, (a, b) in enumerate(detections):
        top.axvspan(
            a,
            b,
            ymin=0.0,
            ymax=0.12,
            color=ORANGE,
            alpha=0.9,
            lw=0,
            label="detection" if k == 0 else None,
        )
    top.set_ylabel("amplitude")
    top.legend(loc="upper right", fontsize=8)
    bottom.plot(times, p, color=BLUE, lw=1.2, label="keyword posterior")
    if threshold is not None:
        bottom.axhline(threshold, color="0.3", ls="--", lw=1, label=f"threshold {threshold:.3g}")
        predicted = (p >= threshold).astype(float)
        bottom.fill_between(
            times, 0, predicted * 0.08, color=ORANGE, step="mid", label="predicted mask"
        )
    bottom.set_ylim(-0.02, 1.02)
    bottom.set_ylabel("P(keyword)")
    bottom.set_xlabel("time (s)")
    bottom.legend(loc="upper right", fontsize=8)
    for ax in (top, bottom):
        ax.grid(alpha=0.3)
    if title:
        figure.suptitle(title)
    return save_figure(figure, path)
