"""Fault catalogue: divergence stops training loudly; a NaN model is never saved.

Issue 12: with a huge learning rate the loss became inf/NaN, the weights NaN, the
forecaster returned NaN and the NaN model saved and reloaded without complaint. Now
every fit checks the loss and the gradient norm before each optimiser step and stops
with a `TrainingDivergedError` (a ValueError) naming the epoch, the iteration and the
likely causes, the network keeping the last finite weights; `save_model` (and so every
estimator's `save`) refuses non-finite weights.
"""

from __future__ import annotations

import lightning as L
import numpy as np
import pytest
import torch

from lstmkit.data import SequenceCollator, SequenceDataset
from lstmkit.nn.network import SequenceNetwork
from lstmkit.training import TrainingDivergedError, TrainingOptions, fit_network, fit_online

# the one-step squared-error Forecaster (its defaults since issue 13 -- an absolute-error
# loss on per-series-scaled values -- keep gradients bounded, so the diverging learning
# rate these tests rely on would not diverge)
SQUARED_ERROR = {"loss": "mse", "scaling": "global", "seasonal_mode": "none", "seasonality": None}

DIVERGING = {"max_epochs": 20, "batch_size": 8, "optimizer": "sgdm", "learning_rate": 10.0,
             "num_threads": 1}  # fmt: skip


def _unscaled_regression():
    rng = np.random.default_rng(0)
    X = [rng.normal(size=(6, 2)).astype(np.float32) * 50 for _ in range(24)]
    y = np.array([[x.sum() * 10] for x in X], dtype=np.float32)
    return SequenceDataset(X, y)


class _Weights(L.Callback):
    """The network's weights after every optimiser step."""

    def __init__(self):
        self.after_step: list[dict[str, torch.Tensor]] = []

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx):
        self.after_step.append({k: v.clone() for k, v in pl_module.network.state_dict().items()})


def test_divergence_stops_training_with_the_last_finite_weights(tmp_path):
    import lstmkit.training.trainer as trainer_module

    watch = _Weights()
    run = trainer_module.run_training
    trainer_module.run_training = lambda *a, **k: run(*a, **{**k, "callbacks": [watch]})
    torch.manual_seed(0)
    network = SequenceNetwork(2, 1, hidden_size=4)
    try:
        with pytest.raises(TrainingDivergedError) as info:
            fit_network(network, "regression", _unscaled_regression(), None,
                        TrainingOptions(**DIVERGING), collate=SequenceCollator(),
                        run_dir=tmp_path / "run")  # fmt: skip
    finally:
        trainer_module.run_training = run
    error = info.value
    assert isinstance(error, ValueError)
    message = str(error)
    assert f"training diverged in epoch {error.epoch}, iteration {error.iteration}" in message
    assert "the learning rate is too high (learning_rate=10)" in message
    assert "gradients are not clipped (set gradient_threshold" in message
    assert "far from unit scale (normalise them)" in message
    assert "keeps the last finite weights" in message and "unfitted" in message
    assert not np.isfinite(error.loss) or not np.isfinite(error.gradient_norm)
    # the iteration that diverged was never applied: the weights are the previous ones
    assert error.iteration == len(watch.after_step) + 1
    for name, value in network.state_dict().items():
        assert torch.isfinite(value).all(), name
        assert torch.equal(value, watch.after_step[-1][name]), name
    # the checkpoint of the last finished epoch is intact, finite and resumable
    saved = torch.load(tmp_path / "run/checkpoints/last.ckpt", weights_only=True)
    assert all(torch.isfinite(v).all() for v in saved["state_dict"].values())


def test_divergence_with_clipping_names_no_clipping_advice():
    torch.manual_seed(0)
    network = SequenceNetwork(1, 1, hidden_size=4)

    def batch(step):
        x = torch.full((4, 3, 1), float("inf")) if step == 2 else torch.randn(4, 3, 1)
        return x, None, x.sum(1)

    options = TrainingOptions(gradient_threshold=1.0, num_threads=1)
    pattern = r"epoch 1, iteration 3: the loss is (nan|inf)"
    with pytest.raises(TrainingDivergedError, match=pattern) as info:
        fit_online(network, "regression", batch, options, max_steps=10)
    assert "gradient_threshold" not in str(info.value)
    assert all(torch.isfinite(p).all() for p in network.parameters())


def test_a_diverging_estimator_raises_instead_of_forecasting_nan():
    from lstmkit.tasks import Forecaster

    t = np.arange(120, dtype=np.float32)
    options = TrainingOptions(**DIVERGING | {"learning_rate": 1e4})
    model = Forecaster(hidden_size=8, normalization=None, **SQUARED_ERROR, training_options=options)
    with pytest.raises(TrainingDivergedError, match="training diverged"):
        model.fit(100 * np.sin(t / 5) + t)


def test_a_model_with_nan_weights_is_not_saved(tmp_path):
    from lstmkit.tasks import SequenceClassifier

    rng = np.random.default_rng(0)
    X = [rng.normal(size=(5, 2)).astype(np.float32) for _ in range(20)]
    y = np.array([int(x[:, 0].sum() > 0) for x in X])
    model = SequenceClassifier(hidden_size=4, training_options=TrainingOptions(max_epochs=1))
    model.fit(X, y)
    with torch.no_grad():
        model.network_.head.weight[0, 0] = float("nan")
    with pytest.raises(ValueError, match=r"state_dict\['head.weight'\] must hold finite values"):
        model.save(tmp_path / "model")
    assert not (tmp_path / "model").exists()
