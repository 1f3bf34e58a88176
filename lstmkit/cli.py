"""The ``lstmkit`` command.

Every heavy import (torch, Lightning, pandas) happens inside the command that needs
it, so ``lstmkit --help`` answers at once.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path

import typer

from lstmkit.apps import APPS  # a plain dict of names; importing it loads no torch

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


class Layer(StrEnum):
    lstm = "lstm"
    bilstm = "bilstm"
    gru = "gru"
    bigru = "bigru"


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
    metrics = run_app("forecasting", out, quick=True)
    typer.echo(f"\nRun folder: {out.resolve()} (metrics.json, PNG plots, saved models)")
    del metrics


@app.command()
def run(
    example: str = typer.Argument(..., help=" | ".join(APPS)),
    quick: bool = typer.Option(False, "--quick", help="Small, fast configuration."),
    out: Path = typer.Option(None, help="Run folder (default runs/EXAMPLE)."),
    seed: int = typer.Option(0, help="Seed for splits, weights and shuffling."),
    text: Path = typer.Option(None, help="text-generation only: learn this text file."),
) -> None:
    """Run one of the seed examples end to end and write its run folder."""
    from lstmkit.apps import run_app

    if example not in APPS:
        _fail(f"unknown example {example!r}; choose one of {', '.join(sorted(APPS))}")
    out = out or Path("runs") / example
    if text is not None:
        if example != "text-generation":
            _fail(f"--text is an option of text-generation only, not of {example!r}")
        if not text.is_file():
            _fail(f"--text {str(text)!r}: no such file")
        from lstmkit.apps.text_generation import run as run_text_generation

        out.mkdir(parents=True, exist_ok=True)
        run_text_generation(out, quick=quick, seed=seed, text=text)
    else:
        run_app(example, out, quick=quick, seed=seed)
    typer.echo(f"\nRun folder: {out.resolve()}")


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
