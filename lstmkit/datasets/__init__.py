"""Named datasets for sequence models, loaded offline.

Real data comes from files that installed packages ship (aeon, statsmodels) or that
lstmkit carries itself; simulated data is generated from a seed. Nothing is ever
downloaded. :func:`list_datasets` says what there is, :func:`load_dataset` loads it as
a :class:`SequenceClassificationData` (classification) or a :class:`SeriesData`
(forecasting), and :func:`train_test_split_series` holds out the end of a series.
"""

from lstmkit.datasets.long_memory import (
    adding_problem,
    adding_solved,
    embedded_reber,
    reber_solved,
    temporal_order,
    temporal_order_solved,
)
from lstmkit.datasets.public_suite import (
    CLASSIFICATION_SETS,
    REGRESSION_SETS,
    load_suite_classification,
    load_suite_regression,
)
from lstmkit.datasets.registry import list_datasets, load_dataset
from lstmkit.datasets.split import train_test_split_series
from lstmkit.datasets.types import (
    DatasetInfo,
    SequenceClassificationData,
    SequenceRegressionData,
    SeriesData,
)

__all__ = [
    "CLASSIFICATION_SETS",
    "REGRESSION_SETS",
    "DatasetInfo",
    "SequenceClassificationData",
    "SequenceRegressionData",
    "SeriesData",
    "adding_problem",
    "adding_solved",
    "embedded_reber",
    "list_datasets",
    "load_dataset",
    "load_suite_classification",
    "load_suite_regression",
    "reber_solved",
    "temporal_order",
    "temporal_order_solved",
    "train_test_split_series",
]
