"""Run checkpoints: written atomically while training, tied to their run, never unpickled.

:class:`RunCheckpoint` writes ``checkpoints/last.ckpt`` at the end of every epoch, at
the end of training, and, when :class:`~lstmkit.training.TrainingOptions` ask for it,
every ``checkpoint_every_steps`` iterations and/or every ``checkpoint_every_minutes``
within an epoch. Each write goes to a temporary file in the same folder, is flushed to
disk and then renamed over ``last.ckpt`` (``os.replace``), so a kill -9 at any moment
leaves the previous checkpoint or the new one, never a partial file.

A checkpoint holds, besides Lightning's own state (weights, optimiser, schedules, loop
counters, callbacks), what Lightning leaves out and an exact continuation needs: the
random number generators (dropout) and, mid-epoch, how many batches of the epoch were
trained (:class:`ResumableLoader` skips them when training resumes). It also holds a
*fingerprint* of its run (:func:`run_fingerprint`): the network's parameter shapes, the
objective, the options that shape the trajectory and a digest of the data.
:func:`check_resume` reads a checkpoint with ``torch.load(weights_only=True)`` -- plain
tensors and numbers only, nothing is unpickled -- and refuses one that was written by
another configuration or for other data, naming what differs.

What is exact: resuming from a checkpoint written at the end of an epoch or of
training, or (with step/time checkpoints) after any iteration, continues the same
trajectory as an uninterrupted run with the same seed, to the last bit on the same
machine and thread count (``tests/reliability/test_faults_resume.py`` kills training
with SIGKILL to check this).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import random
import time
import uuid
import warnings
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import lightning as L
import numpy as np
import torch
from lightning.pytorch.callbacks import Checkpoint
from torch.utils.data import DataLoader

from lstmkit._files import fsync_dir
from lstmkit.training.options import TrainingOptions

__all__ = [
    "CHECKPOINT_FILE",
    "FINGERPRINT_KEY",
    "ResumableLoader",
    "RunCheckpoint",
    "check_resume",
    "data_digest",
    "run_fingerprint",
]

CHECKPOINT_FILE = "last.ckpt"
#: Where a checkpoint keeps the fingerprint of its run.
FINGERPRINT_KEY = "lstmkit_run"
#: TrainingOptions that change the trajectory of training (so a resume must share them).
#: Not here: max_epochs (a run may be continued for longer; but see cosine below),
#: validation_patience, output_model, devices and threads, logging and checkpointing.
TRAJECTORY_OPTIONS = (
    "optimizer",
    "learning_rate",
    "momentum",
    "lr_schedule",
    "lr_drop_factor",
    "lr_drop_period",
    "lr_patience",
    "batch_size",
    "gradient_threshold",
    "gradient_threshold_method",
    "l2_regularization",
    "validation_frequency",
    "shuffle",
    "sequence_length",
    "padding_side",
    "seed",
)


# ------------------------------------------------------------------ fingerprints
def data_digest(data: Any) -> str | None:
    """A SHA-256 digest of training data: arrays, tensors, numbers, strings, and
    datasets (anything with ``len()`` and indexing) item by item.

    Args:
        data: the data; None gives None.

    Returns:
        The hex digest, or None for None.

    Example:
        >>> import numpy as np
        >>> from lstmkit.training.checkpoints import data_digest
        >>> data_digest([np.zeros(3), 1]) == data_digest([np.zeros(3), 1])
        True
        >>> data_digest([np.zeros(3), 1]) == data_digest([np.zeros(3), 2])
        False
    """
    if data is None:
        return None
    digest = hashlib.sha256()
    _feed(digest, data)
    return digest.hexdigest()


def _feed(digest: Any, value: Any) -> None:
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu()
        if value.dtype == torch.bfloat16:
            value = value.float()
        value = value.numpy()
    if isinstance(value, np.ndarray):
        array = np.ascontiguousarray(value)
        digest.update(f"a{array.dtype.str}{array.shape}".encode())
        digest.update(array.tobytes() if array.dtype != object else repr(array.tolist()).encode())
    elif isinstance(value, str | bytes | int | float | bool | np.generic) or value is None:
        digest.update(f"{type(value).__name__}:{value!r};".encode())
    elif isinstance(value, Mapping):
        digest.update(b"{")
        for key in sorted(value, key=repr):
            _feed(digest, key)
            _feed(digest, value[key])
        digest.update(b"}")
    elif isinstance(value, list | tuple):
        digest.update(f"[{len(value)}".encode())
        for item in value:
            _feed(digest, item)
        digest.update(b"]")
    elif hasattr(value, "__len__") and hasattr(value, "__getitem__"):  # a Dataset
        digest.update(f"d{len(value)}".encode())
        for index in range(len(value)):
            _feed(digest, value[index])
    else:
        digest.update(repr(value).encode())


def run_fingerprint(
    module: L.LightningModule, options: TrainingOptions, data: Mapping[str, str | None]
) -> dict[str, Any]:
    """What ties a checkpoint to its run: network, objective, options, data.

    Args:
        module: the LightningModule being trained (its ``network``, if it has one, is
            described by its parameter names, shapes and dtypes).
        options: the :class:`TrainingOptions`; the fields in ``TRAJECTORY_OPTIONS``
            count (and ``max_epochs`` with a cosine schedule, which spans the run).
        data: name -> digest (:func:`data_digest`), e.g. ``{"training data": ...}``.

    Returns:
        A dict of plain values (stored in the checkpoint).

    Example:
        >>> from lstmkit.nn.network import SequenceNetwork
        >>> from lstmkit.training import SequenceModule, TrainingOptions
        >>> from lstmkit.training.checkpoints import run_fingerprint
        >>> module = SequenceModule(SequenceNetwork(3, 2, hidden_size=4), "classification",
        ...                         TrainingOptions())
        >>> sorted(run_fingerprint(module, TrainingOptions(), {"training data": "ab"}))
        ['data', 'module', 'network', 'objective', 'options']
    """
    network = getattr(module, "network", module)
    parameters = {
        name: [list(tensor.shape), str(tensor.dtype).removeprefix("torch.")]
        for name, tensor in network.state_dict().items()
    }
    values = {name: getattr(options, name) for name in TRAJECTORY_OPTIONS}
    if options.lr_schedule == "cosine":
        values["max_epochs"] = options.max_epochs
    objective = getattr(module, "objective", None)
    return {
        "module": type(module).__qualname__,
        "network": {"class": type(network).__qualname__, "parameters": parameters},
        "objective": getattr(objective, "name", None),
        "options": values,
        "data": dict(data),
    }


def _differences(saved: Mapping[str, Any], current: Mapping[str, Any]) -> list[str]:
    found = []
    for key, what in (("module", "training module"), ("objective", "objective")):
        if saved.get(key) != current.get(key):
            found.append(f"{what}: checkpoint {saved.get(key)!r}, this fit {current.get(key)!r}")
    old_net, new_net = saved.get("network") or {}, current.get("network") or {}
    if old_net.get("class") != new_net.get("class"):
        found.append(f"network: checkpoint {old_net.get('class')}, this fit {new_net.get('class')}")
    old_params, new_params = old_net.get("parameters") or {}, new_net.get("parameters") or {}
    if old_params != new_params:
        changed = [
            f"{name} {_shape(old_params.get(name))} -> {_shape(new_params.get(name))}"
            for name in list(old_params) + [n for n in new_params if n not in old_params]
            if old_params.get(name) != new_params.get(name)
        ]
        more = f" (and {len(changed) - 3} more)" if len(changed) > 3 else ""
        found.append(f"network parameters: {', '.join(changed[:3])}{more}")
    old_opts, new_opts = saved.get("options") or {}, current.get("options") or {}
    for name in sorted(set(old_opts) | set(new_opts)):
        if old_opts.get(name) != new_opts.get(name):
            found.append(
                f"TrainingOptions.{name}: checkpoint {old_opts.get(name)!r}, "
                f"this fit {new_opts.get(name)!r}"
            )
    old_data, new_data = saved.get("data") or {}, current.get("data") or {}
    for name in sorted(set(old_data) | set(new_data)):
        if old_data.get(name) != new_data.get(name):
            found.append(f"{name}: {_digest(old_data.get(name))} -> {_digest(new_data.get(name))}")
    return found


def _shape(entry: Any) -> str:
    return "absent" if entry is None else f"{tuple(entry[0])} {entry[1]}"


def _digest(value: Any) -> str:
    return "none" if value is None else f"sha256 {str(value)[:12]}..."


def check_resume(path: str | os.PathLike[str], fingerprint: Mapping[str, Any]) -> None:
    """Refuse a checkpoint that cannot be trusted or does not belong to this run.

    The file is read with ``torch.load(weights_only=True)``: tensors, numbers, strings
    and containers only; a file that needs anything else (a pickled object, which could
    run code) is refused, whatever ``TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD`` says.

    Args:
        path: the checkpoint (``resume_from``).
        fingerprint: this fit's :func:`run_fingerprint`.

    Returns:
        None.

    Raises:
        ValueError: the file is missing, unreadable, needs unpickling, has no lstmkit
            fingerprint, or was written by another configuration or for other data
            (the message lists what differs).

    Example:
        >>> from lstmkit.training.checkpoints import check_resume
        >>> try:
        ...     check_resume("no/such/last.ckpt", {})
        ... except ValueError as error:
        ...     print(error)
        resume_from must be an existing checkpoint file; received 'no/such/last.ckpt', ...
    """
    path = Path(path)
    if not path.is_file():
        state = "a folder" if path.is_dir() else "which does not exist"
        raise ValueError(
            f"resume_from must be an existing checkpoint file; received {str(path)!r}, {state}"
        )
    try:
        with warnings.catch_warnings():  # torch's note on pickle protocols: not the point
            warnings.filterwarnings("ignore", message=r".*pickle protocol")
            checkpoint = torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as error:
        raise ValueError(
            f"resume_from={str(path)!r} is refused: loading it would need to unpickle "
            f"arbitrary Python objects (which can run code), and lstmkit loads checkpoints "
            f"with weights_only=True. It was not written by lstmkit's training, or was "
            f"tampered with. ({str(error).splitlines()[0]})"
        ) from None
    except Exception as error:
        raise ValueError(
            f"resume_from={str(path)!r} is not a readable checkpoint (truncated or corrupt?): "
            f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"
        ) from None
    saved = checkpoint.get(FINGERPRINT_KEY) if isinstance(checkpoint, dict) else None
    if not isinstance(saved, dict):
        raise ValueError(
            f"resume_from={str(path)!r} has no lstmkit run fingerprint (it was written by "
            f"Lightning directly or by an older lstmkit), so it cannot be checked against "
            f"this fit's configuration and data; start afresh without resume_from"
        )
    differences = _differences(saved, fingerprint)
    if differences:
        raise ValueError(
            f"resume_from={str(path)!r} was written by another run, so continuing it would "
            f"not be this fit: {'; '.join(differences)}. Resume with the configuration and "
            f"data that wrote it, or start afresh without resume_from"
        )


# --------------------------------------------------------------- random states
def _rng_states() -> dict[str, Any]:
    # as tensors where they are long: a checkpoint pickles 625 ints one by one otherwise
    version, internal, gauss_next = random.getstate()
    kind, keys, position, has_gauss, gauss = np.random.get_state()  # noqa: NPY002 (what seeding set)
    states: dict[str, Any] = {
        "torch": torch.get_rng_state(),
        "numpy": [kind, torch.from_numpy(keys.astype(np.int64)), position, has_gauss, gauss],
        "python": [version, torch.tensor(internal, dtype=torch.int64), gauss_next],
    }
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        states["cuda"] = torch.cuda.get_rng_state_all()
    return states


def _set_rng_states(states: Mapping[str, Any]) -> None:
    torch.set_rng_state(states["torch"])
    kind, keys, position, has_gauss, gauss = states["numpy"]
    legacy = (kind, keys.numpy().astype(np.uint32), position, has_gauss, gauss)
    np.random.set_state(legacy)  # noqa: NPY002 (the global state seeding set)
    version, internal, gauss_next = states["python"]
    random.setstate((version, tuple(int(i) for i in internal.tolist()), gauss_next))
    if "cuda" in states and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(states["cuda"])


# ---------------------------------------------------------------- data loading
class ResumableLoader(DataLoader):
    """A ``DataLoader`` that can continue an epoch where a checkpoint left it.

    It batches exactly as ``DataLoader`` does (same arguments, same order, same random
    numbers); after ``skip_next(n)`` its next iterator starts at batch ``n``, so training
    resumed mid-epoch sees the rest of the epoch's batches, not the first ones again.
    :class:`RunCheckpoint` records how many batches were trained and asks for the skip
    (Lightning's own loader-state mechanism runs too early for data set up before the
    checkpoint is restored, so it is not used: ``state_dict`` is empty).

    Args:
        *args, **kwargs: as for ``torch.utils.data.DataLoader``.

    Returns:
        A ``DataLoader``.

    Example:
        >>> from lstmkit.training.checkpoints import ResumableLoader
        >>> loader = ResumableLoader(list(range(10)), batch_size=4)
        >>> loader.skip_next(2)
        >>> [batch.tolist() for batch in loader]
        [[8, 9]]
        >>> len(list(loader))
        3
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._skip = 0

    def skip_next(self, batches: int) -> None:
        """Let the next iterator (only) start after the first ``batches`` batches."""
        self._skip = int(batches)

    def __iter__(self) -> Iterator[Any]:
        iterator = super().__iter__()
        skip, self._skip = self._skip, 0
        for _ in range(skip):
            next(iterator, None)
        return iterator

    # Lightning's Stateful protocol: marks the loader as resumable (no warning when a
    # run resumes mid-epoch); the position itself travels in RunCheckpoint's state.
    def state_dict(self) -> dict[str, Any]:
        return {}

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        pass


# ------------------------------------------------------------------ the callback
class RunCheckpoint(Checkpoint):
    """Write ``last.ckpt`` atomically: every epoch, at the end, and every N steps/minutes.

    Args:
        path: the checkpoint file (``<run folder>/checkpoints/last.ckpt``); None writes
            nothing, but still restores what a checkpoint being resumed holds.
        fingerprint: the run's :func:`run_fingerprint`, stored in every checkpoint.
        every_steps: also write after every this many iterations (within epochs).
        every_minutes: also write when this many minutes passed since the last write.

    Returns:
        A Lightning ``Checkpoint`` callback (:func:`~lstmkit.training.run_training`
        adds it to every run that keeps its folder).

    Example:
        >>> from lstmkit.training.checkpoints import RunCheckpoint
        >>> RunCheckpoint("run/checkpoints/last.ckpt", {}, every_steps=100).every_steps
        100
    """

    def __init__(
        self,
        path: str | os.PathLike[str] | None,
        fingerprint: Mapping[str, Any],
        *,
        every_steps: int | None = None,
        every_minutes: float | None = None,
    ) -> None:
        self.path = None if path is None else Path(path)
        self.fingerprint = dict(fingerprint)
        self.every_steps = every_steps
        self.every_minutes = every_minutes
        self._last_write = time.monotonic()
        self._kind = "epoch"  # what the checkpoint being written is: epoch | step | end
        self._pending = False  # a step checkpoint waits for the validation after its batch
        self._plateau_metrics: dict[str, float] = {}
        self._restore: dict[str, Any] | None = None  # loaded: applied on_train_start
        self._trainer_should_stop = False
        self._batches_trained = 0
        self.writes = 0

    @property
    def state_key(self) -> str:
        return "RunCheckpoint"

    # -------------------------------------------------------------- writing
    def _write(self, trainer: L.Trainer, kind: str) -> None:
        if self.path is None:
            return
        self._trainer_should_stop = trainer.should_stop
        self._kind = kind
        self._plateau_metrics = {}
        if kind == "epoch":  # Lightning steps plateau schedules only after this hook
            for config in trainer.lr_scheduler_configs:
                value = trainer.callback_metrics.get(config.monitor or "")
                if config.reduce_on_plateau and config.interval == "epoch" and value is not None:
                    self._plateau_metrics[config.monitor] = float(value)
        self._batches_trained = trainer.fit_loop.epoch_loop.batch_progress.current.processed
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.parent / f".{self.path.name}.tmp-{uuid.uuid4().hex[:8]}"
        try:
            trainer.save_checkpoint(temporary, weights_only=False)  # all ranks; rank 0 writes
            if trainer.is_global_zero:
                with open(temporary, "rb+") as handle:
                    os.fsync(handle.fileno())
                os.replace(temporary, self.path)
                fsync_dir(self.path.parent)
        finally:
            if trainer.is_global_zero:
                with contextlib.suppress(FileNotFoundError):
                    temporary.unlink()
        self._last_write = time.monotonic()
        self.writes += 1

    def on_save_checkpoint(
        self, trainer: L.Trainer, pl_module: L.LightningModule, checkpoint: dict[str, Any]
    ) -> None:
        checkpoint[FINGERPRINT_KEY] = self.fingerprint

    def state_dict(self) -> dict[str, Any]:
        return {
            "kind": self._kind,
            "rng": _rng_states(),
            "stopped": bool(self._trainer_should_stop),
            "plateau_metrics": dict(self._plateau_metrics),
            "batches_trained": int(self._batches_trained),
        }

    def on_train_start(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        self._last_write = time.monotonic()
        restore, self._restore = self._restore, None
        if restore is None:
            return
        if restore["kind"] == "step":
            # Mid-epoch: start the epoch's data iterator anew, past the batches already
            # trained (creating it draws a random seed); then the generators continue
            # from where the checkpoint's batch left them.
            _skip_trained_batches(trainer, restore["batches_trained"])
            _set_rng_states(restore["rng"])
        if restore["kind"] == "epoch":
            for config in trainer.lr_scheduler_configs:
                value = restore["plateau_metrics"].get(config.monitor or "")
                if config.reduce_on_plateau and value is not None:
                    config.scheduler.step(value)
        if restore["stopped"]:  # the run had stopped early: continuing changes nothing
            trainer.should_stop = True

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        self._restore = dict(state_dict)
        if state_dict["kind"] in ("epoch", "end"):
            # Between epochs: the next draws are the next epoch's (its data iterator).
            _set_rng_states(state_dict["rng"])

    # ------------------------------------------------------------- triggers
    def _due(self, trainer: L.Trainer) -> bool:
        due = bool(self.every_steps) and trainer.global_step % self.every_steps == 0
        if self.every_minutes is not None:
            late = time.monotonic() - self._last_write >= 60.0 * self.every_minutes
            due = due or bool(trainer.strategy.broadcast(late))
        return due

    def on_train_batch_end(
        self, trainer: L.Trainer, pl_module: L.LightningModule, outputs: Any, batch: Any,
        batch_idx: int,
    ) -> None:  # fmt: skip
        if trainer.sanity_checking or not self._due(trainer):
            return
        epoch_loop = trainer.fit_loop.epoch_loop
        if epoch_loop.batch_progress.is_last_batch:
            return  # the epoch's own checkpoint follows
        if _validation_follows(trainer):
            self._pending = True  # written after it, so the checkpoint holds its result
            return
        self._write(trainer, "step")

    def on_validation_end(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        if trainer.sanity_checking or not self._pending:
            return
        self._pending = False
        if trainer.fit_loop.epoch_loop.batch_progress.is_last_batch:
            return  # the epoch's own checkpoint follows
        self._write(trainer, "step")

    def on_train_epoch_end(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        self._pending = False
        last = trainer.max_epochs is not None and trainer.current_epoch + 1 >= trainer.max_epochs
        if not last or trainer.max_epochs < 0:  # after the last epoch: on_train_end writes
            self._write(trainer, "epoch")

    def on_train_end(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        self._write(trainer, "end")


def _skip_trained_batches(trainer: L.Trainer, batches: int) -> None:
    loader = trainer.train_dataloader
    loaders = list(loader) if isinstance(loader, list | tuple) else [loader]
    resumable = [each for each in loaders if isinstance(each, ResumableLoader)]
    if not resumable or batches <= 0:
        return
    # Lightning tells the samplers the epoch only after this hook; the iterator made here
    # must already draw the interrupted epoch's order, so tell them now, as it will.
    epoch = trainer.fit_loop.epoch_progress.current.processed
    for each in resumable:
        for sampler in (each.sampler, getattr(each.batch_sampler, "sampler", None)):
            if callable(getattr(sampler, "set_epoch", None)):
                sampler.set_epoch(epoch)
        each.skip_next(batches)
    iter(trainer.fit_loop._data_fetcher)  # re-create the epoch's iterator (and prefetch)


def _validation_follows(trainer: L.Trainer) -> bool:
    """Whether Lightning validates right after the current training batch."""
    loop = trainer.fit_loop.epoch_loop
    try:
        return bool(loop._should_check_val_fx(trainer.fit_loop._data_fetcher))
    except (AttributeError, TypeError):  # another Lightning: assume it may
        return bool(trainer.enable_validation)
