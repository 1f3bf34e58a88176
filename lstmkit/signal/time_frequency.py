"""Instantaneous frequency and spectral entropy per window, from a power spectrogram.

MATLAB's ECG example feeds its BiLSTM two features per spectrogram window instead of
9000 raw samples: ``instfreq`` (the spectrogram's first moment in frequency, the
"mean frequency" of each window) and ``pentropy`` (the Shannon entropy of each
window's power spectrum, normalised to [0, 1]). A regular rhythm concentrates its
power in a few harmonics of the heart rate (low entropy); AF's irregular beats and
4-9 Hz f-waves spread it (high entropy) and move the mean frequency up.

Both are written here from their definitions on top of ``scipy.signal.spectrogram``:

* ``P(f, t)``: the one-sided power spectral density of Hann-windowed segments of
  ``nperseg`` samples that overlap by ``noverlap`` (each segment's mean removed);
* instantaneous frequency ``f_inst(t) = sum_f f P(f, t) / sum_f P(f, t)``;
* spectral entropy ``H(t) = -sum_f p(f, t) log p(f, t) / log K`` with
  ``p = P / sum_f P`` over the K frequencies in range (1 for a flat spectrum, 0 for a
  single line).

Example:
    >>> import numpy as np
    >>> from lstmkit.signal import time_frequency_features
    >>> t = np.arange(9000) / 300
    >>> features = time_frequency_features(np.sin(2 * np.pi * 10 * t), 300)
    >>> features.shape, round(float(np.median(features[:, 0])), 1)
    ((254, 2), 10.0)
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import signal as sps

from lstmkit._checks import describe

__all__ = [
    "instantaneous_frequency",
    "spectral_entropy",
    "spectrogram_power",
    "time_frequency_features",
]


def _check_signal(x: Any) -> np.ndarray:
    if isinstance(x, str | bytes) or x is None:
        raise TypeError(f"signal must be an array of numbers; received {describe(x)}")
    try:
        array = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise TypeError(f"signal must be an array of numbers; received {describe(x)}") from error
    if array.ndim not in (1, 2):
        raise ValueError(
            f"signal must be 1-D (T,) or 2-D (N, T), one signal per row; received shape "
            f"{array.shape}"
        )
    if not np.isfinite(array).all():
        raise ValueError("signal must hold finite numbers; received NaN or inf")
    return array


def spectrogram_power(
    signal: Any,
    fs: float,
    *,
    nperseg: int = 128,
    noverlap: int = 93,
    frequency_range: tuple[float, float] | None = None,
    detrend: str = "constant",
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The one-sided power spectrogram of one signal or of each row of a batch.

    Args:
        signal: ``(T,)`` or ``(N, T)`` samples.
        fs: sampling frequency, Hz.
        nperseg: samples per window (128 = 0.43 s at 300 Hz: several beats' worth of
            spectrum, yet ~250 windows in 30 s).
        noverlap: samples shared by consecutive windows (93: a hop of 35 samples, so
            9000 samples give 254 windows, close to MATLAB's 255).
        frequency_range: keep only frequencies ``low <= f <= high`` (Hz); None keeps
            0 to fs/2.
        detrend: what is removed from each window before its FFT: ``"constant"``
            (its mean, default) or ``"linear"`` (its straight-line fit, which also
            removes most slow baseline wander).

    Returns:
        ``(f, t, P)``: frequencies ``(K,)`` in Hz, window centres ``(W,)`` in s, and
        the power ``(K, W)`` (or ``(N, K, W)`` for a batch).

    Example:
        >>> import numpy as np
        >>> from lstmkit.signal import spectrogram_power
        >>> f, t, P = spectrogram_power(np.random.default_rng(0).normal(size=(2, 600)), 300)
        >>> f.shape, t.shape, P.shape
        ((65,), (14,), (2, 65, 14))
    """
    x = _check_signal(signal)
    if isinstance(fs, bool) or not isinstance(fs, int | float | np.integer | np.floating):
        raise TypeError(f"fs must be a positive number (Hz); received {describe(fs)}")
    if not np.isfinite(fs) or fs <= 0:
        raise ValueError(f"fs must be a positive number (Hz); received {fs}")
    if isinstance(nperseg, bool) or not isinstance(nperseg, int | np.integer) or nperseg < 4:
        raise ValueError(f"nperseg must be an int >= 4; received {describe(nperseg)}")
    if x.shape[-1] < nperseg:
        raise ValueError(
            f"signal must have at least nperseg={nperseg} samples; received {x.shape[-1]}"
        )
    if (
        isinstance(noverlap, bool)
        or not isinstance(noverlap, int | np.integer)
        or not 0 <= noverlap < nperseg
    ):
        raise ValueError(
            f"noverlap must be an int in [0, nperseg={nperseg}); received {describe(noverlap)}"
        )
    if detrend not in ("constant", "linear"):
        raise ValueError(f"detrend must be 'constant' or 'linear'; received {describe(detrend)}")
    f, t, P = sps.spectrogram(
        x, fs=float(fs), window="hann", nperseg=int(nperseg), noverlap=int(noverlap),
        detrend=detrend, scaling="density", mode="psd", axis=-1,
    )  # fmt: skip
    if frequency_range is not None:
        try:
            low, high = (float(v) for v in frequency_range)
        except (TypeError, ValueError) as error:
            raise TypeError(
                f"frequency_range must be (low, high) in Hz or None; received "
                f"{describe(frequency_range)}"
            ) from error
        keep = (f >= low) & (f <= high)
        if keep.sum() < 2:
            raise ValueError(
                f"frequency_range must include at least two of the spectrogram's "
                f"frequencies (spacing {f[1]:.3g} Hz, up to {f[-1]:.3g} Hz); received "
                f"{frequency_range!r}"
            )
        f, P = f[keep], P[..., keep, :]
    return f, t, P


def instantaneous_frequency(f: Any, power: Any) -> np.ndarray:
    """The mean frequency of each spectrogram window: ``sum f P / sum P``.

    Args:
        f: frequencies ``(K,)``, Hz.
        power: power ``(..., K, W)`` (e.g. from :func:`spectrogram_power`).

    Returns:
        ``(..., W)`` frequencies in Hz; a window with no power gets the centre of the
        frequency range.

    Example:
        >>> import numpy as np
        >>> from lstmkit.signal import instantaneous_frequency
        >>> instantaneous_frequency([0.0, 1.0, 2.0], np.array([[0.0], [1.0], [1.0]]))
        array([1.5])
    """
    freqs = np.asarray(f, dtype=np.float64)
    P = np.asarray(power, dtype=np.float64)
    if freqs.ndim != 1 or P.ndim < 2 or P.shape[-2] != len(freqs):
        raise ValueError(
            f"power must be (..., K, W) with K = len(f) = {freqs.size}; received {describe(P)}"
        )
    total = P.sum(axis=-2)
    moment = np.einsum("k,...kw->...w", freqs, P)
    centre = 0.5 * (freqs[0] + freqs[-1])
    return np.where(total > 0, moment / np.where(total > 0, total, 1.0), centre)


def spectral_entropy(power: Any) -> np.ndarray:
    """Normalised Shannon entropy of each window's power spectrum, in [0, 1].

    Args:
        power: power ``(..., K, W)``, K >= 2 frequencies.

    Returns:
        ``(..., W)``: 1 for a flat spectrum, 0 for all power in one frequency; a
        window with no power gets 1 (nothing distinguishes its frequencies).

    Example:
        >>> import numpy as np
        >>> from lstmkit.signal import spectral_entropy
        >>> spectral_entropy(np.array([[1.0, 0.0], [1.0, 0.0], [1.0, 5.0], [1.0, 0.0]]))
        array([1., 0.])
    """
    P = np.asarray(power, dtype=np.float64)
    if P.ndim < 2 or P.shape[-2] < 2:
        raise ValueError(f"power must be (..., K, W) with K >= 2; received {describe(P)}")
    if (P < 0).any():
        raise ValueError("power must be non-negative")
    total = P.sum(axis=-2, keepdims=True)
    p = P / np.where(total > 0, total, 1.0)
    # 0 log 0 = 0: a frequency without power adds nothing to the entropy.
    terms = np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0)), 0.0)
    entropy = np.abs(terms.sum(axis=-2)) / np.log(P.shape[-2])  # abs: no -0.0
    return np.where(total[..., 0, :] > 0, entropy, 1.0)


def time_frequency_features(
    signal: Any,
    fs: float,
    *,
    nperseg: int = 128,
    noverlap: int = 93,
    frequency_range: tuple[float, float] | None = None,
    detrend: str = "constant",
    log_power: bool = False,
) -> np.ndarray:
    """Instantaneous frequency and spectral entropy (and log power) per spectrogram window.

    Args:
        signal: ``(T,)`` one signal, or ``(N, T)`` a batch of equal-length signals.
        fs: sampling frequency, Hz.
        nperseg, noverlap: the spectrogram's window and overlap in samples
            (:func:`spectrogram_power`; the defaults give 254 windows for 9000 samples).
        frequency_range: the band both features are computed over, ``(low, high)``
            Hz; None (default) uses 0 to fs/2, as MATLAB's ``instfreq``/``pentropy``.
        detrend: ``"constant"`` or ``"linear"`` (:func:`spectrogram_power`).
        log_power: add a third column, each window's in-band power in dB relative to
            the median window of its signal: ``10 log10(sum_f P(f, t) / median_t(...))``.
            It marks *when* the beats are (a QRS window holds far more power than the
            rest) without depending on the signal's gain, which the other two columns
            show only indirectly; in noisy signals that timing is what survives.

    Returns:
        ``(W, 2)`` (or ``(N, W, 2)``) float32: column 0 the instantaneous frequency
        (Hz), column 1 the spectral entropy (0-1); with ``log_power``, ``(W, 3)`` with
        the relative power (dB) in column 2. Z-score them before an LSTM
        (``SequenceClassifier(normalization="zscore")`` does).

    Example:
        >>> import numpy as np
        >>> from lstmkit.signal import time_frequency_features
        >>> noise = np.random.default_rng(0).normal(size=(3, 9000))
        >>> features = time_frequency_features(noise, 300)
        >>> features.shape, bool(features[..., 1].mean() > 0.85)  # white noise: near-flat
        ((3, 254, 2), True)
    """
    f, _, P = spectrogram_power(
        signal, fs, nperseg=nperseg, noverlap=noverlap, frequency_range=frequency_range,
        detrend=detrend,
    )  # fmt: skip
    columns = [instantaneous_frequency(f, P), spectral_entropy(P)]
    if log_power:
        # a floor far below any real window's power keeps silent windows finite
        total = P.sum(axis=-2)
        floor = np.finfo(np.float64).tiny + 1e-12 * total.max(axis=-1, keepdims=True)
        decibels = 10.0 * np.log10(total + floor)
        columns.append(decibels - np.median(decibels, axis=-1, keepdims=True))
    return np.stack(columns, axis=-1).astype(np.float32)
