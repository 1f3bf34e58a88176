"""fit_network: train a network on sequence data with Lightning, write the run folder.

Lightning does the loop, checkpoints (training resumes from them), early stopping,
gradient clipping and multi-process training; this file only wires lstmkit's data
(length-bucketed batches, padding, lengths) and options into it.
"""

from __future__ import annotations

from pathlib import Path

import lightning as L
import torch
from lightning.pytorch.callbacks import EarlyStopping
from torch.utils.data import DataLoader, Dataset, Sampler

from lstmkit.data import BucketBatchSampler, SequenceCollator, padding_fraction
from lstmkit.training.engine import FitResult, run_training
from lstmkit.training.module import SequenceModule
from lstmkit.training.objectives import Objective
from lstmkit.training.options import TrainingOptions

__all__ = ["SequenceDataModule", "fit_network"]


class _FixedEpoch(Sampler[list[int]]):
    """Shuffle once: the same batch order every epoch (MATLAB's Shuffle="once")."""

    def __init__(self, batches: BucketBatchSampler) -> None:
        self.batches = batches

    def __iter__(self):
        return iter(self.batches)

    def __len__(self) -> int:
        return len(self.batches)


class _RankSlices(Sampler[list[int]]):
    """Give each of ``world`` processes its share of every global batch.

    All ranks draw the same global batches (same seed), so N processes with their
    averaged gradients take the same steps as one process with the whole batch.
    """

    def __init__(self, batches: Sampler, rank: int, world: int) -> None:
        self.batches, self.rank, self.world = batches, rank, world

    def set_epoch(self, epoch: int) -> None:
        if hasattr(self.batches, "set_epoch"):
            self.batches.set_epoch(epoch)

    def __iter__(self):
        for batch in self.batches:
            # A batch smaller than the world is shared whole, so no rank starves.
            yield batch[self.rank :: self.world] if len(batch) >= self.world else batch

    def __len__(self) -> int:
        return len(self.batches)


class SequenceDataModule(L.LightningDataModule):
    """Training and validation loaders with length bucketing and per-rank slicing."""

    def __init__(
        self,
        train_set: Dataset,
        val_set: Dataset | None,
        options: TrainingOptions,
        collate: SequenceCollator,
    ) -> None:
        super().__init__()
        self.train_set, self.val_set = train_set, val_set
        self.options, self.collate = options, collate
        self.epoch_padding: list[float] = []

    def _loader(self, dataset: Dataset, *, train: bool) -> DataLoader:
        opts = self.options
        batches: Sampler = BucketBatchSampler(
            dataset.lengths, opts.batch_size, shuffle=train and opts.shuffle != "never",
            seed=opts.seed,
        )  # fmt: skip
        if train and opts.shuffle == "once":
            batches = _FixedEpoch(batches)
        world = self.trainer.world_size if self.trainer is not None else 1
        if world > 1:
            rank = self.trainer.global_rank
            batches = _RankSlices(batches, rank, world)
        return DataLoader(dataset, batch_sampler=batches, collate_fn=self.collate)

    def train_dataloader(self) -> DataLoader:
        return self._loader(self.train_set, train=True)

    def val_dataloader(self) -> DataLoader | list:
        return [] if self.val_set is None else self._loader(self.val_set, train=False)


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
        run_dir: where the CSV, plot and checkpoints go (default: options.log_dir, or
            a new temporary folder).
        resume_from: a Lightning checkpoint (e.g. ``run_dir/checkpoints/last.ckpt``)
            to continue training from.

    Returns:
        A :class:`FitResult`. With ``output_model="best-validation"`` and validation
        data, the network holds the weights of the best validation loss.

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
    run = run_training(
        module,
        options,
        run_dir=run_dir,
        resume_from=resume_from,
        callbacks=callbacks,
        datamodule=data,
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
