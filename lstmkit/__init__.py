"""lstmkit: Long Short-Term Memory networks for Python.

The layer family lives in :mod:`lstmkit.nn`, training in :mod:`lstmkit.training`, the
estimators in :mod:`lstmkit.tasks`; :func:`load` reads any saved estimator back.
"""

from __future__ import annotations

from typing import Any

from lstmkit._version import __version__

__all__ = ["__version__", "load", "tune"]


def load(directory: Any) -> Any:
    """Load a model folder: an estimator saved with ``est.save(directory)`` (see
    :func:`lstmkit.tasks.load`) or a reinforcement-learning policy saved with
    ``policy.save(directory)`` (see :func:`lstmkit.rl.load_policy`)."""
    if _is_policy_folder(directory):
        from lstmkit.rl.policies import load_policy  # Stable-Baselines3 only when needed

        return load_policy(directory)
    from lstmkit.tasks import load as load_estimator  # torch only when needed

    return load_estimator(directory)


def _is_policy_folder(directory: Any) -> bool:
    """Whether ``directory``'s config.json names an RL policy (anything unreadable is
    left to the estimators' loader, whose errors say what is wrong with the folder)."""
    import json
    from pathlib import Path

    try:
        config = json.loads((Path(directory) / "config.json").read_text(encoding="utf-8"))
    except (OSError, TypeError, ValueError):
        return False
    return isinstance(config, dict) and config.get("kind") == "lstmkit-rl-policy"


def tune(estimator: Any, X: Any, y: Any = None, **settings: Any) -> Any:
    """Search an estimator's configuration with Optuna (see :func:`lstmkit.experiments.tune`)."""
    from lstmkit.experiments import tune as run_study  # torch and optuna only when needed

    return run_study(estimator, X, y, **settings)
