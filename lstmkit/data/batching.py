"""Mini-batches of sequences of different lengths: bucketing, padding, truncation, chunks.

A padded batch costs as many steps as its longest sequence times its size, so batches
of sequences of similar length waste little compute. MATLAB sorts the training data by
length for this; :class:`BucketBatchSampler` does the same and still shuffles, by
shuffling the order of the length-sorted batches (and which of equal-length sequences
share a batch) every epoch.

The pieces, in the order a DataLoader uses them::

    dataset = SequenceDataset(seqs, targets)                  # lists of arrays
    sampler = BucketBatchSampler(dataset.lengths, batch_size=32, seed=0)
    collate = SequenceCollator("right", "longest", "sequence")
    loader = DataLoader(dataset, batch_sampler=sampler, collate_fn=collate)
    for x, lengths, y in loader: ...                          # (B, T, F), (B,), targets

Padded per-step targets carry :data:`IGNORE_INDEX` (-100, class indices; the default
``ignore_index`` of ``torch.nn.functional.cross_entropy``) or NaN (regression values),
so a loss can leave padded steps out.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import numpy as np
import torch
from torch.utils.data import Dataset, Sampler

from lstmkit._checks import check_bool, check_choice, check_int
from lstmkit.data._validation import count, describe
from lstmkit.data.sequences import check_same_length, check_step_targets

__all__ = [
    "IGNORE_INDEX",
    "BucketBatchSampler",
    "SequenceCollator",
    "SequenceDataset",
    "apply_sequence_length",
    "chunk_sequence",
    "epoch_padding_fraction",
    "pad_batch",
    "padding_fraction",
]

#: padded steps of per-step class targets hold this value (cross_entropy's ignore_index)
IGNORE_INDEX = -100
PADDING_SIDES = ("right", "left")
TARGET_KINDS = ("sequence", "step", "none")

Tensor = torch.Tensor


def _as_lengths(lengths: Any, name: str = "lengths") -> np.ndarray:
    """Sequence lengths as a 1-D int64 array of values >= 1."""
    if isinstance(lengths, torch.Tensor):
        lengths = lengths.detach().cpu().numpy()
    array = np.asarray(lengths)
    if array.ndim == 1 and len(array) == 0:
        raise ValueError(f"{name} must hold at least one length; received none")
    if array.ndim != 1 or array.dtype.kind not in "iu":
        raise TypeError(
            f"{name} must be a 1-D sequence of integer lengths; received {describe(array)}"
        )
    if (array < 1).any():
        index = int(np.argmax(array < 1))
        raise ValueError(f"{name} must all be >= 1; received {name}[{index}] = {array[index]}")
    return array.astype(np.int64)


class BucketBatchSampler(Sampler[list[int]]):
    """Batches of sequences of similar length, in a shuffled order, reproducibly.

    Each epoch: the indices are sorted by length (a stable sort of a seeded shuffle, so
    sequences of equal length are grouped differently every epoch), cut into batches of
    ``batch_size`` consecutive indices, and the batches are yielded in a shuffled
    order. Every index appears exactly once per epoch (unless ``drop_last`` leaves a
    few out). The order depends only on ``seed`` and the epoch set by
    :meth:`set_epoch` (as with ``DistributedSampler``; Lightning calls it every epoch),
    never on global random state.

    Args:
        lengths: the length of every sequence in the dataset (list, array or tensor).
        batch_size: sequences per batch.
        shuffle: shuffle ties and the batch order; False yields the batches in order of
            increasing length, the same every epoch (MATLAB's ``Shuffle="never"``).
        seed: seed of the shuffles; with the epoch it fixes the order completely.
        drop_last: leave out the last incomplete batch. With ``shuffle`` the
            ``len(lengths) % batch_size`` left-out sequences are chosen at random each
            epoch (not always the longest ones).

    Returns:
        An iterable of batches (lists of dataset indices), for a DataLoader's
        ``batch_sampler``; ``len()`` is the number of batches per epoch.

    Example:
        >>> from lstmkit.data import BucketBatchSampler
        >>> sampler = BucketBatchSampler([5, 1, 4, 2, 3, 9], batch_size=2, seed=0)
        >>> sorted(sorted(batch) for batch in sampler)  # similar lengths together
        [[0, 5], [1, 3], [2, 4]]
        >>> len(sampler)
        3
    """

    def __init__(
        self,
        lengths: Sequence[int] | np.ndarray | Tensor,
        batch_size: int,
        *,
        shuffle: bool = True,
        seed: int = 0,
        drop_last: bool = False,
    ) -> None:
        super().__init__()
        self.lengths = _as_lengths(lengths)
        check_int("batch_size", batch_size, 1)
        check_bool("shuffle", shuffle)
        check_int("seed", seed, 0)
        check_bool("drop_last", drop_last)
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.seed = seed
        self.drop_last = drop_last
        self.epoch = 0

    def set_epoch(self, epoch: int) -> None:
        """Choose the epoch whose order :meth:`__iter__` yields next."""
        check_int("epoch", epoch, 0)
        self.epoch = epoch

    def __len__(self) -> int:
        n = len(self.lengths)
        return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)

    def batches(self) -> list[list[int]]:
        """This epoch's batches, as lists of indices."""
        n, size = len(self.lengths), self.batch_size
        keep = n - n % size if self.drop_last else n
        if self.shuffle:
            rng = np.random.default_rng([self.seed, self.epoch])
            order = rng.permutation(n)[:keep]  # random ties, random left-out sequences
            order = order[np.argsort(self.lengths[order], kind="stable")]
        else:
            order = np.argsort(self.lengths, kind="stable")[:keep]
        batches = [order[i : i + size].tolist() for i in range(0, keep, size)]
        if self.shuffle:
            batches = [batches[i] for i in rng.permutation(len(batches))]
        return batches

    def __iter__(self) -> Iterator[list[int]]:
        yield from self.batches()


def pad_batch(
    seqs: Sequence[Any],
    *,
    side: str = "right",
    value: float = 0.0,
    dtype: torch.dtype = torch.float32,
) -> tuple[Tensor, Tensor]:
    """Stack sequences of different lengths into one padded tensor.

    Args:
        seqs: B arrays or tensors ``(T_i, F)`` (or ``(T_i,)``, or ``(T_i, *rest)``; the
            trailing dimensions must agree).
        side: ``"right"`` puts the padding after each sequence, ``"left"`` before it
            (the sequence then ends at the last step).
        value: the value of padded entries.
        dtype: the dtype of the result.

    Returns:
        ``(padded, lengths)``: padded is ``(B, T_max, F)`` (generally
        ``(B, T_max, *rest)``), lengths an int64 tensor ``(B,)``.

    Example:
        >>> import numpy as np
        >>> from lstmkit.data import pad_batch
        >>> x, lengths = pad_batch([np.ones((3, 1)), np.ones((1, 1))], side="left")
        >>> x[..., 0].tolist(), lengths.tolist()
        ([[1.0, 1.0, 1.0], [0.0, 0.0, 1.0]], [3, 1])
    """
    check_choice("side", side, PADDING_SIDES)
    if not isinstance(dtype, torch.dtype):
        raise TypeError(f"dtype must be a torch.dtype; received {describe(dtype)}")
    if not isinstance(seqs, list | tuple) or not seqs:
        raise ValueError(f"seqs must be a non-empty list of sequences; received {describe(seqs)}")
    tensors = [torch.as_tensor(s) for s in seqs]
    rest = tuple(tensors[0].shape[1:])
    for i, t in enumerate(tensors):
        if t.dim() == 0 or t.shape[0] == 0:
            raise ValueError(f"seqs[{i}] must have at least one step; received {describe(t)}")
        if tuple(t.shape[1:]) != rest:
            raise ValueError(
                f"seqs[{i}] has shape {tuple(t.shape)} but seqs[0] has {tuple(tensors[0].shape)}; "
                f"all sequences must agree in every dimension but time"
            )
    lengths = torch.tensor([t.shape[0] for t in tensors], dtype=torch.int64)
    steps = int(lengths.max())
    padded = torch.full((len(tensors), steps, *rest), value, dtype=dtype)
    for i, t in enumerate(tensors):
        if side == "right":
            padded[i, : t.shape[0]] = t
        else:
            padded[i, steps - t.shape[0] :] = t
    return padded, lengths


def _check_sequence_length(value: Any) -> None:
    if isinstance(value, str):
        check_choice("sequence_length", value, ("longest", "shortest"))
    elif isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(
            f"sequence_length must be 'longest', 'shortest' or an int >= 1; "
            f"received {describe(value)}"
        )


def chunk_sequence(seq: Any, length: int, *, side: str = "right") -> list[Any]:
    """Split one sequence into consecutive chunks of at most ``length`` steps.

    Args:
        seq: an array or tensor whose first dimension is time.
        length: the most steps per chunk.
        side: ``"right"``: full chunks from the start, the shorter remainder last;
            ``"left"``: the remainder first, so the last chunk ends at the last step
            (matching left padding).

    Returns:
        A list of views of ``seq``; concatenated they give ``seq`` back.

    Example:
        >>> import numpy as np
        >>> from lstmkit.data import chunk_sequence
        >>> [c.tolist() for c in chunk_sequence(np.arange(5), 2)]
        [[0, 1], [2, 3], [4]]
        >>> [c.tolist() for c in chunk_sequence(np.arange(5), 2, side="left")]
        [[0], [1, 2], [3, 4]]
    """
    check_int("length", length, 1)
    check_choice("side", side, PADDING_SIDES)
    steps = len(seq)
    first = steps % length if side == "left" else 0
    starts = ([0] if first else []) + list(range(first, steps, length))
    ends = [*starts[1:], steps]
    return [seq[a:b] for a, b in zip(starts, ends, strict=True)]


def _infer_target_kind(seqs: Sequence[Any], targets: Any) -> str:
    """Per step if targets is a list of arrays each as long as its sequence."""
    if isinstance(targets, list | tuple) and len(targets) == len(seqs):
        if all(
            not isinstance(t, str | bytes) and np.ndim(t) > 0 and len(t) == len(s)
            for s, t in zip(seqs, targets, strict=True)
        ):
            return "step"
    return "sequence"


def _take(targets: Any, index: list[int]) -> Any:
    """Rows ``index`` of sequence-level targets, keeping their container type."""
    if isinstance(targets, np.ndarray | torch.Tensor):
        return targets[torch.as_tensor(index) if isinstance(targets, Tensor) else index]
    return [targets[i] for i in index]


def apply_sequence_length(
    seqs: Sequence[Any],
    targets: Any = None,
    *,
    sequence_length: str | int = "longest",
    side: str = "right",
    target_kind: str | None = None,
    allow_repeat_targets: bool = False,
) -> tuple[list[Any], Any]:
    """Apply MATLAB's ``SequenceLength`` option to one mini-batch.

    MATLAB's options map onto this as follows (``side`` is MATLAB's
    ``SequencePaddingDirection``, which also decides where truncation cuts):

    * ``"longest"``: nothing changes here; the batch is padded to its longest sequence.
    * ``"shortest"``: every sequence is truncated to the batch's shortest length,
      keeping the first steps (``side="right"``) or the last steps (``"left"``); no
      padding is then needed, but data is thrown away.
    * an int L: every sequence longer than L is split into consecutive chunks of at
      most L steps (:func:`chunk_sequence`), each then a sequence of its own. MATLAB
      runs the chunks of one batch as consecutive mini-batches and carries the state
      from one to the next; here they become independent sequences of one larger
      batch (the state is not carried), which trains like truncated BPTT with a reset.

    Per-step targets are truncated and split exactly as their sequences. A
    sequence-level target (one label per sequence) cannot be split: a chunk does not
    hold the whole sequence its label describes. An int ``sequence_length`` with
    sequence-level targets is therefore an error unless ``allow_repeat_targets=True``,
    which gives every chunk its sequence's target.

    Args:
        seqs: the batch's sequences, arrays or tensors ``(T_i, ...)``.
        targets: None, per-step targets (a list of ``(T_i, ...)`` arrays) or one target
            per sequence (an array, tensor or list of length B).
        sequence_length: ``"longest"``, ``"shortest"`` or an int >= 1.
        side: ``"right"`` or ``"left"``, as for :func:`pad_batch`.
        target_kind: ``"step"`` or ``"sequence"``; None tells them apart: a list of
            arrays each as long as its sequence is per step, anything else per sequence.
        allow_repeat_targets: allow an int ``sequence_length`` with sequence-level
            targets, repeating each target for every chunk of its sequence.

    Returns:
        ``(seqs, targets)`` after truncation or splitting: lists (sequence-level
        targets keep their type); targets is None if it was None.

    Example:
        >>> import numpy as np
        >>> from lstmkit.data import apply_sequence_length
        >>> seqs = [np.arange(5), np.arange(3)]
        >>> out, _ = apply_sequence_length(seqs, sequence_length="shortest")
        >>> [s.tolist() for s in out]
        [[0, 1, 2], [0, 1, 2]]
        >>> out, _ = apply_sequence_length(seqs, sequence_length=2)
        >>> [s.tolist() for s in out]
        [[0, 1], [2, 3], [4], [0, 1], [2]]
    """
    _check_sequence_length(sequence_length)
    check_choice("side", side, PADDING_SIDES)
    check_bool("allow_repeat_targets", allow_repeat_targets)
    if not isinstance(seqs, list | tuple) or not seqs:
        raise ValueError(f"seqs must be a non-empty list of sequences; received {describe(seqs)}")
    if targets is None:
        kind = "none"
    else:
        if target_kind is not None:
            check_choice("target_kind", target_kind, ("step", "sequence"))
        kind = target_kind or _infer_target_kind(seqs, targets)
        if kind == "step":
            check_step_targets(seqs, targets, x_name="seqs", y_name="targets")
        else:
            check_same_length(seqs, targets, x_name="seqs", y_name="targets")
    lengths = [count(s, f"seqs[{i}]") for i, s in enumerate(seqs)]

    if sequence_length == "longest":
        return list(seqs), (list(targets) if kind == "step" else targets)

    if sequence_length == "shortest":
        keep = min(lengths)
        cut = [slice(0, keep) if side == "right" else slice(n - keep, n) for n in lengths]
        new_seqs = [s[c] for s, c in zip(seqs, cut, strict=True)]
        if kind == "step":
            return new_seqs, [t[c] for t, c in zip(targets, cut, strict=True)]
        return new_seqs, targets

    if kind == "sequence" and not allow_repeat_targets:
        raise ValueError(
            f"sequence_length={sequence_length} splits sequences into chunks, but the "
            f"targets are one per sequence: a chunk cannot be given the label of a whole "
            f"sequence it holds only part of; use sequence_length='longest' or 'shortest', "
            f"or pass allow_repeat_targets=True to give every chunk its sequence's target"
        )
    new_seqs, new_targets, source = [], [], []
    for i, s in enumerate(seqs):
        chunks = chunk_sequence(s, sequence_length, side=side)
        new_seqs.extend(chunks)
        source.extend([i] * len(chunks))
        if kind == "step":
            new_targets.extend(chunk_sequence(targets[i], sequence_length, side=side))
    if kind == "step":
        return new_seqs, new_targets
    if kind == "sequence":
        return new_seqs, _take(targets, source)
    return new_seqs, None


def padding_fraction(batches_lengths: Iterable[Any]) -> float:
    """The fraction of padded steps over an epoch's padded batches.

    Each batch of B sequences is padded to its longest, T_max, so it costs B·T_max
    steps of which ``B·T_max - sum(lengths)`` are padding.

    Args:
        batches_lengths: one 1-D lengths tensor, array or list per batch.

    Returns:
        padded steps / all steps of the padded batches, in [0, 1).

    Example:
        >>> from lstmkit.data import padding_fraction
        >>> padding_fraction([[4, 2], [3, 3]])  # 2 padded steps out of 8 + 6
        0.14285714285714285
    """
    padded = total = 0
    for i, lengths in enumerate(batches_lengths):
        lengths = _as_lengths(lengths, f"batches_lengths[{i}]")
        size = len(lengths) * int(lengths.max())
        padded += size - int(lengths.sum())
        total += size
    if total == 0:
        raise ValueError("batches_lengths must hold at least one batch; received none")
    return padded / total


def epoch_padding_fraction(lengths: Any, batch_sampler: Iterable[Sequence[int]]) -> float:
    """The padding fraction of one epoch of ``batch_sampler`` over sequences of ``lengths``.

    Args:
        lengths: the length of every sequence in the dataset.
        batch_sampler: any iterable of index lists, e.g. a :class:`BucketBatchSampler`
            or ``torch.utils.data.BatchSampler``.

    Returns:
        :func:`padding_fraction` of the batches it yields.

    Example:
        >>> from lstmkit.data import BucketBatchSampler, epoch_padding_fraction
        >>> lengths = [2, 10, 2, 10]
        >>> epoch_padding_fraction(lengths, BucketBatchSampler(lengths, 2))
        0.0
        >>> epoch_padding_fraction(lengths, [[0, 1], [2, 3]])  # short with long
        0.4
    """
    lengths = _as_lengths(lengths)
    return padding_fraction(lengths[list(batch)] for batch in batch_sampler)


def _stack_targets(targets: list[Any]) -> Tensor:
    """One target per sequence: class indices give int64 (B,), values float32 (B, ...)."""
    array = np.stack([np.asarray(t.cpu() if isinstance(t, Tensor) else t) for t in targets])
    if array.dtype.kind in "iu":
        return torch.as_tensor(array, dtype=torch.int64)
    if array.dtype.kind == "f":
        return torch.as_tensor(array, dtype=torch.float32)
    raise TypeError(
        f"targets must be class indices (int) or values (float); received dtype {array.dtype} "
        f"(encode labels with LabelEncoding first)"
    )


class SequenceCollator:
    """Turn a list of ``(x, y)`` samples into a padded batch ``(x, lengths, y)``.

    For a DataLoader's ``collate_fn``. Applies ``sequence_length``
    (:func:`apply_sequence_length`) and pads (:func:`pad_batch`) the inputs with 0.

    Targets, by ``target_kind``:

    * ``"sequence"``: one per sample, stacked: integer class indices give an int64
      tensor (B,); float values a float32 tensor (B,) or (B, O).
    * ``"step"``: one per step, padded on the same side as x: integer class indices
      give int64 (B, T_max) with padded steps set to :data:`IGNORE_INDEX` (-100,
      ``cross_entropy``'s default ``ignore_index``); float values give float32
      (B, T_max, ...) with padded steps set to NaN (mask them with ``~isnan(y)``).
      Integer per-step targets are always read as class indices, so per-step
      regression values must be floats.
    * ``"none"``: no targets (prediction); y is None and samples may be bare x.

    Args:
        side: ``"right"`` or ``"left"`` padding (and truncation) side.
        sequence_length: ``"longest"``, ``"shortest"`` or an int (see
            :func:`apply_sequence_length`).
        target_kind: ``"sequence"``, ``"step"`` or ``"none"``.
        allow_repeat_targets: with an int ``sequence_length`` and sequence-level
            targets, give each chunk its sequence's target instead of raising.

    Returns:
        Calling it returns ``(x, lengths, y)``: float32 (B, T_max, F), int64 (B,), and
        the targets as above (B grows when an int ``sequence_length`` splits sequences).

    Example:
        >>> import numpy as np
        >>> from lstmkit.data import SequenceCollator
        >>> collate = SequenceCollator("right", "longest", "step")
        >>> x, lengths, y = collate([(np.ones((3, 2)), np.array([0, 1, 1])),
        ...                          (np.ones((1, 2)), np.array([2]))])
        >>> x.shape, lengths.tolist(), y.tolist()
        (torch.Size([2, 3, 2]), [3, 1], [[0, 1, 1], [2, -100, -100]])
    """

    def __init__(
        self,
        side: str = "right",
        sequence_length: str | int = "longest",
        target_kind: str = "sequence",
        *,
        allow_repeat_targets: bool = False,
    ) -> None:
        check_choice("side", side, PADDING_SIDES)
        _check_sequence_length(sequence_length)
        check_choice("target_kind", target_kind, TARGET_KINDS)
        check_bool("allow_repeat_targets", allow_repeat_targets)
        self.side = side
        self.sequence_length = sequence_length
        self.target_kind = target_kind
        self.allow_repeat_targets = allow_repeat_targets

    def __repr__(self) -> str:
        return (
            f"SequenceCollator(side={self.side!r}, sequence_length={self.sequence_length!r}, "
            f"target_kind={self.target_kind!r})"
        )

    def __call__(self, samples: Sequence[Any]) -> tuple[Tensor, Tensor, Tensor | None]:
        if not isinstance(samples, list | tuple) or not samples:
            raise ValueError(f"samples must be a non-empty list; received {describe(samples)}")
        bare = self.target_kind == "none" and isinstance(samples[0], np.ndarray | Tensor)
        xs = list(samples) if bare else [sample[0] for sample in samples]
        ys = None if self.target_kind == "none" else [sample[1] for sample in samples]
        xs, ys = apply_sequence_length(
            xs, ys, sequence_length=self.sequence_length, side=self.side,
            target_kind=None if ys is None else self.target_kind,
            allow_repeat_targets=self.allow_repeat_targets,
        )  # fmt: skip
        x, lengths = pad_batch(xs, side=self.side)
        if ys is None:
            return x, lengths, None
        if self.target_kind == "sequence":
            return x, lengths, _stack_targets(ys)
        first = np.asarray(ys[0].cpu() if isinstance(ys[0], Tensor) else ys[0])
        if first.dtype.kind in "iu":
            y, _ = pad_batch(ys, side=self.side, value=IGNORE_INDEX, dtype=torch.int64)
        elif first.dtype.kind == "f":
            y, _ = pad_batch(ys, side=self.side, value=float("nan"), dtype=torch.float32)
        else:
            raise TypeError(
                f"per-step targets must be class indices (int) or values (float); received "
                f"dtype {first.dtype} (encode labels with LabelEncoding first)"
            )
        return x, lengths, y


class SequenceDataset(Dataset):
    """Sequences (and optional targets) held in memory, for a DataLoader.

    Args:
        sequences: a list of ``(T_i, F)`` arrays or tensors, as :func:`as_sequences`
            returns them.
        targets: None, one target per sequence (array, tensor or list of length N), or
            per-step targets (a list of ``(T_i, ...)`` arrays); encoded already (class
            indices, not labels).

    Returns:
        A map-style dataset: ``dataset[i]`` is ``(sequences[i], targets[i])`` (target
        None without targets); ``dataset.lengths`` is an int64 array of the T_i, for
        :class:`BucketBatchSampler`.

    Example:
        >>> import numpy as np
        >>> from lstmkit.data import SequenceDataset
        >>> data = SequenceDataset([np.zeros((4, 2)), np.zeros((7, 2))], np.array([0, 1]))
        >>> len(data), data.lengths.tolist(), data[1][1]
        (2, [4, 7], np.int64(1))
    """

    def __init__(self, sequences: Sequence[Any], targets: Any = None) -> None:
        if not isinstance(sequences, list | tuple) or not sequences:
            raise ValueError(
                f"sequences must be a non-empty list of (T_i, F) arrays; "
                f"received {describe(sequences)}"
            )
        if targets is not None:
            check_same_length(sequences, targets, x_name="sequences", y_name="targets")
        self.sequences = list(sequences)
        self.targets = targets
        self.lengths = np.array(
            [count(s, f"sequences[{i}]") for i, s in enumerate(self.sequences)], dtype=np.int64
        )

    def __len__(self) -> int:
        return len(self.sequences)

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        target = None if self.targets is None else self.targets[index]
        return self.sequences[index], target
