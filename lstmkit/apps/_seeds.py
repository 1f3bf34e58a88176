"""Train a classifier once per seed and keep the median one: the signal apps' shared loop.

A single training seed can be lucky or unlucky, so the apps report the median over
seeds; the saved model, confusion matrix and predictions are the *median seed's*, so
that every file in a run folder describes the same model as the headline number.
"""

from __future__ import annotations

import shutil
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

Split = tuple[Any, Any]  # (sequences, labels)


@dataclass
class SeedRuns:
    """What :func:`train_over_seeds` returns.

    Args:
        records: one dict per seed, in seed order (test/validation scores, timing).
        median_seed: the seed whose score is the median (ties: the earlier seed).
        models: seed -> fitted classifier.
        test_metrics: seed -> :func:`lstmkit.metrics.classification_metrics` on test.
        predictions: seed -> predicted test labels.
        run_dirs: seed -> the run folder it trained in (training-progress.png etc.).

    Returns:
        A record; :meth:`median` summarises it.

    Example:
        >>> runs = SeedRuns(records=[{"test_accuracy": 0.9}], median_seed=0)
        >>> runs.median("test_accuracy")
        0.9
    """

    records: list[dict[str, Any]]
    median_seed: int
    models: dict[int, Any] = field(default_factory=dict)
    test_metrics: dict[int, dict[str, Any]] = field(default_factory=dict)
    predictions: dict[int, np.ndarray] = field(default_factory=dict)
    run_dirs: dict[int, Path] = field(default_factory=dict)

    def median(self, key: str) -> float:
        """The median over seeds of a record's ``key``."""
        return statistics.median(record[key] for record in self.records)


def train_over_seeds(
    make_classifier: Callable[[int, Path], Any],
    seeds: list[int],
    train: Split,
    validation: Split,
    test: Split,
    *,
    labels: list[str],
    runs_dir: Path,
    prefix: str = "",
    rank_by: str = "test_accuracy",
    extra_tests: dict[str, Split] | None = None,
    log_name: str = "",
) -> SeedRuns:
    """Fit ``make_classifier(seed, run_dir)`` on ``train`` for each seed; score everything.

    Args:
        make_classifier: builds an unfitted estimator for a seed and its run folder.
        seeds: the training seeds.
        train, validation, test: ``(X, y)`` pairs; validation picks the best epoch.
        labels: the class labels, in the order the metrics use.
        runs_dir: each seed trains in ``runs_dir / f"{prefix}seed-{seed}"`` (its
            resume checkpoints are removed afterwards: they only serve a resume).
        prefix: a run-folder prefix, e.g. ``"raw-"`` when one app trains several models.
        rank_by: the record key that picks the median seed.
        extra_tests: more named ``(X, y)`` sets to score, e.g. ``{"in_range_test": ...}``;
            each adds ``<name>_accuracy`` and ``<name>_macro_f1`` to the records.
        log_name: printed before each seed's line, e.g. ``"[ecg] raw BiLSTM"``.

    Returns:
        A :class:`SeedRuns`.
    """
    from lstmkit.metrics import classification_metrics

    def score(model, split: Split) -> dict[str, Any]:
        return classification_metrics(split[1], model.predict(split[0]), labels=labels)

    runs = SeedRuns(records=[], median_seed=seeds[0])
    for s in seeds:
        run_dir = Path(runs_dir) / f"{prefix}seed-{s}"
        model = make_classifier(s, run_dir)
        model.fit(train[0], train[1], validation_data=validation)
        shutil.rmtree(run_dir / "checkpoints", ignore_errors=True)
        predicted = model.predict(test[0])
        tested = classification_metrics(test[1], predicted, labels=labels)
        validated = score(model, validation)
        result = model.fit_result_
        record = {
            "seed": s,
            "test_accuracy": tested["accuracy"],
            "test_macro_f1": tested["macro_f1"],
            "test_f1": {k: v["f1"] for k, v in tested["per_class"].items()},
            "val_accuracy": validated["accuracy"],
            "val_macro_f1": validated["macro_f1"],
        }
        for name, split in (extra_tests or {}).items():
            extra = score(model, split)
            record[f"{name}_accuracy"] = extra["accuracy"]
            record[f"{name}_macro_f1"] = extra["macro_f1"]
        record.update(
            train_seconds=float(result.seconds),
            epochs=int(result.epochs),
            best_epoch=None if result.best_epoch is None else int(result.best_epoch),
            run_dir=str(Path(runs_dir.name) / run_dir.name),
        )
        runs.records.append(record)
        runs.models[s], runs.test_metrics[s], runs.predictions[s] = model, tested, predicted
        runs.run_dirs[s] = run_dir
        print(f"{log_name} seed {s}: test accuracy {tested['accuracy']:.4f}, macro-F1 "
              f"{tested['macro_f1']:.4f}; val macro-F1 {validated['macro_f1']:.4f}; "
              f"{result.seconds:.1f} s", flush=True)  # fmt: skip
    by_seed = dict(zip(seeds, runs.records, strict=True))
    ranked = sorted(seeds, key=lambda s: (by_seed[s][rank_by], s))
    runs.median_seed = ranked[len(ranked) // 2]
    return runs
