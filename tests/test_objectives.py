"""Objectives: the built-in ones, the registry, and a new objective used without editing lstmkit."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from lstmkit.data import IGNORE_INDEX, SequenceCollator, SequenceDataset, pad_batch
from lstmkit.nn.network import SequenceNetwork
from lstmkit.training import (
    Metric,
    Objective,
    SequenceModule,
    TrainingOptions,
    balanced_class_weights,
    fit_network,
    get_objective,
    objective_names,
    register_objective,
    unregister_objective,
)


@pytest.fixture(autouse=True)
def _no_plots(monkeypatch):
    monkeypatch.setattr("lstmkit.training.engine._plot_progress", lambda *a, **k: None)


@pytest.fixture
def mae_objective():
    """A mean-absolute-error regression objective, registered from this test file only."""
    objective = register_objective(
        Objective(
            "test-mae-regression",
            loss=lambda outputs, targets, weight: F.l1_loss(outputs, targets),
            metric=Metric("mae", lambda outputs, targets, loss: loss.detach(), "mean"),
            target_kind="sequence",
            output_mode="last",
        )
    )
    yield objective
    unregister_objective(objective.name)


def _sums(n: int, seed: int):
    rng = np.random.default_rng(seed)
    X = [rng.normal(size=(rng.integers(4, 9), 2)).astype(np.float32) for _ in range(n)]
    return X, np.array([[x[:, 0].sum()] for x in X], dtype=np.float32)


def _mean_over_set(network, X, y, error) -> float:
    network.eval()
    x, lengths = pad_batch(X)
    with torch.no_grad():
        return float(error(network(x, lengths), torch.as_tensor(y)))


def test_builtin_objectives_say_their_targets_outputs_and_metrics():
    expected = {
        "classification": ("sequence", "last", "accuracy", "mean"),
        "tagging": ("step", "sequence", "accuracy", "mean"),
        "regression": ("sequence", "last", "rmse", "rms"),
        "sequence-regression": ("step", "sequence", "rmse", "rms"),
        "language-modelling": ("step", "sequence", "perplexity", "exp"),
    }
    assert set(expected) <= set(objective_names())
    for name, (kind, mode, metric, aggregate) in expected.items():
        objective = get_objective(name)
        assert (objective.target_kind, objective.output_mode) == (kind, mode), name
        assert (objective.metric.name, objective.metric.aggregate) == (metric, aggregate), name
    assert get_objective("classification").class_weights
    assert not get_objective("regression").class_weights


def test_padded_steps_never_count():
    logits = torch.tensor([[[3.0, 0.0], [0.0, 3.0], [0.0, 3.0]]])
    loss, accuracy, count = get_objective("tagging").evaluate(
        logits, torch.tensor([[0, 0, IGNORE_INDEX]])
    )
    assert count == 2 and float(accuracy) == 0.5
    assert float(loss) == pytest.approx(float(F.cross_entropy(logits[0, :2], torch.tensor([0, 0]))))
    values = torch.tensor([[[1.0], [2.0], [5.0]]])
    loss, rmse, count = get_objective("sequence-regression").evaluate(
        values, torch.tensor([[[1.0], [4.0], [float("nan")]]])
    )
    assert count == 2 and float(loss) == pytest.approx(2.0) and float(rmse) == pytest.approx(2**0.5)


def test_a_registered_objective_trains_through_fit_network_unchanged(tmp_path, mae_objective):
    X, y = _sums(80, 0)
    Xv, yv = _sums(37, 1)  # 37 = 2 batches of 16 + 5: the epoch value weighs batches by size
    options = TrainingOptions(max_epochs=4, batch_size=16, learning_rate=1e-2, seed=0,
                              output_model="last", num_threads=1)  # fmt: skip
    torch.manual_seed(0)
    network = SequenceNetwork(2, 1, hidden_size=8)
    before = _mean_over_set(network, Xv, yv, F.l1_loss)
    network.train()
    result = fit_network(
        network, "test-mae-regression", SequenceDataset(X, y), SequenceDataset(Xv, yv), options,
        collate=SequenceCollator(target_kind="sequence"), run_dir=tmp_path / "mae",
    )  # fmt: skip
    history = result.history
    assert {"train_mae", "val_mae"} <= set(history.columns)
    assert "train_rmse" not in history.columns
    after = _mean_over_set(network, Xv, yv, F.l1_loss)
    assert after < before
    # the last validation MAE is the MAE of the final network over the whole set
    assert history["val_mae"].dropna().iloc[-1] == pytest.approx(after, rel=1e-5)
    assert history["val_loss"].dropna().iloc[-1] == pytest.approx(after, rel=1e-5)


def test_rmse_over_an_epoch_is_the_root_of_the_mean_squared_error(tmp_path):
    X, y = _sums(48, 0)
    Xv, yv = _sums(37, 1)
    options = TrainingOptions(max_epochs=2, batch_size=16, seed=0, output_model="last",
                              num_threads=1)  # fmt: skip
    network = SequenceNetwork(2, 1, hidden_size=8)
    result = fit_network(
        network, get_objective("regression"), SequenceDataset(X, y), SequenceDataset(Xv, yv),
        options, collate=SequenceCollator(target_kind="sequence"), run_dir=tmp_path / "rmse",
    )  # fmt: skip
    mse = _mean_over_set(network, Xv, yv, F.mse_loss)
    assert result.history["val_rmse"].dropna().iloc[-1] == pytest.approx(mse**0.5, rel=1e-5)


def test_registry_and_objective_errors(mae_objective):
    with pytest.raises(ValueError, match="registered already"):
        register_objective(mae_objective)
    assert register_objective(mae_objective, replace=True) is mae_objective
    with pytest.raises(ValueError, match=r"objective must be an Objective or one of \("):
        get_objective("clasification")
    with pytest.raises(TypeError, match="objective must be an Objective"):
        register_objective("regression")
    with pytest.raises(ValueError, match="target_kind must be one of 'sequence', 'step'"):
        Objective("x", F.mse_loss, get_objective("regression").metric, "none", "last")
    with pytest.raises(ValueError, match="aggregate must be one of 'mean', 'rms', 'exp'"):
        Metric("mae", lambda o, t, loss: loss, "median")
    network = SequenceNetwork(2, 1)
    with pytest.raises(ValueError, match="class_weights must be None for objective 'regression'"):
        SequenceModule(network, "regression", TrainingOptions(), torch.ones(2))
    with pytest.raises(ValueError, match="has no loss of its own"):
        get_objective("language-modelling").evaluate(torch.zeros(1, 2), torch.zeros(1))
    X, _ = _sums(4, 0)
    with pytest.raises(ValueError, match=r"collate\.target_kind must be 'step'"):
        fit_network(
            network, "tagging", SequenceDataset(X, np.zeros(4, int)), None, TrainingOptions(),
            collate=SequenceCollator(target_kind="sequence"),
        )  # fmt: skip


def test_balanced_class_weights_per_sequence_and_per_step():
    assert balanced_class_weights(np.array([0, 0, 0, 1]), 2).tolist() == [4 / 6, 2.0]
    per_step = [np.array([0, 0, 1]), np.array([1, 1, 1, 2])]
    assert balanced_class_weights(per_step, 3).tolist() == pytest.approx([7 / 6, 7 / 12, 7 / 3])
    # a class never seen counts once (no division by zero)
    assert balanced_class_weights(np.array([0, 0]), 2).tolist() == [0.5, 1.0]
