"""lstmkit.viz: every figure writes a valid, non-trivial PNG; bad input gets clear errors."""

from __future__ import annotations

import gc
import subprocess
import sys
import weakref
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch
from matplotlib.figure import Figure
from matplotlib.image import imread

import lstmkit.viz.style as style
from lstmkit.nn import LSTM
from lstmkit.viz import (
    plot_confusion_matrix,
    plot_forecast,
    plot_gate_heatmaps,
    plot_training_progress,
)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def assert_png(path: Path, min_side: int = 300) -> np.ndarray:
    assert path.is_file()
    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE
    assert len(data) > 10_000  # a real figure, not an empty canvas
    image = imread(path)
    assert image.ndim == 3 and min(image.shape[:2]) >= min_side
    assert image[..., :3].std() > 0.05  # something is drawn
    # nothing but the figure itself is left in the folder (no temporary files)
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".")]
    return image


def _history(metric: str = "accuracy", steps: int = 120, per_epoch: int = 30) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    step = np.arange(1, steps + 1)
    validate = step % 20 == 0  # validation only every 20 iterations: NaN elsewhere
    loss = 2 * np.exp(-step / 40) + 0.1 + rng.normal(0, 0.05, steps)
    value = 1 - 0.8 * np.exp(-step / 40) if metric == "accuracy" else np.sqrt(loss)
    return pd.DataFrame(
        {
            "step": step,
            "epoch": (step - 1) // per_epoch,
            "train_loss": loss,
            f"train_{metric}": value,
            "val_loss": np.where(validate, loss + 0.1, np.nan),
            f"val_{metric}": np.where(validate, value * 0.95, np.nan),
        }
    )


# --------------------------------------------------------------- training progress
def test_training_progress_from_dataframe(tmp_path):
    path = plot_training_progress(_history(), tmp_path / "runs" / "a" / "progress.png")
    assert path == tmp_path / "runs" / "a" / "progress.png"  # parents were created
    assert_png(path)


def test_training_progress_from_csv_path_with_gaps(tmp_path):
    history = _history("rmse")
    history.loc[50:60, "train_loss"] = np.nan  # a gap in the training log too
    csv = tmp_path / "history.csv"
    history.to_csv(csv, index=False)
    assert_png(plot_training_progress(str(csv), tmp_path / "p.png", metric_name="rmse"))


def test_training_progress_loss_only_without_step_epoch_or_validation(tmp_path):
    history = pd.DataFrame({"train_loss": np.linspace(1, 0.1, 40), "val_loss": np.nan})
    assert_png(plot_training_progress(history, tmp_path / "p.png", metric_name=None))


def test_training_progress_overwrites_and_tolerates_an_unlogged_metric(tmp_path):
    path = tmp_path / "p.png"
    path.write_bytes(b"old")
    history = _history(steps=10)
    history[["train_accuracy", "val_accuracy"]] = np.nan  # columns present, never logged
    plot_training_progress(history, path, smoothing=0.0)
    assert path.read_bytes()[:8] == PNG_SIGNATURE


@pytest.mark.parametrize(
    ("history", "kwargs", "error", "match"),
    [
        (_history(), {"metric_name": "rmse"}, ValueError, r"train_rmse or val_rmse.*columns"),
        (pd.DataFrame({"acc": [1.0]}), {"metric_name": None}, ValueError, "train_loss or"),
        (pd.DataFrame(), {}, ValueError, "at least one row"),
        ({"train_loss": [1.0]}, {}, TypeError, "pandas DataFrame or the path"),
        ("no/such/history.csv", {}, ValueError, "does not exist"),
        (_history(), {"smoothing": 1.0}, ValueError, r"smoothing must be a float in \[0, 1\)"),
        (_history(), {"metric_name": 3}, TypeError, "metric_name must be"),
        (
            pd.DataFrame({"train_loss": ["a", "b"]}),
            {"metric_name": None},
            ValueError,
            "'train_loss' must hold numbers",
        ),
        (
            pd.DataFrame({"train_loss": [np.nan], "val_loss": [np.nan]}),
            {"metric_name": None},
            ValueError,
            "at least one logged loss",
        ),
    ],
)
def test_training_progress_bad_input(tmp_path, history, kwargs, error, match):
    with pytest.raises(error, match=match):
        plot_training_progress(history, tmp_path / "p.png", **kwargs)
    assert not list(tmp_path.iterdir())  # nothing written


@pytest.mark.parametrize(
    ("path", "error", "match"),
    [("figure.jpg", ValueError, r"must end in \.png"), (3, TypeError, "str or Path")],
)
def test_bad_paths(tmp_path, path, error, match):
    target = tmp_path / path if isinstance(path, str) else path
    with pytest.raises(error, match=match):
        plot_confusion_matrix([[1]], ["a"], target)


# ------------------------------------------------------------------ confusion matrix
CM = [[50, 2, 0, 1], [5, 40, 5, 0], [0, 3, 45, 2], [0, 0, 0, 0]]  # last class: no samples


@pytest.mark.parametrize("normalize", [None, "true", "pred"])
def test_confusion_matrix(tmp_path, normalize):
    labels = ["walk", "run", "sit", "stand"]
    assert_png(
        plot_confusion_matrix(np.array(CM), labels, tmp_path / "cm.png", normalize=normalize)
    )


def test_confusion_matrix_default_labels_and_one_class(tmp_path):
    assert_png(plot_confusion_matrix(CM, None, tmp_path / "a" / "cm.png", title=None))
    assert_png(plot_confusion_matrix([[7]], ["only"], tmp_path / "b" / "cm.png"), min_side=200)


@pytest.mark.parametrize(
    ("cm", "labels", "kwargs", "error", "match"),
    [
        ([[1, 2, 3], [4, 5, 6]], None, {}, ValueError, r"square.*\(2, 3\)"),
        ([1, 2], None, {}, ValueError, "must be 2-D"),
        ([[1, -1], [0, 2]], None, {}, ValueError, "non-negative"),
        ([[1, 0], [0, 1]], ["a"], {}, ValueError, "name the 2 classes"),
        ([[1, 0], [0, 1]], "ab", {}, TypeError, "sequence of 2 class names"),
        ([[1, 0], [0, 1]], None, {"normalize": "all"}, ValueError, "normalize must be"),
        ([["a", "b"], ["c", "d"]], None, {}, TypeError, "array of numbers"),
    ],
)
def test_confusion_matrix_bad_input(tmp_path, cm, labels, kwargs, error, match):
    with pytest.raises(error, match=match):
        plot_confusion_matrix(cm, labels, tmp_path / "cm.png", **kwargs)


# -------------------------------------------------------------------------- forecast
def _series(n: int = 120) -> np.ndarray:
    t = np.arange(n)
    return 10 + 3 * np.sin(2 * np.pi * t / 24) + 0.02 * t


def test_forecast_with_baselines_interval_and_dates(tmp_path):
    s = _series()
    history, truth = s[:96].copy(), s[96:]
    history[40:45] = np.nan  # a gap in the record
    forecast = truth + 0.3
    path = plot_forecast(
        history,
        truth,
        torch.tensor(forecast),
        tmp_path / "forecast.png",
        time=pd.date_range("2024-01-01", periods=120, freq="h"),
        baselines={"seasonal naive": s[72:96], "naive": np.full(24, s[95])},
        interval=(forecast - 1, forecast + 1),
        show_history=48,
    )
    assert_png(path)


def test_forecast_without_truth(tmp_path):
    s = _series()
    assert_png(plot_forecast(s[:96, None], None, s[96:], tmp_path / "f.png", title=None))


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"truth": np.zeros(5)}, ValueError, "truth must have 24 values"),
        ({"forecast": np.zeros((24, 2))}, ValueError, r"one series.*forecast\[:, k\]"),
        ({"history": []}, ValueError, "history must hold at least one value"),
        ({"baselines": {"naive": np.zeros(3)}}, ValueError, r"baselines\['naive'\] must have"),
        ({"baselines": [np.zeros(24)]}, TypeError, "baselines must be a dict"),
        ({"interval": np.zeros(24)}, TypeError, r"\(lower, upper\) pair"),
        ({"time": np.arange(50)}, ValueError, "time must be 1-D with one value per"),
        ({"time": np.array(["a"] * 120)}, TypeError, "numbers or datetimes"),
        ({"show_history": 0}, ValueError, "show_history must be"),
        ({"history": np.zeros((3, 3, 3))}, ValueError, "must be 1-D or 2-D"),
    ],
)
def test_forecast_bad_input(tmp_path, kwargs, error, match):
    s = _series()
    arguments = {"history": s[:96], "truth": s[96:], "forecast": s[96:]} | kwargs
    with pytest.raises(error, match=match):
        plot_forecast(path=tmp_path / "f.png", **arguments)


# ----------------------------------------------------------------------------- gates
def _gates(hidden: int = 12, steps: int = 40) -> dict[str, torch.Tensor]:
    lstm = LSTM(input_size=2, hidden_size=hidden)
    _, _, gates = lstm(torch.randn(2, steps, 2), return_gates=True)
    return {key: value[0, 0, 1] for key, value in gates.items()}


def test_gate_heatmaps_from_lstm(tmp_path):
    assert_png(plot_gate_heatmaps(_gates(), tmp_path / "gates.png"))


def test_gate_heatmaps_subset_and_units(tmp_path):
    gates = _gates()
    subset = {"f": gates["f"].detach().numpy(), "c": gates["c"]}
    assert_png(plot_gate_heatmaps(subset, tmp_path / "g.png", units=[3, 0, 7], title=None))


Z = np.zeros((4, 12))


@pytest.mark.parametrize(
    ("gates", "kwargs", "error", "match"),
    [
        ({"i": Z, "x": Z}, {}, ValueError, "keys must be among"),
        ({"i": np.zeros((1, 1, 2, 4, 12))}, {}, ValueError, r"select one.*\[layer, direction"),
        ({"i": Z, "f": np.zeros((5, 12))}, {}, ValueError, "same shape"),
        ({"i": np.zeros((0, 12))}, {}, ValueError, "must not be empty"),
        ({"i": Z}, {"units": [0, 12]}, ValueError, r"units must lie in \[0, 12\)"),
        ({"i": Z}, {"units": []}, ValueError, "at least one unit"),
        ({"i": Z}, {"units": [0.5]}, TypeError, "int indices"),
        ({"i": Z}, {"units": 3}, TypeError, "sequence of unit indices"),
        ({}, {}, TypeError, "non-empty dict"),
        ([Z], {}, TypeError, "non-empty dict"),
    ],
)
def test_gate_heatmaps_bad_input(tmp_path, gates, kwargs, error, match):
    with pytest.raises(error, match=match):
        plot_gate_heatmaps(gates, tmp_path / "g.png", **kwargs)
    assert not list(tmp_path.iterdir())


# --------------------------------------------------------- atomicity, memory, backend
def test_failed_write_keeps_previous_file(tmp_path, monkeypatch):
    path = plot_confusion_matrix(CM, None, tmp_path / "cm.png")
    before = path.read_bytes()

    def crash(self, *args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(Figure, "savefig", crash)
    with pytest.raises(OSError, match="disk full"):
        plot_confusion_matrix(CM, None, path, normalize="true")
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["cm.png"]


def test_figures_are_freed(tmp_path, monkeypatch):
    made: list[weakref.ref] = []
    real = style.new_figure

    def tracking(*args, **kwargs):
        figure = real(*args, **kwargs)
        made.append(weakref.ref(figure))
        return figure

    monkeypatch.setattr("lstmkit.viz.confusion.new_figure", tracking)
    for _ in range(3):
        plot_confusion_matrix([[3, 1], [0, 4]], None, tmp_path / "cm.png")
    gc.collect()
    assert len(made) == 3 and all(ref() is None for ref in made)


def test_importing_and_plotting_leaves_the_global_backend_alone(tmp_path):
    code = (
        "import sys, matplotlib\n"
        "matplotlib.use('svg')\n"
        "from lstmkit.viz import plot_confusion_matrix\n"
        f"plot_confusion_matrix([[1, 0], [0, 1]], None, {str(tmp_path / 'cm.png')!r})\n"
        "assert matplotlib.get_backend() == 'svg', matplotlib.get_backend()\n"
        "assert 'matplotlib.pyplot' not in sys.modules\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "cm.png").read_bytes()[:8] == PNG_SIGNATURE
