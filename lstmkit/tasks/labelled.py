"""The labelled fit that SequenceClassifier and SequenceTagger share.

Both learn class labels (strings, ints, ...), one per sequence or one per step: the
labels are checked against their sequences and encoded as class indices, and the loss
optionally weights the classes ("balanced"); :meth:`SequenceEstimator.fit` does the
rest (hold-out, normalisation, network, training). Only the label layout differs, and
the objective names it (``target_kind`` ``"sequence"`` or ``"step"``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from sklearn.base import ClassifierMixin

from lstmkit._checks import describe
from lstmkit.data import LabelEncoding, as_sequences, check_same_length, check_step_targets
from lstmkit.tasks.base import SequenceEstimator, encoding_from_config
from lstmkit.training import TrainingOptions, balanced_class_weights

__all__ = ["LabelledEstimator"]

CLASS_WEIGHTS = (None, "balanced")


@dataclass(eq=False, repr=False, kw_only=True)
class LabelledEstimator(ClassifierMixin, SequenceEstimator):
    """Base of the estimators that learn class labels (not used directly).

    Adds ``class_weight`` to the parameters of
    :class:`~lstmkit.tasks.base.SequenceEstimator`.
    """

    class_weight: str | None = None

    _no_sample_weight = "use class_weight='balanced' to weigh classes"

    def _check_params(self) -> TrainingOptions:
        options = super()._check_params()
        if self.class_weight not in CLASS_WEIGHTS:
            raise ValueError(
                f"class_weight must be None or 'balanced'; received {describe(self.class_weight)}"
            )
        return options

    def _targets(self, seqs: list[np.ndarray], y: Any, x_name: str, y_name: str, *,
                 learn: bool = False) -> Any:  # fmt: skip
        per_step = self._objective().target_kind == "step"
        if per_step:
            check_step_targets(seqs, y, x_name=x_name, y_name=y_name)
        else:
            check_same_length(seqs, y, x_name=x_name, y_name=y_name)
        if learn:
            self.label_encoding_ = LabelEncoding().fit(y, name=y_name, per_step=per_step)
            self.classes_ = self.label_encoding_.classes_
        return self.label_encoding_.encode(y, y_name)

    def _output_size(self) -> int:
        return len(self.classes_)

    def _class_weights(self, targets: Any) -> torch.Tensor | None:
        if self.class_weight != "balanced":
            return None
        return balanced_class_weights(targets, len(self.classes_))  # over all labels given

    def _logits(self, X: Any) -> list[np.ndarray]:
        """Network outputs for ``X``: one ``(K,)`` or ``(T_i, K)`` array per sequence."""
        self._check_fitted()
        seqs = as_sequences(X, name="X", num_features=self.n_features_in_)
        return self._outputs(self.normalizer_.transform(seqs))

    @staticmethod
    def _softmax(logits: np.ndarray) -> np.ndarray:
        return torch.softmax(torch.as_tensor(logits, dtype=torch.float64), dim=-1).numpy()

    def _extra_config(self) -> dict[str, Any]:
        return {"label_encoding": self.label_encoding_.to_dict()}

    def _restore_extra(self, config: dict[str, Any]) -> None:
        self.label_encoding_ = encoding_from_config(config)
        self.classes_ = self.label_encoding_.classes_
