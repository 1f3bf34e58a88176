"""Reading, resampling and writing audio (lstmkit.audio.io), on files the tests write.

Every bad input must fail up front with a message that names the input, and a failed
write must leave no file (or the old one) behind.
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

soundfile = pytest.importorskip("soundfile")
pytest.importorskip("soxr")

from lstmkit.audio import load_audio, resample, save_audio  # noqa: E402


def _tone(freq: float, seconds: float, rate: int, amplitude: float = 0.5) -> np.ndarray:
    return amplitude * np.sin(2 * np.pi * freq * np.arange(int(seconds * rate)) / rate)


def _peak_hz(x: np.ndarray, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(x * np.hanning(x.size)))
    return float(np.fft.rfftfreq(x.size, 1 / rate)[np.argmax(spectrum)])


# ----------------------------------------------------------------------------- load
def test_stereo_int16_wav_at_44k_becomes_mono_float32_16k(tmp_path):
    left, right = _tone(440, 1.5, 44100, 0.6), _tone(1000, 1.5, 44100, 0.2)
    pcm = np.round(np.stack([left, right], axis=1) * 32767).astype(np.int16)
    path = tmp_path / "stereo.wav"
    soundfile.write(path, pcm, 44100, subtype="PCM_16")

    audio = load_audio(path)  # str and Path both work; Path here
    assert audio.dtype == np.float32 and audio.ndim == 1
    assert abs(audio.size - 24000) <= 1  # 1.5 s at 16 kHz
    # the mean of the two channels, resampled: both tones survive at their frequencies
    expected = resample((left + right) / 2, 44100, 16000)
    n = min(audio.size, expected.size)
    np.testing.assert_allclose(audio[:n], expected[:n], atol=2e-4)
    assert _peak_hz(audio, 16000) == pytest.approx(440, abs=2)
    assert load_audio(str(path)).shape == audio.shape


def test_arrays_int_pcm_scaling_and_channels():
    pcm = np.array([0, 16384, -32768, 32767], dtype=np.int16)
    np.testing.assert_allclose(
        load_audio(pcm, sample_rate=8000, source_rate=8000), [0, 0.5, -1, 32767 / 32768]
    )
    u8 = np.array([128, 192, 0], dtype=np.uint8)  # offset binary: 128 is zero
    np.testing.assert_allclose(load_audio(u8, sample_rate=8, source_rate=8), [0, 0.5, -1])
    stereo = np.array([[0.2, 0.4], [-1.0, 1.0], [0.5, 0.5]])
    out = load_audio(stereo, sample_rate=8, source_rate=8)
    np.testing.assert_allclose(out, [0.3, 0.0, 0.5], atol=1e-7)
    assert out.dtype == np.float32


def test_resample_keeps_frequency_and_duration():
    tone = _tone(1000, 1.0, 22050)
    out = resample(tone, 22050, 16000)
    assert out.shape == (16000,) and out.dtype == np.float32
    assert _peak_hz(out, 16000) == pytest.approx(1000, abs=2)
    # amplitude preserved away from the edges
    assert np.abs(out[1000:-1000]).max() == pytest.approx(0.5, abs=5e-3)
    np.testing.assert_array_equal(resample(tone, 16000, 16000), tone.astype(np.float32))
    with pytest.raises(ValueError, match="audio must be 1-D"):
        resample(np.zeros((10, 2)), 16000, 8000)
    with pytest.raises(ValueError, match="target_rate"):
        resample(tone, 22050, 0)


def _bad_file(tmp_path, content: bytes, name: str = "bad.wav"):
    path = tmp_path / name
    path.write_bytes(content)
    return path


@pytest.mark.parametrize(
    ("make", "kwargs", "error", "words"),
    [
        (lambda p: p / "missing.wav", {}, FileNotFoundError, "does not exist"),
        (lambda p: _bad_file(p, b"RIFF\x00\x00garbage" * 10), {}, ValueError, "cannot read"),
        (lambda p: _bad_file(p, b""), {}, ValueError, "cannot read"),
        (lambda p: p, {}, ValueError, "is a folder"),
        (lambda p: np.zeros(0), {"source_rate": 16000}, ValueError, "at least one sample"),
        (lambda p: np.zeros((0, 2)), {"source_rate": 16000}, ValueError, "at least one"),
        (
            lambda p: np.array([0.1, np.nan, 0.2]),
            {"source_rate": 16000},
            ValueError,
            "finite samples",
        ),
        (
            lambda p: np.ones(800),
            {"source_rate": 16000, "min_seconds": 0.1},
            ValueError,
            "at least min_seconds=0.1",
        ),
        (
            lambda p: np.zeros(800),
            {"source_rate": 16000, "allow_silent": False},
            ValueError,
            "is silent",
        ),
        (lambda p: np.zeros((10, 2, 2)), {"source_rate": 16000}, ValueError, "1-D (samples,)"),
        (
            lambda p: np.zeros((2, 1000)),
            {"source_rate": 16000},
            ValueError,
            "looks like (channels, samples)",
        ),
        (lambda p: np.zeros(100), {}, ValueError, "source_rate"),
        (lambda p: np.array(["a", "b"]), {"source_rate": 16000}, TypeError, "real numbers"),
        (lambda p: np.array([True, False]), {"source_rate": 16000}, TypeError, "real numbers"),
        (lambda p: None, {}, TypeError, "path or an array"),
    ],
)
def test_load_audio_rejects_bad_input_naming_it(tmp_path, make, kwargs, error, words):
    with pytest.raises(error) as info:
        load_audio(make(tmp_path), name="clips[3]", **kwargs)
    message = str(info.value)
    assert "clips[3]" in message, message
    assert words in message, message


def test_silent_file_and_min_seconds_on_files(tmp_path):
    path = tmp_path / "quiet.flac"
    soundfile.write(path, np.zeros(1600), 16000, subtype="PCM_16")
    assert load_audio(path).shape == (1600,)  # silence is allowed by default
    with pytest.raises(ValueError, match="audio is silent"):
        load_audio(path, allow_silent=False)
    with pytest.raises(ValueError, match=r"0\.1 s"):
        load_audio(path, min_seconds=0.5)
    with pytest.raises(ValueError, match="source_rate=8000 disagrees"):
        load_audio(path, source_rate=8000)


def test_argument_checks():
    with pytest.raises(ValueError, match="sample_rate must be an int >= 1"):
        load_audio(np.zeros(10), sample_rate=0, source_rate=10)
    with pytest.raises(TypeError, match="allow_silent must be True or False"):
        load_audio(np.zeros(10), source_rate=10, allow_silent="no")


def test_missing_dependency_says_how_to_install(monkeypatch, tmp_path):
    path = tmp_path / "a.wav"
    soundfile.write(path, np.zeros(100), 16000)
    monkeypatch.setitem(sys.modules, "soundfile", None)  # import soundfile -> ImportError
    with pytest.raises(ImportError, match=r'pip install "lstmkit\[audio\]"'):
        load_audio(path)


def test_import_is_cheap():
    code = (
        "import sys, lstmkit.audio; "
        "print(sorted(m for m in ('torch', 'librosa', 'soundfile', 'soxr') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# ----------------------------------------------------------------------------- save
@pytest.mark.parametrize("suffix", [".wav", ".flac"])
def test_save_audio_round_trip(tmp_path, suffix):
    tone = _tone(440, 0.5, 16000, 0.8)
    path = save_audio(tmp_path / "sub" / f"tone{suffix}", tone, 16000)
    assert path.exists() and list(path.parent.iterdir()) == [path]  # no temp left
    info = soundfile.info(path)
    assert (info.samplerate, info.channels, info.subtype) == (16000, 1, "PCM_16")
    back = load_audio(path)
    np.testing.assert_allclose(back, tone, atol=1 / 32768 + 1e-7)
    # stereo, and values beyond full scale are clipped rather than wrapped around
    stereo = np.stack([tone, -tone * 2], axis=1)
    data, _ = soundfile.read(save_audio(path, stereo, 16000))
    assert data.shape == (8000, 2) and data[:, 1].min() >= -1 and data[:, 1].max() <= 1


def test_save_audio_refuses_nan_and_leaves_nothing(tmp_path):
    bad = np.array([0.0, np.nan, 0.1])
    with pytest.raises(ValueError, match="finite"):
        save_audio(tmp_path / "x.wav", bad, 16000)
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(ValueError, match=r"path must end in \.wav or \.flac"):
        save_audio(tmp_path / "x.mp3", np.zeros(10), 16000)
    with pytest.raises(TypeError, match="float samples"):
        save_audio(tmp_path / "x.wav", np.zeros(10, np.int16), 16000)


def test_failed_write_keeps_the_old_file_and_no_temp(tmp_path, monkeypatch):
    path = save_audio(tmp_path / "keep.wav", _tone(440, 0.1, 16000), 16000)
    before = path.read_bytes()

    def broken_write(file, data, *args, **kwargs):
        with open(file, "wb") as handle:  # half a file, then the disk "fills up"
            handle.write(b"RIFF\x00\x00")
        raise OSError("No space left on device")

    monkeypatch.setattr(soundfile, "write", broken_write)
    with pytest.raises(OSError, match="No space"):
        save_audio(path, _tone(880, 0.1, 16000), 16000)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["keep.wav"]
