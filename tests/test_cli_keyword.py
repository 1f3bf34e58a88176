"""``lstmkit keyword train`` and ``lstmkit keyword detect``: a quick spotter trained from
synthesised speech, detection as JSON (offline and streamed alike), and one-line errors
for the user's mistakes."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from lstmkit.cli import app

runner = CliRunner()


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    out = tmp_path_factory.mktemp("kws") / "run"
    result = runner.invoke(app, ["keyword", "train", "--keyword", "yes", "--out", str(out),
                                 "--quick", "--num-threads", "1"])  # fmt: skip
    assert result.exit_code == 0, result.output
    return out


def test_train_saves_a_model_and_says_what_it_synthesised(trained):
    metrics = json.loads((trained / "metrics.json").read_text())
    assert metrics["keyword"] == "yes" and metrics["clips"] == 120
    assert metrics["labels"]["keyword"] == 60 and metrics["training_seconds"] > 0
    assert (trained / "model" / "config.json").is_file()


def test_detect_prints_json_and_streaming_agrees(trained, tmp_path):
    from lstmkit.audio import save_audio

    rng = np.random.default_rng(0)
    wav = save_audio(tmp_path / "noise.wav", 0.01 * rng.normal(size=32000), 16000)
    offline = runner.invoke(app, ["keyword", "detect", str(trained / "model"), str(wav)])
    assert offline.exit_code == 0, offline.output
    report = json.loads(offline.stdout)
    assert report["keyword"] == "yes" and isinstance(report["detections"], list)
    streamed = runner.invoke(app, ["keyword", "detect", str(trained / "model"), str(wav),
                                   "--stream", "--threshold", "0.3"])  # fmt: skip
    assert streamed.exit_code == 0, streamed.output
    assert json.loads(streamed.stdout)["threshold"] == 0.3


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p / "missing.wav", "no such file"),
        (lambda p: (p / "x.mp3").write_bytes(b"x") and p / "x.mp3", "must be a .wav"),
        (lambda p: (p / "bad.wav").write_bytes(b"not audio") and p / "bad.wav", "bad.wav"),
    ],
)
def test_bad_audio_is_one_line_error(trained, tmp_path, make, message):
    result = runner.invoke(app, ["keyword", "detect", str(trained / "model"), str(make(tmp_path))])
    assert result.exit_code == 2 and message in result.output
    assert "Traceback" not in result.output


def test_other_mistakes_are_named(trained, tmp_path):
    from lstmkit.audio import save_audio

    wav = save_audio(tmp_path / "a.wav", np.zeros(16000), 16000)
    result = runner.invoke(app, ["keyword", "detect", str(tmp_path / "nope"), str(wav)])
    assert result.exit_code == 2 and "does not exist" in result.output
    result = runner.invoke(app, ["keyword", "detect", str(trained / "model"), str(wav),
                                 "--threshold", "1"])  # fmt: skip
    assert result.exit_code == 2 and "--threshold" in result.output
    result = runner.invoke(app, ["keyword", "train", "--keyword", " ", "--out",
                                 str(tmp_path / "r")])  # fmt: skip
    assert result.exit_code == 2 and "--keyword is empty" in result.output
