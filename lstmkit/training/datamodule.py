"""The LightningDataModule of :func:`~lstmkit.training.fit_network`: length-bucketed
batches, MATLAB's shuffle modes, and per-rank slices of every global batch.

Training batches come from a :class:`~lstmkit.training.checkpoints.ResumableLoader`
(a ``DataLoader`` that can continue an epoch where a checkpoint left it).
"""

from __future__ import annotations

import lightning as L
from torch.utils.data import DataLoader, Dataset, Sampler

from lstmkit.data import BucketBatchSampler, SequenceCollator
from lstmkit.training.checkpoints import ResumableLoader
from lstmkit.training.options import TrainingOptions

__all__ = ["SequenceDataModule"]


class _FixedEpoch(Sampler[list[int]]):
    """Shuffle once: the same batch order every epoch (MATLAB's Shuffle="once")."""

    def __init__(self, batches: BucketBatchSampler) -> None:
        self.batches = batches

    def __iter__(self):
        return iter(self.batches)

    def __len__(self) -> int:
        return len(self.batches)


class _EpochSetter:
    """What Lightning calls ``set_epoch`` on at the start of every epoch.

    Lightning looks for ``set_epoch`` on a loader's ``sampler`` and on its
    ``batch_sampler.sampler`` (torch's BatchSampler wraps an index sampler), never on the
    batch sampler itself; lstmkit's batch samplers draw their own order, so each gets
    this as its ``sampler`` to hear the epoch, and passes it on to them and to the
    dataset (augmented data is drawn afresh every epoch). Without it every epoch
    repeated the first epoch's batch order.
    """

    def __init__(self, *targets: object) -> None:
        self.targets = [t for t in targets if callable(getattr(t, "set_epoch", None))]

    def set_epoch(self, epoch: int) -> None:
        for target in self.targets:
            target.set_epoch(epoch)  # type: ignore[attr-defined]


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
    """Training and validation loaders with length bucketing and per-rank slicing.

    Args:
        train_set, val_set: datasets with a ``lengths`` attribute (``val_set`` may be None).
        options: the :class:`~lstmkit.training.TrainingOptions` (batch size, shuffle, seed).
        collate: turns a list of samples into ``(x, lengths, y)``.

    Returns:
        A ``LightningDataModule`` for ``Trainer.fit``.

    Example:
        >>> import numpy as np
        >>> from lstmkit.data import SequenceCollator, SequenceDataset
        >>> from lstmkit.training import TrainingOptions
        >>> from lstmkit.training.datamodule import SequenceDataModule
        >>> data = SequenceDataset([np.zeros((3, 1), "float32")] * 5, np.zeros(5, int))
        >>> module = SequenceDataModule(data, None, TrainingOptions(batch_size=2),
        ...                             SequenceCollator())
        >>> len(module.train_dataloader())
        3
    """

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
        # "once" keeps the first epoch's batch order (_FixedEpoch has no set_epoch)
        batches.sampler = _EpochSetter(batches, dataset)  # type: ignore[attr-defined]
        loader = ResumableLoader if train else DataLoader
        return loader(dataset, batch_sampler=batches, collate_fn=self.collate)

    def train_dataloader(self) -> DataLoader:
        return self._loader(self.train_set, train=True)

    def val_dataloader(self) -> DataLoader | list:
        return [] if self.val_set is None else self._loader(self.val_set, train=False)
