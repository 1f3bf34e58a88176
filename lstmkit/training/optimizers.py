"""The optimiser and learning-rate schedule that :class:`TrainingOptions` name.

Both training modules (:class:`~lstmkit.training.SequenceModule` and
:class:`~lstmkit.training.LanguageModelModule`) return what
:func:`optimizer_config` builds from their ``configure_optimizers``.
"""

from __future__ import annotations

from typing import Any

import torch

from lstmkit.training.options import TrainingOptions

__all__ = ["build_optimizer", "optimizer_config"]


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
