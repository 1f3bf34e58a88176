"""Training on Lightning: options, objectives, one fit engine, and the fits built on it.

* :class:`TrainingOptions`: how to train (MATLAB's ``trainingOptions``).
* :class:`Objective` / :class:`Metric`: what to train for (loss, metric, targets,
  output mode), registered by name (:func:`get_objective`, :func:`register_objective`).
* :func:`run_training`: the engine every fit uses (run folder, checkpoints, resume,
  best-validation weights, threads, timing).
* :func:`fit_network` (sequence data), :func:`fit_language_model` (one continuous
  text, stateful truncated BPTT), :func:`fit_online` (freshly generated batches).
* :func:`gradient_norms_per_step`: how far back the gradient reaches.
"""

from lstmkit.data import IGNORE_INDEX
from lstmkit.training.callbacks import BestValidationWeights
from lstmkit.training.diagnostics import gradient_norms_per_step
from lstmkit.training.engine import (
    FitResult,
    TrainingRun,
    lightning_trainer,
    quiet_lightning,
    read_history,
    run_training,
    torch_threads,
    write_progress,
)
from lstmkit.training.language_model import (
    LanguageModelFitResult,
    LanguageModelModule,
    TokenStreams,
    fit_language_model,
)
from lstmkit.training.module import SequenceModule
from lstmkit.training.objectives import (
    Metric,
    Objective,
    balanced_class_weights,
    get_objective,
    objective_names,
    register_objective,
    unregister_objective,
)
from lstmkit.training.online import (
    OnlineFitResult,
    SolvedShareStopping,
    StreamedBatches,
    fit_online,
)
from lstmkit.training.options import TrainingOptions
from lstmkit.training.trainer import fit_network

__all__ = [
    "IGNORE_INDEX",
    "BestValidationWeights",
    "FitResult",
    "LanguageModelFitResult",
    "LanguageModelModule",
    "Metric",
    "Objective",
    "OnlineFitResult",
    "SequenceModule",
    "SolvedShareStopping",
    "StreamedBatches",
    "TokenStreams",
    "TrainingOptions",
    "TrainingRun",
    "balanced_class_weights",
    "fit_language_model",
    "fit_network",
    "fit_online",
    "get_objective",
    "gradient_norms_per_step",
    "lightning_trainer",
    "objective_names",
    "quiet_lightning",
    "read_history",
    "register_objective",
    "run_training",
    "torch_threads",
    "unregister_objective",
    "write_progress",
]
