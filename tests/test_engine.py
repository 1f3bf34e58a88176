"""The fit engine: every fit writes the same run folder; threads, quiet logs, fresh logs."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest
import torch

from lstmkit.data import SequenceCollator, SequenceDataset
from lstmkit.nn.language_model import LanguageModelNetwork
from lstmkit.nn.network import SequenceNetwork
from lstmkit.training import (
    TrainingOptions,
    fit_language_model,
    fit_network,
    fit_online,
    gradient_norms_per_step,
    quiet_lightning,
    torch_threads,
)

RUN_FILES = {
    "training-progress.csv",
    "training-progress.png",
    "checkpoints/last.ckpt",
    "lightning/metrics.csv",
}


def _files(folder) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def _options(**values) -> TrainingOptions:
    return TrainingOptions(**({"max_epochs": 2, "batch_size": 8, "seed": 0, "num_threads": 1}
                              | values))  # fmt: skip


def _batch(step: int):
    x = torch.randn(8, 5, 1, generator=torch.Generator().manual_seed(step))
    return x, None, x.sum(1)


def _columns(metric: str) -> list[str]:
    return ["step", "epoch", "train_loss", f"train_{metric}", "val_loss", f"val_{metric}", "lr"]


def test_the_three_fits_write_the_same_run_folder(tmp_path):
    rng = np.random.default_rng(0)
    X = [rng.normal(size=(6, 2)).astype(np.float32) for _ in range(24)]
    y = np.array([int(x[:, 0].sum() > 0) for x in X])
    network = fit_network(
        SequenceNetwork(2, 2, hidden_size=4), "classification", SequenceDataset(X, y),
        SequenceDataset(X[:8], y[:8]), _options(), collate=SequenceCollator(),
        run_dir=tmp_path / "network",
    )  # fmt: skip
    text = fit_language_model(
        LanguageModelNetwork(10, 4, 4), np.tile(np.arange(10), 20), np.arange(30) % 10, _options(),
        bptt=5, run_dir=tmp_path / "language-model",
    )  # fmt: skip
    online = fit_online(
        SequenceNetwork(1, 1, hidden_size=4), "regression", _batch, _options(), max_steps=6,
        run_dir=tmp_path / "online",
    )  # fmt: skip
    for result, metric in ((network, "accuracy"), (text, "perplexity"), (online, "rmse")):
        assert _files(result.run_dir) == RUN_FILES, result.run_dir
        csv = pd.read_csv(result.run_dir / "training-progress.csv")
        assert list(csv.columns) == _columns(metric)
    assert len(online.progress) == online.steps == 6
    assert online.progress["train_rmse"].notna().all()


def test_online_fits_write_nothing_unless_asked(tmp_path):
    result = fit_online(SequenceNetwork(1, 1, hidden_size=4), "regression", _batch, _options(),
                        max_steps=3)  # fmt: skip
    assert result.run_dir is None and result.progress is None and result.steps == 3
    logged = fit_online(
        SequenceNetwork(1, 1, hidden_size=4), "regression", _batch,
        _options(log_dir=str(tmp_path / "from-options")), max_steps=3,
    )  # fmt: skip
    assert logged.run_dir == tmp_path / "from-options"
    assert _files(logged.run_dir) == RUN_FILES


def test_a_run_folder_can_be_written_to_again_and_the_log_starts_afresh(tmp_path):
    for steps in (5, 3):
        result = fit_online(SequenceNetwork(1, 1, hidden_size=4), "regression", _batch,
                            _options(), max_steps=steps, run_dir=tmp_path / "again")  # fmt: skip
        assert result.progress["step"].tolist() == list(range(1, steps + 1))


def test_same_seed_same_online_weights_with_or_without_a_run_folder(tmp_path):
    torch.manual_seed(1)
    a = SequenceNetwork(1, 1, hidden_size=4)
    b = SequenceNetwork(1, 1, hidden_size=4)
    b.load_state_dict(a.state_dict())
    fit_online(a, "regression", _batch, _options(), max_steps=5)
    fit_online(b, "regression", _batch, _options(), max_steps=5, run_dir=tmp_path / "b")
    for (name, p), q in zip(a.state_dict().items(), b.state_dict().values(), strict=True):
        assert torch.equal(p, q), name


def test_threads_and_lightning_logging_are_restored():
    before = torch.get_num_threads()
    with pytest.raises(RuntimeError), torch_threads(1):
        assert torch.get_num_threads() == 1
        raise RuntimeError("training failed")
    assert torch.get_num_threads() == before
    logger = logging.getLogger("lightning.pytorch")
    level = logger.level
    with quiet_lightning(False):
        assert logger.level == logging.WARNING
    with quiet_lightning(True):
        assert logger.level == level
    assert logger.level == level


def test_gradient_norms_per_step_is_the_input_gradient_of_the_loss():
    torch.manual_seed(0)
    network = SequenceNetwork(2, 1, layer="gru", hidden_size=6)
    x, y = torch.randn(5, 12, 2), torch.randn(5, 1)
    norms = gradient_norms_per_step(network, x, y)
    leaf = x.clone().requires_grad_(True)
    torch.nn.functional.mse_loss(network(leaf), y).backward()
    expected = leaf.grad.norm(dim=-1).mean(0).numpy()
    assert norms.shape == (12,) and not network.training
    np.testing.assert_array_equal(norms, expected)
    with pytest.raises(ValueError, match=r"x must be a \(B, T, F\) tensor"):
        gradient_norms_per_step(network, x[0], y)
