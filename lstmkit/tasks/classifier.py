"""SequenceClassifier: one label per sequence (MATLAB's sequence-to-label classification)."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from sklearn.base import ClassifierMixin

from lstmkit.data import LabelEncoding, Normalizer, as_sequences, check_same_length
from lstmkit.tasks.base import SequenceEstimator, encoding_from_config, register
from lstmkit.training import TrainingOptions

__all__ = ["SequenceClassifier"]

CLASS_WEIGHTS = (None, "balanced")


@register
class SequenceClassifier(ClassifierMixin, SequenceEstimator):
    """Classify whole sequences with an LSTM (or BiLSTM, GRU, BiGRU) and a linear head.

    Args:
        layer: ``"lstm"``, ``"bilstm"``, ``"gru"`` or ``"bigru"``.
        hidden_size: units per recurrent layer (per direction).
        num_layers: stacked recurrent layers.
        dropout: dropout between recurrent layers and before the head.
        layer_options: further options for the recurrent layer (``peephole``,
            ``layer_norm``, ...), or None.
        normalization: input normalisation, ``"zscore"``, ``"rescale"``, ``"none"``
            or None; statistics come from the training sequences only.
        class_weight: None, or ``"balanced"`` to weight the loss of class k by
            ``n_samples / (n_classes * count_k)``.
        training_options: a :class:`~lstmkit.training.TrainingOptions` (None: defaults);
            its ``seed`` fixes weights, shuffling and the validation split.
        validation_fraction: the fraction of the training sequences held out (seeded)
            for validation when ``fit`` gets no ``validation_data``; 0 disables.
        run_dir: folder for the training run (CSV, plot, checkpoints); None: a new
            temporary one (or ``training_options.log_dir``).

    Returns:
        After ``fit``: ``classes_``, ``label_encoding_``, ``normalizer_``,
        ``network_``, ``history_``, ``fit_result_`` and ``n_features_in_``.

    Example:
        >>> import numpy as np
        >>> from lstmkit.tasks import SequenceClassifier
        >>> from lstmkit.training import TrainingOptions
        >>> rng = np.random.default_rng(0)
        >>> X = [rng.normal(size=(12, 2)) + (i % 2) for i in range(40)]
        >>> y = ["low" if i % 2 == 0 else "high" for i in range(40)]
        >>> clf = SequenceClassifier(hidden_size=8, training_options=TrainingOptions(
        ...     max_epochs=5, learning_rate=1e-2), validation_fraction=0)
        >>> clf.fit(X, y).predict(X[:2]).tolist()  # doctest: +SKIP
        ['low', 'high']
    """

    _task = "classification"
    _output_mode = "last"

    def __init__(
        self,
        layer: str = "lstm",
        hidden_size: int = 64,
        num_layers: int = 1,
        dropout: float = 0.0,
        layer_options: dict[str, Any] | None = None,
        normalization: str | None = "zscore",
        class_weight: str | None = None,
        training_options: TrainingOptions | None = None,
        validation_fraction: float = 0.1,
        run_dir: str | None = None,
    ) -> None:
        self.layer = layer
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.dropout = dropout
        self.layer_options = layer_options
        self.normalization = normalization
        self.class_weight = class_weight
        self.training_options = training_options
        self.validation_fraction = validation_fraction
        self.run_dir = run_dir

    def fit(
        self,
        X: Any,
        y: Any,
        *,
        validation_data: tuple[Any, Any] | None = None,
        resume_from: str | None = None,
    ):
        """Train on sequences ``X`` (list of ``(T_i, F)`` or ``(N, T, F)``) and labels ``y``.

        Args:
            X: the training sequences.
            y: one label per sequence (strings, ints, ...); at least two classes.
            validation_data: ``(X_val, y_val)`` to validate on; if None, a seeded
                ``validation_fraction`` of the training data is held out instead.
            resume_from: a Lightning checkpoint of an earlier fit with the same
                parameters and data (``<run_dir>/checkpoints/last.ckpt``) to continue from.

        Returns:
            self.
        """
        options = self._check_params()
        if self.class_weight not in CLASS_WEIGHTS:
            raise ValueError(
                f"class_weight must be None or 'balanced'; received {self.class_weight!r}"
            )
        seqs = as_sequences(X, name="X")
        check_same_length(seqs, y, x_name="X", y_name="y")
        encoding = LabelEncoding().fit(y, name="y", per_step=False)
        codes = encoding.encode(y, "y")
        if validation_data is not None:
            X_val, y_val = validation_data
            val_seqs = as_sequences(X_val, name="X_val", num_features=seqs[0].shape[1])
            check_same_length(val_seqs, y_val, x_name="X_val", y_name="y_val")
            val_codes = encoding.encode(y_val, "y_val")
            train_seqs, train_codes = seqs, codes
        else:
            train_seqs, train_codes, val_seqs, val_codes = self._hold_out(seqs, codes, options.seed)

        self.label_encoding_ = encoding
        self.classes_ = encoding.classes_
        self.n_features_in_ = seqs[0].shape[1]
        self.normalizer_ = Normalizer(self.normalization).fit(train_seqs)
        weights = None
        if self.class_weight == "balanced":
            counts = np.bincount(codes, minlength=len(self.classes_)).astype(np.float64)
            weights = torch.as_tensor(len(codes) / (len(self.classes_) * np.maximum(counts, 1)))
        self.network_ = self._build_network(self.n_features_in_, len(self.classes_), options)
        val = (self.normalizer_.transform(val_seqs), val_codes) if val_seqs else None
        self._train(
            (self.normalizer_.transform(train_seqs), train_codes),
            val,
            options,
            target_kind="sequence",
            resume_from=resume_from,
            class_weights=weights,
        )
        return self

    def _logits(self, X: Any) -> np.ndarray:
        self._check_fitted()
        seqs = as_sequences(X, name="X", num_features=self.n_features_in_)
        return np.stack(self._outputs(self.normalizer_.transform(seqs)))

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities (softmax), ``(N, n_classes)``, columns in ``classes_`` order."""
        logits = torch.as_tensor(self._logits(X), dtype=torch.float64)
        return torch.softmax(logits, dim=-1).numpy()

    def predict(self, X: Any) -> np.ndarray:
        """The most likely label of every sequence, as the labels given to ``fit``."""
        indices = self._logits(X).argmax(axis=-1)
        return self.label_encoding_.decode(indices)

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """Accuracy on ``(X, y)``; labels not seen in training raise a ValueError."""
        self._check_fitted()
        check_same_length(X, y, x_name="X", y_name="y")
        codes = self.label_encoding_.encode(y, "y")
        predicted = self._logits(X).argmax(axis=-1)
        return float(np.average(predicted == codes, weights=sample_weight))

    def _extra_config(self) -> dict[str, Any]:
        return {"label_encoding": self.label_encoding_.to_dict()}

    def _restore_extra(self, config: dict[str, Any]) -> None:
        self.label_encoding_ = encoding_from_config(config)
        self.classes_ = self.label_encoding_.classes_
