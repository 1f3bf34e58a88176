"""SequenceTagger: a label for every step of a sequence (sequence-to-sequence classification)."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from sklearn.base import ClassifierMixin

from lstmkit.data import LabelEncoding, Normalizer, as_sequences, check_step_targets
from lstmkit.tasks.base import SequenceEstimator, encoding_from_config, register
from lstmkit.training import TrainingOptions

__all__ = ["SequenceTagger"]


@register
class SequenceTagger(ClassifierMixin, SequenceEstimator):
    """Label every step of a sequence (e.g. activity per time step, phoneme per frame).

    Args:
        layer, hidden_size, num_layers, dropout, layer_options, normalization,
            training_options, validation_fraction, run_dir: as for
            :class:`~lstmkit.tasks.SequenceClassifier` (bidirectional layers see the
            whole sequence, which usually helps tagging).

    Returns:
        After ``fit``: ``classes_``, ``label_encoding_``, ``normalizer_``,
        ``network_``, ``history_``, ``fit_result_``, ``n_features_in_``.

    Example:
        >>> import numpy as np
        >>> from lstmkit.tasks import SequenceTagger
        >>> X = [np.random.default_rng(i).normal(size=(15, 1)) for i in range(40)]
        >>> y = [np.where(x[:, 0] > 0, "up", "down") for x in X]
        >>> SequenceTagger(hidden_size=8).fit(X, y).predict(X[:1])[0].shape  # doctest: +SKIP
        (15,)
    """

    _task = "tagging"
    _output_mode = "sequence"

    def __init__(
        self,
        layer: str = "lstm",
        hidden_size: int = 64,
        num_layers: int = 1,
        dropout: float = 0.0,
        layer_options: dict[str, Any] | None = None,
        normalization: str | None = "zscore",
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
        """Train on sequences ``X`` and per-step labels ``y`` (one label array per sequence).

        Args:
            X: the training sequences.
            y: one label array per sequence, as long as its sequence.
            validation_data: ``(X_val, y_val)``; if None, a seeded
                ``validation_fraction`` of the training data is held out.
            resume_from: a Lightning checkpoint of an earlier fit with the same
                parameters and data (``<run_dir>/checkpoints/last.ckpt``) to continue from.

        Returns:
            self.
        """
        options = self._check_params()
        seqs = as_sequences(X, name="X")
        check_step_targets(seqs, y, x_name="X", y_name="y")
        encoding = LabelEncoding().fit(y, name="y", per_step=True)
        codes = encoding.encode(y, "y")
        if validation_data is not None:
            X_val, y_val = validation_data
            val_seqs = as_sequences(X_val, name="X_val", num_features=seqs[0].shape[1])
            val_codes = encoding.encode(y_val, "y_val", X=val_seqs)
            train_seqs, train_codes = seqs, codes
        else:
            train_seqs, train_codes, val_seqs, val_codes = self._hold_out(
                seqs, list(codes), options.seed
            )
        self.label_encoding_ = encoding
        self.classes_ = encoding.classes_
        self.n_features_in_ = seqs[0].shape[1]
        self.normalizer_ = Normalizer(self.normalization).fit(train_seqs)
        self.network_ = self._build_network(self.n_features_in_, len(self.classes_), options)
        val = (self.normalizer_.transform(val_seqs), val_codes) if val_seqs else None
        self._train(
            (self.normalizer_.transform(train_seqs), train_codes),
            val,
            options,
            target_kind="step",
            resume_from=resume_from,
        )
        return self

    def _logits(self, X: Any) -> list[np.ndarray]:
        self._check_fitted()
        seqs = as_sequences(X, name="X", num_features=self.n_features_in_)
        return self._outputs(self.normalizer_.transform(seqs))

    def predict_proba(self, X: Any) -> list[np.ndarray]:
        """Per-step class probabilities: a list of ``(T_i, n_classes)`` arrays."""
        return [
            torch.softmax(torch.as_tensor(o, dtype=torch.float64), -1).numpy()
            for o in self._logits(X)
        ]

    def predict(self, X: Any) -> list[np.ndarray]:
        """The most likely label at every step: a list of ``(T_i,)`` label arrays."""
        logits = self._logits(X)
        return [self.label_encoding_.decode(o.argmax(-1)) for o in logits]

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """Per-step accuracy over all steps of all sequences."""
        self._check_fitted()
        seqs = as_sequences(X, name="X", num_features=self.n_features_in_)
        codes = self.label_encoding_.encode(y, "y", X=seqs)
        predicted = [o.argmax(-1) for o in self._logits(seqs)]
        return float(np.mean(np.concatenate(predicted) == np.concatenate(codes)))

    def _extra_config(self) -> dict[str, Any]:
        return {"label_encoding": self.label_encoding_.to_dict()}

    def _restore_extra(self, config: dict[str, Any]) -> None:
        self.label_encoding_ = encoding_from_config(config)
        self.classes_ = self.label_encoding_.classes_
