"""Fault catalogue: ``shuffle="every-epoch"`` must draw a new batch order every epoch.

Found in issue 12, fixed in issue 13: Lightning tells a loader the epoch by calling
``set_epoch`` on ``loader.sampler`` and ``loader.batch_sampler.sampler`` -- never on the
batch sampler itself -- so lstmkit's length-bucketed batch sampler never heard it, and
every epoch repeated the first epoch's order (the same as ``shuffle="once"``).
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from lstmkit.data import SequenceCollator, SequenceDataset
from lstmkit.training import TrainingOptions, fit_network


class _RecordingNetwork(torch.nn.Module):
    """Logits from the mean input; remembers which sequences each training batch held."""

    def __init__(self) -> None:
        super().__init__()
        self.head = torch.nn.Linear(1, 2)
        self.batches: list[tuple[int, ...]] = []

    def forward(self, x: torch.Tensor, lengths: torch.Tensor | None = None) -> torch.Tensor:
        if self.training:
            self.batches.append(tuple(int(v) for v in x[:, 0, 0]))  # step 0 holds the index
        return self.head(x.mean(dim=1))


def _epochs(shuffle: str, epochs: int = 3, n: int = 24, batch: int = 4) -> list[list[tuple]]:
    X = [np.full((3, 1), i, dtype=np.float32) for i in range(n)]
    y = np.arange(n) % 2
    network = _RecordingNetwork()
    options = TrainingOptions(max_epochs=epochs, batch_size=batch, shuffle=shuffle, seed=3)
    fit_network(network, "classification", SequenceDataset(X, y), None, options,
                collate=SequenceCollator())  # fmt: skip
    per_epoch = n // batch
    return [network.batches[e * per_epoch : (e + 1) * per_epoch] for e in range(epochs)]


def test_every_epoch_draws_a_new_order_and_once_keeps_one():
    every = _epochs("every-epoch")
    assert every[0] != every[1] and every[1] != every[2]
    for epoch in every:  # still every sequence exactly once per epoch
        assert sorted(i for batch in epoch for i in batch) == list(range(24))
    once = _epochs("once")
    assert once[0] == once[1] == once[2]
    assert once[0] == every[0]  # the first epoch is the same draw either way


@pytest.mark.parametrize("shuffle", ["every-epoch", "once", "never"])
def test_the_same_seed_gives_the_same_orders(shuffle):
    assert _epochs(shuffle) == _epochs(shuffle)
