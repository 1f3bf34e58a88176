"""SequenceTagger: a label for every step of a sequence (sequence-to-sequence classification)."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.metrics import accuracy_score

from lstmkit.data import as_sequences
from lstmkit.tasks.labelled import LabelledEstimator
from lstmkit.tasks.persistence import register, weights_per_step

__all__ = ["SequenceTagger"]


@register
class SequenceTagger(LabelledEstimator):
    """Label every step of a sequence (e.g. activity per time step, phoneme per frame).

    ``fit(X, y)`` takes the sequences and, for each, an array of labels as long as it.

    Args:
        layer, hidden_size, num_layers, dropout, layer_options, normalization,
            class_weight, training_options, validation_fraction, run_dir: as for
            :class:`~lstmkit.tasks.SequenceClassifier` (bidirectional layers see the
            whole sequence, which usually helps tagging; ``class_weight="balanced"``
            counts classes over all steps).

    Returns:
        An unfitted estimator; ``fit`` sets the attributes below.

    Attributes:
        classes_, label_encoding_, normalizer_, network_, n_features_in_, pooling_factor_,
            training_options_, fit_result_, history_: as for
            :class:`~lstmkit.tasks.SequenceClassifier` (the label encoding is per step).

    Example:
        >>> import numpy as np
        >>> from lstmkit.tasks import SequenceTagger
        >>> X = [np.random.default_rng(i).normal(size=(15, 1)) for i in range(40)]
        >>> y = [np.where(x[:, 0] > 0, "up", "down") for x in X]
        >>> SequenceTagger(hidden_size=8).fit(X, y).predict(X[:1])[0].shape  # doctest: +SKIP
        (15,)
    """

    objective = "tagging"

    def predict_proba(self, X: Any) -> list[np.ndarray]:
        """Per-step class probabilities: a list of ``(T_i, n_classes)`` arrays."""
        return [self._softmax(o) for o in self._logits(X)]

    def predict(self, X: Any) -> list[np.ndarray]:
        """The most likely label at every step: a list of ``(T_i,)`` label arrays."""
        return [self.label_encoding_.decode(o.argmax(-1)) for o in self._logits(X)]

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """Per-step accuracy over all steps of all sequences.

        Args:
            X: the sequences.
            y: one label array per sequence, as long as it.
            sample_weight: one weight per sequence, given to each of its steps; None
                weighs every step alike.

        Returns:
            The (weighted) share of steps labelled correctly.
        """
        self._check_fitted()
        seqs = as_sequences(X, name="X", num_features=self.n_features_in_)
        codes = self.label_encoding_.encode(y, "y", X=seqs)
        predicted = [o.argmax(-1) for o in self._logits(seqs)]
        weights = weights_per_step(sample_weight, [len(s) for s in seqs])
        return float(
            accuracy_score(np.concatenate(codes), np.concatenate(predicted), sample_weight=weights)
        )
