"""Accuracy of the example applications (``lstmkit.apps``), measured end to end.

    python benchmarks/examples.py                    # every app, full mode
    python benchmarks/examples.py --quick            # smoke test: each app's quick mode
    python benchmarks/examples.py --only sequence-classification
    python benchmarks/examples.py --collect          # re-read the apps' last full runs

Each available app runs into ``benchmarks/results/<app>/`` (``<app>-quick/`` with
``--quick``, so a smoke test never overwrites a full run) and writes its own run folder
there (``metrics.json``, plots, model). Their headline metrics are collected into
``benchmarks/results/examples.json`` (``examples-quick.json``) with the machine and the
date, and printed as a Markdown table for the README. An app whose module is not
importable (not written yet, or missing an optional dependency) is reported as skipped.
``--collect`` runs nothing: it rebuilds the table from the ``metrics.json`` that each
app's last run left in its folder (e.g. a long app run on its own with
``lstmkit run ecg --out benchmarks/results/ecg``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

# the package's own registry, so a new app is benchmarked as soon as it is registered
from lstmkit.apps import get_app, list_apps
from lstmkit.apps import run_app as run_registered_app

APPS = [spec.name for spec in list_apps()]

RESULTS = Path(__file__).resolve().parent / "results"

# Headline metrics shown in the table, in order, if an app reports them.
HEADLINES = (
    "test_accuracy",
    "test_macro_f1",
    "rmse",
    "mae",
    "mape",
    "mase",
    "test_rmse",
    "test_mae",
    "test_mape",
    "test_mase",
)


def _machine() -> dict[str, Any]:
    import torch

    return {
        "python": platform.python_version(),
        "torch": torch.__version__,
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
    }


def _headline(metrics: dict[str, Any]) -> dict[str, Any]:
    """The scalar metrics worth a table column (top level first, then ``test``).

    An app's ``"headline"`` (every app writes one, through ``RunFolder.write_metrics``)
    is used as it is; a ``metrics.json`` from before apps named their headline gets the
    known keys in :data:`HEADLINES`.
    """
    own = metrics.get("headline")
    if isinstance(own, dict) and own:
        return {k: v for k, v in own.items() if isinstance(v, int | float | str)}
    found: dict[str, Any] = {}
    sources = [metrics] + [
        metrics[k] for k in ("test", "metrics") if isinstance(metrics.get(k), dict)
    ]
    for key in HEADLINES:
        for source in sources:
            value = source.get(key)
            if isinstance(value, int | float) and not isinstance(value, bool):
                found.setdefault(key, value)
    if not found:  # e.g. test_perplexity_lstm: any top-level scalar test_* metric
        found = {
            k: v for k, v in metrics.items()
            if k.startswith("test_") and isinstance(v, int | float) and not isinstance(v, bool)
        }  # fmt: skip
    return found


def run_app(name: str, *, quick: bool, seed: int) -> dict[str, Any]:
    """Run one app into its results folder; return a summary row."""
    row: dict[str, Any] = {"app": name, "quick": quick}
    try:
        get_app(name)  # imports its module
    except ImportError as error:
        row.update(status="skipped", reason=f"not importable: {error}")
        return row
    out = RESULTS / (f"{name}-quick" if quick else name)
    start = time.perf_counter()
    try:
        metrics = run_registered_app(name, out, quick=quick, seed=seed)
    except Exception as error:  # one broken app must not hide the others' results
        traceback.print_exc()
        row.update(status="failed", reason=f"{type(error).__name__}: {error}")
        return row
    return _summary(row, metrics, out, time.perf_counter() - start)


def collect_app(name: str, *, quick: bool, results: Path = RESULTS) -> dict[str, Any]:
    """A summary row from the ``metrics.json`` an earlier run left in the app's folder."""
    row: dict[str, Any] = {"app": name, "quick": quick}
    out = results / (f"{name}-quick" if quick else name)
    path = out / "metrics.json"
    if not path.is_file():
        row.update(status="skipped", reason=f"no run in {out.name}/ (no metrics.json)")
        return row
    metrics = json.loads(path.read_text())
    if bool(metrics.get("quick", quick)) != quick:
        row.update(
            status="skipped", reason=f"{path.name} is not from a {'quick' if quick else 'full'} run"
        )
        return row
    return _summary(row, metrics, out, metrics.get("wall_seconds"), results=results)


def _summary(
    row: dict[str, Any], metrics: dict[str, Any], out: Path, wall: float | None,
    results: Path = RESULTS,
) -> dict[str, Any]:  # fmt: skip
    row.update(
        status="ok",
        wall_seconds=wall,
        run_dir=str(out.relative_to(results.parent.parent)),
        headline=_headline(metrics),
        target=metrics.get("target_accuracy", metrics.get("target")),
        meets_target=metrics.get("meets_target"),
        train_seconds=metrics.get("train_seconds"),
        seeds=metrics.get("seeds"),
        metrics=metrics,
    )
    return row


def _format(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "**no**"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def markdown(rows: list[dict[str, Any]]) -> str:
    """The results as a Markdown table (one row per app)."""
    lines = [
        "| app | result (median over seeds) | target | meets | train s | wall s |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        if row["status"] != "ok":
            lines.append(f"| {row['app']} | {row['status']}: {row['reason']} | | | | |")
            continue
        result = ", ".join(f"{k} {_format(v)}" for k, v in row["headline"].items()) or "–"
        lines.append(
            f"| {row['app']} | {result} | {_format(row['target'])} | "
            f"{_format(row['meets_target'])} | {_format(row['train_seconds'])} | "
            f"{_format(row['wall_seconds'])} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="each app's quick mode")
    parser.add_argument("--only", choices=sorted(APPS), help="run just this app")
    parser.add_argument("--seed", type=int, default=0, help="first seed (default 0)")
    parser.add_argument(
        "--collect", action="store_true",
        help="run nothing; read each app's last metrics.json from its results folder",
    )  # fmt: skip
    args = parser.parse_args(argv)

    names = [args.only] if args.only else list(APPS)
    rows = []
    for name in names:
        if args.collect:
            rows.append(collect_app(name, quick=args.quick))
            continue
        print(f"== {name} ({'quick' if args.quick else 'full'})", flush=True)
        rows.append(run_app(name, quick=args.quick, seed=args.seed))

    path = RESULTS / ("examples-quick.json" if args.quick else "examples.json")
    previous: dict[str, Any] = {}
    if args.only and path.exists():  # keep the other apps' last results
        previous = {r["app"]: r for r in json.loads(path.read_text()).get("apps", [])}
    merged = {**previous, **{r["app"]: r for r in rows}}
    report = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": _machine(),
        "quick": args.quick,
        "seed": None if args.collect else args.seed,
        "collected": args.collect,
        "apps": [merged[n] for n in APPS if n in merged],
    }
    from lstmkit.io import save_json

    save_json(path, report)
    print()
    print(markdown(report["apps"]))
    print(f"\nwritten: {path}")
    return 1 if any(r["status"] == "failed" for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
