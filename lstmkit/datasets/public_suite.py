"""The public benchmark suite's datasets, read offline from the UCR/UEA files aeon ships.

``benchmarks/suite.py`` scores lstmkit against published classifiers and regressors on a
fixed list of sets from the time series classification and extrinsic regression
archives. Every set listed here is inside aeon's wheel
(``aeon/datasets/data/<name>/<name>_TRAIN.ts`` and ``_TEST.ts``), so the loaders never
touch the network; a set that is not there raises an error instead of letting aeon try
to download it.

The loaders return lstmkit's own containers: a list of ``(T_i, F)`` float32 arrays per
split (aeon gives ``(N, C, T)`` arrays, or a list of ``(C, T_i)`` arrays for unequal
lengths), labels as strings (classification) or float64 targets (regression), and the
default train/test split of the archive. :func:`as_aeon_collection` turns sequences back
into aeon's layout for aeon's estimators.
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np

from lstmkit.datasets.types import SequenceClassificationData, SequenceRegressionData

__all__ = [
    "CLASSIFICATION_SETS",
    "REGRESSION_SETS",
    "SequenceRegressionData",
    "aeon_data_folder",
    "as_aeon_collection",
    "load_suite_classification",
    "load_suite_regression",
]

#: The suite's classification sets (UCR univariate, except JapaneseVowels: UEA, 12
#: features, unequal lengths), default splits.
CLASSIFICATION_SETS: tuple[str, ...] = ("ACSF1", "ItalyPowerDemand", "OSULeaf", "JapaneseVowels")

#: The suite's regression sets (the Monash/UEA extrinsic regression archive).
REGRESSION_SETS: tuple[str, ...] = ("Covid3Month", "CardanoSentiment")

# What each set is, in a sentence or two, from the header of its .ts file and its papers.
_DESCRIPTIONS = {
    "ACSF1": (
        "ACSF1: power consumption signatures of 10 kinds of household appliance (ACS-F1 "
        "database; Gisler et al. 2013, edited by Schäfer & Leser 2017); 100 train / 100 "
        "test series of 1460 readings, long idle periods with bursts of consumption."
    ),
    "ItalyPowerDemand": (
        "ItalyPowerDemand: 24 hourly values of Italian electrical power demand per day; "
        "tell October-March days from April-September days (2 classes); 67 train / 1029 "
        "test. UCR archive."
    ),
    "OSULeaf": (
        "OSULeaf: one-dimensional outlines (427 points) of leaves of six species, from "
        "image segmentation (A. Grandhi, MSc thesis); 200 train / 242 test. UCR archive."
    ),
    "JapaneseVowels": (
        "JapaneseVowels: nine speakers' utterances of /ae/ as 12 LPC cepstrum "
        "coefficients per frame, 7-29 frames; 270 train / 370 test (Kudo et al. 1999). "
        "UEA archive."
    ),
    "Covid3Month": (
        "Covid3Month: each country's daily confirmed COVID-19 cases over three months "
        "(84 days); target: its death rate on 1 April 2020. WHO data; 140 train / 61 test. "
        "Monash/UEA extrinsic regression archive."
    ),
    "CardanoSentiment": (
        "CardanoSentiment: 24 hourly (price, volume) values of the Cardano "
        "cryptocurrency (2 features); target: the day's sentiment score; 74 train / 33 "
        "test. Monash/UEA extrinsic regression archive."
    ),
}


def aeon_data_folder() -> Path:
    """The folder of aeon's wheel that holds the shipped ``.ts`` files.

    Returns:
        ``<site-packages>/aeon/datasets/data``; each set is a subfolder of it.

    Example:
        >>> (aeon_data_folder() / "OSULeaf" / "OSULeaf_TRAIN.ts").is_file()
        True
    """
    import aeon

    return Path(aeon.__file__).resolve().parent / "datasets" / "data"


def _check_shipped(name: object, choices: tuple[str, ...], kind: str) -> str:
    """``name`` if it is one of the suite's ``kind`` sets and its files are in aeon's wheel."""
    if not isinstance(name, str) or name not in choices:
        raise ValueError(
            f"name must be one of the suite's {kind} sets {list(choices)}; received {name!r}"
        )
    folder = aeon_data_folder() / name
    missing = [p.name for p in (folder / f"{name}_TRAIN.ts", folder / f"{name}_TEST.ts")
               if not p.is_file()]  # fmt: skip
    if missing:
        # aeon would download a set it does not ship; lstmkit never downloads.
        raise FileNotFoundError(
            f"the {name} files {missing} are not in this aeon installation ({folder}); "
            f"lstmkit reads the suite offline only, from the files aeon ships"
        )
    return name


def _as_sequences(cases: np.ndarray | list[np.ndarray]) -> list[np.ndarray]:
    """aeon's ``(N, C, T)`` array or list of ``(C, T_i)`` arrays as ``(T_i, C)`` float32."""
    # ascontiguousarray: a transposed view would be slow to batch and to copy to torch
    return [np.ascontiguousarray(np.asarray(case).T, dtype=np.float32) for case in cases]


def _feature_names(name: str, num_features: int) -> list[str]:
    if name == "JapaneseVowels":
        return [f"lpc_cepstrum_{k}" for k in range(1, 13)]
    if name == "CardanoSentiment":
        return ["price", "volume"]
    return ["value"] if num_features == 1 else [f"channel_{k}" for k in range(num_features)]


def _sorted_labels(labels: set[str]) -> list[str]:
    """Labels sorted as numbers when they all are (``'10'`` after ``'9'``), else as text."""
    try:
        return sorted((str(label) for label in labels), key=float)
    except ValueError:
        return sorted(str(label) for label in labels)


@functools.lru_cache(maxsize=16)
def _load_classification(name: str, equal_length: bool) -> SequenceClassificationData:
    from aeon.datasets import load_classification

    def split(part: str) -> tuple[list[np.ndarray], np.ndarray]:
        cases, labels = load_classification(name, split=part, load_equal_length=equal_length)
        return _as_sequences(cases), np.asarray(labels).astype(str)

    X_train, y_train = split("train")
    X_test, y_test = split("test")
    description = _DESCRIPTIONS[name]
    if equal_length and name == "JapaneseVowels":
        description += (
            " Equal-length version shipped with the archive: every utterance resampled "
            "to 25 frames."
        )
    return SequenceClassificationData(
        X_train=X_train,
        y_train=y_train,
        X_test=X_test,
        y_test=y_test,
        feature_names=_feature_names(name, X_train[0].shape[1]),
        class_names=_sorted_labels(set(y_train) | set(y_test)),
        description=description,
        name=name,
    )


def load_suite_classification(
    name: str, *, equal_length: bool = False
) -> SequenceClassificationData:
    """One of the suite's classification sets, default train/test split, offline.

    Args:
        name: one of :data:`CLASSIFICATION_SETS`.
        equal_length: for a set of unequal lengths (JapaneseVowels), load the archive's
            equal-length version instead (aeon's ``load_equal_length=True``: each series
            resampled to 25 steps), the form that classifiers needing one length were
            published on. The other sets are equal-length already and ignore it.

    Returns:
        A :class:`~lstmkit.datasets.SequenceClassificationData` with ``(T_i, F)`` float32
        sequences, string labels and ``name`` set to the archive's name. A fresh copy
        each call (the loaded files are cached).

    Raises:
        ValueError: ``name`` is not one of the suite's sets.
        FileNotFoundError: the installed aeon does not ship the set's files.

    Example:
        >>> data = load_suite_classification("ItalyPowerDemand")
        >>> len(data.X_train), len(data.X_test), data.X_train[0].shape, data.class_names
        (67, 1029, (24, 1), ['1', '2'])
    """
    _check_shipped(name, CLASSIFICATION_SETS, "classification")
    if not isinstance(equal_length, bool):
        raise TypeError(f"equal_length must be a bool; received {equal_length!r}")
    cached = _load_classification(name, equal_length and name == "JapaneseVowels")
    # a copy, so that a caller changing the arrays cannot change the next caller's data
    return SequenceClassificationData(
        X_train=[x.copy() for x in cached.X_train],
        y_train=cached.y_train.copy(),
        X_test=[x.copy() for x in cached.X_test],
        y_test=cached.y_test.copy(),
        feature_names=list(cached.feature_names),
        class_names=list(cached.class_names),
        description=cached.description,
        name=cached.name,
    )


def load_suite_regression(name: str) -> SequenceRegressionData:
    """One of the suite's regression sets, default train/test split, offline.

    Args:
        name: one of :data:`REGRESSION_SETS`.

    Returns:
        A :class:`SequenceRegressionData` with ``(T, F)`` float32 sequences and float64
        targets.

    Raises:
        ValueError: ``name`` is not one of the suite's sets.
        FileNotFoundError: the installed aeon does not ship the set's files.

    Example:
        >>> data = load_suite_regression("CardanoSentiment")
        >>> len(data.X_train), len(data.X_test), data.X_train[0].shape, data.feature_names
        (74, 33, (24, 2), ['price', 'volume'])
    """
    from aeon.datasets import load_regression

    _check_shipped(name, REGRESSION_SETS, "regression")

    def split(part: str) -> tuple[list[np.ndarray], np.ndarray]:
        cases, targets = load_regression(name, split=part)
        return _as_sequences(cases), np.asarray(targets, dtype=np.float64)

    X_train, y_train = split("train")
    X_test, y_test = split("test")
    return SequenceRegressionData(
        X_train=X_train,
        y_train=y_train,
        X_test=X_test,
        y_test=y_test,
        feature_names=_feature_names(name, X_train[0].shape[1]),
        description=_DESCRIPTIONS[name],
        name=name,
    )


def as_aeon_collection(X: list[np.ndarray]) -> np.ndarray | list[np.ndarray]:
    """Sequences in aeon's layout: ``(N, C, T)`` float64 if all have one length, else a
    list of ``(C, T_i)`` arrays (aeon's form for unequal lengths).

    Args:
        X: a non-empty list of ``(T_i, F)`` arrays with the same F.

    Returns:
        What aeon's estimators take as ``X``.

    Example:
        >>> as_aeon_collection([np.zeros((5, 2)), np.ones((5, 2))]).shape
        (2, 2, 5)
        >>> [x.shape for x in as_aeon_collection([np.zeros((5, 2)), np.ones((3, 2))])]
        [(2, 5), (2, 3)]
    """
    if not isinstance(X, list | tuple) or not X:
        raise TypeError(f"X must be a non-empty list of (T_i, F) arrays; received {X!r:.80}")
    cases = [np.asarray(x, dtype=np.float64) for x in X]
    for i, case in enumerate(cases):
        if case.ndim != 2:
            raise ValueError(f"X[{i}] must be a 2-D (T, F) array; received shape {case.shape}")
    if len({case.shape for case in cases}) == 1:
        return np.stack([case.T for case in cases])
    return [np.ascontiguousarray(case.T) for case in cases]
