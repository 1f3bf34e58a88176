"""Training a language model on one continuous text: stateful truncated BPTT on Lightning.

The standard language-model set-up (Zaremba et al. 2014; PyTorch's word_language_model
example): the token stream is cut into ``B`` equal parallel streams, one per batch row,
and each batch is the next window of ``bptt`` tokens of every stream. The LSTM state at
the end of one window is the start of the next (detached, so gradients flow back at
most ``bptt`` steps: *truncated* back-propagation through time); each row thus reads
its part of the text from beginning to end, with no resets in the middle of sentences.
The state is reset to zero at the start of every epoch, and validation runs on its
own streams with its own state.

Lightning runs the loop, gradient clipping, checkpoints and the CSV log; the
training-progress CSV and PNG have the same columns as every other lstmkit run, with
perplexity as the metric. Training runs in one process (the carried state belongs to
one set of streams).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset

from lstmkit._checks import check_int, describe
from lstmkit.training.engine import FitResult, run_training
from lstmkit.training.options import TrainingOptions

__all__ = ["LanguageModelFitResult", "TokenStreams", "fit_language_model"]


def __getattr__(name: str) -> Any:
    # LanguageModelModule subclasses Lightning's module: Lightning loads when it is used.
    if name == "LanguageModelModule":
        from lstmkit.training.language_model_module import LanguageModelModule

        return LanguageModelModule
    raise AttributeError(f"module 'lstmkit.training.language_model' has no attribute {name!r}")


class TokenStreams(Dataset):
    """A token stream as ``batch_size`` parallel streams, served window by window.

    The first ``batch_size * L + 1`` tokens are used (``L = (N - 1) // batch_size``);
    row ``b`` of every batch continues row ``b`` of the batch before. Item ``i`` is the
    i-th window: inputs ``(B, t)`` and targets ``(B, t)`` (the inputs shifted by one
    token), ``t = bptt`` except for a shorter last window.

    Args:
        tokens: token ids of one continuous text, ``(N,)``.
        batch_size: number of parallel streams B.
        bptt: window length (steps of back-propagation through time).

    Returns:
        A map-style dataset; use it with ``DataLoader(..., batch_size=None)`` and no
        shuffling (the order is the point).

    Example:
        >>> import numpy as np
        >>> from lstmkit.training import TokenStreams
        >>> data = TokenStreams(np.arange(21), batch_size=2, bptt=4)
        >>> len(data), data.tokens_per_epoch
        (3, 20)
        >>> x, y = data[0]
        >>> x.tolist(), y.tolist()
        ([[0, 1, 2, 3], [10, 11, 12, 13]], [[1, 2, 3, 4], [11, 12, 13, 14]])
    """

    def __init__(self, tokens: Any, batch_size: int, bptt: int) -> None:
        ids = torch.as_tensor(np.asarray(tokens), dtype=torch.int64)
        if ids.dim() != 1:
            raise ValueError(f"tokens must be 1-D token ids; received {describe(tokens)}")
        check_int("batch_size", batch_size, 1)
        check_int("bptt", bptt, 1)
        length = (len(ids) - 1) // batch_size
        if length < 1:
            raise ValueError(
                f"tokens has {len(ids)} ids, too few for batch_size={batch_size} parallel "
                f"streams (need at least batch_size + 1); use a smaller batch_size"
            )
        used = batch_size * length
        self.inputs = ids[:used].reshape(batch_size, length)
        self.targets = ids[1 : used + 1].reshape(batch_size, length)
        self.bptt = bptt
        self.tokens_per_epoch = used

    def __len__(self) -> int:
        return math.ceil(self.inputs.shape[1] / self.bptt)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        if not 0 <= index < len(self):
            raise IndexError(f"window {index} out of range [0, {len(self)})")
        cols = slice(index * self.bptt, (index + 1) * self.bptt)
        return self.inputs[:, cols], self.targets[:, cols]


@dataclass
class LanguageModelFitResult(FitResult):
    """A :class:`FitResult` plus the training throughput.

    Args:
        train_tokens: tokens trained on (all epochs).
        train_tokens_per_second: ``train_tokens`` over the time spent in training
            steps (forward, backward, optimiser; validation excluded).
        (the rest): as :class:`FitResult`.

    Returns:
        Made by :func:`fit_language_model`.

    Example:
        >>> import pandas as pd
        >>> from lstmkit.training import LanguageModelFitResult
        >>> LanguageModelFitResult("run", pd.DataFrame(), 1, None, None, 0.0, 2.0,
        ...                        1000, 500.0).train_tokens_per_second
        500.0
    """

    train_tokens: int = 0
    train_tokens_per_second: float = 0.0


def fit_language_model(
    network: nn.Module,
    train_tokens: Any,
    val_tokens: Any | None,
    options: TrainingOptions,
    *,
    bptt: int = 35,
    run_dir: str | Path | None = None,
    resume_from: str | Path | None = None,
) -> LanguageModelFitResult:
    """Train a language model in place by stateful truncated BPTT; write the run folder.

    Args:
        network: a :class:`~lstmkit.nn.language_model.LanguageModelNetwork` (or any
            module with its ``forward`` and ``loss``); trained in place.
        train_tokens: token ids of the training text, one continuous stream.
        val_tokens: token ids of the validation text, or None.
        options: the :class:`TrainingOptions`; ``batch_size`` is the number of
            parallel streams, ``validation_frequency`` (iterations) lets a run with few
            long epochs validate, and keep the best weights, within an epoch.
            ``shuffle``, ``sequence_length`` and ``padding_side`` do not apply.
        bptt: window length: gradients flow back through at most this many steps.
        run_dir: where the CSV, plot and checkpoints go (default: ``options.log_dir``;
            with neither, a temporary folder removed at the end, and no checkpoints).
        resume_from: a checkpoint of this run (``run_dir/checkpoints/last.ckpt``) to
            continue from (also mid-epoch: the carried state is in the checkpoint);
            refused if written with other options, another network or other text.

    Returns:
        A :class:`LanguageModelFitResult`. With ``output_model="best-validation"`` and
        validation tokens, the network holds the weights of the lowest validation loss.

    Example:
        >>> import numpy as np
        >>> from lstmkit.nn.language_model import LanguageModelNetwork
        >>> from lstmkit.training import TrainingOptions, fit_language_model
        >>> tokens = np.tile(np.arange(10), 50)            # 0 1 2 ... 9 0 1 2 ...
        >>> result = fit_language_model(LanguageModelNetwork(10, 16, 16), tokens, None,
        ...                             TrainingOptions(max_epochs=3), bptt=10)  # doctest: +SKIP
    """
    if options.devices not in (1, "1", "auto") or options.num_nodes != 1:
        raise ValueError(
            "fit_language_model trains in one process (the carried LSTM state belongs to "
            f"one set of streams); received devices={options.devices!r}, "
            f"num_nodes={options.num_nodes}"
        )
    train_set = TokenStreams(train_tokens, options.batch_size, bptt)
    val_set = None
    if val_tokens is not None and len(val_tokens) > 1:
        # Validation streams: as few as keep it quick, yet every token is scored once.
        val_batch = max(1, min(options.batch_size, (len(val_tokens) - 1) // (4 * bptt)))
        val_set = TokenStreams(val_tokens, val_batch, bptt)
    from lstmkit.training.checkpoints import ResumableLoader, data_digest
    from lstmkit.training.language_model_module import LanguageModelModule

    module = LanguageModelModule(network, options)
    every = options.validation_frequency
    fingerprint = None
    if run_dir or options.log_dir or resume_from is not None:  # checkpoints are tied to data
        fingerprint = {
            "training data": data_digest([train_set.inputs, train_set.targets, bptt]),
            "validation data": data_digest(
                None if val_set is None else [val_set.inputs, val_set.targets]
            ),
        }
    run = run_training(
        module,
        options,
        run_dir=run_dir,
        resume_from=resume_from,
        data_fingerprint=fingerprint,
        train_dataloaders=ResumableLoader(train_set, batch_size=None, shuffle=False),
        val_dataloaders=(
            DataLoader(val_set, batch_size=None, shuffle=False) if val_set is not None else []
        ),
        max_epochs=options.max_epochs,
        devices=1,  # the carried-over states belong to one process's streams
        limit_val_batches=1.0 if val_set is not None else 0,
        val_check_interval=min(every, len(train_set)) if every else None,
        check_val_every_n_epoch=None if every else 1,
    )
    network.eval()
    return LanguageModelFitResult.from_run(
        run,
        padding_fraction=0.0,  # one continuous stream: nothing is padded
        train_tokens=module.train_tokens,
        train_tokens_per_second=module.train_tokens / max(module.train_seconds, 1e-9),
    )
