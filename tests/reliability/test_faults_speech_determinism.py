"""Fault catalogue: a keyword corpus is the same whichever process synthesises it.

Found while moving the corpus build into ``build_keyword_corpus(n_jobs=...)`` (issue
14): the espeak-ng helper serves each request from a ``fork()`` of one initialised
process, so repeated calls agreed within a process -- but the noise source of the
whisper variants draws from a random generator that was never seeded, and its state
differed between helper processes. A corpus built over two worker processes then
differed from the one-process build in every whispered clip (clip 3 of a 10-clip
"yes" corpus, by up to 0.77 full scale). Each request now seeds espeak-ng's generator
(and libc's ``rand``) with the clip's ``seed``.
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from lstmkit.datasets.speech import EspeakSynthesizer, KeywordCorpusConfig, build_keyword_corpus

pytestmark = pytest.mark.skipif(
    not EspeakSynthesizer().available(), reason="espeak-ng (espeakng-loader) not installed"
)

_SPEAK = """
import sys
import numpy as np
from lstmkit.datasets.speech import EspeakSynthesizer
audio = EspeakSynthesizer().synthesize("yes", voice="en-us+whisper", seed=int(sys.argv[1]))
np.save(sys.stdout.buffer, audio)
"""


def _speak_in_a_new_process(seed: int) -> np.ndarray:
    import io

    out = subprocess.run(
        [sys.executable, "-c", _SPEAK, str(seed)], capture_output=True, check=True
    ).stdout
    return np.load(io.BytesIO(out))


def test_a_whispered_clip_is_the_same_in_every_process():
    here = EspeakSynthesizer().synthesize("yes", voice="en-us+whisper", seed=5)
    assert np.array_equal(here, _speak_in_a_new_process(5))
    assert np.array_equal(here, _speak_in_a_new_process(5))


def test_the_seed_moves_the_whisper_noise_and_only_it():
    synth = EspeakSynthesizer()
    one = synth.synthesize("yes", voice="en-us+whisper", seed=1)
    two = synth.synthesize("yes", voice="en-us+whisper", seed=2)
    assert one.shape == two.shape and not np.array_equal(one, two)
    voiced = [synth.synthesize("yes", voice="en-us+m3", seed=s) for s in (1, 2)]
    assert np.array_equal(*voiced)


def test_a_corpus_built_by_worker_processes_is_the_one_process_build():
    config = KeywordCorpusConfig(
        keyword="yes", n_positive=6, n_negative=4, clip_seconds=1.0, reverb_probability=0.0
    )
    one = build_keyword_corpus(config)
    two = build_keyword_corpus(config, n_jobs=2)
    assert [c.voice for c in one] == [c.voice for c in two]
    assert any("whisper" in c.voice for c in one)  # the case that used to differ
    for a, b in zip(one, two, strict=True):
        assert np.array_equal(a.audio, b.audio), (a.seed, a.voice)
