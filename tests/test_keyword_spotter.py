"""KeywordSpotter on a synthetic keyword (a rising chirp among steady tones and noise):
it learns the frame mask, detects the keyword and nothing in silence, streams exactly as
it detects offline, survives save/load, and refuses bad input by name."""

from __future__ import annotations

import numpy as np
import pytest

import lstmkit
from lstmkit.tasks import KeywordSpotter
from lstmkit.training import TrainingOptions

SR = 16000


def _clip(rng, keyword: bool, seconds: float = 1.0):
    t = np.arange(int(seconds * SR)) / SR
    x = 0.02 * rng.normal(size=t.size)
    a = rng.uniform(0.1, seconds - 0.4)
    span = (t >= a) & (t < a + 0.3)
    if keyword:  # a chirp 600 -> 840 Hz
        x[span] += 0.3 * np.sin(2 * np.pi * (600 + 400 * (t[span] - a)) * t[span])
        return x.astype(np.float32), [(a, a + 0.3)]
    x[span] += 0.3 * np.sin(2 * np.pi * rng.choice([300.0, 1500.0]) * t[span])  # other tones
    return x.astype(np.float32), []


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    clips = [_clip(rng, k % 2 == 1) for k in range(60)]
    return [c for c, _ in clips], [s for _, s in clips]


@pytest.fixture(scope="module")
def spotter(data):
    clips, spans = data
    options = TrainingOptions(max_epochs=12, learning_rate=1e-2, batch_size=16, num_threads=1)
    return KeywordSpotter(hidden_size=16, random_state=0, training_options=options).fit(
        clips, spans
    )


def test_it_learns_the_mask_and_detects_the_keyword(spotter):
    rng = np.random.default_rng(1)
    test = [_clip(rng, k % 2 == 1) for k in range(10)]
    assert spotter.score([c for c, _ in test], [s for _, s in test]) > 0.95  # chance ~0.85
    for clip, span in test:
        found = spotter.detect(clip)
        if span:
            assert len(found) == 1
            start, end, _ = found[0]
            # the default target: 0.12 s before the keyword's end to 0.08 s after
            assert abs(start - (span[0][1] - 0.12)) < 0.05 and abs(end - (span[0][1] + 0.08)) < 0.05
            assert 0 < found[0].decided_at - span[0][1] < 0.3  # latency
        else:
            assert found == []
    assert spotter.detect(np.zeros(SR, np.float32)) == []
    assert list(spotter.predict([c for c, _ in test])) == [bool(s) for _, s in test]


@pytest.mark.parametrize("block", [1000, 4096, 50_000])
def test_streaming_equals_offline_detection(spotter, data, block):
    clips, _ = data
    audio = np.concatenate(clips[1:6])  # 5 s, keywords in seconds 0-1, 2-3 and 4-5
    offline = spotter.detect(audio)
    streamed = list(spotter.stream(audio[k : k + block] for k in range(0, audio.size, block)))
    assert len(offline) == 3
    assert [d.start for d in streamed] == pytest.approx([d.start for d in offline])
    assert [d.score for d in streamed] == pytest.approx([d.score for d in offline], abs=1e-5)


def test_save_load_and_a_file_give_the_same_detections(spotter, data, tmp_path):
    from lstmkit.audio import save_audio

    clips, _ = data
    loaded = lstmkit.load(spotter.save(tmp_path / "model"))
    assert isinstance(loaded, KeywordSpotter)
    wav = save_audio(tmp_path / "clip.wav", clips[1], 48000 // 3)
    assert [d.start for d in loaded.detect(wav)] == pytest.approx(
        [d.start for d in spotter.detect(clips[1])], abs=0.01)  # fmt: skip
    # another sample rate is resampled: a 44.1 kHz version is found at the same place
    from lstmkit.audio import resample

    fast = resample(clips[1], SR, 44100)
    assert [d.start for d in spotter.detect(fast, sample_rate=44100)] == pytest.approx(
        [d.start for d in spotter.detect(clips[1])], abs=0.02)  # fmt: skip


def test_bad_input_is_refused_by_name(spotter, data):
    clips, spans = data
    with pytest.raises(ValueError, match="labels must give one label per clip"):
        KeywordSpotter().fit(clips, spans[:-1])
    with pytest.raises(ValueError, match=r"labels\[1\]: span \(0.5, 3.0\)"):
        KeywordSpotter().fit(clips[:2], [[], [(0.5, 3.0)]])
    with pytest.raises(ValueError, match="wrap it in a list"):
        KeywordSpotter().fit(clips[0], spans[:1])
    with pytest.raises(ValueError, match=r"clips\[0\]"):
        KeywordSpotter().fit([np.full(SR, np.nan, np.float32)], [[]])
    with pytest.raises(TypeError, match=r"chunks\[0\] must hold float samples"):
        list(spotter.stream([np.zeros(1000, np.int16)]))
    with pytest.raises(ValueError, match="threshold"):
        KeywordSpotter(threshold=2.0).fit(clips, spans)
    with pytest.raises(TypeError, match="features must be a dict"):
        KeywordSpotter(features="mfcc").fit(clips, spans)
    with pytest.raises(ValueError, match=r"target_window must be two finite seconds >= 0"):
        KeywordSpotter(target_window=(-0.1, 0.1)).fit(clips, spans)
    with pytest.raises(TypeError, match=r"target_window must be \(before_s, after_s\)"):
        KeywordSpotter(target_window=0.1).fit(clips, spans)


def test_a_bidirectional_spotter_detects_offline_but_refuses_to_stream(data):
    clips, spans = data
    options = TrainingOptions(max_epochs=1, batch_size=16, num_threads=1)
    bi = KeywordSpotter(layer="bilstm", hidden_size=4, target_window=None, training_options=options)
    bi.fit(clips[:8], spans[:8])
    assert isinstance(bi.detect(clips[1]), list)
    with pytest.raises(ValueError, match="stream\\(\\) needs a causal network"):
        list(bi.stream([clips[1]]))
