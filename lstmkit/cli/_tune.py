"""``lstmkit tune``: the experiment manager on the command line.

It searches an estimator's configuration on the *training* data of ``--data`` (a data
file, or a built-in dataset as ``builtin:NAME`` or plain ``NAME``) with
:func:`lstmkit.experiments.tune`: cross-validated trials drawn from ``--space`` (a
YAML/JSON file; without it a default space), a budget of ``--trials`` and/or
``--minutes``, and a study kept in ``--storage`` (an SQLite file, resumed when run
again, or an Optuna URL shared by several processes or machines). ``--out`` receives
``trials.csv``, the figures, ``summary.json`` and ``best-model``. A built-in dataset's
test split is used only after the search, to score the chosen configuration (refitted
with ``--test-seeds`` seeds): ``metrics.json``.
"""

from __future__ import annotations

import json
import statistics
from pathlib import Path
from typing import Any

import typer

from lstmkit.cli._base import app, fail, option_errors, positive
from lstmkit.cli._paths import check_model_target, check_run_folder
from lstmkit.cli._train import Task, check_data_source, load_training_data

__all__ = ["tune"]

#: TrainingOptions / estimator / tune parameter -> the option that sets it
_FLAGS = {
    "max_epochs": "--max-epochs", "batch_size": "--batch-size", "seed": "--seed",
    "num_threads": "--num-threads", "validation_fraction": "--validation-fraction",
    "n_trials": "--trials", "timeout_minutes": "--minutes", "cv": "--folds",
    "storage": "--storage", "study_name": "--study-name", "n_jobs": "--jobs",
    "space": "--space",
}  # fmt: skip


def _data_source(data: str) -> str:
    """A plain dataset name (not a file) means ``builtin:NAME``, as ``--data`` documents."""
    if data.startswith("builtin:") or Path(data).suffix or Path(data).exists():
        return data
    from lstmkit.datasets import list_datasets

    names = {info.name for info in list_datasets()}
    return f"builtin:{data}" if data in names else data


def _check_space_file(space: Path | None) -> None:
    if space is None:
        return
    if not space.is_file():
        fail(f"--space {str(space)!r}: no such file (a .yaml or .json search space)")
    if space.suffix.lower() not in (".yaml", ".yml", ".json"):
        fail(f"--space {str(space)!r} must be a .yaml, .yml or .json file")


def _check_storage(storage: str | None) -> None:
    if storage is None or "://" in storage:
        return
    path = Path(storage)
    if path.is_dir():
        fail(f"--storage {storage!r} is a folder; expected a file such as study.db")
    if not path.resolve().parent.is_dir():
        fail(f"--storage {storage!r}: its folder {str(path.resolve().parent)!r} does not exist")


@app.command()
def tune(
    task: Task = typer.Option(..., help="What to learn."),
    data: str = typer.Option(..., help="A .csv/.npz file, or a built-in dataset (NAME or "
                             "builtin:NAME; see `lstmkit datasets`). Only its training "
                             "part is searched on."),
    out: Path = typer.Option(..., help="Results folder: trials.csv, figures, summary.json, "
                             "best-model."),
    space: Path = typer.Option(None, help="Search space, a .yaml/.json file; default: layer, "
                               "hidden size, depth, dropout, learning rate."),
    trials: int = typer.Option(None, min=1, help="The study's total number of trials."),
    minutes: float = typer.Option(None, callback=positive,
                                  help="Stop starting trials after this many minutes."),
    folds: int = typer.Option(3, min=2, help="Cross-validation folds (time-ordered for "
                              "forecasting)."),
    storage: str = typer.Option(None, help="Keep the study in this SQLite file (resumed when "
                                "run again) or Optuna URL; default: in memory."),
    study_name: str = typer.Option(None, help="The study's name in --storage."),
    seed: int = typer.Option(0, min=0, help="Seeds the sampler, the folds and the training."),
    max_epochs: int = typer.Option(None, min=1, help="Epochs per fit, unless the space "
                                   "sets it; default: chosen from the data."),
    batch_size: int = typer.Option(None, min=1, help="Sequences per mini-batch, unless the "
                                   "space sets it; default: chosen from the data."),
    validation_fraction: float = typer.Option(
        None, min=0.0, max=0.9, help="Share of each fold's training part held out to "
        "validate and prune on (default 0.1; 0 for forecasting)."),
    pruning: bool = typer.Option(True, help="Stop unpromising trials early."),
    jobs: int = typer.Option(1, min=1, help="Trials at once in this process (threads)."),
    num_threads: int = typer.Option(None, min=1, help="CPU threads per fit; default 1."),
    test_seeds: int = typer.Option(1, min=1, help="With a test split: refit the best "
                                   "configuration with this many seeds and score each."),
    quiet: bool = typer.Option(False, help="Do not log every trial."),
) -> None:  # fmt: skip
    """Search a model's configuration (Optuna) on your data, and save the best."""
    # 1. everything that can be checked without torch
    if trials is None and minutes is None:
        fail("give a budget: --trials N and/or --minutes M")
    data = _data_source(data)
    check_data_source(data, task)
    _check_space_file(space)
    _check_storage(storage)
    check_run_folder(out)
    check_model_target(out / "best-model")
    # 2. the estimator and the space, checked by lstmkit itself
    from lstmkit.apps import limit_threads
    from lstmkit.experiments import (
        configured_estimator,
        default_space,
        load_space,
        resolve_estimator,
    )
    from lstmkit.experiments import tune as run_study
    from lstmkit.experiments.study import require_optuna

    try:
        require_optuna()
    except ImportError as error:
        fail(str(error), error)
    from lstmkit.io import save_json, to_jsonable
    from lstmkit.training import TrainingOptions

    estimator_name = {Task.classify: "classification", Task.tag: "tagging",
                      Task.regress: "regression", Task.forecast: "forecasting"}[task]  # fmt: skip
    forecast = task is Task.forecast
    if validation_fraction is None:
        validation_fraction = 0.0 if forecast else 0.1
    with option_errors(_FLAGS):
        given = {"max_epochs": max_epochs, "batch_size": batch_size}
        options = TrainingOptions(
            **{k: v for k, v in given.items() if v is not None},
            seed=seed,
            num_threads=num_threads,
            adapt_to_data=True,
        )
        base = resolve_estimator(estimator_name).set_params(
            training_options=options, validation_fraction=validation_fraction
        )
        search_space = default_space(base) if space is None else load_space(space, base)
    # 3. the work: the search on the training part, then the test part if there is one
    with limit_threads(num_threads or 1):
        X, y, X_test, y_test = load_training_data(data, task)
        with option_errors(_FLAGS):
            result = run_study(
                base, X, None if forecast else y, space=search_space, n_trials=trials,
                timeout_minutes=minutes, cv=folds, seed=seed, storage=storage,
                study_name=study_name, n_jobs=jobs, pruning=pruning, out=out,
                verbose=not quiet,
            )  # fmt: skip
        metrics: dict[str, Any] = {
            "task": task.value, "data": data, "best_params": result.best_params,
            "best_cv_score": result.best_score, "trials": len(result.trials),
            "complete": int((result.trials["state"] == "COMPLETE").sum()),
        }  # fmt: skip
        if X_test is not None:
            scores = []
            for k in range(test_seeds):
                model = result.best_estimator
                if k > 0:  # the same configuration, trained from another seed
                    model = configured_estimator(base, result.best_params, seed + k)
                    model.fit(X) if forecast else model.fit(X, y)
                scores.append(model.score(X_test) if forecast else model.score(X_test, y_test))
            metrics["test_seeds"] = [seed + k for k in range(test_seeds)]
            metrics["test_scores"] = scores
            metrics["test_score_median"] = statistics.median(scores)
    save_json(out / "metrics.json", metrics)
    typer.echo(json.dumps(to_jsonable(metrics), indent=2))
    typer.echo(f"trials table: {result.trials_csv}")
    typer.echo(f"best model saved to {Path(result.model_dir).resolve()}")
