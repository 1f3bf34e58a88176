"""The data layer: validation, labels, normalisation, batching and windowing.

Estimators pass user data through :func:`as_sequences` / :func:`as_series` (validated
float32 ``(T_i, F)`` arrays), :class:`LabelEncoding` (labels ↔ class indices) and
:class:`Normalizer` (fitted on training data only), then train on a DataLoader built from
:class:`SequenceDataset`, :class:`BucketBatchSampler` and :class:`SequenceCollator`.
Forecasters build their pairs with :func:`make_forecast_pairs` or :func:`sliding_windows`.
"""

from lstmkit.data.batching import (
    IGNORE_INDEX,
    BucketBatchSampler,
    SequenceCollator,
    SequenceDataset,
    apply_sequence_length,
    chunk_sequence,
    epoch_padding_fraction,
    pad_batch,
    padding_fraction,
)
from lstmkit.data.files import SequenceFile, read_npz, read_sequence_file, read_sequences_csv
from lstmkit.data.normalization import NORMALIZATIONS, Normalizer
from lstmkit.data.sequences import (
    LabelEncoding,
    as_sequences,
    as_series,
    as_targets,
    check_same_length,
    check_step_targets,
)
from lstmkit.data.splitting import validation_split
from lstmkit.data.windowing import make_forecast_pairs, sliding_windows

__all__ = [
    "IGNORE_INDEX",
    "NORMALIZATIONS",
    "BucketBatchSampler",
    "LabelEncoding",
    "Normalizer",
    "SequenceCollator",
    "SequenceDataset",
    "SequenceFile",
    "apply_sequence_length",
    "as_sequences",
    "as_series",
    "as_targets",
    "check_same_length",
    "check_step_targets",
    "chunk_sequence",
    "epoch_padding_fraction",
    "make_forecast_pairs",
    "pad_batch",
    "padding_fraction",
    "read_npz",
    "read_sequence_file",
    "read_sequences_csv",
    "sliding_windows",
    "validation_split",
]
