"""Simulated datasets, generated on demand and reproducible from a seed."""

from __future__ import annotations

import functools

import numpy as np

from lstmkit._checks import check_float, check_int
from lstmkit.datasets.types import SeriesData

# Frequencies in cycles per step: periods from 8 steps (still ~4 samples per half
# wave, so the wave is visible) to 50 steps (at least two periods in a 100-step series).
MIN_FREQUENCY = 1 / 50
MAX_FREQUENCY = 1 / 8


def load_waveform(
    *,
    num_sequences: int = 1000,
    num_channels: int = 3,
    min_length: int = 100,
    max_length: int = 200,
    num_components: int = 3,
    noise: float = 0.05,
    seed: int = 0,
) -> SeriesData:
    """Validate the options, then generate (or take from the cache) the waveforms."""
    check_int("num_sequences", num_sequences, 1)
    check_int("num_channels", num_channels, 1)
    check_int("min_length", min_length, 2)
    check_int("max_length", max_length, 2)
    if max_length < min_length:
        raise ValueError(
            f"max_length must be >= min_length ({min_length}); received max_length={max_length}"
        )
    check_int("num_components", num_components, 1)
    check_float("noise", noise, 0.0)
    check_int("seed", seed, 0)
    return _generate_waveforms(
        int(num_sequences), int(num_channels), int(min_length), int(max_length),
        int(num_components), float(noise), int(seed),
    )  # fmt: skip


@functools.lru_cache(maxsize=8)
def _generate_waveforms(
    num_sequences: int,
    num_channels: int,
    min_length: int,
    max_length: int,
    num_components: int,
    noise: float,
    seed: int,
) -> SeriesData:
    # One child generator per sequence: sequence i depends only on (seed, i), so asking
    # for more sequences extends the set instead of reshuffling it.
    children = np.random.SeedSequence(seed).spawn(num_sequences)
    series, time_index = [], []
    for child in children:
        rng = np.random.default_rng(child)
        length = int(rng.integers(min_length, max_length + 1))
        # The channels share the sequence's frequencies (one source seen by several
        # sensors), each with its own amplitude and phase, so they carry information
        # about each other, which a multivariate forecaster can use.
        freq = rng.uniform(MIN_FREQUENCY, MAX_FREQUENCY, size=(num_components, 1))
        amplitude = rng.uniform(0.2, 1.0, size=(num_components, num_channels))
        phase = rng.uniform(0.0, 2.0 * np.pi, size=(num_components, num_channels))
        t = np.arange(length)
        # (length, components, channels), summed over the components
        waves = amplitude * np.sin(2.0 * np.pi * freq * t[:, None, None] + phase)
        values = waves.sum(axis=1) + noise * rng.standard_normal((length, num_channels))
        series.append(values.astype(np.float32))
        time_index.append(t.astype(np.int64))
    return SeriesData(
        series=series,
        time_index=time_index,
        frequency="step",
        seasonal_period=1,
        name="waveform",
        description=(
            f"{num_sequences} simulated waveforms of {min_length}-{max_length} steps and "
            f"{num_channels} channels, like the WaveformData set of MATLAB's time-series "
            f"forecasting example. Each channel sums {num_components} sinusoids whose "
            f"frequencies (periods of 8-50 steps) the channels share and whose amplitudes "
            f"(0.2-1) and phases are drawn per channel, plus Gaussian noise of standard "
            f"deviation {noise}. Seed {seed}."
        ),
        units="arbitrary",
        feature_names=[f"channel_{k}" for k in range(1, num_channels + 1)],
    )
