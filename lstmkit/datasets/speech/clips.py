"""Speech clips with exact keyword intervals: speaking, joining, padding, conditions.

A :class:`SpeechClip` holds 16 kHz float32 audio and the sample intervals where the
keyword is spoken. The intervals are exact because the clip is *built* around the
keyword: :func:`keyword_clip` synthesises the words before the keyword, the keyword
and the words after it separately, trims each one's leading and trailing silence
(:func:`trim_silence`: 10 ms frames more than 40 dB below the loudest frame), and
joins them with short silent pauses, recording where the keyword segment went. Frame
masks for a tagger come from those intervals (:meth:`SpeechClip.sample_mask`), not
from a forced aligner. The price is that the keyword does not coarticulate with its
neighbours; the pauses (50-250 ms by default) keep that natural.

:func:`pad_clip` fits a clip into a fixed duration (silence around it, or a window
cut around the keyword), and :func:`add_condition` returns a new clip with the same
intervals under a recording condition: reverberation (direct-path delay removed, see
:mod:`lstmkit.datasets.speech.rooms`), noise of a kind at an SNR over the active
speech (:mod:`lstmkit.datasets.speech.noise`), and gain changes, in that order.

Example:
    >>> from lstmkit.datasets.speech import get_synthesizer, keyword_clip
    >>> clip = keyword_clip(get_synthesizer("espeak"), "yes", carrier=("did you say", "now"))
    >>> clip.text, clip.label, len(clip.intervals)
    ('did you say yes now', 'keyword', 1)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from lstmkit._checks import check_choice, check_float, check_int, describe
from lstmkit.datasets.speech.base import SAMPLE_RATE, Synthesizer, as_generator, check_text
from lstmkit.datasets.speech.channel import (
    ChannelResponse,
    apply_channel,
    random_channel,
    warp_voice,
)
from lstmkit.datasets.speech.noise import NOISE_KINDS, active_mask, make_noise, mix_at_snr
from lstmkit.datasets.speech.noise import random_gain as _random_gain
from lstmkit.datasets.speech.rooms import RoomImpulseResponse, random_rir, reverberate
from lstmkit.datasets.speech.words import carrier_parts

__all__ = [
    "LABELS",
    "SpeechClip",
    "add_condition",
    "babble_sources",
    "keyword_clip",
    "negative_clip",
    "pad_clip",
    "speak",
    "trim_silence",
    "with_noise",
]

#: What a clip is: it contains the keyword, a word that sounds like it, other speech,
#: or only noise.
LABELS = ("keyword", "confusable", "other", "noise")


@dataclass(eq=False)
class SpeechClip:
    """Audio and where the keyword is in it.

    Args:
        audio: float32 mono audio.
        sample_rate: Hz (16,000).
        intervals: ``(start, end)`` sample intervals (end exclusive) where the keyword
            is spoken, sorted; empty for negatives.
        text: what is said (None for pure noise).
        family: the synthesizer family (``"espeak"``, ...), None for pure noise.
        voice: the voice name, None for pure noise.
        label: one of :data:`LABELS`.
        snr_db: the SNR of added noise, None for a clean clip.
        seed: the seed the clip was made from.
        keyword: the keyword the intervals mark (None for negatives).
        rate: the speaking-rate factor used.
        pitch: the pitch factor used.
        noise: the kind of noise added, None for clean.
        rt60: the reverberation time of the simulated room, None when dry.
        gain_db: the overall gain applied by :func:`add_condition` (dB), None if none.

    Returns:
        A clip (see :func:`keyword_clip`, :func:`negative_clip`).

    Example:
        >>> from lstmkit.datasets.speech.clips import SpeechClip
        >>> clip = SpeechClip(np.zeros(100, np.float32), 16000, [(10, 20)], "yes",
        ...                   "espeak", "en-us", "keyword")
        >>> int(clip.sample_mask().sum()), clip.duration
        (10, 0.00625)
    """

    audio: np.ndarray
    sample_rate: int
    intervals: list[tuple[int, int]]
    text: str | None
    family: str | None
    voice: str | None
    label: str
    snr_db: float | None = None
    seed: int | None = None
    keyword: str | None = None
    rate: float = 1.0
    pitch: float = 1.0
    noise: str | None = None
    rt60: float | None = None
    gain_db: float | None = None

    def __post_init__(self) -> None:
        audio = np.asarray(self.audio)
        if audio.ndim != 1 or not np.issubdtype(audio.dtype, np.floating):
            raise ValueError(f"audio must be a 1-D float array; received {describe(self.audio)}")
        self.audio = audio.astype(np.float32, copy=False)
        check_choice("label", self.label, LABELS)
        intervals = []
        previous_end = 0
        for interval in self.intervals:
            try:
                start, end = (int(v) for v in interval)
            except (TypeError, ValueError):
                raise ValueError(
                    f"intervals must be (start, end) sample pairs; received {describe(interval)}"
                ) from None
            if not previous_end <= start < end <= audio.size:
                raise ValueError(
                    f"intervals must be sorted, non-overlapping (start, end) pairs with "
                    f"0 <= start < end <= {audio.size}; received {self.intervals!r}"
                )
            intervals.append((start, end))
            previous_end = end
        self.intervals = intervals

    @property
    def duration(self) -> float:
        """Length in seconds."""
        return self.audio.size / self.sample_rate

    def sample_mask(self) -> np.ndarray:
        """True on the samples where the keyword is spoken.

        Args:
            (none)

        Returns:
            bool array like :attr:`audio`.

        Example:
            >>> from lstmkit.datasets.speech.clips import SpeechClip
            >>> clip = SpeechClip(np.zeros(5, np.float32), 16000, [(1, 3)], "yes",
            ...                   "espeak", "en-us", "keyword")
            >>> clip.sample_mask().tolist()
            [False, True, True, False, False]
        """
        mask = np.zeros(self.audio.size, bool)
        for start, end in self.intervals:
            mask[start:end] = True
        return mask

    def replace(self, **changes: object) -> SpeechClip:
        """A copy with some fields changed (``dataclasses.replace``).

        Args:
            **changes: field name -> new value.

        Returns:
            The new clip (checked again).

        Example:
            >>> from lstmkit.datasets.speech.clips import SpeechClip
            >>> clip = SpeechClip(np.zeros(5, np.float32), 16000, [], "no", None, None, "other")
            >>> clip.replace(label="confusable").label
            'confusable'
        """
        return dataclasses.replace(self, **changes)


def trim_silence(
    audio: np.ndarray,
    *,
    threshold_db: float = -40.0,
    frame_seconds: float = 0.01,
    sample_rate: int = SAMPLE_RATE,
) -> tuple[np.ndarray, tuple[int, int]]:
    """Cut leading and trailing silence: frames more than ``threshold_db`` below the loudest.

    Args:
        audio: 1-D array.
        threshold_db: a frame counts as sound when its RMS is above the loudest frame's
            RMS plus this (negative, dB).
        frame_seconds: frame length (s).
        sample_rate: Hz.

    Returns:
        ``(trimmed, (start, end))``: the audio from the first to the last sounding
        frame, and where that was in ``audio``.

    Raises:
        ValueError: nothing in ``audio`` is above silence.

    Example:
        >>> from lstmkit.datasets.speech.clips import trim_silence
        >>> x = np.concatenate([np.zeros(480), np.ones(320), np.zeros(480)])
        >>> trim_silence(x)[1]
        (480, 800)
    """
    active = active_mask(
        audio, sample_rate=sample_rate, frame_seconds=frame_seconds, threshold_db=threshold_db
    )
    if not active.any():
        raise ValueError("audio must contain sound above silence to trim; it is all silent")
    where = np.flatnonzero(active)
    start, end = int(where[0]), int(where[-1]) + 1
    return np.asarray(audio, dtype=np.float32)[start:end].copy(), (start, end)


def speak(
    synth: Synthesizer,
    text: str,
    *,
    voice: str | None = None,
    rate: float = 1.0,
    pitch: float = 1.0,
    seed: int = 0,
    threshold_db: float = -40.0,
) -> np.ndarray:
    """Synthesise ``text`` and trim its leading and trailing silence.

    Args:
        synth: a synthesizer (:func:`~lstmkit.datasets.speech.get_synthesizer`).
        text: what to say.
        voice: one of ``synth.voices()``; None for the default.
        rate: speaking-rate factor.
        pitch: pitch factor.
        seed: int >= 0 (see :meth:`Synthesizer.synthesize`).
        threshold_db: silence threshold for :func:`trim_silence`.

    Returns:
        float32 16 kHz audio that starts and ends with speech.

    Example:
        >>> from lstmkit.datasets.speech import get_synthesizer, speak
        >>> audio = speak(get_synthesizer("espeak"), "yes")
        >>> 0.1 < audio.size / 16000 < 1.0
        True
    """
    audio = synth.synthesize(text, voice=voice, rate=rate, pitch=pitch, seed=seed)
    return trim_silence(audio, threshold_db=threshold_db)[0]


def _pause_range(value: object) -> tuple[float, float]:
    ok = (
        isinstance(value, tuple | list)
        and len(value) == 2
        and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
        and 0 <= value[0] <= value[1] <= 5
    )
    if not ok:
        raise ValueError(
            f"pause_seconds must be a (low, high) pair of seconds with 0 <= low <= high <= 5; "
            f"received {describe(value)}"
        )
    return float(value[0]), float(value[1])


def _carrier(carrier: object) -> tuple[str, str]:
    if carrier is None:
        return "", ""
    if isinstance(carrier, str):
        return carrier_parts(carrier)
    if (
        isinstance(carrier, tuple | list)
        and len(carrier) == 2
        and all(isinstance(c, str) for c in carrier)
    ):
        return carrier[0].strip(), carrier[1].strip()
    raise ValueError(
        "carrier must be None, a (before, after) pair of strings or a template with '{kw}'; "
        f"received {describe(carrier)}"
    )


def keyword_clip(
    synth: Synthesizer,
    keyword: str,
    *,
    carrier: tuple[str, str] | str | None = None,
    voice: str | None = None,
    rate: float = 1.0,
    pitch: float = 1.0,
    seed: int = 0,
    pause_seconds: tuple[float, float] = (0.05, 0.25),
) -> SpeechClip:
    """A clip of ``keyword``, alone or inside a carrier sentence, with its exact interval.

    The parts before the keyword, the keyword and the part after it are synthesised
    separately (same voice, rate and pitch), trimmed with :func:`trim_silence`, and
    joined with silent pauses drawn from ``pause_seconds``. The keyword's interval is
    where its trimmed segment was placed.

    Args:
        synth: a synthesizer.
        keyword: the keyword (one or more words).
        carrier: None (the keyword alone), ``(before, after)`` strings (either may be
            empty), or a template such as ``"did you say {kw} just now"``.
        voice: one of ``synth.voices()``; None for the default.
        rate: speaking-rate factor.
        pitch: pitch factor.
        seed: int >= 0: the pauses and the synthesizer seeds of the three parts.
        pause_seconds: range of each pause between parts (s).

    Returns:
        A :class:`SpeechClip` labelled ``"keyword"`` with one interval.

    Example:
        >>> from lstmkit.datasets.speech import get_synthesizer, keyword_clip
        >>> clip = keyword_clip(get_synthesizer("espeak"), "yes", carrier="I said {kw}")
        >>> start, end = clip.intervals[0]
        >>> 0 < start < end == clip.audio.size
        True
    """
    keyword = check_text("keyword", keyword)
    before, after = _carrier(carrier)
    low, high = _pause_range(pause_seconds)
    rng = as_generator("seed", seed)
    seeds = [int(s) for s in rng.integers(0, 2**31 - 1, 3)]
    options = {"voice": voice, "rate": rate, "pitch": pitch}
    parts: list[np.ndarray] = []
    interval = (0, 0)
    position = 0
    for index, text in enumerate((before, keyword, after)):
        if not any(c.isalnum() for c in text):
            continue
        if parts:
            pause = np.zeros(round(rng.uniform(low, high) * SAMPLE_RATE), np.float32)
            parts.append(pause)
            position += pause.size
        segment = speak(synth, text, seed=seeds[index], **options)
        if index == 1:
            interval = (position, position + segment.size)
        parts.append(segment)
        position += segment.size
    spoken = " ".join(t for t in (before, keyword, after) if t)
    return SpeechClip(
        audio=np.concatenate(parts),
        sample_rate=SAMPLE_RATE,
        intervals=[interval],
        text=spoken,
        family=synth.family,
        voice=synth.check_voice(voice),
        label="keyword",
        seed=seed if isinstance(seed, int) else None,
        keyword=keyword,
        rate=float(rate),
        pitch=float(pitch),
    )


def negative_clip(
    synth: Synthesizer,
    text: str,
    *,
    label: str = "other",
    voice: str | None = None,
    rate: float = 1.0,
    pitch: float = 1.0,
    seed: int = 0,
) -> SpeechClip:
    """A clip without the keyword: a sentence, a word, or a confusable.

    Args:
        synth: a synthesizer.
        text: what to say (it must not contain the keyword; not checked here).
        label: ``"other"`` or ``"confusable"``.
        voice: one of ``synth.voices()``; None for the default.
        rate: speaking-rate factor.
        pitch: pitch factor.
        seed: int >= 0.

    Returns:
        A :class:`SpeechClip` with no intervals.

    Example:
        >>> from lstmkit.datasets.speech import get_synthesizer, negative_clip
        >>> clip = negative_clip(get_synthesizer("espeak"), "yet", label="confusable")
        >>> clip.intervals, clip.label
        ([], 'confusable')
    """
    check_choice("label", label, ("other", "confusable"))
    audio = speak(synth, text, voice=voice, rate=rate, pitch=pitch, seed=seed)
    return SpeechClip(
        audio=audio,
        sample_rate=SAMPLE_RATE,
        intervals=[],
        text=check_text("text", text),
        family=synth.family,
        voice=synth.check_voice(voice),
        label=label,
        seed=seed,
        rate=float(rate),
        pitch=float(pitch),
    )


def pad_clip(
    clip: SpeechClip,
    seconds: float,
    *,
    seed: int | np.random.Generator = 0,
    position: str = "random",
) -> SpeechClip:
    """Fit a clip into exactly ``seconds``: silence around it, or a window cut from it.

    A shorter clip gets silence before and after (``position``: ``"random"`` splits it
    at random, ``"center"`` evenly, ``"end"`` puts all of it first); conditions added
    later (:func:`add_condition`) fill the silence with noise. A longer clip is cut to a
    window that keeps every keyword interval whole (random placement; ``ValueError``
    if the keyword itself does not fit).

    Args:
        clip: the clip.
        seconds: the duration wanted (s, > 0).
        seed: int >= 0 or a ``numpy.random.Generator``.
        position: ``"random"``, ``"center"`` or ``"end"``.

    Returns:
        A new :class:`SpeechClip` of ``round(seconds * 16000)`` samples, intervals
        shifted accordingly.

    Example:
        >>> from lstmkit.datasets.speech.clips import SpeechClip, pad_clip
        >>> clip = SpeechClip(np.ones(100, np.float32), 16000, [(10, 20)], "yes",
        ...                   None, None, "keyword")
        >>> padded = pad_clip(clip, 0.01, position="center")
        >>> padded.audio.size, padded.intervals
        (160, [(40, 50)])
    """
    check_float("seconds", seconds, 0.0)
    check_choice("position", position, ("random", "center", "end"))
    rng = as_generator("seed", seed)
    target = round(seconds * clip.sample_rate)
    if target < 1:
        raise ValueError(f"seconds must give at least one sample; received {seconds}")
    size = clip.audio.size
    if size <= target:
        spare = target - size
        if position == "random":
            lead = int(rng.integers(0, spare + 1))
        elif position == "center":
            lead = spare // 2
        else:
            lead = spare
        audio = np.zeros(target, np.float32)
        audio[lead : lead + size] = clip.audio
        intervals = [(s + lead, e + lead) for s, e in clip.intervals]
        return clip.replace(audio=audio, intervals=intervals)
    # cut a window [offset, offset + target) that contains every interval
    if clip.intervals:
        first, last = clip.intervals[0][0], clip.intervals[-1][1]
        if last - first > target:
            raise ValueError(
                f"seconds must be at least the keyword's duration "
                f"({(last - first) / clip.sample_rate:.3f} s); received {seconds}"
            )
        low, high = max(0, last - target), min(first, size - target)
    else:
        low, high = 0, size - target
    if position == "random":
        offset = int(rng.integers(low, high + 1))
    elif position == "center":
        offset = (low + high) // 2
    else:
        offset = low
    audio = clip.audio[offset : offset + target].copy()
    intervals = [(s - offset, e - offset) for s, e in clip.intervals]
    return clip.replace(audio=audio, intervals=intervals)


def add_condition(
    clip: SpeechClip,
    *,
    noise: str | None = None,
    snr_db: float | None = None,
    reverb: bool | RoomImpulseResponse = False,
    gain: bool = False,
    babble_sources: Sequence[np.ndarray] | None = None,
    seed: int | np.random.Generator = 0,
    warp: float | None = None,
    channel: bool | ChannelResponse = False,
) -> SpeechClip:
    """A new clip under a recording condition; the keyword intervals stay exact.

    Applied in this order: a voice warp (speed perturbation: the talker's pitch and
    formants, the keyword's intervals scaled with it, the clip cut or padded back to
    its length without cutting the keyword), reverberation (direct-path delay
    removed, so nothing moves), noise mixed at ``snr_db`` over the (reverberant)
    speech's active part, a channel's frequency response, then random gain changes.
    A clip with no speech (label ``"noise"``) gets the noise at unit RMS x 0.1 instead
    of an SNR, and no warp.

    Args:
        clip: the clean clip.
        noise: None (clean) or one of :data:`~lstmkit.datasets.speech.noise.NOISE_KINDS`.
        snr_db: the SNR (dB), required with ``noise`` (except for noise-only clips).
        reverb: False, True (a random room from ``seed``), or a
            :class:`~lstmkit.datasets.speech.rooms.RoomImpulseResponse`.
        gain: apply :func:`~lstmkit.datasets.speech.noise.random_gain` (-12..+6 dB
            overall, up to two smooth steps); the result is clipped to [-1, 1].
        babble_sources: speech clips for ``noise="babble"``.
        seed: int >= 0 or a ``numpy.random.Generator``.
        warp: None, or a speed factor in [0.5, 2]
            (:func:`~lstmkit.datasets.speech.channel.warp_voice`).
        channel: False, True (a random channel from ``seed``), or a
            :class:`~lstmkit.datasets.speech.channel.ChannelResponse`.

    Returns:
        A new :class:`SpeechClip` (same length; the same intervals unless ``warp``
        scaled them; ``snr_db``, ``noise``, ``rt60`` and ``gain_db`` record the
        condition).

    Example:
        >>> from lstmkit.datasets.speech import add_condition, get_synthesizer, keyword_clip
        >>> clip = keyword_clip(get_synthesizer("espeak"), "yes")
        >>> noisy = add_condition(clip, noise="pink", snr_db=10.0, seed=0)
        >>> noisy.intervals == clip.intervals, noisy.snr_db, noisy.noise
        (True, 10.0, 'pink')
    """
    rng = as_generator("seed", seed)
    if noise is not None:
        check_choice("noise", noise, NOISE_KINDS)
    if snr_db is not None and (
        isinstance(snr_db, bool) or not isinstance(snr_db, int | float | np.integer | np.floating)
    ):
        raise TypeError(f"snr_db must be a number (dB) or None; received {describe(snr_db)}")
    speechless = clip.label == "noise" or not np.any(clip.audio)
    if noise is not None and snr_db is None and not speechless:
        raise ValueError("snr_db must be a number (dB) when noise is given; received None")
    if not isinstance(reverb, bool | RoomImpulseResponse):
        raise TypeError(
            f"reverb must be True, False or a RoomImpulseResponse; received {describe(reverb)}"
        )
    if not isinstance(channel, bool | ChannelResponse):
        raise TypeError(
            f"channel must be True, False or a ChannelResponse; received {describe(channel)}"
        )
    audio = clip.audio
    intervals = list(clip.intervals)
    if warp is not None and not speechless:
        warped, spans = warp_voice(audio, intervals, warp)
        audio, intervals = _fit_length(warped, spans, clip.audio.size)
    rt60 = clip.rt60
    if reverb is not False and not speechless:
        room = random_rir(seed=rng) if reverb is True else reverb
        audio = reverberate(audio, room)
        rt60 = room.rt60
    snr = clip.snr_db
    if noise is not None:
        sound = make_noise(noise, audio.size, seed=rng, babble_sources=babble_sources)
        if speechless:
            audio = (audio + 0.1 * sound).astype(np.float32)
            snr = None
        else:
            audio = mix_at_snr(audio, sound, float(snr_db))
            snr = float(snr_db)
    if channel is not False:
        response = random_channel(seed=rng) if channel is True else channel
        audio = apply_channel(audio, response)
    gain_db = clip.gain_db
    if gain:
        level = float(rng.uniform(-12.0, 6.0))
        audio = _random_gain(audio, seed=rng, gain_db=(level, level))
        audio = np.clip(audio, -1.0, 1.0)
        gain_db = level
    return clip.replace(
        audio=np.asarray(audio, np.float32),
        intervals=intervals,
        snr_db=snr,
        noise=noise if noise is not None else clip.noise,
        rt60=rt60,
        gain_db=gain_db,
    )


def _fit_length(
    audio: np.ndarray, intervals: list[tuple[int, int]], length: int
) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """``audio`` padded (at the end) or cut to ``length`` samples; a cut takes the
    samples after the last keyword first, then those before the first, so the
    keyword stays whole whenever it fits."""
    excess = audio.size - length
    if excess <= 0:
        return np.pad(audio, (0, -excess)), intervals
    last = max((b for _, b in intervals), default=0)
    first = min((a for a, _ in intervals), default=audio.size)
    tail = min(excess, audio.size - last)
    head = min(excess - tail, first)
    audio = audio[head:][:length]
    if audio.size < length:
        audio = np.pad(audio, (0, length - audio.size))
    spans = [(min(length, max(0, a - head)), min(length, max(0, b - head))) for a, b in intervals]
    return audio, [(a, b) for a, b in spans if b > a]


def babble_sources(clips: Sequence[SpeechClip], count: int = 8) -> list[np.ndarray]:
    """Speech to make babble noise of: the first ``count`` clips of other speech (label
    ``"other"``), or, where a set has none, of any clip with speech.

    Args:
        clips: the clips of a corpus.
        count: how many sources at most (int >= 1).

    Returns:
        A list of audio arrays (empty if no clip has speech).

    Example:
        >>> from lstmkit.datasets.speech import get_synthesizer, negative_clip
        >>> other = negative_clip(get_synthesizer("espeak"), "good morning")
        >>> len(babble_sources([other, other], count=1))
        1
    """
    check_int("count", count, 1)
    speech = [c.audio for c in clips if c.label == "other"][:count]
    return speech or [c.audio for c in clips if c.label != "noise"][:count]


def with_noise(
    clips: Sequence[SpeechClip],
    snr_db: float | None,
    *,
    kinds: Sequence[str] = NOISE_KINDS,
    seed: int = 0,
    babble: Sequence[np.ndarray] | None = None,
) -> list[SpeechClip]:
    """A test condition: every clip in one noise kind at ``snr_db`` over its speech.

    Clip ``i``'s noise kind and noise come from the generator ``[seed, i]``, so the same
    clip gets the same kind at every SNR and the conditions differ only in level.

    Args:
        clips: the clean clips.
        snr_db: the SNR in dB; None leaves the clips as they are (the clean condition).
        kinds: the noise kinds to draw from (each one of
            :data:`~lstmkit.datasets.speech.noise.NOISE_KINDS`).
        seed: int >= 0.
        babble: speech for ``"babble"`` (see :func:`babble_sources`).

    Returns:
        A new list of clips.

    Example:
        >>> from lstmkit.datasets.speech import get_synthesizer, keyword_clip
        >>> clip = keyword_clip(get_synthesizer("espeak"), "yes")
        >>> [c.snr_db for c in with_noise([clip], 10.0, kinds=["pink"])]
        [10.0]
    """
    if snr_db is None:
        return list(clips)
    check_int("seed", seed, 0)
    out = []
    for i, clip in enumerate(clips):
        rng = np.random.default_rng([seed, i])
        kind = kinds[int(rng.integers(len(kinds)))]
        out.append(add_condition(clip, noise=kind, snr_db=snr_db, babble_sources=babble, seed=rng))
    return out
