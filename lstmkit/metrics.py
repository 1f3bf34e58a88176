"""Evaluation metrics for sequence classification, regression and forecasting.

Built on scikit-learn where it has the metric; the rest (MAPE's treatment of zero
targets, MASE) follow their published definitions and say so. Every function checks
its inputs' shapes and says what it expected, and every result is made of plain Python
types, ready for ``json.dump`` into a run folder's ``metrics.json``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from sklearn.metrics import (
    accuracy_score,
    confusion_matrix,
    mean_absolute_error,
    mean_squared_error,
    precision_recall_fscore_support,
)

ZERO_TARGET_RULES = ("skip", "raise")

__all__ = [
    "classification_metrics",
    "count_zero_targets",
    "forecast_metrics",
    "mae",
    "mape",
    "mase",
    "rmse",
]


# ------------------------------------------------------------------ classification
def classification_metrics(y_true: Any, y_pred: Any, labels: Any = None) -> dict[str, Any]:
    """Accuracy, macro-F1, per-class precision/recall/F1/support and the confusion matrix.

    A class that is never predicted has precision 0 (not NaN), and one that never occurs
    has recall 0, so every value is a number; the macro averages run over all
    ``labels``, including classes absent from both ``y_true`` and ``y_pred``.

    Args:
        y_true: true class labels, 1-D (ints or strings); e.g. ``y`` of the test set.
        y_pred: predicted class labels, 1-D, same length (not scores or probabilities:
            pass ``probs.argmax(axis=1)``).
        labels: the classes, in the order used for the confusion matrix and
            ``per_class``. Default: the sorted union of ``y_true`` and ``y_pred``. Every
            label in ``y_true`` and ``y_pred`` must be listed.

    Returns:
        A dict: ``"accuracy"``, ``"macro_precision"``, ``"macro_recall"``,
        ``"macro_f1"`` (floats), ``"n_samples"`` (int), ``"labels"`` (list, the class
        order), ``"per_class"`` (``str(label)`` -> ``{"precision", "recall", "f1",
        "support"}``) and ``"confusion_matrix"`` (nested lists of ints; row = true class,
        column = predicted class, both in ``labels`` order).

    Example:
        >>> from lstmkit.metrics import classification_metrics
        >>> m = classification_metrics(["a", "a", "b", "c"], ["a", "b", "b", "c"])
        >>> m["accuracy"], m["confusion_matrix"]
        (0.75, [[1, 1, 0], [0, 1, 0], [0, 0, 1]])
        >>> m["per_class"]["b"]
        {'precision': 0.5, 'recall': 1.0, 'f1': 0.6666666666666666, 'support': 1}
    """
    true = _label_array("y_true", y_true)
    pred = _label_array("y_pred", y_pred)
    if true.shape != pred.shape:
        raise ValueError(
            f"y_true and y_pred must have the same length (one prediction per sample); "
            f"received {true.shape[0]} and {pred.shape[0]} labels"
        )
    if labels is None:
        classes = _sorted_union(true, pred)
    else:
        classes = _label_array("labels", labels)
        if len(set(classes.tolist())) != len(classes):
            raise ValueError(f"labels must not repeat a class; received {classes.tolist()}")
        for name, values in (("y_true", true), ("y_pred", pred)):
            unknown = sorted(set(values.tolist()) - set(classes.tolist()), key=str)
            if unknown:
                raise ValueError(
                    f"{name} holds labels missing from labels: {unknown[:10]}; labels must "
                    f"list every class (received {classes.tolist()})"
                )
    order = [_plain(c) for c in classes]
    keys = [str(c) for c in order]
    if len(set(keys)) != len(keys):
        raise ValueError(
            f"labels must stay distinct as strings (per_class is keyed by str(label)); "
            f"received {order}"
        )

    precision, recall, f1, support = precision_recall_fscore_support(
        true, pred, labels=classes, zero_division=0
    )
    matrix = confusion_matrix(true, pred, labels=classes)
    return {
        "accuracy": float(accuracy_score(true, pred)),
        "macro_precision": float(np.mean(precision)),
        "macro_recall": float(np.mean(recall)),
        "macro_f1": float(np.mean(f1)),
        "n_samples": int(true.shape[0]),
        "labels": order,
        "per_class": {
            key: {
                "precision": float(p),
                "recall": float(r),
                "f1": float(f),
                "support": int(s),
            }
            for key, p, r, f, s in zip(keys, precision, recall, f1, support, strict=True)
        },
        "confusion_matrix": matrix.astype(int).tolist(),
    }


def _label_array(name: str, values: Any) -> np.ndarray:
    if isinstance(values, str | bytes) or np.ndim(values) == 0:
        raise TypeError(f"{name} must be a 1-D sequence of class labels; received {values!r}")
    array = np.asarray(_to_numpy(values))
    if array.ndim == 2 and array.shape[1] > 1 and name != "labels":
        raise ValueError(
            f"{name} must be 1-D class labels; received a 2-D array of shape {array.shape} "
            f"(scores or one-hot rows? pass {name}.argmax(axis=1))"
        )
    if array.ndim == 2 and array.shape[1] == 1:
        array = array[:, 0]
    if array.ndim != 1:
        raise ValueError(f"{name} must be 1-D class labels; received shape {array.shape}")
    if array.shape[0] == 0:
        raise ValueError(f"{name} must hold at least one label; received an empty sequence")
    if array.dtype.kind == "f" and not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must not contain NaN or infinite labels")
    return array


def _sorted_union(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    values = set(a.tolist()) | set(b.tolist())
    try:
        return np.asarray(sorted(values))
    except TypeError as error:
        raise TypeError(
            f"y_true and y_pred mix label types that cannot be ordered "
            f"({sorted(map(repr, values))}); pass labels= to give the class order"
        ) from error


def _plain(value: Any) -> Any:
    # NumPy scalars -> Python scalars, so the result is JSON-ready.
    return value.item() if isinstance(value, np.generic) else value


# -------------------------------------------------------- regression / forecasting
def rmse(y_true: Any, y_pred: Any) -> float:
    """Root mean squared error over every element.

    Args:
        y_true: true values, any shape (e.g. ``(T,)`` or ``(T, F)``).
        y_pred: predictions, the same shape.

    Returns:
        ``sqrt(mean((y_pred - y_true)**2))`` as a float, in the units of ``y_true``.

    Example:
        >>> from lstmkit.metrics import rmse
        >>> rmse([1.0, 2.0, 3.0, 4.0], [1.0, 2.0, 3.0, 6.0])
        1.0
    """
    true, pred = _paired("y_true", y_true, "y_pred", y_pred)
    return float(math.sqrt(mean_squared_error(true.ravel(), pred.ravel())))


def mae(y_true: Any, y_pred: Any) -> float:
    """Mean absolute error over every element.

    Args:
        y_true: true values, any shape.
        y_pred: predictions, the same shape.

    Returns:
        ``mean(|y_pred - y_true|)`` as a float.

    Example:
        >>> from lstmkit.metrics import mae
        >>> mae([1.0, 2.0, 3.0, 4.0], [2.0, 2.0, 3.0, 1.0])
        1.0
    """
    true, pred = _paired("y_true", y_true, "y_pred", y_pred)
    return float(mean_absolute_error(true.ravel(), pred.ravel()))


def mape(y_true: Any, y_pred: Any, *, zero_targets: str = "skip") -> float:
    """Mean absolute percentage error, in percent.

    The percentage error ``|y_pred - y_true| / |y_true|`` is undefined where the target
    is exactly 0. scikit-learn substitutes a tiny epsilon there, which turns one zero
    into an error of ~1e15 %; here such steps are either left out or refused.

    Args:
        y_true: true values, any shape.
        y_pred: predictions, the same shape.
        zero_targets: ``"skip"`` (default): leave out the elements whose target is 0
            and average over the rest (:func:`count_zero_targets` tells how many were
            left out; :func:`forecast_metrics` reports it). ``"raise"``: a
            ``ValueError`` if any target is 0.

    Returns:
        ``100 * mean(|y_pred - y_true| / |y_true|)`` over the non-zero targets, a float.
        Raises ``ValueError`` if every target is 0 (nothing left to average).

    Example:
        >>> from lstmkit.metrics import mape
        >>> mape([4.0, 0.0, 5.0], [5.0, 3.0, 4.0])  # (25% + 20%) / 2; the 0 is left out
        22.5
    """
    if not isinstance(zero_targets, str) or zero_targets not in ZERO_TARGET_RULES:
        raise ValueError(
            f"zero_targets must be one of {ZERO_TARGET_RULES}; received {zero_targets!r}"
        )
    true, pred = _paired("y_true", y_true, "y_pred", y_pred)
    nonzero = true != 0
    zeros = int(nonzero.size - np.count_nonzero(nonzero))
    if zeros and zero_targets == "raise":
        raise ValueError(
            f"y_true must not contain zeros when zero_targets='raise' (MAPE divides by the "
            f"target); received {zeros} zero target(s) of {true.size}. Use "
            f"zero_targets='skip' to leave them out"
        )
    if zeros == true.size:
        raise ValueError(
            f"y_true must contain at least one non-zero target for MAPE; all {true.size} "
            f"targets are 0 (use rmse or mae instead)"
        )
    ratio = np.abs(pred[nonzero] - true[nonzero]) / np.abs(true[nonzero])
    return float(100.0 * np.mean(ratio))


def count_zero_targets(y_true: Any) -> int:
    """How many targets :func:`mape` skips with ``zero_targets="skip"``.

    Args:
        y_true: true values, any shape.

    Returns:
        The number of elements of ``y_true`` that are exactly 0.

    Example:
        >>> from lstmkit.metrics import count_zero_targets
        >>> count_zero_targets([3.0, 0.0, 0.0, 1.5])
        2
    """
    true = _values("y_true", y_true)
    return int(true.size - np.count_nonzero(true))


def mase(y_true: Any, y_pred: Any, y_train: Any, season: int = 1) -> float:
    """Mean absolute scaled error (Hyndman & Koehler 2006).

    The forecast's mean absolute error divided by the in-sample mean absolute error of
    the seasonal-naive forecast on the training series, ``y_train[t - season]`` for
    ``y_train[t]``. Below 1 the forecast beats that naive method (on the training
    data's scale); it is scale-free and defined when targets are 0.

    Time runs along axis 0. For several series (trailing axes, e.g. ``(T, F)``) each
    series is scaled by its own naive error and the per-series MASE values are averaged.

    Args:
        y_true: true future values, ``(h,)`` or ``(h, *series)``.
        y_pred: forecasts, the same shape.
        y_train: the training (in-sample) series, ``(n,)`` or ``(n, *series)`` with the
            same trailing shape, ``n > season``.
        season: the seasonal period of the naive forecast; 1 = the random walk
            (non-seasonal) naive forecast.

    Returns:
        MASE as a float. Raises ``ValueError`` if a training series has a zero scale
        (it is constant, or exactly periodic with period ``season``).

    Example:
        >>> from lstmkit.metrics import mase
        >>> # naive in-sample errors |2-1|, |4-2|, |3-4| -> scale 4/3; forecast MAE 1
        >>> mase([5.0, 6.0], [4.0, 7.0], y_train=[1.0, 2.0, 4.0, 3.0])
        0.75
    """
    if isinstance(season, bool) or not isinstance(season, int | np.integer):
        raise TypeError(f"season must be an int >= 1; received {season!r}")
    if season < 1:
        raise ValueError(f"season must be an int >= 1; received {season}")
    true, pred = _paired("y_true", y_true, "y_pred", y_pred)
    train = _values("y_train", y_train)
    if train.shape[1:] != true.shape[1:]:
        raise ValueError(
            f"y_train must have the same series (trailing) shape as y_true, with time along "
            f"axis 0; received y_train of shape {train.shape} and y_true of shape {true.shape}"
        )
    if train.shape[0] <= season:
        raise ValueError(
            f"y_train must have more than season={season} steps to compute the "
            f"seasonal-naive scale; received {train.shape[0]} steps"
        )
    scale = np.mean(np.abs(train[season:] - train[:-season]), axis=0)
    if np.any(scale == 0):
        where = "" if scale.ndim == 0 else f" (series {np.argwhere(scale == 0)[0].tolist()})"
        raise ValueError(
            f"y_train gives a zero MASE scale{where}: its seasonal-naive forecast with "
            f"season={season} is exact in-sample (a constant or exactly periodic series), "
            f"so MASE is undefined; use mae or rmse"
        )
    errors = np.mean(np.abs(pred - true), axis=0)
    return float(np.mean(errors / scale))


def forecast_metrics(
    y_true: Any, y_pred: Any, y_train: Any = None, *, season: int = 1
) -> dict[str, Any]:
    """RMSE, MAE, MAPE and (given the training series) MASE in one dict.

    Args:
        y_true: true future values, ``(h,)`` or ``(h, *series)``.
        y_pred: forecasts, the same shape.
        y_train: the training series for MASE (see :func:`mase`); None to leave it out.
        season: the seasonal period for MASE.

    Returns:
        A dict: ``"rmse"``, ``"mae"``, ``"mape"`` (percent; None if every target is 0),
        ``"mape_skipped_zero_targets"`` (how many zero targets MAPE left out),
        ``"mase"`` (None without ``y_train``) and ``"n"`` (number of values compared).

    Example:
        >>> from lstmkit.metrics import forecast_metrics
        >>> m = forecast_metrics([4.0, 5.0], [5.0, 4.0], y_train=[1.0, 2.0, 4.0, 3.0])
        >>> m["rmse"], m["mae"], m["mape"], m["mase"], m["mape_skipped_zero_targets"]
        (1.0, 1.0, 22.5, 0.75, 0)
    """
    true, pred = _paired("y_true", y_true, "y_pred", y_pred)
    skipped = count_zero_targets(true)
    return {
        "rmse": rmse(true, pred),
        "mae": mae(true, pred),
        "mape": None if skipped == true.size else mape(true, pred),
        "mape_skipped_zero_targets": skipped,
        "mase": None if y_train is None else mase(true, pred, y_train, season=season),
        "n": int(true.size),
    }


def _to_numpy(values: Any) -> Any:
    # torch tensors (possibly requiring grad, possibly on a GPU) without importing torch.
    if hasattr(values, "detach") and hasattr(values, "cpu"):
        return values.detach().cpu().numpy()
    return values


def _values(name: str, values: Any) -> np.ndarray:
    if isinstance(values, str | bytes):
        raise TypeError(f"{name} must be an array of numbers; received a string")
    try:
        array = np.asarray(_to_numpy(values), dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise TypeError(
            f"{name} must be an array of numbers (list, NumPy array or tensor) with a "
            f"rectangular shape; received {type(values).__name__} ({error})"
        ) from error
    if array.ndim == 0 or array.size == 0:
        raise ValueError(
            f"{name} must hold at least one value along axis 0; received shape {array.shape}"
        )
    if not np.all(np.isfinite(array)):
        bad = int(np.size(array) - np.count_nonzero(np.isfinite(array)))
        raise ValueError(f"{name} must be finite; received {bad} NaN or infinite value(s)")
    return array


def _paired(name_a: str, a: Any, name_b: str, b: Any) -> tuple[np.ndarray, np.ndarray]:
    first, second = _values(name_a, a), _values(name_b, b)
    # No broadcasting: (T,) against (T, 1) silently makes a (T, T) error matrix.
    if first.shape != second.shape:
        raise ValueError(
            f"{name_a} and {name_b} must have the same shape; received {first.shape} and "
            f"{second.shape}"
        )
    return first, second
