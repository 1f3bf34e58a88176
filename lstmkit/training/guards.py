"""Stop training the moment it diverges, with the last finite weights kept.

With a learning rate that is too high (or no gradient clipping, or inputs far from
unit scale) the loss of a recurrent network can overflow to inf and then NaN; every
weight becomes NaN a step later, and the model then predicts NaN forever. The
:class:`DivergenceGuard` checks the loss and the gradient norm of every iteration
*before* the optimiser applies it, so when it stops training the network still holds
the weights of the previous iteration, all finite.
"""

from __future__ import annotations

import math
from typing import Any

import lightning as L
import torch

from lstmkit.training.options import TrainingOptions

__all__ = ["DivergenceGuard", "TrainingDivergedError"]


class TrainingDivergedError(ValueError):
    """Training produced a non-finite loss or gradient and was stopped.

    The network keeps the last finite weights (those before the iteration that
    diverged) unless the message says otherwise; retrain with a lower learning rate,
    gradient clipping or normalised data rather than using it.

    Args:
        message: what diverged, where, the likely causes and the state of the weights.
        epoch: the epoch (counted from 1) in which it happened.
        iteration: the iteration (counted from 1, as in the training history).
        loss: the iteration's loss (nan/inf, or a finite value when the gradient was not).
        gradient_norm: the global L2 norm of the iteration's gradients.
        weights_finite: whether the network's weights are finite after restoring.

    Returns:
        The exception (a ``ValueError``).

    Example:
        >>> from lstmkit.training import TrainingDivergedError
        >>> error = TrainingDivergedError("diverged", epoch=2, iteration=7,
        ...                               loss=float("nan"), gradient_norm=float("nan"))
        >>> error.iteration, isinstance(error, ValueError)
        (7, True)
    """

    def __init__(
        self,
        message: str,
        *,
        epoch: int,
        iteration: int,
        loss: float | None,
        gradient_norm: float,
        weights_finite: bool = True,
    ) -> None:
        super().__init__(message)
        self.epoch = epoch
        self.iteration = iteration
        self.loss = loss
        self.gradient_norm = gradient_norm
        self.weights_finite = weights_finite


def _finite(module: torch.nn.Module) -> bool:
    return all(bool(torch.isfinite(p).all()) for p in module.parameters())


class DivergenceGuard(L.Callback):
    """Raise :class:`TrainingDivergedError` on a non-finite loss or gradient norm.

    Checked before each optimiser step (after backward, before gradient clipping);
    the weights are then still those of the previous step. The loss is the one the
    training module records as ``last_loss`` (lstmkit's modules do), the gradient norm
    the global L2 norm over all parameters.

    Args:
        options: the :class:`TrainingOptions` (named in the message's advice).

    Returns:
        A Lightning callback (:func:`~lstmkit.training.run_training` adds it to every fit).

    Example:
        >>> from lstmkit.training import TrainingOptions
        >>> from lstmkit.training.guards import DivergenceGuard
        >>> DivergenceGuard(TrainingOptions()).options.learning_rate
        0.001
    """

    def __init__(self, options: TrainingOptions) -> None:
        self.options = options

    def on_before_optimizer_step(
        self, trainer: L.Trainer, pl_module: L.LightningModule, optimizer: Any
    ) -> None:
        grads = [p.grad.detach() for p in pl_module.parameters() if p.grad is not None]
        norm = 0.0
        if grads:
            norms = torch.stack([torch.linalg.vector_norm(g.float()) for g in grads])
            norm = float(torch.linalg.vector_norm(norms))
        loss = getattr(pl_module, "last_loss", None)
        loss = None if loss is None else float(loss)
        if math.isfinite(norm) and (loss is None or math.isfinite(loss)):
            return
        raise self._error(trainer, pl_module, loss, norm)

    def _error(
        self, trainer: L.Trainer, module: L.LightningModule, loss: float | None, norm: float
    ) -> TrainingDivergedError:
        epoch, iteration = trainer.current_epoch + 1, trainer.global_step + 1
        what = (
            f"the loss is {loss}"
            if loss is not None and not math.isfinite(loss)
            else f"the gradient norm is {norm} (loss {loss})"
        )
        opts = self.options
        causes = [f"the learning rate is too high (learning_rate={opts.learning_rate:g})"]
        if opts.gradient_threshold is None:
            causes.append("gradients are not clipped (set gradient_threshold, e.g. 1.0)")
        causes.append(
            "inputs or targets are far from unit scale (normalise them) or hold NaN/inf values"
        )
        network = getattr(module, "network", module)
        finite = _finite(network)
        if finite:
            state = (
                f"the network keeps the last finite weights (those after iteration "
                f"{iteration - 1}); the fit did not finish, so treat the model as unfitted "
                f"and retrain"
            )
        else:
            state = (
                "the network's weights are no longer finite (they overflowed in the "
                "previous iteration): the model is unusable, retrain it"
            )
        message = (
            f"training diverged in epoch {epoch}, iteration {iteration}: {what}. Likely "
            f"causes: {'; '.join(causes)}. Training was stopped; {state}"
        )
        return TrainingDivergedError(
            message,
            epoch=epoch,
            iteration=iteration,
            loss=loss,
            gradient_norm=norm,
            weights_finite=finite,
        )
