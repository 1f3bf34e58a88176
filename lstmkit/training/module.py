"""The LightningModule that trains a :class:`~lstmkit.nn.network.SequenceNetwork`.

One module serves every objective; the :class:`~lstmkit.training.objectives.Objective`
decides the loss, the metric and which steps count (padded steps never enter a loss).
"""

from __future__ import annotations

import lightning as L
import torch
from torch import nn

from lstmkit.training.objectives import Objective, get_objective
from lstmkit.training.optimizers import build_optimizer, optimizer_config
from lstmkit.training.options import TrainingOptions


class SequenceModule(L.LightningModule):
    """Loss, metric and optimiser around a network, for Lightning's Trainer.

    Args:
        network: maps ``(x, lengths)`` to outputs (B, O) or (B, T, O).
        objective: an :class:`~lstmkit.training.Objective` or a registered name:
            ``"classification"``, ``"tagging"`` (a label per step), ``"regression"``
            (values per sequence), ``"sequence-regression"`` (values per step;
            forecasting uses this) or one added with
            :func:`~lstmkit.training.register_objective`.
        options: the :class:`TrainingOptions`.
        class_weights: optional per-class loss weights (imbalanced classes), for an
            objective that takes them.

    Returns:
        A ``LightningModule``; the trained network is ``module.network``, and
        ``last_loss`` the loss of the latest training step.

    Example:
        >>> from lstmkit.nn.network import SequenceNetwork
        >>> from lstmkit.training import SequenceModule, TrainingOptions
        >>> module = SequenceModule(SequenceNetwork(3, 2), "classification", TrainingOptions())
        >>> module.metric_name
        'accuracy'
    """

    def __init__(
        self,
        network: nn.Module,
        objective: str | Objective,
        options: TrainingOptions,
        class_weights: torch.Tensor | None = None,
    ) -> None:
        super().__init__()
        self.objective = get_objective(objective)
        if class_weights is not None and not self.objective.class_weights:
            raise ValueError(
                f"class_weights must be None for objective {self.objective.name!r} (its loss "
                f"takes no per-class weights); received a tensor of shape "
                f"{tuple(class_weights.shape)}"
            )
        self.network = network
        self.options = options
        self.metric_name = self.objective.metric.name
        self.last_loss: torch.Tensor | None = None
        self.register_buffer(
            "class_weights", None if class_weights is None else class_weights.float()
        )

    def forward(self, x: torch.Tensor, lengths: torch.Tensor | None = None) -> torch.Tensor:
        return self.network(x, lengths)

    def _loss_and_metric(self, batch) -> tuple[torch.Tensor, torch.Tensor, int]:
        """Loss, metric and the number of targets that count in this batch."""
        x, lengths, y = batch
        return self.objective.evaluate(self.network(x, lengths), y, self.class_weights)

    def training_step(self, batch, batch_idx: int) -> torch.Tensor:
        loss, metric, count = self._loss_and_metric(batch)
        self.last_loss = loss.detach()  # checked for NaN/inf before the step (DivergenceGuard)
        self.log("train_loss", loss, on_step=True, on_epoch=False, batch_size=count)
        self.log(f"train_{self.metric_name}", metric, on_step=True, on_epoch=False,
                 batch_size=count)  # fmt: skip
        self.log("lr", self.optimizers().param_groups[0]["lr"], on_step=True, on_epoch=False)
        return loss

    def validation_step(self, batch, batch_idx: int) -> None:
        loss, metric, count = self._loss_and_metric(batch)
        # Lightning averages what is logged, weighted by count; the metric says what to
        # average (RMSE: the squared errors, rooted when the epoch's mean is known).
        value = self.objective.metric.to_mean(metric, loss)
        self.log("val_loss", loss, on_epoch=True, batch_size=count, sync_dist=True)
        self.log(f"_val_{self.metric_name}_agg", value, on_epoch=True, batch_size=count,
                 sync_dist=True, prog_bar=False, logger=False)  # fmt: skip

    def on_validation_epoch_end(self) -> None:
        value = self.trainer.callback_metrics.get(f"_val_{self.metric_name}_agg")
        if value is not None:
            self.log(f"val_{self.metric_name}", self.objective.metric.from_mean(value),
                     sync_dist=False)  # fmt: skip

    def configure_optimizers(self):
        optimizer = build_optimizer(self.network.parameters(), self.options)
        return optimizer_config(optimizer, self.options)
