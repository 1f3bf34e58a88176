"""TrainingOptions: the analogue of MATLAB's ``trainingOptions``, as one dataclass."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

from lstmkit._checks import check_bool, check_choice, check_int, check_positive

OPTIMIZERS = ("adam", "sgdm", "rmsprop", "adamw")
SCHEDULES = ("none", "piecewise", "cosine", "plateau")
CLIP_METHODS = ("l2norm", "value")
OUTPUT_MODELS = ("best-validation", "last")
SHUFFLES = ("every-epoch", "once", "never")
PADDING_SIDES = ("right", "left")


@dataclass
class TrainingOptions:
    """How to train: optimiser, schedule, batches, validation, devices, logging.

    Args:
        optimizer: ``"adam"`` (default), ``"sgdm"`` (SGD with momentum), ``"rmsprop"`` or
            ``"adamw"``.
        learning_rate: initial learning rate.
        momentum: momentum for ``"sgdm"``.
        lr_schedule: ``"none"``, ``"piecewise"`` (multiply by ``lr_drop_factor`` every
            ``lr_drop_period`` epochs), ``"cosine"`` (to zero over ``max_epochs``) or
            ``"plateau"`` (drop when the validation loss stalls ``lr_patience`` checks).
        lr_drop_factor, lr_drop_period, lr_patience: see ``lr_schedule``.
        max_epochs: passes over the training data.
        batch_size: sequences per mini-batch (across all processes).
        gradient_threshold: clip gradients at this value; None for no clipping.
        gradient_threshold_method: ``"l2norm"`` (global L2 norm of all gradients) or
            ``"value"`` (each element).
        l2_regularization: weight decay (decoupled for ``"adamw"``).
        validation_frequency: validate every this many iterations; None = every epoch.
        validation_patience: stop after this many validations without a better
            validation loss; None = never stop early.
        output_model: ``"best-validation"`` (weights of the best validation loss) or
            ``"last"``.
        shuffle: ``"every-epoch"``, ``"once"`` or ``"never"``.
        sequence_length: ``"longest"`` (pad to the batch's longest), ``"shortest"``
            (truncate to its shortest) or an int (split longer sequences into chunks).
        padding_side: ``"right"`` or ``"left"``.
        seed: seeds weights, shuffling and dropout; the same seed gives the same model.
        accelerator, devices, num_nodes, strategy: passed to Lightning's Trainer
            (e.g. ``strategy="ddp", devices=2`` for two processes).
        progress_bar: show a progress bar (on stderr) with the training loss and the
            validation metric.
        verbose: show Lightning's own messages (hardware summary, tips, warnings);
            False keeps them quiet.
        log_dir: folder for metrics CSV, plots and checkpoints; None = a temporary one,
            removed when training ends (no checkpoints are kept then).
        checkpoint_every_steps: besides the end of every epoch, also write the run's
            ``checkpoints/last.ckpt`` every this many iterations; None: epoch ends only.
            Resuming from such a checkpoint continues the epoch exactly.
        checkpoint_every_minutes: also write it when this many minutes have passed since
            the last write (for long epochs); None: no time-based checkpoints.
        num_threads: CPU threads torch may use while training (restored afterwards);
            None keeps torch's setting. On a shared machine 1 can be much faster:
            idle-spinning OpenMP threads slow small recurrent ops when a core is busy.
        adapt_to_data: let an estimator choose the length and pace of training from
            its data (batch size, epochs, early stopping, schedule; the Forecaster also
            the learning rate and clipping), as it does with ``training_options=None``,
            while the other fields (device, progress bar, threads, ...) stay as given.
            Only fields left at their default values are chosen; a field set to a value
            other than its default is kept. The training engine itself ignores it.

    Returns:
        A dataclass; ``to_dict()`` gives JSON-safe values for a model's config.

    Example:
        >>> from lstmkit.training import TrainingOptions
        >>> opts = TrainingOptions(max_epochs=5, learning_rate=3e-3, lr_schedule="cosine")
        >>> opts.optimizer, opts.batch_size
        ('adam', 32)
    """

    optimizer: str = "adam"
    learning_rate: float = 1e-3
    momentum: float = 0.9
    lr_schedule: str = "none"
    lr_drop_factor: float = 0.1
    lr_drop_period: int = 10
    lr_patience: int = 5
    max_epochs: int = 30
    batch_size: int = 32
    gradient_threshold: float | None = None
    gradient_threshold_method: str = "l2norm"
    l2_regularization: float = 0.0
    validation_frequency: int | None = None
    validation_patience: int | None = None
    output_model: str = "best-validation"
    shuffle: str = "every-epoch"
    sequence_length: str | int = "longest"
    padding_side: str = "right"
    seed: int = 0
    accelerator: str = "cpu"
    devices: int | str = 1
    num_nodes: int = 1
    strategy: str = "auto"
    progress_bar: bool = False
    log_dir: str | None = None
    num_threads: int | None = None
    checkpoint_every_steps: int | None = None
    checkpoint_every_minutes: float | None = None
    verbose: bool = False
    adapt_to_data: bool = False

    def __post_init__(self) -> None:
        check_choice("optimizer", self.optimizer, OPTIMIZERS)
        check_positive("learning_rate", self.learning_rate)
        check_positive("momentum", self.momentum, allow_zero=True)
        check_choice("lr_schedule", self.lr_schedule, SCHEDULES)
        check_positive("lr_drop_factor", self.lr_drop_factor)
        check_int("lr_drop_period", self.lr_drop_period, 1)
        check_int("lr_patience", self.lr_patience, 0)
        check_int("max_epochs", self.max_epochs, 1)
        check_int("batch_size", self.batch_size, 1)
        if self.gradient_threshold is not None:
            check_positive("gradient_threshold", self.gradient_threshold)
        check_choice("gradient_threshold_method", self.gradient_threshold_method, CLIP_METHODS)
        check_positive("l2_regularization", self.l2_regularization, allow_zero=True)
        if self.validation_frequency is not None:
            check_int("validation_frequency", self.validation_frequency, 1)
        if self.validation_patience is not None:
            check_int("validation_patience", self.validation_patience, 1)
        check_choice("output_model", self.output_model, OUTPUT_MODELS)
        check_choice("shuffle", self.shuffle, SHUFFLES)
        if isinstance(self.sequence_length, str):
            check_choice("sequence_length", self.sequence_length, ("longest", "shortest"))
        else:
            check_int("sequence_length", self.sequence_length, 1)
        check_choice("padding_side", self.padding_side, PADDING_SIDES)
        check_int("seed", self.seed, 0)
        check_int("num_nodes", self.num_nodes, 1)
        if self.num_threads is not None:
            check_int("num_threads", self.num_threads, 1)
        if self.checkpoint_every_steps is not None:
            check_int("checkpoint_every_steps", self.checkpoint_every_steps, 1)
        if self.checkpoint_every_minutes is not None:
            check_positive("checkpoint_every_minutes", self.checkpoint_every_minutes)
        check_bool("progress_bar", self.progress_bar)
        check_bool("verbose", self.verbose)
        check_bool("adapt_to_data", self.adapt_to_data)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> TrainingOptions:
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"unknown TrainingOptions field(s) {unknown}; known: {sorted(known)}")
        return cls(**values)
