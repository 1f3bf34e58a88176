"""The sequence-classification app (Japanese Vowels) in quick mode: files, metrics, model."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from lstmkit.apps import run_app
from lstmkit.apps import sequence_classification as app
from lstmkit.datasets import load_dataset
from lstmkit.tasks import SequenceClassifier, load

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("sequence-classification")
    metrics = run_app("sequence-classification", out, quick=True, seed=0)
    return out, metrics


def test_metrics_json_matches_the_returned_metrics(quick_run):
    out, metrics = quick_run
    written = json.loads((out / "metrics.json").read_text())
    assert written == json.loads(json.dumps(metrics))
    for key in (
        "app",
        "dataset",
        "seeds",
        "per_seed",
        "median_seed",
        "test_accuracy",
        "test_macro_f1",
        "train_seconds",
        "epochs",
        "median_seed_test_metrics",
        "options",
        "wall_seconds",
    ):
        assert key in written, key
    assert written["app"] == "sequence-classification"
    assert written["quick"] is True
    assert written["seeds"] == [0]
    assert written["dataset"]["n_train"] == 270
    assert written["dataset"]["n_test"] == 370
    assert written["dataset"]["n_classes"] == 9
    (record,) = written["per_seed"]
    for key in ("seed", "test_accuracy", "test_macro_f1", "train_seconds", "epochs"):
        assert key in record, key
    assert record["epochs"] == app.QUICK_CONFIG["training"]["max_epochs"]
    assert written["options"]["training_options"]["seed"] == 0
    cm = np.asarray(written["median_seed_test_metrics"]["confusion_matrix"])
    assert cm.shape == (9, 9) and cm.sum() == 370


def test_quick_mode_learns_well_above_chance(quick_run):
    _, metrics = quick_run
    assert metrics["test_accuracy"] > 0.5  # chance is 1/9
    assert metrics["test_macro_f1"] > 0.4


def test_plots_are_png_files(quick_run):
    out, _ = quick_run
    for name in ("confusion-matrix.png", "training-progress.png"):
        data = (out / name).read_bytes()
        assert data.startswith(PNG_MAGIC), name
        assert len(data) > 1000, name


def test_saved_model_loads_and_predicts_the_same_labels(quick_run):
    out, metrics = quick_run
    model = load(out / "model")
    assert isinstance(model, SequenceClassifier)
    data = load_dataset("japanese-vowels")
    predicted = model.predict(data.X_test)
    written = pd.read_csv(out / "test-predictions.csv", dtype=str)
    assert written["true"].tolist() == [str(v) for v in data.y_test]
    assert [str(v) for v in predicted] == written["predicted"].tolist()
    accuracy = float(np.mean(predicted == np.asarray(data.y_test)))
    assert accuracy == pytest.approx(metrics["test_accuracy"])
    cm = np.asarray(metrics["median_seed_test_metrics"]["confusion_matrix"])
    assert np.trace(cm) == int(np.sum(predicted == np.asarray(data.y_test)))


def test_no_test_data_in_model_selection():
    # Every configuration either validates on a split of the training data or trains a
    # fixed number of epochs chosen by cross-validation on it; none sees the test set.
    for config in (app.QUICK_CONFIG, *app.CANDIDATES.values()):
        assert 0.1 <= config["validation_fraction"] <= 0.15
        assert config["training"].get("output_model", "best-validation") == "best-validation"
    for name, config in app.CV_CANDIDATES.items():
        assert config["validation_fraction"] == 0.0
        assert config["training"]["output_model"] == "last"
        assert name in app.CV_RESULTS
    assert app.CONFIG is app.CV_CANDIDATES["bilstm100-dropout0.3-30ep"]


def test_select_reruns_the_cross_validation_into_its_own_folder(tmp_path):
    # --select --quick: 2 folds, 2 epochs per configuration (a smoke test of round 2)
    metrics = run_app("sequence-classification", tmp_path, quick=True, select=True)
    table = pd.read_csv(tmp_path / "selection.csv")
    assert set(table["configuration"]) == set(app.CV_CANDIDATES)
    assert sorted(table["fold"].unique()) == [0, 1] and sorted(table["seed"].unique()) == [100, 101]
    assert table.groupby(["configuration", "fold"]).size().tolist() == [2] * 4  # per epoch
    assert table["val_accuracy"].between(0, 1).all()
    assert metrics["mode"] == "select" and metrics["run_options"]["select"] is True
    assert set(metrics["headline"]) == {f"{name}_cv_accuracy_epoch2" for name in app.CV_CANDIDATES}
    assert not (tmp_path / "model").exists()  # selection trains no final model


def test_holdout_selection_scores_the_part_each_fit_held_out():
    from lstmkit.tasks.selection import holdout_configurations

    tiny = {**app.QUICK_CONFIG, "training": {**app.QUICK_CONFIG["training"], "max_epochs": 1}}
    data = load_dataset("japanese-vowels")
    X, y = list(data.X_train)[:90], np.asarray(data.y_train)[:90]
    table = holdout_configurations(app._classifier, {"tiny": tiny}, X, y, seeds=[10, 11])
    assert table["configuration"].tolist() == ["tiny", "tiny"] and table["seed"].tolist() == [
        10,
        11,
    ]
    # 15% of 90 held out: accuracies are multiples of 1/14
    assert all(abs(a * 14 - round(a * 14)) < 1e-9 for a in table["val_accuracy"])
