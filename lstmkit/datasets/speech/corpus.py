"""Keyword-spotting corpora and hours of background speech, from seeds, offline.

* :func:`build_keyword_corpus` makes fixed-length clips: positives (the keyword alone
  or in a carrier sentence, with its exact interval) and negatives (confusables, other
  sentences, noise only), each with a random family, voice, rate and pitch, then a
  recording condition (clean, or noise at an SNR, reverberation, gain changes). Clip
  ``i`` depends only on the configuration and ``i`` (its generator is seeded with
  ``(seed, i)``), so a corpus can be built in shards (``start``/``stop``) in separate
  processes and joined, with the same result as one build.
* :func:`background_stream` makes long negative audio for counting false alarms per
  hour: sentences, single words, confusables, babble, noise bursts and silences over a
  faint noise floor, never the keyword. It is generated once and cached as 16-bit FLAC
  chunks (10 minutes by default) plus a JSON manifest in a folder named by a hash of
  the configuration; iterating yields one chunk at a time (float32), so ten hours never
  sit in memory.

**Cache layout and safety.** ``<cache_dir>/background-<hash>/`` holds
``chunk-00000.flac``, ... and ``manifest.json`` (the configuration, the seed, the
chunks finished with their sample count, byte size and sha256, and the synthesis
speed per family). A chunk is written to a temporary file (``.chunk-00000.flac.<pid>
.tmp``), flushed to disk, renamed into place (``os.replace``), and only then added to
the manifest (rewritten atomically, under a lock file). A chunk counts as done only
when the manifest lists it and its file has the listed size and hash; anything else
(a leftover temporary file from a killed build, a chunk renamed but not yet listed) is
rebuilt, which gives the same samples since chunk ``j`` depends only on the
configuration and ``j``. Leftover temporary files of dead processes are removed.
The default cache folder is ``$LSTMKIT_CACHE/speech``, else ``~/.cache/lstmkit/speech``.

**Synthesis speed** per family is tabled in :mod:`lstmkit.datasets.speech`; each
background stream's manifest records the speed measured while it was built
(``speed[family]``: audio seconds, synthesis seconds (wall clock) and their ratio,
``realtime_factor``).

Example:
    >>> from lstmkit.datasets.speech import KeywordCorpusConfig, build_keyword_corpus
    >>> config = KeywordCorpusConfig("yes", n_positive=2, n_negative=2, clip_seconds=1.5,
    ...                              reverb_probability=0.0)
    >>> clips = build_keyword_corpus(config)
    >>> [c.label for c in clips][:2], clips[0].audio.shape
    (['keyword', 'keyword'], (24000,))
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import itertools
import json
import math
import os
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from lstmkit._checks import check_choice, check_float, check_int, check_probability, describe
from lstmkit._files import fsync_dir, fsync_file
from lstmkit.datasets.speech.base import (
    SAMPLE_RATE,
    SYNTHESIZERS,
    Synthesizer,
    check_text,
    get_synthesizer,
    require,
)
from lstmkit.datasets.speech.clips import (
    SpeechClip,
    add_condition,
    keyword_clip,
    negative_clip,
    pad_clip,
    trim_silence,
)
from lstmkit.datasets.speech.noise import NOISE_KINDS, babble, coloured_noise, mains_hum
from lstmkit.datasets.speech.rooms import RoomImpulseResponse, random_rir, reverberate
from lstmkit.datasets.speech.words import (
    CARRIER_TEMPLATES,
    WORDS,
    carrier_parts,
    confusables_for,
    negative_sentences,
)
from lstmkit.io.jsonable import save_json

__all__ = [
    "BackgroundStream",
    "KeywordCorpusConfig",
    "background_stream",
    "build_keyword_corpus",
    "default_cache_dir",
]

# tags that keep the random streams of clips, pools and chunks apart
_CLIP, _BABBLE, _ROOMS, _CHUNK = 1, 2, 3, 4
_FORMAT = "lstmkit.speech.background/1"


def _number_tuple(name: str, value: Any, low: float, high: float) -> tuple[float, ...]:
    ok = isinstance(value, Sequence) and not isinstance(value, str) and len(value) > 0
    ok = ok and all(
        isinstance(v, int | float | np.integer | np.floating) and not isinstance(v, bool)
        for v in value
    )
    if not ok:
        raise TypeError(
            f"{name} must be a non-empty list or tuple of numbers; received {describe(value)}"
        )
    values = tuple(float(v) for v in value)
    bad = [v for v in values if not (math.isfinite(v) and low <= v <= high)]
    if bad:
        raise ValueError(f"{name} must hold numbers in [{low}, {high}]; received {list(value)}")
    return values


def _families(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = (value,)
    if not isinstance(value, Sequence) or not value:
        raise TypeError(
            f"families must be a non-empty list of synthesizer families; received {describe(value)}"
        )
    for family in value:
        check_choice("families[]", family, sorted(SYNTHESIZERS))
    return tuple(dict.fromkeys(value))


def _voices(value: Any, families: tuple[str, ...]) -> dict[str, tuple[str, ...]] | None:
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise TypeError(
            f"voices must be None or a mapping family -> list of voice names; "
            f"received {describe(value)}"
        )
    result = {}
    for family, names in value.items():
        check_choice("voices (key)", family, families)
        if isinstance(names, str) or not isinstance(names, Sequence) or not names:
            raise TypeError(
                f"voices[{family!r}] must be a non-empty list of voice names; "
                f"received {describe(names)}"
            )
        result[family] = tuple(names)
    return result


@dataclass(frozen=True)
class KeywordCorpusConfig:
    """What :func:`build_keyword_corpus` makes.

    Args:
        keyword: the keyword (one or more words).
        families: synthesizer families to draw from (each clip picks one).
        voices: family -> voice names to use; a family missing here (or None) uses all
            of its voices. Hold voices or whole families out to test on unheard voices.
        rates: speaking-rate factors to draw from.
        pitches: pitch factors to draw from.
        n_positive: clips with the keyword.
        n_negative: clips without it.
        confusable_share: share of negatives that say a confusable
            (:func:`~lstmkit.datasets.speech.words.confusables_for`).
        noise_share: share of negatives that are noise only (label ``"noise"``).
        carrier_share: share of clips whose word is said inside a carrier sentence
            (:data:`~lstmkit.datasets.speech.words.CARRIER_TEMPLATES`).
        clean_share: share of clips left without noise.
        snr_db: SNRs (dB) to draw from for noisy clips.
        noise_kinds: noise kinds to draw from.
        reverb_probability: chance that a clip is reverberated (a room from a pool of
            ``n_rooms`` drawn from the seed).
        gain_probability: chance of random gain changes.
        warp_probability: chance that the talker is warped (speed perturbation: pitch
            and formants; :func:`~lstmkit.datasets.speech.channel.warp_voice`) by a
            factor drawn uniformly from ``warp_range``.
        warp_range: ``(low, high)`` speed factors, within [0.5, 2].
        channel_probability: chance that the clip goes through a random channel
            (:func:`~lstmkit.datasets.speech.channel.random_channel`).
        clip_seconds: every clip's duration (s).
        n_rooms: simulated rooms in the pool.
        seed: int >= 0.

    Returns:
        A frozen configuration (lists become tuples).

    Example:
        >>> from lstmkit.datasets.speech import KeywordCorpusConfig
        >>> KeywordCorpusConfig("yes", snr_db=[10, 0]).snr_db
        (10.0, 0.0)
    """

    keyword: str
    families: tuple[str, ...] = ("espeak",)
    voices: Mapping[str, Sequence[str]] | None = None
    rates: tuple[float, ...] = (0.8, 0.9, 1.0, 1.1, 1.25)
    pitches: tuple[float, ...] = (0.88, 0.94, 1.0, 1.06, 1.12)
    n_positive: int = 200
    n_negative: int = 200
    confusable_share: float = 0.4
    noise_share: float = 0.1
    carrier_share: float = 0.5
    clean_share: float = 0.2
    snr_db: tuple[float, ...] = (20.0, 10.0, 5.0, 0.0)
    noise_kinds: tuple[str, ...] = NOISE_KINDS
    reverb_probability: float = 0.3
    gain_probability: float = 0.3
    warp_probability: float = 0.0
    warp_range: tuple[float, float] = (0.88, 1.12)
    channel_probability: float = 0.0
    clip_seconds: float = 2.0
    n_rooms: int = 8
    seed: int = 0

    def __post_init__(self) -> None:
        def put(name: str, value: Any) -> None:
            object.__setattr__(self, name, value)

        put("keyword", check_text("keyword", self.keyword))
        families = _families(self.families)
        put("families", families)
        put("voices", _voices(self.voices, families))
        put("rates", _number_tuple("rates", self.rates, 0.5, 2.0))
        put("pitches", _number_tuple("pitches", self.pitches, 0.5, 2.0))
        put("snr_db", _number_tuple("snr_db", self.snr_db, -30.0, 100.0))
        check_int("n_positive", self.n_positive, 0)
        check_int("n_negative", self.n_negative, 0)
        for name in ("confusable_share", "noise_share", "carrier_share", "clean_share"):
            check_probability(name, getattr(self, name), allow_one=True)
        check_probability("reverb_probability", self.reverb_probability, allow_one=True)
        check_probability("gain_probability", self.gain_probability, allow_one=True)
        check_probability("warp_probability", self.warp_probability, allow_one=True)
        check_probability("channel_probability", self.channel_probability, allow_one=True)
        warp_range = _number_tuple("warp_range", self.warp_range, 0.5, 2.0)
        if len(warp_range) != 2 or warp_range[0] > warp_range[1]:
            raise ValueError(
                f"warp_range must be (low, high) with low <= high; received {warp_range}"
            )
        put("warp_range", warp_range)
        if self.confusable_share + self.noise_share > 1:
            raise ValueError(
                "confusable_share + noise_share must be at most 1; received "
                f"{self.confusable_share} + {self.noise_share}"
            )
        kinds = self.noise_kinds
        if isinstance(kinds, str) or not isinstance(kinds, Sequence) or not kinds:
            raise TypeError(f"noise_kinds must be a non-empty list; received {describe(kinds)}")
        for kind in kinds:
            check_choice("noise_kinds[]", kind, NOISE_KINDS)
        put("noise_kinds", tuple(kinds))
        check_float("clip_seconds", self.clip_seconds, 0.1)
        check_int("n_rooms", self.n_rooms, 1)
        check_int("seed", self.seed, 0)

    def to_dict(self) -> dict[str, Any]:
        """The configuration as plain JSON types.

        Args:
            (none)

        Returns:
            A dict (``voices`` as family -> list).

        Example:
            >>> from lstmkit.datasets.speech import KeywordCorpusConfig
            >>> KeywordCorpusConfig("yes").to_dict()["families"]
            ['espeak']
        """
        data = dataclasses.asdict(self)
        return json.loads(json.dumps(data))


class _Voices:
    """Synthesizers and their voice lists, made once per build."""

    def __init__(self, families: Sequence[str], voices: Mapping[str, Sequence[str]] | None):
        self.synths: dict[str, Synthesizer] = {}
        self.voices: dict[str, list[str]] = {}
        for family in families:
            synth = get_synthesizer(family)
            chosen = list((voices or {}).get(family) or synth.voices())
            for i, voice in enumerate(chosen):
                try:
                    synth.check_voice(voice)
                except ValueError as error:
                    raise ValueError(f"voices[{family!r}][{i}]: {error}") from None
            self.synths[family] = synth
            self.voices[family] = chosen
        self.families = list(families)

    def draw(self, rng: np.random.Generator) -> tuple[Synthesizer, str]:
        family = self.families[int(rng.integers(len(self.families)))]
        voices = self.voices[family]
        return self.synths[family], voices[int(rng.integers(len(voices)))]


_POOLS: dict[str, Any] = {}
_POOLS_LOCK = threading.Lock()


def _pool(key: str, make: Any) -> Any:
    with _POOLS_LOCK:
        if key not in _POOLS:
            if len(_POOLS) > 16:
                _POOLS.clear()
            _POOLS[key] = make()
        return _POOLS[key]


def _room_pool(seed: int, n_rooms: int) -> list[RoomImpulseResponse]:
    return _pool(
        f"rooms/{seed}/{n_rooms}",
        lambda: [random_rir(seed=np.random.default_rng([seed, _ROOMS, k])) for k in range(n_rooms)],
    )


def _speech_pool(voices: _Voices, seed: int, exclude: Sequence[str], n: int = 8) -> list:
    """Sentences for babble, the same for every shard of a build."""

    def make() -> list[np.ndarray]:
        clips = []
        for k in range(n):
            rng = np.random.default_rng([seed, _BABBLE, k])
            synth, voice = voices.draw(rng)
            text = negative_sentences(1, exclude=exclude, seed=rng)[0]
            clips.append(
                negative_clip(synth, text, voice=voice, seed=int(rng.integers(2**31))).audio
            )
        return clips

    key = json.dumps(["babble", voices.voices, seed, list(exclude), n], sort_keys=True)
    return _pool(key, make)


def _clip(config: KeywordCorpusConfig, index: int, voices: _Voices) -> SpeechClip:
    rng = np.random.default_rng([config.seed, _CLIP, index])
    synth, voice = voices.draw(rng)
    rate = config.rates[int(rng.integers(len(config.rates)))]
    pitch = config.pitches[int(rng.integers(len(config.pitches)))]
    synth_seed = int(rng.integers(2**31))
    in_carrier = rng.random() < config.carrier_share
    template = CARRIER_TEMPLATES[1 + int(rng.integers(len(CARRIER_TEMPLATES) - 1))]
    options = {"voice": voice, "rate": rate, "pitch": pitch, "seed": synth_seed}
    if index < config.n_positive:
        clip = keyword_clip(
            synth, config.keyword, carrier=template if in_carrier else None, **options
        )
    else:
        draw = rng.random()
        if draw < config.noise_share:
            clip = SpeechClip(np.zeros(1, np.float32), SAMPLE_RATE, [], None, None, None, "noise")
        elif draw < config.noise_share + config.confusable_share:
            choices = confusables_for(config.keyword)
            word = choices[int(rng.integers(len(choices)))]
            text = word
            if in_carrier:
                before, after = carrier_parts(template)
                text = " ".join(t for t in (before, word, after) if t)
            clip = negative_clip(synth, text, label="confusable", **options)
        else:
            text = negative_sentences(1, exclude=[config.keyword], seed=rng)[0]
            clip = negative_clip(synth, text, label="other", **options)
    clip = pad_clip(clip, config.clip_seconds, seed=rng)
    noise_kind = config.noise_kinds[int(rng.integers(len(config.noise_kinds)))]
    snr = config.snr_db[int(rng.integers(len(config.snr_db)))]
    clean = rng.random() < config.clean_share and clip.label != "noise"
    reverb_draw = rng.random() < config.reverb_probability
    gain = bool(rng.random() < config.gain_probability)
    room: bool | RoomImpulseResponse = False
    if reverb_draw:
        rooms = _room_pool(config.seed, config.n_rooms)
        room = rooms[int(rng.integers(len(rooms)))]
    sources = None
    if not clean and noise_kind == "babble":
        sources = _speech_pool(voices, config.seed, [config.keyword])
    # their own generator, so that corpora without them are the clips they always were
    talker = np.random.default_rng([config.seed, _CLIP, index, 1])
    warp = None
    if talker.random() < config.warp_probability:
        warp = float(talker.uniform(*config.warp_range))
    channel = bool(talker.random() < config.channel_probability)
    clip = add_condition(
        clip,
        noise=None if clean else noise_kind,
        snr_db=None if clean else snr,
        reverb=room,
        gain=gain,
        babble_sources=sources,
        seed=rng,
        warp=warp,
        channel=channel,
    )
    return clip.replace(seed=index)


def build_keyword_corpus(
    config: KeywordCorpusConfig, *, start: int = 0, stop: int | None = None, n_jobs: int = 1
) -> list[SpeechClip]:
    """Make the clips of a keyword corpus (see the module docstring).

    Clips ``0 .. n_positive - 1`` are positives, the rest negatives; clip ``i``
    depends only on ``config`` and ``i``, so shards built apart equal one build.

    Args:
        config: a :class:`KeywordCorpusConfig`.
        start: first clip index (int >= 0).
        stop: one past the last clip index; None for ``n_positive + n_negative``.
        n_jobs: processes that synthesise the clips (the same clips as one process).

    Returns:
        The clips, each ``config.clip_seconds`` long, their ``seed`` field set to the
        clip's index.

    Example:
        >>> from lstmkit.datasets.speech import KeywordCorpusConfig, build_keyword_corpus
        >>> config = KeywordCorpusConfig("no", n_positive=1, n_negative=1, clip_seconds=1.0,
        ...                              reverb_probability=0.0)
        >>> a = build_keyword_corpus(config)
        >>> b = build_keyword_corpus(config, start=1)
        >>> bool((a[1].audio == b[0].audio).all()), a[0].label, a[1].label != "keyword"
        (True, 'keyword', True)
    """
    if not isinstance(config, KeywordCorpusConfig):
        raise TypeError(f"config must be a KeywordCorpusConfig; received {describe(config)}")
    total = config.n_positive + config.n_negative
    check_int("start", start, 0)
    if stop is None:
        stop = total
    check_int("stop", stop, start)
    if stop > total:
        raise ValueError(f"stop must be at most n_positive + n_negative = {total}; received {stop}")
    check_int("n_jobs", n_jobs, 1)
    if n_jobs > 1 and stop - start >= 4 * n_jobs:
        from concurrent.futures import ProcessPoolExecutor

        # more shards than processes: a Piper clip takes ~10x a flite clip's time
        bounds = np.linspace(start, stop, 4 * n_jobs + 1).astype(int)
        jobs = [(config, int(a), int(b)) for a, b in itertools.pairwise(bounds) if b > a]
        with ProcessPoolExecutor(n_jobs) as pool:
            return [clip for shard in pool.map(_build_shard, jobs) for clip in shard]
    voices = _Voices(config.families, config.voices)
    return [_clip(config, index, voices) for index in range(start, stop)]


def _build_shard(job: tuple[KeywordCorpusConfig, int, int]) -> list[SpeechClip]:
    """Clips ``start .. stop - 1`` of a corpus, in a worker process."""
    config, start, stop = job
    return build_keyword_corpus(config, start=start, stop=stop)


# ------------------------------------------------------------------ background stream
def default_cache_dir() -> Path:
    """Where cached speech goes: ``$LSTMKIT_CACHE/speech``, else ``~/.cache/lstmkit/speech``.

    Args:
        (none)

    Returns:
        The folder (not created).

    Example:
        >>> from lstmkit.datasets.speech import default_cache_dir
        >>> default_cache_dir().name
        'speech'
    """
    root = os.environ.get("LSTMKIT_CACHE")
    base = Path(root).expanduser() if root else Path.home() / ".cache" / "lstmkit"
    return base / "speech"


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    try:
        import fcntl
    except ImportError:  # not POSIX: manifest updates are not locked
        yield
        return
    with open(path, "a+") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class BackgroundStream:
    """Cached hours of negative audio, yielded chunk by chunk (see :func:`background_stream`).

    Args:
        config: the stream's configuration (what :func:`background_stream` builds).
        folder: the cache folder of this configuration.

    Returns:
        An iterable of float32 chunks (16 kHz); ``len()`` is the number of chunks.

    Example:
        >>> import tempfile
        >>> from lstmkit.datasets.speech import background_stream
        >>> stream = background_stream(hours=10 / 3600, chunk_seconds=5.0, seed=0,
        ...                            cache_dir=tempfile.mkdtemp())
        >>> [chunk.shape for chunk in stream]
        [(80000,), (80000,)]
        >>> sorted(stream.manifest()["speed"])
        ['espeak']
    """

    def __init__(self, config: dict[str, Any], folder: Path) -> None:
        self.config = config
        self.path = folder
        self.sample_rate = SAMPLE_RATE
        self.chunk_samples = round(config["chunk_seconds"] * SAMPLE_RATE)
        self.total_samples = round(config["hours"] * 3600 * SAMPLE_RATE)
        self.n_chunks = max(1, -(-self.total_samples // self.chunk_samples))
        self._voices: _Voices | None = None

    def __len__(self) -> int:
        return self.n_chunks

    def __repr__(self) -> str:
        return f"BackgroundStream({self.total_samples / SAMPLE_RATE / 3600:.3f} h at {self.path})"

    @property
    def manifest_path(self) -> Path:
        """The manifest file."""
        return self.path / "manifest.json"

    def manifest(self) -> dict[str, Any]:
        """The manifest as stored now (a fresh one if nothing was built yet).

        Args:
            (none)

        Returns:
            ``{"format", "key", "config", "sample_rate", "n_chunks", "chunks", "speed"}``;
            ``chunks`` maps the chunk index (a string) to its file, ``n_samples``,
            ``bytes``, ``sha256`` and per-family speed; ``speed`` sums them per family.

        Example:
            >>> import tempfile
            >>> from lstmkit.datasets.speech import background_stream
            >>> s = background_stream(hours=0.001, cache_dir=tempfile.mkdtemp())
            >>> s.manifest()["chunks"]
            {}
        """
        fresh = {
            "format": _FORMAT,
            "key": self.path.name,
            "config": self.config,
            "seed": self.config["seed"],
            "sample_rate": SAMPLE_RATE,
            "n_chunks": self.n_chunks,
            "chunks": {},
            "speed": {},
        }
        try:
            stored = json.loads(self.manifest_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return fresh
        if not isinstance(stored, dict) or stored.get("config") != self.config:
            return fresh
        if not isinstance(stored.get("chunks"), dict):
            return fresh
        return stored

    def _chunk_size(self, index: int) -> int:
        return min(self.chunk_samples, self.total_samples - index * self.chunk_samples)

    def _is_done(self, index: int, manifest: dict[str, Any]) -> bool:
        entry = manifest["chunks"].get(str(index))
        if not isinstance(entry, dict):
            return False
        path = self.path / entry.get("file", "")
        try:
            if path.stat().st_size != entry.get("bytes"):
                return False
        except OSError:
            return False
        return _sha256(path) == entry.get("sha256")

    def is_complete(self) -> bool:
        """Whether every chunk is built and intact.

        Args:
            (none)

        Returns:
            True or False.

        Example:
            >>> import tempfile
            >>> from lstmkit.datasets.speech import background_stream
            >>> background_stream(hours=0.001, cache_dir=tempfile.mkdtemp()).is_complete()
            False
        """
        manifest = self.manifest()
        return all(self._is_done(i, manifest) for i in range(self.n_chunks))

    def chunk(self, index: int) -> np.ndarray:
        """Chunk ``index``: read from the cache, or generated and cached first.

        Args:
            index: 0 .. ``len(self) - 1``.

        Returns:
            float32 audio (16-bit values, as stored).

        Example:
            >>> import tempfile
            >>> from lstmkit.datasets.speech import background_stream
            >>> s = background_stream(hours=2 / 3600, cache_dir=tempfile.mkdtemp())
            >>> s.chunk(0).shape
            (32000,)
        """
        check_int("index", index, 0)
        if index >= self.n_chunks:
            raise ValueError(f"index must be below {self.n_chunks}; received {index}")
        soundfile = require("soundfile", "the background stream's FLAC cache")
        manifest = self.manifest()
        if self._is_done(index, manifest):
            entry = manifest["chunks"][str(index)]
            audio, _ = soundfile.read(str(self.path / entry["file"]), dtype="float32")
            return audio
        return self._build(index)

    def __iter__(self) -> Iterator[np.ndarray]:
        for index in range(self.n_chunks):
            yield self.chunk(index)

    def build(self, n_jobs: int = 1) -> BackgroundStream:
        """Generate and cache every chunk not yet done (without keeping them in memory).

        Args:
            n_jobs: processes that synthesise chunks (each chunk depends only on the
                configuration and its index, so the result is the same).

        Returns:
            ``self``.

        Example:
            >>> import tempfile
            >>> from lstmkit.datasets.speech import background_stream
            >>> stream = background_stream(hours=1 / 3600, cache_dir=tempfile.mkdtemp())
            >>> stream.build().is_complete()
            True
        """
        check_int("n_jobs", n_jobs, 1)
        manifest = self.manifest()
        missing = [i for i in range(self.n_chunks) if not self._is_done(i, manifest)]
        if n_jobs == 1 or len(missing) <= 1:
            for index in missing:
                self._build(index)
            return self
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(min(n_jobs, len(missing))) as pool:
            list(pool.map(_build_chunk, [(self.config, self.path, i) for i in missing]))
        return self

    def segments(self, seconds: float) -> Iterator[np.ndarray]:
        """The stream cut into consecutive pieces of ``seconds`` (a chunk's remainder
        shorter than that is dropped): keyword-free training negatives.

        Args:
            seconds: each piece's length (> 0).

        Yields:
            float32 arrays of ``round(seconds * 16000)`` samples.

        Example:
            >>> import tempfile
            >>> from lstmkit.datasets.speech import background_stream
            >>> s = background_stream(hours=9 / 3600, cache_dir=tempfile.mkdtemp())
            >>> [p.size for p in s.segments(4.0)]
            [64000, 64000]
        """
        check_float("seconds", seconds, 0.0)
        size = round(seconds * self.sample_rate)
        if size < 1:
            raise ValueError(f"seconds must be at least one sample; received {seconds}")
        for chunk in self:
            for k in range(0, chunk.size - size + 1, size):
                yield chunk[k : k + size]

    def _remove_stale_temporaries(self) -> None:
        for path in self.path.glob(".chunk-*.tmp"):
            try:
                pid = int(path.name.rsplit(".", 2)[-2])
            except ValueError:
                pid = -1
            if pid < 0 or (pid != os.getpid() and not _pid_alive(pid)):
                path.unlink(missing_ok=True)

    def _build(self, index: int) -> np.ndarray:
        soundfile = require("soundfile", "the background stream's FLAC cache")
        self.path.mkdir(parents=True, exist_ok=True)
        self._remove_stale_temporaries()
        if self._voices is None:
            self._voices = _Voices(self.config["families"], self.config["voices"])
            for synth in self._voices.synths.values():
                synth.synthesize("warm up")  # load models, start helpers: not timed
        speed: dict[str, list[float]] = {}
        audio = _background_chunk(self.config, index, self._chunk_size(index), self._voices, speed)
        pcm = np.clip(np.round(audio * 32767.0), -32768, 32767).astype(np.int16)
        name = f"chunk-{index:05d}.flac"
        temporary = self.path / f".{name}.{os.getpid()}.tmp"
        try:
            soundfile.write(str(temporary), pcm, SAMPLE_RATE, format="FLAC", subtype="PCM_16")
            fsync_file(temporary)
            os.replace(temporary, self.path / name)
            fsync_dir(self.path)
        finally:
            temporary.unlink(missing_ok=True)
        entry = {
            "file": name,
            "n_samples": int(pcm.size),
            "bytes": (self.path / name).stat().st_size,
            "sha256": _sha256(self.path / name),
            "speed": {
                family: {"audio_seconds": a, "synthesis_seconds": s}
                for family, (a, s) in sorted(speed.items())
            },
        }
        with _file_lock(self.path / ".lock"):
            manifest = self.manifest()
            manifest["chunks"][str(index)] = entry
            manifest["speed"] = _total_speed(manifest["chunks"])
            save_json(self.manifest_path, manifest)
        # what a read of the FLAC file gives back (16-bit PCM / 32768)
        return pcm.astype(np.float32) / 32768.0


def _build_chunk(job: tuple[dict[str, Any], Path, int]) -> int:
    """One chunk of a stream, in a worker process (for :meth:`BackgroundStream.build`)."""
    config, folder, index = job
    BackgroundStream(config, folder).chunk(index)  # builds and caches it if missing
    return index


def _total_speed(chunks: dict[str, Any]) -> dict[str, dict[str, float]]:
    totals: dict[str, list[float]] = {}
    for entry in chunks.values():
        for family, numbers in entry.get("speed", {}).items():
            total = totals.setdefault(family, [0.0, 0.0])
            total[0] += numbers["audio_seconds"]
            total[1] += numbers["synthesis_seconds"]
    return {
        family: {
            "audio_seconds": round(audio, 3),
            "synthesis_seconds": round(seconds, 3),
            "realtime_factor": round(audio / seconds, 1) if seconds > 0 else None,
        }
        for family, (audio, seconds) in sorted(totals.items())
    }


def _place(out: np.ndarray, position: int, sound: np.ndarray) -> None:
    end = min(out.size, position + sound.size)
    if end > position:
        out[position:end] += sound[: end - position]


def _fade(sound: np.ndarray, seconds: float = 0.05) -> np.ndarray:
    ramp = min(sound.size // 2, round(seconds * SAMPLE_RATE))
    if ramp > 0:
        window = np.linspace(0.0, 1.0, ramp, dtype=np.float32)
        sound = sound.copy()
        sound[:ramp] *= window
        sound[-ramp:] *= window[::-1]
    return sound


_EVENTS = ("sentence", "word", "confusable", "babble", "noise", "silence")
_EVENT_P = (0.45, 0.12, 0.13, 0.1, 0.1, 0.1)


def _background_chunk(
    config: dict[str, Any],
    index: int,
    n_samples: int,
    voices: _Voices,
    speed: dict[str, list[float]],
) -> np.ndarray:
    """Chunk ``index`` of a background stream: depends only on ``config`` and ``index``."""
    rng = np.random.default_rng([config["seed"], _CHUNK, index])
    keyword = config["keyword"]
    exclude = list(config["exclude"]) + ([keyword] if keyword else [])
    banned = {w for phrase in exclude for w in phrase.lower().split()}
    words = [w for w in WORDS if w not in banned]
    confusables = confusables_for(keyword) if keyword else []
    floor_db = rng.uniform(-65.0, -50.0)
    out = coloured_noise("pink", n_samples, seed=rng) * np.float32(10 ** (floor_db / 20))
    rooms: list[RoomImpulseResponse] = []
    recent: list[np.ndarray] = []

    def say(text: str) -> np.ndarray:
        synth, voice = voices.draw(rng)
        rate = float(rng.uniform(0.8, 1.25))
        pitch = float(rng.uniform(0.88, 1.12))
        started = time.perf_counter()
        raw = synth.synthesize(
            text, voice=voice, rate=rate, pitch=pitch, seed=int(rng.integers(2**31))
        )
        elapsed = time.perf_counter() - started
        tally = speed.setdefault(synth.family, [0.0, 0.0])
        tally[0] += raw.size / SAMPLE_RATE
        tally[1] += elapsed
        sound = trim_silence(raw)[0]
        recent.append(sound)
        del recent[:-8]
        if rng.random() < 0.25:
            if len(rooms) < 2:
                rooms.append(random_rir(seed=rng))
            sound = reverberate(sound, rooms[int(rng.integers(len(rooms)))])
        return sound * np.float32(10 ** (rng.uniform(-20.0, 0.0) / 20))

    position = int(rng.uniform(0.0, 1.0) * SAMPLE_RATE)
    while position < n_samples:
        event = _EVENTS[int(rng.choice(len(_EVENTS), p=_EVENT_P))]
        if event == "confusable" and not confusables:
            event = "word"
        if event == "babble" and not recent:
            event = "sentence"
        if event == "sentence":
            count = int(rng.integers(1, 3))
            sound = say(". ".join(negative_sentences(count, exclude=exclude, seed=rng)))
        elif event == "word":
            sound = say(words[int(rng.integers(len(words)))])
        elif event == "confusable":
            sound = say(confusables[int(rng.integers(len(confusables)))])
        elif event == "babble":
            length = round(rng.uniform(2.0, 8.0) * SAMPLE_RATE)
            level = 10 ** (rng.uniform(-35.0, -15.0) / 20)
            sound = _fade(babble(recent, length, seed=rng) * np.float32(level))
        elif event == "noise":
            length = round(rng.uniform(1.0, 10.0) * SAMPLE_RATE)
            kind = ("white", "pink", "brown", "hum")[int(rng.integers(4))]
            if kind == "hum":
                sound = mains_hum(length, seed=rng)
            else:
                sound = coloured_noise(kind, length, seed=rng)
            sound = _fade(sound * np.float32(10 ** (rng.uniform(-45.0, -20.0) / 20)))
        else:
            sound = np.zeros(round(rng.uniform(1.0, 20.0) * SAMPLE_RATE), np.float32)
        _place(out, position, sound)
        position += sound.size + round(rng.uniform(0.2, 2.0) * SAMPLE_RATE)
    return np.clip(out, -1.0, 1.0).astype(np.float32)


def background_stream(
    families: Sequence[str] = ("espeak",),
    hours: float = 10.0,
    *,
    seed: int = 0,
    cache_dir: str | os.PathLike[str] | None = None,
    chunk_seconds: float = 600.0,
    keyword: str | None = None,
    exclude: Sequence[str] = (),
    voices: Mapping[str, Sequence[str]] | None = None,
) -> BackgroundStream:
    """Hours of negative audio for false-alarm counting, generated once and cached.

    Nothing is generated by this call: iterating the returned stream (or
    :meth:`BackgroundStream.build`) reads the cached chunks and generates the missing
    ones. Never says ``keyword`` or any word of ``exclude``; says ``keyword``'s
    confusables now and then.

    Args:
        families: synthesizer families to draw talkers from.
        hours: total duration (> 0).
        seed: int >= 0.
        cache_dir: the cache root; None for :func:`default_cache_dir`.
        chunk_seconds: the length of each cached chunk (s; the last may be shorter).
        keyword: the keyword the stream is a background for (never said; its
            confusables are), or None.
        exclude: more words or phrases never to say.
        voices: family -> voice names to use (None or a missing family: all voices).

    Returns:
        A :class:`BackgroundStream`; its folder is named by a hash of all the above but
        ``cache_dir``, so another configuration is cached elsewhere.

    Example:
        >>> import tempfile
        >>> from lstmkit.datasets.speech import background_stream
        >>> root = tempfile.mkdtemp()
        >>> a = background_stream(hours=1 / 3600, keyword="yes", cache_dir=root)
        >>> b = background_stream(hours=1 / 3600, keyword="no", cache_dir=root)
        >>> a.path != b.path, len(a)
        (True, 1)
    """
    families = _families(families)
    check_float("hours", hours, 0.0)
    if hours <= 0:
        raise ValueError(f"hours must be > 0; received {hours}")
    check_int("seed", seed, 0)
    check_float("chunk_seconds", chunk_seconds, 1.0)
    if keyword is not None:
        keyword = check_text("keyword", keyword)
    if isinstance(exclude, str):
        exclude = [exclude]
    exclude = [check_text("exclude[]", e) for e in exclude]
    config = {
        "generator": _FORMAT,
        "families": list(families),
        "voices": {k: list(v) for k, v in (_voices(voices, families) or {}).items()} or None,
        "hours": float(hours),
        "seed": int(seed),
        "chunk_seconds": float(chunk_seconds),
        "keyword": keyword,
        "exclude": exclude,
        "sample_rate": SAMPLE_RATE,
    }
    key = hashlib.sha256(json.dumps(config, sort_keys=True).encode()).hexdigest()[:16]
    root = Path(cache_dir).expanduser() if cache_dir is not None else default_cache_dir()
    return BackgroundStream(config, root / f"background-{key}")
