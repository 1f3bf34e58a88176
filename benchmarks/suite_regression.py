"""The public benchmark suite, regression part: lstmkit against aeon's regressors.

Run through the suite runner (``python benchmarks/suite.py --parts regression``). On each
set's default train/test split (``REGRESSION_SETS``: Covid3Month and CardanoSentiment,
read offline from aeon's wheel) it scores

* a mean predictor (the training targets' mean, for every test case): the floor;
* aeon's ``RocketRegressor`` (10,000 kernels, ridge), one fit per seed;
* the lstmkit configurations of :data:`CONFIGS` (``SequenceRegressor`` defaults and
  ``architecture="lstm-fcn"``), one fit per seed,

by test RMSE and MAE (medians over the seeds). :func:`markdown` formats the tables.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

# The runner puts benchmarks/ on sys.path; the classification part holds the shared
# plumbing (seeds, configurations, error entries).
from suite_classification import (
    check_configs,
    check_seeds,
    check_sets,
    error_text,
    fit_lstmkit,
    fmt,
    median,
    run_settings,
    subsample,
)

from lstmkit.datasets.public_suite import (
    REGRESSION_SETS,
    as_aeon_collection,
    load_suite_regression,
)

#: lstmkit configurations: name -> (estimator class in ``lstmkit.tasks``, parameters).
CONFIGS: dict[str, tuple[str, dict[str, Any]]] = {
    "lstmkit defaults": ("SequenceRegressor", {}),
    "lstmkit lstm-fcn": ("SequenceRegressor", {"architecture": "lstm-fcn"}),
}

#: ``quick=True``: one small set, few epochs, a subset of the training cases.
QUICK = {"sets": ("CardanoSentiment",), "max_epochs": 3, "max_train": 60}

MEAN = "mean predictor"
ROCKET = "Rocket"


def _errors(predicted: Any, truth: Any) -> dict[str, float]:
    """RMSE and MAE of predictions against the truth."""
    p = np.ravel(np.asarray(predicted, dtype=np.float64))
    t = np.ravel(np.asarray(truth, dtype=np.float64))
    return {"rmse": float(np.sqrt(np.mean((p - t) ** 2))), "mae": float(np.mean(np.abs(p - t)))}


def mean_predictor(y_train: np.ndarray, y_test: np.ndarray) -> dict[str, Any]:
    """Predict the training targets' mean for every test case.

    Args:
        y_train: the training targets.
        y_test: the test targets.

    Returns:
        ``{"rmse", "mae", "seconds"}``.

    Example:
        >>> mean_predictor(np.array([1.0, 3.0]), np.array([0.0, 4.0]))["rmse"]
        2.0
    """
    start = time.perf_counter()
    predicted = np.full(len(y_test), float(np.mean(y_train)))
    return {**_errors(predicted, y_test), "seconds": time.perf_counter() - start}


def rocket(
    X_train: list, y_train: Any, X_test: list, y_test: Any, seeds: Sequence[int]
) -> dict[str, Any]:
    """aeon's RocketRegressor (10,000 kernels, ridge regression), one fit per seed.

    Args:
        X_train, y_train, X_test, y_test: ``(T, F)`` sequences and targets.
        seeds: the ``random_state`` of each fit.

    Returns:
        ``{"runs": [{"seed", "rmse", "mae", "seconds"}], "rmse", "mae", "seconds"
        (medians), "settings"}``.
    """
    from aeon.regression.convolution_based import RocketRegressor

    train, test = as_aeon_collection(X_train), as_aeon_collection(X_test)
    runs = []
    for seed in seeds:
        start = time.perf_counter()
        model = RocketRegressor(random_state=seed).fit(train, np.asarray(y_train))
        run = {"seed": seed, **_errors(model.predict(test), y_test)}
        run["seconds"] = time.perf_counter() - start
        runs.append(run)
    return {
        "runs": runs,
        **{k: median([r[k] for r in runs]) for k in ("rmse", "mae", "seconds")},
        "settings": {"regressor": "aeon RocketRegressor", "n_kernels": 10000},
    }


def run(
    *,
    seeds: Sequence[int] = (0, 1, 2),
    quick: bool = False,
    configs: Mapping[str, tuple[str, dict[str, Any]]] | None = None,
    sets: Sequence[str] | None = None,
    progress: Any = None,
) -> dict[str, Any]:
    """Score the baselines and lstmkit's configurations on each set's default split.

    Args:
        seeds: one lstmkit fit (and one Rocket fit) per seed; medians are reported.
        quick: plumbing check: ``QUICK["sets"]`` by default, at most
            ``QUICK["max_train"]`` training cases, ``QUICK["max_epochs"]`` epochs.
        configs: name -> (estimator class name, params); None: :data:`CONFIGS`.
        sets: names from ``REGRESSION_SETS``; None: all (quick: ``QUICK["sets"]``).
        progress: called with the results so far after each set.

    Returns:
        ``{"sets": {set: {"data", "baselines", "lstmkit"}}, "summary", "settings"}``.

    Example:
        >>> results = run(quick=True, seeds=(0,))  # doctest: +SKIP
        >>> print(markdown(results))  # doctest: +SKIP
    """
    seeds = check_seeds(seeds)
    configs = check_configs(CONFIGS if configs is None else configs)
    sets = check_sets(sets, REGRESSION_SETS, QUICK["sets"] if quick else REGRESSION_SETS)
    max_epochs = QUICK["max_epochs"] if quick else None
    results: dict[str, Any] = {
        "settings": run_settings(seeds, quick, sets, configs, QUICK),
        "sets": {},
    }
    for name in sets:
        data = load_suite_regression(name)
        X_train, y_train, X_test, y_test = data.X_train, data.y_train, data.X_test, data.y_test
        if quick:
            keep = subsample(len(X_train), None, QUICK["max_train"], seeds[0])
            X_train, y_train = [X_train[i] for i in keep], y_train[keep]
        lengths = [len(x) for x in X_train + X_test]
        entry: dict[str, Any] = {
            "data": {
                "train": len(X_train),
                "test": len(X_test),
                "features": data.num_features,
                "length_min": min(lengths),
                "length_max": max(lengths),
                "target_std_test": float(np.std(y_test)),
            },
            "baselines": {MEAN: mean_predictor(y_train, y_test)},
            "lstmkit": {},
        }
        try:
            entry["baselines"][ROCKET] = rocket(X_train, y_train, X_test, y_test, seeds)
        except Exception as exc:
            entry["baselines"][ROCKET] = {"error": error_text(exc)}

        def score(estimator: Any, X_test: list = X_test, y_test: Any = y_test) -> dict:
            return _errors(estimator.predict(X_test), y_test)

        for config, (class_name, params) in configs.items():
            entry["lstmkit"][config] = fit_lstmkit(
                class_name, params, seeds, (X_train, y_train), score, max_epochs=max_epochs
            )
        results["sets"][name] = entry
        results["summary"] = summarize(results)
        if progress is not None:
            progress(results)
    results["summary"] = summarize(results)
    return results


def _value(entry: dict[str, Any], method: str, metric: str) -> float | None:
    if method in entry["baselines"]:
        return entry["baselines"][method].get(metric)
    return entry["lstmkit"].get(method, {}).get(f"median_{metric}")


def summarize(results: dict[str, Any]) -> dict[str, Any]:
    """Per set, which lstmkit configurations beat the mean predictor and Rocket (RMSE).

    Args:
        results: what :func:`run` returns.

    Returns:
        ``{set: {config: {"beats_mean": bool | None, "beats_rocket": bool | None}}}``.
    """
    out: dict[str, Any] = {}
    for name, entry in results["sets"].items():
        out[name] = {}
        for config in entry["lstmkit"]:
            mine = _value(entry, config, "rmse")
            verdict = {}
            for key, ref in (("beats_mean", MEAN), ("beats_rocket", ROCKET)):
                other = _value(entry, ref, "rmse")
                verdict[key] = None if mine is None or other is None else bool(mine < other)
            out[name][config] = verdict
    return out


def markdown(results: dict[str, Any]) -> str:
    """The regression table (RMSE and MAE per set and method) and fit times, in Markdown.

    Args:
        results: what :func:`run` returns.

    Returns:
        Markdown text.
    """
    sets = results["sets"]
    if not sets:
        return "_no regression set was run_\n"
    methods = list(
        dict.fromkeys(m for e in sets.values() for m in [*e["baselines"], *e["lstmkit"]])
    )
    seeds = results["settings"]["seeds"]
    quick = " — QUICK MODE, numbers mean nothing" if results["settings"]["quick"] else ""
    lines = [
        f"Test RMSE / MAE, default train/test split; Rocket and lstmkit: median of seeds "
        f"{seeds}{quick}",
        "",
        "| set | " + " | ".join(methods) + " |",
        "|" + "---|" * (len(methods) + 1),
    ]
    for name, e in sets.items():
        cells = []
        for m in methods:
            source = e["baselines"].get(m) or e["lstmkit"].get(m) or {}
            if "error" in source and _value(e, m, "rmse") is None:
                cells.append("error")
            else:
                cells.append(f"{fmt(_value(e, m, 'rmse'), 4)} / {fmt(_value(e, m, 'mae'), 4)}")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines += ["", "Seconds on this machine (Rocket: fit + predict; lstmkit: median fit)", ""]
    timed = [m for m in methods if m != MEAN]
    lines += ["| set | " + " | ".join(timed) + " |", "|" + "---|" * (len(timed) + 1)]
    for name, e in sets.items():
        cells = [
            fmt(e["baselines"][m].get("seconds"), 1)
            if m in e["baselines"]
            else fmt(e["lstmkit"].get(m, {}).get("median_fit_seconds"), 1)
            for m in timed
        ]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    errors = [
        f"- {m} on {n}: {src['error']}"
        for n, e in sets.items()
        for m, src in [*e["baselines"].items(), *e["lstmkit"].items()]
        if "error" in src
    ]
    if errors:
        lines += ["", "Errors:", *errors]
    return "\n".join(lines) + "\n"
