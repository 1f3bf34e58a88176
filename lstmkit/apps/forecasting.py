"""``lstmkit run forecasting``: LSTM forecasting, open and closed loop, against baselines.

Like MATLAB's "Time Series Forecasting Using Deep Learning", plus a real series:

1. **Waveforms** (``load_dataset("waveform")``, 3 channels, 100-200 steps each): a
   :class:`~lstmkit.tasks.Forecaster` is trained on 90% of the sequences; each of the
   held-out ones is cut at 75% of its steps. Open loop: every step after the cut is
   predicted from the true values before it (one step ahead). Closed loop: all the
   steps after the cut are forecast from the history, each prediction fed back.
2. **Monthly sunspots** (Jan 1749 - Dec 2008, 3,120 months): the test window is the
   last 264 months (two 132-month solar cycles, 1987-2008), so the score covers every
   phase of the cycle twice instead of one phase; the network trains on overlapping
   600-month windows of the 2,856 months before. Open loop: one step ahead over the
   test window. Closed loop: 24-month forecasts (a planning horizon of space-weather
   outlooks) from 11 origins, one every 24 months, which tile the test window, each
   from the data known at its origin (no refitting).
3. **Baselines** (:mod:`lstmkit.baselines.forecasting`), computed in the same run from the
   same histories: naive (last value), seasonal naive (132 months for sunspots; for
   each waveform, the period of the dominant autocorrelation peak of that sequence's
   own history, because every waveform has its own frequencies), ETS(A, Ad, A)
   and ARIMA (per channel), fitted on each history and never refitted.

RMSE is pooled over all predicted values. MASE is scaled by the in-sample MAE of the
**naive** (one-step, non-seasonal) forecast on each series' training part (each
waveform's history; the sunspots' training months), per channel, then averaged.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from lstmkit.apps.framework import AppOptions, option
from lstmkit.apps.run_folder import RunFolder
from lstmkit.baselines.forecasting import (
    WarningCounter,
    arima_baseline,
    dominant_period,
    ets_baseline,
    naive_baseline,
    per_channel,
    seasonal_naive_baseline,
)
from lstmkit.datasets import load_dataset
from lstmkit.metrics import mase, rmse
from lstmkit.tasks import Forecaster
from lstmkit.training import TrainingOptions

__all__ = ["CONFIGS", "Options", "run"]

METHODS = ("lstm", "naive", "seasonal_naive", "ets", "arima")

#: The two configurations: ``quick`` (tests, smoke runs; < 30 s) and ``full``.
CONFIGS: dict[str, dict[str, Any]] = {
    "quick": {
        "waveform": {
            "num_sequences": 120,
            "test_fraction": 0.1,
            "history_fraction": 0.75,
            "baseline_sequences": 4,
            "arima_order": (2, 0, 1),
            "hidden_size": 32,
            "training": {
                "max_epochs": 12,
                "batch_size": 16,
                "learning_rate": 1e-2,
                "lr_schedule": "cosine",
                "gradient_threshold": 1.0,
            },
        },
        "sunspots": {
            "test_months": 264,
            "horizon": 24,
            "window": 600,
            "stride": 48,
            "arima_order": (3, 0, 1),
            "hidden_size": 16,
            "training": {
                "max_epochs": 10,
                "batch_size": 16,
                "learning_rate": 1e-2,
                "lr_schedule": "cosine",
                "gradient_threshold": 1.0,
            },
        },
    },
    "full": {
        "waveform": {
            "num_sequences": 1000,
            "test_fraction": 0.1,
            "history_fraction": 0.75,
            "baseline_sequences": 100,
            "arima_order": (2, 0, 1),
            "hidden_size": 96,
            "training": {
                "max_epochs": 40,
                "batch_size": 32,
                "learning_rate": 5e-3,
                "lr_schedule": "cosine",
                "gradient_threshold": 1.0,
            },
        },
        "sunspots": {
            "test_months": 264,
            "horizon": 24,
            "window": 600,
            "stride": 12,
            "arima_order": (3, 0, 1),
            "hidden_size": 48,
            "training": {
                "max_epochs": 80,
                "batch_size": 32,
                "learning_rate": 5e-3,
                "lr_schedule": "cosine",
                "gradient_threshold": 1.0,
            },
        },
    },
}


#: The app's Forecaster as chosen for it (issue 8): one global z-score, no seasonal
#: handling, squared error. Issue 13 made per-series scaling, a seasonal-naive residual
#: and the absolute error the Forecaster's defaults (chosen on M1 and monthly series);
#: the app keeps its own validated configuration.
ONE_STEP_MSE = {"scaling": "global", "seasonal_mode": "none", "seasonality": None, "loss": "mse"}


def _seed_everything(seed: int) -> None:
    random.seed(seed)
    torch.manual_seed(seed)  # NumPy randomness here always comes from seeded Generators


def _options(config: dict[str, Any], seed: int) -> TrainingOptions:
    return TrainingOptions(**config["training"], seed=seed, output_model="last")


def _scores(
    truths: list[np.ndarray], preds: list[np.ndarray], trains: list[np.ndarray]
) -> dict[str, float]:
    """Pooled RMSE and mean MASE (naive-scaled, per series and channel)."""
    true = np.concatenate([t.reshape(len(t), -1) for t in truths])
    pred = np.concatenate([p.reshape(len(p), -1) for p in preds])
    scaled = [mase(t, p, tr, season=1) for t, p, tr in zip(truths, preds, trains, strict=True)]
    return {"rmse": rmse(true, pred), "mase": float(np.mean(scaled))}


def _comparison(results: dict[str, dict[str, float]]) -> dict[str, Any]:
    lstm = results["lstm"]["rmse"]
    return {
        "lstm_beats_naive": bool(lstm < results["naive"]["rmse"]),
        "lstm_beats_seasonal_naive": bool(lstm < results["seasonal_naive"]["rmse"]),
        "best_method": min(results, key=lambda m: results[m]["rmse"]),
    }


# ------------------------------------------------------------------- waveforms
def _waveform(out_dir: Path, config: dict[str, Any], seed: int, counter: WarningCounter) -> dict:
    from lstmkit.viz import plot_forecast

    data = load_dataset("waveform", num_sequences=config["num_sequences"], seed=seed)
    series = [np.asarray(s, dtype=np.float32) for s in data.series]
    order = np.random.default_rng(seed).permutation(len(series))
    n_test = max(1, round(len(series) * config["test_fraction"]))
    test_idx, train_idx = np.sort(order[:n_test]), np.sort(order[n_test:])
    train = [series[i] for i in train_idx]
    test = [series[i] for i in test_idx]

    options = _options(config, seed)
    start = time.perf_counter()
    model = Forecaster(
        hidden_size=config["hidden_size"],
        normalization="zscore",
        **ONE_STEP_MSE,
        training_options=options,
        run_dir=str(out_dir / "training-waveform"),
    ).fit(train)
    train_seconds = time.perf_counter() - start
    model.save(out_dir / "model-waveform")

    # LSTM on every held-out sequence: open loop from one pass over the whole
    # sequence (row t predicts step t + 1), closed loop from the history.
    start = time.perf_counter()
    cuts = [int(len(s) * config["history_fraction"]) for s in test]
    one_step = model.predict(test)
    lstm_open = [p[c - 1 : len(s) - 1] for p, c, s in zip(one_step, cuts, test, strict=True)]
    lstm_closed = [model.forecast(s[:c], len(s) - c) for s, c in zip(test, cuts, strict=True)]
    histories = [s[:c].astype(np.float64) for s, c in zip(test, cuts, strict=True)]
    futures = [s[c:].astype(np.float64) for s, c in zip(test, cuts, strict=True)]
    lstm_seconds = time.perf_counter() - start

    # Baselines on the first few held-out sequences (their cost is bounded).
    n_base = min(config["baseline_sequences"], len(test))
    periods = [dominant_period(h, max_period=len(h) // 2) for h in histories[:n_base]]
    preds: dict[str, tuple[list[np.ndarray], list[np.ndarray]]] = {
        "lstm": (lstm_open[:n_base], lstm_closed[:n_base])
    }
    seconds: dict[str, float] = {}
    for name in METHODS[1:]:
        start = time.perf_counter()
        opens, closeds = [], []
        for hist, fut, period in zip(histories, futures, periods, strict=False):
            kwargs: dict[str, Any] = {}
            if name == "seasonal_naive":
                method, kwargs = seasonal_naive_baseline, {"period": period}
            elif name == "naive":
                method = naive_baseline
            elif name == "ets":
                method, kwargs = ets_baseline, {"period": period, "warnings_counter": counter}
            else:
                method = arima_baseline
                kwargs = {"order": tuple(config["arima_order"]), "warnings_counter": counter}
            o, c = per_channel(method, hist, fut, len(fut), **kwargs)
            opens.append(o)
            closeds.append(c)
        preds[name] = (opens, closeds)
        seconds[name] = time.perf_counter() - start

    truths, trains = futures[:n_base], histories[:n_base]
    open_loop = {m: _scores(truths, preds[m][0], trains) for m in METHODS}
    closed_loop = {m: _scores(truths, preds[m][1], trains) for m in METHODS}
    lstm_all = {
        "open_loop": _scores(futures, lstm_open, histories),
        "closed_loop": _scores(futures, lstm_closed, histories),
    }

    # One channel of the first evaluated held-out sequence, closed loop, all methods.
    channel = 0
    hist, fut = histories[0][:, channel], futures[0][:, channel]
    figures = {
        "closed_loop": plot_forecast(
            hist,
            fut,
            preds["lstm"][1][0][:, channel],
            out_dir / "forecast-waveform-closed-loop.png",
            title=f"Waveform {int(test_idx[0])}, channel {channel + 1}: closed loop",
            baselines={m: preds[m][1][0][:, channel] for m in METHODS[1:]},
        ),
        "open_loop": plot_forecast(
            hist,
            fut,
            preds["lstm"][0][0][:, channel],
            out_dir / "forecast-waveform-open-loop.png",
            title=f"Waveform {int(test_idx[0])}, channel {channel + 1}: one step ahead",
            baselines={m: preds[m][0][0][:, channel] for m in METHODS[1:]},
            forecast_label="LSTM one-step-ahead",
        ),
    }
    return {
        "dataset": {
            "name": "waveform",
            "num_sequences": len(series),
            "num_channels": int(series[0].shape[1]),
            "train_sequences": len(train),
            "heldout_sequences": len(test),
            "heldout_indices": test_idx,
            "history_fraction": config["history_fraction"],
            "heldout_steps": int(sum(len(f) for f in futures)),
            "baseline_sequences": n_base,
            "baseline_note": (
                f"all methods (the LSTM included) are compared on the first {n_base} "
                f"held-out sequences; lstm_all_heldout scores the LSTM on all {len(test)}"
            ),
            "seasonal_periods": periods,
            "seasonal_period_note": (
                "per held-out sequence: the lag of the highest autocorrelation peak (after "
                "the first zero crossing, channels averaged) of its own history; each "
                "waveform has its own frequencies, so no single period fits the set"
            ),
        },
        "model": {
            "hidden_size": config["hidden_size"],
            "normalization": "zscore",
            "training_options": options.to_dict(),
        },
        "arima_order": config["arima_order"],
        "open_loop": open_loop,
        "closed_loop": closed_loop,
        "lstm_all_heldout": lstm_all,
        "open_loop_comparison": _comparison(open_loop),
        "closed_loop_comparison": _comparison(closed_loop),
        "seconds": {"lstm_train": train_seconds, "lstm_predict": lstm_seconds, **seconds},
        "figures": {k: v.name for k, v in figures.items()},
    }


# -------------------------------------------------------------------- sunspots
def _sunspots(out_dir: Path, config: dict[str, Any], seed: int, counter: WarningCounter) -> dict:
    from lstmkit.viz import plot_forecast

    data = load_dataset("sunspots")
    y = np.asarray(data.series, dtype=np.float64)
    period = int(data.seasonal_period)
    n_test, horizon, window = config["test_months"], config["horizon"], config["window"]
    n = len(y) - n_test
    history, future = y[:n], y[n:]
    origins = list(range(0, n_test - horizon + 1, horizon))
    # Context the LSTM runs over before each prediction: the months before the test
    # window (so open-loop positions stay within the training window length).
    warmup = window - n_test
    if warmup < horizon:
        raise ValueError(f"window ({window}) must exceed test_months + horizon")

    # Overlapping training windows: many sequences per epoch, each starting from a
    # fresh state, as at prediction time.
    starts = list(range(0, n - window + 1, config["stride"]))
    if starts[-1] != n - window:
        starts.append(n - window)
    windows = [history[s : s + window].astype(np.float32) for s in starts]

    options = _options(config, seed)
    start = time.perf_counter()
    model = Forecaster(
        hidden_size=config["hidden_size"],
        normalization="zscore",
        **ONE_STEP_MSE,
        training_options=options,
        run_dir=str(out_dir / "training-sunspots"),
    ).fit(windows)
    train_seconds = time.perf_counter() - start
    model.save(out_dir / "model-sunspots")

    start = time.perf_counter()
    context = y[n - warmup :].astype(np.float32)
    lstm_open = model.predict(context)[warmup - 1 : len(context) - 1, 0].astype(np.float64)
    lstm_closed = np.stack(
        [
            model.forecast(y[n + o - warmup : n + o].astype(np.float32), horizon)[:, 0]
            for o in origins
        ]
    ).astype(np.float64)
    lstm_seconds = time.perf_counter() - start

    preds = {"lstm": (lstm_open, lstm_closed)}
    seconds: dict[str, float] = {}
    for name in METHODS[1:]:
        start = time.perf_counter()
        if name == "naive":
            out = naive_baseline(history, future, horizon, origins=origins)
        elif name == "seasonal_naive":
            out = seasonal_naive_baseline(history, future, horizon, period=period, origins=origins)
        elif name == "ets":
            out = ets_baseline(
                history, future, horizon, period=period, origins=origins, warnings_counter=counter
            )
        else:
            out = arima_baseline(
                history,
                future,
                horizon,
                order=tuple(config["arima_order"]),
                origins=origins,
                warnings_counter=counter,
            )
        preds[name] = out
        seconds[name] = time.perf_counter() - start

    truth_closed = np.stack([future[o : o + horizon] for o in origins])
    open_loop = {m: _scores([future], [preds[m][0]], [history]) for m in METHODS}
    closed_loop = {
        m: _scores([truth_closed.T], [preds[m][1].T], [np.tile(history[:, None], len(origins))])
        for m in METHODS
    }

    time_index = np.asarray(data.time_index)
    shown = slice(n - n_test, len(y))
    tiled = {m: preds[m][1].reshape(-1) for m in METHODS}
    covered = len(origins) * horizon
    pad = np.full(n_test - covered, np.nan)
    figures = {
        "closed_loop": plot_forecast(
            history[n - n_test :],
            future,
            np.concatenate([tiled["lstm"], pad]),
            out_dir / "forecast-sunspots-closed-loop.png",
            time=time_index[shown],
            title=f"Sunspots: {horizon}-month closed-loop forecasts from {len(origins)} origins",
            baselines={m: np.concatenate([tiled[m], pad]) for m in METHODS[1:]},
        ),
        "open_loop": plot_forecast(
            history[n - n_test :],
            future,
            preds["lstm"][0],
            out_dir / "forecast-sunspots-open-loop.png",
            time=time_index[shown],
            title="Sunspots: one-step-ahead predictions over the test window",
            baselines={m: preds[m][0] for m in METHODS[1:]},
            forecast_label="LSTM one-step-ahead",
        ),
    }
    return {
        "dataset": {
            "name": "sunspots",
            "length": len(y),
            "train_months": n,
            "test_months": n_test,
            "test_start": str(time_index[n]),
            "test_end": str(time_index[-1]),
            "training_windows": len(windows),
            "window": window,
            "stride": config["stride"],
            "lstm_warmup_months": warmup,
            "seasonal_period": period,
            "closed_loop_horizon": horizon,
            "closed_loop_origins": [str(time_index[n + o]) for o in origins],
            "split_note": (
                "test = last 264 months (two 132-month cycles); closed loop = 24-month "
                "forecasts from origins every 24 months tiling the test window, each from "
                "the data known at its origin, nothing refitted"
            ),
        },
        "model": {
            "hidden_size": config["hidden_size"],
            "normalization": "zscore",
            "training_options": options.to_dict(),
        },
        "arima_order": config["arima_order"],
        "open_loop": open_loop,
        "closed_loop": closed_loop,
        "open_loop_comparison": _comparison(open_loop),
        "closed_loop_comparison": _comparison(closed_loop),
        "seconds": {"lstm_train": train_seconds, "lstm_predict": lstm_seconds, **seconds},
        "figures": {k: v.name for k, v in figures.items()},
    }


# ------------------------------------------------------------------------- run
def _table(metrics: dict[str, Any]) -> str:
    lines = [
        f"{'dataset':<9} {'method':<15} {'open RMSE':>10} {'open MASE':>10} "
        f"{'closed RMSE':>12} {'closed MASE':>12}"
    ]
    for dataset in ("waveform", "sunspots"):
        part = metrics[dataset]
        for m in METHODS:
            o, c = part["open_loop"][m], part["closed_loop"][m]
            lines.append(
                f"{dataset:<9} {m:<15} {o['rmse']:>10.4f} {o['mase']:>10.4f} "
                f"{c['rmse']:>12.4f} {c['mase']:>12.4f}"
            )
    return "\n".join(lines)


def _headline(waveform: dict[str, Any], sunspots: dict[str, Any]) -> dict[str, Any]:
    """Per series and loop: the LSTM's RMSE and the best classical baseline's."""
    headline: dict[str, Any] = {}
    for name, part in (("waveform", waveform), ("sunspots", sunspots)):
        for loop in ("open_loop", "closed_loop"):
            scores = part[loop]
            best = min((m for m in scores if m != "lstm"), key=lambda m: scores[m]["rmse"])
            headline[f"{name}_{loop}_lstm_rmse"] = scores["lstm"]["rmse"]
            headline[f"{name}_{loop}_best_baseline"] = best
            headline[f"{name}_{loop}_best_baseline_rmse"] = scores[best]["rmse"]
    return headline


@dataclass(frozen=True)
class Options(AppOptions):
    """``lstmkit run forecasting``'s options (only the common ones)."""

    seed: int = option(0, "Seeds the waveforms, the split, the weights and the shuffling.")


def run(folder: RunFolder, options: Options) -> dict:
    """Train and evaluate the forecasting app; write the run folder.

    The app runs on one thread (torch and BLAS; its declaration in
    :mod:`lstmkit.apps`): these networks and statsmodels' fits are small.

    Args:
        folder: the run folder: ``metrics.json``, four forecast PNGs,
            ``model-waveform/`` and ``model-sunspots/`` (load them with
            :func:`lstmkit.tasks.load`) and the two training runs.
        options: ``quick``: the small configuration (tests, smoke runs; well under
            30 s); ``seed``: seeds the waveforms, the split, the weights and the shuffling.

    Returns:
        The metrics written to ``metrics.json``: per dataset, RMSE and MASE of the
        LSTM and each baseline in open and closed loop, ``lstm_beats_naive`` per
        setting, the options, dataset sizes and timings.
    """
    seed = options.seed
    mode = "quick" if options.quick else "full"
    config = CONFIGS[mode]
    _seed_everything(seed)
    counter = WarningCounter()
    waveform = _waveform(folder.path, config["waveform"], seed, counter)
    sunspots = _sunspots(folder.path, config["sunspots"], seed, counter)
    metrics: dict[str, Any] = {
        "mode": mode,
        "seed": seed,
        "config": config,
        "mase_scaling": "in-sample MAE of the naive (season 1) forecast on each series' "
        "training part (waveform: its history; sunspots: the training months), per channel",
        "rmse_pooling": "over all predicted values (steps, channels and sequences)",
        "waveform": waveform,
        "sunspots": sunspots,
        "lstm_beats_naive": {
            f"{d}_{loop}": metrics_part[f"{loop}_comparison"]["lstm_beats_naive"]
            for d, metrics_part in (("waveform", waveform), ("sunspots", sunspots))
            for loop in ("open_loop", "closed_loop")
        },
        "statsmodels_warnings": {"total": counter.total, "by_category": counter.counts},
        "threads": torch.get_num_threads(),
    }
    metrics = folder.write_metrics(metrics, headline=_headline(waveform, sunspots))
    print(_table(metrics))
    print(f"lstm_beats_naive: {metrics['lstm_beats_naive']}")
    print(f"wall time {metrics['wall_seconds']:.1f} s; run folder {folder.path}")
    return metrics
