"""`lstmkit run long-memory --quick`: the LSTM learns the adding problem; figures; budgets."""

import json

import numpy as np
import pytest
import torch

from lstmkit.apps import long_memory as app
from lstmkit.apps import run_app
from lstmkit.datasets.long_memory import adding_problem
from lstmkit.nn.network import SequenceNetwork
from lstmkit.training import (
    SolvedShareStopping,
    TrainingOptions,
    fit_online,
    gradient_norms_per_step,
)


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("long-memory")
    return out, run_app("long-memory", out, quick=True, seed=0)


def test_quick_mode_lstm_learns_the_adding_problem(quick_run):
    out, metrics = quick_run
    assert metrics["app"] == "long-memory" and metrics["quick"] is True
    lstm = metrics["results"]["adding-T15"]["lstm"]
    # the paper's criterion: |error| < 0.04 on >= 90% of 300 fresh test sequences
    assert lstm["median"] >= 0.9
    assert lstm["median_mse"] < 0.002  # predicting the mean would give ~0.04
    saved = json.loads((out / "metrics.json").read_text())
    assert saved["results"]["adding-T15"]["lstm"]["median"] == lstm["median"]
    for key in ("seeds", "wall_seconds", "train_seconds", "training_choices", "runs"):
        assert key in saved


def test_quick_mode_writes_figures_and_model(quick_run):
    out, _ = quick_run
    for name in ("solved-vs-lag.png", "gradient-flow.png", "lstm-gates.png"):
        assert (out / name).stat().st_size > 10_000
    assert (out / "model" / "model.safetensors").exists()
    assert (out / "model" / "config.json").exists()


def test_models_share_one_parameter_budget(quick_run):
    _, metrics = quick_run
    counts = metrics["parameter_counts"]["adding-T15"]
    assert all(abs(c / counts["lstm"] - 1) < 0.03 for c in counts.values())
    for task in ("temporal-order-6b", "embedded-reber"):
        sizes = app.matched_hidden_sizes(task, 32)
        counts = {
            k: sum(p.numel() for p in app._network(k, sizes[k], task).parameters())
            for k in app.MODELS
        }
        assert all(abs(c / counts["lstm"] - 1) < 0.03 for c in counts.values())


def test_gradient_vanishes_through_the_rnn_but_not_the_lstm_at_initialisation():
    torch.manual_seed(0)
    data = adding_problem(64, 200, seed=1, shared_length=True)
    x, y = torch.as_tensor(np.stack(data.X)), torch.as_tensor(data.y).reshape(-1, 1)
    ratios = {}
    for kind, hidden in app.matched_hidden_sizes("adding", 32).items():
        network = app._network(kind, hidden, "adding")
        app.remember_by_default(network, kind, 4.0)
        norms = gradient_norms_per_step(network, x, y)
        assert norms.shape == (x.shape[1],)
        ratios[kind] = norms[0] / norms[-1]  # first step's gradient vs the last's
    assert ratios["rnn"] < 1e-4  # vanished over ~200 steps (measured: ~1e-6)
    assert ratios["lstm"] > 1e-2  # the cell carries it
    assert ratios["gru"] > 1e-2


def test_remember_by_default_sets_the_gate_biases():
    lstm = app._network("lstm", 4, "adding")
    app.remember_by_default(lstm, "lstm", 3.0)
    b = lstm.recurrent.bias_ih_l0 + lstm.recurrent.bias_hh_l0
    assert b[:4].tolist() == [-3.0] * 4 and b[4:8].tolist() == [3.0] * 4
    gru = app._network("gru", 4, "adding")
    app.remember_by_default(gru, "gru", 3.0)
    assert (gru.recurrent.bias_ih_l0 + gru.recurrent.bias_hh_l0)[4:8].tolist() == [3.0] * 4


def test_solved_share_stopping_stops_at_the_threshold_and_restores_the_best():
    def batch(step):
        g = torch.Generator().manual_seed(step)
        x = torch.randn(8, 5, 1, generator=g)
        return x, None, x.sum(1)

    shares = iter([0.2, 0.9, 0.5, 1.0])
    stopper = SolvedShareStopping(lambda net: next(shares), check_every=3, threshold=1.0)
    network = SequenceNetwork(1, 1, hidden_size=4)
    result = fit_online(
        network,
        "regression",
        batch,
        TrainingOptions(num_threads=1),
        max_steps=100,
        callbacks=[stopper],
    )
    assert result.steps == 12 and result.stopped_early and stopper.solved
    assert [s for s, _ in result.history] == [3, 6, 9, 12]
    assert result.sequences == 12 * 8

    shares = iter([0.2, 0.9, 0.5, 0.4])
    stopper = SolvedShareStopping(lambda net: next(shares), check_every=3, threshold=1.0)
    network = SequenceNetwork(1, 1, hidden_size=4)
    result = fit_online(
        network,
        "regression",
        batch,
        TrainingOptions(num_threads=1),
        max_steps=12,
        callbacks=[stopper],
    )
    assert not result.stopped_early and not stopper.solved and stopper.best_step == 6
    best = stopper.best_weights
    assert all(torch.equal(v, network.state_dict()[k]) for k, v in best.items())
