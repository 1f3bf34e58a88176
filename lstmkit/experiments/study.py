"""``tune``: search an estimator's configuration with Optuna, on the training data only.

Each trial draws a configuration from the search space (:mod:`~lstmkit.experiments.space`)
and scores it by cross-validation (:mod:`~lstmkit.experiments.folds`): the estimator's
own ``score`` (accuracy, R², negative RMSE: higher is better) averaged over the folds.
Optuna's TPE sampler, seeded, proposes the configurations; a median pruner stops a
trial whose validation loss, epoch by epoch, is worse than the median of the earlier
trials at the same fold and epoch (Optuna's Lightning pruning callback, attached to the
estimator's fit through :func:`~lstmkit.training.extra_callbacks`; the validation data
is the ``validation_fraction`` the estimator holds out of each fold's training part, so
the scoring fold never steers training).

A study kept in a storage (an SQLite file, or any Optuna URL) resumes where it stopped:
``n_trials`` is the study's total, so running the same call again runs only the missing
trials, and several processes or machines sharing the storage share one budget. Each
trial trains with the study's seed, so trials differ only in their parameters; the
table records that seed, the lstmkit version and the git commit. At the end the best
configuration is refitted on all the data and, with ``out``, saved to
``<out>/best-model`` beside ``trials.csv`` and the figures.
"""

from __future__ import annotations

import contextlib
import logging
import os
import subprocess
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lstmkit._checks import check_bool, check_int, check_positive, describe
from lstmkit._version import __version__
from lstmkit.experiments.folds import cv_folds, is_forecaster
from lstmkit.experiments.results import trials_table, write_results
from lstmkit.experiments.space import SearchSpace, load_space, split_params

__all__ = [
    "BEST_MODEL",
    "SUMMARY_JSON",
    "TuneResult",
    "configured_estimator",
    "git_commit",
    "resolve_estimator",
    "tune",
]

BEST_MODEL = "best-model"
SUMMARY_JSON = "summary.json"
#: The pruning step of fold k, epoch e is ``k * FOLD_STEPS + e``: the pruner compares a
#: trial with the others at the same fold and epoch (folds differ in difficulty).
FOLD_STEPS = 100_000
#: Task and class names that :func:`resolve_estimator` accepts (lower case).
_NAMES = {
    "classification": "SequenceClassifier", "classify": "SequenceClassifier",
    "classifier": "SequenceClassifier", "sequenceclassifier": "SequenceClassifier",
    "tagging": "SequenceTagger", "tag": "SequenceTagger", "tagger": "SequenceTagger",
    "sequencetagger": "SequenceTagger",
    "regression": "SequenceRegressor", "regress": "SequenceRegressor",
    "regressor": "SequenceRegressor", "sequenceregressor": "SequenceRegressor",
    "forecasting": "Forecaster", "forecast": "Forecaster", "forecaster": "Forecaster",
}  # fmt: skip


@dataclass
class TuneResult:
    """What :func:`tune` found.

    Args:
        study: the ``optuna.Study`` (all its trials, old ones of a resumed study too).
        best_params: the best configuration, by space key (fixed entries included);
            None when no trial completed.
        best_score: its mean cross-validated score (higher is better), or None.
        best_estimator: the best configuration refitted on all the data (None with
            ``refit=False`` or no completed trial).
        trials: the trials table (:func:`~lstmkit.experiments.trials_table`).
        trials_csv, history_png, importances_png: the files written into ``out``
            (None without ``out``).
        model_dir: ``<out>/best-model``, where the refitted estimator was saved (or None).

    Returns:
        A dataclass.

    Example:
        >>> TuneResult(None, {"hidden_size": 32}, 0.9, None, pd.DataFrame()).best_score
        0.9
    """

    study: Any
    best_params: dict[str, Any] | None
    best_score: float | None
    best_estimator: Any
    trials: pd.DataFrame
    trials_csv: Path | None = None
    history_png: Path | None = None
    importances_png: Path | None = None
    model_dir: Path | None = None
    summary: dict[str, Any] = field(default_factory=dict)


def resolve_estimator(estimator: Any) -> Any:
    """An unfitted estimator to tune, from a name, a class or an instance.

    Args:
        estimator: a task or class name (``"classification"``/``"classifier"``/
            ``"SequenceClassifier"``, ``"tagging"``, ``"regression"``,
            ``"forecasting"``), an estimator class, or an instance whose parameters are
            the starting point of every trial (it is cloned, never changed).

    Returns:
        An unfitted estimator.

    Raises:
        ValueError: an unknown name. TypeError: not a sequence estimator of lstmkit.

    Example:
        >>> type(resolve_estimator("forecasting")).__name__
        'Forecaster'
    """
    from sklearn.base import clone

    import lstmkit.tasks as tasks
    from lstmkit.tasks.base import SequenceEstimator

    if isinstance(estimator, str):
        name = _NAMES.get(estimator.lower())
        if name is None:
            raise ValueError(
                f"estimator must name a task ({', '.join(sorted(set(_NAMES)))}); "
                f"received {estimator!r}"
            )
        return getattr(tasks, name)()
    if isinstance(estimator, type) and issubclass(estimator, SequenceEstimator):
        return estimator()
    if isinstance(estimator, SequenceEstimator):
        return clone(estimator)
    raise TypeError(
        f"estimator must be a sequence estimator of lstmkit.tasks (SequenceClassifier, "
        f"SequenceTagger, SequenceRegressor, Forecaster), its class or its task name; "
        f"received {describe(estimator)}"
    )


def configured_estimator(
    base: Any, config: dict[str, Any], seed: int, *, num_threads: int | None = 1
) -> Any:
    """``base`` with a trial's configuration: its own parameters set, its TrainingOptions
    rebuilt with the drawn fields, the study's seed, no progress bar and no run folder.

    Args:
        base: the unfitted estimator being tuned (cloned, never changed).
        config: space key -> value (``hidden_size``, ``training_options.learning_rate``).
        seed: the training seed (unless ``config`` sets ``training_options.seed``).
        num_threads: the torch threads of training when ``base``'s options leave it
            unset (one thread per trial: small recurrent networks do not gain from more,
            and several trials may share the cores).

    Returns:
        An unfitted clone of ``base``.

    Example:
        >>> from lstmkit.tasks import SequenceClassifier
        >>> est = configured_estimator(SequenceClassifier(), {"hidden_size": 8,
        ...                            "training_options.learning_rate": 0.01}, seed=3)
        >>> est.hidden_size, est.training_options.learning_rate, est.training_options.seed
        (8, 0.01, 3)
    """
    from sklearn.base import clone

    from lstmkit.training import TrainingOptions

    params, overrides = split_params(config)
    options = base.training_options
    if options is None:  # the estimator's adapted defaults, with the trial's fields kept
        options = TrainingOptions(adapt_to_data=True)
    elif isinstance(options, dict):
        options = TrainingOptions.from_dict(options)
    values = {**options.to_dict(), "seed": seed, "progress_bar": False, "log_dir": None}
    if values["num_threads"] is None:
        values["num_threads"] = num_threads
    values.update(overrides)
    estimator = clone(base)
    return estimator.set_params(**params, training_options=TrainingOptions(**values),
                                run_dir=None)  # fmt: skip


def git_commit(folder: str | Path | None = None) -> str | None:
    """The commit checked out in ``folder`` (``git rev-parse HEAD``), or None.

    Args:
        folder: where to ask (default: the current folder).

    Returns:
        The 40-character hash, or None when git or a repository is missing.

    Example:
        >>> git_commit("/") is None or len(git_commit("/")) == 40
        True
    """
    try:
        done = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=folder or os.getcwd(), capture_output=True,
            text=True, timeout=10, check=False,
        )  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return None
    text = done.stdout.strip()
    return text if done.returncode == 0 and len(text) == 40 else None


class _FoldTrial:
    """The Optuna trial as the pruning callback of fold ``fold`` sees it.

    Optuna's Lightning callback reports the monitored value at step = epoch. Here the
    value is the validation *loss* while the study maximises a score, so it is reported
    negated (the median pruner compares in the study's direction), at step
    ``fold * FOLD_STEPS + epoch``; and no trial is pruned within ``warmup`` epochs of a
    fold's start, where losses say little yet.
    """

    def __init__(self, trial: Any, fold: int, warmup: int) -> None:
        self._trial, self._fold, self._warmup = trial, fold, warmup
        self.epoch: int | None = None

    def report(self, value: float, step: int) -> None:
        self.epoch = step
        self._trial.report(-value, self._fold * FOLD_STEPS + step)

    def should_prune(self) -> bool:
        return (
            self.epoch is not None and self.epoch >= self._warmup and (self._trial.should_prune())
        )

    def __getattr__(self, name: str) -> Any:  # study, storage, ids: the trial's own
        return getattr(self._trial, name)


def _pruning_callback(trial: Any, fold: int, warmup: int) -> tuple[Any, _FoldTrial]:
    from optuna_integration import PyTorchLightningPruningCallback

    view = _FoldTrial(trial, fold, warmup)
    return PyTorchLightningPruningCallback(view, monitor="val_loss"), view


def _validates(estimator: Any) -> bool:
    """Whether a fit of ``estimator`` logs a validation loss to prune on."""
    return float(getattr(estimator, "validation_fraction", 0.0) or 0.0) > 0


def _storage(storage: Any) -> tuple[Any, str]:
    """An Optuna storage and how to name it in the summary (never a URL's password)."""
    if storage is None:
        return None, "in-memory"
    if not isinstance(storage, str | os.PathLike):
        return storage, type(storage).__name__  # an Optuna storage object, used as given
    import optuna
    from optuna.storages import RDBStorage

    text = os.fspath(storage)
    if "://" in text:
        url, label = text, text.split("://", 1)[0] + " storage"
    else:
        path = Path(text).expanduser().resolve()
        if path.is_dir():
            raise ValueError(f"storage {text!r} is a folder; expected a file such as study.db")
        if not path.parent.is_dir():
            raise ValueError(f"storage {text!r}: its folder {str(path.parent)!r} does not exist")
        url, label = f"sqlite:///{path}", str(path)
    engine: dict[str, Any] = {}
    if url.startswith("sqlite"):  # several processes: wait for the lock, do not fail
        engine = {"connect_args": {"timeout": 60}}
    try:
        # A heartbeat marks a trial whose process was killed as failed when the study
        # next runs, and the callback runs its configuration again. Optuna calls these
        # features experimental; their warnings are no news to the user.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            from optuna.storages import RetryHeartbeatStaleTrialCallback

            backend = RDBStorage(
                url, engine_kwargs=engine, heartbeat_interval=60, grace_period=180,
                heartbeat_stale_trial_callback=RetryHeartbeatStaleTrialCallback(max_retry=1),
            )  # fmt: skip
    except (ImportError, optuna.exceptions.StorageInternalError) as error:
        raise ValueError(f"storage {text!r} cannot be opened: {error}") from error
    return backend, label


@contextlib.contextmanager
def _optuna_verbosity(verbose: bool) -> Iterator[None]:
    import optuna

    before = optuna.logging.get_verbosity()
    optuna.logging.set_verbosity(logging.INFO if verbose else logging.WARNING)
    try:
        yield
    finally:
        optuna.logging.set_verbosity(before)


def _check_budget(n_trials: Any, timeout_minutes: Any, n_jobs: Any) -> None:
    if n_trials is None and timeout_minutes is None:
        raise ValueError(
            "give a budget: n_trials (the study's total number of trials) and/or "
            "timeout_minutes; received neither"
        )
    if n_trials is not None:
        check_int("n_trials", n_trials, 1)
    if timeout_minutes is not None:
        check_positive("timeout_minutes", timeout_minutes)
    if not (isinstance(n_jobs, int) and not isinstance(n_jobs, bool)) or not (
        n_jobs >= 1 or n_jobs == -1
    ):
        raise ValueError(f"n_jobs must be an int >= 1, or -1 for every core; received {n_jobs!r}")


def _check_out(out: Any, refit: bool) -> Path | None:
    """``out`` must be a folder (or become one), and its best-model slot free or a model."""
    if out is None:
        return None
    if not isinstance(out, str | os.PathLike):
        raise TypeError(f"out must be a folder path or None; received {describe(out)}")
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ValueError(f"out {str(out)!r} is a file; expected a folder for the results")
    model = out / BEST_MODEL
    if refit and model.exists():
        held = sorted(p.name for p in model.iterdir()) if model.is_dir() else None
        if held is None or (held and "config.json" not in held):
            raise ValueError(
                f"out: {str(model)!r} holds something other than a saved model; the best "
                f"model would replace it, so choose another out or empty it"
            )
    return out


def _open_study(storage: Any, study_name: str, estimator: Any, space: SearchSpace) -> Any:
    import optuna

    study = optuna.create_study(
        storage=storage, study_name=study_name, direction="maximize", load_if_exists=True
    )
    if study.direction != optuna.study.StudyDirection.MAXIMIZE:
        raise ValueError(
            f"study {study_name!r} minimises; lstmkit's studies maximise the estimator's "
            f"score, so give another study_name"
        )
    name = type(estimator).__name__
    recorded = study.user_attrs.get("estimator")
    if recorded is None:
        study.set_user_attr("estimator", name)
        study.set_user_attr("space", space.to_dict())
    elif recorded != name:
        raise ValueError(
            f"study {study_name!r} in this storage tunes a {recorded}, not a {name}; "
            f"give another study_name (or another storage)"
        )
    return study


def require_optuna() -> None:
    """Raise an ImportError that says how to install the experiment manager's
    dependencies (the ``tune`` extra) when Optuna or its Lightning integration is
    missing; return quietly otherwise."""
    import importlib.util
    import sys

    def installed(name: str) -> bool:
        if sys.modules.get(name) is not None:  # imported already (its __spec__ may be None)
            return True
        return importlib.util.find_spec(name) is not None

    missing = [m for m in ("optuna", "optuna_integration") if not installed(m)]
    if missing:
        raise ImportError(
            f"the experiment manager needs {' and '.join(missing)}, which are not installed; "
            f"install them with: pip install 'lstmkit[tune]'"
        )


def tune(
    estimator: Any,
    X: Any,
    y: Any = None,
    *,
    space: Any,
    n_trials: int | None = None,
    timeout_minutes: float | None = None,
    cv: Any = 3,
    seed: int = 0,
    storage: Any = None,
    study_name: str | None = None,
    n_jobs: int = 1,
    pruning: bool = True,
    pruner: Any = None,
    warmup_epochs: int = 5,
    out: str | Path | None = None,
    refit: bool = True,
    verbose: bool = False,
) -> TuneResult:
    """Search the configuration of an estimator that scores best in cross-validation.

    Args:
        estimator: what to tune: a task name (``"classification"``, ``"tagging"``,
            ``"regression"``, ``"forecasting"``), an estimator class, or an instance
            whose parameters (and ``training_options``) every trial starts from.
        X: the training sequences (for a forecaster: one series or several).
        y: their targets (None for a forecaster). No test data belongs here.
        space: the search space: a dict (see :mod:`lstmkit.experiments.space`), a
            :class:`SearchSpace`, or the path of a YAML/JSON file holding one.
        n_trials: the study's total number of trials (finished ones of a resumed study
            count); the budget may also or instead be ``timeout_minutes``.
        timeout_minutes: stop starting new trials after this many minutes.
        cv: folds (>= 2; stratified for a classifier, shuffled k-fold for a regressor
            or tagger, time-ordered for a forecaster) or a scikit-learn splitter.
        seed: seeds the sampler, the folds and every trial's training.
        storage: None (in memory), the path of an SQLite file (created if missing,
            resumed if it holds the study), an Optuna storage URL
            (``postgresql://...``, shared by several processes or machines) or an
            Optuna storage object.
        study_name: the study's name in the storage (default
            ``lstmkit-<estimator class>``); the same name resumes it.
        n_jobs: trials run at once in threads of this process (-1: one per core). The
            threads share torch's random generators, so such trials are not exactly
            reproducible; for parallel and reproducible trials start several processes
            on one shared ``storage``.
        pruning: stop unpromising trials on their validation loss (needs a
            ``validation_fraction > 0``; a Forecaster's default 0 disables it).
        pruner: an Optuna pruner (default ``MedianPruner(n_startup_trials=5)``).
        warmup_epochs: never prune within this many epochs of a fold's start.
        out: a folder for ``trials.csv``, ``optimization-history.png``,
            ``param-importances.png``, ``summary.json`` and ``best-model`` (the refitted
            estimator); None writes nothing.
        refit: refit the best configuration on all of ``(X, y)``.
        verbose: let Optuna log every trial (INFO) on stderr.

    Returns:
        A :class:`TuneResult`.

    Raises:
        ValueError / TypeError: a malformed space, budget, storage, ``out`` or data, all
            before any trial; a study of the same name that tunes another estimator.
        RuntimeError: no trial completed (all pruned or failed); the table and figures
            are written first.

    Example:
        >>> import numpy as np
        >>> from lstmkit.experiments import tune
        >>> rng = np.random.default_rng(0)
        >>> X = [rng.normal(size=(10, 2)) + (i % 2) for i in range(40)]
        >>> y = [i % 2 for i in range(40)]
        >>> result = tune("classification", X, y, n_trials=3, cv=2,  # doctest: +SKIP
        ...               space={"hidden_size": {"type": "int", "low": 4, "high": 16},
        ...                      "training_options.max_epochs": 5})
        >>> result.best_params, result.best_score  # doctest: +SKIP
    """
    require_optuna()
    import optuna

    from lstmkit.training import TrainingDivergedError, extra_callbacks

    # 1. everything is checked before any trial runs
    base = resolve_estimator(estimator)
    space = load_space(space, base)
    _check_budget(n_trials, timeout_minutes, n_jobs)
    check_int("seed", seed, 0)
    check_int("warmup_epochs", warmup_epochs, 0)
    check_bool("pruning", pruning)
    check_bool("refit", refit)
    if study_name is not None and (not isinstance(study_name, str) or not study_name.strip()):
        raise ValueError(f"study_name must be a non-empty str or None; received {study_name!r}")
    out = _check_out(out, refit)
    _check_values(base, space, seed)
    folds = cv_folds(base, X, y, cv, seed)
    forecaster = is_forecaster(base)
    backend, storage_label = _storage(storage)
    study_name = study_name or f"lstmkit-{type(base).__name__.lower()}"
    commit = git_commit()

    def fit(model: Any, data: tuple[Any, Any]) -> Any:
        return model.fit(data[0]) if forecaster else model.fit(*data)

    def score(model: Any, data: tuple[Any, Any]) -> float:
        return float(model.score(data[0]) if forecaster else model.score(*data))

    def objective(trial: optuna.trial.Trial) -> float:
        start = time.perf_counter()
        config = {p.name: p.suggest(trial) for p in space.parameters}
        for key, value in {"config": config, "seed": seed, "lstmkit_version": __version__,
                           "git_commit": commit}.items():  # fmt: skip
            trial.set_user_attr(key, value)
        scores: list[float] = []
        try:
            for k, (train, test) in enumerate(folds):
                model = configured_estimator(base, config, seed)
                callbacks, view = [], None
                if pruning and _validates(model):
                    callback, view = _pruning_callback(trial, k, warmup_epochs)
                    callbacks = [callback]
                try:
                    with extra_callbacks(callbacks):
                        fit(model, train)
                except optuna.TrialPruned:
                    epoch = view.epoch if view is not None else None
                    trial.set_user_attr("pruned_at", f"fold {k}, epoch {epoch}")
                    raise
                scores.append(score(model, test))
                trial.set_user_attr("fold_scores", scores)
        except TrainingDivergedError as error:
            trial.set_user_attr("failure", " ".join(str(error).split())[:300])
            raise
        finally:
            trial.set_user_attr("seconds", time.perf_counter() - start)
        return float(np.mean(scores))

    # 2. the study: new, or resumed from its storage
    with _optuna_verbosity(verbose):
        study = _open_study(backend, study_name, base, space)
        states = optuna.trial.TrialState
        finished = (states.COMPLETE, states.PRUNED, states.FAIL)
        done = len(study.get_trials(deepcopy=False, states=finished))
        # A resumed study must not replay its first random draws: the sampler's seed
        # moves on with the trials already run (still reproducible from the storage).
        study.sampler = optuna.samplers.TPESampler(seed=seed + done)
        if pruner is None:
            pruner = optuna.pruners.MedianPruner(n_startup_trials=5)
        study.pruner = pruner
        remaining = None if n_trials is None else max(0, n_trials - done)
        started = time.perf_counter()
        if remaining != 0:
            callbacks = []
            if n_trials is not None:  # other processes on the same storage share the total
                callbacks.append(optuna.study.MaxTrialsCallback(n_trials, states=finished))
            study.optimize(
                objective, n_trials=remaining, n_jobs=n_jobs, catch=(TrainingDivergedError,),
                timeout=None if timeout_minutes is None else 60.0 * timeout_minutes,
                callbacks=callbacks,
            )  # fmt: skip
        seconds = time.perf_counter() - started

    # 3. the results, then the best configuration refitted on all the data
    trials = trials_table(study)
    files = write_results(study, out, seed) if out is not None else None
    complete = study.get_trials(deepcopy=False, states=(states.COMPLETE,))
    summary: dict[str, Any] = {
        "study_name": study_name, "storage": storage_label, "estimator": type(base).__name__,
        "seed": seed, "folds": len(folds), "trials": len(study.trials),
        "complete": len(complete), "search_seconds": seconds, "lstmkit_version": __version__,
        "git_commit": commit, "space": space.to_dict(),
    }  # fmt: skip
    if not complete:
        counts = trials["state"].value_counts().to_dict() if len(trials) else {}
        if out is not None:
            _write_summary(out, summary)
        raise RuntimeError(
            f"no trial of study {study_name!r} completed ({counts}); see the 'failure' "
            f"column of the trials table, widen the space or raise the budget"
        )
    best = study.best_trial
    best_params = dict(best.user_attrs.get("config", best.params))
    summary.update({"best_trial": best.number, "best_score": best.value,
                    "best_params": best_params})  # fmt: skip
    result = TuneResult(study, best_params, float(best.value), None, trials, summary=summary)
    if files is not None:
        result.trials_csv = files.trials_csv
        result.history_png = files.history_png
        result.importances_png = files.importances_png
    if refit:
        model = configured_estimator(base, best_params, seed)
        fit(model, (X, y))
        result.best_estimator = model
        if out is not None:
            result.model_dir = model.save(out / BEST_MODEL)
    if out is not None:
        _write_summary(out, summary)
    return result


def _write_summary(out: Path, summary: dict[str, Any]) -> None:
    from lstmkit.io import save_json

    save_json(out / SUMMARY_JSON, summary)


def _check_values(base: Any, space: SearchSpace, seed: int) -> None:
    """Check each end of every range and each choice as the estimator checks its
    parameters when it fits, so that a value it refuses (``layer="bilstm"`` for a
    Forecaster, ``batch_size=0``) is reported now, naming the space key, not after
    trials have trained."""
    for p in space.parameters:
        if p.kind == "categorical":
            values = list(p.choices)
        elif p.kind == "fixed":
            values = [p.value]
        else:
            values = [int(v) for v in (p.low, p.high)] if p.kind == "int" else [p.low, p.high]
        for value in values:
            try:
                model = configured_estimator(base, {p.name: value}, seed)
                check = getattr(model, "_check_params", None)  # what fit checks first
                if check is not None:
                    check()
            except (ValueError, TypeError) as error:
                raise type(error)(f"space key {p.name!r} allows {value!r}: {error}") from error
