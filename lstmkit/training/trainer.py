"""fit_network: train a network on sequence data with Lightning, write the run folder.

Lightning does the loop, checkpoints (training resumes from them), early stopping,
gradient clipping and multi-process training; this file only wires lstmkit's data
(length-bucketed batches, padding, lengths) and options into it.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import tempfile
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import lightning as L
import pandas as pd
import torch
from lightning.pytorch.callbacks import EarlyStopping, ModelCheckpoint
from lightning.pytorch.loggers import CSVLogger
from torch.utils.data import DataLoader, Dataset, Sampler

from lstmkit.data import BucketBatchSampler, SequenceCollator, padding_fraction
from lstmkit.training.callbacks import BestValidationWeights
from lstmkit.training.module import SequenceModule, task_metric
from lstmkit.training.options import TrainingOptions

PROGRESS_CSV = "training-progress.csv"
PROGRESS_PNG = "training-progress.png"
CLIP_ALGORITHMS = {"l2norm": "norm", "value": "value"}  # MATLAB's names -> Lightning's


@dataclass
class FitResult:
    """What a training run produced (the trained weights are in the network itself).

    Args:
        run_dir: the run folder (CSV, PNG, checkpoints).
        history: one row per iteration: step, epoch, train/val loss and metric, lr.
        epochs: epochs run (fewer than max_epochs if stopped early).
        best_epoch, best_val_loss: where validation was best (None without validation).
        padding_fraction: share of padded steps in an epoch of length-bucketed batches.
        seconds: wall time of training.

    Returns:
        Made by :func:`fit_network`.

    Example:
        >>> import pandas as pd
        >>> from lstmkit.training import FitResult
        >>> FitResult("run", pd.DataFrame(), 3, None, None, 0.05, 1.0).epochs
        3
    """

    run_dir: Path
    history: pd.DataFrame
    epochs: int
    best_epoch: int | None
    best_val_loss: float | None
    padding_fraction: float
    seconds: float


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


def _history(csv_path: Path, metric: str) -> pd.DataFrame:
    """Lightning's metrics.csv, one row per logged step, in the columns the plot uses."""
    raw = pd.read_csv(csv_path)
    columns = ["step", "epoch", "train_loss", f"train_{metric}", "val_loss", f"val_{metric}", "lr"]
    for column in columns:
        if column not in raw:
            raw[column] = float("nan")
    # Lightning logs the step *after* the update for training rows and the same
    # counter at validation; group them so each iteration is one row.
    history = raw[columns].groupby("step", as_index=False).first()
    history["step"] = history["step"] + 1  # iterations counted from 1, as MATLAB does
    return history


@contextlib.contextmanager
def torch_threads(count: int | None) -> Iterator[None]:
    """Let torch use ``count`` CPU threads inside the block (None: leave it), then
    restore the caller's setting, also when training fails."""
    threads = torch.get_num_threads()
    if count is not None:
        torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


@contextlib.contextmanager
def _quiet_lightning(verbose: bool) -> Iterator[None]:
    """Hide Lightning's start-up banner and tips unless the progress bar is on."""
    if verbose:
        yield
        return
    loggers = [logging.getLogger(n) for n in ("lightning.pytorch", "lightning.fabric")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.WARNING)
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=r".*(LeafSpec|exists and is not empty)")
            warnings.filterwarnings("ignore", message=r".*does not have many workers")
            yield
    finally:
        for lg, level in zip(loggers, levels, strict=True):
            lg.setLevel(level)


def lightning_trainer(options: TrainingOptions, **settings: Any) -> L.Trainer:
    """A Lightning Trainer with what every lstmkit fit shares, plus ``settings``.

    Shared: the accelerator and devices, gradient clipping as ``options`` say,
    deterministic algorithms (a seed must reproduce a run), no model summary and no
    sanity validation (the fits validate on their own schedule). ``settings`` add to
    or override these (``devices=1`` for stateful language-model streams, say).

    Args:
        options: the training options.
        **settings: further ``lightning.Trainer`` arguments.

    Returns:
        An unfitted ``lightning.Trainer``.

    Example:
        >>> from lstmkit.training import TrainingOptions
        >>> from lstmkit.training.trainer import lightning_trainer
        >>> options = TrainingOptions(gradient_threshold=1.0)
        >>> trainer = lightning_trainer(options, max_epochs=2, logger=False,
        ...                             enable_checkpointing=False)
        >>> trainer.max_epochs, trainer.gradient_clip_val
        (2, 1.0)
    """
    shared: dict[str, Any] = {
        "accelerator": options.accelerator,
        "devices": options.devices,
        "gradient_clip_val": options.gradient_threshold,
        "gradient_clip_algorithm": CLIP_ALGORITHMS[options.gradient_threshold_method],
        "deterministic": True,
        "enable_progress_bar": options.progress_bar,
        "enable_model_summary": False,
        "num_sanity_val_steps": 0,
    }
    return L.Trainer(**{**shared, **settings})


def fit_network(
    network: torch.nn.Module,
    task: str,
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
        task: see :class:`SequenceModule`.
        train_set, val_set: datasets with a ``lengths`` attribute (sequence lengths)
            whose items the ``collate`` function batches.
        options: the :class:`TrainingOptions`.
        collate: turns a list of samples into ``(x, lengths, y)``.
        class_weights: per-class loss weights, or None.
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
    run_dir = Path(run_dir or options.log_dir or tempfile.mkdtemp(prefix="lstmkit-run-"))
    run_dir.mkdir(parents=True, exist_ok=True)
    if resume_from is None:  # a fresh run: the old log would mix with the new one
        shutil.rmtree(run_dir / "lightning", ignore_errors=True)
    L.seed_everything(options.seed, workers=True, verbose=False)
    module = SequenceModule(network, task, options, class_weights)
    data = SequenceDataModule(train_set, val_set, options, collate)
    has_val = val_set is not None

    best = BestValidationWeights()
    callbacks: list[L.Callback] = [
        best,
        ModelCheckpoint(dirpath=run_dir / "checkpoints", save_last=True, save_top_k=0),
    ]
    if has_val and options.validation_patience is not None:
        callbacks.append(EarlyStopping("val_loss", patience=options.validation_patience))
    every = options.validation_frequency
    with _quiet_lightning(options.progress_bar):
        trainer = lightning_trainer(
            options,
            max_epochs=options.max_epochs,
            num_nodes=options.num_nodes,
            strategy=options.strategy,
            logger=CSVLogger(run_dir, name="", version="lightning"),
            callbacks=callbacks,
            log_every_n_steps=1,
            limit_val_batches=1.0 if has_val else 0,
            val_check_interval=every,
            check_val_every_n_epoch=None if every else 1,
            use_distributed_sampler=False,  # batches are split per rank by _RankSlices
            default_root_dir=run_dir,
        )
    with torch_threads(options.num_threads):
        start = time.perf_counter()
        with _quiet_lightning(options.progress_bar):
            ckpt = str(resume_from) if resume_from else None
            trainer.fit(module, datamodule=data, ckpt_path=ckpt)
        seconds = time.perf_counter() - start

    if options.output_model == "best-validation" and best.best_weights is not None:
        network.load_state_dict(best.best_weights)

    metric = task_metric(task)
    history = _history(run_dir / "lightning" / "metrics.csv", metric)
    if trainer.is_global_zero:
        history.to_csv(run_dir / PROGRESS_CSV, index=False)
        _plot_progress(history, run_dir / PROGRESS_PNG, metric)
    batches = list(BucketBatchSampler(train_set.lengths, options.batch_size, shuffle=False))
    pad = padding_fraction([torch.as_tensor([train_set.lengths[i] for i in b]) for b in batches])
    return FitResult(
        run_dir=run_dir,
        history=history,
        epochs=trainer.current_epoch,
        best_epoch=best.best_epoch,
        best_val_loss=None if best.best_epoch is None else best.best_loss,
        padding_fraction=pad,
        seconds=seconds,
    )


def _plot_progress(history: pd.DataFrame, path: Path, metric: str) -> None:
    from lstmkit.viz import plot_training_progress  # matplotlib only when plotting

    plot_training_progress(history, path, metric_name=metric)
