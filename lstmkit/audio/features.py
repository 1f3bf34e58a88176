"""MFCC features with deltas: the front-end of MATLAB's keyword-spotting example.

MATLAB's "Keyword Spotting in Noise Using MFCC and LSTM Networks" turns 16 kHz audio
into 39 values per frame: 13 mel-frequency cepstral coefficients plus their delta and
delta-delta, from periodic Hann windows of 512 samples (32 ms) every 128 samples (8 ms,
an overlap of 384). :class:`MFCCConfig` holds those settings; :func:`mfcc` computes
the features. The coefficients follow librosa's conventions (Slaney mel filters,
decibels, orthonormal DCT-II), so values are not MATLAB's to the digit, but the frame
grid and the layout are.

Per frame ``k`` (samples ``[k * hop, k * hop + n_fft)``, no centring):

* power spectrum ``P = |rfft(w * x_k)|^2`` with the periodic window ``w``;
* mel energies ``M = F P`` with ``librosa.filters.mel``'s filterbank ``F``;
* ``L = 10 log10(max(M, log_floor))`` (librosa's ``power_to_db(ref=1, top_db=None)``);
* ``c = DCT-II(L, norm="ortho")[:n_mfcc]``;
* deltas ``d_t = sum_{n=1..N} n (c_{t+n} - c_{t-n}) / (2 sum_n n^2)`` over
  ``delta_width = 2N + 1`` frames, the first and last frame repeated past the edges;
  the delta-delta is the delta of the delta.

Two choices make the offline and the streaming extractor
(:class:`lstmkit.audio.StreamingMFCC`) agree frame for frame. Frames are not centred
(librosa's default pads half a window of reflected audio at both ends, which a stream
cannot do at its start without delay). And there is no ``top_db`` clipping: librosa's
default floors every value at the clip's maximum minus 80 dB, and a stream does not know
the maximum of audio it has not heard yet.
"""

from __future__ import annotations

import functools
from dataclasses import asdict, dataclass, fields
from typing import Any

import numpy as np

from lstmkit._checks import (
    check_bool,
    check_choice,
    check_float,
    check_int,
    check_positive,
    describe,
)
from lstmkit.audio.io import require

__all__ = ["FeatureNormalizer", "MFCCConfig", "delta", "mfcc"]

WINDOWS = ("hann", "hamming")


@dataclass(frozen=True)
class MFCCConfig:
    """Settings of the MFCC front-end; the defaults are MATLAB's keyword-spotting ones.

    Args:
        sample_rate: Hz of the audio the features are computed from.
        n_fft: samples per frame, which is also the window and FFT length (512 = 32 ms).
        hop_length: samples between frame starts (128 = 8 ms; overlap ``n_fft - hop``).
            At most ``n_fft``: frames may abut but not leave gaps.
        n_mfcc: cepstral coefficients kept per frame (at most ``n_mels``).
        n_mels: mel filters.
        fmin, fmax: the filterbank's frequency range, Hz; ``fmax=None`` is
            ``sample_rate / 2``.
        window: ``"hann"`` or ``"hamming"``, periodic (``fftbins=True``) as MATLAB's
            ``hann(512, "periodic")``.
        deltas: append delta and delta-delta coefficients (3 x ``n_mfcc`` features).
        delta_width: frames in the delta regression, odd and >= 3 (9: N = 4 frames each
            side).
        log_floor: mel energies are floored here before the log, so digital silence
            gives -100 dB instead of -inf.

    Returns:
        A frozen (hashable) dataclass; ``num_features`` is 39 with the defaults, and
        ``to_dict()`` / ``from_dict()`` carry it in a model's config.json.

    Example:
        >>> from lstmkit.audio import MFCCConfig
        >>> config = MFCCConfig()
        >>> config.num_features, config.n_fft - config.hop_length, config.latency_frames
        (39, 384, 8)
        >>> MFCCConfig.from_dict(config.to_dict()) == config
        True
    """

    sample_rate: int = 16000
    n_fft: int = 512
    hop_length: int = 128
    n_mfcc: int = 13
    n_mels: int = 40
    fmin: float = 0.0
    fmax: float | None = None
    window: str = "hann"
    deltas: bool = True
    delta_width: int = 9
    log_floor: float = 1e-10

    def __post_init__(self) -> None:
        check_int("sample_rate", self.sample_rate, 1)
        check_int("n_fft", self.n_fft, 2)
        check_int("hop_length", self.hop_length, 1)
        if self.hop_length > self.n_fft:
            raise ValueError(
                f"hop_length must be <= n_fft={self.n_fft} (frames may not leave gaps); "
                f"received {self.hop_length}"
            )
        check_int("n_mels", self.n_mels, 1)
        check_int("n_mfcc", self.n_mfcc, 1)
        if self.n_mfcc > self.n_mels:
            raise ValueError(
                f"n_mfcc must be <= n_mels={self.n_mels} (the DCT has n_mels coefficients); "
                f"received {self.n_mfcc}"
            )
        check_float("fmin", self.fmin, 0.0)
        nyquist = self.sample_rate / 2
        if self.fmax is not None:
            check_positive("fmax", self.fmax)
            if not self.fmin < self.fmax <= nyquist:
                raise ValueError(
                    f"fmax must lie in (fmin={self.fmin}, sample_rate / 2={nyquist}] Hz; "
                    f"received {self.fmax}"
                )
        elif self.fmin >= nyquist:
            raise ValueError(
                f"fmin must be below sample_rate / 2={nyquist} Hz; received {self.fmin}"
            )
        check_choice("window", self.window, WINDOWS)
        check_bool("deltas", self.deltas)
        check_int("delta_width", self.delta_width, 3)
        if self.delta_width % 2 == 0:
            raise ValueError(f"delta_width must be an odd int >= 3; received {self.delta_width}")
        check_positive("log_floor", self.log_floor)

    @property
    def num_features(self) -> int:
        """Values per frame: ``3 * n_mfcc`` with deltas, ``n_mfcc`` without."""
        return 3 * self.n_mfcc if self.deltas else self.n_mfcc

    @property
    def delta_radius(self) -> int:
        """N: frames on each side of the delta regression."""
        return (self.delta_width - 1) // 2

    @property
    def latency_frames(self) -> int:
        """Frames that must follow a frame before its features are final: 2N with deltas
        (N for the delta, N more for the delta-delta), 0 without."""
        return 2 * self.delta_radius if self.deltas else 0

    def to_dict(self) -> dict[str, Any]:
        """The fields as plain JSON values (ints, floats, str, bool, None)."""
        values = asdict(self)
        for key in ("sample_rate", "n_fft", "hop_length", "n_mfcc", "n_mels", "delta_width"):
            values[key] = int(values[key])
        for key in ("fmin", "log_floor"):
            values[key] = float(values[key])
        values["fmax"] = None if self.fmax is None else float(self.fmax)
        values["deltas"] = bool(self.deltas)
        return values

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> MFCCConfig:
        """Rebuild a config from :meth:`to_dict`'s output (unknown keys are refused)."""
        if not isinstance(values, dict):
            raise TypeError(
                f"values must be a dict from MFCCConfig.to_dict(); received {describe(values)}"
            )
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(
                f"values has keys MFCCConfig does not know: {unknown}; expected some of "
                f"{sorted(known)}"
            )
        return cls(**values)


# --------------------------------------------------------------------------- internals
@functools.lru_cache(maxsize=16)
def _window(config: MFCCConfig) -> np.ndarray:
    from scipy.signal import get_window  # scipy.signal is slow to import; only when used

    window = get_window(config.window, config.n_fft, fftbins=True).astype(np.float64)
    window.setflags(write=False)  # cached and shared: nobody may change it
    return window


@functools.lru_cache(maxsize=16)
def _mel_basis(config: MFCCConfig) -> np.ndarray:
    librosa = require("librosa")
    # float64 (librosa's default is float32): the offline and streaming paths then agree
    # to ~1e-12 and the comparison with librosa is limited only by its own rounding
    basis = librosa.filters.mel(
        sr=config.sample_rate,
        n_fft=config.n_fft,
        n_mels=config.n_mels,
        fmin=config.fmin,
        fmax=config.fmax,
        dtype=np.float64,
    )
    basis.setflags(write=False)
    return basis


def _cepstra(frames: np.ndarray, config: MFCCConfig) -> np.ndarray:
    """Static MFCCs of a (K, n_fft) block of frames -> (K, n_mfcc) float64.

    Each row depends only on its own frame, so the streaming extractor can call this on
    any batch of frames and get the same rows as the offline one."""
    from scipy.fft import dct

    spectrum = np.fft.rfft(frames * _window(config), axis=-1)
    power = np.abs(spectrum) ** 2  # (K, n_fft // 2 + 1), as librosa's |stft|**2
    mel = power @ _mel_basis(config).T  # (K, n_mels)
    log_mel = 10.0 * np.log10(np.maximum(mel, config.log_floor))
    return dct(log_mel, type=2, norm="ortho", axis=-1)[:, : config.n_mfcc]


def _frame(audio: np.ndarray, config: MFCCConfig) -> np.ndarray:
    """(K, n_fft) view of the frames starting at 0, hop, 2 hop, ... that fit entirely."""
    windows = np.lib.stride_tricks.sliding_window_view(audio, config.n_fft)
    return windows[:: config.hop_length]


def _delta_valid(padded: np.ndarray, radius: int) -> np.ndarray:
    """The regression delta at every row of ``padded`` that has ``radius`` rows on both
    sides: (L, F) -> (L - 2 radius, F). The caller does the edge padding, which lets the
    streaming extractor feed the rows in pieces and get identical sums."""
    count = padded.shape[0] - 2 * radius
    if count <= 0:
        return np.zeros((0, *padded.shape[1:]), dtype=np.float64)
    out = np.zeros((count, *padded.shape[1:]), dtype=np.float64)
    for n in range(1, radius + 1):  # same order of additions everywhere -> same bits
        out += n * (
            padded[radius + n : radius + n + count] - padded[radius - n : radius - n + count]
        )
    return out / (2.0 * sum(n * n for n in range(1, radius + 1)))


def _pad_edges(x: np.ndarray, radius: int) -> np.ndarray:
    return np.concatenate([np.repeat(x[:1], radius, axis=0), x, np.repeat(x[-1:], radius, axis=0)])


def _check_waveform(audio: Any, name: str) -> np.ndarray:
    if isinstance(audio, str | bytes) or audio is None:
        raise TypeError(f"{name} must be a 1-D array of samples; received {describe(audio)}")
    array = np.asarray(audio)
    if array.size == 0 and array.dtype.kind != "f":
        array = array.astype(np.float64)  # an empty list is an empty chunk, not an error
    # floats only: int16 PCM taken as is would be 32768 times too loud (+90 dB on every
    # coefficient) without any error; load_audio scales it properly
    if array.dtype.kind != "f":
        raise TypeError(
            f"{name} must be a 1-D array of float samples (integer PCM: convert it with "
            f"load_audio); received {describe(audio)}"
        )
    if array.ndim != 1:
        raise ValueError(
            f"{name} must be 1-D mono (samples,) (load_audio mixes channels down); "
            f"received {describe(array)}"
        )
    array = array.astype(np.float64, copy=False)
    if not np.isfinite(array).all():
        raise ValueError(f"{name} must hold finite samples; received NaN or inf")
    return array


def _check_config(config: Any) -> MFCCConfig:
    if config is None:
        return MFCCConfig()
    if not isinstance(config, MFCCConfig):
        raise TypeError(f"config must be an MFCCConfig or None; received {describe(config)}")
    return config


# ------------------------------------------------------------------------------ public
def delta(features: Any, *, width: int = 9) -> np.ndarray:
    """Regression deltas along time (axis 0), the first and last frame repeated past the
    edges; equal to ``librosa.feature.delta(x, width=width, mode="nearest", axis=0)``.

    Args:
        features: ``(frames, features)`` array (or ``(frames,)``).
        width: frames in the regression window, odd and >= 3.

    Returns:
        A float64 array of ``features``' shape.

    Example:
        >>> import numpy as np
        >>> from lstmkit.audio import delta
        >>> delta(np.arange(10.0), width=5)[3:7].tolist()  # a ramp has slope 1
        [1.0, 1.0, 1.0, 1.0]
    """
    check_int("width", width, 3)
    if width % 2 == 0:
        raise ValueError(f"width must be an odd int >= 3; received {width}")
    if isinstance(features, str | bytes) or features is None:
        raise TypeError(
            f"features must be an array (frames, features); received {describe(features)}"
        )
    array = np.asarray(features)
    if array.dtype.kind not in "fiu" or array.ndim not in (1, 2) or array.shape[0] == 0:
        raise ValueError(
            f"features must be a non-empty 1-D or 2-D real array (frames first); received "
            f"{describe(features)}"
        )
    radius = (width - 1) // 2
    return _delta_valid(_pad_edges(array.astype(np.float64), radius), radius)


def mfcc(audio: Any, config: MFCCConfig | None = None) -> np.ndarray:
    """MFCC (and delta, delta-delta) features of a mono clip, one row per frame.

    Frame ``k`` covers samples ``[k * hop, k * hop + n_fft)``; a trailing part shorter
    than a frame is not used. With ``deltas=False`` the result equals
    ``librosa.feature.mfcc(S=librosa.power_to_db(mel, top_db=None), n_mfcc=...)`` of the
    uncentred mel spectrogram.

    Args:
        audio: 1-D samples at ``config.sample_rate`` (see :func:`load_audio`), at least
            ``n_fft`` of them.
        config: an :class:`MFCCConfig`; None uses the defaults (MATLAB's settings).

    Returns:
        A float32 array ``(frames, config.num_features)``, frames =
        ``1 + (len(audio) - n_fft) // hop_length``; columns are the ``n_mfcc``
        coefficients, then their deltas, then the delta-deltas.

    Example:
        >>> import numpy as np
        >>> from lstmkit.audio import mfcc
        >>> t = np.arange(16000) / 16000
        >>> features = mfcc(0.1 * np.sin(2 * np.pi * 440 * t))
        >>> features.shape, features.dtype
        ((122, 39), dtype('float32'))
    """
    config = _check_config(config)
    samples = _check_waveform(audio, "audio")
    if samples.size < config.n_fft:
        raise ValueError(
            f"audio must have at least n_fft={config.n_fft} samples (one frame, "
            f"{config.n_fft / config.sample_rate * 1000:g} ms); received {samples.size}"
        )
    static = _cepstra(_frame(samples, config), config)
    if not config.deltas:
        return static.astype(np.float32)
    radius = config.delta_radius
    first = _delta_valid(_pad_edges(static, radius), radius)
    second = _delta_valid(_pad_edges(first, radius), radius)
    return np.concatenate([static, first, second], axis=1).astype(np.float32)


class FeatureNormalizer:
    """Per-feature z-scores with statistics learned from training feature matrices.

    ``transform(x) = (x - mean_) / std_`` where ``mean_`` and ``std_`` (population) are
    taken over every frame of every training matrix, in float64. A feature whose
    standard deviation is below ``min_std`` (e.g. a constant one) gets ``std_ = 1``, so
    it is centred instead of blown up, at training time and later.

    Args:
        min_std: standard deviations below this count as zero.

    Returns:
        After :meth:`fit`: ``mean_``, ``std_`` (float64, shape (F,)) and
        ``num_features_``; :meth:`transform` returns float32 arrays of the input's
        structure; :meth:`to_dict` / :meth:`from_dict` carry the statistics in a model's
        config.json.

    Example:
        >>> import numpy as np
        >>> from lstmkit.audio import FeatureNormalizer
        >>> train = [np.array([[0.0, 5.0], [2.0, 5.0]]), np.array([[4.0, 5.0]])]
        >>> norm = FeatureNormalizer().fit(train)
        >>> norm.mean_.tolist(), norm.transform(np.array([[2.0, 5.0]])).tolist()
        ([2.0, 5.0], [[0.0, 0.0]])
    """

    def __init__(self, *, min_std: float = 1e-8) -> None:
        check_positive("min_std", min_std)
        self.min_std = min_std
        self.mean_: np.ndarray | None = None
        self.std_: np.ndarray | None = None
        self.num_features_: int | None = None

    def __repr__(self) -> str:
        fitted = "" if self.num_features_ is None else f", num_features={self.num_features_}"
        return f"FeatureNormalizer(min_std={self.min_std}{fitted})"

    def _matrices(self, x: Any, name: str) -> tuple[list[np.ndarray], str]:
        """Accept a (T, F) array, a (N, T, F) array or a list of (T_i, F) arrays."""
        if isinstance(x, list | tuple):
            if not x:
                raise ValueError(f"{name} must hold at least one (frames, features) array")
            items, kind = list(x), "list"
        elif isinstance(x, np.ndarray) and x.ndim == 3:
            items, kind = list(x), "3d"
        elif isinstance(x, np.ndarray) and x.ndim == 2:
            items, kind = [x], "2d"
        else:
            raise TypeError(
                f"{name} must be a (frames, features) array, an (N, frames, features) "
                f"array or a list of (frames, features) arrays; received {describe(x)}"
            )
        width = self.num_features_
        out = []
        for i, item in enumerate(items):
            label = f"{name}[{i}]" if kind != "2d" else name
            array = np.asarray(item)
            if array.ndim != 2 or array.dtype.kind not in "fiu":
                raise ValueError(
                    f"{label} must be a 2-D real array (frames, features); received "
                    f"{describe(item)}"
                )
            if width is not None and array.shape[1] != width:
                raise ValueError(
                    f"{label} must have {width} features (as at fit); received {describe(array)}"
                )
            width = array.shape[1]
            if not np.isfinite(array).all():
                raise ValueError(f"{label} must hold finite values; received NaN or inf")
            out.append(array.astype(np.float64, copy=False))
        return out, kind

    def fit(self, features: Any) -> FeatureNormalizer:
        """Learn each feature's mean and standard deviation over all training frames.

        Args:
            features: a ``(frames, F)`` array, an ``(N, frames, F)`` array or a list of
                ``(frames_i, F)`` arrays (any lengths).

        Returns:
            ``self``.

        Example:
            >>> import numpy as np
            >>> from lstmkit.audio import FeatureNormalizer
            >>> FeatureNormalizer().fit(np.array([[1.0], [3.0]])).std_.tolist()
            [1.0]
        """
        self.num_features_ = None  # refitting may change the width
        matrices, _ = self._matrices(features, "features")
        frames = np.concatenate(matrices, axis=0)
        if frames.shape[0] == 0:
            raise ValueError("features must hold at least one frame; received 0 frames")
        mean, std = frames.mean(axis=0), frames.std(axis=0)
        std[std < self.min_std] = 1.0
        self.mean_, self.std_, self.num_features_ = mean, std, frames.shape[1]
        return self

    def transform(self, features: Any) -> Any:
        """Normalise with the fitted statistics.

        Args:
            features: the same forms :meth:`fit` accepts, with the fitted F.

        Returns:
            Float32 array(s) in the input's structure: an array for an array, a list
            for a list.

        Example:
            >>> import numpy as np
            >>> from lstmkit.audio import FeatureNormalizer
            >>> norm = FeatureNormalizer().fit(np.array([[1.0], [3.0]]))
            >>> norm.transform([np.array([[3.0]])])[0].tolist()
            [[1.0]]
        """
        if self.num_features_ is None:
            raise ValueError(
                "FeatureNormalizer is not fitted yet; call fit(features) on training features first"
            )
        matrices, kind = self._matrices(features, "features")
        out = [((m - self.mean_) / self.std_).astype(np.float32) for m in matrices]
        if kind == "list":
            return out
        return out[0] if kind == "2d" else np.stack(out)

    def fit_transform(self, features: Any) -> Any:
        """:meth:`fit` then :meth:`transform` on the same (training) features.

        Args:
            features: as for :meth:`fit`.

        Returns:
            As :meth:`transform`.

        Example:
            >>> import numpy as np
            >>> from lstmkit.audio import FeatureNormalizer
            >>> FeatureNormalizer().fit_transform(np.array([[1.0], [3.0]])).ravel().tolist()
            [-1.0, 1.0]
        """
        return self.fit(features).transform(features)

    def to_dict(self) -> dict[str, Any]:
        """The statistics as plain JSON values, for a model's config.json.

        Returns:
            ``{"min_std", "mean", "std"}`` with lists of floats (None before fit).

        Example:
            >>> import numpy as np
            >>> from lstmkit.audio import FeatureNormalizer
            >>> FeatureNormalizer().fit(np.array([[1.0], [3.0]])).to_dict()
            {'min_std': 1e-08, 'mean': [2.0], 'std': [1.0]}
        """
        return {
            "min_std": float(self.min_std),
            "mean": None if self.mean_ is None else [float(v) for v in self.mean_],
            "std": None if self.std_ is None else [float(v) for v in self.std_],
        }

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> FeatureNormalizer:
        """Rebuild a normaliser from :meth:`to_dict`'s output.

        Args:
            values: the dict.

        Returns:
            A :class:`FeatureNormalizer` (fitted if the dict holds statistics).

        Example:
            >>> from lstmkit.audio import FeatureNormalizer
            >>> FeatureNormalizer.from_dict({"mean": [2.0], "std": [1.0]}).num_features_
            1
        """
        if not isinstance(values, dict) or not {"mean", "std"} <= set(values):
            raise ValueError(
                f"values must be a dict from FeatureNormalizer.to_dict() with 'mean' and "
                f"'std'; received {describe(values)}"
            )
        normalizer = cls(min_std=values.get("min_std", 1e-8))
        mean, std = values["mean"], values["std"]
        if mean is None and std is None:
            return normalizer
        mean = np.asarray(mean, dtype=np.float64)
        std = np.asarray(std, dtype=np.float64)
        if mean.ndim != 1 or mean.shape != std.shape or not (std > 0).all():
            raise ValueError(
                f"values['mean'] and values['std'] must be equal-length lists with std > 0; "
                f"received mean {describe(mean)}, std {describe(std)}"
            )
        normalizer.mean_, normalizer.std_ = mean, std
        normalizer.num_features_ = int(mean.size)
        return normalizer
