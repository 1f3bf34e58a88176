"""Choose among estimator configurations on the training data only.

The test set must not choose a model, or its score stops measuring what a new user
will see. Both functions here train every candidate configuration on part of the
*training* data and score it on the rest:

* :func:`holdout_configurations`: each seed holds out the estimator's own
  ``validation_fraction`` (the seeded split that ``fit`` uses) and scores the final
  model there; quick, but small validation sets are noisy;
* :func:`cross_validate_configurations`: stratified k-fold cross-validation, with the
  held-out fold as ``validation_data`` so that its scores are logged **every epoch**:
  the table also says how many epochs to train.

Both return a :class:`pandas.DataFrame` (one row per run, or per run and epoch) to
summarise with ``groupby``.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from lstmkit._checks import check_int

__all__ = ["cross_validate_configurations", "holdout_configurations"]

#: ``make_estimator(configuration, seed)`` -> an unfitted estimator.
EstimatorFactory = Callable[[Any, int], Any]


def _check_configurations(configurations: Any) -> None:
    if not isinstance(configurations, Mapping) or not configurations:
        raise ValueError(
            "configurations must be a non-empty dict of name -> configuration; "
            f"received {configurations!r}"
        )


def _forget_temporary_run(estimator: Any) -> None:
    """Remove the run folder ``fit`` made up itself (the estimator was given none)."""
    result = getattr(estimator, "fit_result_", None)
    if getattr(estimator, "run_dir", None) is None and getattr(result, "run_dir", None):
        shutil.rmtree(result.run_dir, ignore_errors=True)


def holdout_configurations(
    make_estimator: EstimatorFactory,
    configurations: Mapping[str, Any],
    X: Sequence[np.ndarray],
    y: Any,
    *,
    seeds: Sequence[int],
) -> pd.DataFrame:
    """Train each configuration once per seed on the training data; score what it held out.

    Each estimator holds out its ``validation_fraction`` of ``(X, y)`` by the seeded
    split of :func:`lstmkit.data.validation_split` (seeded by the training seed, as
    ``fit`` does) and is scored there after training.

    Args:
        make_estimator: ``(configuration, seed) -> estimator`` with a
            ``validation_fraction > 0``, ``fit(X, y)``, ``score(X, y)`` and ``fit_result_``.
        configurations: name -> configuration, passed to ``make_estimator``.
        X: the training sequences.
        y: their labels.
        seeds: one training run per seed and configuration.

    Returns:
        One row per configuration and seed: ``configuration``, ``seed``,
        ``val_accuracy`` (the score on the held-out part), ``best_val_loss`` and
        ``seconds`` (training).

    Example:
        >>> from lstmkit.tasks import SequenceClassifier
        >>> table = holdout_configurations(  # doctest: +SKIP
        ...     lambda config, seed: SequenceClassifier(**config, validation_fraction=0.15),
        ...     {"small": {"hidden_size": 16}, "large": {"hidden_size": 64}}, X, y,
        ...     seeds=[10, 11])
        >>> table.groupby("configuration")["val_accuracy"].mean()  # doctest: +SKIP
    """
    from lstmkit.data import validation_split

    _check_configurations(configurations)
    X, y = list(X), np.asarray(y)
    rows = []
    for name, configuration in configurations.items():
        for seed in seeds:
            estimator = make_estimator(configuration, seed)
            estimator.fit(X, y)
            _, held_out = validation_split(len(X), estimator.validation_fraction, seed)
            result = estimator.fit_result_
            rows.append({
                "configuration": name,
                "seed": seed,
                "val_accuracy": float(estimator.score([X[i] for i in held_out], y[held_out])),
                "best_val_loss": float(result.best_val_loss),
                "seconds": float(result.seconds),
            })  # fmt: skip
            _forget_temporary_run(estimator)
    return pd.DataFrame(rows)


def cross_validate_configurations(
    make_estimator: EstimatorFactory,
    configurations: Mapping[str, Any],
    X: Sequence[np.ndarray],
    y: Any,
    *,
    folds: int = 5,
    seeds: Sequence[int] | None = None,
    random_state: int = 0,
) -> pd.DataFrame:
    """Stratified k-fold cross-validation of each configuration, epoch by epoch.

    Every configuration sees the same folds (``StratifiedKFold(folds, shuffle=True,
    random_state=random_state)``); fold ``k`` trains ``make_estimator(configuration,
    seeds[k])`` on the other folds with fold ``k`` as ``validation_data``, so the
    estimator logs its validation scores after every epoch.

    Args:
        make_estimator: ``(configuration, seed) -> estimator`` with
            ``fit(X, y, validation_data=...)`` and ``fit_result_.history`` (lstmkit's
            classifiers and regressors).
        configurations: name -> configuration, passed to ``make_estimator``.
        X: the training sequences.
        y: their labels (the folds keep the class proportions).
        folds: the number of folds (>= 2).
        seeds: the training seed of each fold (default ``0 .. folds - 1``).
        random_state: seeds the fold assignment.

    Returns:
        One row per configuration, fold and epoch: ``configuration``, ``fold``,
        ``seed``, ``epoch`` and the validation columns of the training history
        (``val_loss``, ``val_accuracy``, ...). The mean curve of a configuration is
        ``table.groupby(["configuration", "epoch"])["val_accuracy"].mean()``.

    Example:
        >>> from lstmkit.tasks import SequenceClassifier
        >>> table = cross_validate_configurations(  # doctest: +SKIP
        ...     lambda config, seed: SequenceClassifier(**config, validation_fraction=0),
        ...     {"plain": {}, "dropout": {"dropout": 0.3}}, X, y, folds=5)
        >>> table.groupby(["configuration", "epoch"])["val_accuracy"].mean()  # doctest: +SKIP
    """
    from sklearn.model_selection import StratifiedKFold

    _check_configurations(configurations)
    check_int("folds", folds, 2)
    seeds = list(range(folds)) if seeds is None else list(seeds)
    if len(seeds) != folds:
        raise ValueError(f"seeds must hold one seed per fold ({folds}); received {seeds!r}")
    X, y = list(X), np.asarray(y)
    splits = list(StratifiedKFold(folds, shuffle=True, random_state=random_state).split(X, y))
    parts = []
    for name, configuration in configurations.items():
        for fold, (train, held_out) in enumerate(splits):
            start = time.perf_counter()
            estimator = make_estimator(configuration, seeds[fold])
            estimator.fit([X[i] for i in train], y[train],
                          validation_data=([X[i] for i in held_out], y[held_out]))  # fmt: skip
            history = estimator.fit_result_.history
            scores = [c for c in history.columns if c.startswith("val_")]
            curve = history.dropna(subset=scores, how="all")[["epoch", *scores]]
            parts.append(curve.assign(configuration=name, fold=fold, seed=seeds[fold],
                                      seconds=time.perf_counter() - start))  # fmt: skip
            _forget_temporary_run(estimator)
    table = pd.concat(parts, ignore_index=True)
    first = ["configuration", "fold", "seed", "epoch"]
    return table[first + [c for c in table.columns if c not in first]]
