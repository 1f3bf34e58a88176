"""What a dataset loader returns: one dataclass per task kind, and the registry's entries.

The containers hold plain numpy arrays, so any model (lstmkit's, scikit-learn's,
statsmodels') can use them. They compare by identity (``eq=False``): element-wise
equality of arrays has no single truth value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass(frozen=True)
class DatasetInfo:
    """One entry of the dataset registry, as :func:`~lstmkit.datasets.list_datasets` gives it.

    Args:
        name: the name to pass to :func:`~lstmkit.datasets.load_dataset`.
        task: ``"classification"`` (loads as :class:`SequenceClassificationData`) or
            ``"forecasting"`` (loads as :class:`SeriesData`).
        description: one or two sentences on what the data is.
        source: where the data comes from and whom to cite.
        size: how much data there is, in words (e.g. ``"144 monthly values"``).
        real: True for measured data, False for simulated (generated) data.
        options: the keyword arguments ``load_dataset`` accepts for this dataset, with
            their defaults (empty for a fixed dataset).

    Returns:
        A frozen record; :func:`~lstmkit.datasets.list_datasets` returns a list of them.

    Example:
        >>> from lstmkit.datasets import list_datasets
        >>> info = {d.name: d for d in list_datasets()}["airline"]
        >>> info.task, info.real, info.size
        ('forecasting', True, '144 monthly values (1949-1960)')
    """

    name: str
    task: str
    description: str
    source: str
    size: str
    real: bool
    options: dict[str, Any] = field(default_factory=dict)


@dataclass(eq=False)
class SequenceClassificationData:
    """Labelled sequences of varying length, split into a training and a test set.

    Args:
        X_train: training sequences, a list of float32 arrays of shape (T_i, F); the
            lengths T_i may differ, the number of features F is the same for all.
        y_train: one label per training sequence, a 1-D array of strings from
            ``class_names``.
        X_test: test sequences, like ``X_train``.
        y_test: test labels, like ``y_train``.
        feature_names: the F feature names, in column order.
        class_names: every label, sorted.
        description: what the data is and where it comes from.
        name: the registry name of the dataset.

    Returns:
        What :func:`~lstmkit.datasets.load_dataset` returns for a classification
        dataset; ``num_features`` and ``num_classes`` are derived properties.

    Example:
        >>> from lstmkit.datasets import load_dataset
        >>> data = load_dataset("japanese-vowels")
        >>> len(data.X_train), len(data.X_test), data.num_features, data.num_classes
        (270, 370, 12, 9)
        >>> data.X_train[0].shape, data.X_train[0].dtype, data.y_train[:3]
        ((20, 12), dtype('float32'), array(['1', '1', '1'], dtype='<U1'))
    """

    X_train: list[np.ndarray]
    y_train: np.ndarray
    X_test: list[np.ndarray]
    y_test: np.ndarray
    feature_names: list[str]
    class_names: list[str]
    description: str
    name: str = ""

    @property
    def num_features(self) -> int:
        """F, the number of features per step."""
        return len(self.feature_names)

    @property
    def num_classes(self) -> int:
        """The number of classes."""
        return len(self.class_names)

    def __repr__(self) -> str:
        # The default repr would print every array; a summary is what one wants to see.
        lengths = [len(x) for x in self.X_train + self.X_test]
        return (
            f"SequenceClassificationData(name={self.name!r}, train={len(self.X_train)}, "
            f"test={len(self.X_test)}, features={self.num_features}, "
            f"classes={self.num_classes}, lengths={min(lengths)}-{max(lengths)})"
        )


@dataclass(eq=False)
class SeriesData:
    """A time series to forecast (or several, for multi-series datasets), with its calendar.

    Args:
        series: a float32 array of shape (T,) (one variable) or (T, F) (F variables),
            or, for a multi-series dataset, a list of such arrays whose lengths may differ.
        time_index: when each value was observed, same length as ``series`` (a list of
            them for a multi-series dataset): ``datetime64`` values for calendar data
            (``datetime64[M]`` for monthly), years as ints for yearly data, and step
            numbers 0, 1, ... for data without a calendar.
        frequency: the spacing of the values: ``"monthly"``, ``"yearly"``, ``"weekly"``,
            ``"daily"``, ``"hourly"``, or ``"step"`` when there is no calendar.
        seasonal_period: the length of the dominant cycle in steps (12 for monthly
            data with a yearly season); 1 when there is none. This is the ``m`` of a
            seasonal-naive forecast or of MASE.
        name: the registry name of the dataset.
        description: what the data is, where it comes from, and how it was prepared.
        units: the unit of the values.
        feature_names: the name of each variable (one name for a univariate series).

    Returns:
        What :func:`~lstmkit.datasets.load_dataset` returns for a forecasting dataset;
        ``is_multiseries`` and ``num_features`` are derived properties.

    Example:
        >>> from lstmkit.datasets import load_dataset
        >>> co2 = load_dataset("co2")
        >>> co2.series.shape, co2.series.dtype, co2.frequency, co2.seasonal_period
        ((526,), dtype('float32'), 'monthly', 12)
        >>> str(co2.time_index[0]), co2.units
        ('1958-03', 'ppm')
    """

    series: np.ndarray | list[np.ndarray]
    time_index: np.ndarray | list[np.ndarray]
    frequency: str
    seasonal_period: int
    name: str
    description: str
    units: str
    feature_names: list[str] = field(default_factory=list)

    @property
    def is_multiseries(self) -> bool:
        """True when ``series`` is a list of separate series."""
        return isinstance(self.series, list)

    @property
    def num_features(self) -> int:
        """F, the number of variables per step (1 for a univariate series)."""
        first = self.series[0] if self.is_multiseries else self.series
        return 1 if first.ndim == 1 else int(first.shape[1])

    def __repr__(self) -> str:
        if self.is_multiseries:
            lengths = [len(s) for s in self.series]
            shape = f"{len(lengths)} series of {min(lengths)}-{max(lengths)} steps"
        else:
            shape = f"shape {self.series.shape}"
        return (
            f"SeriesData(name={self.name!r}, {shape}, frequency={self.frequency!r}, "
            f"seasonal_period={self.seasonal_period}, units={self.units!r})"
        )


@dataclass(eq=False)
class SequenceRegressionData:
    """Sequences with one numeric target each, split into a training and a test set.

    Args:
        X_train: training sequences, a list of float32 arrays of shape (T_i, F).
        y_train: one float64 target per training sequence, shape (N_train,).
        X_test: test sequences, like ``X_train``.
        y_test: test targets, like ``y_train``.
        feature_names: the F feature names, in column order.
        description: what the data is and where it comes from.
        name: the archive name of the dataset.

    Returns:
        What :func:`~lstmkit.datasets.load_suite_regression` returns; ``num_features`` is derived.

    Example:
        >>> from lstmkit.datasets import load_suite_regression
        >>> data = load_suite_regression("Covid3Month")
        >>> len(data.X_train), len(data.X_test), data.X_train[0].shape, data.y_train.dtype
        (140, 61, (84, 1), dtype('float64'))
    """

    X_train: list[np.ndarray]
    y_train: np.ndarray
    X_test: list[np.ndarray]
    y_test: np.ndarray
    feature_names: list[str]
    description: str
    name: str = ""

    @property
    def num_features(self) -> int:
        """F, the number of features per step."""
        return len(self.feature_names)

    def __repr__(self) -> str:
        lengths = [len(x) for x in self.X_train + self.X_test]
        return (
            f"SequenceRegressionData(name={self.name!r}, train={len(self.X_train)}, "
            f"test={len(self.X_test)}, features={self.num_features}, "
            f"lengths={min(lengths)}-{max(lengths)})"
        )
