"""The public benchmark suite: lstmkit against published methods on public data, offline.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/suite.py              # every part, 3 seeds
    .venv/bin/python benchmarks/suite.py --quick                        # plumbing, ~2 min
    .venv/bin/python benchmarks/suite.py --parts classification --sets OSULeaf ACSF1
    .venv/bin/python benchmarks/suite.py --parts regression --seeds 0 1 2
    .venv/bin/python benchmarks/suite.py --select                       # choose defaults

Parts (``--parts``, comma-separated; default all three):

* ``classification`` (``suite_classification.py``): ACSF1, ItalyPowerDemand, OSULeaf,
  JapaneseVowels (aeon's shipped UCR/UEA files, default splits): aeon's 1-NN DTW and
  MiniRocket against lstmkit's ``SequenceClassifier`` defaults and
  ``architecture="lstm-fcn"``, with published HIVE-COTE 2 and MiniRocket figures, and the
  suite's targets checked;
* ``regression`` (``suite_regression.py``): Covid3Month and CardanoSentiment, a mean
  predictor and aeon's RocketRegressor against ``SequenceRegressor``;
* ``forecasting``: ``suite_forecasting.py``'s ``run(seeds=, quick=)`` and ``markdown``,
  if that file exists (a part that is missing is reported as skipped).

lstmkit configurations are fitted once per seed (``--seeds``, default 0 1 2) and their
medians reported. ``--sets`` limits the classification and regression parts to the
named sets. ``--quick`` checks the plumbing only (subsets, 3 epochs, 1 seed): its
numbers mean nothing.

Writes ``benchmarks/results/suite.json`` (``suite-quick.json`` with ``--quick``, so a
smoke test never overwrites a full run; ``--out`` to choose): the machine, package
versions, git commit, date, and per part its status, wall seconds and results. The file
is rewritten atomically after every set and every part, so a part that fails or a run
that is stopped keeps what was measured; parts not run this time keep their earlier
results from the same file. The Markdown tables for the README are printed at the end.

``--select`` runs no test: it scores the candidate configurations of
``suite_classification.SELECTION_CANDIDATES`` by a stratified holdout (``--holdout``,
default 25%) or k-fold (``--folds``) of each set's **training split only**, per seed,
and writes ``benchmarks/results/suite-selection.json`` (validation accuracy per set,
per seed, mean; 1-NN DTW and MiniRocket on the same splits for reference) — the basis
for choosing lstmkit's defaults.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
PARTS = ("classification", "regression", "forecasting")

if str(HERE) not in sys.path:  # the parts are sibling scripts, not a package
    sys.path.insert(0, str(HERE))


def machine() -> dict[str, Any]:
    """The machine and the versions of the packages that produce the numbers."""
    import numpy
    import sklearn
    import torch

    import lstmkit

    versions = {
        "python": platform.python_version(),
        "lstmkit": lstmkit.__version__,
        "torch": torch.__version__,
        "numpy": numpy.__version__,
        "scikit-learn": sklearn.__version__,
    }
    for package in ("aeon", "lightning", "statsmodels"):
        try:
            versions[package] = importlib.import_module(package).__version__
        except Exception:  # an optional package missing is a fact to record, not an error
            versions[package] = None
    return {
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "versions": versions,
    }


def git_commit() -> dict[str, Any]:
    """The checked-out commit and whether the tree had changes (read-only git calls)."""

    def git(*args: str) -> str | None:
        try:
            out = subprocess.run(
                ["git", *args], cwd=HERE, capture_output=True, text=True, timeout=20, check=True
            )
        except (OSError, subprocess.SubprocessError):
            return None
        return out.stdout.strip()

    status = git("status", "--porcelain")
    return {"commit": git("rev-parse", "HEAD"), "dirty": None if status is None else bool(status)}


def write_json(path: Path, payload: dict[str, Any]) -> None:
    """Write ``payload`` to ``path`` atomically: a reader sees the old or the new file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as f:
            json.dump(payload, f, indent=2, default=_json_default)
            f.write("\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _json_default(value: Any) -> Any:
    """numpy scalars and arrays, paths: as plain JSON values."""
    import numpy as np

    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return str(value)


def _load_part(part: str) -> Any | None:
    """The module of a part (``suite_<part>``), or None if its file does not exist."""
    if not (HERE / f"suite_{part}.py").is_file():
        return None
    return importlib.import_module(f"suite_{part}")


def _read_previous(path: Path) -> dict[str, Any]:
    try:
        previous = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return previous if isinstance(previous, dict) else {}


def _filter_sets(module: Any, part: str, sets: Sequence[str] | None) -> list[str] | None:
    """The named sets that belong to this part (None: the part's own default)."""
    if sets is None:
        return None
    known = {"classification": "CLASSIFICATION_SETS", "regression": "REGRESSION_SETS"}[part]
    import lstmkit.datasets.public_suite as suite_data

    return [s for s in sets if s in getattr(suite_data, known)]


def run_suite(
    *,
    parts: Sequence[str] = PARTS,
    seeds: Sequence[int] = (0, 1, 2),
    quick: bool = False,
    sets: Sequence[str] | None = None,
    out: Path | None = None,
    echo: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Run the suite's parts, writing the JSON after each set and part; return it.

    Args:
        parts: names from :data:`PARTS`.
        seeds: lstmkit seeds (medians over them).
        quick: plumbing check only.
        sets: limit classification / regression to these set names (None: all).
        out: the JSON path (default ``results/suite.json``, or ``suite-quick.json``).
        echo: where progress lines and the Markdown go.

    Returns:
        The JSON payload as written.

    Example:
        >>> payload = run_suite(parts=["regression"], seeds=(0,), quick=True)  # doctest: +SKIP
    """
    unknown = [p for p in parts if p not in PARTS]
    if unknown or not parts:
        raise ValueError(f"parts must be names from {list(PARTS)}; received {list(parts)}")
    if sets is not None:
        import lstmkit.datasets.public_suite as suite_data

        known = [*suite_data.CLASSIFICATION_SETS, *suite_data.REGRESSION_SETS]
        bad = [s for s in sets if s not in known]
        if bad:
            raise ValueError(f"sets must be names from {known}; received unknown {bad}")
    out = out or RESULTS / ("suite-quick.json" if quick else "suite.json")
    payload = _read_previous(out)
    payload.update(
        {
            "suite": "lstmkit public benchmark suite (benchmarks/suite.py)",
            "machine": machine(),
            "git": git_commit(),
            "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
            "settings": {
                "parts": list(parts),
                "seeds": list(seeds),
                "quick": bool(quick),
                "sets": None if sets is None else list(sets),
            },
        }
    )
    payload.setdefault("parts", {})
    write_json(out, payload)
    for part in parts:
        module = _load_part(part)
        record: dict[str, Any] = {"timestamp": payload["timestamp"], "git": payload["git"]}
        if module is None or not hasattr(module, "run"):
            record.update(status="skipped", reason=f"benchmarks/suite_{part}.py has no run()")
            payload["parts"][part] = record
            write_json(out, payload)
            echo(f"[suite] {part}: skipped (no benchmarks/suite_{part}.py with run())")
            continue
        kwargs: dict[str, Any] = {"seeds": tuple(seeds), "quick": quick}
        if part != "forecasting":
            part_sets = _filter_sets(module, part, sets)
            if part_sets == []:
                record.update(
                    status="skipped", reason=f"none of --sets {list(sets)} is a {part} set"
                )
                payload["parts"][part] = record
                write_json(out, payload)
                echo(f"[suite] {part}: skipped (no {part} set among --sets)")
                continue
            kwargs["sets"] = part_sets

            def progress(partial: dict[str, Any], part: str = part, rec: dict = record) -> None:
                # keep every set measured so far, should a later one fail or be stopped
                payload[part] = partial
                payload["parts"][part] = {**rec, "status": "running"}
                write_json(out, payload)
                echo(f"[suite] {part}: {', '.join(partial['sets'])} done")

            kwargs["progress"] = progress
        echo(f"[suite] {part}: running ...")
        start = time.perf_counter()
        try:
            payload[part] = module.run(**kwargs)
            record["status"] = "ok"
        except Exception as exc:
            record.update(
                status="failed",
                error=f"{type(exc).__name__}: {exc}",
                traceback=traceback.format_exc(limit=8),
            )
            echo(f"[suite] {part}: FAILED: {record['error']}")
        record["wall_seconds"] = time.perf_counter() - start
        payload["parts"][part] = record
        write_json(out, payload)
        echo(f"[suite] {part}: {record['status']} in {record['wall_seconds']:.0f} s -> {out}")
    echo(markdown(payload))
    return payload


def markdown(payload: dict[str, Any]) -> str:
    """Every part's tables, in Markdown, for the README.

    Args:
        payload: the suite JSON (as :func:`run_suite` writes it).

    Returns:
        Markdown text, one section per part that has results.
    """
    sections = []
    for part in PARTS:
        results = payload.get(part)
        module = _load_part(part)
        if results is None or module is None or not hasattr(module, "markdown"):
            continue
        try:
            body = module.markdown(results)
        except Exception as exc:  # a part's formatting bug must not hide the others
            body = f"_could not format: {type(exc).__name__}: {exc}_\n"
        sections.append(f"### {part.capitalize()}\n\n{body}")
    return "\n".join(sections)


def run_selection(
    *,
    seeds: Sequence[int] = (0, 1, 2),
    quick: bool = False,
    sets: Sequence[str] | None = None,
    holdout: float = 0.25,
    folds: int | None = None,
    out: Path | None = None,
    echo: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Score ``SELECTION_CANDIDATES`` on the training splits only; write and return it.

    Args:
        seeds: one split and training seed per seed.
        quick: plumbing check only.
        sets: classification set names (None: all).
        holdout: the held-out fraction of each training split.
        folds: k-fold instead of a holdout, if given.
        out: the JSON path (default ``results/suite-selection.json``, or
            ``suite-selection-quick.json``).
        echo: where progress lines and the Markdown go.

    Returns:
        The JSON payload as written.
    """
    import suite_classification

    out = out or RESULTS / ("suite-selection-quick.json" if quick else "suite-selection.json")
    payload: dict[str, Any] = {
        "suite": "lstmkit public benchmark suite, selection (training splits only)",
        "machine": machine(),
        "git": git_commit(),
        "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
    }

    def progress(partial: dict[str, Any]) -> None:
        payload["selection"] = partial
        write_json(out, payload)
        echo(f"[select] {', '.join(partial['sets'])} done")

    start = time.perf_counter()
    payload["selection"] = suite_classification.select(
        seeds=seeds, quick=quick, sets=sets, holdout=holdout, folds=folds, progress=progress
    )
    payload["wall_seconds"] = time.perf_counter() - start
    write_json(out, payload)
    echo(suite_classification.selection_markdown(payload["selection"]))
    return payload


def main(argv: Sequence[str] | None = None) -> int:
    """The command line (see the module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="plumbing check, ~2 minutes")
    parser.add_argument(
        "--parts", default=",".join(PARTS), help=f"comma-separated, from {','.join(PARTS)}"
    )
    parser.add_argument(
        "--seeds",
        type=int,
        nargs="+",
        default=None,
        help="lstmkit seeds (default 0 1 2; --quick: 0)",
    )
    parser.add_argument("--sets", nargs="+", default=None, help="limit to these set names")
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="torch threads (default 1: fastest for small recurrent models on a shared machine)",
    )
    parser.add_argument("--out", type=Path, default=None, help="the JSON file to write")
    parser.add_argument(
        "--select",
        action="store_true",
        help="score SELECTION_CANDIDATES on the training splits only",
    )
    parser.add_argument("--holdout", type=float, default=0.25, help="--select: held-out share")
    parser.add_argument("--folds", type=int, default=None, help="--select: k-fold instead")
    args = parser.parse_args(argv)
    if args.threads < 1:
        parser.error(f"--threads must be >= 1; received {args.threads}")
    import torch

    torch.set_num_threads(args.threads)
    seeds = args.seeds or ((0,) if args.quick else (0, 1, 2))
    if args.select:
        run_selection(
            seeds=seeds,
            quick=args.quick,
            sets=args.sets,
            holdout=args.holdout,
            folds=args.folds,
            out=args.out,
        )
        return 0
    parts = [p.strip() for p in args.parts.split(",") if p.strip()]
    payload = run_suite(parts=parts, seeds=seeds, quick=args.quick, sets=args.sets, out=args.out)
    failed = [p for p in parts if payload["parts"].get(p, {}).get("status") == "failed"]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
