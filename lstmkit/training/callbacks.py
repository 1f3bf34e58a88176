"""Callbacks that Lightning does not ship: keep the best validation weights."""

from __future__ import annotations

import copy
import math
from typing import Any

import lightning as L


class BestValidationWeights(L.Callback):
    """Remember the network's weights at the lowest validation loss seen.

    MATLAB's ``OutputNetwork="best-validation"``: after training, the estimator puts
    these weights back. They are kept in memory and also go into Lightning's
    checkpoints (``state_dict``), so a resumed run still knows its best so far.

    Args:
        (none) — add it to a Lightning Trainer's callbacks; :func:`fit_network` does.

    Returns:
        A callback whose ``best_weights``, ``best_loss``, ``best_epoch`` and
        ``best_step`` describe the best validation seen.

    Example:
        >>> from lstmkit.training import BestValidationWeights
        >>> BestValidationWeights().best_weights is None
        True
    """

    def __init__(self) -> None:
        self.best_loss = math.inf
        self.best_epoch: int | None = None
        self.best_step: int | None = None
        self.best_weights: dict | None = None

    def on_validation_end(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        if trainer.sanity_checking:
            return
        loss = trainer.callback_metrics.get("val_loss")
        if loss is None or not float(loss) < self.best_loss:
            return
        self.best_loss = float(loss)
        self.best_epoch = trainer.current_epoch
        self.best_step = trainer.global_step
        self.best_weights = copy.deepcopy(pl_module.network.state_dict())

    def state_dict(self) -> dict[str, Any]:
        return {
            "best_loss": self.best_loss,
            "best_epoch": self.best_epoch,
            "best_step": self.best_step,
            "best_weights": self.best_weights,
        }

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        self.best_loss = state_dict["best_loss"]
        self.best_epoch = state_dict["best_epoch"]
        self.best_step = state_dict["best_step"]
        self.best_weights = state_dict["best_weights"]
