"""The forecasting part of lstmkit's public benchmark suite.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/suite_forecasting.py [--quick]

Data (offline, shipped in installed wheels):

* **M1 yearly** (181 series, aeon): the last 6 values of each series are its test
  window (the competition's horizon); the 6 before them are the validation window.
* **Monthly series** lstmkit ships (airline, co2, sunspots; period 12, 12 and the
  132-month solar cycle): horizon 12, three rolling test origins over the last three
  years (forecasts from ``T - 36``, ``T - 24``, ``T - 12``), and three validation
  origins over the three years before them.

Methods: lstmkit's :class:`~lstmkit.tasks.Forecaster` with its defaults and
``horizon`` set to the task's horizon (a *global* model over all M1 series; on M1 also
one model per series on a fixed subset, every 12th series, for time; one model per
monthly series), seeds 0, 1, 2, medians reported; and naive, seasonal naive, Naive2,
ETS (damped, additive), Theta and an automatic ARIMA (lstmkit.baselines.forecasting).
Each model is fitted once on the data before the first origin of its window; later
rolling origins only extend the history it reads (no refit), as for ETS and ARIMA,
whose states are updated without refitting (Theta and Naive2 refit, cheaply).

Accuracy: sMAPE, MASE (scaled by the history's in-sample seasonal-naive error) and
OWA relative to Naive2, as in M4, averaged over series and origins.

Honesty rules: candidate Forecaster settings (seasonal mode, scaling, recursive vs
direct; the defaults with every seed, the others with the first seed) are compared on
the **validation** windows only; the test windows are scored
once per method, for the library defaults only, and ``test_scorings`` counts every
scoring of a test window.
"""

from __future__ import annotations

import argparse
import json
import logging
import platform
import statistics
import sys
import time
import warnings
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import torch

from lstmkit.baselines.forecast_accuracy import mase, owa, smape
from lstmkit.baselines.forecasting import (
    WarningCounter,
    auto_arima_baseline,
    ets_baseline,
    naive2_baseline,
    naive_baseline,
    seasonal_naive_baseline,
    theta_baseline,
)
from lstmkit.datasets import load_dataset
from lstmkit.datasets.forecasting import M1_YEARLY_HORIZON, load_m1_yearly
from lstmkit.tasks import Forecaster

OUT = Path(__file__).resolve().parent / "results" / "suite-forecasting.json"
MONTHLY = ("airline", "co2", "sunspots")
MONTHLY_HORIZON = 12
MONTHLY_ORIGINS = 3  # rolling origins per window (test, and validation before it)
PER_SERIES_EVERY = 12  # M1 per-series models: every 12th series (16 of 181), for time
BASELINES = ("naive", "seasonal_naive", "naive2", "ets", "theta", "arima")

#: Candidate settings compared on the validation windows (the first is the default).
CANDIDATES: dict[str, dict[str, Any]] = {
    "default": {},
    "no-residual": {"seasonal_mode": "none"},
    "difference": {"seasonal_mode": "difference"},
    "global-scaling": {"scaling": "global"},
    "recursive (horizon 1)": {"horizon": 1},
}


# ------------------------------------------------------------------ forecasts
def _baseline(
    name: str,
    history: np.ndarray,
    future: np.ndarray,
    h: int,
    m: int,
    origins: list[int],
    counter: WarningCounter,
) -> np.ndarray:
    """Closed-loop forecasts (len(origins), h) of one baseline; naive if a fit fails."""
    try:
        if name == "naive":
            return naive_baseline(history, future, h, origins=origins)[1]
        if name == "seasonal_naive":
            return seasonal_naive_baseline(history, future, h, period=m, origins=origins)[1]
        if name == "naive2":
            return naive2_baseline(history, future, h, period=m, origins=origins)[1]
        if name == "ets":
            return ets_baseline(
                history, future, h, period=m, origins=origins, warnings_counter=counter
            )[1]
        if name == "theta":
            return theta_baseline(
                history, future, h, period=m, origins=origins, warnings_counter=counter
            )[1]
        return auto_arima_baseline(
            history, future, h, period=m, origins=origins, warnings_counter=counter
        )[1]
    except (ValueError, np.linalg.LinAlgError, IndexError):
        counter.counts[f"{name}_failed_fell_back_to_naive"] = (
            counter.counts.get(f"{name}_failed_fell_back_to_naive", 0) + 1
        )
        return naive_baseline(history, future, h, origins=origins)[1]


def _lstm(
    train: list[np.ndarray],
    histories: list[list[np.ndarray]],
    h: int,
    seed: int,
    settings: dict[str, Any],
) -> tuple[list[np.ndarray], float]:
    """Fit one Forecaster on ``train``; forecast h steps after every history of every
    series (``histories[i]`` lists series i's origins). Returns (forecasts, seconds)."""
    from lstmkit.tasks.forecaster import default_forecast_options

    # the library's data-dependent default options, with this seed
    options = default_forecast_options(len(train), max(len(s) for s in train), seed=seed)
    model = Forecaster(**{"horizon": h, **settings}, training_options=options)
    start = time.perf_counter()
    model.fit(train)
    seconds = time.perf_counter() - start
    flat = [hist for series in histories for hist in series]
    out = model.forecast(flat, steps=h)
    forecasts, i = [], 0
    for series in histories:
        forecasts.append(np.stack([o[:, 0] for o in out[i : i + len(series)]]))
        i += len(series)
    return forecasts, seconds


def _scores(
    truths: list[np.ndarray], forecasts: list[np.ndarray], histories: list[list[np.ndarray]], m: int
) -> dict[str, float]:
    """Mean sMAPE and MASE over series and origins."""
    s, q = [], []
    for truth, fc, hists in zip(truths, forecasts, histories, strict=True):
        for t, f, hist in zip(truth, fc, hists, strict=True):
            s.append(smape(t, f))
            try:
                q.append(mase(t, f, hist, period=m if len(hist) > m else 1))
            except ValueError:  # a constant history: MASE undefined, left out
                q.append(np.nan)
    return {"smape": float(np.mean(s)), "mase": float(np.nanmean(q))}


def _with_owa(scores: dict[str, float], naive2: dict[str, float]) -> dict[str, float]:
    return {
        **scores,
        "owa": owa(scores["smape"], scores["mase"], naive2["smape"], naive2["mase"]),
    }


def _median(per_seed: list[dict[str, float]]) -> dict[str, Any]:
    keys = per_seed[0].keys()
    return {
        **{k: float(statistics.median(r[k] for r in per_seed)) for k in keys},
        "per_seed": per_seed,
    }


# ------------------------------------------------------------------- windows
def _windows(series: list[np.ndarray], h: int, origins: int, end: int) -> dict[str, Any]:
    """A window of ``origins`` rolling origins, ``h`` apart, ending ``end`` steps before
    each series' end: the training part, each origin's history, and the truths."""
    train, hists, truths = [], [], []
    for y in series:
        y = np.asarray(y, dtype=np.float64)
        last = len(y) - end  # the window covers y[first:last]
        first = last - origins * h
        cuts = [first + k * h for k in range(origins)]
        train.append(y[:first].astype(np.float32))
        hists.append([y[:c] for c in cuts])
        truths.append(np.stack([y[c : c + h] for c in cuts]))
    return {"train": train, "histories": hists, "truths": truths}


def _evaluate_window(
    name: str,
    series: list[np.ndarray],
    h: int,
    m: int,
    origins: int,
    end: int,
    seeds: tuple[int, ...],
    candidates: dict[str, dict[str, Any]],
    lstm_groups: dict[str, list[int]],
    baselines: bool,
    counter: WarningCounter,
) -> dict[str, Any]:
    """Score the Forecaster candidates (and, if asked, the baselines) on one window.

    ``lstm_groups`` maps a model name to the series indices one Forecaster is fitted
    on ("global": all; "per-series": each index alone)."""
    w = _windows(series, h, origins, end)
    result: dict[str, Any] = {}
    naive2 = [
        _baseline(
            "naive2", hs[0], np.concatenate(list(t)), h, m, list(range(0, origins * h, h)), counter
        )
        for hs, t in zip(w["histories"], w["truths"], strict=True)
    ]
    naive2_scores = _scores(w["truths"], naive2, w["histories"], m)
    if baselines:
        for b in BASELINES:
            start = time.perf_counter()
            fcs = []
            for hs, t in zip(w["histories"], w["truths"], strict=True):
                future = np.concatenate(list(t))
                fcs.append(
                    _baseline(b, hs[0], future, h, m, list(range(0, origins * h, h)), counter)
                )
            scores = _with_owa(_scores(w["truths"], fcs, w["histories"], m), naive2_scores)
            result[b] = {**scores, "seconds": time.perf_counter() - start}
    for group, indices in lstm_groups.items():
        idx = list(indices)
        for cand, settings in candidates.items():
            per_seed = []
            # candidates other than the defaults: the first seed only, for time
            for seed in seeds if cand == "default" else seeds[:1]:
                seconds = 0.0
                if group == "global":
                    fcs, seconds = _lstm(
                        [w["train"][i] for i in idx],
                        [w["histories"][i] for i in idx],
                        h,
                        seed,
                        settings,
                    )
                else:
                    fcs = []
                    for i in idx:
                        f, sec = _lstm([w["train"][i]], [w["histories"][i]], h, seed, settings)
                        fcs.extend(f)
                        seconds += sec
                sub = _scores(
                    [w["truths"][i] for i in idx], fcs, [w["histories"][i] for i in idx], m
                )
                base = _scores(
                    [w["truths"][i] for i in idx],
                    [naive2[i] for i in idx],
                    [w["histories"][i] for i in idx],
                    m,
                )
                per_seed.append({**_with_owa(sub, base), "fit_seconds": seconds})
            result[f"lstmkit {group} [{cand}]"] = {**_median(per_seed), "series": len(idx)}
        print(f"  {name}: {group} done", file=sys.stderr, flush=True)
    return result


# ----------------------------------------------------------------------- run
def run(*, seeds: tuple[int, ...] = (0, 1, 2), quick: bool = False) -> dict[str, Any]:
    """Run the forecasting suite; returns a JSON-ready dict (see the module docstring).

    Args:
        seeds: lstmkit's training seeds (medians are reported).
        quick: a smoke run (40 M1 series, airline only, seed 0, two candidates).

    Returns:
        ``{"m1_yearly": ..., "monthly": {name: ...}, "test_scorings": ..., ...}``.
    """
    torch.set_num_threads(1)
    logging.getLogger("lightning").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore")
    if quick:
        seeds = seeds[:1]
    candidates = dict(list(CANDIDATES.items())[:2]) if quick else CANDIDATES
    counter = WarningCounter()
    test_scorings: dict[str, int] = {}
    started = time.perf_counter()

    m1 = [np.asarray(s, dtype=np.float64) for s in load_m1_yearly().series]
    if quick:
        m1 = m1[:40]
    h = M1_YEARLY_HORIZON
    every = list(range(0, len(m1), PER_SERIES_EVERY))
    m1_result = {
        "series": len(m1),
        "horizon": h,
        "validation": _evaluate_window(
            "m1 validation",
            m1,
            h,
            1,
            1,
            h,
            seeds,
            candidates,
            {"global": range(len(m1))},
            baselines=False,
            counter=counter,
        ),
        "test": _evaluate_window(
            "m1 test",
            m1,
            h,
            1,
            1,
            0,
            seeds,
            {"default": {}},
            {"global": range(len(m1)), "per-series": every},
            baselines=True,
            counter=counter,
        ),
        "per_series_subset": every,
    }
    test_scorings["m1_yearly"] = len(BASELINES) + 2

    monthly: dict[str, Any] = {}
    for name in MONTHLY[:1] if quick else MONTHLY:
        data = load_dataset(name)
        y = [np.asarray(data.series, dtype=np.float64)]
        m = int(data.seasonal_period)
        span = MONTHLY_ORIGINS * MONTHLY_HORIZON
        monthly[name] = {
            "length": len(y[0]),
            "period": m,
            "horizon": MONTHLY_HORIZON,
            "origins": MONTHLY_ORIGINS,
            "validation": _evaluate_window(
                f"{name} validation",
                y,
                MONTHLY_HORIZON,
                m,
                MONTHLY_ORIGINS,
                span,
                seeds,
                # one series: no global scaling to compare; recursive is M1's question
                {
                    k: v
                    for k, v in candidates.items()
                    if k in ("default", "no-residual", "difference")
                },
                {"per-series": [0]},
                baselines=False,
                counter=counter,
            ),
            "test": _evaluate_window(
                f"{name} test",
                y,
                MONTHLY_HORIZON,
                m,
                MONTHLY_ORIGINS,
                0,
                seeds,
                {"default": {}},
                {"per-series": [0]},
                baselines=True,
                counter=counter,
            ),
        }
        test_scorings[name] = len(BASELINES) + 1

    return {
        "m1_yearly": m1_result,
        "monthly": monthly,
        "seeds": list(seeds),
        "quick": quick,
        "candidates": {k: v for k, v in candidates.items()},
        "test_scorings": test_scorings,
        "test_scorings_note": (
            "how many times each test window was scored: once per baseline and once per "
            "lstmkit model (defaults only); candidates were compared on validation only"
        ),
        "baseline_warnings": counter.counts,
        "seconds": time.perf_counter() - started,
        "machine": {
            "python": platform.python_version(),
            "torch": torch.__version__,
            "threads": torch.get_num_threads(),
        },
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def markdown(results: dict[str, Any]) -> str:
    """A README table: sMAPE / MASE / OWA per method on each test set (lstmkit: median
    over seeds), and the validation comparison of the candidate settings.

    Args:
        results: what :func:`run` returned.

    Returns:
        Markdown text.
    """
    lines = ["| set | method | sMAPE | MASE | OWA |", "|---|---|---|---|---|"]
    sets = {"M1 yearly": results["m1_yearly"]["test"]}
    sets.update({f"{k} (monthly)": v["test"] for k, v in results["monthly"].items()})
    for label, table in sets.items():
        for method, r in sorted(table.items(), key=lambda kv: kv[1]["owa"]):
            lines.append(
                f"| {label} | {method} | {r['smape']:.2f} | {r['mase']:.3f} | {r['owa']:.3f} |"
            )
    lines += [
        "",
        "Validation windows (candidates; lstmkit medians over seeds):",
        "",
        "| set | candidate | sMAPE | MASE | OWA |",
        "|---|---|---|---|---|",
    ]
    vals = {"M1 yearly": results["m1_yearly"]["validation"]}
    vals.update({k: v["validation"] for k, v in results["monthly"].items()})
    for label, table in vals.items():
        for method, r in table.items():
            lines.append(
                f"| {label} | {method} | {r['smape']:.2f} | {r['mase']:.3f} | {r['owa']:.3f} |"
            )
    return "\n".join(lines) + "\n"


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | range):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run of a few minutes")
    args = parser.parse_args()
    results = _jsonable(run(quick=args.quick))
    out = OUT.with_name("suite-forecasting-quick.json") if args.quick else OUT
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=1) + "\n")
    print(markdown(results))
    print(f"wrote {out}")
