"""How the sequence estimators train when they are given no ``training_options``.

A fixed number of epochs suits nobody: 30 epochs are 30 optimisation steps on a
single series and 3,000 on a large collection. So, with ``training_options=None``, an
estimator takes :class:`~lstmkit.training.TrainingOptions`' defaults and adapts four of
them to the training data it holds after the validation split (the rule below, the
same for every estimator; the evidence for its numbers is in the README, "Defaults"):

* ``batch_size``: about a tenth of the training sequences, as a power of two between
  8 and 32 -- small sets get several steps per epoch.
* ``max_epochs``: enough epochs for about :data:`TARGET_STEPS` optimisation steps,
  between :data:`MIN_EPOCHS` and :data:`MAX_EPOCHS`.
* with validation data: early stopping (``validation_patience``: a tenth of
  ``max_epochs``, at least 10 epochs without a better validation loss), the weights of
  the best validation loss, and ``lr_schedule="plateau"`` (the learning rate halves
  after half that patience without improvement);
* without validation data: a cosine schedule over the run (nothing to stop on).

A user's own ``TrainingOptions`` are used exactly as given, unless they say
``adapt_to_data=True``: then the rule fills the fields they left at their defaults
(:func:`fill_unset`) and keeps the rest (device, progress bar, a learning rate of their
own...).
"""

from __future__ import annotations

import math
from dataclasses import fields, replace
from typing import Any

from lstmkit.training import TrainingOptions

__all__ = [
    "MAX_EPOCHS",
    "MIN_EPOCHS",
    "TARGET_STEPS",
    "adapted_training_options",
    "fill_unset",
]

#: optimisation steps the adapted options aim for
TARGET_STEPS = 1500
#: bounds of the adapted ``max_epochs``
MIN_EPOCHS, MAX_EPOCHS = 30, 400


def adapted_training_options(
    options: TrainingOptions, n_train: int, *, has_validation: bool
) -> TrainingOptions:
    """``options`` with batch size, epochs, early stopping and schedule set by the rule
    of this module for ``n_train`` training sequences.

    Args:
        options: the options to adapt (the estimator's defaults with its seed).
        n_train: sequences (or windows) in one training epoch.
        has_validation: whether the fit validates (early stopping needs it).

    Returns:
        A new :class:`~lstmkit.training.TrainingOptions`.

    Example:
        >>> from lstmkit.training import TrainingOptions
        >>> from lstmkit.tasks.defaults import adapted_training_options
        >>> small = adapted_training_options(TrainingOptions(), 60, has_validation=True)
        >>> small.batch_size, small.max_epochs, small.validation_patience, small.lr_schedule
        (8, 188, 18, 'plateau')
        >>> big = adapted_training_options(TrainingOptions(), 5000, has_validation=False)
        >>> big.batch_size, big.max_epochs, big.lr_schedule
        (32, 30, 'cosine')
    """
    n_train = max(1, int(n_train))
    batch = int(min(32, max(8, 2 ** round(math.log2(max(1, n_train / 10))))))
    steps_per_epoch = math.ceil(n_train / batch)
    epochs = min(MAX_EPOCHS, max(MIN_EPOCHS, math.ceil(TARGET_STEPS / steps_per_epoch)))
    if not has_validation:
        return fill_unset(options, batch_size=batch, max_epochs=epochs, lr_schedule="cosine")
    patience = max(10, epochs // 10)
    return fill_unset(
        options,
        batch_size=batch,
        max_epochs=epochs,
        validation_patience=patience,
        output_model="best-validation",
        lr_schedule="plateau",
        lr_drop_factor=0.5,
        lr_patience=max(1, patience // 2),
    )


def fill_unset(options: TrainingOptions, **chosen: Any) -> TrainingOptions:
    """``options`` with the ``chosen`` values in the fields it leaves at their defaults
    (a field set to anything else is the user's and is kept), and ``adapt_to_data``
    cleared: the result is what the fit really uses.

    Args:
        options: the user's options (or the defaults).
        **chosen: field -> the value a data rule chose.

    Returns:
        A new :class:`~lstmkit.training.TrainingOptions`.

    Example:
        >>> from lstmkit.training import TrainingOptions
        >>> mine = TrainingOptions(max_epochs=80, adapt_to_data=True)
        >>> done = fill_unset(mine, max_epochs=200, batch_size=8)
        >>> done.max_epochs, done.batch_size, done.adapt_to_data
        (80, 8, False)
    """
    defaults = {f.name: f.default for f in fields(TrainingOptions)}
    unknown = sorted(set(chosen) - set(defaults))
    if unknown:
        raise ValueError(f"unknown TrainingOptions field(s) {unknown}")
    unset = {k: v for k, v in chosen.items() if getattr(options, k) == defaults[k]}
    return replace(options, **unset, adapt_to_data=False)
