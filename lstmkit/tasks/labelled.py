"""The labelled fit that SequenceClassifier and SequenceTagger share.

Both learn class labels (strings, ints, ...), one per sequence or one per step: the
labels are checked against their sequences and encoded as class indices, and the loss
optionally weights the classes ("balanced"); :meth:`SequenceEstimator.fit` does the
rest (hold-out, normalisation, network, training). Only the label layout differs, and
the objective names it (``target_kind`` ``"sequence"`` or ``"step"``).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from sklearn.base import ClassifierMixin

from lstmkit._checks import describe
from lstmkit.data import LabelEncoding, check_same_length, check_step_targets
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
        codes = self.label_encoding_.encode(y, y_name)
        if learn:
            self._warn_if_continuous(codes, y_name, per_step)
        return codes

    def _warn_if_continuous(self, codes: Any, y_name: str, per_step: bool) -> None:
        """Warn when the labels look like measurements rather than classes: floats that
        are not whole numbers, or a distinct label for every sample (of more than 2)."""
        classes = self.classes_
        n = sum(len(c) for c in codes) if per_step else len(codes)
        fractional = classes.dtype.kind == "f" and not np.all(classes == np.round(classes))
        if not fractional and not (len(classes) == n and n > 2):
            return
        unit = "steps" if per_step else "sequences"
        why = (
            "floats that are not whole numbers, which look like measurements"
            if fractional
            else "every label is unique"
        )
        regressor = "SequenceRegressor with per-step targets" if per_step else "SequenceRegressor"
        warnings.warn(
            f"{y_name} holds {len(classes)} distinct labels in {n} {unit} ({why}); "
            f"{type(self).__name__} learns each distinct value as a class of its own. To "
            f"predict numbers, use {regressor}",
            UserWarning,
            stacklevel=4,
        )

    def _output_size(self) -> int:
        return len(self.classes_)

    def _class_weights(self, targets: Any) -> torch.Tensor | None:
        if self.class_weight != "balanced":
            return None
        return balanced_class_weights(targets, len(self.classes_))  # over all labels given

    def _logits(self, X: Any) -> list[np.ndarray]:
        """Network outputs for ``X``: one ``(K,)`` or ``(T_i, K)`` array per sequence."""
        self._check_fitted()
        outputs = self._outputs(self._network_inputs(X))
        bad = [i for i, o in enumerate(outputs) if not np.isfinite(o).all()]
        if bad:  # argmax would call every one of them class 0
            raise ValueError(self._non_finite_message(bad, len(outputs)))
        return outputs

    def _non_finite_message(self, bad: list[int], total: int) -> str:
        shown = ", ".join(f"X[{i}]" for i in bad[:5]) + (", ..." if len(bad) > 5 else "")
        tensors = list(self.network_.state_dict().items())
        broken = [k for k, v in tensors if v.is_floating_point() and not bool(v.isfinite().all())]
        if broken:
            cause = (
                f"{len(broken)} of the network's {len(tensors)} weight tensors "
                f"{'holds' if len(broken) == 1 else 'hold'} NaN or "
                f"inf ({', '.join(broken[:3])}{', ...' if len(broken) > 3 else ''}): "
                f"training diverged (retrain with a lower learning_rate or a "
                f"gradient_threshold) or the saved model is corrupt"
            )
        else:
            cause = "its weights are finite, so the input drove it out of range: check X's scale"
        return (
            f"the network gave non-finite outputs (NaN or inf) for {len(bad)} of {total} "
            f"sequences ({shown}), so no class can be predicted for them; {cause}"
        )

    @staticmethod
    def _softmax(logits: np.ndarray) -> np.ndarray:
        return torch.softmax(torch.as_tensor(logits, dtype=torch.float64), dim=-1).numpy()

    def _extra_config(self) -> dict[str, Any]:
        return {"label_encoding": self.label_encoding_.to_dict()}

    def _restore_extra(self, config: dict[str, Any]) -> None:
        self.label_encoding_ = encoding_from_config(config)
        self.classes_ = self.label_encoding_.classes_
