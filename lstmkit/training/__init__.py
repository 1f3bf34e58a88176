"""Training on Lightning: TrainingOptions, the LightningModule, callbacks, fit_network."""

from lstmkit.training.callbacks import BestValidationWeights
from lstmkit.training.module import IGNORE_INDEX, TASKS, SequenceModule, task_metric
from lstmkit.training.options import TrainingOptions
from lstmkit.training.trainer import FitResult, fit_network

__all__ = [
    "IGNORE_INDEX",
    "TASKS",
    "BestValidationWeights",
    "FitResult",
    "SequenceModule",
    "TrainingOptions",
    "fit_network",
    "task_metric",
]
