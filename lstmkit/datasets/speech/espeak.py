"""espeak-ng through ctypes: ~100 voice variants over 8 English accents, deterministic.

The library comes from the ``espeakng-loader`` wheel (``get_library_path()``, voice
data at ``get_data_path()``) and is driven through its C API with explicit ctypes
signatures: ``espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 0, data_path,
espeakINITIALIZE_DONT_EXIT)`` (22,050 Hz), ``espeak_SetSynthCallback`` (collects the
int16 samples), ``espeak_SetVoiceByName("en-us+m3")``, ``espeak_SetParameter`` (rate
in words per minute: 175 x ``rate``; pitch 0-100: 50 + 50 log2(``pitch``), 50 = the
voice's own, 0 and 100 about an octave down and up), ``espeak_Synth`` then
``espeak_Synchronize``; ``espeak_TextToPhonemes`` gives IPA phonemes.

**Why a helper process.** espeak-ng keeps state between utterances in function-level
``static`` variables (the pitch-flutter index and the glottal phase in
``wavegen.c``) that no API call resets, so the same text spoken twice in one process
comes out a few samples longer or shorter and never bit-identical. Here one small
helper process per Python process loads and initialises the library once and never
speaks itself: each request is served by a ``fork()`` of it, which starts from the
same freshly initialised state and exits after answering. Same request, same
samples (~10 ms of overhead per call). The helper runs plain Python with ctypes (no
lstmkit import); requests are serialised by a lock, and a forked user process starts
its own helper. Where ``fork`` does not exist (Windows) the helper speaks itself, and
repeated calls may differ by a few samples.

Voices are ``<accent>`` or ``<accent>+<variant>``: the accents are the English
language files of the data folder (``en-us``, ``en`` (British), ``en-gb-x-rp``,
``en-gb-scotland``, ``en-gb-x-gbclan``, ``en-gb-x-gbcwmd``, ``en-029`` (Caribbean),
``en-us-nyc``; Shavian ``en-shaw`` is left out), the variants the files of
``voices/!v`` (m1-m8, f1-f5, klatt, whisper, croak, ...; names with spaces are left
out). The noise sources of the whisper, breathy and klatt variants draw from a
random generator that each request seeds with ``seed`` (espeak-ng's own generator
and libc's ``rand``): without that, a whisper clip depended on the state the helper
process started in and differed between processes, so a corpus built over several
worker processes was not the corpus one process builds.

Example:
    >>> from lstmkit.datasets.speech.espeak import EspeakSynthesizer
    >>> synth = EspeakSynthesizer()
    >>> "en-us+m3" in synth.voices(), "en-gb-scotland+f2" in synth.voices()
    (True, True)
"""

from __future__ import annotations

import atexit
import functools
import json
import math
import os
import struct
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import numpy as np

from lstmkit.datasets.speech.base import (
    INSTALL_HINT,
    Synthesizer,
    check_text,
    register,
    require,
)

__all__ = ["EspeakSynthesizer"]

# espeak-ng's parameter numbers (espeak_PARAMETER in speak_lib.h)
_RATE, _VOLUME, _PITCH, _RANGE = 1, 2, 3, 4
_DEFAULT_WPM = 175

# The helper process: self-contained (stdlib + ctypes), so it starts in ~50 ms and
# never imports lstmkit, numpy or torch. Protocol: one JSON request per line on stdin;
# each answer is a header struct "<iq" (status, payload length) and the payload on
# stdout. Status: >= 0 success (espeak's return code), -2 unknown voice, -1 the
# serving child died.
_WORKER_SOURCE = r"""
import ctypes, json, os, struct, sys

lib_path, data_path = sys.argv[1], sys.argv[2]
lib = ctypes.CDLL(lib_path)

AUDIO_OUTPUT_SYNCHRONOUS = 2
espeakINITIALIZE_DONT_EXIT = 0x8000
POS_CHARACTER = 1
espeakCHARS_UTF8 = 1
espeakPHONEMES_IPA = 0x02

# int espeak_Initialize(espeak_AUDIO_OUTPUT, int buflength, const char *path, int options)
lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
lib.espeak_Initialize.restype = ctypes.c_int
# int callback(short *wav, int numsamples, espeak_EVENT *events)
SynthCallback = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p
)
# void espeak_SetSynthCallback(t_espeak_callback *)
lib.espeak_SetSynthCallback.argtypes = [SynthCallback]
lib.espeak_SetSynthCallback.restype = None
# espeak_ERROR espeak_SetVoiceByName(const char *name)
lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
lib.espeak_SetVoiceByName.restype = ctypes.c_int
# espeak_ERROR espeak_SetParameter(espeak_PARAMETER, int value, int relative)
lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
lib.espeak_SetParameter.restype = ctypes.c_int
# espeak_ERROR espeak_Synth(const void *text, size_t size, unsigned int position,
#     espeak_POSITION_TYPE, unsigned int end_position, unsigned int flags,
#     unsigned int *unique_identifier, void *user_data)
lib.espeak_Synth.argtypes = [
    ctypes.c_void_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int, ctypes.c_uint,
    ctypes.c_uint, ctypes.POINTER(ctypes.c_uint), ctypes.c_void_p,
]
lib.espeak_Synth.restype = ctypes.c_int
# espeak_ERROR espeak_Synchronize(void)
lib.espeak_Synchronize.argtypes = []
lib.espeak_Synchronize.restype = ctypes.c_int
# const char *espeak_TextToPhonemes(const void **textptr, int textmode, int phonememode)
lib.espeak_TextToPhonemes.argtypes = [
    ctypes.POINTER(ctypes.c_void_p), ctypes.c_int, ctypes.c_int
]
lib.espeak_TextToPhonemes.restype = ctypes.c_char_p
# void espeak_ng_SetRandSeed(long seed): the generator of the noise sources (whisper,
# breathy and klatt voices); older libraries lack it and draw from libc's rand()
set_seed = getattr(lib, "espeak_ng_SetRandSeed", None)
if set_seed is not None:
    set_seed.argtypes = [ctypes.c_long]
    set_seed.restype = None
try:
    libc_srand = ctypes.CDLL(None).srand
    libc_srand.argtypes = [ctypes.c_uint]
except (OSError, AttributeError):
    libc_srand = None

chunks = []

def collect(wav, numsamples, events):
    if numsamples > 0:
        chunks.append(ctypes.string_at(wav, 2 * numsamples))
    return 0

callback = SynthCallback(collect)

def send(status, payload):
    view = memoryview(struct.pack("<iq", status, len(payload)) + payload)
    while view:
        view = view[os.write(1, view):]

def serve(request):
    if lib.espeak_SetVoiceByName(request["voice"].encode()) != 0:
        return -2, b""
    if request["op"] == "phonemes":
        mode = espeakPHONEMES_IPA | (ord("_") << 8)
        out = []
        for text in request["texts"]:
            buffer = ctypes.create_string_buffer(text.encode())
            pointer = ctypes.c_void_p(ctypes.addressof(buffer))
            parts = []
            while pointer.value:
                result = lib.espeak_TextToPhonemes(ctypes.byref(pointer), espeakCHARS_UTF8, mode)
                if result:
                    parts.append(result.decode("utf-8", "replace"))
            out.append(" ".join(parts))
        return 0, json.dumps(out).encode()
    for number, value in request["params"]:
        lib.espeak_SetParameter(number, value, 0)
    # seeded per request: otherwise the noise of a whisper voice depends on the state
    # this helper process happened to start with, and differs between processes
    if set_seed is not None:
        set_seed(request["seed"])
    if libc_srand is not None:
        libc_srand(request["seed"])
    del chunks[:]
    text = request["text"].encode() + b"\0"
    status = lib.espeak_Synth(text, len(text), 0, POS_CHARACTER, 0, espeakCHARS_UTF8, None, None)
    lib.espeak_Synchronize()
    return status, b"".join(chunks)

rate = lib.espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 0, data_path.encode(),
                             espeakINITIALIZE_DONT_EXIT)
if rate > 0:
    lib.espeak_SetSynthCallback(callback)
send(rate, b"")
can_fork = hasattr(os, "fork")
for line in sys.stdin.buffer:
    request = json.loads(line)
    if not can_fork:
        send(*serve(request))
        continue
    pid = os.fork()
    if pid == 0:
        try:
            send(*serve(request))
        finally:
            os._exit(0)
    _, code = os.waitpid(pid, 0)
    if code != 0:
        send(-1, b"")
"""


class _Helper:
    """The helper process of this Python process (see the module docstring)."""

    def __init__(self) -> None:
        loader = require("espeakng_loader", "the espeak-ng synthesizer")
        self.owner = os.getpid()
        self.process = subprocess.Popen(
            [sys.executable, "-c", _WORKER_SOURCE, loader.get_library_path(),
             loader.get_data_path()],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )  # fmt: skip
        status, _ = self._receive()
        if status <= 0:
            self.close()
            raise RuntimeError(f"espeak_Initialize failed (returned {status})")
        self.sample_rate = status

    def _receive(self) -> tuple[int, bytes]:
        assert self.process.stdout is not None
        header = self.process.stdout.read(12)
        if len(header) < 12:
            code = self.process.poll()
            raise RuntimeError(f"the espeak-ng helper process stopped (exit code {code})")
        status, length = struct.unpack("<iq", header)
        payload = self.process.stdout.read(length)
        return status, payload

    def request(self, message: dict[str, Any]) -> tuple[int, bytes]:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(message).encode() + b"\n")
        self.process.stdin.flush()
        return self._receive()

    def close(self) -> None:
        if self.process.poll() is None:
            try:
                if self.process.stdin is not None:
                    self.process.stdin.close()
                self.process.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                self.process.kill()


_LOCK = threading.Lock()
_HELPER: _Helper | None = None


def _call(message: dict[str, Any]) -> tuple[int, bytes, int]:
    """Send one request to this process's helper (started on first use); thread-safe."""
    global _HELPER
    with _LOCK:
        if _HELPER is None or _HELPER.owner != os.getpid() or _HELPER.process.poll() is not None:
            # a forked child must not share its parent's pipes: it starts its own helper
            _HELPER = _Helper()
        status, payload = _HELPER.request(message)
        return status, payload, _HELPER.sample_rate


@atexit.register
def _close_helper() -> None:
    if _HELPER is not None and _HELPER.owner == os.getpid():
        _HELPER.close()


@functools.lru_cache(maxsize=1)
def _voice_names() -> tuple[str, ...]:
    loader = require("espeakng_loader", "the espeak-ng synthesizer")
    data = Path(loader.get_data_path())
    # the English language files (lang/gmw/en, en-US, en-GB-scotland, ...): their file
    # names, lower-cased, are what espeak_SetVoiceByName accepts
    accents = [p.name.lower() for p in (data / "lang").rglob("en*") if p.is_file()]
    accents = [a for a in dict.fromkeys(accents) if a != "en-shaw"]
    # the American accent first: it is the default voice
    accents.sort(key=lambda a: (a != "en-us", a))
    variants = sorted(
        (p.name for p in (data / "voices" / "!v").iterdir() if p.is_file() and " " not in p.name),
        key=str.lower,
    )
    names = []
    for accent in accents:
        names.append(accent)
        names.extend(f"{accent}+{variant}" for variant in variants)
    return tuple(names)


@register
class EspeakSynthesizer(Synthesizer):
    """espeak-ng: formant synthesis, ~100 variants x 8 English accents, deterministic.

    Args:
        (none)

    Returns:
        A synthesizer; see the module docstring for how it drives the library.

    Example:
        >>> from lstmkit.datasets.speech.espeak import EspeakSynthesizer
        >>> synth = EspeakSynthesizer()
        >>> a = synth.synthesize("yes", voice="en+f2")
        >>> b = synth.synthesize("yes", voice="en+f2")
        >>> bool((a == b).all())
        True
        >>> synth.phonemes("yes")
        ['j', 'ɛ', 's']
    """

    family = "espeak"
    install_hint = INSTALL_HINT

    @classmethod
    def available(cls) -> bool:
        """Whether ``espeakng-loader`` is installed.

        Args:
            (none)

        Returns:
            True or False.

        Example:
            >>> from lstmkit.datasets.speech.espeak import EspeakSynthesizer
            >>> EspeakSynthesizer.available()
            True
        """
        try:
            require("espeakng_loader", "the espeak-ng synthesizer")
        except ImportError:
            return False
        return True

    def voices(self) -> list[str]:
        """All voices: each English accent, alone and with each variant; ``en-us`` first.

        Args:
            (none)

        Returns:
            Voice names such as ``"en-us"``, ``"en-us+m3"``, ``"en-gb-scotland+f2"``.

        Example:
            >>> from lstmkit.datasets.speech.espeak import EspeakSynthesizer
            >>> voices = EspeakSynthesizer().voices()
            >>> voices[0], "en-us+m3" in voices, len(voices) > 500
            ('en-us', True, True)
        """
        return list(_voice_names())

    def accents(self) -> list[str]:
        """The English accents (voices without a variant).

        Args:
            (none)

        Returns:
            Accent names, ``en-us`` first.

        Example:
            >>> from lstmkit.datasets.speech.espeak import EspeakSynthesizer
            >>> EspeakSynthesizer().accents()[0]
            'en-us'
        """
        return [v for v in _voice_names() if "+" not in v]

    def _synthesize(
        self, text: str, voice: str, rate: float, pitch: float, seed: int
    ) -> tuple[np.ndarray, float]:
        words_per_minute = int(np.clip(round(_DEFAULT_WPM * rate), 80, 450))
        pitch_value = int(np.clip(round(50 + 50 * math.log2(pitch)), 0, 100))
        params = [[_RATE, words_per_minute], [_PITCH, pitch_value], [_RANGE, 50], [_VOLUME, 100]]
        status, payload, sample_rate = _call(
            {"op": "synth", "voice": voice, "text": text, "params": params, "seed": seed}
        )
        if status == -2:
            raise ValueError(f"voice: espeak-ng could not load the voice {voice!r}")
        if status != 0:
            raise RuntimeError(f"espeak-ng failed to speak {text!r} (status {status})")
        return np.frombuffer(payload, dtype=np.int16).astype(np.float32) / 32768.0, sample_rate

    def phonemes(self, text: str, *, voice: str | None = None) -> list[str]:
        """The IPA phonemes espeak-ng would speak for ``text`` (stress marks removed).

        Args:
            text: words to transcribe.
            voice: the voice (accent) whose rules to use; None for ``en-us``.

        Returns:
            One string per phoneme, across all words, e.g. ``['j', 'ɛ', 's']``.

        Example:
            >>> from lstmkit.datasets.speech.espeak import EspeakSynthesizer
            >>> EspeakSynthesizer().phonemes("hey")
            ['h', 'eɪ']
        """
        return self.phoneme_lists([text], voice=voice)[0]

    def phoneme_lists(self, texts: list[str], *, voice: str | None = None) -> list[list[str]]:
        """:meth:`phonemes` for many texts in one request (fast for word lists).

        Args:
            texts: words or phrases.
            voice: the voice (accent) whose rules to use; None for ``en-us``.

        Returns:
            One phoneme list per text.

        Example:
            >>> from lstmkit.datasets.speech.espeak import EspeakSynthesizer
            >>> EspeakSynthesizer().phoneme_lists(["no", "go"])
            [['n', 'oʊ'], ['ɡ', 'oʊ']]
        """
        texts = [check_text("texts[]", t) for t in texts]
        voice = self.check_voice(voice)
        status, payload, _ = _call({"op": "phonemes", "voice": voice, "texts": texts})
        if status != 0:
            raise RuntimeError(f"espeak-ng failed to transcribe (status {status})")
        result = []
        for transcription in json.loads(payload):
            phones = []
            for word in transcription.split():
                for phone in word.split("_"):
                    phone = phone.replace("ˈ", "").replace("ˌ", "")
                    if phone:
                        phones.append(phone)
            result.append(phones)
        return result
