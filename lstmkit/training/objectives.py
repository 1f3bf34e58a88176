"""Objectives: what a network is trained to do, as one object the fit engine reads.

An :class:`Objective` carries everything that differs between "label each sequence",
"label each step", "predict values" and "predict the next token": the loss, the metric
shown next to it (computed per batch and combined over an epoch), the targets the
:class:`~lstmkit.data.SequenceCollator` must produce (``target_kind``) and the output the
:class:`~lstmkit.nn.network.SequenceNetwork` must give (``output_mode``). The training
module never asks *which* task it runs; it asks the objective.

Objectives live in a registry under their names, so a new one (a different loss, a
reinforcement-learning target) is added with :func:`register_objective` from anywhere,
without editing this file::

    register_objective(Objective("mae-regression", loss=mae, metric=Metric("mae", ...),
                                 target_kind="sequence", output_mode="last"))
    fit_network(network, "mae-regression", ...)

Padded steps never count: per-step class targets hold :data:`~lstmkit.data.IGNORE_INDEX`
there (the cross-entropy skips it), per-step values NaN (left out before the loss).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from lstmkit._checks import check_bool, check_choice, describe
from lstmkit.data import IGNORE_INDEX

__all__ = [
    "Metric",
    "Objective",
    "balanced_class_weights",
    "get_objective",
    "objective_names",
    "register_objective",
    "unregister_objective",
]

Tensor = torch.Tensor
TARGET_KINDS = ("sequence", "step")  # SequenceCollator's target kinds that carry targets
OUTPUT_MODES = ("last", "sequence")  # SequenceNetwork's output modes
AGGREGATES = ("mean", "rms", "exp")


@dataclass(frozen=True)
class Metric:
    """A metric shown next to the loss: its name, its value per batch, its epoch value.

    Args:
        name: the name in the training history (``train_<name>``, ``val_<name>``) and on
            the progress plot, e.g. ``"accuracy"``, ``"rmse"``, ``"perplexity"``.
        compute: ``(outputs, targets, loss) -> value`` of one batch (a scalar tensor);
            it gets what the objective's ``prepare`` returned, and the batch's loss.
        aggregate: how the batch values combine over a validation epoch, each batch
            weighted by the number of targets it counts: ``"mean"`` (their mean, e.g.
            accuracy), ``"rms"`` (the root of the mean of their squares: RMSE over an
            epoch is the root of the mean squared error, not the mean of batch RMSEs) or
            ``"exp"`` (the exponential of the mean *loss*: perplexity).

    Returns:
        A frozen dataclass.

    Example:
        >>> import torch
        >>> from lstmkit.training import Metric
        >>> rmse = Metric("rmse", lambda out, y, loss: loss.detach().sqrt(), "rms")
        >>> batches = [torch.tensor(2.0), torch.tensor(4.0)]      # two batch RMSEs
        >>> mean = torch.stack([rmse.to_mean(b, None) for b in batches]).mean()
        >>> float(rmse.from_mean(mean))                           # sqrt((4 + 16) / 2)
        3.1622776985168457
    """

    name: str
    compute: Callable[[Tensor, Tensor, Tensor], Tensor]
    aggregate: str = "mean"

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise ValueError(f"name must be a non-empty str; received {describe(self.name)}")
        if not callable(self.compute):
            raise TypeError(f"compute must be callable; received {describe(self.compute)}")
        check_choice("aggregate", self.aggregate, AGGREGATES)

    def to_mean(self, value: Tensor, loss: Tensor | None) -> Tensor:
        """What a batch contributes to the epoch's weighted mean."""
        if self.aggregate == "rms":
            return value.square()
        if self.aggregate == "exp":
            return loss.detach()
        return value

    def from_mean(self, mean: Any) -> Any:
        """The epoch's metric from the weighted mean of :meth:`to_mean` (tensor or float)."""
        if self.aggregate == "rms":
            return mean.sqrt() if isinstance(mean, Tensor) else math.sqrt(mean)
        if self.aggregate == "exp":  # capped: exp(700) is near float64's limit
            if isinstance(mean, Tensor):
                return mean.clamp(max=700.0).exp()
            return math.exp(min(mean, 700.0))
        return mean


@dataclass(frozen=True)
class Objective:
    """A training objective: loss, metric, the targets it needs and the output it reads.

    Args:
        name: the registry name (``fit_network(network, name, ...)``).
        loss: ``(outputs, targets, weight) -> scalar loss``; ``weight`` holds per-class
            loss weights or None. None for an objective whose network computes its own
            loss (language models: ``network.loss(hidden, targets)``, which an adaptive
            softmax needs).
        metric: the :class:`Metric` shown next to the loss.
        target_kind: the targets :class:`~lstmkit.data.SequenceCollator` builds:
            ``"sequence"`` (one per sequence) or ``"step"`` (one per step, padded steps
            marked).
        output_mode: the :class:`~lstmkit.nn.network.SequenceNetwork` output it reads:
            ``"last"`` (one per sequence) or ``"sequence"`` (one per step).
        prepare: ``(outputs, targets) -> (outputs, targets, count)``: the form the loss
            and metric take (e.g. padded steps removed) and how many targets count in the
            batch (Lightning weights batch means by it). Default: as they come, counting
            one per sequence.
        class_weights: True if the loss takes per-class weights (``class_weight=
            "balanced"``); an objective without them refuses weights.

    Returns:
        A frozen dataclass; :meth:`evaluate` gives a batch's loss, metric and count.

    Example:
        >>> import torch
        >>> from lstmkit.training import get_objective
        >>> tagging = get_objective("tagging")
        >>> tagging.target_kind, tagging.output_mode, tagging.metric.name
        ('step', 'sequence', 'accuracy')
        >>> logits = torch.tensor([[[2.0, 0.0], [0.0, 2.0], [5.0, 0.0]]])  # (B=1, T=3, 2)
        >>> loss, accuracy, count = tagging.evaluate(logits, torch.tensor([[0, 0, -100]]))
        >>> float(accuracy), count                 # the padded step (-100) does not count
        (0.5, 2)
    """

    name: str
    loss: Callable[[Tensor, Tensor, Tensor | None], Tensor] | None
    metric: Metric
    target_kind: str
    output_mode: str
    prepare: Callable[[Tensor, Tensor], tuple[Tensor, Tensor, int]] | None = None
    class_weights: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise ValueError(f"name must be a non-empty str; received {describe(self.name)}")
        for field in ("loss", "prepare"):
            value = getattr(self, field)
            if value is not None and not callable(value):
                raise TypeError(f"{field} must be callable or None; received {describe(value)}")
        if not isinstance(self.metric, Metric):
            raise TypeError(f"metric must be a Metric; received {describe(self.metric)}")
        check_choice("target_kind", self.target_kind, TARGET_KINDS)
        check_choice("output_mode", self.output_mode, OUTPUT_MODES)
        check_bool("class_weights", self.class_weights)

    def evaluate(
        self, outputs: Tensor, targets: Tensor, weight: Tensor | None = None
    ) -> tuple[Tensor, Tensor, int]:
        """Loss, metric and the number of targets that count, for one batch.

        Args:
            outputs: the network's outputs, ``(B, O)`` or ``(B, T, O)``.
            targets: the collated targets.
            weight: per-class loss weights, or None.

        Returns:
            ``(loss, metric, count)``.
        """
        if self.loss is None:
            raise ValueError(
                f"objective {self.name!r} has no loss of its own (its network computes it); "
                f"it cannot train a SequenceNetwork"
            )
        prepare = self.prepare or _one_per_sequence
        outputs, targets, count = prepare(outputs, targets)
        loss = self.loss(outputs, targets, weight)
        return loss, self.metric.compute(outputs, targets, loss), count


# ----------------------------------------------------------------- the registry
_OBJECTIVES: dict[str, Objective] = {}


def register_objective(objective: Objective, *, replace: bool = False) -> Objective:
    """Make ``objective`` known by its name to :func:`get_objective` (and so to every fit).

    Args:
        objective: the :class:`Objective`.
        replace: allow replacing an objective registered under the same name.

    Returns:
        ``objective``, so that ``X = register_objective(Objective(...))`` reads well.

    Example:
        >>> import torch.nn.functional as F
        >>> from lstmkit.training import Metric, Objective, get_objective, register_objective
        >>> mae = register_objective(Objective(
        ...     "doctest-mae", loss=lambda out, y, weight: F.l1_loss(out, y),
        ...     metric=Metric("mae", lambda out, y, loss: loss.detach()),
        ...     target_kind="sequence", output_mode="last"), replace=True)
        >>> get_objective("doctest-mae") is mae
        True
    """
    if not isinstance(objective, Objective):
        raise TypeError(f"objective must be an Objective; received {describe(objective)}")
    check_bool("replace", replace)
    if objective.name in _OBJECTIVES and not replace:
        raise ValueError(
            f"an objective named {objective.name!r} is registered already; pass "
            f"replace=True to replace it"
        )
    _OBJECTIVES[objective.name] = objective
    return objective


def unregister_objective(name: str) -> Objective:
    """Remove an objective from the registry (the built-in ones too, if asked).

    Args:
        name: a registered objective's name.

    Returns:
        The objective removed.

    Example:
        >>> import torch.nn.functional as F
        >>> from lstmkit.training import (Metric, Objective, objective_names,
        ...     register_objective, unregister_objective)
        >>> _ = register_objective(Objective(
        ...     "doctest-l1", loss=lambda out, y, weight: F.l1_loss(out, y),
        ...     metric=Metric("mae", lambda out, y, loss: loss.detach()),
        ...     target_kind="sequence", output_mode="last"))
        >>> unregister_objective("doctest-l1").name, "doctest-l1" in objective_names()
        ('doctest-l1', False)
    """
    check_choice("name", name, _OBJECTIVES)
    return _OBJECTIVES.pop(name)


def get_objective(objective: str | Objective) -> Objective:
    """The registered objective of that name (an :class:`Objective` passes through).

    Args:
        objective: a registered name, e.g. ``"classification"``, ``"tagging"``,
            ``"regression"``, ``"sequence-regression"``, ``"language-modelling"`` (see
            :func:`objective_names`), or an :class:`Objective`.

    Returns:
        The :class:`Objective`.

    Example:
        >>> from lstmkit.training import get_objective
        >>> get_objective("regression").metric.name
        'rmse'
    """
    if isinstance(objective, Objective):
        return objective
    if not isinstance(objective, str) or objective not in _OBJECTIVES:
        raise ValueError(
            f"objective must be an Objective or one of {objective_names()}; "
            f"received {describe(objective)}"
        )
    return _OBJECTIVES[objective]


def objective_names() -> tuple[str, ...]:
    """The names of the registered objectives, built-in ones first.

    Args:
        (none)

    Returns:
        A tuple of names.

    Example:
        >>> from lstmkit.training import objective_names
        >>> objective_names()[:4]
        ('classification', 'tagging', 'regression', 'sequence-regression')
    """
    return tuple(_OBJECTIVES)


def balanced_class_weights(codes: Any, num_classes: int) -> Tensor:
    """Per-class loss weights ``n / (num_classes * count_k)`` (scikit-learn's "balanced").

    Args:
        codes: class indices: an int array, or a list of per-step int arrays.
        num_classes: the number of classes K (a class never seen counts once).

    Returns:
        A float64 tensor ``(K,)``.

    Example:
        >>> from lstmkit.training import balanced_class_weights
        >>> balanced_class_weights([0, 0, 0, 1], 2).tolist()   # 4 / (2 * 3), 4 / (2 * 1)
        [0.6666666666666666, 2.0]
    """
    if isinstance(codes, list) and codes and np.ndim(codes[0]) > 0:
        codes = np.concatenate(codes)  # per-step labels: every step counts
    codes = np.asarray(codes)
    counts = np.bincount(codes, minlength=num_classes).astype(np.float64)
    return torch.as_tensor(len(codes) / (num_classes * np.maximum(counts, 1)))


# ------------------------------------------------------ the built-in objectives
def _one_per_sequence(outputs: Tensor, targets: Tensor) -> tuple[Tensor, Tensor, int]:
    return outputs, targets, targets.shape[0]


def _labelled_steps(outputs: Tensor, targets: Tensor) -> tuple[Tensor, Tensor, int]:
    # Class logits as rows (B or B*T of them); padded steps stay, marked IGNORE_INDEX.
    flat_y = targets.reshape(-1)
    return outputs.reshape(-1, outputs.shape[-1]), flat_y, int((flat_y != IGNORE_INDEX).sum())


def _valued_steps(outputs: Tensor, targets: Tensor) -> tuple[Tensor, Tensor, int]:
    valid = ~torch.isnan(targets)  # padded steps hold NaN targets and are left out
    return outputs[valid], targets[valid], int(valid.sum())


def _cross_entropy(outputs: Tensor, targets: Tensor, weight: Tensor | None) -> Tensor:
    return F.cross_entropy(outputs, targets, weight=weight, ignore_index=IGNORE_INDEX)


def _mse(outputs: Tensor, targets: Tensor, weight: Tensor | None) -> Tensor:
    return F.mse_loss(outputs, targets)


def _accuracy(outputs: Tensor, targets: Tensor, loss: Tensor) -> Tensor:
    valid = targets != IGNORE_INDEX
    return (outputs.argmax(-1)[valid] == targets[valid]).float().mean()


ACCURACY = Metric("accuracy", _accuracy, "mean")
RMSE = Metric("rmse", lambda outputs, targets, loss: loss.detach().sqrt(), "rms")
PERPLEXITY = Metric("perplexity", lambda outputs, targets, loss: loss.detach().exp(), "exp")

for _objective in (
    Objective("classification", _cross_entropy, ACCURACY, "sequence", "last",
              _labelled_steps, class_weights=True),
    Objective("tagging", _cross_entropy, ACCURACY, "step", "sequence",
              _labelled_steps, class_weights=True),
    Objective("regression", _mse, RMSE, "sequence", "last", _one_per_sequence),
    # values per step; forecasting uses this
    Objective("sequence-regression", _mse, RMSE, "step", "sequence", _valued_steps),
    # the network computes its own loss: an adaptive softmax needs its decoder
    Objective("language-modelling", None, PERPLEXITY, "step", "sequence"),
):  # fmt: skip
    register_objective(_objective)
