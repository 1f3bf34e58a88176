"""The LightningModule of :func:`~lstmkit.training.fit_language_model`: stateful
truncated BPTT (the LSTM state carried from one window of the text to the next).

The carried state and the throughput counters go into checkpoints, so training resumed
from a checkpoint written mid-epoch continues with the state it had.
"""

from __future__ import annotations

import time
from typing import Any

import lightning as L
import torch
from torch import nn

from lstmkit.training.objectives import get_objective
from lstmkit.training.optimizers import build_optimizer, optimizer_config
from lstmkit.training.options import TrainingOptions

__all__ = ["LanguageModelModule"]

#: Where a checkpoint keeps the module's carried state and counters.
STATE_KEY = "lstmkit_language_model"


def _detach(state: Any) -> Any:
    """Cut the graph behind a carried state (truncated BPTT), keeping its values."""
    if isinstance(state, tuple | list):
        return type(state)(_detach(s) for s in state)
    return state.detach()


class LanguageModelModule(L.LightningModule):
    """Stateful truncated-BPTT training of a language model network.

    Args:
        network: maps ``(tokens, state)`` to ``(hidden, state)`` and has
            ``loss(hidden, targets, reduction)``.
        options: the :class:`TrainingOptions` (optimiser, learning rate, schedule).
            ``lr_schedule="cosine"`` decays the rate every iteration, to zero at the
            last one (a language model often trains for only a few long epochs).

    Returns:
        A ``LightningModule``; ``train_tokens`` and ``train_seconds`` count the
        tokens trained on and the time spent in training steps (validation excluded),
        ``last_loss`` is the loss of the latest training step.

    Example:
        >>> from lstmkit.nn.language_model import LanguageModelNetwork
        >>> from lstmkit.training import LanguageModelModule, TrainingOptions
        >>> module = LanguageModelModule(LanguageModelNetwork(30, 8, 8), TrainingOptions())
        >>> module.train_tokens
        0
    """

    def __init__(self, network: nn.Module, options: TrainingOptions) -> None:
        super().__init__()
        self.network = network
        self.options = options
        # The network computes its own loss (an adaptive softmax needs its decoder); the
        # objective names the metric and how it combines: perplexity = exp(mean loss).
        self.metric = get_objective("language-modelling").metric
        self.metric_name = self.metric.name
        self._train_state: Any = None
        self._val_state: Any = None
        self._val_nll = 0.0
        self._val_count = 0
        self.train_tokens = 0
        self.train_seconds = 0.0
        self._batch_start = 0.0
        self.last_loss: torch.Tensor | None = None

    # ----------------------------------------------------------------- training
    def on_train_epoch_start(self) -> None:
        self._train_state = None  # every epoch reads the streams from their start

    def on_train_batch_start(self, batch: Any, batch_idx: int) -> None:
        self._batch_start = time.perf_counter()

    def training_step(self, batch, batch_idx: int) -> torch.Tensor:
        x, y = batch
        hidden, state = self.network(x, self._train_state)
        self._train_state = _detach(state)
        loss = self.network.loss(hidden, y)
        self.last_loss = loss.detach()  # checked for NaN/inf before the step (DivergenceGuard)
        count = y.numel()
        self.log("train_loss", loss, on_step=True, on_epoch=False, batch_size=count)
        self.log(f"train_{self.metric_name}", self.metric.compute(hidden, y, loss),
                 on_step=True, on_epoch=False, batch_size=count)  # fmt: skip
        self.log("lr", self.optimizers().param_groups[0]["lr"], on_step=True, on_epoch=False)
        self.train_tokens += count
        return loss

    def on_train_batch_end(self, outputs: Any, batch: Any, batch_idx: int) -> None:
        self.train_seconds += time.perf_counter() - self._batch_start

    # --------------------------------------------------------------- validation
    def on_validation_epoch_start(self) -> None:
        self._val_state, self._val_nll, self._val_count = None, 0.0, 0

    def validation_step(self, batch, batch_idx: int) -> None:
        x, y = batch
        hidden, self._val_state = self.network(x, self._val_state)
        self._val_nll += float(self.network.loss(hidden, y, reduction="sum"))
        self._val_count += y.numel()

    def on_validation_epoch_end(self) -> None:
        if self._val_count == 0:
            return
        loss = self._val_nll / self._val_count  # mean over every validation token
        self.log("val_loss", loss)
        self.log(f"val_{self.metric_name}", self.metric.from_mean(loss))

    # -------------------------------------------------------------- checkpoints
    def on_save_checkpoint(self, checkpoint: dict[str, Any]) -> None:
        checkpoint[STATE_KEY] = {
            "train_state": self._train_state,
            "train_tokens": self.train_tokens,
            "train_seconds": self.train_seconds,
        }

    def on_load_checkpoint(self, checkpoint: dict[str, Any]) -> None:
        saved = checkpoint.get(STATE_KEY)
        if saved is not None:
            self._train_state = saved["train_state"]
            self.train_tokens = int(saved["train_tokens"])
            self.train_seconds = float(saved["train_seconds"])

    # ---------------------------------------------------------------- optimiser
    def configure_optimizers(self):
        # Language models decay the rate per step over the whole run (epochs are few
        # and long), not per epoch as SequenceModule does.
        steps = None
        if self.options.lr_schedule == "cosine":
            steps = max(1, int(self.trainer.estimated_stepping_batches))
        optimizer = build_optimizer(self.network.parameters(), self.options)
        return optimizer_config(optimizer, self.options, cosine_steps=steps)
