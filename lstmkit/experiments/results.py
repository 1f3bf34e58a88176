"""A study's results: the trials table (CSV) and its figures (PNG), as MATLAB's
Experiment Manager shows them.

* :func:`trials_table`: one row per trial: its number and state, every parameter, the
  score of each fold and their mean, the wall time, and what reproduces it (the training
  seed, the lstmkit version, the git commit of the working folder when there is one);
* :func:`plot_history`: the optimisation history (each trial's score, pruned and failed
  trials marked, and the best score so far);
* :func:`plot_importances`: how much each parameter mattered (Optuna's fANOVA evaluator,
  seeded); with fewer than two completed trials, or nothing that varied, the figure says
  so instead;
* :func:`write_results`: all three into a folder.

The figures are drawn with matplotlib's Agg canvas (no display, no global state).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = [
    "HISTORY_PNG",
    "IMPORTANCES_PNG",
    "TRIALS_CSV",
    "ResultFiles",
    "param_importances",
    "plot_history",
    "plot_importances",
    "trials_table",
    "write_results",
]

TRIALS_CSV = "trials.csv"
HISTORY_PNG = "optimization-history.png"
IMPORTANCES_PNG = "param-importances.png"


@dataclass
class ResultFiles:
    """The files :func:`write_results` wrote.

    Args:
        trials_csv: the trials table.
        history_png: the optimisation history.
        importances_png: the parameter importances.

    Returns:
        A dataclass of paths.

    Example:
        >>> ResultFiles(Path("t.csv"), Path("h.png"), Path("i.png")).trials_csv.name
        't.csv'
    """

    trials_csv: Path
    history_png: Path
    importances_png: Path


def trials_table(study: Any) -> pd.DataFrame:
    """The trials of a study as a table, one row per trial, in trial order.

    Args:
        study: an ``optuna.Study`` run by :func:`~lstmkit.experiments.tune` (other
            studies work too; the columns lstmkit records are then empty).

    Returns:
        A DataFrame with ``number``, ``state`` (COMPLETE, PRUNED, FAIL, RUNNING),
        ``value`` (the mean score over the folds; empty unless complete), ``value_std``,
        ``value_fold_<k>`` (the score of each fold that finished), ``seconds``,
        ``pruned_at`` (fold and epoch, for a pruned trial), ``failure`` (why a trial
        failed), ``seed``, ``lstmkit_version``, ``git_commit`` and one column per
        parameter (its space key: ``hidden_size``, ``training_options.learning_rate``).

    Example:
        >>> import optuna
        >>> optuna.logging.set_verbosity(optuna.logging.WARNING)
        >>> study = optuna.create_study(direction="maximize")
        >>> study.optimize(lambda t: -t.suggest_float("x", -1, 1) ** 2, n_trials=2)
        >>> trials_table(study)[["number", "state"]].values.tolist()
        [[0, 'COMPLETE'], [1, 'COMPLETE']]
    """
    rows = []
    for trial in study.trials:
        attrs = trial.user_attrs
        folds = list(attrs.get("fold_scores", []))
        complete = trial.state.name == "COMPLETE"
        row: dict[str, Any] = {
            "number": trial.number,
            "state": trial.state.name,
            # a pruned trial's value is its last (negated) validation loss: no score
            "value": trial.value if complete else None,
            "value_std": _std(folds) if complete else None,
        }
        row.update({f"value_fold_{k}": score for k, score in enumerate(folds)})
        seconds = attrs.get("seconds")
        if seconds is None and trial.datetime_start and trial.datetime_complete:
            seconds = (trial.datetime_complete - trial.datetime_start).total_seconds()
        row.update({
            "seconds": seconds,
            "pruned_at": attrs.get("pruned_at"),
            "failure": attrs.get("failure", trial.system_attrs.get("fail_reason")),
            "seed": attrs.get("seed"),
            "lstmkit_version": attrs.get("lstmkit_version"),
            "git_commit": attrs.get("git_commit"),
        })  # fmt: skip
        # the configuration the trial trained (fixed values included), else its params
        row.update(attrs.get("config", trial.params))
        rows.append(row)
    table = pd.DataFrame(rows)
    if table.empty:
        return pd.DataFrame(columns=["number", "state", "value"])
    fold_columns = sorted(
        (c for c in table.columns if c.startswith("value_fold_")), key=lambda c: int(c[11:])
    )
    first = ["number", "state", "value", "value_std", *fold_columns, "seconds", "pruned_at",
             "failure", "seed", "lstmkit_version", "git_commit"]  # fmt: skip
    return table[first + [c for c in table.columns if c not in first]]


def _std(values: list[float]) -> float | None:
    if len(values) < 2:
        return 0.0 if values else None
    mean = sum(values) / len(values)
    return math.sqrt(sum((v - mean) ** 2 for v in values) / (len(values) - 1))


def param_importances(study: Any, seed: int = 0) -> dict[str, float] | None:
    """Each parameter's importance (fANOVA, summing to 1), or None when it cannot be
    measured (fewer than two completed trials, or no parameter that varied).

    Args:
        study: an ``optuna.Study``.
        seed: seeds the evaluator's random forest (the same study gives the same answer).

    Returns:
        Parameter -> importance, most important first; or None.

    Example:
        >>> import optuna
        >>> optuna.logging.set_verbosity(optuna.logging.WARNING)
        >>> param_importances(optuna.create_study()) is None
        True
    """
    import optuna

    complete = study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,))
    if len(complete) < 2:
        return None
    try:
        evaluator = optuna.importance.FanovaImportanceEvaluator(seed=seed)
        importances = optuna.importance.get_param_importances(study, evaluator=evaluator)
    except (RuntimeError, ValueError):  # e.g. no parameter with two different values
        return None
    if not importances or not all(math.isfinite(v) for v in importances.values()):
        return None
    return {name: float(value) for name, value in importances.items()}


def plot_history(study: Any, path: str | Path) -> Path:
    """Draw the optimisation history: each trial's score and the best so far.

    Completed trials are dots at their mean cross-validated score; pruned and failed
    trials are marked along the bottom (they have no score); the line is the best
    score reached up to each trial.

    Args:
        study: an ``optuna.Study`` (direction maximize, as :func:`tune` makes).
        path: the PNG to write.

    Returns:
        The path written.

    Example:
        >>> import optuna, pathlib, tempfile
        >>> optuna.logging.set_verbosity(optuna.logging.WARNING)
        >>> study = optuna.create_study(direction="maximize")
        >>> study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=3)
        >>> plot_history(study, pathlib.Path(tempfile.mkdtemp()) / "h.png").exists()
        True
    """
    import optuna
    from matplotlib.figure import Figure

    states = optuna.trial.TrialState
    figure = Figure(figsize=(7, 4), layout="constrained")
    axes = figure.add_subplot()
    done = [t for t in study.trials if t.state == states.COMPLETE and t.value is not None]
    if done:
        numbers = [t.number for t in done]
        values = [t.value for t in done]
        axes.plot(numbers, values, "o", color="tab:blue", label="trial (mean CV score)")
        best, running = [], -math.inf
        for value in values:
            running = max(running, value)
            best.append(running)
        axes.step(numbers, best, where="post", color="tab:red", label="best so far")
        low = min(values)
    else:
        low = 0.0
        axes.text(0.5, 0.5, "no completed trial yet", ha="center", va="center",
                  transform=axes.transAxes)  # fmt: skip
    for state, marker, colour in ((states.PRUNED, "x", "tab:gray"), (states.FAIL, "v", "k")):
        numbers = [t.number for t in study.trials if t.state == state]
        if numbers:
            axes.plot(numbers, [low] * len(numbers), marker, color=colour,
                      label=f"{state.name.lower()} ({len(numbers)})")  # fmt: skip
    from matplotlib.ticker import MaxNLocator

    axes.xaxis.set_major_locator(MaxNLocator(integer=True))  # trials are numbered
    axes.set_xlabel("trial")
    axes.set_ylabel("score (higher is better)")
    axes.set_title(f"Optimisation history: {study.study_name}")
    axes.grid(alpha=0.3)
    if axes.get_legend_handles_labels()[0]:
        axes.legend(loc="best", fontsize="small")
    path = Path(path)
    figure.savefig(path, dpi=100)
    return path


def plot_importances(importances: dict[str, float] | None, path: str | Path) -> Path:
    """Draw the parameter importances as horizontal bars (the most important on top).

    Args:
        importances: from :func:`param_importances`; None draws a note saying that
            importances need at least two completed trials with varied parameters.
        path: the PNG to write.

    Returns:
        The path written.

    Example:
        >>> import pathlib, tempfile
        >>> folder = pathlib.Path(tempfile.mkdtemp())
        >>> plot_importances({"hidden_size": 0.7, "layer": 0.3}, folder / "i.png").exists()
        True
    """
    from matplotlib.figure import Figure

    figure = Figure(figsize=(7, 4), layout="constrained")
    axes = figure.add_subplot()
    if importances:
        names = list(importances)[::-1]
        axes.barh(names, [importances[n] for n in names], color="tab:blue")
        axes.set_xlabel("importance (fANOVA; sums to 1)")
        axes.set_xlim(0, 1)
    else:
        axes.text(0.5, 0.5, "importances need at least 2 completed trials\n"
                  "and a parameter that varied", ha="center", va="center",
                  transform=axes.transAxes)  # fmt: skip
        axes.set_axis_off()
    axes.set_title("Parameter importances")
    path = Path(path)
    figure.savefig(path, dpi=100)
    return path


def write_results(study: Any, out: str | Path, seed: int = 0) -> ResultFiles:
    """Write the trials table and both figures into the folder ``out`` (made if needed).

    Args:
        study: an ``optuna.Study``.
        out: the folder.
        seed: seeds the importance evaluator.

    Returns:
        The :class:`ResultFiles` written: ``trials.csv``, ``optimization-history.png``,
        ``param-importances.png``.

    Example:
        >>> import optuna, pathlib, tempfile
        >>> optuna.logging.set_verbosity(optuna.logging.WARNING)
        >>> study = optuna.create_study(direction="maximize")
        >>> study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=3)
        >>> files = write_results(study, tempfile.mkdtemp())
        >>> files.trials_csv.name, files.importances_png.exists()
        ('trials.csv', True)
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    files = ResultFiles(out / TRIALS_CSV, out / HISTORY_PNG, out / IMPORTANCES_PNG)
    trials_table(study).to_csv(files.trials_csv, index=False)
    plot_history(study, files.history_png)
    plot_importances(param_importances(study, seed), files.importances_png)
    return files
