"""Noise for speech corpora: coloured noise, mains hum, babble, mixing at an SNR, gains.

Every generator returns float32 audio at 16 kHz with unit RMS (scale it with
:func:`mix_at_snr` or by hand) and takes a ``seed`` (an int or a
``numpy.random.Generator``): the same seed gives the same noise.

* **white / pink / brown** (:func:`coloured_noise`): Gaussian white noise shaped in
  the frequency domain: the amplitude spectrum is multiplied by ``f^(-alpha/2)``
  (pink: ``alpha = 1``, power falls 3 dB per octave; brown: ``alpha = 2``, 6 dB per
  octave), flat below 20 Hz so the lowest bins do not dominate, mean removed.
* **hum** (:func:`mains_hum`): 50 or 60 Hz plus harmonics (odd ones stronger, as
  transformers and rectifiers make them), the frequency drifting slowly by about
  +-0.1 % (a random walk, smoothed) and a faint broadband floor (-40 dB).
* **babble** (:func:`babble`): several talkers at once, each a stream of speech clips
  (random clips, random gaps) starting at a random offset, at random gains within 6 dB.
* **mix_at_snr**: adds noise to speech at a signal-to-noise ratio measured over the
  speech's *active* part (:func:`active_mask`: 20 ms frames within 40 dB of the
  loudest one), the way speech SNRs are usually stated; the noise power is measured
  over the same samples, so the SNR holds exactly for them.
* **random_gain**: an overall gain plus a few smooth gain steps (a talker moving, an
  automatic gain control acting).

Example:
    >>> from lstmkit.datasets.speech.noise import coloured_noise
    >>> x = coloured_noise("pink", 16000, seed=0)
    >>> x.dtype, round(float((x ** 2).mean()), 3)
    (dtype('float32'), 1.0)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from lstmkit._checks import check_choice, check_float, check_int, describe
from lstmkit.datasets.speech.base import SAMPLE_RATE, as_generator

__all__ = [
    "NOISE_KINDS",
    "active_mask",
    "babble",
    "coloured_noise",
    "mains_hum",
    "make_noise",
    "mix_at_snr",
    "random_gain",
]

#: The kinds :func:`make_noise` makes.
NOISE_KINDS = ("white", "pink", "brown", "babble", "hum")
_EXPONENTS = {"white": 0.0, "pink": 1.0, "brown": 2.0}


def _unit_rms(x: np.ndarray) -> np.ndarray:
    rms = float(np.sqrt(np.mean(np.square(x, dtype=np.float64)))) if x.size else 0.0
    if rms <= 0:
        return np.zeros(x.shape, np.float32)
    return (x / rms).astype(np.float32)


def _check_audio(name: str, audio: Any) -> np.ndarray:
    array = np.asarray(audio)
    if array.ndim != 1 or array.size == 0 or not np.issubdtype(array.dtype, np.number):
        raise ValueError(
            f"{name} must be a non-empty 1-D numeric array; received {describe(audio)}"
        )
    return array.astype(np.float32, copy=False)


def coloured_noise(
    kind: str,
    n_samples: int,
    *,
    seed: int | np.random.Generator = 0,
    sample_rate: int = SAMPLE_RATE,
) -> np.ndarray:
    """White, pink or brown Gaussian noise with unit RMS.

    Args:
        kind: ``"white"``, ``"pink"`` (-3 dB/octave) or ``"brown"`` (-6 dB/octave).
        n_samples: length (int >= 1).
        seed: int >= 0 or a ``numpy.random.Generator``.
        sample_rate: Hz; sets where the spectrum stops rising (20 Hz).

    Returns:
        float32 array ``(n_samples,)``, mean 0, RMS 1.

    Example:
        >>> from lstmkit.datasets.speech.noise import coloured_noise
        >>> coloured_noise("brown", 8, seed=1).shape
        (8,)
    """
    check_choice("kind", kind, tuple(_EXPONENTS))
    check_int("n_samples", n_samples, 1)
    check_int("sample_rate", sample_rate, 1)
    rng = as_generator("seed", seed)
    white = rng.standard_normal(n_samples)
    alpha = _EXPONENTS[kind]
    if alpha == 0:
        return _unit_rms(white - white.mean())
    from scipy import fft

    size = fft.next_fast_len(n_samples, real=True)
    spectrum = fft.rfft(white, size)
    frequencies = fft.rfftfreq(size, 1.0 / sample_rate)
    spectrum *= np.maximum(frequencies, 20.0) ** (-alpha / 2)
    spectrum[0] = 0.0
    shaped = fft.irfft(spectrum, size)[:n_samples]
    return _unit_rms(shaped - shaped.mean())


def mains_hum(
    n_samples: int,
    *,
    frequency: float | None = None,
    n_harmonics: int = 8,
    seed: int | np.random.Generator = 0,
    sample_rate: int = SAMPLE_RATE,
) -> np.ndarray:
    """Mains hum: a drifting 50 or 60 Hz fundamental and its harmonics, unit RMS.

    Args:
        n_samples: length (int >= 1).
        frequency: 50 or 60 (Hz); None draws one.
        n_harmonics: harmonics including the fundamental (int >= 1); amplitudes are
            drawn per harmonic, odd ones about 3x stronger than even ones.
        seed: int >= 0 or a ``numpy.random.Generator``.
        sample_rate: Hz.

    Returns:
        float32 array ``(n_samples,)``, RMS 1.

    Example:
        >>> from lstmkit.datasets.speech.noise import mains_hum
        >>> hum = mains_hum(16000, frequency=50, seed=0)
        >>> spectrum = abs(np.fft.rfft(hum))
        >>> int(np.argmax(spectrum))  # 1 Hz bins: the fundamental is the strongest
        50
    """
    check_int("n_samples", n_samples, 1)
    check_int("n_harmonics", n_harmonics, 1)
    check_int("sample_rate", sample_rate, 1)
    rng = as_generator("seed", seed)
    if frequency is None:
        frequency = float(rng.choice([50.0, 60.0]))
    check_float("frequency", frequency, 1.0)
    # slow drift: a random walk sampled every 0.1 s, linearly interpolated
    n_knots = max(2, int(np.ceil(n_samples / (0.1 * sample_rate))) + 1)
    walk = np.cumsum(rng.standard_normal(n_knots)) * 2e-4
    walk = np.clip(walk - walk.mean(), -1e-3, 1e-3)
    knots = np.linspace(0, n_samples, n_knots)
    drift = np.interp(np.arange(n_samples), knots, walk)
    phase = 2 * np.pi * np.cumsum(frequency * (1 + drift)) / sample_rate
    harmonics = np.arange(1, n_harmonics + 1)
    amplitudes = rng.uniform(0.3, 1.0, n_harmonics) / harmonics
    amplitudes[1::2] /= 3.0  # even harmonics are weaker
    amplitudes[0] = max(amplitudes[0], 1.0)
    offsets = rng.uniform(0, 2 * np.pi, n_harmonics)
    hum = np.zeros(n_samples)
    for k, amplitude, offset in zip(harmonics, amplitudes, offsets, strict=True):
        if k * frequency < sample_rate / 2:
            hum += amplitude * np.sin(k * phase + offset)
    hum = _unit_rms(hum) + 0.01 * rng.standard_normal(n_samples)
    return _unit_rms(hum)


def babble(
    sources: Sequence[np.ndarray],
    n_samples: int,
    *,
    n_talkers: int | None = None,
    seed: int | np.random.Generator = 0,
    sample_rate: int = SAMPLE_RATE,
) -> np.ndarray:
    """Babble: several talkers speaking at once, unit RMS.

    Each talker is a stream of clips drawn from ``sources`` with random gaps of
    0-0.4 s, starting at a random offset into its stream, at a random gain within
    6 dB; the talkers are summed.

    Args:
        sources: speech clips to draw from (1-D arrays at ``sample_rate``; at least one).
        n_samples: length (int >= 1).
        n_talkers: how many talkers (int >= 1); None draws 3-6.
        seed: int >= 0 or a ``numpy.random.Generator``.
        sample_rate: Hz.

    Returns:
        float32 array ``(n_samples,)``, RMS 1.

    Example:
        >>> from lstmkit.datasets.speech.noise import babble
        >>> rng = np.random.default_rng(0)
        >>> clips = [rng.standard_normal(8000) for _ in range(3)]
        >>> babble(clips, 16000, n_talkers=4, seed=0).shape
        (16000,)
    """
    if isinstance(sources, np.ndarray) or not isinstance(sources, Sequence) or not sources:
        raise ValueError(
            f"sources must be a non-empty list of 1-D speech arrays; received {describe(sources)}"
        )
    clips = [_check_audio(f"sources[{i}]", s) for i, s in enumerate(sources)]
    check_int("n_samples", n_samples, 1)
    rng = as_generator("seed", seed)
    if n_talkers is None:
        n_talkers = int(rng.integers(3, 7))
    check_int("n_talkers", n_talkers, 1)
    mix = np.zeros(n_samples)
    for _ in range(n_talkers):
        offset = int(rng.integers(0, max(1, sample_rate)))
        parts: list[np.ndarray] = []
        length = 0
        while length < n_samples + offset:
            gap = np.zeros(int(rng.uniform(0.0, 0.4) * sample_rate), np.float32)
            clip = clips[int(rng.integers(len(clips)))]
            parts += [gap, clip]
            length += gap.size + clip.size
        stream = np.concatenate(parts)[offset : offset + n_samples]
        gain = 10 ** (rng.uniform(-6.0, 0.0) / 20)
        mix += gain * _unit_rms(stream)
    return _unit_rms(mix)


def make_noise(
    kind: str,
    n_samples: int,
    *,
    seed: int | np.random.Generator = 0,
    babble_sources: Sequence[np.ndarray] | None = None,
    sample_rate: int = SAMPLE_RATE,
) -> np.ndarray:
    """Noise of any of :data:`NOISE_KINDS`, unit RMS.

    Args:
        kind: ``"white"``, ``"pink"``, ``"brown"``, ``"babble"`` or ``"hum"``.
        n_samples: length (int >= 1).
        seed: int >= 0 or a ``numpy.random.Generator``.
        babble_sources: speech clips for ``"babble"`` (required for it).
        sample_rate: Hz.

    Returns:
        float32 array ``(n_samples,)``.

    Example:
        >>> from lstmkit.datasets.speech.noise import make_noise
        >>> make_noise("hum", 100, seed=0).shape
        (100,)
    """
    check_choice("kind", kind, NOISE_KINDS)
    if kind == "hum":
        return mains_hum(n_samples, seed=seed, sample_rate=sample_rate)
    if kind == "babble":
        if babble_sources is None:
            raise ValueError(
                "babble_sources must be a list of speech clips when the noise is 'babble'; "
                "received None"
            )
        return babble(babble_sources, n_samples, seed=seed, sample_rate=sample_rate)
    return coloured_noise(kind, n_samples, seed=seed, sample_rate=sample_rate)


def active_mask(
    audio: np.ndarray,
    *,
    sample_rate: int = SAMPLE_RATE,
    frame_seconds: float = 0.02,
    threshold_db: float = -40.0,
) -> np.ndarray:
    """Which samples belong to active speech: frames within ``threshold_db`` of the loudest.

    Args:
        audio: 1-D array.
        sample_rate: Hz.
        frame_seconds: frame length (s).
        threshold_db: a frame is active when its RMS is above the loudest frame's RMS
            plus this (a negative number of dB).

    Returns:
        bool array like ``audio``; all False for silence.

    Example:
        >>> from lstmkit.datasets.speech.noise import active_mask
        >>> x = np.concatenate([np.zeros(800), np.ones(800), np.zeros(800)])
        >>> active_mask(x).nonzero()[0][[0, -1]].tolist()
        [640, 1599]
    """
    audio = _check_audio("audio", audio)
    frame = max(1, round(frame_seconds * sample_rate))
    n_frames = -(-audio.size // frame)
    padded = np.zeros(n_frames * frame, np.float64)
    padded[: audio.size] = audio
    rms = np.sqrt(np.mean(padded.reshape(n_frames, frame) ** 2, axis=1))
    loudest = float(rms.max())
    if loudest <= 0:
        return np.zeros(audio.size, bool)
    active = rms > loudest * 10 ** (threshold_db / 20)
    return np.repeat(active, frame)[: audio.size]


def mix_at_snr(
    speech: np.ndarray,
    noise: np.ndarray,
    snr_db: float,
    *,
    active: np.ndarray | None = None,
    sample_rate: int = SAMPLE_RATE,
) -> np.ndarray:
    """Add noise to speech at a given SNR over the speech's active part.

    ``SNR = 10 log10(mean(speech[a]^2) / mean((g * noise)[a]^2))`` where ``a`` is the
    active mask and ``g`` the noise gain this function sets; the noise is repeated or
    cut to the speech's length first.

    Args:
        speech: 1-D array (the level is kept).
        noise: 1-D array (any level; not all zero).
        snr_db: the SNR wanted (dB; any finite number, negative = noise louder).
        active: bool mask of the samples the SNR is measured on; None:
            :func:`active_mask` of ``speech``.
        sample_rate: Hz, for :func:`active_mask`.

    Returns:
        float32 array ``speech + g * noise``.

    Example:
        >>> from lstmkit.datasets.speech.noise import coloured_noise, mix_at_snr
        >>> speech = np.sin(np.arange(16000) / 5.0).astype(np.float32)
        >>> noise = coloured_noise("white", 16000, seed=0)
        >>> mixed = mix_at_snr(speech, noise, 10.0)
        >>> round(float(10 * np.log10((speech ** 2).mean() / ((mixed - speech) ** 2).mean())), 2)
        10.0
    """
    speech = _check_audio("speech", speech)
    noise = _check_audio("noise", noise)
    if isinstance(snr_db, bool) or not isinstance(snr_db, int | float | np.integer | np.floating):
        raise TypeError(f"snr_db must be a number (dB); received {describe(snr_db)}")
    if not np.isfinite(snr_db):
        raise ValueError(f"snr_db must be a finite number (dB); received {snr_db}")
    if noise.size != speech.size:
        noise = np.resize(noise, speech.size)
    if active is None:
        active = active_mask(speech, sample_rate=sample_rate)
    active = np.asarray(active, dtype=bool)
    if active.shape != speech.shape:
        raise ValueError(
            f"active must be a bool mask of the speech's shape {speech.shape}; "
            f"received {describe(active)}"
        )
    speech_power = (
        float(np.mean(np.square(speech[active], dtype=np.float64))) if active.any() else 0
    )
    if speech_power <= 0:
        raise ValueError("speech must contain active (non-silent) samples to set an SNR")
    noise_power = float(np.mean(np.square(noise[active], dtype=np.float64)))
    if noise_power <= 0:
        raise ValueError("noise must not be silent where the speech is active")
    gain = np.sqrt(speech_power / (noise_power * 10 ** (snr_db / 10)))
    return (speech + gain * noise).astype(np.float32)


def random_gain(
    audio: np.ndarray,
    *,
    seed: int | np.random.Generator = 0,
    gain_db: tuple[float, float] = (-12.0, 6.0),
    max_changes: int = 2,
    change_db: float = 6.0,
    ramp_seconds: float = 0.05,
    sample_rate: int = SAMPLE_RATE,
) -> np.ndarray:
    """An overall random gain plus up to ``max_changes`` smooth gain steps.

    Args:
        audio: 1-D array.
        seed: int >= 0 or a ``numpy.random.Generator``.
        gain_db: the range the overall gain is drawn from (dB).
        max_changes: the most gain steps (drawn 0..max_changes; int >= 0).
        change_db: each step's size is drawn within +-``change_db``.
        ramp_seconds: how long each step takes (a linear ramp in dB).
        sample_rate: Hz.

    Returns:
        float32 array (not clipped: the caller decides).

    Example:
        >>> from lstmkit.datasets.speech.noise import random_gain
        >>> x = np.ones(16000, np.float32)
        >>> y = random_gain(x, seed=0, max_changes=0, gain_db=(-6.0, -6.0))
        >>> round(float(y[0]), 3)
        0.501
    """
    audio = _check_audio("audio", audio)
    rng = as_generator("seed", seed)
    check_int("max_changes", max_changes, 0)
    low, high = gain_db
    profile_db = np.full(audio.size, rng.uniform(low, high))
    ramp = max(1, round(ramp_seconds * sample_rate))
    for _ in range(int(rng.integers(0, max_changes + 1))):
        start = int(rng.integers(0, audio.size))
        step = rng.uniform(-change_db, change_db)
        rise = np.clip((np.arange(audio.size - start) + 1) / ramp, 0.0, 1.0)
        profile_db[start:] += step * rise
    return (audio * 10 ** (profile_db / 20)).astype(np.float32)
