"""Festival (the Edinburgh Festival 2.5 program, Debian's ``festival``), run as a program; optional.

Nothing requires it: :meth:`FestivalSynthesizer.available` is False where the
``text2wave`` program is not on ``PATH`` or Festival finds no voice (``apt-get install
festival festvox-kallpc16k`` installs it with a voice). Each call runs ``text2wave
-eval "(begin (voice_NAME) ...)" -o FILE.wav`` in a temporary folder, with the text on
standard input (never inside a Scheme expression, so quotes, backslashes and
parentheses in the text are only spoken), and reads the 16-bit WAV back at the voice's
own rate (16 kHz for the diphone voices, 32 kHz for ``cmu_us_slt_arctic_hts``).

Voices are what ``festival`` lists with ``(voice.list)`` (one call, ~0.4 s, cached),
``cmu_us_slt_arctic_hts`` first, then ``kal_diphone`` and ``ked_diphone``, then any
others by name. Here (Debian's ``festvox-kallpc16k``, ``festvox-kdlpc16k`` and
``festvox-us-slt-hts``): kal_diphone and ked_diphone (US male diphone voices,
residual-excited LPC) and cmu_us_slt_arctic_hts (US female, HMM-based). Two share a
talker with flite (``kal_diphone`` and flite's ``kal`` and ``kal16`` are CMU's "kal"
diphone voice; ``cmu_us_slt_arctic_hts`` and flite's ``slt`` are both trained on the
CMU ARCTIC "slt" recordings), so holding out one of the two families does not hold
those talkers out; ``ked_diphone`` is Festival's alone.

* **Rate**: Festival's ``Duration_Stretch`` (the voice's own, 1.1 for kal and ked) x
  ``pitch / rate``; HMM (HTS) voices ignore ``Duration_Stretch``, so for them the HTS
  engine's speed (``-r`` in ``hts_engine_params``) is divided by ``pitch / rate``
  instead. Both scale the duration in proportion (a sentence of 2.08 s at 1.0 takes
  3.11 s with ``Duration_Stretch`` 1.5; HTS: 1.91 s, 1.28 s at speed 1.5). A
  unit-selection (clunits or multisyn) voice, none installed here (not tested), takes
  its durations from its recordings and would likely ignore the rate.
* **Pitch**: by resampling, as for flite and Piper.
* Festival is deterministic: ``seed`` is not used.

Speed here (this project's shared 2-core machine, load ~3.5; one ``text2wave`` process
per call; median of 5 calls through ``synthesize``): a short sentence ("did you say
yes just now", ~2 s of audio) takes 0.44 s with kal_diphone, 0.51 s with ked_diphone
and 0.64 s with cmu_us_slt_arctic_hts (its first call took 2.2 s). Nearly all of it
is Festival starting and loading the voice ("yes" alone takes as long), so longer text
is relatively cheaper: 21 random sentences (34 s of audio) took 15 s, 2.3x real time
(kal 2.1x, slt 2.3x, ked 2.6x).

Example:
    >>> from lstmkit.datasets.speech.festival import FestivalSynthesizer
    >>> FestivalSynthesizer.available() in (True, False)
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

__all__ = ["FestivalSynthesizer"]

_PREFERRED = ("cmu_us_slt_arctic_hts", "kal_diphone", "ked_diphone")
# after (voice_NAME): the rate through Duration_Stretch, or the HTS engine's speed
_SETUP = (
    "(begin (voice_{voice}) "
    "(if (equal? (Parameter.get 'Synth_Method) 'HTS) "
    '(set! hts_engine_params (cons (list "-r" (/ (get_param "-r" hts_engine_params 1.0) '
    "{stretch:.6f})) hts_engine_params)) "
    "(Parameter.set 'Duration_Stretch (* {stretch:.6f} (Parameter.get 'Duration_Stretch)))))"
)


@functools.lru_cache(maxsize=1)
def _voice_names() -> tuple[str, ...]:
    festival = shutil.which("festival")
    if festival is None or shutil.which("text2wave") is None:
        return ()
    try:
        listing = subprocess.run(
            [festival, "--batch", "(print (voice.list))"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return ()
    # "(cmu_us_slt_arctic_hts ked_diphone kal_diphone)", or "nil" without voices
    lines = [line.strip() for line in listing.splitlines() if line.strip().startswith("(")]
    names = lines[-1].strip("()").split() if lines else []
    names = [n for n in dict.fromkeys(names) if n.replace("_", "").isalnum()]
    order = {name: i for i, name in enumerate(_PREFERRED)}
    return tuple(sorted(names, key=lambda n: (order.get(n, len(order)), n)))


@register
class FestivalSynthesizer(Synthesizer):
    """Festival voices (cmu_us_slt_arctic_hts, kal_diphone, ked_diphone, ...) through ``text2wave``.

    Args:
        (none)

    Returns:
        A synthesizer; see the module docstring.

    Example:
        >>> from lstmkit.datasets.speech.festival import FestivalSynthesizer
        >>> if FestivalSynthesizer.available():
        ...     audio = FestivalSynthesizer().synthesize("yes", voice="kal_diphone")
    """

    family = "festival"
    install_hint = (
        "install the festival program and a voice "
        "(Debian/Ubuntu: apt-get install festival festvox-kallpc16k)"
    )

    @classmethod
    def available(cls) -> bool:
        """Whether ``festival`` and ``text2wave`` are on ``PATH`` and list at least one voice.

        Args:
            (none)

        Returns:
            True or False.

        Example:
            >>> from lstmkit.datasets.speech.festival import FestivalSynthesizer
            >>> FestivalSynthesizer.available() in (True, False)
            True
        """
        return bool(_voice_names())

    def voices(self) -> list[str]:
        """The Festival voices installed, ``cmu_us_slt_arctic_hts`` first (empty without Festival).

        Args:
            (none)

        Returns:
            Voice names, e.g. ``['cmu_us_slt_arctic_hts', 'kal_diphone', 'ked_diphone']``.

        Example:
            >>> from lstmkit.datasets.speech.festival import FestivalSynthesizer
            >>> isinstance(FestivalSynthesizer().voices(), list)
            True
        """
        return list(_voice_names())

    def _synthesize(
        self, text: str, voice: str, rate: float, pitch: float, seed: int
    ) -> tuple[np.ndarray, float]:
        program = shutil.which("text2wave")
        if program is None:
            raise RuntimeError(f"the text2wave program is not installed: {self.install_hint}")
        setup = _SETUP.format(voice=voice, stretch=pitch / rate)
        with tempfile.TemporaryDirectory(prefix="lstmkit-festival-") as folder:
            target = Path(folder) / "speech.wav"
            # no text file named: text2wave reads standard input ("-") in plain text mode
            command = [program, "-eval", setup, "-o", str(target)]
            result = subprocess.run(
                command,
                input=text.encode("utf-8", errors="replace"),
                capture_output=True,
                cwd=folder,
                timeout=120,
            )
            stderr = result.stderr.decode("utf-8", errors="replace").strip()
            failed = result.returncode != 0 or "SIOD ERROR" in stderr
            if failed or not target.exists() or target.stat().st_size <= 44:
                raise RuntimeError(
                    f"festival (text2wave, voice {voice!r}) failed "
                    f"(exit code {result.returncode}): {stderr or 'no audio written'}"
                )
            audio, sample_rate = read_pcm16_wav(target, "festival")
        return audio, sample_rate * pitch
