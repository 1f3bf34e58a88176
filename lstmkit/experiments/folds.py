"""The cross-validation folds a tuning study scores each configuration on.

The folds come from the training data only (a test set must never choose a model), and
suit the estimator:

* a classifier: stratified k-fold (each fold keeps the class proportions), shuffled with
  the study's seed;
* a regressor or tagger: shuffled k-fold;
* a :class:`~lstmkit.tasks.Forecaster`: time-ordered splits, as scikit-learn's
  ``TimeSeriesSplit``: every series is cut into ``k + 1`` consecutive blocks; fold ``i``
  trains on the blocks before block ``i + 1`` and is scored on that block, so a
  forecaster is never scored on a past it trained on the future of.

Every fold is ``((X_train, y_train), (X_test, y_test))``; for a forecaster ``y`` is None.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from lstmkit._checks import check_int, describe

__all__ = ["cv_folds", "is_forecaster"]

Fold = tuple[tuple[Any, Any], tuple[Any, Any]]


def is_forecaster(estimator: Any) -> bool:
    """Whether ``estimator`` forecasts series (and so needs time-ordered folds).

    Args:
        estimator: an estimator instance.

    Returns:
        True for a :class:`~lstmkit.tasks.Forecaster` (or a subclass).

    Example:
        >>> from lstmkit.tasks import Forecaster, SequenceClassifier
        >>> is_forecaster(Forecaster()), is_forecaster(SequenceClassifier())
        (True, False)
    """
    from lstmkit.tasks import Forecaster

    return isinstance(estimator, Forecaster)


def cv_folds(estimator: Any, X: Any, y: Any, cv: Any, seed: int) -> list[Fold]:
    """Split the training data into the folds each trial is scored on.

    Args:
        estimator: the estimator being tuned (chooses the kind of split).
        X: the sequences (a list of ``(T_i, F)`` arrays or ``(N, T, F)``), or for a
            forecaster one series or several.
        y: the targets (one per sequence, or per-step arrays); None for a forecaster.
        cv: the number of folds (>= 2), or a scikit-learn splitter (anything with
            ``split(X, y)`` yielding train and test indices of the sequences).
        seed: shuffles the k-fold assignment.

    Returns:
        A list of ``((X_train, y_train), (X_test, y_test))``.

    Raises:
        ValueError: too few sequences (or series too short) for ``cv`` folds.

    Example:
        >>> import numpy as np
        >>> from lstmkit.tasks import Forecaster
        >>> folds = cv_folds(Forecaster(), np.arange(40.0), None, 3, seed=0)
        >>> [(len(train[0][0]), len(test[0][0])) for train, test in folds]
        [(10, 10), (20, 10), (30, 10)]
    """
    if is_forecaster(estimator):
        return _time_ordered(X, cv)
    from sklearn.base import is_classifier
    from sklearn.model_selection import KFold, StratifiedKFold

    from lstmkit.data import check_same_length

    if y is None:
        raise ValueError(f"y must hold the targets of X to tune a {type(estimator).__name__}")
    check_same_length(X, y, x_name="X", y_name="y")
    if hasattr(cv, "split"):
        splitter = cv
    else:
        check_int("cv", cv, 2)
        if cv > len(X):
            raise ValueError(f"cv={cv} folds need at least {cv} sequences; X holds {len(X)}")
        # per-step labels (a tagger) cannot be stratified: one label per sequence can
        stratify = is_classifier(estimator) and _one_label_each(y)
        kind = StratifiedKFold if stratify else KFold
        splitter = kind(n_splits=cv, shuffle=True, random_state=seed)
    labels_for_split = np.asarray(list(y)) if _one_label_each(y) else np.zeros(len(X))
    folds = []
    for train, test in splitter.split(np.zeros((len(X), 1)), labels_for_split):
        folds.append(((_take(X, train), _take(y, train)), (_take(X, test), _take(y, test))))
    return folds


def _one_label_each(y: Any) -> bool:
    """Whether ``y`` holds one scalar label per sequence (not per-step arrays)."""
    return all(np.ndim(label) == 0 for label in y)


def _take(items: Any, index: np.ndarray) -> Any:
    if isinstance(items, np.ndarray):
        return items[index]
    if hasattr(items, "iloc"):  # a pandas Series of labels
        return items.iloc[index].to_numpy()
    if hasattr(items, "index_select"):  # a torch tensor
        return items[index]
    return [items[i] for i in index]


def _time_ordered(X: Any, cv: Any) -> list[Fold]:
    from lstmkit.data import as_series

    if hasattr(cv, "split"):
        raise TypeError(
            f"cv for a Forecaster must be a number of folds (time-ordered splits); "
            f"received {describe(cv)}"
        )
    check_int("cv", cv, 2)
    series = as_series(X, name="X")
    shortest = min(len(s) for s in series)
    block = shortest // (cv + 1)
    if block < 2:
        raise ValueError(
            f"cv={cv} time-ordered folds cut each series into {cv + 1} blocks of at least "
            f"2 steps, so every series needs at least {2 * (cv + 1)} steps; the shortest "
            f"has {shortest}"
        )
    folds = []
    for k in range(cv):
        train, test = [], []
        for s in series:
            size = len(s) // (cv + 1)  # each series in its own blocks: all end at its end
            end = len(s) - (cv - 1 - k) * size
            train.append(s[: end - size])
            test.append(s[end - size : end])
        folds.append(((train, None), (test, None)))
    return folds
