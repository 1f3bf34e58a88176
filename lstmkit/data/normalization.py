"""Per-feature input normalisation, as MATLAB's ``sequenceInputLayer(..., Normalization=)``.

Statistics are taken per feature over every step of every training sequence, and only
ever from the training data: the estimators fit a :class:`Normalizer` in ``fit`` and
reuse it, unchanged, for validation, prediction and scoring (fitting on test data would
leak it into the model). The fitted statistics travel in a model's config.json through
:meth:`Normalizer.to_dict`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from lstmkit.data._validation import describe
from lstmkit.data.sequences import as_sequences

__all__ = ["NORMALIZATIONS", "Normalizer"]

NORMALIZATIONS = ("zscore", "rescale", "none")


class Normalizer:
    """Scale every feature by statistics of the training sequences: ``(x - center) / scale``.

    * ``"zscore"``: center = mean, scale = standard deviation (population, ddof=0) of
      each feature over all steps of all training sequences; the result has mean 0 and
      standard deviation 1 on the training data.
    * ``"rescale"``: center = (min + max) / 2, scale = (max - min) / 2, so the training
      data's range maps onto **[-1, 1]** (MATLAB's ``"rescale-symmetric"``).
    * ``None`` or ``"none"``: values pass through unchanged (still validated).

    A constant feature (max == min) gets scale 1, so it becomes 0 instead of a division
    by zero. Statistics are computed in float64 and results returned as float32.

    Args:
        method: ``"zscore"``, ``"rescale"``, ``"none"`` or None.

    Returns:
        After :meth:`fit`: ``center_`` and ``scale_`` (float64 arrays of shape (F,), None
        for ``"none"``) and ``num_features_``. :meth:`transform` returns a list of
        float32 ``(T_i, F)`` arrays; :meth:`inverse_transform` maps model outputs back to
        the original units.

    Example:
        >>> import numpy as np
        >>> from lstmkit.data import Normalizer
        >>> train = [np.array([[0.0, 5.0], [2.0, 5.0]]), np.array([[4.0, 5.0]])]
        >>> norm = Normalizer("rescale").fit(train)
        >>> norm.transform(train)[0].tolist()
        [[-1.0, 0.0], [0.0, 0.0]]
        >>> norm.inverse_transform(norm.transform(train))[1].tolist()
        [[4.0, 5.0]]
    """

    def __init__(self, method: str | None = "zscore") -> None:
        if method is None:
            method = "none"
        if not isinstance(method, str) or method not in NORMALIZATIONS:
            options = ", ".join(repr(m) for m in NORMALIZATIONS)
            raise ValueError(
                f"method must be one of {options} or None; received {describe(method)}"
            )
        self.method = method
        self.center_: np.ndarray | None = None
        self.scale_: np.ndarray | None = None
        self.num_features_: int | None = None

    def __repr__(self) -> str:
        fitted = "" if self.num_features_ is None else f", num_features={self.num_features_}"
        return f"Normalizer({self.method!r}{fitted})"

    def _check_fitted(self) -> int:
        if self.num_features_ is None:
            raise ValueError(
                "Normalizer is not fitted yet; call fit(seqs) on the training data first"
            )
        return self.num_features_

    def fit(self, seqs: Any) -> Normalizer:
        """Learn per-feature statistics from the training sequences; returns ``self``.

        Args:
            seqs: training sequences, in any form :func:`as_sequences` accepts.
        """
        seqs = as_sequences(seqs, name="seqs")
        steps = np.concatenate(seqs, axis=0).astype(np.float64)
        self.num_features_ = steps.shape[1]
        if self.method == "none":
            self.center_ = self.scale_ = None
            return self
        low, high = steps.min(axis=0), steps.max(axis=0)
        if self.method == "zscore":
            center, scale = steps.mean(axis=0), steps.std(axis=0)
        else:  # rescale to [-1, 1]
            center, scale = (low + high) / 2, (high - low) / 2
        # max == min is the exact test for a constant feature; its std may come out as
        # 1e-17 from rounding, which would blow it up instead of leaving it at 0.
        scale[high == low] = 1.0
        self.center_, self.scale_ = center, scale
        return self

    def transform(self, seqs: Any) -> list[np.ndarray]:
        """Normalise sequences with the fitted statistics.

        Args:
            seqs: sequences in any form :func:`as_sequences` accepts, with the number of
                features seen at fit.

        Returns:
            A list of float32 ``(T_i, F)`` arrays (new arrays; the input is unchanged).
        """
        num_features = self._check_fitted()
        seqs = as_sequences(seqs, name="seqs", num_features=num_features)
        if self.center_ is None:
            return seqs
        return [((s - self.center_) / self.scale_).astype(np.float32) for s in seqs]

    def fit_transform(self, seqs: Any) -> list[np.ndarray]:
        """:meth:`fit` then :meth:`transform` on the same (training) sequences."""
        return self.fit(seqs).transform(seqs)

    def inverse_transform(self, values: Any) -> Any:
        """Map normalised values back to the original units (e.g. forecasts).

        Args:
            values: a list of ``(T_i, F)`` arrays or tensors, or one array or tensor of
                any shape whose last dimension has the F features, e.g. a network's
                (B, T, F) output.

        Returns:
            The same structure: a list of float32 arrays for a list, otherwise an array
            or tensor of the input's shape (tensors keep their dtype and device).
        """
        num_features = self._check_fitted()
        if isinstance(values, list | tuple):
            return [
                self._inverse_one(v, f"values[{i}]", num_features) for i, v in enumerate(values)
            ]
        return self._inverse_one(values, "values", num_features)

    def _inverse_one(self, value: Any, label: str, num_features: int) -> Any:
        is_tensor = isinstance(value, torch.Tensor)
        shape = tuple(value.shape) if is_tensor else np.shape(value)
        if len(shape) == 0 or shape[-1] != num_features:
            raise ValueError(
                f"{label} must have the {num_features} fitted features in its last "
                f"dimension; received {describe(value)}"
            )
        if is_tensor:
            if self.center_ is None:
                return value.clone()
            center = torch.as_tensor(self.center_, dtype=value.dtype, device=value.device)
            scale = torch.as_tensor(self.scale_, dtype=value.dtype, device=value.device)
            return value * scale + center
        array = np.asarray(value, dtype=np.float64)
        if self.center_ is not None:
            array = array * self.scale_ + self.center_
        return array.astype(np.float32)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe dict (plain floats) for a model's config.json."""
        return {
            "method": self.method,
            "num_features": self.num_features_,
            "center": None if self.center_ is None else [float(v) for v in self.center_],
            "scale": None if self.scale_ is None else [float(v) for v in self.scale_],
        }

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> Normalizer:
        """Rebuild a normaliser from :meth:`to_dict`'s output."""
        if not isinstance(values, dict) or "method" not in values:
            raise ValueError(
                f"values must be a dict from Normalizer.to_dict() with a 'method' key; "
                f"received {describe(values)}"
            )
        normalizer = cls(values["method"])
        normalizer.num_features_ = values.get("num_features")
        if values.get("center") is not None:
            normalizer.center_ = np.asarray(values["center"], dtype=np.float64)
            normalizer.scale_ = np.asarray(values["scale"], dtype=np.float64)
        return normalizer
