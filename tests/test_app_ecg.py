"""The ECG app in quick mode: run folder, metrics, that the feature BiLSTM learns, the model."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from lstmkit.apps import ecg as app
from lstmkit.apps import get_app, run_app
from lstmkit.datasets import load_dataset
from lstmkit.tasks import SequenceClassifier, load

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("ecg")
    metrics = run_app("ecg", out, quick=True, seed=0)
    return out, metrics


def test_registered_as_an_app():
    assert get_app("ecg").run is app.run and get_app("ecg").options is app.Options


def test_inputs_have_the_stated_shapes():
    signals = np.random.default_rng(0).normal(size=(2, 9000))
    features = app.feature_sequences(signals)
    matlab = app.model_inputs("features-matlab", signals)
    raw = app.raw_sequences(signals)
    assert len(features) == 2 and features[0].shape == (256, 3) and matlab[0].shape == (256, 2)
    np.testing.assert_array_equal(features[1][:, :2], matlab[1])  # MATLAB's pair + power
    np.testing.assert_array_equal(app.model_inputs("raw", signals)[0], raw[0])
    assert raw[0].shape == (9000 // app.RAW["decimate"] // app.RAW["frame"], app.RAW["frame"])
    assert raw[0].dtype == np.float32 and features[0].dtype == np.float32


def test_metrics_json_holds_the_three_lstms_and_the_baseline(quick_run):
    out, metrics = quick_run
    written = json.loads((out / "metrics.json").read_text())
    assert written == json.loads(json.dumps(metrics))
    for key in ("app", "quick", "seeds", "wall_seconds", "train_seconds", "test_macro_f1",
                "test_accuracy", "models", "baseline_rr", "target", "meets_target"):  # fmt: skip
        assert key in written, key
    assert written["app"] == "ecg" and written["quick"] is True and written["seeds"] == [0]
    data = written["dataset"]
    assert data["n_train"] == app.QUICK_DATA["num_train"]
    assert data["n_test"] == app.QUICK_DATA["num_test"]
    assert data["train_af"] == round(app.QUICK_DATA["num_train"] * app.QUICK_DATA["af_fraction"])
    assert app.DATA["af_fraction"] == 0.125  # full mode: the challenge's ~1:7
    assert list(written["models"]) == list(app.MODELS)
    assert written["models"]["features"]["input_shape"] == [256, 3]
    assert written["models"]["features-matlab"]["input_shape"] == [256, 2]
    for name, result in [*written["models"].items(), ("rr", written["baseline_rr"])]:
        m = result["test_metrics"] if name == "rr" else result["median_seed_test_metrics"]
        cm = np.asarray(m["confusion_matrix"])
        assert cm.shape == (2, 2) and cm.sum() == data["n_test"], name
        assert cm.sum(axis=1).tolist() == [data["test_af"], data["n_test"] - data["test_af"]]
        assert np.trace(cm) / cm.sum() == pytest.approx(m["accuracy"])
        assert set(result["test_f1"]) == {"A", "N"}
    headline = written["headline"]
    assert headline["features_lstm_test_macro_f1"] == written["test_macro_f1"]
    assert headline["rr_baseline_test_macro_f1"] == written["baseline_rr"]["test_macro_f1"]
    assert (headline["features_matlab_lstm_test_macro_f1"]
            == written["models"]["features-matlab"]["test_macro_f1"])  # fmt: skip


def test_quick_mode_learns_on_held_out_patients(quick_run):
    _, metrics = quick_run
    # quick mode trains on balanced classes (AF is learnt from 160 records rather than
    # 40), so chance macro-F1 is 0.5; test patients are held out (other seed, wider ranges)
    assert app.QUICK_DATA["af_fraction"] == 0.5
    assert metrics["test_macro_f1"] > 0.65
    assert metrics["models"]["features"]["test_f1"]["A"] > 0.6
    assert metrics["baseline_rr"]["test_macro_f1"] > 0.85


def test_plots_are_png_files(quick_run):
    out, _ = quick_run
    names = [f"confusion-matrix-{k}.png" for k in (*app.MODELS, "rr")]
    names += [f"training-progress-{k}.png" for k in app.MODELS] + ["ecg-examples.png"]
    for name in names:
        data = (out / name).read_bytes()
        assert data.startswith(PNG_MAGIC), name
        assert len(data) > 1000, name


def test_saved_model_reproduces_the_test_predictions(quick_run):
    out, metrics = quick_run
    model = load(out / "model-features")
    assert isinstance(model, SequenceClassifier)
    data = load_dataset("ecg-af-simulated", **app.QUICK_DATA)
    predicted = model.predict(app.feature_sequences(np.stack(data.X_test)[:, :, 0]))
    written = pd.read_csv(out / "test-predictions.csv", dtype=str)
    assert written["true"].tolist() == [str(v) for v in data.y_test]
    assert written["features"].tolist() == [str(v) for v in predicted]
    accuracy = float(np.mean(predicted == np.asarray(data.y_test)))
    assert accuracy == pytest.approx(metrics["test_accuracy"])


def test_selection_never_used_the_test_seeds():
    for data, validation in ((app.DATA, app.VALIDATION), (app.QUICK_DATA, app.QUICK_VALIDATION)):
        assert validation["seed"] not in (2 * data["seed"], 2 * data["seed"] + 1)
    assert app.CONFIG["features"]["training"]["output_model"] == "best-validation"
