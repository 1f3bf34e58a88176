"""Voice warp and channel augmentation: the keyword stays where the labels say, the
spectrum changes the way the condition says, bad arguments are refused by name."""

from __future__ import annotations

import numpy as np
import pytest

from lstmkit.datasets.speech import SpeechClip, add_condition
from lstmkit.datasets.speech.channel import (
    ChannelResponse,
    apply_channel,
    random_channel,
    warp_voice,
)

SR = 16000


def _tone(freq: float, seconds: float = 1.0) -> np.ndarray:
    t = np.arange(int(seconds * SR)) / SR
    return (0.3 * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def _band_energy(x: np.ndarray, low: float, high: float) -> float:
    spectrum = np.abs(np.fft.rfft(x)) ** 2
    freqs = np.fft.rfftfreq(x.size, 1 / SR)
    return float(spectrum[(freqs >= low) & (freqs < high)].sum())


def test_warp_moves_the_pitch_and_scales_the_keyword_interval():
    x = _tone(1000.0)
    y, spans = warp_voice(x, [(4000, 8000)], 1.1)
    assert y.size == round(SR / 1.1)
    assert spans == [(round(4000 / 1.1), round(8000 / 1.1))]
    peak = np.fft.rfftfreq(y.size, 1 / SR)[np.argmax(np.abs(np.fft.rfft(y)))]
    assert peak == pytest.approx(1100.0, abs=3.0)
    with pytest.raises(ValueError, match="factor must be"):
        warp_voice(x, [], 3.0)


def test_a_telephone_channel_removes_the_high_band_and_keeps_the_level():
    rng = np.random.default_rng(0)
    x = rng.normal(scale=0.1, size=SR).astype(np.float32)
    phone = ChannelResponse(300.0, 3400.0, ())
    y = apply_channel(x, phone)
    assert y.shape == x.shape and y.dtype == np.float32
    assert np.sqrt(np.mean(y**2)) == pytest.approx(np.sqrt(np.mean(x**2)), rel=1e-4)
    ratio_in = _band_energy(x, 5000, 8000) / _band_energy(x, 500, 3000)
    ratio_out = _band_energy(y, 5000, 8000) / _band_energy(y, 500, 3000)
    assert ratio_out < 0.01 * ratio_in  # > 20 dB down above the cut-off
    with pytest.raises(TypeError, match="channel must be a ChannelResponse"):
        apply_channel(x, "phone")


def test_random_channels_differ_by_seed_and_repeat_with_it():
    assert random_channel(seed=3) == random_channel(seed=3)
    assert random_channel(seed=3) != random_channel(seed=4)


def test_add_condition_with_warp_keeps_the_clip_length_and_the_whole_keyword():
    audio = np.zeros(2 * SR, np.float32)
    audio[25000:30000] = _tone(800.0, 5000 / SR)
    clip = SpeechClip(audio, SR, [(25000, 30000)], "yes", "espeak", "en", "keyword", keyword="yes")
    for factor in (0.88, 1.0, 1.12):
        warped = add_condition(clip, warp=factor, channel=True, seed=1)
        assert warped.audio.size == clip.audio.size
        ((a, b),) = warped.intervals
        assert b - a == pytest.approx(5000 / factor, abs=2)
        # the keyword's energy lies inside the new interval
        inside = np.sum(warped.audio[a:b] ** 2)
        assert inside > 0.95 * np.sum(warped.audio**2)
    with pytest.raises(TypeError, match="channel must be True, False or a ChannelResponse"):
        add_condition(clip, channel="phone")
