"""benchmarks/keyword_openwakeword.py: its command line, and what it says without openWakeWord.

No training, synthesis or openWakeWord here: the benchmark itself is run by hand.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "keyword_openwakeword.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("keyword_openwakeword_benchmark", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_help_runs_and_names_the_install():
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--help"], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    for flag in ("--quick", "--out", "--jobs", "--seed"):
        assert flag in done.stdout
    assert "openwakeword==0.5.1" in done.stdout


def test_missing_openwakeword_is_said_plainly(bench, tmp_path, monkeypatch, capsys):
    real = importlib.util.find_spec
    monkeypatch.setattr(
        bench, "_find_spec", lambda name: None if name == "openwakeword" else real(name)
    )
    result = bench.main(["--quick", "--out", str(tmp_path)])
    printed = capsys.readouterr().out
    assert "cannot run" in printed
    assert "pip install --no-deps openwakeword==0.5.1" in printed
    stored = json.loads((tmp_path / "results.json").read_text())
    assert stored["status"] == result["status"] == "not run"
    assert stored["missing"] == ["openwakeword is not installed"]
    assert "cannot run" in stored["statement"] and stored["install"] == list(bench.INSTALL)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results.json"]

    # the results of a run that did compare are never overwritten
    (tmp_path / "results.json").write_text(json.dumps({"status": "ok"}))
    bench.main(["--quick", "--out", str(tmp_path)])
    assert json.loads((tmp_path / "results.json").read_text()) == {"status": "ok"}
    kept = json.loads((tmp_path / "results-not-run.json").read_text())
    assert kept["status"] == "not run"


def test_other_openwakeword_versions_are_refused(bench, monkeypatch):
    monkeypatch.setattr(bench, "_find_spec", lambda name: object())
    monkeypatch.setattr(bench, "_version", lambda name: "0.6.0")
    (problem,) = bench.missing_requirements()
    assert "0.6.0" in problem and "0.5.1" in problem


def test_pcm_and_detector_timing(bench):
    assert bench.pcm16(np.array([1.0, -1.0, 0.5, 0.0])).tolist() == [32767, -32768, 16384, 0]
    config = bench.openwakeword_detector()
    # frame k holds the audio heard up to (k + 1) * 80 ms; one frame at 0.5 fires
    assert config.frame_seconds == 0.08 and config.first_frame_seconds == 0.04
    assert (config.threshold, config.smoothing_frames, config.min_frames) == (0.5, 1, 1)


def test_background_never_says_the_keyword(bench):
    check = bench.keyword_free_check()
    assert check["keyword_free"] and check["words_found"] == []
