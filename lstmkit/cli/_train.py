"""``lstmkit datasets`` and ``lstmkit train``.

``train`` checks everything it can before any work: the option values (the
:class:`~lstmkit.training.TrainingOptions` are built first, which checks them), the data
source (a built-in dataset of the right kind, or an existing ``.csv``/``.npz``) and the
run folder (``--out`` must be a folder, and ``--out/model`` empty or an earlier model).
Only then is the data read and the model trained. ``metrics.json`` holds what the
training measured: epochs, the best validation loss and metric and their epoch.
"""

from __future__ import annotations

import json
import math
from enum import StrEnum
from pathlib import Path
from typing import Any

import typer

from lstmkit.cli._base import (
    app,
    describe_error,
    fail,
    fail_runtime,
    finite,
    option_errors,
    positive,
)
from lstmkit.cli._paths import check_data_file, check_model_target, check_run_folder
from lstmkit.nn.architectures import ARCHITECTURES
from lstmkit.nn.layer_kinds import LAYER_KINDS

__all__ = [
    "Architecture",
    "Layer",
    "Task",
    "check_data_source",
    "datasets",
    "load_training_data",
    "train",
    "validation_summary",
]


class Task(StrEnum):
    classify = "classify"
    tag = "tag"
    regress = "regress"
    forecast = "forecast"


#: ``lstmkit train --layer``: every registered layer kind (lstm, bilstm, gru, ...), read
#: from the torch-free registry, so a kind registered there is offered here too
Layer = StrEnum("Layer", {name: name for name in LAYER_KINDS})
#: ``lstmkit train --architecture``: the networks an estimator builds (recurrent, lstm-fcn)
Architecture = StrEnum("Architecture", {name: name for name in ARCHITECTURES})

#: the built-in datasets each task can train on (by their registry task)
_BUILTIN_TASKS = {Task.classify: "classification", Task.forecast: "forecasting"}
#: TrainingOptions / estimator parameter -> the option that sets it
_FLAGS = {
    "learning_rate": "--learning-rate", "gradient_threshold": "--gradient-threshold",
    "max_epochs": "--max-epochs", "batch_size": "--batch-size", "seed": "--seed",
    "num_threads": "--num-threads", "hidden_size": "--hidden-size",
    "num_layers": "--num-layers", "dropout": "--dropout", "layer": "--layer",
    "validation_fraction": "--validation-fraction", "architecture": "--architecture",
    "augmentation": "--augment",
}  # fmt: skip


def parse_augment(values: list[str] | None) -> dict[str, float] | None:
    """``--augment jitter=0.03 --augment time_warp=0.2`` as the estimators' dict."""
    if not values:
        return None
    parsed: dict[str, float] = {}
    for value in values:
        key, sep, number = value.partition("=")
        try:
            parsed[key.strip()] = float(number)
        except ValueError:
            sep = ""
        if not sep or not key.strip():
            fail(f"--augment must be KEY=NUMBER (e.g. jitter=0.03); received {value!r}")
    return parsed


@app.command()
def datasets() -> None:
    """List the built-in datasets (all offline)."""
    from lstmkit.datasets import list_datasets

    for info in list_datasets():
        kind = "real" if info.real else "simulated"
        typer.echo(f"{info.name:<18} {info.task:<15} {kind:<9} {info.description}")


def check_data_source(data: str, task: Task) -> None:
    """``--data``: a built-in dataset that suits ``task``, or an existing data file."""
    if not data.startswith("builtin:"):
        check_data_file(Path(data), "--data", " (or use builtin:NAME; see `lstmkit datasets`)")
        return
    from lstmkit.datasets import list_datasets

    name = data.removeprefix("builtin:")
    known = {info.name: info.task for info in list_datasets()}
    if name not in known:
        fail(f"--data: unknown dataset {name!r}; choose one of {', '.join(known)}")
    wanted = _BUILTIN_TASKS.get(task)
    if known[name] != wanted:
        suits = [t.value for t, kind in _BUILTIN_TASKS.items() if kind == known[name]]
        fail(
            f"--data builtin:{name} is a {known[name]} dataset; it suits --task "
            f"{' or '.join(suits)}, not --task {task.value}"
        )


def load_training_data(data: str, task: Task):
    """(X_train, y_train, X_test, y_test) from ``builtin:NAME`` or a .csv/.npz file."""
    if data.startswith("builtin:"):
        from lstmkit.datasets import load_dataset, train_test_split_series

        loaded = load_dataset(data.removeprefix("builtin:"))
        if task is Task.forecast:
            series = loaded.series
            if isinstance(series, list):
                cut = max(1, len(series) // 10)
                return series[:-cut], None, series[-cut:], None
            train, test = train_test_split_series(series, 0.1)
            return train, None, test, None
        return loaded.X_train, loaded.y_train, loaded.X_test, loaded.y_test
    from lstmkit.cli._models import read_data

    path = Path(data)
    loaded = read_data(path, label_mode="step" if task is Task.tag else "sequence")
    if task is Task.forecast:
        return loaded.X, None, None, None
    if loaded.y is None:
        fail(f"--data {path.name} has no labels/targets (a 'label' column); training needs them")
    return loaded.X, loaded.y, None, None


def _number(value: Any) -> float | None:
    return None if value is None or not math.isfinite(float(value)) else float(value)


def validation_summary(estimator: Any) -> dict[str, Any] | None:
    """The validation results a fit measured (None if it did not validate).

    Returns:
        ``{"metric": name, "best": {"epoch", "loss", <metric>}, "last": {...}, "checks": n}``:
        the validation loss and metric where the loss was lowest (the weights kept by
        default) and at the last check, their epochs (counted from 1, like ``epochs``),
        and how many checks there were.
    """
    fit = estimator.fit_result_
    history = getattr(estimator, "history_", None)
    if fit.best_val_loss is None or history is None or "val_loss" not in history:
        return None
    checks = history[history["val_loss"].notna()]
    if checks.empty:
        return None
    metric = next((c[4:] for c in history.columns if c.startswith("val_") and c != "val_loss"),
                  None)  # fmt: skip
    best = checks.loc[checks["val_loss"].idxmin()]
    last = checks.iloc[-1]

    def at(row: Any, epoch: Any) -> dict[str, Any]:
        values = {"epoch": None if epoch is None else int(epoch) + 1}  # counted from 1
        values["loss"] = _number(row["val_loss"])
        return values | ({metric: _number(row[f"val_{metric}"])} if metric else {})

    return {
        "metric": metric,
        "best": at(best, fit.best_epoch) | {"loss": _number(fit.best_val_loss)},
        "last": at(last, last["epoch"]),
        "checks": len(checks),
    }


@app.command()
def train(
    task: Task = typer.Option(..., help="What to learn."),
    data: str = typer.Option(..., help="A .csv (long format) or .npz file, or builtin:NAME."),
    out: Path = typer.Option(..., help="Run folder; the model goes to OUT/model."),
    architecture: Architecture = typer.Option(
        None, help="Network: recurrent layers, or lstm-fcn (a convolutional branch beside "
        "them); default: the estimator's own (lstm-fcn to classify, recurrent otherwise)."
    ),
    layer: Layer = typer.Option(Layer.lstm, help="Recurrent layer."),
    hidden_size: int = typer.Option(64, min=1, help="Units per recurrent layer."),
    num_layers: int = typer.Option(1, min=1, help="Stacked recurrent layers."),
    dropout: float = typer.Option(0.0, min=0.0, max=0.99, callback=finite,
                                  help="Dropout between layers."),
    max_epochs: int = typer.Option(None, min=1, help="Passes over the training data; "
                                   "default: chosen from the data (README, Defaults)."),
    batch_size: int = typer.Option(None, min=1, help="Sequences per mini-batch; default: "
                                   "chosen from the data."),
    learning_rate: float = typer.Option(None, callback=positive, help="Initial learning "
                                        "rate (Adam), > 0; default 1e-3 (3e-3 to forecast)."),
    gradient_threshold: float = typer.Option(
        None, callback=positive, help="Clip gradients at this global L2 norm (> 0); default: none."
    ),
    validation_fraction: float = typer.Option(0.1, min=0.0, max=0.9, callback=finite,
                                              help="Share of sequences held out to validate."),
    seed: int = typer.Option(0, min=0, help="Seeds the split, the weights and shuffling."),
    num_threads: int = typer.Option(None, min=1,
                                    help="CPU threads (torch and BLAS); default: torch's."),
    augment: list[str] = typer.Option(
        None, help="Training-time augmentation KEY=NUMBER, repeatable: jitter, scaling, "
        "time_warp, window_slice (e.g. --augment jitter=0.03)."
    ),
    progress: bool = typer.Option(True, help="Show a progress bar (on stderr)."),
) -> None:  # fmt: skip
    """Train a model on your data (or a built-in dataset) and save it."""
    # 1. everything that can be checked without torch: paths, the data source
    check_data_source(data, task)
    check_run_folder(out)
    check_model_target(out / "model")
    # 2. the options, checked by TrainingOptions itself
    from lstmkit.apps import limit_threads
    from lstmkit.io import save_json
    from lstmkit.tasks import Forecaster, SequenceClassifier, SequenceRegressor, SequenceTagger
    from lstmkit.training import TrainingOptions

    estimator_class = {
        Task.classify: SequenceClassifier,
        Task.tag: SequenceTagger,
        Task.regress: SequenceRegressor,
        Task.forecast: Forecaster,
    }[task]
    with option_errors(_FLAGS):
        given = {
            "max_epochs": max_epochs,
            "batch_size": batch_size,
            "learning_rate": learning_rate,
            "gradient_threshold": gradient_threshold,
        }
        # what is not given the estimator chooses from the data (adapt_to_data)
        options = TrainingOptions(
            **{k: v for k, v in given.items() if v is not None}, seed=seed,
            progress_bar=progress, log_dir=str(out), num_threads=num_threads,
            adapt_to_data=True,
        )  # fmt: skip
        network = {} if architecture is None else {"architecture": architecture.value}
        estimator = estimator_class(
            **network, augmentation=parse_augment(augment),
            layer=layer.value, hidden_size=hidden_size, num_layers=num_layers, dropout=dropout,
            training_options=options,
            validation_fraction=validation_fraction if task is not Task.forecast else 0.0,
        )  # fmt: skip
    # 3. the work
    with limit_threads(num_threads):
        X, y, X_test, y_test = load_training_data(data, task)
        with option_errors(_FLAGS):  # a parameter the estimator checks when it fits
            estimator.fit(X) if task is Task.forecast else estimator.fit(X, y)
        fit = estimator.fit_result_
        metrics: dict[str, Any] = {
            "task": task.value,
            "data": data,
            "train_seconds": fit.seconds,
            "epochs": fit.epochs,
            # what the fit used: the flags given, the rest chosen from the data
            "training_options": estimator.training_options_.to_dict(),
            "validation": validation_summary(estimator),
        }
        if X_test is not None:
            if task is Task.forecast:
                metrics["test_score_neg_rmse"] = estimator.score(X_test)
            else:
                metrics["test_score"] = estimator.score(X_test, y_test)
        try:
            estimator.save(out / "model")
        except (ValueError, OSError) as error:  # e.g. non-finite weights: training diverged
            fail_runtime(f"cannot save the model to {out / 'model'}: {describe_error(error)}",
                         error)  # fmt: skip
    save_json(out / "metrics.json", metrics)
    from lstmkit.io import to_jsonable

    typer.echo(json.dumps(to_jsonable(metrics), indent=2))
    typer.echo(f"model saved to {(out / 'model').resolve()}")
