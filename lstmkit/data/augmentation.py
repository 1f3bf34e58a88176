"""Training-time augmentation of sequences: jitter, scaling, time warping, window slicing.

The four transformations of Um et al. (2017, "Data augmentation of wearable sensor
data") and Le Guennec et al. (2016, "Data augmentation for time series classification
using convolutional neural networks"), applied afresh to every training sequence in
every epoch, never to validation or test data. Each draw comes from a generator seeded
by ``(seed, epoch, index)``: the same seed gives the same augmented epochs, whatever the
batch order, and a run resumed from a checkpoint sees the very same data.

Values are in the units the network reads (after normalisation), so ``jitter=0.03`` is
3% of a z-scored feature's standard deviation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from torch.utils.data import Dataset

from lstmkit._checks import check_choice, check_int, check_positive, describe

__all__ = ["AUGMENTATIONS", "AugmentedDataset", "SequenceAugmenter"]

#: the keys of an ``augmentation`` dict, and what each value means
AUGMENTATIONS = {
    "jitter": "standard deviation of Gaussian noise added to every value",
    "scaling": "standard deviation of a random factor (mean 1) per feature",
    "time_warp": "standard deviation of the local speed (mean 1) of a smooth time warp",
    "window_slice": "fraction of the sequence kept by a random window, stretched back",
}


@dataclass(frozen=True)
class SequenceAugmenter:
    """Random transformations of one ``(T, F)`` sequence; each is off when 0.

    Args:
        jitter: noise standard deviation (>= 0).
        scaling: factor standard deviation (>= 0); one factor per feature.
        time_warp: speed standard deviation (>= 0): the sequence is resampled along a
            smooth warp through 4 random speed knots (kept > 0.1), the same length.
        window_slice: fraction in (0, 1] of the steps a random window keeps; the window
            is stretched back to the original length (1 disables).

    Returns:
        ``augmenter(x, rng)`` gives ``(x_new, source)``: the transformed ``(T, F)``
        float32 sequence and, for every new step, the (fractional) step of ``x`` it
        was read from -- per-step targets follow the nearest one.

    Example:
        >>> import numpy as np
        >>> from lstmkit.data.augmentation import SequenceAugmenter
        >>> aug = SequenceAugmenter(jitter=0.1, window_slice=0.8)
        >>> x, source = aug(np.zeros((10, 2), np.float32), np.random.default_rng(0))
        >>> x.shape, source.shape, bool(source.max() <= 9)
        ((10, 2), (10,), True)
    """

    jitter: float = 0.0
    scaling: float = 0.0
    time_warp: float = 0.0
    window_slice: float = 1.0

    @classmethod
    def from_options(cls, options: dict[str, Any] | None, name: str = "augmentation"):
        """The augmenter an estimator's ``augmentation`` dict describes (None: none)."""
        if options is None:
            return None
        if not isinstance(options, dict):
            raise TypeError(f"{name} must be a dict or None; received {describe(options)}")
        for key in options:
            check_choice(f"{name} key", key, tuple(AUGMENTATIONS))
        for key in ("jitter", "scaling", "time_warp"):
            if key in options:
                check_positive(f"{name}['{key}']", options[key], allow_zero=True)
        if "window_slice" in options:
            value = options["window_slice"]
            check_positive(f"{name}['window_slice']", value)
            if value > 1:
                raise ValueError(
                    f"{name}['window_slice'] must be in (0, 1] (the fraction of the steps "
                    f"kept); received {value!r}"
                )
        return cls(**{key: float(value) for key, value in options.items()})

    def __call__(self, x: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        steps = x.shape[0]
        source = np.arange(steps, dtype=np.float64)  # where each new step reads from
        if self.window_slice < 1 and steps > 1:
            keep = max(2, math.ceil(self.window_slice * steps))
            start = int(rng.integers(0, steps - keep + 1))
            source = np.linspace(start, start + keep - 1, steps)
        if self.time_warp > 0 and steps > 1:
            knots = np.clip(rng.normal(1.0, self.time_warp, size=4), 0.1, None)
            speed = np.interp(np.linspace(0, 3, steps), np.arange(4), knots)
            position = np.concatenate([[0.0], np.cumsum(speed[:-1])])
            position *= (steps - 1) / max(position[-1], 1e-12)  # still spans 0..T-1
            source = np.interp(position, np.arange(steps), source)
        out = x
        if not np.array_equal(source, np.arange(steps)):
            out = np.stack(
                [np.interp(source, np.arange(steps), x[:, f]) for f in range(x.shape[1])], axis=1
            )
        if self.scaling > 0:
            out = out * rng.normal(1.0, self.scaling, size=(1, x.shape[1]))
        if self.jitter > 0:
            out = out + rng.normal(0.0, self.jitter, size=out.shape)
        return np.asarray(out, dtype=np.float32), source


class AugmentedDataset(Dataset):
    """A sequence dataset whose items are augmented afresh every epoch.

    Args:
        dataset: a :class:`~lstmkit.data.SequenceDataset` (``sequences``, ``targets``,
            ``lengths``).
        augmenter: the :class:`SequenceAugmenter`.
        seed: with the epoch and the index, seeds every draw.
        target_kind: ``"sequence"`` (targets unchanged) or ``"step"`` (per-step
            targets follow the steps they were read from).

    Returns:
        A map-style dataset like ``dataset``; :meth:`set_epoch` chooses the epoch (the
        training loop calls it).

    Example:
        >>> import numpy as np
        >>> from lstmkit.data import SequenceDataset
        >>> from lstmkit.data.augmentation import AugmentedDataset, SequenceAugmenter
        >>> base = SequenceDataset([np.zeros((5, 1), np.float32)], np.array([1]))
        >>> data = AugmentedDataset(base, SequenceAugmenter(jitter=0.1), seed=0)
        >>> first = data[0][0]; data.set_epoch(1)
        >>> bool((data[0][0] != first).any()), data[0][1]
        (True, np.int64(1))
    """

    def __init__(self, dataset: Any, augmenter: SequenceAugmenter, *, seed: int = 0,
                 target_kind: str = "sequence") -> None:  # fmt: skip
        check_int("seed", seed, 0)
        check_choice("target_kind", target_kind, ("sequence", "step"))
        self.dataset, self.augmenter = dataset, augmenter
        self.seed, self.target_kind = seed, target_kind
        self.lengths = dataset.lengths
        self.epoch = 0

    def set_epoch(self, epoch: int) -> None:
        """Choose the epoch whose draws the items come from."""
        check_int("epoch", epoch, 0)
        self.epoch = epoch

    def __len__(self) -> int:
        return len(self.dataset)

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        x, target = self.dataset[index]
        rng = np.random.default_rng([self.seed, self.epoch, int(index)])
        x_new, source = self.augmenter(np.asarray(x, dtype=np.float32), rng)
        if self.target_kind == "step" and target is not None:
            nearest = np.clip(np.rint(source).astype(np.int64), 0, len(target) - 1)
            target = np.asarray(target)[nearest]
        return x_new, target
