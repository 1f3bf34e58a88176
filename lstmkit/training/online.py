"""Online training: fresh generated batches every step, stopped once a task is solved.

Generated tasks (the adding problem, temporal order, Reber grammars) have an endless
supply of data, and the 1997 LSTM paper trained on a new sequence at every step until
a criterion held. :func:`fit_online` does that on Lightning with lstmkit's
:class:`~lstmkit.training.SequenceModule` and fit engine (same objectives, optimisers,
gradient clipping and run folder as :func:`~lstmkit.training.fit_network`):
``make_batch(step)`` supplies step
``step``'s batch, and :class:`SolvedShareStopping` checks a solved share on held-out
data every few steps, keeps the best weights and stops when the share is high enough,
so the compute budget goes to the runs that have not learned yet.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import lightning as L
import pandas as pd
import torch
from torch.utils.data import DataLoader, IterableDataset

from lstmkit._checks import check_int, describe
from lstmkit.training.engine import run_training
from lstmkit.training.module import SequenceModule
from lstmkit.training.objectives import Objective
from lstmkit.training.options import TrainingOptions

__all__ = ["OnlineFitResult", "SolvedShareStopping", "StreamedBatches", "fit_online"]


class StreamedBatches(IterableDataset):
    """An endless stream of ready-made batches: ``make_batch(0)``, ``make_batch(1)``, ...

    Args:
        make_batch: step -> ``(x, lengths, y)`` as :class:`SequenceModule` takes it
            (``lengths`` may be None when no sequence is padded). Seed it from the step
            so that the stream is reproducible.

    Returns:
        An ``IterableDataset``; use it with ``DataLoader(..., batch_size=None)``.

    Example:
        >>> import torch
        >>> from lstmkit.training.online import StreamedBatches
        >>> stream = iter(StreamedBatches(lambda s: (torch.full((1, 2, 1), s), None, s)))
        >>> [next(stream)[2] for _ in range(3)]
        [0, 1, 2]
    """

    def __init__(self, make_batch: Callable[[int], tuple]) -> None:
        self.make_batch = make_batch

    def __iter__(self) -> Iterator[tuple]:
        for step in itertools.count():
            yield self.make_batch(step)


class SolvedShareStopping(L.Callback):
    """Every ``check_every`` steps, measure a solved share; keep the best; stop when solved.

    Args:
        solved_share: network -> share of held-out sequences solved (0-1). It is called
            in eval mode under ``torch.no_grad``; it should use validation data only.
        check_every: training steps between checks.
        threshold: stop as soon as the share reaches this.
        restore_best: at the end, load the weights of the best share seen (the last
            check wins ties, so a run that solved keeps its final weights).

    Returns:
        A callback; after training ``history`` holds ``(step, share)`` pairs,
        ``best_share``/``best_step`` the best check and ``solved`` whether the threshold
        was reached.

    Example:
        >>> from lstmkit.training import SolvedShareStopping
        >>> SolvedShareStopping(lambda net: 1.0, check_every=50).best_share
        -1.0
    """

    def __init__(
        self,
        solved_share: Callable[[torch.nn.Module], float],
        *,
        check_every: int = 50,
        threshold: float = 1.0,
        restore_best: bool = True,
    ) -> None:
        if not callable(solved_share):
            raise TypeError(f"solved_share must be callable; received {describe(solved_share)}")
        check_int("check_every", check_every, 1)
        if not 0 < threshold <= 1:
            raise ValueError(f"threshold must lie in (0, 1]; received {threshold!r}")
        self.solved_share = solved_share
        self.check_every = check_every
        self.threshold = threshold
        self.restore_best = restore_best
        self.history: list[tuple[int, float]] = []
        self.best_share = -1.0
        self.best_step = 0
        self.best_weights: dict | None = None
        self.solved = False

    def check(self, network: torch.nn.Module, step: int) -> float:
        """Measure the share now (eval mode, no gradients) and update the best."""
        was_training = network.training
        network.eval()
        with torch.no_grad():
            share = float(self.solved_share(network))
        network.train(was_training)
        self.history.append((step, share))
        if share >= self.best_share:
            self.best_share, self.best_step = share, step
            self.best_weights = copy.deepcopy(network.state_dict())
        self.solved = self.solved or share >= self.threshold
        return share

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx) -> None:
        step = trainer.global_step
        if step % self.check_every == 0 and self.check(pl_module.network, step) >= self.threshold:
            trainer.should_stop = True

    def on_train_end(self, trainer, pl_module) -> None:
        step = trainer.global_step
        if not self.history or self.history[-1][0] != step:
            self.check(pl_module.network, step)  # the final weights get their check too
        if self.restore_best and self.best_weights is not None:
            pl_module.network.load_state_dict(self.best_weights)


@dataclass
class OnlineFitResult:
    """What :func:`fit_online` did.

    Args:
        steps: optimiser steps taken.
        seconds: wall time of training.
        sequences: training sequences seen (sum of batch sizes).
        stopped_early: True if a callback stopped training before ``max_steps``.
        history: ``(step, solved share)`` checks, if a :class:`SolvedShareStopping` ran.
        run_dir: the run folder, if one was written (``run_dir`` or ``options.log_dir``).
        progress: the training history written to it (one row per step), or None.

    Returns:
        Made by :func:`fit_online`.

    Example:
        >>> from lstmkit.training.online import OnlineFitResult
        >>> OnlineFitResult(steps=10, seconds=1.0, sequences=320, stopped_early=False).steps
        10
    """

    steps: int
    seconds: float
    sequences: int
    stopped_early: bool
    history: list[tuple[int, float]] = field(default_factory=list)
    run_dir: Path | None = None
    progress: pd.DataFrame | None = None


class _Counter(L.Callback):
    """Counts the training sequences seen (batches may differ in size)."""

    def __init__(self) -> None:
        self.sequences = 0

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx) -> None:
        self.sequences += int(batch[0].shape[0])


def fit_online(
    network: torch.nn.Module,
    objective: str | Objective,
    make_batch: Callable[[int], tuple],
    options: TrainingOptions,
    *,
    max_steps: int,
    callbacks: Sequence[L.Callback] = (),
    run_dir: str | Path | None = None,
) -> OnlineFitResult:
    """Train ``network`` in place on freshly generated batches for up to ``max_steps``.

    The optimiser, learning rate, gradient clipping, seed and thread count come from
    ``options`` (its epoch, batch-size, validation and shuffling fields do not apply:
    ``make_batch`` decides the batches). By default nothing is written to disk: these
    runs are short and many, and a generated task needs no checkpoint to be rerun;
    with ``run_dir`` (or ``options.log_dir``) the run folder holds the same files as
    :func:`~lstmkit.training.fit_network`'s.

    Args:
        network: maps ``(x, lengths)`` to outputs; trained in place.
        objective: an :class:`~lstmkit.training.Objective` or a registered name
            (``"regression"``, ``"classification"``, ``"sequence-regression"``,
            ``"tagging"``, ...); see :class:`SequenceModule`.
        make_batch: step -> ``(x, lengths, y)`` tensors (``lengths`` None if unpadded).
        options: the :class:`TrainingOptions`.
        max_steps: the step budget.
        callbacks: e.g. a :class:`SolvedShareStopping`.
        run_dir: a run folder to write (training-progress CSV and PNG, checkpoints);
            None: ``options.log_dir``, or nothing.

    Returns:
        An :class:`OnlineFitResult`.

    Example:
        >>> import torch
        >>> from lstmkit.nn.network import SequenceNetwork
        >>> from lstmkit.training import TrainingOptions, fit_online
        >>> def batch(step):
        ...     x = torch.randn(32, 5, 1, generator=torch.Generator().manual_seed(step))
        ...     return x, None, x.sum(1)
        >>> result = fit_online(SequenceNetwork(1, 1, hidden_size=8), "regression", batch,
        ...                     TrainingOptions(), max_steps=20)  # doctest: +SKIP
    """
    check_int("max_steps", max_steps, 1)
    module = SequenceModule(network, objective, options)
    counter = _Counter()
    folder = run_dir or options.log_dir
    run = run_training(
        module,
        options,
        run_dir=folder,
        write_run_folder=folder is not None,
        callbacks=[counter, *callbacks],
        train_dataloaders=DataLoader(StreamedBatches(make_batch), batch_size=None),
        max_steps=max_steps,
        max_epochs=-1,
        limit_val_batches=0,
    )
    network.eval()
    history = next((list(c.history) for c in callbacks if isinstance(c, SolvedShareStopping)), [])
    steps = int(run.trainer.global_step)
    return OnlineFitResult(
        steps=steps,
        seconds=run.seconds,
        sequences=counter.sequences,
        stopped_early=steps < max_steps,
        history=history,
        run_dir=run.run_dir,
        progress=run.history,
    )
