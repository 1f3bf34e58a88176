"""Train a classifier once per seed and keep the median one: the apps' shared loop.

A single training seed can be lucky or unlucky, so the apps report the median over
seeds; the saved model, confusion matrix and predictions are the *median seed's*, so
that every file in a run folder describes the same model as the headline number.
"""

from __future__ import annotations

import shutil
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

    from lstmkit.apps.run_folder import RunFolder

__all__ = ["SeedRuns", "median_seed", "train_over_seeds"]

Split = tuple[Any, Any]  # (sequences, labels)


def median_seed(scores: dict[int, float]) -> int:
    """The seed whose score is the median; with an even count, the upper middle one.

    Ties are broken by the earlier seed, so the choice never depends on dict order.

    Args:
        scores: seed -> score.

    Returns:
        The median seed.

    Example:
        >>> median_seed({0: 0.91, 1: 0.95, 2: 0.93})
        2
    """
    ranked = sorted(scores, key=lambda s: (scores[s], s))
    return ranked[len(ranked) // 2]


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

    def keep_median(
        self, folder: RunFolder, *, model: str, confusion: str, progress: str, title: str
    ) -> None:
        """Save the median seed's model, draw its test confusion matrix and copy its
        training-progress plot into ``folder`` (as ``model``, ``confusion`` and
        ``progress``); ``title`` heads the confusion matrix."""
        from lstmkit.viz import plot_confusion_matrix

        tested = self.test_metrics[self.median_seed]
        self.models[self.median_seed].save(folder / model)
        plot_confusion_matrix(
            tested["confusion_matrix"], tested["labels"], folder / confusion, title=title
        )
        folder.copy_in(self.run_dirs[self.median_seed] / "training-progress.png", progress)


def train_over_seeds(
    make_classifier: Callable[[int, Path], Any],
    seeds: list[int],
    train: Split,
    test: Split,
    *,
    runs_dir: Path,
    validation: Split | None = None,
    labels: list[str] | None = None,
    prefix: str = "",
    rank_by: str = "test_accuracy",
    extra_tests: dict[str, Split] | None = None,
    log_name: str = "",
) -> SeedRuns:
    """Fit ``make_classifier(seed, run_dir)`` on ``train`` for each seed; score everything.

    Args:
        make_classifier: builds an unfitted estimator for a seed and its run folder.
        seeds: the training seeds.
        train, test: ``(X, y)`` pairs.
        runs_dir: each seed trains in ``runs_dir / f"{prefix}seed-{seed}"`` (its
            resume checkpoints are removed afterwards: they only serve a resume).
        validation: ``(X, y)`` that picks the best epoch (``fit(validation_data=...)``);
            ``None``: the estimator holds out its own ``validation_fraction`` of
            ``train`` (seeded by the training seed), and that part is scored.
        labels: the class labels, in the order the metrics use (default: the
            estimator's ``classes_``).
        prefix: a run-folder prefix, e.g. ``"raw-"`` when one app trains several models.
        rank_by: the record key that picks the median seed.
        extra_tests: more named ``(X, y)`` sets to score, e.g. ``{"in_range_test": ...}``;
            each adds ``<name>_accuracy`` and ``<name>_macro_f1`` to the records.
        log_name: printed before each seed's line, e.g. ``"[ecg] raw BiLSTM"``.

    Returns:
        A :class:`SeedRuns`.

    Example:
        >>> from lstmkit.tasks import SequenceClassifier
        >>> runs = train_over_seeds(  # doctest: +SKIP
        ...     lambda seed, run_dir: SequenceClassifier(run_dir=str(run_dir)),
        ...     [0, 1, 2], (X, y), (X_test, y_test), runs_dir=Path("runs"))
        >>> runs.median("test_accuracy")  # doctest: +SKIP
        0.97
    """
    import numpy as np

    from lstmkit.data import validation_split
    from lstmkit.metrics import classification_metrics

    runs = SeedRuns(records=[], median_seed=seeds[0])
    for s in seeds:
        run_dir = Path(runs_dir) / f"{prefix}seed-{s}"
        model = make_classifier(s, run_dir)
        start = time.perf_counter()
        if validation is None:
            model.fit(train[0], train[1])
        else:
            model.fit(train[0], train[1], validation_data=validation)
        fit_wall = time.perf_counter() - start
        shutil.rmtree(run_dir / "checkpoints", ignore_errors=True)
        names = labels if labels is not None else [str(c) for c in model.classes_]

        def score(split: Split, model=model, names=names) -> dict[str, Any]:
            return classification_metrics(split[1], model.predict(split[0]), labels=names)

        held_out = validation
        if held_out is None and getattr(model, "validation_fraction", 0) > 0:
            _, index = validation_split(len(train[0]), model.validation_fraction, s)
            held_out = ([train[0][i] for i in index], np.asarray(train[1])[index])
        predicted = model.predict(test[0])
        tested = classification_metrics(test[1], predicted, labels=names)
        validated = None if held_out is None else score(held_out)
        result = model.fit_result_
        record = {
            "seed": s,
            "test_accuracy": tested["accuracy"],
            "test_macro_f1": tested["macro_f1"],
            "test_f1": {k: v["f1"] for k, v in tested["per_class"].items()},
            "val_accuracy": None if validated is None else validated["accuracy"],
            "val_macro_f1": None if validated is None else validated["macro_f1"],
        }
        for name, split in (extra_tests or {}).items():
            extra = score(split)
            record[f"{name}_accuracy"] = extra["accuracy"]
            record[f"{name}_macro_f1"] = extra["macro_f1"]
        record.update(
            train_seconds=float(result.seconds),
            fit_wall_seconds=float(fit_wall),
            epochs=int(result.epochs),
            best_epoch=None if result.best_epoch is None else int(result.best_epoch),
            best_val_loss=None if result.best_val_loss is None else float(result.best_val_loss),
            run_dir=str(Path(Path(runs_dir).name) / run_dir.name),
        )
        runs.records.append(record)
        runs.models[s], runs.test_metrics[s], runs.predictions[s] = model, tested, predicted
        runs.run_dirs[s] = run_dir
        val_text = "" if validated is None else f"; val macro-F1 {validated['macro_f1']:.4f}"
        print(f"{log_name} seed {s}: test accuracy {tested['accuracy']:.4f}, macro-F1 "
              f"{tested['macro_f1']:.4f}{val_text}; {result.epochs} epochs in "
              f"{result.seconds:.1f} s", flush=True)  # fmt: skip
    runs.median_seed = median_seed({r["seed"]: r[rank_by] for r in runs.records})
    return runs
