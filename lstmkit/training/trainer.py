"""fit_network: train a network on sequence data with Lightning, write the run folder.

Lightning does the loop, checkpoints (training resumes from them), early stopping,
gradient clipping and multi-process training; this file only wires lstmkit's data
(length-bucketed batches, padding, lengths) and options into it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch
from torch.utils.data import Dataset

from lstmkit.data import BucketBatchSampler, SequenceCollator, padding_fraction
from lstmkit.training.engine import FitResult, run_training
from lstmkit.training.objectives import Objective
from lstmkit.training.options import TrainingOptions

if TYPE_CHECKING:
    import lightning as L

__all__ = ["fit_network"]


def __getattr__(name: str) -> Any:
    # SequenceDataModule subclasses Lightning's DataModule: Lightning loads when it is used.
    if name == "SequenceDataModule":
        from lstmkit.training.datamodule import SequenceDataModule

        return SequenceDataModule
    raise AttributeError(f"module 'lstmkit.training.trainer' has no attribute {name!r}")


def fit_network(
    network: torch.nn.Module,
    objective: str | Objective,
    train_set: Dataset,
    val_set: Dataset | None,
    options: TrainingOptions,
    *,
    collate: SequenceCollator,
    class_weights: torch.Tensor | None = None,
    run_dir: str | Path | None = None,
    resume_from: str | Path | None = None,
) -> FitResult:
    """Train ``network`` in place and write the run folder.

    Args:
        network: a module mapping ``(x, lengths)`` to outputs; trained in place.
        objective: an :class:`~lstmkit.training.Objective` or a registered name
            (``"classification"``, ``"tagging"``, ``"regression"``,
            ``"sequence-regression"``, or one added with
            :func:`~lstmkit.training.register_objective`); see :class:`SequenceModule`.
        train_set, val_set: datasets with a ``lengths`` attribute (sequence lengths)
            whose items the ``collate`` function batches.
        options: the :class:`TrainingOptions`.
        collate: turns a list of samples into ``(x, lengths, y)``.
        class_weights: per-class loss weights (for an objective that takes them), or None.
        run_dir: where the CSV, plot and checkpoints go (default: options.log_dir; with
            neither, a temporary folder removed at the end, and no checkpoints).
        resume_from: a checkpoint of this run (``run_dir/checkpoints/last.ckpt``) to
            continue training from; refused if it was written with other options,
            another network or other data (see :func:`~lstmkit.training.run_training`).

    Returns:
        A :class:`FitResult`. With ``output_model="best-validation"`` and validation
        data, the network holds the weights of the best validation loss.

    Raises:
        TrainingDivergedError: the loss or gradient became NaN/inf (the network keeps
            the last finite weights).

    Example:
        >>> import numpy as np
        >>> from lstmkit.data import SequenceCollator, SequenceDataset
        >>> from lstmkit.nn.network import SequenceNetwork
        >>> from lstmkit.training import TrainingOptions, fit_network
        >>> X = [np.random.randn(8, 2).astype("float32") for _ in range(32)]
        >>> y = np.array([int(x[:, 0].sum() > 0) for x in X])
        >>> result = fit_network(SequenceNetwork(2, 2, hidden_size=8), "classification",
        ...                      SequenceDataset(X, y), None, TrainingOptions(max_epochs=2),
        ...                      collate=SequenceCollator())  # doctest: +SKIP
    """
    from lightning.pytorch.callbacks import EarlyStopping

    from lstmkit.training.checkpoints import data_digest
    from lstmkit.training.datamodule import SequenceDataModule
    from lstmkit.training.module import SequenceModule

    module = SequenceModule(network, objective, options, class_weights)
    if getattr(collate, "target_kind", None) != module.objective.target_kind:
        raise ValueError(
            f"collate.target_kind must be {module.objective.target_kind!r}, the targets "
            f"objective {module.objective.name!r} trains on; received "
            f"{getattr(collate, 'target_kind', None)!r}"
        )
    data = SequenceDataModule(train_set, val_set, options, collate)
    has_val = val_set is not None
    callbacks: list[L.Callback] = []
    if has_val and options.validation_patience is not None:
        callbacks.append(EarlyStopping("val_loss", patience=options.validation_patience))
    every = options.validation_frequency
    fingerprint = None
    if run_dir or options.log_dir or resume_from is not None:  # checkpoints are tied to data
        fingerprint = {
            "training data": data_digest(train_set),
            "validation data": data_digest(val_set),
            "class weights": data_digest(class_weights),
        }
    run = run_training(
        module,
        options,
        run_dir=run_dir,
        resume_from=resume_from,
        callbacks=callbacks,
        datamodule=data,
        data_fingerprint=fingerprint,
        max_epochs=options.max_epochs,
        num_nodes=options.num_nodes,
        strategy=options.strategy,
        limit_val_batches=1.0 if has_val else 0,
        val_check_interval=every,
        check_val_every_n_epoch=None if every else 1,
        use_distributed_sampler=False,  # batches are split per rank by _RankSlices
    )
    batches = list(BucketBatchSampler(train_set.lengths, options.batch_size, shuffle=False))
    pad = padding_fraction([torch.as_tensor([train_set.lengths[i] for i in b]) for b in batches])
    return FitResult.from_run(run, padding_fraction=pad)
