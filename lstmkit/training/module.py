"""The LightningModule that trains a :class:`~lstmkit.nn.network.SequenceNetwork`.

One module serves every task; the task only decides the loss, the metric and which
steps count (padded steps never enter a loss).
"""

from __future__ import annotations

from typing import Any

import lightning as L
import torch
import torch.nn.functional as F
from torch import nn

from lstmkit.data import IGNORE_INDEX  # padded per-step class targets; the loss skips them
from lstmkit.training.options import TrainingOptions

TASKS = ("classification", "tagging", "regression", "sequence-regression")


def task_metric(task: str) -> str:
    """The metric shown next to the loss: accuracy for labels, RMSE for values.

    Args:
        task: one of :data:`TASKS`.

    Returns:
        ``"accuracy"`` or ``"rmse"``.

    Example:
        >>> from lstmkit.training import task_metric
        >>> task_metric("tagging"), task_metric("sequence-regression")
        ('accuracy', 'rmse')
    """
    return "accuracy" if task in ("classification", "tagging") else "rmse"


class SequenceModule(L.LightningModule):
    """Loss, metric and optimiser around a network, for Lightning's Trainer.

    Args:
        network: maps ``(x, lengths)`` to outputs (B, O) or (B, T, O).
        task: ``"classification"``, ``"tagging"`` (a label per step),
            ``"regression"`` (values per sequence) or ``"sequence-regression"``
            (values per step; forecasting uses this).
        options: the :class:`TrainingOptions`.
        class_weights: optional per-class loss weights (imbalanced classes).

    Returns:
        A ``LightningModule``; the trained network is ``module.network``.

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
        task: str,
        options: TrainingOptions,
        class_weights: torch.Tensor | None = None,
    ) -> None:
        super().__init__()
        if task not in TASKS:
            raise ValueError(f"task must be one of {TASKS}; received {task!r}")
        self.network = network
        self.task = task
        self.options = options
        self.metric_name = task_metric(task)
        self.register_buffer(
            "class_weights", None if class_weights is None else class_weights.float()
        )

    def forward(self, x: torch.Tensor, lengths: torch.Tensor | None = None) -> torch.Tensor:
        return self.network(x, lengths)

    def _loss_and_metric(self, batch) -> tuple[torch.Tensor, torch.Tensor, int]:
        """Loss, metric and the number of targets that count in this batch."""
        x, lengths, y = batch
        out = self.network(x, lengths)
        if self.task == "classification":
            loss = F.cross_entropy(out, y, weight=self.class_weights)
            metric = (out.argmax(-1) == y).float().mean()
            return loss, metric, y.numel()
        if self.task == "tagging":
            flat_out, flat_y = out.reshape(-1, out.shape[-1]), y.reshape(-1)
            loss = F.cross_entropy(
                flat_out, flat_y, weight=self.class_weights, ignore_index=IGNORE_INDEX
            )
            valid = flat_y != IGNORE_INDEX
            metric = (flat_out.argmax(-1)[valid] == flat_y[valid]).float().mean()
            return loss, metric, int(valid.sum())
        if self.task == "regression":
            mse = F.mse_loss(out, y)
            return mse, mse.detach().sqrt(), y.shape[0]
        # sequence-regression: padded steps hold NaN targets and are left out
        valid = ~torch.isnan(y)
        mse = F.mse_loss(out[valid], y[valid])
        return mse, mse.detach().sqrt(), int(valid.sum())

    def training_step(self, batch, batch_idx: int) -> torch.Tensor:
        loss, metric, count = self._loss_and_metric(batch)
        self.log("train_loss", loss, on_step=True, on_epoch=False, batch_size=count)
        self.log(f"train_{self.metric_name}", metric, on_step=True, on_epoch=False,
                 batch_size=count)  # fmt: skip
        self.log("lr", self.optimizers().param_groups[0]["lr"], on_step=True, on_epoch=False)
        return loss

    def validation_step(self, batch, batch_idx: int) -> None:
        loss, metric, count = self._loss_and_metric(batch)
        # RMSE over the whole validation set is the root of the mean squared error,
        # so log the MSE and take the root when the epoch's mean is known.
        value = metric.square() if self.metric_name == "rmse" else metric
        self.log("val_loss", loss, on_epoch=True, batch_size=count, sync_dist=True)
        self.log(f"_val_{self.metric_name}_agg", value, on_epoch=True, batch_size=count,
                 sync_dist=True, prog_bar=False, logger=False)  # fmt: skip

    def on_validation_epoch_end(self) -> None:
        key = f"_val_{self.metric_name}_agg"
        value = self.trainer.callback_metrics.get(key)
        if value is not None:
            value = value.sqrt() if self.metric_name == "rmse" else value
            self.log(f"val_{self.metric_name}", value, sync_dist=False)

    def configure_optimizers(self):
        optimizer = build_optimizer(self.network.parameters(), self.options)
        return optimizer_config(optimizer, self.options)


def build_optimizer(parameters: Any, options: TrainingOptions) -> torch.optim.Optimizer:
    """The optimizer ``options.optimizer`` names, with its learning rate, L2 weight decay
    and (sgdm) momentum."""
    decay = options.l2_regularization
    if options.optimizer == "adam":
        return torch.optim.Adam(parameters, lr=options.learning_rate, weight_decay=decay)
    if options.optimizer == "adamw":
        return torch.optim.AdamW(parameters, lr=options.learning_rate, weight_decay=decay)
    if options.optimizer == "rmsprop":
        return torch.optim.RMSprop(parameters, lr=options.learning_rate, weight_decay=decay)
    return torch.optim.SGD(  # sgdm
        parameters, lr=options.learning_rate, momentum=options.momentum, weight_decay=decay
    )


def optimizer_config(
    optimizer: torch.optim.Optimizer, options: TrainingOptions, *, cosine_steps: int | None = None
) -> Any:
    """What a LightningModule's ``configure_optimizers`` returns for ``options.lr_schedule``.

    Cosine decay runs per epoch over ``max_epochs``, or per optimiser step over
    ``cosine_steps`` when given.
    """
    if options.lr_schedule == "none":
        return optimizer
    if options.lr_schedule == "piecewise":
        scheduler = torch.optim.lr_scheduler.StepLR(
            optimizer, step_size=options.lr_drop_period, gamma=options.lr_drop_factor
        )
    elif options.lr_schedule == "cosine":
        period = options.max_epochs if cosine_steps is None else cosine_steps
        scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, period)
        if cosine_steps is not None:
            return {"optimizer": optimizer,
                    "lr_scheduler": {"scheduler": scheduler, "interval": "step"}}  # fmt: skip
    else:  # plateau: needs a validation loss to watch
        scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(
            optimizer, factor=options.lr_drop_factor, patience=options.lr_patience
        )
        return {
            "optimizer": optimizer,
            "lr_scheduler": {"scheduler": scheduler, "monitor": "val_loss", "strict": True},
        }
    return {"optimizer": optimizer, "lr_scheduler": {"scheduler": scheduler}}
