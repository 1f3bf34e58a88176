"""MFCC features from audio that arrives in pieces, equal to the offline features.

A keyword spotter listening to a microphone gets audio in blocks of whatever size the
sound card likes (10 ms, 64 samples, one sample in a test). :class:`StreamingMFCC`
turns each block into the feature frames it completes, and the concatenation of
everything it returns equals :func:`lstmkit.audio.mfcc` of the concatenated audio.

How, in three stages, each keeping only the little state the next step needs:

1. samples -> static MFCCs. The buffer holds the audio from the next frame's start
   on (fewer than ``n_fft`` samples between calls). Every frame it completes is
   computed with the very function :func:`mfcc` uses, so the rows are the same.
2. static -> deltas. The delta of frame t needs frames t-N .. t+N. The stream keeps the
   last 2N static rows; at the start it repeats the first frame N times (the edge
   replication of the offline path, which is known at the start).
3. deltas -> delta-deltas, the same way over the deltas.

So frame t is final once frame t + 2N exists (8 frames = 1024 samples = 64 ms after it
at the defaults): that is :attr:`StreamingMFCC.latency_frames`. The end of the clip is
only known at :meth:`StreamingMFCC.flush`, which repeats the last frame N times (the
offline edge rule) and emits the tail. Work per call is proportional to the block, not
to the audio so far.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from lstmkit.audio.features import (
    MFCCConfig,
    _cepstra,
    _check_config,
    _check_waveform,
    _delta_valid,
    _frame,
)

__all__ = ["StreamingMFCC"]


class _DeltaStage:
    """Turns a stream of rows into their regression deltas (edges repeated).

    ``tail`` holds the last 2N rows of the edge-padded sequence: exactly what the next
    delta needs from the past. Output lags input by N rows until :meth:`finish`.
    """

    def __init__(self, radius: int) -> None:
        self.radius = radius
        self.tail: np.ndarray | None = None

    def push(self, rows: np.ndarray, *, final: bool = False) -> np.ndarray:
        r = self.radius
        if rows.shape[0]:
            if self.tail is None:  # the first row: repeat it N times before the start
                self.tail = np.repeat(rows[:1], r, axis=0)
            padded = np.concatenate([self.tail, rows])
        elif self.tail is None:  # nothing ever arrived
            return rows
        else:
            padded = self.tail
        if final:  # the end is known now: repeat the last real row N times after it
            padded = np.concatenate([padded, np.repeat(padded[-1:], r, axis=0)])
        out = _delta_valid(padded, r)
        self.tail = padded[-2 * r :]
        return out


class StreamingMFCC:
    """MFCC (+ delta, delta-delta) features of a stream, pushed in chunks of any size.

    The frames it returns, concatenated, equal ``mfcc(concatenated_audio, config)``
    (to float rounding, ~1e-6). Frame t is returned once ``latency_frames`` further
    frames exist; :meth:`flush` returns the rest at the end of the stream.

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
        self.config = _check_config(config)
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
        r = self.config.delta_radius
        self._samples = np.zeros(0, dtype=np.float64)  # audio from the next frame's start
        self._deltas = _DeltaStage(r)
        self._delta_deltas = _DeltaStage(r)
        # rows computed but not yet returned: statics wait 2N frames, deltas N
        self._waiting_static = np.zeros((0, self.config.n_mfcc))
        self._waiting_delta = np.zeros((0, self.config.n_mfcc))
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
        samples = _check_waveform(chunk, "chunk")
        config = self.config
        buffer = np.concatenate([self._samples, samples]) if self._samples.size else samples
        if buffer.size >= config.n_fft:
            frames = _frame(buffer, config)
            static = _cepstra(frames, config)
            # keep the audio from the next (incomplete) frame's start: < n_fft samples
            buffer = buffer[frames.shape[0] * config.hop_length :]
        else:
            static = np.zeros((0, config.n_mfcc))
        # copy: a view would keep the caller's whole chunk alive (and let them change it)
        self._samples = np.array(buffer, dtype=np.float64)
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

    def _emit(self, static: np.ndarray, *, final: bool) -> np.ndarray:
        if not self.config.deltas:
            self._emitted += static.shape[0]
            return static.astype(np.float32)
        first = self._deltas.push(static, final=final)
        second = self._delta_deltas.push(first, final=final)
        self._waiting_static = np.concatenate([self._waiting_static, static])
        self._waiting_delta = np.concatenate([self._waiting_delta, first])
        # every delta-delta completes one frame; its static and delta rows were waiting
        n = second.shape[0]
        out = np.concatenate(
            [self._waiting_static[:n], self._waiting_delta[:n], second], axis=1
        ).astype(np.float32)
        self._waiting_static = self._waiting_static[n:]
        self._waiting_delta = self._waiting_delta[n:]
        self._emitted += n
        return out
