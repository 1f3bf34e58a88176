"""Reading, writing and resampling audio: one checked path from a file or an array to
float32 mono at the rate a model expects.

Every feature extractor downstream assumes the same thing: a 1-D float32 waveform at
one known sample rate, finite, in [-1, 1]-ish units. :func:`load_audio` is the single
door into that form, so the mistakes that usually surface three functions later as a
shape error or a NaN loss (a stereo file, an int16 array, a 44.1 kHz recording, a
truncated download, a silent clip) are caught here with a message that names the input.

soundfile (libsndfile: WAV, FLAC, OGG) and soxr (a high-quality resampler) are imported
inside the functions, so ``import lstmkit.audio`` stays cheap and works without them
until audio is actually read.
"""

from __future__ import annotations

import importlib
import os
import tempfile
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from lstmkit._checks import check_bool, check_float, check_int, describe
from lstmkit._files import fsync_dir, fsync_file

__all__ = ["load_audio", "resample", "save_audio"]

# peak amplitude below which a clip counts as silent: about -100 dBFS, well under the
# 16-bit quantisation floor (1/32768 = 3e-5), so only digital silence trips it
SILENCE_PEAK = 1e-5

# what save_audio writes, chosen by the file's suffix (libsndfile format, subtype)
_WRITE_FORMATS = {".wav": ("WAV", "PCM_16"), ".flac": ("FLAC", "PCM_16")}


def require(module: str) -> ModuleType:
    """Import an optional audio dependency, or say how to install it."""
    try:
        return importlib.import_module(module)
    except ImportError as error:
        raise ImportError(
            f"lstmkit.audio needs the {module!r} package; install the audio extra: "
            f'pip install "lstmkit[audio]"'
        ) from error


def _to_float(array: np.ndarray, name: str) -> np.ndarray:
    """Any numeric array as float64, with integer PCM scaled to [-1, 1]."""
    kind = array.dtype.kind
    if kind == "f":
        return array.astype(np.float64, copy=False)
    if kind == "i":
        # int16 PCM spans [-32768, 32767]; dividing by 32768 maps it into [-1, 1)
        # the way soundfile and every DAW do
        return array.astype(np.float64) / float(-np.iinfo(array.dtype).min)
    if kind == "u":
        # unsigned PCM (8-bit WAV) is offset binary: 128 is the zero line
        half = float(np.iinfo(array.dtype).max // 2 + 1)
        return (array.astype(np.float64) - half) / half
    raise TypeError(
        f"{name} must be an array of real numbers (float or integer PCM); received "
        f"{describe(array)}"
    )


def _mono(array: np.ndarray, name: str) -> np.ndarray:
    """(samples,) or (samples, channels) -> (samples,), checking the layout."""
    if array.ndim == 1:
        return array
    if array.ndim != 2:
        raise ValueError(
            f"{name} must be 1-D (samples,) or 2-D (samples, channels); received {describe(array)}"
        )
    samples, channels = array.shape
    if channels > samples:
        # (2, 44100) is almost surely librosa's (channels, samples) layout; averaging
        # its 44100 "channels" would silently produce two samples of garbage
        raise ValueError(
            f"{name} must be 2-D (samples, channels); received {describe(array)}, which "
            f"looks like (channels, samples): pass {name}.T"
        )
    if channels == 0:
        raise ValueError(f"{name} must have at least one channel; received {describe(array)}")
    return array.mean(axis=1)


def _read_file(path: Path, name: str) -> tuple[np.ndarray, int]:
    if not path.exists():
        raise FileNotFoundError(f"{name}: audio file {str(path)!r} does not exist")
    if path.is_dir():
        raise ValueError(f"{name} must be an audio file; {str(path)!r} is a folder")
    soundfile = require("soundfile")
    try:
        # always_2d: one code path for mono and multi-channel files
        data, rate = soundfile.read(str(path), dtype="float64", always_2d=True)
    except (soundfile.SoundFileError, RuntimeError) as error:
        raise ValueError(
            f"{name}: cannot read audio file {str(path)!r} (corrupt or not WAV/FLAC/OGG): {error}"
        ) from error
    return data, int(rate)


def load_audio(
    source: Any,
    *,
    sample_rate: int = 16000,
    source_rate: int | None = None,
    min_seconds: float = 0.0,
    allow_silent: bool = True,
    name: str = "audio",
) -> np.ndarray:
    """Read a file or take an array, and return float32 mono audio at ``sample_rate``.

    Channels are averaged, integer PCM is scaled to [-1, 1], and the audio is resampled
    with soxr (high quality) when its rate differs from ``sample_rate``.

    Args:
        source: a path (``str`` or ``pathlib.Path``) to a WAV, FLAC or OGG file, or an
            array of samples: 1-D ``(samples,)`` or 2-D ``(samples, channels)``, float
            or integer PCM (int16, int32, uint8).
        sample_rate: the rate of the returned audio, Hz.
        source_rate: the rate of ``source`` when it is an array (required then); for a
            file it is read from the file's header and may be omitted (if given, it must
            agree with the header).
        min_seconds: refuse audio shorter than this (after resampling).
        allow_silent: False refuses digital silence (peak below 1e-5), e.g. a muted
            microphone or a failed synthesis.
        name: how to call ``source`` in error messages (e.g. ``"clips[3]"``).

    Returns:
        A 1-D float32 array of ``round(duration * sample_rate)`` samples (soxr rounds
        the resampled length to the nearest sample).

    Raises:
        FileNotFoundError: the file does not exist.
        TypeError: ``source`` is neither a path nor an array of real numbers.
        ValueError: unreadable or corrupt file, wrong shape, empty, NaN or inf samples,
            too short, silent (with ``allow_silent=False``), or ``source_rate`` missing
            for an array.

    Example:
        >>> import numpy as np
        >>> from lstmkit.audio import load_audio
        >>> stereo = np.zeros((44100, 2), np.int16)
        >>> stereo[:, 0] = 1000
        >>> mono = load_audio(stereo, source_rate=44100)
        >>> mono.shape, mono.dtype, round(float(mono[8000]), 4)
        ((16000,), dtype('float32'), 0.0153)
    """
    check_int("sample_rate", sample_rate, 1)
    check_float("min_seconds", min_seconds, 0.0)
    check_bool("allow_silent", allow_silent)
    if not isinstance(name, str):
        raise TypeError(f"name must be a str; received {describe(name)}")
    if source_rate is not None:
        check_int("source_rate", source_rate, 1)

    if isinstance(source, str | os.PathLike):
        data, file_rate = _read_file(Path(source), name)
        if source_rate is not None and source_rate != file_rate:
            raise ValueError(
                f"source_rate={source_rate} disagrees with the {file_rate} Hz that "
                f"{name} ({str(source)!r}) declares; omit source_rate for files"
            )
        rate = file_rate
    else:
        if isinstance(source, bytes | bytearray) or source is None:
            raise TypeError(
                f"{name} must be a path or an array of samples; received {describe(source)}"
            )
        data = np.asarray(source)
        if data.dtype == object:
            raise TypeError(f"{name} must be an array of real numbers; received {describe(source)}")
        if source_rate is None:
            raise ValueError(
                f"{name} is an array, so source_rate (its sample rate in Hz) is required; "
                f"received source_rate=None"
            )
        rate = source_rate

    if data.size == 0:  # before the layout check: (0, 2) is empty, not channels-first
        raise ValueError(
            f"{name} must hold at least one sample; received an empty clip ({describe(data)})"
        )
    audio = _mono(_to_float(data, name), name)
    bad = ~np.isfinite(audio)
    if bad.any():
        raise ValueError(
            f"{name} must hold finite samples; received NaN or inf at {int(bad.sum())} "
            f"of {audio.size} samples (the first at sample {int(np.argmax(bad))})"
        )
    if rate != sample_rate:
        audio = resample(audio, rate, sample_rate)

    seconds = audio.size / sample_rate
    if seconds < min_seconds:
        raise ValueError(
            f"{name} must last at least min_seconds={min_seconds} s; received "
            f"{seconds:.4g} s ({audio.size} samples at {sample_rate} Hz)"
        )
    peak = float(np.max(np.abs(audio)))
    if not allow_silent and peak < SILENCE_PEAK:
        raise ValueError(
            f"{name} is silent (peak amplitude {peak:.3g} < {SILENCE_PEAK}) and allow_silent=False"
        )
    return np.ascontiguousarray(audio, dtype=np.float32)


def resample(audio: Any, source_rate: int, target_rate: int) -> np.ndarray:
    """Change the sample rate of a 1-D signal with soxr's high-quality filter.

    Args:
        audio: 1-D array of samples (float or integer PCM; integers are scaled to [-1, 1]).
        source_rate: its sample rate, Hz.
        target_rate: the wanted sample rate, Hz.

    Returns:
        A float32 array of about ``len(audio) * target_rate / source_rate`` samples
        (a copy even when the rates agree).

    Example:
        >>> import numpy as np
        >>> from lstmkit.audio import resample
        >>> tone = np.sin(2 * np.pi * 440 * np.arange(44100) / 44100)
        >>> resample(tone, 44100, 16000).shape
        (16000,)
    """
    check_int("source_rate", source_rate, 1)
    check_int("target_rate", target_rate, 1)
    if isinstance(audio, str | bytes) or audio is None:
        raise TypeError(f"audio must be a 1-D array of samples; received {describe(audio)}")
    array = np.asarray(audio)
    if array.dtype == object:
        raise TypeError(f"audio must be a 1-D array of real numbers; received {describe(audio)}")
    signal = _to_float(array, "audio")
    if signal.ndim != 1:
        raise ValueError(f"audio must be 1-D (samples,); received {describe(array)}")
    if source_rate == target_rate:
        return signal.astype(np.float32)
    soxr = require("soxr")
    # resampling in float64 and rounding once at the end keeps the filter's ~-100 dB
    # stop band rather than float32's -140 dB noise floor getting in the way twice
    out = soxr.resample(signal, int(source_rate), int(target_rate), quality="HQ")
    return np.ascontiguousarray(out, dtype=np.float32)


def save_audio(path: str | os.PathLike[str], audio: Any, sample_rate: int) -> Path:
    """Write audio as 16-bit PCM (WAV or FLAC, by suffix), atomically.

    The samples go to a temporary file in the same folder, which is flushed to disk and
    then renamed over ``path``: a crash or an error leaves the old file (or none), never
    a truncated one. Samples outside [-1, 1] are clipped (16-bit PCM cannot hold them).

    Args:
        path: the file to write, ending in ``.wav`` or ``.flac``; parent folders are
            created.
        audio: ``(samples,)`` or ``(samples, channels)`` float samples in [-1, 1].
        sample_rate: Hz.

    Returns:
        The written path.

    Example:
        >>> import pathlib, tempfile
        >>> import numpy as np
        >>> from lstmkit.audio import load_audio, save_audio
        >>> tone = 0.5 * np.sin(2 * np.pi * 440 * np.arange(16000) / 16000)
        >>> p = save_audio(pathlib.Path(tempfile.mkdtemp()) / "tone.wav", tone, 16000)
        >>> back = load_audio(p)
        >>> back.shape, bool(np.abs(back - tone).max() < 1e-4)
        ((16000,), True)
    """
    check_int("sample_rate", sample_rate, 1)
    if not isinstance(path, str | os.PathLike):
        raise TypeError(f"path must be a str or pathlib.Path; received {describe(path)}")
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in _WRITE_FORMATS:
        raise ValueError(f"path must end in {' or '.join(_WRITE_FORMATS)}; received {str(path)!r}")
    if isinstance(audio, str | bytes) or audio is None:
        raise TypeError(f"audio must be an array of samples; received {describe(audio)}")
    array = np.asarray(audio)
    if array.dtype.kind != "f":
        raise TypeError(
            f"audio must be an array of float samples in [-1, 1]; received {describe(array)}"
        )
    if array.ndim not in (1, 2) or array.size == 0:
        raise ValueError(
            f"audio must be a non-empty 1-D (samples,) or 2-D (samples, channels) array; "
            f"received {describe(array)}"
        )
    if not np.isfinite(array).all():
        raise ValueError("audio must hold finite samples; received NaN or inf")
    data = np.clip(array, -1.0, 1.0)
    file_format, subtype = _WRITE_FORMATS[suffix]

    soundfile = require("soundfile")
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(handle)
    try:
        soundfile.write(temp, data, int(sample_rate), subtype=subtype, format=file_format)
        fsync_file(temp)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    # the rename itself lives in the folder's entries: flush them too
    fsync_dir(path.parent)
    return path
