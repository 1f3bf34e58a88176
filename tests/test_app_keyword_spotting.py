"""The keyword-spotting app in quick mode (one run for the module): every model and test
condition is in metrics.json, the product learns and detects, streams exactly as it
detects offline, the targets are checked, and the plots and the model are written."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

from lstmkit.apps import app_options, get_app, run_app
from lstmkit.apps import keyword_spotting as app

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("keyword-spotting")
    cache = tmp_path_factory.mktemp("cache")  # the background is built here, not in ~
    before = os.environ.get("LSTMKIT_CACHE")
    os.environ["LSTMKIT_CACHE"] = str(cache)
    try:
        metrics = run_app("keyword-spotting", out, quick=True, seed=0)
    finally:
        if before is None:
            os.environ.pop("LSTMKIT_CACHE", None)
        else:
            os.environ["LSTMKIT_CACHE"] = before
    return out, metrics


def test_registered_as_an_app():
    spec = get_app("keyword-spotting")
    assert spec.run is app.run and spec.options is app.Options
    assert [o.name for o in app_options(app.Options)] == ["quick", "seed", "keyword", "jobs"]


def test_voice_split_is_disjoint_and_fixed():
    split = app.espeak_voice_split(0)
    assert set(split["train"]).isdisjoint(split["validation"])
    assert set(split["train"]).isdisjoint(split["background"])
    assert set(split["validation"]).isdisjoint(split["background"])
    assert split == app.espeak_voice_split(0)


def test_metrics_hold_every_model_condition_and_target(quick_run):
    out, metrics = quick_run
    written = json.loads((out / "metrics.json").read_text())
    assert written == json.loads(json.dumps(metrics))
    assert written["app"] == "keyword-spotting" and written["quick"] is True
    assert set(written["models"]) == set(app.MODELS)
    for key, record in written["models"].items():
        assert set(record["test"]) == {"clean", "10 dB", "0 dB"}, key
        threshold = record["validation"]["operating_threshold"]["threshold"]
        assert threshold in app.THRESHOLDS, key
        for condition, result in record["test"].items():
            for field in (
                "frame_accuracy",
                "all_negative_frame_accuracy",
                "frr_at_0.5_fa_per_hour",
                "frr_at_0.1_fa_per_hour",
                "at_operating_threshold",
                "det",
            ):
                assert field in result, (key, condition, field)
            assert 0.0 <= result["frame_accuracy"] <= 1.0
            assert len(result["det"]["frr"]) == len(app.THRESHOLDS)
            assert result["at_operating_threshold"]["threshold"] == threshold
    data = written["data"]
    assert data["test"]["families"][0] == "piper" and "espeak" not in data["test"]["families"]
    assert data["test"]["background_hours"] > 0 and "flite" in data
    assert set(written["targets"]) == {
        "frr_10db_at_0.5_fa_per_hour",
        "frr_0db_at_0.5_fa_per_hour",
        "realtime_factor",
        "median_latency_s",
        "product_beats_mlp",
        "product_beats_dtw",
        "noisy_bilstm_beats_clean",
    }
    assert all(t["status"] in ("met", "MISSED") for t in written["targets"].values())
    assert set(written["headline"]) >= {"product_frr_10db_at_0.5_fa_h", "product_realtime_factor"}


def test_the_product_learns_and_streams_as_it_detects(quick_run):
    _, metrics = quick_run
    product = metrics["models"][app.PRODUCT]
    # it marks the end of the keyword (DECISION_WINDOW), where a causal model can know
    # it was "yes": frame accuracy against that target well above labelling every frame
    # "not keyword" -- on clean clips of unheard espeak voices (validation) at most 60%
    # of the all-negative baseline's errors; on the held-out families (clean) still better
    accuracy, all_negative = product["validation"]["frame_accuracy_training_target_by_condition"][
        "clean"
    ]
    assert 1 - accuracy <= 0.6 * (1 - all_negative)
    clean = product["test"]["clean"]
    assert clean["frame_accuracy_training_target"] > clean["all_negative_training_target"]
    # and the MATLAB-style BiLSTM, trained on the exact masks, against those
    bilstm = metrics["models"]["bilstm_clean"]["validation"]
    assert bilstm["frame_accuracy_by_condition"]["clean"] > bilstm["all_negative_frame_accuracy"]
    checks = metrics["product"]
    assert checks["stream_equals_offline"] is True
    assert checks["stream_equals_threshold_sweep"] is True
    assert checks["realtime_factor_threads"] == 1 and 0 < checks["realtime_factor"] < 1
    assert set(checks["realtime_factor_by_block"]) == {"0.1 s blocks", "0.5 s blocks"}
    assert checks["realtime_factor_audio_seconds"] >= 60


def test_the_saved_product_detects_the_keyword_and_not_silence(quick_run):
    from lstmkit.datasets.speech import get_synthesizer, keyword_clip, pad_clip
    from lstmkit.tasks import KeywordSpotter, load

    out, metrics = quick_run
    spotter = load(out / "model")
    assert isinstance(spotter, KeywordSpotter) and spotter.layer == "lstm"
    assert spotter.threshold == pytest.approx(metrics["product"]["operating_threshold"])
    assert spotter.detect(np.zeros(32000, np.float32)) == []
    spotter.set_params(threshold=0.5)
    assert spotter.detect(np.zeros(32000, np.float32)) == []
    voice = app.espeak_voice_split(0)["validation"][0]  # a voice it never trained on
    found = 0
    for rate in (0.9, 1.0, 1.1):
        clip = keyword_clip(get_synthesizer("espeak"), "yes", voice=voice, rate=rate)
        found += len(spotter.detect(pad_clip(clip, 2.0, seed=0).audio))
    assert found >= 1


def test_plots_are_png_files(quick_run):
    out, _ = quick_run
    for name in (
        "det-curves.png",
        "keyword-masks.png",
        "training-progress.png",
        *(f"training-progress-{k}.png" for k in ("bilstm_clean", "bilstm_noisy", app.PRODUCT)),
    ):
        data = (out / name).read_bytes()
        assert data.startswith(PNG_MAGIC) and len(data) > 1000, name
