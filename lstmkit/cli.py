"""The ``lstmkit`` command.

Every heavy import (torch, Lightning, pandas) happens inside the command that needs
it, so ``lstmkit --help`` answers at once. ``lstmkit run APP`` has one subcommand per
registered app (:mod:`lstmkit.apps`), whose options are built from the app's own
declaration: nothing here knows any app by name.
"""

from __future__ import annotations

import inspect
import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperCommand, TyperGroup

# importing the registry loads neither the app modules nor torch
from lstmkit.apps import AppOption, app_options, get_app, list_apps
from lstmkit.nn.layer_kinds import LAYER_KINDS

app = typer.Typer(
    name="lstmkit",
    help="Long Short-Term Memory networks: train, evaluate and run the classic examples.",
    no_args_is_help=True,
    add_completion=False,
)


class Task(StrEnum):
    classify = "classify"
    tag = "tag"
    regress = "regress"
    forecast = "forecast"


#: ``lstmkit train --layer``: every registered layer kind (lstm, bilstm, gru, ...), read
#: from the torch-free registry, so a kind registered there is offered here too
Layer = StrEnum("Layer", {name: name for name in LAYER_KINDS})


def _fail(message: str) -> None:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code=2)


def _print_metrics(metrics: dict) -> None:
    from lstmkit.io import to_jsonable

    typer.echo(json.dumps(to_jsonable(metrics), indent=2))


@app.command()
def demo(out: Path = typer.Option(Path("runs/demo"), help="Run folder to write.")) -> None:
    """Forecast MATLAB-style waveforms and a real series quickly; print metrics, write plots."""
    from lstmkit.apps import run_app

    typer.echo(f"lstmkit demo: time-series forecasting (quick mode) -> {out}")
    run_app("forecasting", out, quick=True)
    typer.echo(f"\nRun folder: {out.resolve()} (metrics.json, PNG plots, saved models)")


# ----------------------------------------------------------------- lstmkit run APP
def _typer_option(declared: AppOption) -> typer.models.OptionInfo:
    """The typer option of one declared app option (a bool is a flag)."""
    names = [declared.flag]
    if declared.type is bool and declared.default is True:
        names = [f"{declared.flag}/--no-{declared.flag[2:]}"]
    checks = {"exists": True, "dir_okay": False} if declared.existing_file else {}
    return typer.Option(*names, help=declared.help, **checks)


def _app_command(name: str) -> TyperCommand:
    """``lstmkit run NAME``, built from the app's declaration (imports the app module)."""
    spec = get_app(name)
    declared = app_options(spec.options)

    def main(**values: Any) -> None:
        from lstmkit.apps import run_app

        out = values.pop("out") or Path("runs") / name
        try:
            run_app(name, out, **values)
        except ValueError as error:  # bad input the app found (e.g. an empty --text file)
            _fail(str(error))
        typer.echo(f"\nRun folder: {out.resolve()}")

    def parameter(option_name: str, kind: type, default: Any, info: Any) -> inspect.Parameter:
        annotation = Annotated[kind if default is not None else kind | None, info]
        return inspect.Parameter(option_name, inspect.Parameter.KEYWORD_ONLY, default=default,
                                 annotation=annotation)  # fmt: skip

    parameters = [parameter(o.name, o.type, o.default, _typer_option(o)) for o in declared]
    out = typer.Option("--out", help=f"Run folder (default runs/{name}).")
    parameters.append(parameter("out", Path, None, out))
    main.__signature__ = inspect.Signature(parameters)  # what typer reads the options from
    single = typer.Typer(add_completion=False)
    single.command(name=name, help=spec.description)(main)
    return typer.main.get_command(single)


class _AppCommand(TyperCommand):
    """One app's command. Its options are built from the app's declaration only when
    needed (its help, or a run), so ``lstmkit run --help`` lists every app without
    importing one; a mistake in them is said in one line."""

    def __init__(self, name: str, description: str) -> None:
        super().__init__(name, help=description)
        self._built = False

    def get_params(self, ctx: typer.Context) -> list:
        if not self._built:
            built = _app_command(self.name)
            self.params, self.callback, self._built = built.params, built.callback, True
        return super().get_params(ctx)

    def make_context(self, info_name, args, parent=None, **extra):
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except Exception as error:
            # click's usage errors (an unknown option, a bad value) exit with 2;
            # anything else (--help exits with 0) passes through unchanged
            if getattr(error, "exit_code", None) != 2 or not hasattr(error, "format_message"):
                raise
            flags = [o.flag for o in app_options(get_app(self.name).options)] + ["--out"]
            unknown = getattr(error, "option_name", None)
            if unknown and unknown not in flags:
                _fail(f"{self.name} has no option {unknown}; its options: {', '.join(flags)}")
            _fail(error.format_message())


class _AppsGroup(TyperGroup):
    """``lstmkit run``: one subcommand per registered app, in registration order."""

    def list_commands(self, ctx: typer.Context) -> list[str]:
        return [spec.name for spec in list_apps()]

    def get_command(self, ctx: typer.Context, cmd_name: str) -> TyperCommand | None:
        spec = next((s for s in list_apps() if s.name == cmd_name), None)
        return None if spec is None else _AppCommand(spec.name, spec.description)

    def resolve_command(self, ctx: typer.Context, args: list[str]):
        if args and not args[0].startswith("-") and args[0] not in self.list_commands(ctx):
            _fail(f"unknown app {args[0]!r}; choose one of {', '.join(self.list_commands(ctx))}")
        return super().resolve_command(ctx, args)


app.add_typer(
    typer.Typer(
        cls=_AppsGroup, no_args_is_help=True,
        help="Run one of the applications end to end and write its run folder "
        "(`lstmkit run APP --help`: its options).",
    ),
    name="run",
)  # fmt: skip


@app.command()
def generate(
    model: Path = typer.Argument(
        ..., help="A TextGenerator folder (e.g. runs/text-generation/model)."
    ),
    prompt: str = typer.Option("", help="Text to continue; \\n is a line break (empty: new text)."),
    max_words: int = typer.Option(
        100, min=0, help="Tokens to generate (words, punctuation, line breaks)."
    ),
    temperature: float = typer.Option(0.8, min=0.0, help="0 = greedy; < 1 sharper; > 1 flatter."),
    top_k: int = typer.Option(None, min=1, help="Sample among the k most likely tokens."),
    top_p: float = typer.Option(None, min=0.0, max=1.0, help="Nucleus sampling mass."),
    seed: int = typer.Option(0, min=0, help="Seed of the sampling (same seed, same text)."),
) -> None:
    """Write text with a trained language model, streamed word by word."""
    import sys

    from lstmkit.io import ModelFormatError
    from lstmkit.tasks import TextGenerator, load

    try:
        estimator = load(model)
    except (ModelFormatError, FileNotFoundError, ValueError) as error:
        _fail(str(error))
    if not isinstance(estimator, TextGenerator):
        _fail(f"{model} holds a {type(estimator).__name__}, not a TextGenerator")
    prompt = prompt.replace("\\n", "\n")  # a shell argument cannot easily hold a line break
    try:
        pieces = estimator.generate(prompt, max_words, temperature, top_k, top_p, seed)
    except (ValueError, TypeError) as error:
        _fail(str(error))
    sys.stdout.write(prompt.rstrip(" \t"))
    for piece in pieces:
        sys.stdout.write(piece)
        sys.stdout.flush()
    sys.stdout.write("\n")


@app.command()
def datasets() -> None:
    """List the built-in datasets (all offline)."""
    from lstmkit.datasets import list_datasets

    for info in list_datasets():
        kind = "real" if info.real else "simulated"
        typer.echo(f"{info.name:<18} {info.task:<15} {kind:<9} {info.description}")


def _load_training_data(data: str, task: Task):
    """(X_train, y_train, X_test, y_test) from ``builtin:NAME`` or a .csv/.npz file."""
    if data.startswith("builtin:"):
        from lstmkit.datasets import load_dataset, train_test_split_series

        name = data.removeprefix("builtin:")
        try:
            loaded = load_dataset(name)
        except ValueError as error:
            _fail(str(error))
        if task is Task.forecast:
            if not hasattr(loaded, "series"):
                _fail(f"builtin:{name} is not a forecasting dataset")
            series = loaded.series
            if isinstance(series, list):
                cut = max(1, len(series) // 10)
                return series[:-cut], None, series[-cut:], None
            train, test = train_test_split_series(series, 0.1)
            return train, None, test, None
        if not hasattr(loaded, "X_train"):
            _fail(f"builtin:{name} is not a sequence classification dataset")
        return loaded.X_train, loaded.y_train, loaded.X_test, loaded.y_test
    from lstmkit.data import read_sequence_file

    path = Path(data)
    if not path.exists():
        _fail(f"--data {data!r}: no such file (or use builtin:NAME; see `lstmkit datasets`)")
    label_mode = "step" if task is Task.tag else "sequence"
    try:
        loaded = read_sequence_file(path, label_mode=label_mode)
    except ValueError as error:
        _fail(str(error))
    if task is Task.forecast:
        return loaded.X, None, None, None
    if loaded.y is None:
        _fail(f"{path.name} has no labels/targets; training needs them")
    return loaded.X, loaded.y, None, None


@app.command()
def train(
    task: Task = typer.Option(..., help="What to learn."),
    data: str = typer.Option(..., help="A .csv (long format) or .npz file, or builtin:NAME."),
    out: Path = typer.Option(..., help="Run folder; the model goes to OUT/model."),
    layer: Layer = typer.Option(Layer.lstm, help="Recurrent layer."),
    hidden_size: int = typer.Option(64, min=1),
    num_layers: int = typer.Option(1, min=1),
    dropout: float = typer.Option(0.0, min=0.0, max=0.99),
    max_epochs: int = typer.Option(30, min=1),
    batch_size: int = typer.Option(32, min=1),
    learning_rate: float = typer.Option(1e-3, min=0.0),
    gradient_threshold: float = typer.Option(None, help="Clip gradients (global L2 norm)."),
    validation_fraction: float = typer.Option(0.1, min=0.0, max=0.9),
    seed: int = typer.Option(0, min=0),
    progress: bool = typer.Option(True, help="Show a progress bar."),
) -> None:
    """Train a model on your data (or a built-in dataset) and save it."""
    from lstmkit.io import save_json
    from lstmkit.tasks import Forecaster, SequenceClassifier, SequenceRegressor, SequenceTagger
    from lstmkit.training import TrainingOptions

    X, y, X_test, y_test = _load_training_data(data, task)
    options = TrainingOptions(
        max_epochs=max_epochs, batch_size=batch_size, learning_rate=learning_rate,
        gradient_threshold=gradient_threshold, seed=seed, progress_bar=progress,
        log_dir=str(out),
    )  # fmt: skip
    estimator_class = {
        Task.classify: SequenceClassifier,
        Task.tag: SequenceTagger,
        Task.regress: SequenceRegressor,
        Task.forecast: Forecaster,
    }[task]
    estimator = estimator_class(
        layer=layer.value, hidden_size=hidden_size, num_layers=num_layers, dropout=dropout,
        training_options=options,
        validation_fraction=validation_fraction if task is not Task.forecast else 0.0,
    )  # fmt: skip
    try:
        estimator.fit(X) if task is Task.forecast else estimator.fit(X, y)
    except (ValueError, TypeError) as error:
        _fail(str(error))
    metrics = {"task": task.value, "data": data, "train_seconds": estimator.fit_result_.seconds}
    if X_test is not None:
        if task is Task.forecast:
            metrics["test_score_neg_rmse"] = estimator.score(X_test)
        else:
            metrics["test_score"] = estimator.score(X_test, y_test)
    estimator.save(out / "model")
    save_json(out / "metrics.json", metrics)
    _print_metrics(metrics)
    typer.echo(f"model saved to {(out / 'model').resolve()}")


def _load_model_and_data(model: Path, data: Path):
    from lstmkit.data import read_sequence_file
    from lstmkit.io import ModelFormatError
    from lstmkit.tasks import SequenceTagger, load

    try:
        estimator = load(model)
    except (ModelFormatError, FileNotFoundError) as error:
        _fail(str(error))
    label_mode = "step" if isinstance(estimator, SequenceTagger) else "sequence"
    try:
        loaded = read_sequence_file(data, label_mode=label_mode)
    except (ValueError, FileNotFoundError) as error:
        _fail(str(error))
    return estimator, loaded


@app.command()
def predict(
    model: Path = typer.Argument(..., help="A model folder written by `lstmkit train`."),
    data: Path = typer.Argument(..., help="A .csv (long format) or .npz file."),
    out: Path = typer.Option(None, help="Write predictions to this CSV (default: stdout)."),
) -> None:
    """Predict with a saved model: one row per sequence (or per step)."""
    import pandas as pd

    from lstmkit.tasks import Forecaster

    estimator, loaded = _load_model_and_data(model, data)
    try:
        predictions = estimator.predict(loaded.X)
    except (ValueError, TypeError) as error:
        _fail(str(error))
    rows = []
    for seq_id, value in zip(loaded.ids, predictions, strict=True):
        if isinstance(estimator, Forecaster) or getattr(value, "ndim", 0) >= 1:
            for step, item in enumerate(value):
                rows.append({"sequence_id": seq_id, "step": step, "prediction": item})
        else:
            rows.append({"sequence_id": seq_id, "prediction": value})
    frame = pd.DataFrame(rows)
    if out is None:
        typer.echo(frame.to_csv(index=False), nl=False)
    else:
        frame.to_csv(out, index=False)
        typer.echo(f"{len(frame)} predictions written to {out}")


@app.command()
def evaluate(
    model: Path = typer.Argument(..., help="A model folder written by `lstmkit train`."),
    data: Path = typer.Argument(..., help="A labelled .csv (long format) or .npz file."),
) -> None:
    """Score a saved model on labelled data and print its metrics as JSON."""
    from lstmkit.metrics import classification_metrics
    from lstmkit.tasks import Forecaster, SequenceClassifier

    estimator, loaded = _load_model_and_data(model, data)
    try:
        if isinstance(estimator, Forecaster):
            metrics = {"neg_rmse": estimator.score(loaded.X)}
        else:
            if loaded.y is None:
                _fail(f"{data.name} has no labels/targets to evaluate against")
            metrics = {"score": estimator.score(loaded.X, loaded.y)}
            if isinstance(estimator, SequenceClassifier):
                pred = estimator.predict(loaded.X)
                metrics |= classification_metrics(loaded.y, pred)
    except (ValueError, TypeError) as error:
        _fail(str(error))
    _print_metrics(metrics)


def main() -> None:  # console-script entry point
    app()


if __name__ == "__main__":
    main()
