"""What every lstmkit estimator shares: network, validation split, training, prediction, I/O.

The estimators follow scikit-learn: the constructor only stores its arguments (checked
in ``fit``), ``fit`` returns ``self``, learned attributes end in ``_``. Each estimator
class supplies the task-specific parts (targets, outputs, score); this module builds
the :class:`~lstmkit.nn.network.SequenceNetwork`, holds out validation data, calls
:func:`~lstmkit.training.fit_network`, predicts in length-sorted batches and saves or
loads a model folder (``model.safetensors`` + ``config.json``, never pickle).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import torch
from sklearn.base import BaseEstimator

import lstmkit
from lstmkit._checks import describe
from lstmkit.data import (
    NORMALIZATIONS,
    LabelEncoding,
    Normalizer,
    SequenceCollator,
    SequenceDataset,
    pad_batch,
    validation_split,
)
from lstmkit.nn.network import LAYER_KINDS, SequenceNetwork
from lstmkit.training import FitResult, TrainingOptions, fit_network

__all__ = ["PREDICT_BATCH_SIZE", "SequenceEstimator", "load", "register"]

#: Sequences per batch at prediction time (batches hold sequences of similar length).
PREDICT_BATCH_SIZE = 256

# Estimator class name -> class, for :func:`load` (never unpickle a class from a file).
# A registered class rebuilds itself from a saved folder with the classmethod
# ``_from_saved(state, config)``.
_REGISTRY: dict[str, type] = {}


def register(cls: type) -> type:
    """Class decorator: make ``cls`` loadable by :func:`load` under its class name."""
    _REGISTRY[cls.__name__] = cls
    return cls


def saved_params(estimator: Any) -> dict[str, Any]:
    """An estimator's constructor parameters as ``save`` stores them (JSON-ready forms
    of ``training_options`` and ``run_dir``)."""
    params = estimator.get_params(deep=False)
    params["training_options"] = estimator._training_options().to_dict()
    if params.get("run_dir") is not None:
        params["run_dir"] = str(params["run_dir"])
    return params


def resolve_training_options(options: Any) -> TrainingOptions:
    """An estimator's ``training_options`` as a :class:`TrainingOptions` (None: defaults;
    a dict: its fields), or a TypeError saying what came instead."""
    if options is None:
        return TrainingOptions()
    if isinstance(options, dict):
        return TrainingOptions.from_dict(options)
    if not isinstance(options, TrainingOptions):
        raise TypeError(
            f"training_options must be a TrainingOptions, a dict of its fields or None; "
            f"received {describe(options)}"
        )
    return options


class SequenceEstimator(BaseEstimator):
    """Base class of the lstmkit estimators (not used directly).

    Subclasses define ``__init__`` (storing every argument unchanged), ``_task``,
    ``_output_mode`` and their own ``fit``/``predict``/``score`` on top of the helpers
    here. Common parameters: ``layer``, ``hidden_size``, ``num_layers``, ``dropout``,
    ``layer_options``, ``normalization``, ``training_options``, ``validation_fraction``
    and ``run_dir``.
    """

    _task = "classification"
    _output_mode = "last"

    # ------------------------------------------------------------------ checks
    def _training_options(self) -> TrainingOptions:
        return resolve_training_options(self.training_options)

    def _check_params(self) -> TrainingOptions:
        """Validate the common constructor parameters (at fit, as scikit-learn asks)."""
        if self.layer not in LAYER_KINDS:
            raise ValueError(f"layer must be one of {LAYER_KINDS}; received {self.layer!r}")
        for name, low in (("hidden_size", 1), ("num_layers", 1)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < low:
                raise ValueError(f"{name} must be an int >= {low}; received {describe(value)}")
        if isinstance(self.dropout, bool) or not isinstance(self.dropout, int | float):
            raise TypeError(
                f"dropout must be a number in [0, 1); received {describe(self.dropout)}"
            )
        if not 0 <= self.dropout < 1:
            raise ValueError(f"dropout must lie in [0, 1); received {self.dropout}")
        if self.layer_options is not None and not isinstance(self.layer_options, dict):
            raise TypeError(
                f"layer_options must be a dict or None; received {describe(self.layer_options)}"
            )
        if self.normalization is not None and self.normalization not in NORMALIZATIONS:
            raise ValueError(
                f"normalization must be one of {NORMALIZATIONS} or None; "
                f"received {self.normalization!r}"
            )
        fraction = self.validation_fraction
        if isinstance(fraction, bool) or not isinstance(fraction, int | float):
            raise TypeError(
                f"validation_fraction must be a number in [0, 1); received {describe(fraction)}"
            )
        if not 0 <= fraction < 1:
            raise ValueError(f"validation_fraction must lie in [0, 1); received {fraction}")
        return self._training_options()

    def _check_fitted(self) -> None:
        if not hasattr(self, "network_"):
            from sklearn.exceptions import NotFittedError

            raise NotFittedError(
                f"this {type(self).__name__} is not fitted yet; call fit(X, y) first"
            )

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
        return SequenceNetwork(
            input_size,
            output_size,
            layer=self.layer,
            hidden_size=int(self.hidden_size),
            num_layers=int(self.num_layers),
            dropout=float(self.dropout),
            output_mode=self._output_mode,
            padding_side=options.padding_side,
            layer_options=self.layer_options,
        )

    def _train(
        self,
        train: tuple[list[np.ndarray], Any],
        val: tuple[list[np.ndarray], Any] | None,
        options: TrainingOptions,
        *,
        target_kind: str,
        class_weights: torch.Tensor | None = None,
        resume_from: str | None = None,
    ) -> FitResult:
        """Train ``self.network_`` on (already normalised, encoded) data."""
        collate = SequenceCollator(options.padding_side, options.sequence_length, target_kind)
        val_set = None if val is None or len(val[0]) == 0 else SequenceDataset(*val)
        result = fit_network(
            self.network_,
            self._task,
            SequenceDataset(*train),
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

    def save(self, directory: str | Path) -> Path:
        """Save the fitted model to a folder: ``model.safetensors`` and ``config.json``.

        The config holds the estimator's class name, every constructor parameter
        (``training_options`` as a dict), the fitted normaliser and label encoding,
        ``n_features_in_`` and, added by :func:`lstmkit.io.save_model`, the lstmkit
        version. The save is atomic. Load it with :func:`lstmkit.tasks.load` or
        ``type(self).load``.

        Args:
            directory: the model folder to write (replaced if it holds a model).

        Returns:
            The folder as a Path.
        """
        from lstmkit.io import save_model, to_jsonable

        self._check_fitted()
        config = {
            "estimator": type(self).__name__,
            "params": to_jsonable(saved_params(self), path="params"),
            "n_features_in_": int(self.n_features_in_),
            "output_size": int(self.network_.head.out_features),
            "normalizer": self.normalizer_.to_dict(),
            "estimator_lstmkit_version": lstmkit.__version__,
            **self._extra_config(),
        }
        return save_model(directory, self.network_.state_dict(), config)

    @classmethod
    def _from_saved(cls, state: dict[str, Any], config: dict[str, Any]) -> SequenceEstimator:
        """Rebuild a fitted estimator from what :meth:`save` wrote."""
        params = dict(config["params"])
        params["training_options"] = TrainingOptions.from_dict(params["training_options"])
        model = cls(**params)
        options = model._training_options()
        model.n_features_in_ = int(config["n_features_in_"])
        model.normalizer_ = Normalizer.from_dict(config["normalizer"])
        model._restore_extra(config)  # before the network: it may set the output mode
        model.network_ = model._build_network(
            model.n_features_in_, int(config["output_size"]), options
        )
        model.network_.load_state_dict(state)
        model.network_.eval()
        return model

    @classmethod
    def load(cls, directory: str | Path) -> SequenceEstimator:
        """Load a model saved with :meth:`save`; it must be of this class (or use
        :func:`lstmkit.tasks.load` for any)."""
        model = load(directory)
        if not isinstance(model, cls):
            raise ValueError(
                f"{directory} holds a {type(model).__name__}, not a {cls.__name__}; "
                f"use lstmkit.tasks.load to load any estimator"
            )
        return model


def load(directory: str | Path) -> Any:
    """Load any lstmkit estimator saved with ``save`` (TextGenerator too), as its own class.

    The class comes from the name in ``config.json`` looked up in a fixed registry of
    lstmkit's estimators; nothing is unpickled and no code from the folder runs.

    Args:
        directory: a model folder written by an estimator's ``save``.

    Returns:
        The fitted estimator, ready to predict.

    Example:
        >>> from lstmkit.tasks import load
        >>> load("no/such/folder")  # doctest: +IGNORE_EXCEPTION_DETAIL
        Traceback (most recent call last):
        lstmkit.io.model.ModelFormatError: cannot load a model from no/such/folder ...
    """
    from lstmkit.io import load_model

    state, config = load_model(directory)
    name = config.get("estimator")
    if name not in _REGISTRY:
        raise ValueError(
            f"{directory} holds no lstmkit estimator (config.json 'estimator' is {name!r}; "
            f"known: {sorted(_REGISTRY)})"
        )
    return _REGISTRY[name]._from_saved(state, config)


def encoding_from_config(config: dict[str, Any]) -> LabelEncoding:
    """The label encoding stored under ``config['label_encoding']``."""
    return LabelEncoding.from_dict(config["label_encoding"])
