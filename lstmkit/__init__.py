"""lstmkit: Long Short-Term Memory networks for Python.

The layer family lives in :mod:`lstmkit.nn`, training in :mod:`lstmkit.training`, the
estimators in :mod:`lstmkit.tasks`; :func:`load` reads any saved estimator back.
"""

from __future__ import annotations

from typing import Any

from lstmkit._version import __version__

__all__ = ["__version__", "load", "tune"]


def load(directory: Any) -> Any:
    """Load an estimator saved with ``est.save(directory)`` (see :func:`lstmkit.tasks.load`)."""
    from lstmkit.tasks import load as load_estimator  # torch only when needed

    return load_estimator(directory)


def tune(estimator: Any, X: Any, y: Any = None, **settings: Any) -> Any:
    """Search an estimator's configuration with Optuna (see :func:`lstmkit.experiments.tune`)."""
    from lstmkit.experiments import tune as run_study  # torch and optuna only when needed

    return run_study(estimator, X, y, **settings)
