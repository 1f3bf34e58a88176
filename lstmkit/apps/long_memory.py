"""Why LSTM exists: simple RNN vs GRU vs LSTM on the long-time-lag tasks of 1997.

Hochreiter & Schmidhuber (1997) built the LSTM because a simple recurrent network's
error signal vanishes (or explodes) as it flows back through time, so it cannot learn
to use an input seen long before the target. This app reruns their argument: the
adding problem at lags T = 10, 50, 100, 200, 500, the temporal-order tasks 6a and 6b
and the embedded Reber grammar (:mod:`lstmkit.datasets.long_memory`, each with the
paper's success criterion), for a simple tanh RNN, a GRU and an LSTM with the same
parameter budget, three seeds each; it reports the share of solved test sequences
(median over seeds) and draws where the gradient goes.

Training choices (the literature's, stated in ``metrics.json``): online training on a
fresh generated batch of 32 every step (the paper's regime;
:func:`lstmkit.training.fit_online`), Adam 3e-3, gradient-norm clipping at 1.0, gates
initialised to keep the state (LSTM forget bias +4 and input bias -4, GRU update bias
+4; see :func:`remember_by_default` for why not lstmkit's default forget bias 1),
orthogonal recurrent weights for all three models,
MSE for the adding problem and the Reber grammar (a 0/1 target for every legal next
symbol, as in the paper), cross-entropy for temporal order. Every ``check_every``
steps the solved share is measured on a validation set (seeds disjoint from training
and test); a run stops once it reaches :data:`STOP_SHARE` and otherwise keeps the
weights of its best check, so the step budget goes to the runs that have not learned.
Training batches share one length drawn from the task's range (every sequence's length
keeps the paper's distribution; torch's packed-sequence backward for GRU/RNN on CPU is
several times slower than the unpacked one); test sequences have independent lengths.
Test sets are generated from seeds disjoint from training and validation.

Outputs in the run folder: ``metrics.json``, ``solved-vs-lag.png``, ``gradient-flow.png``
(||dLoss/dx_t|| against t for each model at initialisation and after training on the
adding problem), ``lstm-gates.png`` (the trained LSTM's forget gate and cell state on
one adding sequence, the two marked steps drawn in) and the adding-problem LSTM of the
first seed in ``model/``.

Example:
    >>> from lstmkit.apps.long_memory import CONFIG, QUICK_CONFIG
    >>> CONFIG["adding_lags"], QUICK_CONFIG["adding_lags"]
    ([10, 50, 100, 200, 500], [15])
"""

from __future__ import annotations

import copy
import statistics
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from lstmkit.apps.framework import AppOptions, option
from lstmkit.apps.run_folder import RunFolder
from lstmkit.data import pad_batch
from lstmkit.datasets.long_memory import (
    REBER_SYMBOLS,
    TEMPORAL_ORDER_SYMBOLS,
    TEMPORAL_ORDER_TASKS,
    adding_problem,
    adding_solved,
    embedded_reber,
    reber_solved,
    temporal_order,
    temporal_order_solved,
)
from lstmkit.nn import SequenceNetwork, parameter_count
from lstmkit.nn import matched_hidden_sizes as nn_matched_hidden_sizes
from lstmkit.training import (
    SolvedShareStopping,
    TrainingOptions,
    fit_online,
    gradient_norms_per_step,
)

__all__ = [
    "CONFIG",
    "MODELS",
    "QUICK_CONFIG",
    "STOP_SHARE",
    "Options",
    "matched_hidden_sizes",
    "remember_by_default",
    "run",
]

NAME = "long-memory"
MODELS = ("rnn", "gru", "lstm")
#: A run stops once this share of its validation sequences is solved.
STOP_SHARE = 1.0
#: Targets of the issue (full mode): LSTM, adding at T=200 and the embedded Reber grammar.
TARGETS = {"adding_T200_lstm": 0.95, "reber_lstm": 1.0}
# Seed offsets: training batches, validation and test sets never share a seed.
TRAIN_SEED, VAL_SEED, TEST_SEED = 1_000_000, 500_000, 900_000

#: Full mode. Budgets are optimiser steps per run (batch ``batch_size``); a run that
#: solves its validation set stops early.
CONFIG: dict[str, Any] = {
    "lstm_hidden": 32,
    "adding_lags": [10, 50, 100, 200, 500],
    "other_tasks": ["temporal-order-6a", "temporal-order-6b", "embedded-reber"],
    "seeds": 3,
    "batch_size": 32,
    "learning_rate": 3e-3,
    "gradient_threshold": 1.0,
    "gate_bias": 4.0,
    "max_steps": {
        "adding-T10": 2000,
        "adding-T50": 2000,
        "adding-T100": 1500,
        "adding-T200": 1500,
        "adding-T500": 400,
        "temporal-order-6a": 1500,
        "temporal-order-6b": 1500,
        "embedded-reber": 1500,
    },
    "check_every": 50,
    "val_size": 300,
    "test_size": 1000,
    "gradient_lag": 100,
}

#: Quick mode: the adding problem at T=15 only, one seed, small sets (a smoke test of
#: the whole pipeline in which the LSTM must still learn). Batches of 32 at Adam 3e-2:
#: the LSTM solved 98-100% of the test sequences after 200 steps (seeds 0-3), where
#: batches of 128 at 1e-2 reached 92-96% after 400 steps at eight times the cost.
QUICK_CONFIG: dict[str, Any] = {
    **CONFIG,
    "adding_lags": [15],
    "other_tasks": [],
    "seeds": 1,
    "batch_size": 32,
    "learning_rate": 3e-2,
    "max_steps": {"adding-T15": 200},
    "check_every": 25,
    "val_size": 200,
    "test_size": 300,
    "gradient_lag": 15,
}


# ----------------------------------------------------------------------- tasks
def _task_shape(task: str) -> tuple[int, int, str, str]:
    """(input size, output size, lstmkit task, output mode) of a task."""
    if task == "adding":
        return 2, 1, "regression", "last"
    if task.startswith("temporal-order"):
        classes = len(TEMPORAL_ORDER_TASKS[task[-2:]][1])
        return len(TEMPORAL_ORDER_SYMBOLS), classes, "classification", "last"
    return len(REBER_SYMBOLS), len(REBER_SYMBOLS), "sequence-regression", "sequence"


def _generate(task: str, lag: int | None, n: int, seed: int, shared: bool = False):
    """(X, y) of a task: X a list of (T_i, F) arrays; y per sequence or per step."""
    if task == "adding":
        d = adding_problem(n, lag, seed=seed, shared_length=shared)
        return d.X, d.y
    if task.startswith("temporal-order"):
        d = temporal_order(n, task=task[-2:], seed=seed, shared_length=shared)
        return d.X, d.y
    d = embedded_reber(n, seed=seed)
    return d.X, d.y


def _as_batch(task: str, X: list[np.ndarray], y: Any) -> tuple:
    """Tensors ``(x, lengths, y)`` for :class:`~lstmkit.training.SequenceModule`."""
    x, lengths = pad_batch(X)
    same = bool((lengths == lengths[0]).all())
    if task == "adding":
        return x, None if same else lengths, torch.as_tensor(y).reshape(-1, 1)
    if task.startswith("temporal-order"):
        return x, None if same else lengths, torch.as_tensor(y)
    # per-step targets: padded steps are NaN, which the sequence-regression loss skips
    targets, _ = pad_batch(y, value=float("nan"))
    return x, None if same else lengths, targets


def _outputs(network: SequenceNetwork, X: list[np.ndarray], chunk: int = 500) -> list:
    """Network outputs per sequence (final output, or (T_i, O) per step), in order."""
    results: list = []
    with torch.no_grad():
        for start in range(0, len(X), chunk):
            part = X[start : start + chunk]
            x, lengths = pad_batch(part)
            out = network(x, lengths).numpy()
            if out.ndim == 2:
                results.extend(out)
            else:
                results.extend(out[i, : int(n)] for i, n in enumerate(lengths))
    return results


def _solved(task: str, network: SequenceNetwork, X: list[np.ndarray], y: Any) -> np.ndarray:
    """Per-sequence success by the paper's criterion for ``task``."""
    out = _outputs(network, X)
    if task == "adding":
        return adding_solved(np.stack(out)[:, 0], y)
    if task.startswith("temporal-order"):
        probabilities = torch.softmax(torch.as_tensor(np.stack(out)), -1).numpy()
        return temporal_order_solved(probabilities, y)
    return reber_solved(out, y)


def _mse(task: str, network: SequenceNetwork, X: list[np.ndarray], y: Any) -> float:
    """Mean squared error of the outputs (probabilities for temporal order)."""
    out = _outputs(network, X)
    if task == "adding":
        return float(np.mean((np.stack(out)[:, 0] - y) ** 2))
    if task.startswith("temporal-order"):
        p = torch.softmax(torch.as_tensor(np.stack(out)), -1).numpy()
        return float(np.mean((p - np.eye(p.shape[1])[y]) ** 2))
    return float(
        np.mean(np.concatenate([(o - t).ravel() ** 2 for o, t in zip(out, y, strict=True)]))
    )


# ---------------------------------------------------------------------- models
def _network(kind: str, hidden: int, task: str) -> SequenceNetwork:
    inputs, outputs, _, mode = _task_shape(task)
    return SequenceNetwork(inputs, outputs, layer=kind, hidden_size=hidden, output_mode=mode)


def remember_by_default(network: SequenceNetwork, kind: str, bias: float) -> None:
    """Initialise the gates to keep the state: LSTM forget bias +b, input bias -b; GRU
    update bias +b (its state-keeping gate); a simple RNN has no gate to set.

    The 1997 LSTM had no forget gate (its cell carried errors unchanged) and started
    with negative input-gate biases; Gers et al. (2000) added the forget gate with a
    positive bias; Tallec & Ollivier (2018, "chrono initialisation") set b_f ~ log T
    and b_i = -b_f for dependencies of T steps. With lstmkit's default forget bias 1
    (f = 0.73, so 0.73^150 ~ 1e-20 of the gradient survives 150 steps) neither LSTM nor
    GRU learned the adding problem at T >= 50 within 2000 steps in our trials; with
    b = 4 (f = 0.98) the LSTM solved T = 200. Biases sit in ``bias_ih`` (the ``bias_hh``
    part of those gates is zeroed), gate order as torch's: LSTM (i, f, g, o), GRU (r, z, n).

    Args:
        network: a :class:`SequenceNetwork` with one recurrent layer.
        kind: ``"lstm"``, ``"gru"`` or ``"rnn"``.
        bias: b.

    Returns:
        None; the network's biases are set in place.

    Example:
        >>> from lstmkit.apps.long_memory import _network, remember_by_default
        >>> net = _network("lstm", 8, "adding")
        >>> remember_by_default(net, "lstm", 4.0)
        >>> bias = net.recurrent.bias_ih_l0.detach()
        >>> float(bias[8]), float(bias[0])
        (4.0, -4.0)
    """
    from lstmkit.nn import set_gate_bias_

    if kind == "lstm":
        set_gate_bias_(network.recurrent, forget=bias, input=-bias)
    elif kind == "gru":
        set_gate_bias_(network.recurrent, update=bias)


def _count(kind: str, hidden: int, task: str) -> int:
    inputs, outputs, _, _ = _task_shape(task)
    return parameter_count(kind, inputs, hidden, outputs)


def matched_hidden_sizes(task: str, lstm_hidden: int) -> dict[str, int]:
    """Hidden sizes giving the RNN and GRU the LSTM's parameter count (layer + head) on
    ``task`` (:func:`lstmkit.nn.matched_hidden_sizes` with the task's input and output sizes).

    Args:
        task: ``"adding"``, ``"temporal-order-6a"``, ``"temporal-order-6b"`` or
            ``"embedded-reber"`` (input and output sizes differ).
        lstm_hidden: the LSTM's hidden size.

    Returns:
        ``{"rnn": H, "gru": H, "lstm": lstm_hidden}``, each the size whose count is
        closest to the LSTM's.

    Example:
        >>> from lstmkit.apps.long_memory import matched_hidden_sizes
        >>> matched_hidden_sizes("adding", 32)
        {'rnn': 66, 'gru': 37, 'lstm': 32}
    """
    inputs, outputs, _, _ = _task_shape(task)
    return nn_matched_hidden_sizes(inputs, outputs, lstm_hidden)


# -------------------------------------------------------------------- training
def _train_run(
    task: str, lag: int | None, kind: str, hidden: int, seed: int, config: dict, val: tuple
) -> tuple[SequenceNetwork, SequenceNetwork, dict]:
    """Train one model; returns (trained network, its initial copy, a record)."""
    torch.manual_seed(seed)
    network = _network(kind, hidden, task)
    remember_by_default(network, kind, config["gate_bias"])
    initial = copy.deepcopy(network)
    _, _, lstmkit_task, _ = _task_shape(task)
    batch = config["batch_size"]
    base = TRAIN_SEED * (seed + 1) + 10_000 * (lag or 0)

    def make_batch(step: int) -> tuple:
        return _as_batch(task, *_generate(task, lag, batch, base + step, shared=True))

    def share(net: torch.nn.Module) -> float:
        return float(_solved(task, net, *val).mean())

    budget = config["max_steps"][task if lag is None else f"adding-T{lag}"]
    stopper = SolvedShareStopping(share, check_every=config["check_every"], threshold=STOP_SHARE)
    options = TrainingOptions(
        optimizer="adam",
        learning_rate=config["learning_rate"],
        gradient_threshold=config["gradient_threshold"],
        seed=seed,
        num_threads=1,
    )
    result = fit_online(
        network, lstmkit_task, make_batch, options, max_steps=budget, callbacks=[stopper]
    )
    record = {
        "task": task,
        "lag": lag,
        "model": kind,
        "seed": seed,
        "hidden_size": hidden,
        "parameters": _count(kind, hidden, task),
        "steps": result.steps,
        "max_steps": budget,
        "training_sequences": result.sequences,
        "stopped_early": result.stopped_early,
        "best_validation_share": stopper.best_share,
        "best_validation_step": stopper.best_step,
        "train_seconds": result.seconds,
        "validation_history": result.history,
    }
    return network, initial, record


# ------------------------------------------------------------------------ run
@dataclass(frozen=True)
class Options(AppOptions):
    """``lstmkit run long-memory``'s options (only the common ones)."""

    seed: int = option(0, "First seed; full mode trains seed, seed+1, seed+2.")


def run(folder: RunFolder, options: Options) -> dict:
    """Train RNN, GRU and LSTM on the long-time-lag tasks; write metrics and figures.

    The app runs on one thread (torch and BLAS; its declaration in :mod:`lstmkit.apps`).

    Args:
        folder: the run folder.
        options: ``quick``: the adding problem at T=15 only, one seed (tests and smoke
            runs); ``seed``: the first seed (full mode uses seed, seed+1, seed+2).

    Returns:
        The metrics written to ``metrics.json``.

    Example:
        >>> from lstmkit.apps import run_app
        >>> metrics = run_app("long-memory", "runs/long-memory", quick=True)  # doctest: +SKIP
    """
    from lstmkit.io import save_model

    quick, seed, out = options.quick, options.seed, folder.path
    config = QUICK_CONFIG if quick else CONFIG
    seeds = [seed + k for k in range(config["seeds"])]
    experiments = [("adding", lag) for lag in config["adding_lags"]]
    experiments += [(task, None) for task in config["other_tasks"]]

    records: list[dict] = []
    kept: dict[tuple, tuple] = {}  # (model) -> (trained, initial) at the gradient lag
    parameter_counts: dict[str, dict[str, int]] = {}
    for task, lag in experiments:
        name = task if lag is None else f"adding-T{lag}"
        sizes = matched_hidden_sizes(task, config["lstm_hidden"])
        parameter_counts[name] = {k: _count(k, sizes[k], task) for k in MODELS}
        test = _generate(task, lag, config["test_size"], TEST_SEED + (lag or 0))
        for s in seeds:
            val = _generate(task, lag, config["val_size"], VAL_SEED + 1000 * s + (lag or 0))
            for kind in MODELS:
                network, initial, record = _train_run(task, lag, kind, sizes[kind], s, config, val)
                solved = _solved(task, network, *test)
                record.update(
                    experiment=name,
                    test_solved_share=float(solved.mean()),
                    test_mse=_mse(task, network, *test),
                )
                records.append(record)
                print(
                    f"[long-memory] {name:18s} {kind:4s} seed {s}: solved "
                    f"{record['test_solved_share']:.3f} after {record['steps']} steps "
                    f"({record['train_seconds']:.0f} s)",
                    flush=True,
                )
                if lag == config["gradient_lag"] and s == seeds[0]:
                    kept[kind] = (network, initial)

    results = _summarise(records, experiments)
    figures = _figures(out, results, kept, config)
    lstm = kept["lstm"][0]
    save_model(
        out / "model",
        lstm.state_dict(),
        {
            "network": "SequenceNetwork",
            "input_size": 2,
            "output_size": 1,
            "layer": "lstm",
            "hidden_size": config["lstm_hidden"],
            "output_mode": "last",
            "task": f"adding problem, T={config['gradient_lag']}",
            "seed": seeds[0],
        },
    )

    targets = {}
    if not quick:
        adding = results.get("adding-T200", {}).get("lstm", {}).get("median")
        reber = results.get("embedded-reber", {}).get("lstm", {}).get("median")
        targets = {
            "adding_T200_lstm_median_solved": {
                "target": TARGETS["adding_T200_lstm"],
                "value": adding,
                "meets_target": adding is not None and adding >= TARGETS["adding_T200_lstm"],
            },
            "reber_lstm_median_solved": {
                "target": TARGETS["reber_lstm"],
                "value": reber,
                "meets_target": reber is not None and reber >= TARGETS["reber_lstm"],
            },
        }
    metrics = {
        "seeds": seeds,
        "results": results,
        "median_solved_share": {
            e: {m: v["median"] for m, v in r.items()} for e, r in results.items()
        },
        "parameter_counts": parameter_counts,
        "hidden_sizes": {
            e: matched_hidden_sizes(t, config["lstm_hidden"])
            for t, lag in experiments
            for e in [t if lag is None else f"adding-T{lag}"]
        },
        "runs": records,
        "train_seconds": float(sum(r["train_seconds"] for r in records)),
        "training_choices": {
            "regime": "online: a fresh generated batch every step (Hochreiter & Schmidhuber "
            "1997); training batches share one length from the task's range",
            "optimizer": "adam",
            "learning_rate": config["learning_rate"],
            "batch_size": config["batch_size"],
            "gradient_clipping": f"global L2 norm {config['gradient_threshold']}",
            "gate_init": f"LSTM forget bias +{config['gate_bias']:g}, input bias "
            f"-{config['gate_bias']:g}; GRU update-gate bias "
            f"+{config['gate_bias']:g} (gates start by keeping the state; "
            "see remember_by_default)",
            "recurrent_initializer": "orthogonal",
            "input_initializer": "glorot",
            "rnn_nonlinearity": "tanh",
            "loss": {
                "adding": "MSE",
                "temporal-order": "cross-entropy",
                "embedded-reber": "MSE on a 0/1 target per legal next symbol",
            },
            "stopping": f"every {config['check_every']} steps the validation solved share "
            f"({config['val_size']} sequences) is measured; stop at "
            f"{STOP_SHARE:.0%}, else keep the best check's weights",
            "max_steps": config["max_steps"],
            "test_size": config["test_size"],
            "backend": "auto (torch's native kernels)",
            "threads": 1,
        },
        "targets": targets,
        "target": {k: v["target"] for k, v in targets.items()} or None,
        "meets_target": (all(v["meets_target"] for v in targets.values()) if targets else None),
        "figures": figures,
    }
    # The targets (quick mode has neither: its only experiment then).
    shown = [e for e in results if e in ("adding-T200", "embedded-reber")] or list(results)
    headline = {
        f"{e.replace('-', '_')}_{m}_solved": v["median"]
        for e in shown
        for m, v in results[e].items()
    }
    return folder.write_metrics(metrics, headline=headline)


def _summarise(records: list[dict], experiments: list[tuple]) -> dict:
    """experiment -> model -> per-seed shares and MSEs, their median, min and max."""
    results: dict[str, dict[str, dict]] = {}
    for task, lag in experiments:
        name = task if lag is None else f"adding-T{lag}"
        results[name] = {}
        for kind in MODELS:
            rows = [r for r in records if r["experiment"] == name and r["model"] == kind]
            shares = [r["test_solved_share"] for r in rows]
            results[name][kind] = {
                "task": task,
                "lag": lag,
                "per_seed": shares,
                "median": statistics.median(shares),
                "min": min(shares),
                "max": max(shares),
                "mse_per_seed": [r["test_mse"] for r in rows],
                "median_mse": statistics.median(r["test_mse"] for r in rows),
                "train_seconds": [r["train_seconds"] for r in rows],
                "steps": [r["steps"] for r in rows],
            }
    return results


def _figures(out: Path, results: dict, kept: dict, config: dict) -> dict[str, str]:
    """solved-vs-lag, gradient flow and the LSTM's gates on one adding sequence."""
    from lstmkit.viz import plot_gradient_flow, plot_memory_heatmaps, plot_solved_vs_lag

    adding = {k: v for k, v in results.items() if k.startswith("adding-")}
    lags = [next(iter(v.values()))["lag"] for v in adding.values()]
    curves = {m: [adding[f"adding-T{t}"][m]["median"] for t in lags] for m in MODELS}
    spread = {
        m: [(adding[f"adding-T{t}"][m]["min"], adding[f"adding-T{t}"][m]["max"]) for t in lags]
        for m in MODELS
    }
    others = {k: {m: v[m]["median"] for m in MODELS} for k, v in results.items() if k not in adding}
    solved_png = plot_solved_vs_lag(
        lags, curves, out / "solved-vs-lag.png", spread=spread, other_tasks=others or None
    )

    lag = config["gradient_lag"]
    data = adding_problem(256, lag, seed=TEST_SEED + 77, shared_length=True)
    x, y = torch.as_tensor(np.stack(data.X)), torch.as_tensor(data.y).reshape(-1, 1)
    norms = {
        m: {
            "initialisation": gradient_norms_per_step(kept[m][1], x, y),
            "trained": gradient_norms_per_step(kept[m][0], x, y),
        }
        for m in MODELS
    }
    gradient_png = plot_gradient_flow(
        norms, out / "gradient-flow.png", title=f"Gradient flow, adding problem T={lag}"
    )

    one = adding_problem(1, lag, seed=TEST_SEED + 78)
    lstm = kept["lstm"][0].recurrent
    with torch.no_grad():
        _, _, gates = lstm(torch.as_tensor(one.X[0])[None], return_gates=True)
    chosen = {k: gates[k][0, 0, 0].numpy() for k in ("f", "c")}
    memory_png = plot_memory_heatmaps(
        chosen,
        one.X[0],
        out / "lstm-gates.png",
        marks=[int(p) for p in one.positions[0]],
        title=f"Trained LSTM on one adding sequence (T={lag})",
    )
    return {
        "solved_vs_lag": solved_png.name,
        "gradient_flow": gradient_png.name,
        "lstm_gates": memory_png.name,
    }
