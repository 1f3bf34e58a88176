"""The experiment manager: search an estimator's configuration with Optuna.

* :func:`tune`: cross-validated search (TPE sampler, pruning on the validation loss, a
  resumable study in SQLite or any Optuna storage, a budget in trials or minutes), the
  trials table and figures, and the best configuration refitted and saved;
* :class:`LSTMSearchCV`: the same as a scikit-learn meta-estimator;
* :class:`SearchSpace`, :func:`load_space`, :func:`default_space`: the search space, in
  Python or a YAML/JSON file, checked against the estimator's parameters;
* :func:`trials_table`, :func:`write_results`: the study's results as CSV and PNG.

Optuna loads only when a study runs: ``import lstmkit.experiments`` stays light.
The command line is ``lstmkit tune``.
"""

from __future__ import annotations

from lstmkit._lazy import lazy_exports

# public name -> the module that defines it
_EXPORTS = {
    "cv_folds": "lstmkit.experiments.folds",
    "ResultFiles": "lstmkit.experiments.results",
    "param_importances": "lstmkit.experiments.results",
    "plot_history": "lstmkit.experiments.results",
    "plot_importances": "lstmkit.experiments.results",
    "trials_table": "lstmkit.experiments.results",
    "write_results": "lstmkit.experiments.results",
    "LSTMSearchCV": "lstmkit.experiments.search_cv",
    "Parameter": "lstmkit.experiments.space",
    "SearchSpace": "lstmkit.experiments.space",
    "default_space": "lstmkit.experiments.space",
    "load_space": "lstmkit.experiments.space",
    "TuneResult": "lstmkit.experiments.study",
    "configured_estimator": "lstmkit.experiments.study",
    "resolve_estimator": "lstmkit.experiments.study",
    "tune": "lstmkit.experiments.study",
}

__all__ = sorted(_EXPORTS)


__getattr__, __dir__ = lazy_exports("lstmkit.experiments", _EXPORTS, globals())
