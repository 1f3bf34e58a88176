"""The synthesizer interface every engine follows, and the registry of engines.

A synthesizer turns text into speech: :meth:`Synthesizer.synthesize` returns mono
float32 audio at 16,000 Hz (:data:`SAMPLE_RATE`), peak-normalised to
:data:`PEAK_LEVEL` (0.5, i.e. -6 dBFS, headroom for the noise and gain changes added
later). Engines register themselves under a *family* name ("espeak", "piper",
"flite", "festival"); :func:`get_synthesizer` makes one by name and
:func:`available_families` says which can run here.

Rate and pitch are factors (1.0 = the voice's own): ``rate=1.25`` speaks 25 % faster,
``pitch=1.1`` 10 % higher. An engine without a pitch control shifts pitch by
resampling (it synthesises ``pitch`` times slower, then plays the result ``pitch``
times faster, so the duration is kept and the formants move with the pitch).
"""

from __future__ import annotations

import importlib
import math
import os
from abc import ABC, abstractmethod
from fractions import Fraction
from types import ModuleType
from typing import Any, ClassVar

import numpy as np

from lstmkit._checks import check_choice, check_int, describe

__all__ = [
    "INSTALL_HINT",
    "PEAK_LEVEL",
    "SAMPLE_RATE",
    "SYNTHESIZERS",
    "Synthesizer",
    "available_families",
    "get_synthesizer",
    "peak_normalise",
    "resample",
]

#: The sample rate of every array this package returns (Hz).
SAMPLE_RATE = 16_000
#: The peak amplitude :meth:`Synthesizer.synthesize` scales speech to (-6 dBFS).
PEAK_LEVEL = 0.5
#: What to run when an optional speech dependency is missing.
INSTALL_HINT = 'pip install "lstmkit[speech]"'
#: Accepted ranges of the rate and pitch factors.
RATE_RANGE = (0.5, 2.0)
PITCH_RANGE = (0.5, 2.0)

#: family name -> synthesizer class; the engines add themselves (see :func:`register`).
SYNTHESIZERS: dict[str, type[Synthesizer]] = {}


def require(module: str, purpose: str) -> ModuleType:
    """Import an optional dependency, or fail with the command that installs it.

    Args:
        module: the module to import, e.g. ``"pyroomacoustics"``.
        purpose: what needs it, for the message.

    Returns:
        The imported module.

    Example:
        >>> require("numpy", "arrays").__name__
        'numpy'
    """
    try:
        return importlib.import_module(module)
    except ImportError as error:
        raise ImportError(
            f"{purpose} needs the '{module}' package, which is not installed: {INSTALL_HINT}"
        ) from error


def check_range(name: str, value: Any, low: float, high: float) -> float:
    """``value`` must be a finite real number in ``[low, high]``; returns it as a float.

    Args:
        name: the argument's name, for the message.
        value: what the caller passed.
        low: the smallest accepted value.
        high: the largest accepted value.

    Returns:
        ``float(value)``.

    Example:
        >>> check_range("rate", 1, 0.5, 2.0)
        1.0
    """
    real = isinstance(value, int | float | np.integer | np.floating) and not isinstance(
        value, bool | np.bool_
    )
    if not real:
        raise TypeError(f"{name} must be a number in [{low}, {high}]; received {describe(value)}")
    if not math.isfinite(value) or not low <= value <= high:
        raise ValueError(f"{name} must be a number in [{low}, {high}]; received {value}")
    return float(value)


def check_text(name: str, value: Any) -> str:
    """``value`` must be a string with at least one letter or digit; returns it stripped.

    Args:
        name: the argument's name, for the message.
        value: what the caller passed.

    Returns:
        The stripped string.

    Example:
        >>> check_text("text", "  yes ")
        'yes'
    """
    if not isinstance(value, str) or not any(c.isalnum() for c in value):
        raise ValueError(
            f"{name} must be a non-empty string with at least one letter or digit; "
            f"received {describe(value)}"
        )
    return value.strip()


def as_generator(name: str, seed: Any) -> np.random.Generator:
    """A ``numpy.random.Generator`` from an int seed (>= 0) or a Generator (used as is).

    Args:
        name: the argument's name, for the message.
        seed: an int >= 0 or a ``numpy.random.Generator``.

    Returns:
        The generator.

    Example:
        >>> float(as_generator("seed", 0).random()) == float(as_generator("seed", 0).random())
        True
    """
    if isinstance(seed, np.random.Generator):
        return seed
    check_int(name, seed, 0)
    return np.random.default_rng(int(seed))


def resample(audio: np.ndarray, orig_rate: float, target_rate: int = SAMPLE_RATE) -> np.ndarray:
    """Resample mono audio with a polyphase filter (``scipy.signal.resample_poly``).

    A non-integer ratio is approximated by a fraction with a denominator of at most
    1,000 (off by less than 0.1 %; used for resampling-based pitch shifts).

    Args:
        audio: 1-D array.
        orig_rate: its sample rate (Hz), may be fractional.
        target_rate: the rate wanted (Hz).

    Returns:
        float32 array at ``target_rate``.

    Example:
        >>> resample(np.zeros(22050, np.float32), 22050).shape
        (16000,)
    """
    from scipy.signal import resample_poly

    audio = np.asarray(audio, dtype=np.float32)
    ratio = Fraction(target_rate) / Fraction(orig_rate).limit_denominator(1000)
    ratio = ratio.limit_denominator(1000)
    if ratio == 1 or audio.size == 0:
        return audio.copy()
    return resample_poly(audio, ratio.numerator, ratio.denominator).astype(np.float32)


def peak_normalise(audio: np.ndarray, level: float = PEAK_LEVEL) -> np.ndarray:
    """Scale audio so its largest absolute sample is ``level`` (silence stays silence).

    Args:
        audio: 1-D array.
        level: the peak wanted.

    Returns:
        float32 array.

    Example:
        >>> peak_normalise(np.array([0.1, -0.2], np.float32)).tolist()
        [0.25, -0.5]
    """
    audio = np.asarray(audio, dtype=np.float32)
    peak = float(np.max(np.abs(audio))) if audio.size else 0.0
    if peak <= 1e-9:
        return np.zeros_like(audio)
    return (audio * (level / peak)).astype(np.float32)


class Synthesizer(ABC):
    """One text-to-speech engine behind one interface.

    Subclasses set :attr:`family`, :attr:`install_hint`, and implement
    :meth:`available`, :meth:`voices` and ``_synthesize(text, voice, rate, pitch,
    seed) -> (audio, sample_rate)``; this class checks the arguments, resamples to
    16 kHz and normalises the level.

    Args:
        (none; engines take their own keyword options)

    Returns:
        A synthesizer (abstract: make one with :func:`get_synthesizer`).

    Example:
        >>> from lstmkit.datasets.speech import get_synthesizer
        >>> synth = get_synthesizer("espeak")
        >>> audio = synth.synthesize("yes", voice="en-us+m3")
        >>> audio.dtype, round(float(abs(audio).max()), 2)
        (dtype('float32'), 0.5)
    """

    #: The engine's family name, the key in :data:`SYNTHESIZERS`.
    family: ClassVar[str] = ""
    #: What to do to make the engine available.
    install_hint: ClassVar[str] = INSTALL_HINT

    @classmethod
    @abstractmethod
    def available(cls) -> bool:
        """Whether the engine can run here (its package or program is installed)."""

    @abstractmethod
    def voices(self) -> list[str]:
        """The voice names :meth:`synthesize` accepts, default voice first."""

    @property
    def default_voice(self) -> str:
        """The voice used when ``voice=None`` (the first of :meth:`voices`)."""
        return self.voices()[0]

    def check_voice(self, voice: Any) -> str:
        """``voice`` as a valid voice name (None -> the default voice).

        Args:
            voice: a name from :meth:`voices`, or None.

        Returns:
            The voice name.

        Example:
            >>> from lstmkit.datasets.speech import get_synthesizer
            >>> get_synthesizer("espeak").check_voice(None)
            'en-us'
        """
        if voice is None:
            return self.default_voice
        names = self.voices()
        if not isinstance(voice, str) or voice not in names:
            shown = ", ".join(repr(v) for v in names[:6])
            more = f", ... ({len(names)} in all, see .voices())" if len(names) > 6 else ""
            raise ValueError(
                f"voice must be one of the {self.family} voices {shown}{more}; "
                f"received {describe(voice)}"
            )
        return voice

    def synthesize(
        self,
        text: str,
        *,
        voice: str | None = None,
        rate: float = 1.0,
        pitch: float = 1.0,
        seed: int = 0,
    ) -> np.ndarray:
        """Speak ``text``.

        Args:
            text: what to say (at least one letter or digit).
            voice: one of :meth:`voices`; None for the default voice.
            rate: speaking-rate factor in [0.5, 2.0] (1.0 = the voice's own).
            pitch: pitch factor in [0.5, 2.0] (1.0 = the voice's own).
            seed: int >= 0; engines with random variation (Piper, espeak-ng's
                whisper voices) use it, so the same seed gives the same audio in any
                process; deterministic engines ignore it.

        Returns:
            float32 mono audio at 16,000 Hz, peak :data:`PEAK_LEVEL`, including the
            engine's own leading and trailing silence (see :func:`speak` to trim it).

        Example:
            >>> from lstmkit.datasets.speech import get_synthesizer
            >>> audio = get_synthesizer("espeak").synthesize("hello", rate=1.2)
            >>> 0.2 < audio.size / 16000 < 1.5
            True
        """
        text = check_text("text", text)
        voice = self.check_voice(voice)
        rate = check_range("rate", rate, *RATE_RANGE)
        pitch = check_range("pitch", pitch, *PITCH_RANGE)
        check_int("seed", seed, 0)
        audio, sample_rate = self._synthesize(text, voice, rate, pitch, int(seed))
        return peak_normalise(resample(audio, sample_rate))

    @abstractmethod
    def _synthesize(
        self, text: str, voice: str, rate: float, pitch: float, seed: int
    ) -> tuple[np.ndarray, float]:
        """Engine-specific synthesis: ``(audio, sample_rate)`` (checked arguments)."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


def register(cls: type[Synthesizer]) -> type[Synthesizer]:
    """Class decorator: add a synthesizer class to :data:`SYNTHESIZERS` by its family.

    Args:
        cls: a :class:`Synthesizer` subclass with a ``family`` name.

    Returns:
        ``cls`` unchanged.

    Example:
        >>> from lstmkit.datasets.speech import SYNTHESIZERS
        >>> sorted(SYNTHESIZERS)
        ['espeak', 'festival', 'flite', 'piper']
    """
    SYNTHESIZERS[cls.family] = cls
    return cls


def get_synthesizer(family: str, **options: Any) -> Synthesizer:
    """Make a synthesizer of a registered family.

    Args:
        family: ``"espeak"``, ``"piper"``, ``"flite"`` or ``"festival"`` (the keys
            of :data:`SYNTHESIZERS`).
        **options: keyword options of that family's class (e.g. Piper's
            ``noise_scale``).

    Returns:
        The synthesizer.

    Raises:
        ValueError: an unknown family.
        ImportError / RuntimeError: the family is known but cannot run here (the
            message says what to install).

    Example:
        >>> from lstmkit.datasets.speech import get_synthesizer
        >>> get_synthesizer("espeak").family
        'espeak'
    """
    check_choice("family", family, sorted(SYNTHESIZERS))
    cls = SYNTHESIZERS[family]
    if not cls.available():
        # the programs (flite, festival) are not pip packages: RuntimeError, not ImportError
        error = RuntimeError if family in ("flite", "festival") else ImportError
        raise error(f"the {family!r} synthesizer is not available here: {cls.install_hint}")
    return cls(**options)


def available_families() -> list[str]:
    """The registered families that can run here, sorted.

    Args:
        (none)

    Returns:
        Family names, e.g. ``['espeak', 'piper']`` (``'flite'`` and ``'festival'``
        only where the ``flite`` and ``festival`` programs are installed).

    Example:
        >>> from lstmkit.datasets.speech import available_families
        >>> "espeak" in available_families()
        True
    """
    return sorted(name for name, cls in SYNTHESIZERS.items() if cls.available())


def read_pcm16_wav(path: str | os.PathLike[str], program: str) -> tuple[np.ndarray, int]:
    """A 16-bit PCM WAV that a synthesiser program wrote, as mono float32 in [-1, 1).

    Args:
        path: the WAV file.
        program: the program that wrote it (named in the error).

    Returns:
        ``(audio, sample_rate)``; several channels are averaged.

    Example:
        >>> import tempfile, wave
        >>> from lstmkit.datasets.speech.base import read_pcm16_wav
        >>> path = tempfile.mkdtemp() + "/x.wav"
        >>> with wave.open(path, "wb") as w:
        ...     w.setnchannels(1); w.setsampwidth(2); w.setframerate(8000)
        ...     w.writeframes(bytes([0, 64]) * 4)
        >>> audio, rate = read_pcm16_wav(path, "test")
        >>> audio.tolist(), rate
        ([0.5, 0.5, 0.5, 0.5], 8000)
    """
    import wave

    with wave.open(str(path), "rb") as handle:
        sample_rate = handle.getframerate()
        channels = handle.getnchannels()
        if handle.getsampwidth() != 2:
            raise RuntimeError(f"{program} wrote {8 * handle.getsampwidth()}-bit audio, not 16-bit")
        frames = handle.readframes(handle.getnframes())
    audio = np.frombuffer(frames, dtype="<i2").astype(np.float32) / 32768.0
    if channels > 1:
        audio = audio.reshape(-1, channels).mean(axis=1)
    return audio, sample_rate
