"""Training on Lightning: TrainingOptions, the LightningModule, callbacks, fit_network."""

from lstmkit.training.callbacks import BestValidationWeights
from lstmkit.training.language_model import (
    LanguageModelFitResult,
    LanguageModelModule,
    TokenStreams,
    fit_language_model,
)
from lstmkit.training.module import IGNORE_INDEX, TASKS, SequenceModule, task_metric
from lstmkit.training.online import (
    OnlineFitResult,
    SolvedShareStopping,
    StreamedBatches,
    fit_online,
)
from lstmkit.training.options import TrainingOptions
from lstmkit.training.trainer import FitResult, fit_network

__all__ = [
    "IGNORE_INDEX",
    "TASKS",
    "BestValidationWeights",
    "FitResult",
    "LanguageModelFitResult",
    "LanguageModelModule",
    "OnlineFitResult",
    "SequenceModule",
    "SolvedShareStopping",
    "StreamedBatches",
    "TokenStreams",
    "TrainingOptions",
    "fit_language_model",
    "fit_network",
    "fit_online",
    "task_metric",
]
