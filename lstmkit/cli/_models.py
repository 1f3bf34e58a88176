"""The commands that use a saved model: ``predict``, ``evaluate``, ``forecast``, ``generate``.

Each checks its paths first (torch-free, so a mistyped model path is said at once),
then loads the model (a folder that cannot be loaded is a runtime error naming it),
then reads the data (in the file's own sequence order), and only then predicts.
Predictions are written as numbers: one column per output (a Forecaster's named after
the data's features), ``proba_<class>`` columns with ``--proba``.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer

from lstmkit.cli._base import (
    CliError,
    app,
    describe_error,
    fail,
    fail_runtime,
    finite,
    positive,
)
from lstmkit.cli._paths import check_data_file, check_model_folder, check_output_file

__all__ = [
    "evaluate",
    "forecast",
    "forecast_table",
    "generate",
    "load_model",
    "predict",
    "prediction_table",
    "read_data",
]

_ID = "sequence_id"  # lstmkit.data.files.ID_COLUMN; that module imports pandas


def load_model(path: Path) -> Any:
    """The estimator saved in ``path``; a folder that cannot be loaded is a runtime error."""
    check_model_folder(path)
    from lstmkit.tasks import load

    try:
        return load(path)
    except Exception as error:  # a tampered folder fails in many ways; each is one line
        message = describe_error(error)
        if str(path) not in message:
            message = f"cannot load the model in {path}: {message}"
        fail_runtime(message, error)


def read_data(path: Path, *, label_mode: str = "sequence") -> Any:
    """The sequences of a data file, in the order they first appear in the file.

    A file that does not hold what is needed (the reader's ValueError or TypeError) is a
    usage error; anything else the reader raises is a runtime error. Both name the file.
    """
    from lstmkit.data import read_sequence_file

    try:
        with about(path):
            loaded = read_sequence_file(path, label_mode=label_mode)
    except CliError:
        raise
    except Exception as error:
        fail_runtime(f"cannot read {path}: {describe_error(error)}", error)
    return _in_file_order(path, loaded)


@contextmanager
def about(path: Path) -> Iterator[None]:
    """A ValueError/TypeError inside the block is a usage error that names the data file
    ``path`` (the data does not suit the model or the task)."""
    try:
        yield
    except (ValueError, TypeError, FileNotFoundError) as error:
        message = describe_error(error)
        fail(message if path.name in message else f"data file {path}: {message}", error)


def _in_file_order(path: Path, loaded: Any) -> Any:
    """``loaded`` with its sequences in the order their ids first appear in a CSV."""
    if path.suffix.lower() != ".csv" or len(loaded.ids) < 2:
        return loaded
    import pandas as pd

    order = list(pd.unique(pd.read_csv(path, usecols=[_ID])[_ID].dropna()))
    position = {key: i for i, key in enumerate(loaded.ids)}
    if len(order) != len(position) or any(key not in position for key in order):
        return loaded  # ids the reader changed: keep its order
    index = [position[key] for key in order]
    if index == sorted(index):
        return loaded
    y = loaded.y
    if y is not None:
        y = y[index] if hasattr(y, "shape") else [y[i] for i in index]
    return dataclasses.replace(
        loaded, X=[loaded.X[i] for i in index], y=y, ids=[loaded.ids[i] for i in index]
    )


def _label_mode(estimator: Any) -> str:
    """How the data file's ``label`` column is read for ``estimator``: one per step for a
    tagger or a sequence-to-sequence regressor, else one per sequence."""
    from lstmkit.tasks import SequenceTagger

    per_step = isinstance(estimator, SequenceTagger) or getattr(estimator, "per_step_", False)
    return "step" if per_step else "sequence"


def _scalar(value: Any) -> Any:
    """A numpy value as a CSV cell: floats stay numpy floats (float32 prints short)."""
    import numpy as np

    return value if isinstance(value, np.floating) else np.asarray(value).item()


def _values(value: Any, names: list[str] | None = None) -> dict[str, Any]:
    """``prediction`` for one value; ``prediction_<name>`` for a vector of outputs (named
    by ``names`` if there is one per output, else numbered from 0)."""
    import numpy as np

    array = np.asarray(value)
    if array.ndim == 0:
        return {"prediction": _scalar(value)}
    labels = names if names is not None and len(names) == array.size else range(array.size)
    return {f"prediction_{name}": _scalar(v) for name, v in zip(labels, array, strict=True)}


def prediction_table(estimator: Any, loaded: Any, proba: bool = False):
    """Predictions as a table: one row per sequence (or per step), numbers as numbers.

    Args:
        estimator: a fitted estimator.
        loaded: a :class:`~lstmkit.data.SequenceFile`.
        proba: add ``proba_<class>`` columns (classifiers and taggers).

    Returns:
        A DataFrame: ``sequence_id``, ``step`` (per-step models; for a Forecaster, the
        step each row predicts: row ``t`` predicts step ``t + 1``), ``prediction`` or
        ``prediction_<output>`` columns, and the probabilities.
    """
    import numpy as np
    import pandas as pd

    from lstmkit.tasks import Forecaster

    predictions = estimator.predict(loaded.X)
    probabilities = estimator.predict_proba(loaded.X) if proba else None
    classes = [str(c) for c in estimator.classes_] if proba else []
    is_forecaster = isinstance(estimator, Forecaster)
    names = loaded.feature_names if is_forecaster else None  # it predicts the features

    def chances(p: Any) -> dict[str, Any]:
        return {f"proba_{c}": v for c, v in zip(classes, np.asarray(p), strict=True)}

    rows = []
    for i, seq_id in enumerate(loaded.ids):
        if isinstance(predictions, list):  # per step: tagger, sequence regressor, forecaster
            for t, value in enumerate(predictions[i]):
                row = {_ID: seq_id, "step": t + 1 if is_forecaster else t}
                row |= _values(value, names)
                rows.append(row | (chances(probabilities[i][t]) if proba else {}))
        else:
            row = {_ID: seq_id} | _values(predictions[i], names)
            rows.append(row | (chances(probabilities[i]) if proba else {}))
    return pd.DataFrame(rows)


def forecast_table(estimator: Any, loaded: Any, steps: int):
    """Closed-loop forecasts: ``steps`` rows per series, ``step`` counting on from its end."""
    import pandas as pd

    forecasts = estimator.forecast(loaded.X, steps)
    rows = []
    for seq_id, series, values in zip(loaded.ids, loaded.X, forecasts, strict=True):
        for k, value in enumerate(values):
            step = {_ID: seq_id, "step": len(series) + k}
            rows.append(step | _values(value, loaded.feature_names))
    return pd.DataFrame(rows)


def _write(frame: Any, out: Path | None, what: str) -> None:
    if out is None:
        typer.echo(frame.to_csv(index=False), nl=False)
        return
    frame.to_csv(out, index=False)
    typer.echo(f"{len(frame)} {what} written to {out}")


MODEL_HELP = "A model folder written by `lstmkit train` (OUT/model)."
OUT_HELP = "Write the table to this CSV file (its folder must exist; default: stdout)."


@app.command()
def predict(
    model: Path = typer.Argument(..., help=MODEL_HELP),
    data: Path = typer.Argument(..., help="A .csv (long format) or .npz file."),
    out: Path = typer.Option(None, help=OUT_HELP),
    proba: bool = typer.Option(False, "--proba", help="Add class probabilities (proba_<class>)."),
) -> None:
    """Predict with a saved model, one row per sequence (or step).

    Rows keep the data file's sequence order; numbers are written as numbers (one column
    per output; a Forecaster's named after the features, row t predicting step t + 1);
    --proba adds one proba_<class> column per class.
    """
    check_model_folder(model)
    check_data_file(data)
    check_output_file(out)
    estimator = load_model(model)
    if proba and not hasattr(estimator, "predict_proba"):
        fail(f"--proba needs a classifier or tagger; {model} holds a {type(estimator).__name__}")
    loaded = read_data(data, label_mode="step")  # labels are not used: any will do
    with about(data):
        table = prediction_table(estimator, loaded, proba)
    _write(table, out, "predictions")


@app.command()
def forecast(
    model: Path = typer.Argument(..., help="A Forecaster folder (train --task forecast)."),
    data: Path = typer.Argument(..., help="The series to continue: a .csv (long format) or .npz."),
    steps: int = typer.Option(..., min=1, help="Steps to forecast after the end of each series."),
    out: Path = typer.Option(None, help=OUT_HELP),
) -> None:  # fmt: skip
    """Closed-loop forecasts, --steps past the end of each series.

    Each predicted step is fed back as the next input (Forecaster.forecast); the table
    has one row per forecast step, numbered on from the series' last step.
    """
    check_model_folder(model)
    check_data_file(data)
    check_output_file(out)
    from lstmkit.tasks import Forecaster

    estimator = load_model(model)
    if not isinstance(estimator, Forecaster):
        fail(
            f"{model} holds a {type(estimator).__name__}, not a Forecaster (train one with "
            f"`lstmkit train --task forecast`)"
        )
    loaded = read_data(data, label_mode="step")  # labels are not used: any will do
    with about(data):
        table = forecast_table(estimator, loaded, steps)
    _write(table, out, "forecast steps")


@app.command()
def evaluate(
    model: Path = typer.Argument(..., help=MODEL_HELP),
    data: Path = typer.Argument(..., help="A labelled .csv (long format) or .npz file."),
) -> None:
    """Score a saved model on labelled data (metrics as JSON)."""
    check_model_folder(model)
    check_data_file(data)
    from lstmkit.io import to_jsonable
    from lstmkit.metrics import classification_metrics
    from lstmkit.tasks import Forecaster, SequenceClassifier

    estimator = load_model(model)
    loaded = read_data(data, label_mode=_label_mode(estimator))
    if loaded.y is None and not isinstance(estimator, Forecaster):
        fail(f"{data} has no labels/targets (a 'label' column) to evaluate against")
    with about(data):
        if isinstance(estimator, Forecaster):
            metrics = {"neg_rmse": estimator.score(loaded.X)}
        else:
            metrics = {"score": estimator.score(loaded.X, loaded.y)}
            if isinstance(estimator, SequenceClassifier):
                metrics |= classification_metrics(loaded.y, estimator.predict(loaded.X))
    typer.echo(json.dumps(to_jsonable(metrics), indent=2))


@app.command()
def generate(
    model: Path = typer.Argument(
        ..., help="A TextGenerator folder (e.g. runs/text-generation/model)."
    ),
    prompt: str = typer.Option("", help="Text to continue; \\n is a line break (empty: new text)."),
    max_words: int = typer.Option(
        100, min=0, help="Tokens to generate (words, punctuation, line breaks)."
    ),
    temperature: float = typer.Option(0.8, min=0.0, callback=finite,
                                      help="0 = greedy; < 1 sharper; > 1 flatter."),
    top_k: int = typer.Option(None, min=1, help="Sample among the k most likely tokens."),
    top_p: float = typer.Option(None, max=1.0, callback=positive,
                                help="Nucleus sampling mass."),
    seed: int = typer.Option(0, min=0, help="Seed of the sampling (same seed, same text)."),
) -> None:  # fmt: skip
    """Write text with a trained language model, streamed word by word."""
    import sys

    check_model_folder(model)
    from lstmkit.tasks import TextGenerator

    estimator = load_model(model)
    if not isinstance(estimator, TextGenerator):
        fail(f"{model} holds a {type(estimator).__name__}, not a TextGenerator")
    prompt = prompt.replace("\\n", "\n")  # a shell argument cannot easily hold a line break
    pieces = iter(estimator.generate(prompt, max_words, temperature, top_k, top_p, seed))
    first = next(pieces, "")  # the prompt runs through the network here: fail before writing
    sys.stdout.write(prompt.rstrip(" \t") + first)
    for piece in pieces:
        sys.stdout.write(piece)
        sys.stdout.flush()
    sys.stdout.write("\n")
