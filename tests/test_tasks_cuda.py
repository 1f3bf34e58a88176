"""The estimators on a GPU: fit with ``accelerator="gpu"``, predict, save, load on the CPU.

Skipped where torch sees no CUDA device (CI). On a GPU machine:
``pytest tests/test_tasks_cuda.py``.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from lstmkit.tasks import Forecaster, SequenceClassifier, load
from lstmkit.training import TrainingOptions

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")


def _toy(n=64, seed=0):
    rng = np.random.default_rng(seed)
    y = np.array(["neg", "pos"] * (n // 2))
    X = [rng.normal(size=(rng.integers(5, 30), 3)) + (0.7 if c == "pos" else -0.7) for c in y]
    return X, y


@pytest.mark.parametrize("layer", ["lstm", "bilstm", "gru"])
def test_classifier_trains_on_the_gpu_and_its_saved_model_runs_on_the_cpu(layer, tmp_path):
    X, y = _toy()
    options = TrainingOptions(max_epochs=15, batch_size=16, learning_rate=1e-2, seed=0,
                              accelerator="gpu", devices=1)  # fmt: skip
    clf = SequenceClassifier(layer=layer, hidden_size=16, training_options=options,
                             validation_fraction=0, run_dir=str(tmp_path / "run"))  # fmt: skip
    clf.fit(X, y)
    assert clf.score(X, y) > 0.9
    probabilities = clf.predict_proba(X)
    clf.save(tmp_path / "model")
    again = load(tmp_path / "model")
    assert next(again.network_.parameters()).device.type == "cpu"
    np.testing.assert_allclose(again.predict_proba(X), probabilities, atol=1e-5)


def test_forecaster_trains_on_the_gpu():
    t = np.arange(400, dtype=np.float32)
    series = np.sin(2 * np.pi * t / 25)[:, None]
    options = TrainingOptions(max_epochs=20, batch_size=16, learning_rate=1e-2, seed=0,
                              accelerator="gpu", devices=1)  # fmt: skip
    model = Forecaster(hidden_size=16, training_options=options).fit(series[:350])
    forecast = model.forecast(series[:350], steps=10)[:, 0]
    assert np.sqrt(np.mean((forecast - series[350:360, 0]) ** 2)) < 0.3
