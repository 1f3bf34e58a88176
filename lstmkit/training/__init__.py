"""Training on Lightning: options, objectives, one fit engine, and the fits built on it.

* :class:`TrainingOptions`: how to train (MATLAB's ``trainingOptions``).
* :class:`Objective` / :class:`Metric`: what to train for (loss, metric, targets,
  output mode), registered by name (:func:`get_objective`, :func:`register_objective`).
* :func:`run_training`: the engine every fit uses (run folder, checkpoints, resume,
  best-validation weights, divergence checks, threads, timing).
* :func:`fit_network` (sequence data), :func:`fit_language_model` (one continuous
  text, stateful truncated BPTT), :func:`fit_online` (freshly generated batches).
* :class:`TrainingDivergedError`: what a fit raises when its loss becomes NaN/inf.
* :func:`gradient_norms_per_step`: how far back the gradient reaches.

The names load on first use (PEP 562): ``from lstmkit.training import TrainingOptions``
does not import Lightning, which the fits load when they start.
"""

from __future__ import annotations

from lstmkit._lazy import lazy_exports

# public name -> the module that defines it
_EXPORTS = {
    "IGNORE_INDEX": "lstmkit.data",
    "BestValidationWeights": "lstmkit.training.callbacks",
    "gradient_norms_per_step": "lstmkit.training.diagnostics",
    "FitResult": "lstmkit.training.engine",
    "TrainingRun": "lstmkit.training.engine",
    "lightning_trainer": "lstmkit.training.engine",
    "quiet_lightning": "lstmkit.training.engine",
    "read_history": "lstmkit.training.engine",
    "run_training": "lstmkit.training.engine",
    "torch_threads": "lstmkit.training.engine",
    "write_progress": "lstmkit.training.engine",
    "TrainingDivergedError": "lstmkit.training.guards",
    "current_extra_callbacks": "lstmkit.training.hooks",
    "extra_callbacks": "lstmkit.training.hooks",
    "LanguageModelFitResult": "lstmkit.training.language_model",
    "LanguageModelModule": "lstmkit.training.language_model_module",
    "TokenStreams": "lstmkit.training.language_model",
    "fit_language_model": "lstmkit.training.language_model",
    "SequenceModule": "lstmkit.training.module",
    "Metric": "lstmkit.training.objectives",
    "Objective": "lstmkit.training.objectives",
    "balanced_class_weights": "lstmkit.training.objectives",
    "get_objective": "lstmkit.training.objectives",
    "objective_names": "lstmkit.training.objectives",
    "register_objective": "lstmkit.training.objectives",
    "unregister_objective": "lstmkit.training.objectives",
    "OnlineFitResult": "lstmkit.training.online",
    "SolvedShareStopping": "lstmkit.training.online",
    "StreamedBatches": "lstmkit.training.online",
    "fit_online": "lstmkit.training.online",
    "TrainingOptions": "lstmkit.training.options",
    "fit_network": "lstmkit.training.trainer",
}

__all__ = sorted(_EXPORTS)


__getattr__, __dir__ = lazy_exports("lstmkit.training", _EXPORTS, globals())
