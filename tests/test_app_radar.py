"""The radar app in quick mode: run folder, metrics, that the LSTM learns, and the model."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from lstmkit.apps import get_app, run_app
from lstmkit.apps import radar as app
from lstmkit.datasets import load_dataset
from lstmkit.datasets.radar import frame_sweeps
from lstmkit.tasks import SequenceClassifier, load

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("radar")
    metrics = run_app("radar", out, quick=True, seed=0)
    return out, metrics


def test_registered_as_an_app():
    assert get_app("radar").run is app.run and get_app("radar").options is app.Options


def test_metrics_json_holds_lstm_and_baselines(quick_run):
    out, metrics = quick_run
    written = json.loads((out / "metrics.json").read_text())
    assert written == json.loads(json.dumps(metrics))
    for key in ("app", "quick", "seeds", "wall_seconds", "train_seconds", "test_accuracy",
                "test_macro_f1", "baselines", "target", "meets_target", "per_seed"):  # fmt: skip
        assert key in written, key
    assert written["app"] == "radar" and written["quick"] is True and written["seeds"] == [0]
    data = written["dataset"]
    assert data["n_train"] == app.QUICK_DATA["num_train"]
    assert data["n_test"] == app.QUICK_DATA["num_test"]
    assert data["lstm_input"] == [181 // app.QUICK_CONFIG["frame"], app.QUICK_CONFIG["frame"]]
    assert set(written["baselines"]) == {"svm", "gbt"}
    headline = written["headline"]
    assert headline["lstm_test_accuracy"] == written["test_accuracy"]
    assert headline["svm_test_accuracy"] == written["baselines"]["svm"]["test_accuracy"]
    for result in written["baselines"].values():
        cm = np.asarray(result["test_metrics"]["confusion_matrix"])
        assert cm.shape == (2, 2) and cm.sum() == data["n_test"]
        assert np.trace(cm) / cm.sum() == pytest.approx(result["test_accuracy"])
    cm = np.asarray(written["median_seed_test_metrics"]["confusion_matrix"])
    assert cm.sum(axis=1).tolist() == [data["n_test"] // 2] * 2  # balanced classes


def test_quick_mode_learns_well_above_chance(quick_run):
    _, metrics = quick_run
    # chance is 0.5; held-out test targets come from a different simulation seed
    assert metrics["test_accuracy"] > 0.75
    assert metrics["test_macro_f1"] > 0.75
    assert metrics["per_seed"][0]["val_accuracy"] > 0.75
    assert metrics["best_baseline_accuracy"] > 0.75


def test_plots_are_png_files(quick_run):
    out, _ = quick_run
    names = ["confusion-matrix-lstm.png", "confusion-matrix-svm.png", "confusion-matrix-gbt.png"]
    for name in [*names, "training-progress.png", "rcs-examples.png"]:
        data = (out / name).read_bytes()
        assert data.startswith(PNG_MAGIC), name
        assert len(data) > 1000, name


def test_saved_model_reproduces_the_test_predictions(quick_run):
    out, metrics = quick_run
    model = load(out / "model")
    assert isinstance(model, SequenceClassifier)
    data = load_dataset("radar-rcs", **app.QUICK_DATA)
    predicted = model.predict(frame_sweeps(data.X_test, app.QUICK_CONFIG["frame"]))
    written = pd.read_csv(out / "test-predictions.csv", dtype=str)
    assert written["true"].tolist() == [str(v) for v in data.y_test]
    assert written["lstm"].tolist() == [str(v) for v in predicted]
    accuracy = float(np.mean(predicted == np.asarray(data.y_test)))
    assert accuracy == pytest.approx(metrics["test_accuracy"])


def test_selection_never_used_the_test_seeds():
    # training uses simulation seed 2 s, test 2 s + 1; validation must be neither
    for data, validation in ((app.DATA, app.VALIDATION), (app.QUICK_DATA, app.QUICK_VALIDATION)):
        assert validation["seed"] not in (2 * data["seed"], 2 * data["seed"] + 1)
    assert app.CONFIG["training"]["output_model"] == "best-validation"
