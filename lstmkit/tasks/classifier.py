"""SequenceClassifier: one label per sequence (MATLAB's sequence-to-label classification)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.metrics import accuracy_score

from lstmkit.data import check_same_length
from lstmkit.tasks.labelled import LabelledEstimator
from lstmkit.tasks.persistence import register

__all__ = ["SequenceClassifier"]


@register
@dataclass(eq=False, repr=False, kw_only=True)
class SequenceClassifier(LabelledEstimator):
    """Classify whole sequences with an LSTM (or BiLSTM, GRU, BiGRU) and a linear head.

    ``fit(X, y)`` takes the sequences (a list of ``(T_i, F)`` arrays or an ``(N, T, F)``
    array) and one label per sequence (strings, ints, ...; at least two classes).

    Args:
        architecture: ``"recurrent"`` (recurrent layers and a linear head) or
            ``"lstm-fcn"`` (the recurrent layers beside a fully convolutional branch with
            squeeze-and-excitation, Karim et al.; see
            :class:`~lstmkit.nn.lstm_fcn.LSTMFCNNetwork`).
        layer: ``"lstm"``, ``"bilstm"``, ``"gru"``, ``"bigru"``, ``"rnn"``, ``"birnn"``.
        hidden_size: units per recurrent layer (per direction).
        num_layers: stacked recurrent layers.
        dropout: dropout between recurrent layers and before the head.
        layer_options: further options for the recurrent layer (``peephole``,
            ``layer_norm``, ...), or None.
        fcn_options: the convolutional branch of ``"lstm-fcn"`` (``filters``,
            ``kernel_sizes``, ``se_reduction``), or None for its defaults.
        augmentation: training-time augmentation, a dict of ``jitter``, ``scaling``,
            ``time_warp``, ``window_slice`` (see
            :class:`~lstmkit.data.augmentation.SequenceAugmenter`), or None.
        normalization: input normalisation, ``"zscore"``, ``"rescale"``, ``"none"``
            or None; statistics come from the training sequences only.
        class_weight: None, or ``"balanced"`` to weight the loss of class k by
            ``n_samples / (n_classes * count_k)``.
        training_options: a :class:`~lstmkit.training.TrainingOptions`, used exactly
            as given; None: the defaults adapted to the data (batch size, epochs, early
            stopping, schedule; the rule is in :mod:`lstmkit.tasks.defaults`).
        validation_fraction: the fraction of the training sequences held out (seeded)
            for validation when ``fit`` gets no ``validation_data``; 0 disables.
        max_steps: if the training sequences' median length exceeds it, every
            sequence (in fit and predict) is shortened by averaging windows of
            ``pooling_factor_`` steps (see :mod:`lstmkit.data.resampling`); None: never.
        random_state: seeds weights, shuffling, augmentation and the validation split
            (overrides ``training_options.seed``); None: that seed (0 by default).
        run_dir: folder for the training run (CSV, plot, checkpoints); None: a new
            temporary one (or ``training_options.log_dir``).

    Returns:
        An unfitted estimator; ``fit`` sets the attributes below.

    Attributes:
        classes_: the labels, sorted (the columns of :meth:`predict_proba`).
        label_encoding_: the :class:`~lstmkit.data.LabelEncoding` of the labels.
        normalizer_: the input :class:`~lstmkit.data.Normalizer`.
        network_: the trained :class:`~lstmkit.nn.network.SequenceNetwork`.
        n_features_in_: features per step.
        pooling_factor_: steps averaged into one by the ``max_steps`` rule (1: none).
        training_options_: the :class:`~lstmkit.training.TrainingOptions` used.
        fit_result_: the :class:`~lstmkit.training.FitResult` (run folder, epochs,
            best validation, time); not kept by :meth:`save` / :meth:`load`.
        history_: the training history, a ``pandas.DataFrame`` with one row per
            iteration (``fit_result_.history``); :meth:`save` stores it and
            :meth:`load` restores it (None for a folder saved without one).

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

    objective = "classification"

    # Chosen on the public suite's training splits (README, "Defaults"): the LSTM-FCN
    # network, and sequences longer than 512 steps at the median averaged down.
    architecture: str = "lstm-fcn"
    max_steps: int | None = 512

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities (softmax), ``(N, n_classes)``, columns in ``classes_`` order.

        A network whose outputs are NaN or inf (training diverged, or a corrupt model)
        raises a ValueError saying for how many sequences, never a guess."""
        return self._softmax(np.stack(self._logits(X)))

    def predict(self, X: Any) -> np.ndarray:
        """The most likely label of every sequence, as the labels given to ``fit``.

        Non-finite network outputs raise a ValueError (see :meth:`predict_proba`); they
        never become class 0."""
        indices = np.stack(self._logits(X)).argmax(axis=-1)
        return self.label_encoding_.decode(indices)

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """Accuracy on ``(X, y)`` (weighted by ``sample_weight``, one weight per sequence);
        labels not seen in training raise a ValueError."""
        self._check_fitted()
        check_same_length(X, y, x_name="X", y_name="y")
        codes = self.label_encoding_.encode(y, "y")
        predicted = np.stack(self._logits(X)).argmax(axis=-1)
        return float(accuracy_score(codes, predicted, sample_weight=sample_weight))
