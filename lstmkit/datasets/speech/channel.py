"""Voice and channel perturbation: what changes between synthesisers, not between seeds.

A detector trained on one synthesiser family meets other families' voices, which
differ from it in two ways that noise and rooms do not cover:

* **the talker's vocal tract** -- formant positions scale with its length (a shorter
  tract: every formant higher). :func:`warp_voice` plays the audio faster or slower
  by a factor (``0.9`` .. ``1.1``), which moves pitch *and* formants together and
  changes the duration by the same factor: Kaldi's "speed perturbation" (Ko et al.,
  2015), a standard remedy for few training speakers. espeak-ng's own pitch setting
  moves the pitch only, so without this every espeak voice keeps its formants;
* **the channel** -- a synthesiser's (or a microphone's) frequency response: band
  limits (flite's ``kal`` voice is 8 kHz audio, nothing above 4 kHz) and broad
  resonances. :func:`random_channel` draws a response (a high-pass at 50-300 Hz, half
  the time a low-pass at 3.4-7.5 kHz, and one or two peaking equalisers of -8..+8 dB
  between 200 Hz and 6 kHz); :func:`apply_channel` filters audio with it.

Both keep the keyword's frame labels exact: the channel is causal filtering of the same
samples (no delay beyond the filters' few-sample group delay), and :func:`warp_voice`
returns the keyword intervals scaled by the same factor.

Example:
    >>> import numpy as np
    >>> from lstmkit.datasets.speech.channel import apply_channel, random_channel, warp_voice
    >>> x = np.random.default_rng(0).normal(size=16000).astype(np.float32)
    >>> y = apply_channel(x, random_channel(seed=0))
    >>> y.shape, y.dtype
    ((16000,), dtype('float32'))
    >>> z, spans = warp_voice(x, [(4000, 8000)], 1.1)
    >>> z.size, spans
    (14545, [(3636, 7273)])
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from lstmkit._checks import check_float, describe
from lstmkit.datasets.speech.base import SAMPLE_RATE, as_generator

__all__ = ["ChannelResponse", "apply_channel", "random_channel", "warp_voice"]


@dataclass(frozen=True)
class ChannelResponse:
    """A channel's frequency response, as a chain of second-order filters.

    Args:
        highpass_hz: the high-pass cut-off (Hz; 2nd-order Butterworth).
        lowpass_hz: the low-pass cut-off (Hz; 4th-order Butterworth), or None.
        peaks: ``(centre_hz, gain_db, q)`` of each peaking equaliser.
        sample_rate: Hz.

    Returns:
        What :func:`random_channel` returns.

    Example:
        >>> from lstmkit.datasets.speech.channel import ChannelResponse
        >>> ChannelResponse(100.0, None, ((1000.0, 6.0, 1.0),)).lowpass_hz is None
        True
    """

    highpass_hz: float
    lowpass_hz: float | None
    peaks: tuple[tuple[float, float, float], ...]
    sample_rate: int = SAMPLE_RATE

    def sos(self) -> np.ndarray:
        """The response as second-order sections (``scipy.signal.sosfilt``'s format).

        Returns:
            ``(sections, 6)`` float64 array.

        Example:
            >>> from lstmkit.datasets.speech.channel import random_channel
            >>> random_channel(seed=1).sos().shape[1]
            6
        """
        from scipy import signal

        nyquist = self.sample_rate / 2
        sections = [signal.butter(2, self.highpass_hz / nyquist, "highpass", output="sos")]
        if self.lowpass_hz is not None:
            sections.append(signal.butter(4, self.lowpass_hz / nyquist, "lowpass", output="sos"))
        sections += [_peaking(f, g, q, self.sample_rate) for f, g, q in self.peaks]
        return np.concatenate(sections)


def _peaking(centre_hz: float, gain_db: float, q: float, sample_rate: int) -> np.ndarray:
    """One peaking-equaliser biquad (the Audio EQ Cookbook's), as one SOS row."""
    a = 10.0 ** (gain_db / 40.0)
    w0 = 2.0 * np.pi * centre_hz / sample_rate
    alpha = np.sin(w0) / (2.0 * q)
    b = np.array([1.0 + alpha * a, -2.0 * np.cos(w0), 1.0 - alpha * a])
    den = np.array([1.0 + alpha / a, -2.0 * np.cos(w0), 1.0 - alpha / a])
    return np.concatenate([b / den[0], den / den[0]])[None, :]


def random_channel(
    seed: int | np.random.Generator = 0, *, sample_rate: int = SAMPLE_RATE
) -> ChannelResponse:
    """Draw a channel: a high-pass at 50-300 Hz; with probability 1/2 a low-pass at
    3.4-7.5 kHz (telephone to wide-band); one or two peaking equalisers of -8..+8 dB
    at 200 Hz-6 kHz (log-uniform), Q 0.7-2.

    Args:
        seed: int >= 0 or a ``numpy.random.Generator``.
        sample_rate: Hz (the low-pass stays below 0.47 x the rate).

    Returns:
        A :class:`ChannelResponse`.

    Example:
        >>> from lstmkit.datasets.speech.channel import random_channel
        >>> c = random_channel(seed=0)
        >>> 50 <= c.highpass_hz <= 300, 1 <= len(c.peaks) <= 2
        (True, True)
    """
    rng = as_generator("seed", seed)
    highpass = float(rng.uniform(50.0, 300.0))
    lowpass = None
    if rng.random() < 0.5:
        lowpass = float(min(rng.uniform(3400.0, 7500.0), 0.47 * sample_rate))
    peaks = tuple(
        (
            float(np.exp(rng.uniform(np.log(200.0), np.log(min(6000.0, 0.4 * sample_rate))))),
            float(rng.uniform(-8.0, 8.0)),
            float(rng.uniform(0.7, 2.0)),
        )
        for _ in range(int(rng.integers(1, 3)))
    )
    return ChannelResponse(highpass, lowpass, peaks, sample_rate)


def apply_channel(audio: np.ndarray, channel: ChannelResponse) -> np.ndarray:
    """Filter ``audio`` through ``channel`` (causal, same length), keeping its RMS.

    Args:
        audio: 1-D samples at ``channel.sample_rate``.
        channel: from :func:`random_channel`.

    Returns:
        float32 samples of the same length, rescaled to the input's RMS (a channel
        changes the timbre here; :func:`~lstmkit.datasets.speech.noise.random_gain`
        changes the level).

    Example:
        >>> import numpy as np
        >>> from lstmkit.datasets.speech.channel import apply_channel, random_channel
        >>> apply_channel(np.zeros(100, np.float32), random_channel(seed=0)).max()
        np.float32(0.0)
    """
    from scipy import signal

    if not isinstance(channel, ChannelResponse):
        raise TypeError(f"channel must be a ChannelResponse; received {describe(channel)}")
    x = np.asarray(audio, np.float64)
    if x.ndim != 1:
        raise ValueError(f"audio must be 1-D samples; received shape {x.shape}")
    y = signal.sosfilt(channel.sos(), x)
    rms_in, rms_out = np.sqrt(np.mean(x**2)), np.sqrt(np.mean(y**2))
    if rms_out > 0:
        y *= rms_in / rms_out
    return y.astype(np.float32)


def warp_voice(
    audio: np.ndarray, intervals: Sequence[tuple[int, int]], factor: float
) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """Play ``audio`` ``factor`` times faster: pitch and formants x ``factor``, length
    / ``factor`` (speed perturbation).

    Args:
        audio: 1-D samples.
        intervals: keyword ``(start, end)`` sample intervals in ``audio``.
        factor: in [0.5, 2]; > 1 raises the voice and shortens it.

    Returns:
        ``(warped audio (float32), intervals in it)``.

    Example:
        >>> import numpy as np
        >>> from lstmkit.datasets.speech.channel import warp_voice
        >>> y, spans = warp_voice(np.ones(1000, np.float32), [(100, 200)], 0.9)
        >>> y.size, spans
        (1111, [(111, 222)])
    """
    check_float("factor", factor, 0.5)
    if factor > 2.0:
        raise ValueError(f"factor must be in [0.5, 2]; received {factor}")
    x = np.asarray(audio, np.float32)
    if x.ndim != 1:
        raise ValueError(f"audio must be 1-D samples; received shape {x.shape}")
    n = max(1, round(x.size / factor))
    # linear interpolation: within 0.9-1.1 the images it leaves are > 40 dB down on
    # speech, far below the noise the augmentation adds next
    positions = np.arange(n) * (x.size / n)
    warped = np.interp(positions, np.arange(x.size), x).astype(np.float32)
    spans = [(min(n, round(a / factor)), min(n, round(b / factor))) for a, b in intervals]
    return warped, spans
