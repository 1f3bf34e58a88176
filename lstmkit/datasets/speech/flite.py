"""flite (CMU Flite 2.2, the Debian ``flite`` package), run as a program; optional.

Nothing requires it: :meth:`FliteSynthesizer.available` is False where the ``flite``
program is not on ``PATH`` (``apt-get install flite`` installs it). Each call runs
``flite -voice NAME --setf duration_stretch=S -t TEXT -o FILE.wav`` in a temporary
folder and reads the 16-bit WAV back (kal: 8 kHz; kal16, awb, rms, slt: 16 kHz).

Voices are what ``flite -lv`` lists, minus ``awb_time`` (a limited-domain voice that
only speaks clock times): kal and kal16 (diphone, male), awb (Scottish male), rms
(male) and slt (female), the last three clustergen voices.

* **Rate**: ``duration_stretch`` is the voice's own (1.1 for kal and kal16, 1.0 for
  the others) x ``pitch / rate``.
* **Pitch**: by resampling, as for Piper (flite's ``int_f0_target_mean`` is ignored by
  the rms voice, so one method serves all).
* flite is deterministic: ``seed`` is not used.

Example:
    >>> from lstmkit.datasets.speech.flite import FliteSynthesizer
    >>> FliteSynthesizer.available() in (True, False)
    True
"""

from __future__ import annotations

import functools
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from lstmkit.datasets.speech.base import Synthesizer, read_pcm16_wav, register

__all__ = ["FliteSynthesizer"]

# the voices' own duration_stretch (flite's voice definitions)
_STRETCH = {"kal": 1.1, "kal16": 1.1}
_EXCLUDED = {"awb_time"}
_PREFERRED = ("slt", "kal16", "awb", "rms", "kal")


@functools.lru_cache(maxsize=1)
def _voice_names() -> tuple[str, ...]:
    program = shutil.which("flite")
    if program is None:
        return ()
    listing = subprocess.run(
        [program, "-lv"], capture_output=True, text=True, timeout=30, check=False
    ).stdout
    names = listing.partition(":")[2].split()
    names = [n for n in names if n not in _EXCLUDED]
    order = {name: i for i, name in enumerate(_PREFERRED)}
    return tuple(sorted(names, key=lambda n: (order.get(n, len(order)), n)))


@register
class FliteSynthesizer(Synthesizer):
    """CMU Flite voices (kal, kal16, awb, rms, slt) through the ``flite`` program.

    Args:
        (none)

    Returns:
        A synthesizer; see the module docstring.

    Example:
        >>> from lstmkit.datasets.speech.flite import FliteSynthesizer
        >>> if FliteSynthesizer.available():
        ...     audio = FliteSynthesizer().synthesize("yes", voice="slt")
    """

    family = "flite"
    install_hint = "install the flite program (Debian/Ubuntu: apt-get install flite)"

    @classmethod
    def available(cls) -> bool:
        """Whether the ``flite`` program is on ``PATH`` and lists at least one voice.

        Args:
            (none)

        Returns:
            True or False.

        Example:
            >>> from lstmkit.datasets.speech.flite import FliteSynthesizer
            >>> FliteSynthesizer.available() in (True, False)
            True
        """
        return bool(_voice_names())

    def voices(self) -> list[str]:
        """The flite voices installed, ``slt`` first (empty where flite is missing).

        Args:
            (none)

        Returns:
            Voice names, e.g. ``['slt', 'kal16', 'awb', 'rms', 'kal']``.

        Example:
            >>> from lstmkit.datasets.speech.flite import FliteSynthesizer
            >>> isinstance(FliteSynthesizer().voices(), list)
            True
        """
        return list(_voice_names())

    def _synthesize(
        self, text: str, voice: str, rate: float, pitch: float, seed: int
    ) -> tuple[np.ndarray, float]:
        program = shutil.which("flite")
        if program is None:
            raise RuntimeError(f"the flite program is not installed: {self.install_hint}")
        stretch = _STRETCH.get(voice, 1.0) * pitch / rate
        with tempfile.TemporaryDirectory(prefix="lstmkit-flite-") as folder:
            target = Path(folder) / "speech.wav"
            command = [program, "-voice", voice, "--setf", f"duration_stretch={stretch:.6f}"]
            command += ["-t", text, "-o", str(target)]
            result = subprocess.run(command, capture_output=True, text=True, timeout=120)
            if result.returncode != 0 or not target.exists():
                raise RuntimeError(
                    f"flite failed (exit code {result.returncode}): {result.stderr.strip()}"
                )
            audio, sample_rate = read_pcm16_wav(target, "flite")
        return audio, sample_rate * pitch
