"""The fit engine: one way to run Lightning and keep a run folder, for every fit.

:func:`~lstmkit.training.fit_network`, :func:`~lstmkit.training.fit_language_model`
and :func:`~lstmkit.training.fit_online` each build their LightningModule and data,
then hand them to :func:`run_training`, which owns everything around the loop:

* the run folder: the given one or ``options.log_dir`` (kept), else a temporary folder
  that is removed when training ends; Lightning's CSV log (``lightning/metrics.csv``),
  read back as the training history and, in a kept folder, written as
  ``training-progress.csv`` and ``training-progress.png``;
* checkpoints in a kept folder (``checkpoints/last.ckpt``, written atomically every
  epoch and optionally every N iterations or minutes, tied to the run's configuration
  and data: :mod:`lstmkit.training.checkpoints`), and resuming from one -- checked with
  ``torch.load(weights_only=True)`` first, so nothing is unpickled;
* a fresh fit in a reused folder starts a fresh log and removes the previous run's
  ``last.ckpt``, so a kill cannot leave a stale checkpoint that looks like this run's;
* divergence: a non-finite loss or gradient stops training with a
  :class:`~lstmkit.training.TrainingDivergedError`, the last finite weights kept;
* seeding (``options.seed`` reproduces a run), the CPU thread count
  (``options.num_threads``), Lightning's start-up chatter kept quiet (shown with
  ``options.verbose``), the progress bar on stderr;
* the best-validation weights (:class:`BestValidationWeights`), put back into the
  network when ``options.output_model="best-validation"``;
* the wall time of training.

A run folder therefore holds the same files whichever fit wrote it.
"""

from __future__ import annotations

import contextlib
import inspect
import logging
import shutil
import tempfile
import time
import warnings
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch

from lstmkit.training.options import TrainingOptions

if TYPE_CHECKING:  # Lightning and pandas load when training starts, not on import
    import lightning as L
    import pandas as pd

    from lstmkit.training.callbacks import BestValidationWeights

__all__ = [
    "PROGRESS_CSV",
    "PROGRESS_PNG",
    "FitResult",
    "TrainingRun",
    "lightning_trainer",
    "quiet_lightning",
    "read_history",
    "run_training",
    "torch_threads",
    "write_progress",
]

PROGRESS_CSV = "training-progress.csv"
PROGRESS_PNG = "training-progress.png"
CHECKPOINTS = "checkpoints"
LIGHTNING_LOG = "lightning"  # Lightning's own CSV log folder inside the run folder
CLIP_ALGORITHMS = {"l2norm": "norm", "value": "value"}  # MATLAB's names -> Lightning's


@dataclass
class FitResult:
    """What a training run produced (the trained weights are in the network itself).

    Args:
        run_dir: the run folder (CSV, PNG, checkpoints); None when the run used a
            temporary folder, which is removed when training ends.
        history: one row per iteration: step, epoch, train/val loss and metric, lr.
        epochs: epochs run (fewer than max_epochs if stopped early).
        best_epoch, best_val_loss: where validation was best (None without validation).
        padding_fraction: share of padded steps in an epoch of length-bucketed batches.
        seconds: wall time of training.

    Returns:
        Made by :func:`~lstmkit.training.fit_network`.

    Example:
        >>> import pandas as pd
        >>> from lstmkit.training import FitResult
        >>> FitResult("run", pd.DataFrame(), 3, None, None, 0.05, 1.0).epochs
        3
    """

    run_dir: Path | None
    history: pd.DataFrame
    epochs: int
    best_epoch: int | None
    best_val_loss: float | None
    padding_fraction: float
    seconds: float

    @classmethod
    def from_run(cls, run: TrainingRun, padding_fraction: float, **extra: Any) -> FitResult:
        """The result of an engine run (``extra``: the fields a subclass adds)."""
        return cls(
            run_dir=run.run_dir,
            history=run.history,
            epochs=run.trainer.current_epoch,
            best_epoch=run.best.best_epoch,
            best_val_loss=run.best_val_loss,
            padding_fraction=padding_fraction,
            seconds=run.seconds,
            **extra,
        )


@dataclass
class TrainingRun:
    """What :func:`run_training` did; the fit functions turn it into their result.

    Args:
        trainer: the Lightning Trainer after ``fit`` (epochs and steps run).
        run_dir: the run folder, or None when none was kept (none written, or a
            temporary one, removed at the end).
        history: the training history (one row per iteration), or None without a folder.
        best: the :class:`BestValidationWeights` callback (best loss, epoch, weights).
        seconds: wall time of ``trainer.fit``.

    Returns:
        Made by :func:`run_training`.

    Example:
        >>> from lstmkit.training import BestValidationWeights, TrainingRun
        >>> TrainingRun(None, None, None, BestValidationWeights(), 1.5).best_val_loss is None
        True
    """

    trainer: L.Trainer
    run_dir: Path | None
    history: pd.DataFrame | None
    best: BestValidationWeights
    seconds: float

    @property
    def best_val_loss(self) -> float | None:
        """The lowest validation loss seen, or None without validation."""
        return None if self.best.best_epoch is None else self.best.best_loss


@contextlib.contextmanager
def torch_threads(count: int | None) -> Iterator[None]:
    """Let torch use ``count`` CPU threads inside the block, then restore the caller's
    setting, also when training fails.

    Args:
        count: threads inside the block; None leaves torch's setting alone.

    Returns:
        A context manager.

    Example:
        >>> import torch
        >>> from lstmkit.training import torch_threads
        >>> before = torch.get_num_threads()
        >>> with torch_threads(1):
        ...     inside = torch.get_num_threads()
        >>> inside, torch.get_num_threads() == before
        (1, True)
    """
    threads = torch.get_num_threads()
    if count is not None:
        torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


@contextlib.contextmanager
def quiet_lightning(verbose: bool = False) -> Iterator[None]:
    """Hide Lightning's start-up banner, tips, adverts and deprecation warnings inside the
    block unless ``verbose``.

    Args:
        verbose: True leaves Lightning's messages alone (``TrainingOptions.verbose``).

    Returns:
        A context manager; the logger levels are restored after it.

    Example:
        >>> import logging
        >>> from lstmkit.training import quiet_lightning
        >>> with quiet_lightning():
        ...     logging.getLogger("lightning.pytorch").level == logging.WARNING
        True
    """
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
            warnings.filterwarnings("ignore", message=r".*smaller than the logging interval")
            warnings.filterwarnings("ignore", message=r".*(litlogger|litmodels|LitLogger)")
            with contextlib.suppress(ImportError):
                from lightning.fabric.utilities.warnings import PossibleUserWarning
                from lightning.pytorch.utilities.rank_zero import LightningDeprecationWarning

                warnings.filterwarnings("ignore", category=LightningDeprecationWarning)
                warnings.filterwarnings("ignore", category=PossibleUserWarning)
            yield
    finally:
        for lg, level in zip(loggers, levels, strict=True):
            lg.setLevel(level)


def lightning_trainer(options: TrainingOptions, **settings: Any) -> L.Trainer:
    """A Lightning Trainer with what every lstmkit fit shares, plus ``settings``.

    Shared: the accelerator and devices, gradient clipping as ``options`` say,
    deterministic algorithms (a seed must reproduce a run), no model summary and no
    sanity validation (the fits validate on their own schedule), and with
    ``options.progress_bar`` a bar on stderr showing the training loss and the
    validation metric. ``settings`` add to or override these (``devices=1`` for
    stateful language-model streams, say).

    Args:
        options: the training options.
        **settings: further ``lightning.Trainer`` arguments.

    Returns:
        An unfitted ``lightning.Trainer``.

    Example:
        >>> from lstmkit.training import TrainingOptions, lightning_trainer
        >>> options = TrainingOptions(gradient_threshold=1.0)
        >>> trainer = lightning_trainer(options, max_epochs=2, logger=False,
        ...                             enable_checkpointing=False)
        >>> trainer.max_epochs, trainer.gradient_clip_val
        (2, 1.0)
    """
    import lightning as L

    if options.progress_bar:
        from lightning.pytorch.callbacks import ProgressBar

        from lstmkit.training.progress import progress_bar

        callbacks = list(settings.get("callbacks") or [])
        if not any(isinstance(c, ProgressBar) for c in callbacks):
            settings = {**settings, "callbacks": [*callbacks, progress_bar()]}
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


def read_history(csv_path: str | Path, metric: str) -> pd.DataFrame:
    """Lightning's ``metrics.csv`` as a training history: one row per iteration.

    Args:
        csv_path: the CSV that Lightning's ``CSVLogger`` wrote.
        metric: the metric's name (columns ``train_<metric>``, ``val_<metric>``).

    Returns:
        A DataFrame with columns ``step`` (iterations counted from 1, as MATLAB
        does), ``epoch``, ``train_loss``, ``train_<metric>``, ``val_loss``,
        ``val_<metric>`` and ``lr``; NaN where a value was not logged.

    Example:
        >>> import pandas as pd, tempfile, pathlib
        >>> from lstmkit.training import read_history
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "metrics.csv"
        >>> pd.DataFrame({"step": [0, 0], "epoch": [0, 0], "train_loss": [0.9, None],
        ...               "val_loss": [None, 0.8]}).to_csv(path, index=False)
        >>> read_history(path, "accuracy")[["step", "train_loss", "val_loss"]].values.tolist()
        [[1.0, 0.9, 0.8]]
    """
    import pandas as pd

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


def write_progress(history: pd.DataFrame, run_dir: str | Path, metric: str) -> None:
    """Write ``training-progress.csv`` and ``training-progress.png`` into ``run_dir``.

    Args:
        history: a training history (:func:`read_history`).
        run_dir: the run folder.
        metric: the metric drawn above the loss.

    Returns:
        None.

    Example:
        >>> import pandas as pd, tempfile, pathlib
        >>> from lstmkit.training import write_progress
        >>> folder = pathlib.Path(tempfile.mkdtemp())
        >>> write_progress(pd.DataFrame({"step": [1, 2], "train_loss": [1.0, 0.5]}), folder,
        ...                "accuracy")  # doctest: +SKIP
        >>> sorted(p.name for p in folder.iterdir())  # doctest: +SKIP
        ['training-progress.csv', 'training-progress.png']
    """
    run_dir = Path(run_dir)
    history.to_csv(run_dir / PROGRESS_CSV, index=False)
    _plot_progress(history, run_dir / PROGRESS_PNG, metric)


def _plot_progress(history: pd.DataFrame, path: Path, metric: str) -> None:
    from lstmkit.viz import plot_training_progress  # matplotlib only when plotting

    plot_training_progress(history, path, metric_name=metric)


def run_training(
    module: L.LightningModule,
    options: TrainingOptions,
    *,
    run_dir: str | Path | None = None,
    write_run_folder: bool = True,
    resume_from: str | Path | None = None,
    callbacks: Sequence[L.Callback] = (),
    train_dataloaders: Any = None,
    val_dataloaders: Any = None,
    datamodule: L.LightningDataModule | None = None,
    data_fingerprint: Mapping[str, str | None] | None = None,
    **trainer_settings: Any,
) -> TrainingRun:
    """Train ``module`` with Lightning and keep the run folder; the one loop of every fit.

    Args:
        module: a LightningModule with a ``network`` (trained in place) and a
            ``metric_name`` (the history's metric columns).
        options: the :class:`TrainingOptions` (seed, threads, output model, progress
            bar, gradient clipping, devices, ``log_dir``, checkpoint frequency).
        run_dir: the run folder, kept (default: ``options.log_dir``; without either, a
            temporary folder holds Lightning's log while training and is removed at the
            end, also when training fails; it gets no checkpoints).
        write_run_folder: False writes nothing (no log, no checkpoint, no history).
        resume_from: a checkpoint of this run (``<run_dir>/checkpoints/last.ckpt``) to
            continue from. It is read with ``torch.load(weights_only=True)`` and refused
            if it needs unpickling or was written by another configuration or for other
            data (see :func:`~lstmkit.training.checkpoints.check_resume`). Without it, a
            fresh run: an old Lightning log and ``last.ckpt`` in the folder are removed.
        callbacks: further Lightning callbacks (after :class:`BestValidationWeights`).
        train_dataloaders, val_dataloaders, datamodule: the data, as ``Trainer.fit``
            takes it.
        data_fingerprint: name -> digest of the data the run trains on (see
            :func:`~lstmkit.training.checkpoints.data_digest`), stored in checkpoints so
            that resuming with other data is refused.
        **trainer_settings: further ``lightning.Trainer`` arguments (``max_epochs``,
            ``val_check_interval``, ...); see :func:`lightning_trainer`.

    Returns:
        A :class:`TrainingRun`. With ``options.output_model="best-validation"`` and a
        validation, the network holds the weights of the lowest validation loss.

    Raises:
        TrainingDivergedError: a loss or gradient norm became NaN or infinite; the
            network keeps the last finite weights.
        ValueError: ``resume_from`` is missing, unsafe, or of another run.

    Example:
        >>> import torch
        >>> from lstmkit.nn.network import SequenceNetwork
        >>> from lstmkit.training import SequenceModule, TrainingOptions, run_training
        >>> x = torch.randn(16, 5, 1)
        >>> loader = torch.utils.data.DataLoader([(x, None, x.sum(1))], batch_size=None)
        >>> module = SequenceModule(SequenceNetwork(1, 1, hidden_size=4), "regression",
        ...                         TrainingOptions())
        >>> run = run_training(module, TrainingOptions(), run_dir="run", train_dataloaders=loader,
        ...                    max_epochs=3, limit_val_batches=0)  # doctest: +SKIP
        >>> sorted(p.name for p in run.run_dir.iterdir())  # doctest: +SKIP
        ['checkpoints', 'lightning', 'training-progress.csv', 'training-progress.png']
    """
    from lightning.pytorch.loggers import CSVLogger

    from lstmkit.training.callbacks import BestValidationWeights
    from lstmkit.training.checkpoints import (
        CHECKPOINT_FILE,
        RunCheckpoint,
        check_resume,
        run_fingerprint,
    )
    from lstmkit.training.guards import DivergenceGuard
    from lstmkit.training.hooks import current_extra_callbacks

    kept = run_dir or options.log_dir
    keep_checkpoints = write_run_folder and bool(kept)
    fingerprint: dict[str, Any] = {}
    if keep_checkpoints or resume_from is not None:
        fingerprint = run_fingerprint(module, options, data_fingerprint or {})
    if resume_from is not None:
        check_resume(resume_from, fingerprint)

    folder, temporary = None, False
    if write_run_folder:
        temporary = not kept
        folder = Path(kept) if kept else Path(tempfile.mkdtemp(prefix="lstmkit-run-"))
        folder.mkdir(parents=True, exist_ok=True)
        if resume_from is None:  # a fresh run: the old log would mix with the new one
            shutil.rmtree(folder / LIGHTNING_LOG, ignore_errors=True)
        _remove_stale_checkpoints(folder / CHECKPOINTS / CHECKPOINT_FILE, resume_from)
    try:
        _seed_everything(options.seed)
        best = BestValidationWeights()
        every_callback = [best, DivergenceGuard(options), *callbacks, *current_extra_callbacks()]
        logging_settings: dict[str, Any] = {"logger": False, "enable_checkpointing": False}
        if folder is not None:
            logging_settings = {
                "logger": CSVLogger(folder, name="", version=LIGHTNING_LOG),
                "log_every_n_steps": 1,
                "default_root_dir": folder,
                "enable_checkpointing": keep_checkpoints,
            }
        if keep_checkpoints:
            every_callback.append(
                RunCheckpoint(
                    folder / CHECKPOINTS / CHECKPOINT_FILE,  # type: ignore[operator]
                    fingerprint,
                    every_steps=options.checkpoint_every_steps,
                    every_minutes=options.checkpoint_every_minutes,
                )
            )
        elif resume_from is not None:  # nothing to write, but what it holds is restored
            every_callback.append(RunCheckpoint(None, fingerprint))
            logging_settings["enable_checkpointing"] = True
        with quiet_lightning(options.verbose):
            trainer = lightning_trainer(
                options, callbacks=every_callback, **logging_settings, **trainer_settings
            )
        data = {"train_dataloaders": train_dataloaders, "val_dataloaders": val_dataloaders}
        if datamodule is not None:
            data = {"datamodule": datamodule}
        fit_settings: dict[str, Any] = {"ckpt_path": None}
        if resume_from is not None:
            fit_settings["ckpt_path"] = str(resume_from)
            if "weights_only" in inspect.signature(trainer.fit).parameters:
                fit_settings["weights_only"] = True  # never unpickle (Lightning >= 2.5)
        with torch_threads(options.num_threads):
            start = time.perf_counter()
            with quiet_lightning(options.verbose), warnings.catch_warnings():
                # Validation is the fit's choice (callbacks may validate instead).
                warnings.filterwarnings("ignore", message=r".*no `val_dataloader`")
                trainer.fit(module, **data, **fit_settings)
            seconds = time.perf_counter() - start

        if options.output_model == "best-validation" and best.best_weights is not None:
            module.network.load_state_dict(best.best_weights)
        history = None
        if folder is not None:
            history = read_history(folder / LIGHTNING_LOG / "metrics.csv", module.metric_name)
            if trainer.is_global_zero and not temporary:
                write_progress(history, folder, module.metric_name)
    finally:
        if temporary and folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
    return TrainingRun(trainer, None if temporary else folder, history, best, seconds)


def _seed_everything(seed: int) -> None:
    """Seed every generator Lightning knows of (torch, numpy, python, workers)."""
    import lightning as L

    L.seed_everything(seed, workers=True, verbose=False)


def _remove_stale_checkpoints(last: Path, resume_from: str | Path | None) -> None:
    """A previous run's ``last.ckpt`` must not pass for this run's after a kill."""
    if last.exists() and not (
        resume_from is not None and last.resolve() == Path(resume_from).resolve()
    ):
        last.unlink()
    if last.parent.is_dir():
        for leftover in last.parent.glob(f".{last.name}.tmp-*"):  # killed writes
            leftover.unlink(missing_ok=True)
