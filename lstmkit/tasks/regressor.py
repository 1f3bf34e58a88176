"""SequenceRegressor: values per sequence (sequence-to-one) or per step (sequence-to-sequence)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.base import RegressorMixin
from sklearn.metrics import r2_score

from lstmkit._checks import check_choice
from lstmkit.data import (
    NORMALIZATIONS,
    Normalizer,
    as_sequences,
    as_targets,
    check_same_length,
    check_step_targets,
)
from lstmkit.tasks.base import SequenceEstimator
from lstmkit.tasks.persistence import register, weights_per_step
from lstmkit.training import Objective, TrainingOptions, get_objective

__all__ = ["SequenceRegressor"]


def _is_per_step(seqs: list[np.ndarray], y: Any, x_name: str = "X", y_name: str = "y") -> bool:
    """Per-step targets: a list with one array per sequence, each as long as it.

    A list of arrays that is meant per step but whose lengths do not match the
    sequences' is refused, naming the first sequence and both lengths: one of 2-D
    ``(T_i, O)`` arrays, one of arrays of different lengths, and -- the usual slip,
    targets shifted by a step -- one whose arrays are all one step longer or shorter
    than the (equally long, more than 2-step) sequences. Any other list of equally long
    1-D arrays is one target vector per sequence, as before.
    """
    if not isinstance(y, list | tuple) or len(y) != len(seqs):
        return False
    try:
        dims = [np.ndim(t) for t in y]
    except ValueError:  # a ragged nested list: numpy cannot tell its dimensions
        return False
    if not all(d >= 1 for d in dims):
        return False
    lengths = [len(t) for t in y]
    steps = [len(s) for s in seqs]
    if lengths == steps:
        return True
    equal = len(set(lengths)) == 1
    shifted = equal and len(set(steps)) == 1 and abs(lengths[0] - steps[0]) == 1 and steps[0] > 2
    if any(d >= 2 for d in dims) or not equal or shifted:
        i = next(k for k, (a, b) in enumerate(zip(lengths, steps, strict=True)) if a != b)
        raise ValueError(
            f"{y_name}[{i}] holds {lengths[i]} targets but {x_name}[{i}] has {steps[i]} "
            f"steps; per-step targets need exactly one per step (a list of (T_i,) or "
            f"(T_i, O) arrays). For one target vector per sequence, pass a 2-D array "
            f"of shape (N, O) (np.asarray({y_name}))"
        )
    return False


def _step_targets(y: Any, name: str, outputs: int | None) -> list[np.ndarray]:
    """Per-step targets as float32 ``(T_i, O)`` arrays."""
    out = []
    for i, t in enumerate(y):
        out.append(as_targets(t, name=f"{name}[{i}]", num_outputs=outputs))
        outputs = out[-1].shape[1]
    return out


@register
@dataclass(eq=False, repr=False, kw_only=True)
class SequenceRegressor(RegressorMixin, SequenceEstimator):
    """Predict numbers from sequences: one value (or vector) per sequence, or per step.

    ``y`` of shape ``(N,)`` or ``(N, O)`` trains sequence-to-one (objective
    ``"regression"``); ``y`` given as a list of per-step arrays ``(T_i,)`` or
    ``(T_i, O)``, each as long as its sequence, trains sequence-to-sequence (objective
    ``"sequence-regression"``). ``fit`` chooses from ``y``; a list of arrays that are
    not as long as their sequences (one step longer, say) is refused with both lengths
    rather than read as several outputs per sequence: pass a 2-D array ``(N, O)`` for
    those.

    Args:
        layer, hidden_size, num_layers, dropout, layer_options, normalization,
            training_options, validation_fraction, run_dir: as for
            :class:`~lstmkit.tasks.SequenceClassifier`.
        target_normalization: ``"zscore"`` (default), ``"rescale"``, ``"none"`` or
            None: targets are scaled for training with statistics of the training
            targets, and predictions mapped back to the original units.

    Returns:
        An unfitted estimator; ``fit`` sets the attributes below.

    Attributes:
        per_step_: True if trained sequence-to-sequence (per-step targets).
        one_d_: True if the targets were 1-D (one value per sequence or step), so
            predictions are too.
        n_outputs_: values per target.
        target_normalizer_: the target :class:`~lstmkit.data.Normalizer`.
        normalizer_, network_, n_features_in_, pooling_factor_, training_options_, fit_result_,
            history_: as for :class:`~lstmkit.tasks.SequenceClassifier`.

    Example:
        >>> import numpy as np
        >>> from lstmkit.tasks import SequenceRegressor
        >>> X = [np.random.default_rng(i).normal(size=(10, 1)) for i in range(50)]
        >>> y = np.array([x.mean() for x in X])
        >>> SequenceRegressor(hidden_size=8).fit(X, y).predict(X[:3]).shape  # doctest: +SKIP
        (3,)
    """

    objective = "regression"  # "sequence-regression" when fit gets per-step targets

    target_normalization: str | None = "zscore"

    def _objective(self) -> Objective:
        # The targets decide: per-step values train sequence to sequence.
        per_step = getattr(self, "per_step_", False)
        return get_objective("sequence-regression" if per_step else self.objective)

    def _check_params(self) -> TrainingOptions:
        options = super()._check_params()
        if self.target_normalization is not None:
            check_choice("target_normalization", self.target_normalization, NORMALIZATIONS)
        return options

    def _targets(self, seqs: list[np.ndarray], y: Any, x_name: str, y_name: str, *,
                 learn: bool = False) -> Any:  # fmt: skip
        if learn:  # the form of the training targets decides the objective
            self.per_step_ = _is_per_step(seqs, y, x_name, y_name)
        outputs = None if learn else self.n_outputs_
        if self.per_step_:
            check_step_targets(seqs, y, x_name=x_name, y_name=y_name)
            targets = _step_targets(y, y_name, outputs)
        else:
            check_same_length(seqs, y, x_name=x_name, y_name=y_name)
            targets = as_targets(y, name=y_name, num_outputs=outputs)
        if learn:
            self.one_d_ = all(np.ndim(t) == 1 for t in y) if self.per_step_ else np.ndim(y) == 1
            self.n_outputs_ = (targets[0] if self.per_step_ else targets).shape[1]
        return targets

    def _output_size(self) -> int:
        return self.n_outputs_

    def _fit_target_scaling(self, train_targets: Any) -> None:
        fit_on = train_targets if self.per_step_ else [train_targets]
        self.target_normalizer_ = Normalizer(self.target_normalization).fit(fit_on)

    def _scale(self, targets: Any) -> Any:
        if self.per_step_:
            return self.target_normalizer_.transform(targets)
        return self.target_normalizer_.transform([targets])[0]

    def predict(self, X: Any) -> np.ndarray | list[np.ndarray]:
        """Predicted values in the targets' original units.

        Returns:
            Sequence-to-one: ``(N,)`` (if ``y`` was 1-D at fit) or ``(N, O)``.
            Sequence-to-sequence: a list of ``(T_i,)`` or ``(T_i, O)`` arrays.
        """
        self._check_fitted()
        outputs = self._outputs(self._network_inputs(X))
        if self.per_step_:
            values = self.target_normalizer_.inverse_transform(outputs)
            return [v[:, 0] for v in values] if self.one_d_ else values
        values = self.target_normalizer_.inverse_transform(np.stack(outputs))
        return values[:, 0] if self.one_d_ else values

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """R² of the predictions (per-step targets: over all steps of all sequences).

        Args:
            X: the sequences.
            y: the true targets, in the form given to ``fit``.
            sample_weight: one weight per sequence (per-step targets: given to each of
                its steps); None weighs all alike.

        Returns:
            The (weighted) coefficient of determination, 1 at best.

        Raises:
            ValueError: fewer than 2 targets (R² is undefined; scikit-learn would warn
                and return NaN).
        """
        self._check_fitted()
        seqs = as_sequences(X, name="X", num_features=self.n_features_in_)
        truth = self._targets(seqs, y, "X", "y")
        weights = sample_weight
        if self.per_step_:
            weights = weights_per_step(sample_weight, [len(s) for s in seqs])
            truth = np.concatenate(truth)
        if len(truth) < 2:
            what = "step" if self.per_step_ else "sequence"
            raise ValueError(
                f"score needs at least 2 targets: R² compares the errors with the spread of "
                f"y, which one value does not have; received 1 {what} in y"
            )
        predicted = self.predict(X)
        if self.per_step_:
            predicted = np.concatenate([np.reshape(p, (len(p), -1)) for p in predicted])
            return float(r2_score(truth, predicted, sample_weight=weights))
        return float(r2_score(truth, np.reshape(predicted, truth.shape), sample_weight=weights))

    def _extra_config(self) -> dict[str, Any]:
        return {
            "per_step": bool(self.per_step_),
            "one_d": bool(self.one_d_),
            "n_outputs": int(self.n_outputs_),
            "target_normalizer": self.target_normalizer_.to_dict(),
        }

    def _restore_extra(self, config: dict[str, Any]) -> None:
        self.per_step_ = bool(config["per_step"])
        self.one_d_ = bool(config["one_d"])
        self.n_outputs_ = int(config["n_outputs"])
        self.target_normalizer_ = Normalizer.from_dict(config["target_normalizer"])
