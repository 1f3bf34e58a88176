"""MFCC features from audio that arrives in pieces, equal to the offline features.

A keyword spotter listening to a microphone gets audio in blocks of whatever size the
sound card likes (10 ms, 64 samples, one sample in a test). :class:`StreamingMFCC`
turns each block into the feature frames it completes, and the concatenation of
everything it returns equals :func:`lstmkit.audio.mfcc` of the concatenated audio.

How, keeping only the little state the next call needs:

1. samples -> static MFCCs. The stream holds the audio from the next frame's start on
   (fewer than ``n_fft`` samples between calls). Every frame a call completes goes
   through the very operations :func:`mfcc` applies to it, so the rows are the same
   bits.
2. static -> deltas -> delta-deltas. The delta-delta of frame t needs the deltas of
   frames t-N .. t+N, which need the static rows t-2N .. t+2N. The stream keeps the
   last static rows (at most 4N) and, at each call, recomputes the deltas the new
   frames need from them: the same rows through the same arithmetic give the same
   bits, and recomputing 2N rows costs less than carrying two more queues. Past the
   start of the clip (and, at :meth:`StreamingMFCC.flush`, past its end) the nearest
   frame's row is repeated, as the offline path pads its edges.

So frame t is final once frame t + 2N exists (8 frames = 1024 samples = 64 ms after it
at the defaults): that is :attr:`StreamingMFCC.latency_frames`. The end of the clip is
only known at :meth:`StreamingMFCC.flush`, which emits the tail. Work per call is
proportional to the block, not to the audio so far, and a call does a fixed number of
array operations, whatever its size: a microphone callback of 0.1 s (12-13 frames)
costs little more than the arithmetic of its frames.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from lstmkit.audio.features import (
    MFCCConfig,
    _check_config,
    _check_waveform,
    _mel_basis,
    _window,
)

__all__ = ["StreamingMFCC"]


class StreamingMFCC:
    """MFCC (+ delta, delta-delta) features of a stream, pushed in chunks of any size.

    The frames it returns, concatenated, equal ``mfcc(concatenated_audio, config)``
    bit for bit, however the audio is cut into chunks. Frame t is returned once
    ``latency_frames`` further frames exist; :meth:`flush` returns the rest at the end
    of the stream.

    Args:
        config: an :class:`MFCCConfig`; None uses the defaults (MATLAB's settings).

    Returns:
        An extractor; :meth:`push` and :meth:`flush` return float32
        ``(new_frames, config.num_features)`` arrays (possibly with 0 rows).

    Example:
        >>> import numpy as np
        >>> from lstmkit.audio import StreamingMFCC, mfcc
        >>> audio = np.random.default_rng(0).normal(scale=0.1, size=4000)
        >>> stream = StreamingMFCC()
        >>> parts = [stream.push(audio[i : i + 700]) for i in range(0, 4000, 700)]
        >>> frames = np.concatenate([*parts, stream.flush()])
        >>> frames.shape, bool(np.allclose(frames, mfcc(audio), atol=1e-4))
        ((28, 39), True)
        >>> stream.latency_frames, stream.latency_seconds
        (8, 0.064)
    """

    def __init__(self, config: MFCCConfig | None = None) -> None:
        # scipy.fftpack's dct is the very pocketfft transform that scipy.fft.dct (which
        # mfcc() calls) dispatches to -- the same bits -- without scipy.fft's per-call
        # backend dispatch, which costs twice the transform on a 0.1 s block. Imported
        # here: scipy is slow to import.
        from scipy.fftpack import dct

        self.config = _check_config(config)
        # what every frame's static MFCCs need, fetched once (features caches them)
        self._window = _window(self.config)
        self._mel_basis_t = _mel_basis(self.config).T
        self._dct = dct
        self.reset()

    def __repr__(self) -> str:
        return f"StreamingMFCC({self.config!r})"

    @property
    def num_features(self) -> int:
        """Values per frame (``config.num_features``)."""
        return self.config.num_features

    @property
    def latency_frames(self) -> int:
        """Frames that must follow a frame before it is returned (2N with deltas)."""
        return self.config.latency_frames

    @property
    def latency_samples(self) -> int:
        """Samples that must arrive after a frame's last sample before it is returned."""
        return self.latency_frames * self.config.hop_length

    @property
    def latency_seconds(self) -> float:
        """:attr:`latency_samples` in seconds (0.064 at the defaults)."""
        return self.latency_samples / self.config.sample_rate

    @property
    def frames_emitted(self) -> int:
        """Frames returned since the last :meth:`reset` (or :meth:`flush`)."""
        return self._emitted

    def reset(self) -> None:
        """Forget the stream: the next :meth:`push` starts a new clip.

        Args:
            None.

        Returns:
            None.

        Example:
            >>> import numpy as np
            >>> from lstmkit.audio import StreamingMFCC
            >>> stream = StreamingMFCC()
            >>> _ = stream.push(np.zeros(3000))
            >>> stream.reset()
            >>> stream.flush().shape
            (0, 39)
        """
        self._samples = np.zeros(0, dtype=np.float64)  # audio from the next frame's start
        # static rows of frames _first .. _frames - 1: those the next deltas still need
        self._static = np.zeros((0, self.config.n_mfcc))
        self._first = 0
        self._frames = 0  # static rows computed so far
        self._emitted = 0

    def push(self, chunk: Any) -> np.ndarray:
        """Add samples; return the frames that are now final.

        Args:
            chunk: 1-D samples at ``config.sample_rate`` (any length, even 0).

        Returns:
            Float32 ``(new_frames, num_features)``.

        Example:
            >>> import numpy as np
            >>> from lstmkit.audio import StreamingMFCC
            >>> stream = StreamingMFCC()
            >>> stream.push(np.zeros(511)).shape, stream.push(np.zeros(2000)).shape
            ((0, 39), (8, 39))
        """
        samples = chunk
        # the common case -- a finite 1-D float array -- checked in two array calls; any
        # other input goes through the full check (which converts lists, and refuses
        # integers, 2-D arrays and NaN by name)
        if not (
            type(chunk) is np.ndarray
            and chunk.ndim == 1
            and chunk.dtype.kind == "f"
            and np.isfinite(chunk).all()
        ):
            samples = _check_waveform(chunk, "chunk")
        config = self.config
        # always a new float64 array (float32 samples convert exactly): the frames below
        # are a view of it, and what is kept of it is ours, not a view of the caller's
        buffer = np.concatenate((self._samples, samples), dtype=np.float64)
        count = (
            0
            if buffer.size < config.n_fft
            else 1 + (buffer.size - config.n_fft) // config.hop_length
        )
        if count:
            # the frames mfcc() cuts, as a view (no copy)
            static = self._cepstra(_windows(buffer, count, config.n_fft, config.hop_length))
        else:
            static = np.zeros((0, config.n_mfcc))
        # keep the audio from the next (incomplete) frame's start: < n_fft samples
        self._samples = buffer[count * config.hop_length :]
        return self._emit(static, final=False)

    def flush(self) -> np.ndarray:
        """End the stream: return the remaining frames and :meth:`reset`.

        Samples after the last complete frame are dropped, as :func:`mfcc` drops them.

        Args:
            None.

        Returns:
            Float32 ``(frames, num_features)``: the last ``latency_frames`` frames (fewer
            if the stream was shorter).

        Example:
            >>> import numpy as np
            >>> from lstmkit.audio import StreamingMFCC
            >>> stream = StreamingMFCC()
            >>> stream.push(np.zeros(2000)).shape, stream.flush().shape
            ((4, 39), (8, 39))
        """
        out = self._emit(np.zeros((0, self.config.n_mfcc)), final=True)
        self.reset()
        return out

    def _cepstra(self, frames: np.ndarray) -> np.ndarray:
        """Static MFCCs of a ``(K, n_fft)`` block of frames -> ``(K, n_mfcc)`` float64:
        ``features._cepstra``, which :func:`mfcc` uses, operation for operation on the
        same arrays (so the same bits; the streaming tests check), with the window and
        filterbank looked up once per stream and the temporaries reused in place."""
        spectrum = np.fft.rfft(frames * self._window, axis=-1)
        power = np.abs(spectrum) ** 2
        mel = power @ self._mel_basis_t
        np.maximum(mel, self.config.log_floor, out=mel)
        np.log10(mel, out=mel)
        mel *= 10.0
        return self._dct(mel, type=2, norm="ortho", axis=-1, overwrite_x=True)[
            :, : self.config.n_mfcc
        ]

    def _emit(self, static: np.ndarray, *, final: bool) -> np.ndarray:
        """Append the static rows of the frames just completed; return the frames that
        are final now (all of them at the end of the stream)."""
        config = self.config
        if not config.deltas:
            self._emitted += static.shape[0]
            return static.astype(np.float32)
        r = config.delta_radius
        rows = np.concatenate((self._static, static))  # frames first .. total - 1
        first, total, start = self._first, self._frames + static.shape[0], self._emitted
        stop = total if final else total - 2 * r  # frames start .. stop - 1 are final now
        self._frames = total
        if stop <= start:
            self._static = rows
            return np.zeros((0, config.num_features), dtype=np.float32)
        # deltas of frames lo .. hi - 1: those the delta-deltas of start .. stop - 1 need,
        # from the static rows r around each (frame 0 repeated before the start, and at
        # the end of the stream the last frame after it, as mfcc() pads its edges)
        lo, hi = max(start - r, 0), min(stop + r, total)
        weights = _delta_weights(r)
        deltas = _delta(_clipped(rows, lo - r - first, hi + r - first, total - first), *weights)
        second = _delta(_clipped(deltas, start - r - lo, stop + r - lo, hi - lo), *weights)
        out = np.concatenate(
            (rows[start - first : stop - first], deltas[start - lo : stop - lo], second),
            axis=1,
            dtype=np.float32,  # one cast of the three, as mfcc()'s astype
        )
        # the next call's deltas start r frames before its first frame: keep 2r static
        # rows before that (4r in all, with the 2r frames still waiting)
        keep = max(stop - 2 * r, 0)
        self._static, self._first = rows[keep - first :], keep
        self._emitted = stop
        return out


def _clipped(rows: np.ndarray, start: int, stop: int, size: int) -> np.ndarray:
    """``rows[start:stop]`` with out-of-range indices clipped to ``[0, size)``: the
    first (last) row repeated before (after) the rows that exist -- the edge padding of
    the offline path. A plain slice when nothing is out of range."""
    if 0 <= start and stop <= size:
        return rows[start:stop]
    return rows[np.clip(np.arange(start, stop), 0, size - 1)]


def _windows(rows: np.ndarray, count: int, size: int, hop: int = 1) -> np.ndarray:
    """The ``count`` windows ``rows[k * hop : k * hop + size]`` of a C-contiguous array
    as one view ``(count, size, *rows.shape[1:])``, without copying
    (``sliding_window_view`` gives the same view at many times the per-call cost). The
    windows overlap: read them, never write."""
    step = rows.strides[0]
    return np.ndarray(
        (count, size, *rows.shape[1:]), rows.dtype, rows, 0, (hop * step, *rows.strides)
    )


def _delta(padded: np.ndarray, multipliers: np.ndarray, divisor: float) -> np.ndarray:
    """The regression delta of every row of a C-contiguous ``padded`` with N rows on both
    sides: ``(L, F) -> (L - 2N, F)``, bit for bit ``features._delta_valid`` (which the
    offline path uses; the streaming tests check the equality). ``multipliers`` and
    ``divisor`` are :func:`_delta_weights` ``(N)``.

    The same float operations in the same order -- the products ``n * (x[t+n] - x[t-n])``
    added to 0.0 for n = 1, 2, ..., N, then divided by ``2 sum n^2`` -- but on all n at
    once: a handful of array operations instead of 4 per n, which is most of the delta's
    cost on the dozen frames of a 0.1 s block.
    """
    radius = multipliers.shape[0] - 1
    windows = _windows(padded, padded.shape[0] - 2 * radius, 2 * radius + 1)  # (L-2N, 2N+1, F)
    # terms[:, n] = n * (x[t + n] - x[t - n]) for n = 0 .. N; n = 0 gives x[t] - x[t],
    # exactly +0.0 (the rows are finite): the loop's starting value
    terms = windows[:, radius:] - windows[:, radius::-1]
    terms *= multipliers
    # a running sum along n adds the terms one after another, as the loop does
    return terms.cumsum(axis=1)[:, -1] / divisor


@functools.lru_cache(maxsize=8)
def _delta_weights(radius: int) -> tuple[np.ndarray, float]:
    """:func:`_delta`'s multipliers ``0, 1, ..., N`` as an ``(N + 1, 1)`` column, and its
    divisor ``2 sum n^2`` (computed as ``features._delta_valid`` computes it)."""
    multipliers = np.arange(radius + 1.0)[:, None]
    multipliers.setflags(write=False)  # cached and shared
    return multipliers, 2.0 * sum(n * n for n in range(1, radius + 1))
