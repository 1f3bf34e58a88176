"""SequenceRegressor: values per sequence (sequence-to-one) or per step (sequence-to-sequence)."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import RegressorMixin
from sklearn.metrics import r2_score

from lstmkit.data import (
    NORMALIZATIONS,
    Normalizer,
    as_sequences,
    as_targets,
    check_same_length,
    check_step_targets,
)
from lstmkit.tasks.base import SequenceEstimator, register
from lstmkit.training import TrainingOptions

__all__ = ["SequenceRegressor"]


def _is_per_step(seqs: list[np.ndarray], y: Any) -> bool:
    """Per-step targets: a list with one array per sequence, each as long as it."""
    if not isinstance(y, list | tuple) or len(y) != len(seqs):
        return False
    return all(np.ndim(t) >= 1 and len(t) == len(s) for s, t in zip(seqs, y, strict=True))


def _step_targets(y: Any, name: str, outputs: int | None) -> list[np.ndarray]:
    """Per-step targets as float32 ``(T_i, O)`` arrays."""
    out = []
    for i, t in enumerate(y):
        out.append(as_targets(t, name=f"{name}[{i}]", num_outputs=outputs))
        outputs = out[-1].shape[1]
    return out


@register
class SequenceRegressor(RegressorMixin, SequenceEstimator):
    """Predict numbers from sequences: one value (or vector) per sequence, or per step.

    ``y`` of shape ``(N,)`` or ``(N, O)`` trains sequence-to-one (task
    ``"regression"``); ``y`` given as a list of per-step arrays ``(T_i,)`` or
    ``(T_i, O)``, each as long as its sequence, trains sequence-to-sequence (task
    ``"sequence-regression"``).

    Args:
        layer, hidden_size, num_layers, dropout, layer_options, normalization,
            training_options, validation_fraction, run_dir: as for
            :class:`~lstmkit.tasks.SequenceClassifier`.
        target_normalization: ``"zscore"`` (default), ``"rescale"``, ``"none"`` or
            None: targets are scaled for training with statistics of the training
            targets, and predictions mapped back to the original units.

    Returns:
        After ``fit``: ``network_``, ``normalizer_``, ``target_normalizer_``,
        ``per_step_``, ``n_outputs_``, ``n_features_in_``, ``history_``,
        ``fit_result_``.

    Example:
        >>> import numpy as np
        >>> from lstmkit.tasks import SequenceRegressor
        >>> X = [np.random.default_rng(i).normal(size=(10, 1)) for i in range(50)]
        >>> y = np.array([x.mean() for x in X])
        >>> SequenceRegressor(hidden_size=8).fit(X, y).predict(X[:3]).shape  # doctest: +SKIP
        (3,)
    """

    _task = "regression"
    _output_mode = "last"

    def __init__(
        self,
        layer: str = "lstm",
        hidden_size: int = 64,
        num_layers: int = 1,
        dropout: float = 0.0,
        layer_options: dict[str, Any] | None = None,
        normalization: str | None = "zscore",
        target_normalization: str | None = "zscore",
        training_options: TrainingOptions | None = None,
        validation_fraction: float = 0.1,
        run_dir: str | None = None,
    ) -> None:
        self.layer = layer
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.dropout = dropout
        self.layer_options = layer_options
        self.normalization = normalization
        self.target_normalization = target_normalization
        self.training_options = training_options
        self.validation_fraction = validation_fraction
        self.run_dir = run_dir

    def _set_mode(self, per_step: bool) -> None:
        # The task and output mode follow the targets; set on the instance at fit/load.
        self.per_step_ = per_step
        self._task = "sequence-regression" if per_step else "regression"
        self._output_mode = "sequence" if per_step else "last"

    def _targets(self, seqs: list[np.ndarray], y: Any, name: str, outputs: int | None):
        if self.per_step_:
            check_step_targets(seqs, y, x_name="X", y_name=name)
            return _step_targets(y, name, outputs)
        check_same_length(seqs, y, x_name="X", y_name=name)
        return as_targets(y, name=name, num_outputs=outputs)

    def _scale(self, targets: Any) -> Any:
        if self.per_step_:
            return self.target_normalizer_.transform(targets)
        return self.target_normalizer_.transform([targets])[0]

    def fit(
        self,
        X: Any,
        y: Any,
        *,
        validation_data: tuple[Any, Any] | None = None,
        resume_from: str | None = None,
    ):
        """Train on sequences ``X`` and targets ``y`` (per sequence or per step).

        Args:
            X: the training sequences.
            y: ``(N,)``/``(N, O)`` values, or a list of ``(T_i,)``/``(T_i, O)`` arrays.
            validation_data: ``(X_val, y_val)``; if None, a seeded
                ``validation_fraction`` of the training data is held out.
            resume_from: a Lightning checkpoint of an earlier fit with the same
                parameters and data (``<run_dir>/checkpoints/last.ckpt``) to continue from.

        Returns:
            self.
        """
        options = self._check_params()
        if self.target_normalization is not None and (
            self.target_normalization not in NORMALIZATIONS
        ):
            raise ValueError(
                f"target_normalization must be one of {NORMALIZATIONS} or None; received "
                f"{self.target_normalization!r}"
            )
        seqs = as_sequences(X, name="X")
        self._set_mode(_is_per_step(seqs, y))
        targets = self._targets(seqs, y, "y", None)
        self.one_d_ = not self.per_step_ and np.ndim(y) == 1
        if self.per_step_:
            self.one_d_ = all(np.ndim(t) == 1 for t in y)
        self.n_outputs_ = (targets[0] if self.per_step_ else targets).shape[1]
        if validation_data is not None:
            X_val, y_val = validation_data
            val_seqs = as_sequences(X_val, name="X_val", num_features=seqs[0].shape[1])
            val_targets = self._targets(val_seqs, y_val, "y_val", self.n_outputs_)
            train_seqs, train_targets = seqs, targets
        else:
            train_seqs, train_targets, val_seqs, val_targets = self._hold_out(
                seqs, targets, options.seed
            )

        self.n_features_in_ = seqs[0].shape[1]
        self.normalizer_ = Normalizer(self.normalization).fit(train_seqs)
        fit_on = train_targets if self.per_step_ else [train_targets]
        self.target_normalizer_ = Normalizer(self.target_normalization).fit(fit_on)
        self.network_ = self._build_network(self.n_features_in_, self.n_outputs_, options)
        val = None
        if len(val_seqs):
            val = (self.normalizer_.transform(val_seqs), self._scale(val_targets))
        self._train(
            (self.normalizer_.transform(train_seqs), self._scale(train_targets)),
            val,
            options,
            target_kind="step" if self.per_step_ else "sequence",
            resume_from=resume_from,
        )
        return self

    def predict(self, X: Any) -> np.ndarray | list[np.ndarray]:
        """Predicted values in the targets' original units.

        Returns:
            Sequence-to-one: ``(N,)`` (if ``y`` was 1-D at fit) or ``(N, O)``.
            Sequence-to-sequence: a list of ``(T_i,)`` or ``(T_i, O)`` arrays.
        """
        self._check_fitted()
        seqs = as_sequences(X, name="X", num_features=self.n_features_in_)
        outputs = self._outputs(self.normalizer_.transform(seqs))
        if self.per_step_:
            values = self.target_normalizer_.inverse_transform(outputs)
            return [v[:, 0] for v in values] if self.one_d_ else values
        values = self.target_normalizer_.inverse_transform(np.stack(outputs))
        return values[:, 0] if self.one_d_ else values

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """R² of the predictions (per-step targets: over all steps of all sequences)."""
        self._check_fitted()
        seqs = as_sequences(X, name="X", num_features=self.n_features_in_)
        truth = self._targets(seqs, y, "y", self.n_outputs_)
        predicted = self.predict(X)
        if self.per_step_:
            truth = np.concatenate(truth)
            predicted = np.concatenate([np.reshape(p, (len(p), -1)) for p in predicted])
            return float(r2_score(truth, predicted))
        return float(
            r2_score(truth, np.reshape(predicted, truth.shape), sample_weight=sample_weight)
        )

    def _extra_config(self) -> dict[str, Any]:
        return {
            "per_step": bool(self.per_step_),
            "one_d": bool(self.one_d_),
            "n_outputs": int(self.n_outputs_),
            "target_normalizer": self.target_normalizer_.to_dict(),
        }

    def _restore_extra(self, config: dict[str, Any]) -> None:
        self._set_mode(bool(config["per_step"]))
        self.one_d_ = bool(config["one_d"])
        self.n_outputs_ = int(config["n_outputs"])
        self.target_normalizer_ = Normalizer.from_dict(config["target_normalizer"])
