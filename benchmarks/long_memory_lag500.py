"""The adding problem at T = 500 with a larger step budget than the app's full mode.

    python benchmarks/long_memory_lag500.py [--max-steps 2000] [--seeds 3]

``lstmkit run long-memory`` gives T = 500 only 400 optimiser steps so that the whole
sweep stays under ~30 minutes on one core; every model scores ~0.15 there (the share
that predicting the mean solves), so that row measures the budget, not the models.
This script reruns just that row, with the app's own data, models, matched parameter
counts, training choices and test set, and a budget of ``--max-steps`` steps per run.
It writes ``benchmarks/results/long-memory-lag500.json``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import torch

from lstmkit.apps import long_memory as app
from lstmkit.io import save_json

RESULTS = Path(__file__).resolve().parent / "results"
LAG = 500


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-steps", type=int, default=2000)
    parser.add_argument("--seeds", type=int, default=3)
    args = parser.parse_args(argv)

    torch.set_num_threads(1)
    start = time.perf_counter()
    config = {**app.CONFIG, "max_steps": {f"adding-T{LAG}": args.max_steps}}
    sizes = app.matched_hidden_sizes("adding", config["lstm_hidden"])
    test = app._generate("adding", LAG, config["test_size"], app.TEST_SEED + LAG)
    records = []
    for seed in range(args.seeds):
        val = app._generate("adding", LAG, config["val_size"], app.VAL_SEED + 1000 * seed + LAG)
        for kind in app.MODELS:
            network, _, record = app._train_run("adding", LAG, kind, sizes[kind], seed, config, val)
            record.pop("validation_history")
            record["test_solved_share"] = float(app._solved("adding", network, *test).mean())
            records.append(record)
            print(
                f"T={LAG} {kind:4s} seed {seed}: solved {record['test_solved_share']:.3f} "
                f"after {record['steps']} steps ({record['train_seconds']:.0f} s)",
                flush=True,
            )
    medians = {
        kind: statistics.median(r["test_solved_share"] for r in records if r["model"] == kind)
        for kind in app.MODELS
    }
    report = {
        "lag": LAG,
        "max_steps": args.max_steps,
        "median_solved_share": medians,
        "runs": records,
        "wall_seconds": time.perf_counter() - start,
    }
    save_json(RESULTS / "long-memory-lag500.json", report)
    print(medians, f"{report['wall_seconds']:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
