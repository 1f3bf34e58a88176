"""The base of the sequence estimators: network, validation split, training, prediction.

The estimators follow scikit-learn: the constructor only stores its arguments (checked
in ``fit``), ``fit`` returns ``self``, learned attributes end in ``_``. Each estimator
class names its :class:`~lstmkit.training.Objective` (loss, metric, targets, output
mode) and supplies its targets and scores; this module builds the
:class:`~lstmkit.nn.network.SequenceNetwork`, holds out validation data, calls
:func:`~lstmkit.training.fit_network` and predicts in length-sorted batches. Saving
and loading come from :class:`~lstmkit.tasks.persistence.PersistentEstimator`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, ClassVar

import numpy as np
import torch

from lstmkit._checks import check_choice, check_int, check_probability, describe
from lstmkit.data import (
    NORMALIZATIONS,
    LabelEncoding,
    Normalizer,
    SequenceCollator,
    SequenceDataset,
    as_sequences,
    pad_batch,
    validation_split,
)
from lstmkit.data.augmentation import AugmentedDataset, SequenceAugmenter
from lstmkit.data.resampling import average_pool, pooling_factor
from lstmkit.nn.architectures import build_network, check_architecture
from lstmkit.nn.layer_kinds import LAYER_KINDS
from lstmkit.tasks.defaults import adapted_training_options
from lstmkit.tasks.persistence import (
    PersistentEstimator,
    load,
    refuse_plateau_without_validation,
    refuse_sample_weight,
    register,
)
from lstmkit.training import FitResult, Objective, TrainingOptions, fit_network, get_objective

__all__ = ["PREDICT_BATCH_SIZE", "SequenceEstimator", "load", "register"]

#: Sequences per batch at prediction time (batches hold sequences of similar length).
PREDICT_BATCH_SIZE = 256


@dataclass(eq=False, repr=False, kw_only=True)
class SequenceEstimator(PersistentEstimator):
    """Base class of the sequence estimators (not used directly).

    Subclasses name their ``objective`` (a registered
    :class:`~lstmkit.training.Objective`) and define ``fit``/``predict``/``score`` on
    top of the helpers here. The parameters every sequence estimator takes are declared
    below as dataclass fields (see :class:`~lstmkit.tasks.SequenceClassifier` for their
    meaning); a subclass declares its own after them.
    """

    #: The registered objective this estimator trains with.
    objective: ClassVar[str] = "classification"
    #: Whether fit learns ``pooling_factor_`` (the ``max_steps`` rule); a subclass with
    #: a fit of its own (the Forecaster) says False.
    _pools_sequences: ClassVar[bool] = True

    architecture: str = "recurrent"
    layer: str = "lstm"
    hidden_size: int = 64
    num_layers: int = 1
    dropout: float = 0.0
    layer_options: dict[str, Any] | None = None
    fcn_options: dict[str, Any] | None = None
    augmentation: dict[str, float] | None = None
    normalization: str | None = "zscore"
    training_options: TrainingOptions | None = None
    validation_fraction: float = 0.1
    max_steps: int | None = None
    random_state: int | None = None
    run_dir: str | None = None

    def _objective(self) -> Objective:
        return get_objective(self.objective)

    def _training_options(self) -> TrainingOptions:
        options = super()._training_options()
        if self.random_state is not None:
            check_int("random_state", self.random_state, 0)
            options = replace(options, seed=int(self.random_state))
        return options

    def _adapt_options(self, n_train: int, has_validation: bool) -> TrainingOptions:
        """The options the fit trains with: the user's own exactly as given; with
        ``training_options=None`` (or options that say ``adapt_to_data``), the fields
        left at their defaults adapted to the data
        (:func:`~lstmkit.tasks.defaults.adapted_training_options`). Sets
        ``training_options_``."""
        if self.training_options is None or self.training_options_.adapt_to_data:
            self.training_options_ = adapted_training_options(
                self.training_options_, n_train, has_validation=has_validation
            )
        return self.training_options_

    # ------------------------------------------------------------------ checks
    def _check_params(self) -> TrainingOptions:
        """Check the parameters every sequence estimator takes."""
        check_architecture(self.architecture, self.fcn_options)
        check_choice("layer", self.layer, LAYER_KINDS)
        check_int("hidden_size", self.hidden_size, 1)
        check_int("num_layers", self.num_layers, 1)
        check_probability("dropout", self.dropout)
        if self.layer_options is not None and not isinstance(self.layer_options, dict):
            raise TypeError(
                f"layer_options must be a dict or None; received {describe(self.layer_options)}"
            )
        SequenceAugmenter.from_options(self.augmentation)
        if self.normalization is not None:
            check_choice("normalization", self.normalization, NORMALIZATIONS)
        check_probability("validation_fraction", self.validation_fraction)
        if self.max_steps is not None:
            check_int("max_steps", self.max_steps, 2)
        return super()._check_params()

    # ---------------------------------------------------------------------- fit
    #: Why ``fit`` takes no ``sample_weight`` (said in the error if one is given).
    _no_sample_weight: ClassVar[str] = "its loss weighs every target alike"

    def fit(
        self,
        X: Any,
        y: Any,
        *,
        sample_weight: Any = None,
        validation_data: tuple[Any, Any] | None = None,
        resume_from: str | None = None,
    ):
        """Train on sequences ``X`` (list of ``(T_i, F)`` or ``(N, T, F)``) and targets ``y``.

        Args:
            X: the training sequences.
            y: the targets, in the form the estimator's class describes: one per
                sequence, or one array per sequence, as long as it.
            sample_weight: must be None (the error says why, and what to use instead).
            validation_data: ``(X_val, y_val)`` to validate on; if None, a seeded
                ``validation_fraction`` of the training data is held out instead.
            resume_from: a Lightning checkpoint of an earlier fit with the same
                parameters and data (``<run_dir>/checkpoints/last.ckpt``) to continue from.

        Returns:
            self.

        Raises:
            ValueError / TypeError: bad parameters or data (naming the argument, e.g.
                ``y[3]``), or ``lr_schedule="plateau"`` with no validation data; all
                before any training starts.
        """
        options = self._check_params()
        refuse_sample_weight(self, sample_weight, self._no_sample_weight)
        seqs = as_sequences(X, name="X")
        targets = self._targets(seqs, y, "X", "y", learn=True)
        self.n_features_in_ = seqs[0].shape[1]
        # per-step outputs need every step: the max_steps rule serves one output per sequence
        per_sequence = self._objective().output_mode == "last"
        self.pooling_factor_ = pooling_factor(
            [len(s) for s in seqs], self.max_steps if per_sequence else None
        )
        seqs = average_pool(seqs, self.pooling_factor_)
        if validation_data is not None:
            X_val, y_val = validation_data
            val_seqs = as_sequences(X_val, name="X_val", num_features=self.n_features_in_)
            val_seqs = average_pool(val_seqs, self.pooling_factor_)
            val_targets = self._targets(val_seqs, y_val, "X_val", "y_val")
            train_seqs, train_targets = seqs, targets
        else:
            train_seqs, train_targets, val_seqs, val_targets = self._hold_out(
                seqs, targets, options.seed
            )
        refuse_plateau_without_validation(
            options,
            len(val_seqs) > 0,
            f"pass validation_data=(X_val, y_val) or a validation_fraction > 0 that holds "
            f"out at least one of the {len(seqs)} sequences (it is {self.validation_fraction})",
        )

        options = self._adapt_options(len(train_seqs), has_validation=len(val_seqs) > 0)
        self.normalizer_ = Normalizer(self.normalization).fit(train_seqs)
        self._fit_target_scaling(train_targets)
        class_weights = self._class_weights(targets)
        self.network_ = self._build_network(self.n_features_in_, self._output_size(), options)
        val = None
        if len(val_seqs):
            val = (self.normalizer_.transform(val_seqs), self._scale(val_targets))
        self._train(
            (self.normalizer_.transform(train_seqs), self._scale(train_targets)),
            val,
            options,
            class_weights=class_weights,
            resume_from=resume_from,
        )
        return self

    # What a subclass says about its targets.
    def _targets(self, seqs: list[np.ndarray], y: Any, x_name: str, y_name: str, *,
                 learn: bool = False) -> Any:  # fmt: skip
        """``y`` checked against ``seqs`` and in training form (class indices, float
        arrays); ``learn=True`` (the training targets) first learns that form."""
        raise NotImplementedError

    def _output_size(self) -> int:
        """Outputs of the network (classes, or values per target)."""
        raise NotImplementedError

    def _fit_target_scaling(self, train_targets: Any) -> None:
        """Learn how targets are scaled for training (from the training part only)."""

    def _scale(self, targets: Any) -> Any:
        """Targets as the network is trained on them."""
        return targets

    def _class_weights(self, targets: Any) -> torch.Tensor | None:
        """Per-class loss weights, from all the training targets, or None."""
        return None

    # ----------------------------------------------------------------- training
    def _hold_out(self, seqs: list[np.ndarray], targets: Any, seed: int) -> tuple:
        """``(train_seqs, train_targets, val_seqs, val_targets)`` by the seeded split.

        ``targets`` is an array (one row per sequence) or a list (one array per
        sequence); each part keeps that form.
        """
        train_idx, val_idx = validation_split(len(seqs), self.validation_fraction, seed)

        def pick(items: Any, idx: np.ndarray) -> Any:
            return [items[i] for i in idx] if isinstance(items, list) else items[idx]

        return (
            pick(seqs, train_idx),
            pick(targets, train_idx),
            pick(seqs, val_idx),
            pick(targets, val_idx),
        )

    def _seed(self, options: TrainingOptions) -> None:
        torch.manual_seed(options.seed)

    def _build_network(self, input_size: int, output_size: int, options: TrainingOptions):
        self._seed(options)  # the same seed gives the same initial (and so trained) weights
        return build_network(
            self.architecture,
            input_size,
            output_size,
            fcn_options=self.fcn_options,
            layer=self.layer,
            hidden_size=int(self.hidden_size),
            num_layers=int(self.num_layers),
            dropout=float(self.dropout),
            output_mode=self._objective().output_mode,
            padding_side=options.padding_side,
            layer_options=self.layer_options,
        )

    def _train(
        self,
        train: tuple[list[np.ndarray], Any],
        val: tuple[list[np.ndarray], Any] | None,
        options: TrainingOptions,
        *,
        class_weights: torch.Tensor | None = None,
        resume_from: str | None = None,
    ) -> FitResult:
        """Train ``self.network_`` on (already normalised, encoded) data."""
        objective = self._objective()
        collate = SequenceCollator(
            options.padding_side, options.sequence_length, objective.target_kind
        )
        val_set = None if val is None or len(val[0]) == 0 else SequenceDataset(*val)
        train_set = SequenceDataset(*train)
        augmenter = SequenceAugmenter.from_options(self.augmentation)
        if augmenter is not None:  # training data only; drawn afresh every epoch
            train_set = AugmentedDataset(
                train_set, augmenter, seed=options.seed, target_kind=objective.target_kind
            )
        result = fit_network(
            self.network_,
            objective,
            train_set,
            val_set,
            options,
            collate=collate,
            class_weights=class_weights,
            run_dir=self.run_dir,
            resume_from=resume_from,
        )
        self.network_.eval()
        self.fit_result_ = result
        self.history_ = result.history
        return result

    # --------------------------------------------------------------- prediction
    def _network_inputs(self, X: Any) -> list[np.ndarray]:
        """``X`` checked, shortened by the fit's pooling factor and normalised."""
        seqs = as_sequences(X, name="X", num_features=self.n_features_in_)
        return self.normalizer_.transform(average_pool(seqs, self.pooling_factor_))

    def _outputs(self, seqs: list[np.ndarray]) -> list[np.ndarray]:
        """Network outputs for each sequence, in the input order.

        Batches hold sequences sorted by length (little padding); each output is
        ``(O,)`` for ``output_mode="last"`` or ``(T_i, O)`` per step.
        """
        network = self.network_
        network.eval()
        side = network.recurrent.padding_side
        device = next(network.parameters()).device
        order = np.argsort([len(s) for s in seqs], kind="stable")
        results: list[np.ndarray | None] = [None] * len(seqs)
        with torch.no_grad():
            for start in range(0, len(order), PREDICT_BATCH_SIZE):
                index = order[start : start + PREDICT_BATCH_SIZE]
                x, lengths = pad_batch([seqs[i] for i in index], side=side)
                out = network(x.to(device), lengths).cpu().numpy()
                width = out.shape[1] if out.ndim == 3 else 0
                for row, i in enumerate(index):
                    if out.ndim == 2:
                        results[i] = out[row]
                    else:
                        n = int(lengths[row])
                        results[i] = out[row, :n] if side == "right" else out[row, width - n :]
        return results  # type: ignore[return-value]

    # ---------------------------------------------------------------- save/load
    def _extra_config(self) -> dict[str, Any]:
        """Learned values besides the weights that a subclass must save."""
        return {}

    def _restore_extra(self, config: dict[str, Any]) -> None:
        """Set the learned values that :meth:`_extra_config` saved."""

    def _fitted_config(self) -> dict[str, Any]:
        return {
            "n_features_in_": int(self.n_features_in_),
            **({"pooling_factor": int(self.pooling_factor_)} if self._pools_sequences else {}),
            "output_size": int(self.network_.head.out_features),
            "normalizer": self.normalizer_.to_dict(),
            **self._extra_config(),
        }

    def _restore_fitted(self, config: dict[str, Any]) -> None:
        self.n_features_in_ = int(config["n_features_in_"])
        if self._pools_sequences:
            self.pooling_factor_ = int(config.get("pooling_factor", 1))  # older folders: 1
        self.normalizer_ = Normalizer.from_dict(config["normalizer"])
        self._restore_extra(config)  # before the network: it may choose the objective
        self.network_ = self._build_network(
            self.n_features_in_, int(config["output_size"]), self.training_options_
        )


def encoding_from_config(config: dict[str, Any]) -> LabelEncoding:
    """The label encoding stored under ``config['label_encoding']``."""
    return LabelEncoding.from_dict(config["label_encoding"])
