"""scikit-learn-style estimators: fit / predict / score / save, with LSTM networks inside.

* :class:`SequenceClassifier`: a label per sequence.
* :class:`SequenceTagger`: a label per step.
* :class:`SequenceRegressor`: values per sequence or per step.
* :class:`Forecaster`: one-step-ahead, closed-loop and streaming forecasts.
* :class:`TextGenerator`: an LSTM language model; perplexity and streamed generation.
* :class:`KeywordSpotter`: a keyword in audio, per frame, offline or streaming.
* :func:`load`: load any of them from a folder written by its ``save``.
* :func:`cross_validate_configurations`, :func:`holdout_configurations`: choose a
  configuration on training data only (a table of validation scores).

All share one persistent base (:mod:`lstmkit.tasks.persistence`: save/load as
``config.json`` + ``model.safetensors``, the estimator registry, ``training_options_``);
the sequence estimators also share :mod:`lstmkit.tasks.base` (network, hold-out,
training through an :class:`~lstmkit.training.Objective`), and the classifier and tagger
one labelled fit (:mod:`lstmkit.tasks.labelled`).
"""

from lstmkit.tasks.classifier import SequenceClassifier
from lstmkit.tasks.forecaster import Forecaster
from lstmkit.tasks.keyword_spotter import KeywordSpotter
from lstmkit.tasks.persistence import load
from lstmkit.tasks.regressor import SequenceRegressor
from lstmkit.tasks.selection import cross_validate_configurations, holdout_configurations
from lstmkit.tasks.tagger import SequenceTagger
from lstmkit.tasks.text_generator import TextGenerator

__all__ = [
    "Forecaster",
    "KeywordSpotter",
    "SequenceClassifier",
    "SequenceRegressor",
    "SequenceTagger",
    "TextGenerator",
    "cross_validate_configurations",
    "holdout_configurations",
    "load",
]
