"""What every lstmkit estimator shares: training options, fitted checks, save and load.

An estimator saves to a folder with ``model.safetensors`` (the network's weights) and
``config.json`` (its class name, its constructor parameters and whatever else it
learned: label encoding, normalisers, vocabulary). :func:`load` reads the class name,
looks it up in a fixed registry of lstmkit's estimators (filled by :func:`register`)
and lets that class rebuild itself: nothing is unpickled, no code from the folder runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import numpy as np
from sklearn.base import BaseEstimator

from lstmkit._checks import describe
from lstmkit._version import __version__
from lstmkit.training import TrainingOptions

__all__ = [
    "PersistentEstimator",
    "load",
    "refuse_plateau_without_validation",
    "refuse_sample_weight",
    "register",
    "weights_per_step",
]

# Estimator class name -> class, for :func:`load` (never unpickle a class from a file).
_REGISTRY: dict[str, type] = {}


def register(cls: type) -> type:
    """Class decorator: make ``cls`` loadable by :func:`load` under its class name."""
    _REGISTRY[cls.__name__] = cls
    return cls


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


def refuse_sample_weight(estimator: Any, sample_weight: Any, why: str) -> None:
    """Raise a ValueError if ``sample_weight`` is given to a fit that cannot honour it."""
    if sample_weight is not None:
        raise ValueError(
            f"sample_weight must be None: {type(estimator).__name__}.fit does not weight "
            f"samples ({why}); received {describe(sample_weight)}"
        )


def refuse_plateau_without_validation(
    options: TrainingOptions, has_validation: bool, how: str
) -> None:
    """Raise a ValueError, before any training, if ``lr_schedule="plateau"`` has no
    validation loss to watch (Lightning would fail only after the first epoch).

    Args:
        options: the resolved training options.
        has_validation: whether this fit validates on anything.
        how: how to give this estimator validation data, for the message.

    Returns:
        None.

    Example:
        >>> refuse_plateau_without_validation(TrainingOptions(), False, "pass validation_data")
    """
    if options.lr_schedule == "plateau" and not has_validation:
        raise ValueError(
            f"training_options.lr_schedule='plateau' lowers the learning rate when the "
            f"validation loss stops improving, but this fit has no validation data; "
            f"{how}, or choose another lr_schedule ('none', 'piecewise' or 'cosine')"
        )


def weights_per_step(sample_weight: Any, lengths: list[int]) -> np.ndarray | None:
    """One weight per sequence, repeated for each of its steps (None stays None)."""
    if sample_weight is None:
        return None
    weights = np.asarray(sample_weight, dtype=np.float64)
    if weights.shape != (len(lengths),):
        raise ValueError(
            f"sample_weight must hold one weight per sequence, shape ({len(lengths)},); "
            f"received {describe(sample_weight)}"
        )
    return np.repeat(weights, lengths)


#: The config.json key that holds the training history (``history_``) as CSV text.
HISTORY_KEY = "history_csv"


def history_to_text(history: Any) -> str | None:
    """A training history (a DataFrame, one row per iteration) as CSV text, or None.

    CSV keeps every float exactly (shortest round-trip form), ints as ints and
    missing values (iterations without validation) as empty cells, in one compact
    string inside config.json.

    Args:
        history: a ``pandas.DataFrame`` or None.

    Returns:
        The CSV text (header first), or None for None.

    Example:
        >>> import pandas as pd
        >>> history_to_text(pd.DataFrame({"step": [1, 2], "train_loss": [0.5, 0.25]}))
        'step,train_loss\\n1,0.5\\n2,0.25\\n'
    """
    if history is None:
        return None
    return history.to_csv(index=False, lineterminator="\n")


def history_from_text(text: str | None) -> Any:
    """The DataFrame that :func:`history_to_text` wrote (None stays None).

    Args:
        text: CSV text, or None.

    Returns:
        A ``pandas.DataFrame`` equal to the one saved, or None.

    Example:
        >>> history_from_text("step,train_loss\\n1,0.5\\n2,\\n")["train_loss"].tolist()
        [0.5, nan]
    """
    if text is None:
        return None
    import io

    import pandas as pd

    if not isinstance(text, str):
        raise ValueError(
            f"config.json {HISTORY_KEY!r} must be the training history as CSV text; "
            f"received {describe(text)}"
        )
    return pd.read_csv(io.StringIO(text), float_precision="round_trip")


class PersistentEstimator(BaseEstimator):
    """Base of every lstmkit estimator: options, fitted check, save/load (not used directly).

    A subclass stores its constructor arguments unchanged (scikit-learn's rule), sets
    ``training_options_`` and ``network_`` in ``fit``, and says what else it learned
    with :meth:`_fitted_config` (saved in ``config.json``) and
    :meth:`_restore_fitted` (which rebuilds ``network_`` from it on load).
    """

    #: How the "not fitted" error tells the user to fit.
    _fit_call: ClassVar[str] = "fit(X, y)"

    def _training_options(self) -> TrainingOptions:
        return resolve_training_options(self.training_options)

    def _check_params(self) -> TrainingOptions:
        """Check the parameters (at fit, as scikit-learn asks; a subclass checks its own
        first) and set ``training_options_``, the resolved options the fit uses."""
        self.training_options_ = self._training_options()
        return self.training_options_

    def _check_fitted(self) -> None:
        if not hasattr(self, "network_"):
            from sklearn.exceptions import NotFittedError

            raise NotFittedError(
                f"this {type(self).__name__} is not fitted yet; call {self._fit_call} first"
            )

    # --------------------------------------------------------- subclass hooks
    def _fitted_config(self) -> dict[str, Any]:
        """What was learned besides the weights, as JSON-ready values."""
        return {}

    def _restore_fitted(self, config: dict[str, Any]) -> None:
        """Set what :meth:`_fitted_config` saved and build ``network_`` (weights come next)."""
        raise NotImplementedError

    # -------------------------------------------------------------- save/load
    def save(self, directory: str | Path) -> Path:
        """Save the fitted model to a folder: ``model.safetensors`` and ``config.json``.

        The config holds the estimator's class name, every constructor parameter
        (``training_options`` as a dict), what the estimator learned besides the weights
        (normalisers, label encoding, vocabulary, ...), the training history
        (``history_``, as CSV text under ``"history_csv"``) and, added by
        :func:`lstmkit.io.save_model`, the lstmkit version. The save is atomic. Load it
        with :func:`lstmkit.load` or ``type(self).load``.

        Args:
            directory: the model folder to write (replaced if it holds a model).

        Returns:
            The folder as a Path.
        """
        from lstmkit.io import save_model, to_jsonable

        self._check_fitted()
        params = self.get_params(deep=False)
        params["training_options"] = self.training_options_.to_dict()
        if params.get("run_dir") is not None:
            params["run_dir"] = str(params["run_dir"])
        config = {
            "estimator": type(self).__name__,
            "params": to_jsonable(params, path="params"),
            **self._fitted_config(),
            "estimator_lstmkit_version": __version__,
        }
        history = history_to_text(getattr(self, "history_", None))
        if history is not None:
            config[HISTORY_KEY] = history
        return save_model(directory, self.network_.state_dict(), config)

    @classmethod
    def _from_saved(cls, state: dict[str, Any], config: dict[str, Any]) -> PersistentEstimator:
        """Rebuild a fitted estimator from what :meth:`save` wrote."""
        params = dict(config["params"])
        params["training_options"] = TrainingOptions.from_dict(params["training_options"])
        model = cls(**params)
        model.training_options_ = model._training_options()
        model._restore_fitted(config)
        model.network_.load_state_dict(state)
        model.network_.eval()
        # folders saved before the history was kept have none
        model.history_ = history_from_text(config.get(HISTORY_KEY))
        return model

    @classmethod
    def load(cls, directory: str | Path) -> PersistentEstimator:
        """Load a model saved with :meth:`save`; it must be of this class (or use
        :func:`lstmkit.tasks.load` for any).

        Args:
            directory: the model folder.

        Returns:
            The fitted estimator.
        """
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
