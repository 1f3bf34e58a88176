"""Sequence classification: which of 9 speakers uttered a Japanese vowel (MATLAB's example).

Data: the UCI/UEA *Japanese Vowels* set, loaded offline with
``load_dataset("japanese-vowels")``: 12 LPC cepstrum coefficients per frame, 7 to 29
frames per utterance, 9 speakers, the standard split of 270 training and 370 test
sequences. MATLAB's example (a BiLSTM with 100 units) reaches about 0.954 test accuracy;
the best published results on this split are 0.99-1.00. Our target: a median test
accuracy of at least 0.98 over three seeds, each trained in under 60 s on 2 CPU cores.

Configuration (:data:`CONFIG`): a BiLSTM with 100 units per direction and the last
output into a linear head, dropout 0.3 before the head, z-score normalised inputs,
Adam at a constant 3e-3, mini-batches of 27, L2-norm gradient clipping at 1.0, trained
for a fixed 30 epochs on all 270 training sequences (the final weights are kept). The
370 test sequences are used only to evaluate the final model.

How it was chosen, on the training set only, in two rounds:

1. Four seeded 85/15 splits (split seeds 10-13), each candidate in :data:`CANDIDATES`
   keeping its best-validation weights, scored on the held-out 40 sequences
   (:data:`SELECTION_RESULTS`): the plain BiLSTM(100) validated best (0.981). Its full
   run scored a median test accuracy of 0.973, below the target; with only 40
   validation sequences, "best validation loss" kept very early epochs (4, 10, 16).
2. So the second round drops the per-run validation split: 5-fold stratified
   cross-validation on the 270 training sequences (``random_state=7``, fold seeds
   100-104), each fold trained for 40 epochs with validation accuracy logged every
   epoch (:func:`cross_validation_accuracy`, :data:`CV_RESULTS`). Mean validation
   accuracy is flat from about epoch 10 to 40 for both candidates; dropout 0.3 scored
   0.974 against 0.967 without. Hence dropout 0.3, 30 epochs, all 270 sequences.

The test set has therefore evaluated two configurations (round 1's and this one);
both results are reported in the README. ``python -m lstmkit.apps.sequence_classification
--select`` reruns round 2.

Outputs, in ``out_dir``: ``metrics.json`` (per-seed test accuracy, macro-F1, training
seconds and epochs, their medians, the median seed's full classification report and
the options used); of the median seed (by test accuracy) ``confusion-matrix.png``,
``training-progress.png``, ``test-predictions.csv`` and the model in ``model/`` (load
it with :func:`lstmkit.tasks.load`); each seed's training run (progress CSV and plot)
in ``runs/seed-<n>/``.

Example:
    >>> from lstmkit.apps.sequence_classification import CONFIG
    >>> CONFIG["model"]["layer"], CONFIG["model"]["hidden_size"]
    ('bilstm', 100)
    >>> CONFIG == CV_CANDIDATES["bilstm100-dropout0.3-30ep"]
    True
"""

from __future__ import annotations

import argparse
import copy
import shutil
import statistics
import time
from pathlib import Path
from typing import Any

import numpy as np

__all__ = [
    "CANDIDATES",
    "CONFIG",
    "CV_CANDIDATES",
    "CV_RESULTS",
    "QUICK_CONFIG",
    "SELECTION_RESULTS",
    "cross_validation_accuracy",
    "run",
    "select_configuration",
    "validation_accuracy",
]

NAME = "sequence-classification"
DATASET = "japanese-vowels"
TARGET_ACCURACY = 0.98
REFERENCES = {
    "matlab_example_bilstm100": 0.954,
    "best_published": "0.99-1.00 (MLSTM-FCN); ~0.987 (MiniRocket)",
}

#: Round 1's choice (best-validation weights on a 15% split): median test 0.973.
ROUND1_CONFIG: dict[str, Any] = {
    "model": {"layer": "bilstm", "hidden_size": 100, "num_layers": 1, "dropout": 0.0},
    "training": {
        "optimizer": "adam",
        "learning_rate": 3e-3,
        "lr_schedule": "none",
        "max_epochs": 30,
        "batch_size": 27,
        "gradient_threshold": 1.0,
        "output_model": "best-validation",
    },
    "validation_fraction": 0.15,
}


def _all_data(dropout: float) -> dict[str, Any]:
    """Round 2's form: a fixed 30 epochs on all training sequences, final weights."""
    config = copy.deepcopy(ROUND1_CONFIG)
    config["model"]["dropout"] = dropout
    config["training"]["output_model"] = "last"
    config["validation_fraction"] = 0.0
    return config


#: Round 2's candidates, compared by 5-fold cross-validation on the training set.
CV_CANDIDATES: dict[str, dict[str, Any]] = {
    "bilstm100-30ep": _all_data(0.0),
    "bilstm100-dropout0.3-30ep": _all_data(0.3),
}

#: Round 2's measurements: per-fold validation accuracy at epoch 30 and the mean over
#: folds at epochs 10, 20, 30, 40 (5 folds of 54 sequences; 2 CPU cores, ~7 s a fold).
CV_RESULTS: dict[str, dict[str, Any]] = {
    "bilstm100-30ep": {
        "fold_val_accuracy_epoch30": [0.963, 0.981, 0.944, 0.981, 0.963],
        "mean_val_accuracy_at_epochs_10_20_30_40": [0.9667, 0.9667, 0.9667, 0.9667],
    },
    "bilstm100-dropout0.3-30ep": {
        "fold_val_accuracy_epoch30": [0.981, 0.981, 0.963, 0.981, 0.963],
        "mean_val_accuracy_at_epochs_10_20_30_40": [0.9704, 0.9741, 0.9741, 0.9741],
    },
}

#: The full-mode configuration (round 2's winner).
CONFIG: dict[str, Any] = CV_CANDIDATES["bilstm100-dropout0.3-30ep"]

#: Quick mode: a small network and few epochs (a smoke test, not a result).
QUICK_CONFIG: dict[str, Any] = {
    "model": {"layer": "bilstm", "hidden_size": 32, "num_layers": 1, "dropout": 0.0},
    "training": {
        "optimizer": "adam",
        "learning_rate": 1e-2,
        "lr_schedule": "none",
        "max_epochs": 8,
        "batch_size": 27,
        "gradient_threshold": 1.0,
        "output_model": "best-validation",
    },
    "validation_fraction": 0.15,
}


def _candidate(model: dict[str, Any], **training: Any) -> dict[str, Any]:
    base = {"batch_size": 27, "learning_rate": 3e-3, "gradient_threshold": 1.0}
    return {"model": model, "training": {**base, **training}, "validation_fraction": 0.15}


#: The configurations compared by validation accuracy (on the training set only).
CANDIDATES: dict[str, dict[str, Any]] = {
    "bilstm100-30ep": ROUND1_CONFIG,
    "bilstm100-cosine40": _candidate(
        {"layer": "bilstm", "hidden_size": 100}, max_epochs=40, lr_schedule="cosine"
    ),
    "bilstm128-dropout0.3-cosine40": _candidate(
        {"layer": "bilstm", "hidden_size": 128, "dropout": 0.3}, max_epochs=40, lr_schedule="cosine"
    ),
}

#: Validation accuracy per candidate (split seeds 10-13, 40 held-out sequences each).
SELECTION_RESULTS: dict[str, dict[str, Any]] = {
    "bilstm100-30ep": {
        "val_accuracy": [0.975, 0.95, 1.0, 1.0],
        "mean_val_accuracy": 0.98125,
        "mean_val_loss": 0.0423,
    },
    "bilstm100-cosine40": {
        "val_accuracy": [0.95, 0.95, 0.95, 1.0],
        "mean_val_accuracy": 0.9625,
        "mean_val_loss": 0.0672,
    },
    "bilstm128-dropout0.3-cosine40": {
        "val_accuracy": [0.975, 0.95, 0.975, 1.0],
        "mean_val_accuracy": 0.975,
        "mean_val_loss": 0.0859,
    },
}

SELECTION_SEEDS = (10, 11, 12, 13)


# ----------------------------------------------------------------------------- helpers
def _classifier(config: dict[str, Any], seed: int, run_dir: Path | None):
    from lstmkit.tasks import SequenceClassifier
    from lstmkit.training import TrainingOptions

    return SequenceClassifier(
        **copy.deepcopy(config["model"]),
        normalization="zscore",
        training_options=TrainingOptions(seed=seed, **config["training"]),
        validation_fraction=config["validation_fraction"],
        run_dir=None if run_dir is None else str(run_dir),
    )


def _validation_part(clf, X: list[np.ndarray], y: np.ndarray, seed: int):
    """The held-out training sequences that ``clf.fit`` validated on (same seeded split)."""
    from lstmkit.data import validation_split

    _, val_idx = validation_split(len(X), clf.validation_fraction, seed)
    return [X[i] for i in val_idx], y[val_idx]


def validation_accuracy(
    config: dict[str, Any], seeds: tuple[int, ...] = SELECTION_SEEDS
) -> dict[str, Any]:
    """Train ``config`` on seeded splits of the *training* set; score the held-out part.

    Args:
        config: a dict like :data:`CONFIG` (``model``, ``training``,
            ``validation_fraction``).
        seeds: one training run per seed; the seed also draws the validation split.

    Returns:
        ``{"val_accuracy": [...], "mean_val_accuracy", "val_loss": [...],
        "mean_val_loss", "seconds": [...]}``.
    """
    from lstmkit.datasets import load_dataset

    data = load_dataset(DATASET)
    X, y = list(data.X_train), np.asarray(data.y_train)
    accuracies, losses, seconds = [], [], []
    for seed in seeds:
        clf = _classifier(config, seed, None)
        clf.fit(X, y)
        X_val, y_val = _validation_part(clf, X, y, seed)
        accuracies.append(float(clf.score(X_val, y_val)))
        losses.append(float(clf.fit_result_.best_val_loss))
        seconds.append(float(clf.fit_result_.seconds))
        shutil.rmtree(clf.fit_result_.run_dir, ignore_errors=True)
    return {
        "val_accuracy": accuracies,
        "mean_val_accuracy": float(np.mean(accuracies)),
        "val_loss": losses,
        "mean_val_loss": float(np.mean(losses)),
        "seconds": seconds,
    }


def cross_validation_accuracy(
    config: dict[str, Any], *, folds: int = 5, random_state: int = 7, max_epochs: int = 40
) -> dict[str, Any]:
    """Round 2: stratified k-fold cross-validation on the *training* set only.

    Args:
        config: a dict like :data:`CONFIG`; trained for ``max_epochs`` per fold with
            the held-out fold as validation data (accuracy logged every epoch).
        folds, random_state: the stratified split; fold k trains with seed 100 + k.
        max_epochs: epochs per fold.

    Returns:
        ``{"fold_val_accuracy": [[per epoch] per fold], "mean_val_accuracy": [per epoch]}``.
    """
    from sklearn.model_selection import StratifiedKFold

    from lstmkit.datasets import load_dataset

    data = load_dataset(DATASET)
    X, y = list(data.X_train), np.asarray(data.y_train)
    config = copy.deepcopy(config)
    config["training"]["max_epochs"] = max_epochs
    curves = []
    splits = StratifiedKFold(folds, shuffle=True, random_state=random_state).split(X, y)
    for k, (train, held_out) in enumerate(splits):
        clf = _classifier(config, 100 + k, None)
        clf.fit([X[i] for i in train], y[train],
                validation_data=([X[i] for i in held_out], y[held_out]))  # fmt: skip
        history = clf.fit_result_.history.dropna(subset=["val_accuracy"])
        curves.append(history["val_accuracy"].to_numpy().tolist())
        shutil.rmtree(clf.fit_result_.run_dir, ignore_errors=True)
    return {"fold_val_accuracy": curves, "mean_val_accuracy": np.mean(curves, 0).tolist()}


def select_configuration(seeds: tuple[int, ...] = SELECTION_SEEDS) -> tuple[str, dict]:
    """Compare :data:`CANDIDATES` by validation accuracy on the training set only.

    Returns:
        ``(best_name, results)``: the best candidate (highest mean validation accuracy,
        then lowest mean validation loss, then fastest) and every candidate's results.
    """
    results = {}
    for name, config in CANDIDATES.items():
        results[name] = validation_accuracy(config, seeds)
        r = results[name]
        print(
            f"{name:42s} val acc {r['mean_val_accuracy']:.4f}  "
            f"val loss {r['mean_val_loss']:.4f}  {np.mean(r['seconds']):.1f} s",
            flush=True,
        )
    best = max(
        results,
        key=lambda n: (
            results[n]["mean_val_accuracy"],
            -results[n]["mean_val_loss"],
            -float(np.mean(results[n]["seconds"])),
        ),
    )
    return best, results


# --------------------------------------------------------------------------------- run
def _train_one(config, seed, X, y, data, run_dir: Path) -> tuple[Any, dict[str, Any]]:
    from lstmkit.metrics import classification_metrics

    clf = _classifier(config, seed, run_dir)
    start = time.perf_counter()
    clf.fit(X, y)
    fit_wall = time.perf_counter() - start
    shutil.rmtree(run_dir / "checkpoints", ignore_errors=True)  # resume state, not needed
    val_accuracy = None
    if config["validation_fraction"] > 0:
        X_val, y_val = _validation_part(clf, X, y, seed)
        val_accuracy = float(clf.score(X_val, y_val))
    labels = [str(c) for c in clf.classes_]
    predicted = clf.predict(data.X_test)
    test = classification_metrics(np.asarray(data.y_test), predicted, labels=labels)
    result = clf.fit_result_
    record = {
        "seed": seed,
        "test_accuracy": test["accuracy"],
        "test_macro_f1": test["macro_f1"],
        "val_accuracy": val_accuracy,
        "train_seconds": float(result.seconds),
        "fit_wall_seconds": float(fit_wall),
        "epochs": int(result.epochs),
        "best_epoch": None if result.best_epoch is None else int(result.best_epoch),
        "best_val_loss": None if result.best_val_loss is None else float(result.best_val_loss),
        "run_dir": str(Path("runs") / run_dir.name),
    }
    return clf, {"record": record, "test": test, "predicted": predicted}


def run(out_dir: Path, *, quick: bool = False, seed: int = 0) -> dict:
    """Train and evaluate the Japanese Vowels classifier; write the run folder.

    Args:
        out_dir: the run folder (created).
        quick: one seed, a small network and few epochs (< 30 s; checks that it learns).
        seed: the first seed; full mode runs ``seed``, ``seed + 1`` and ``seed + 2``.

    Returns:
        The metrics written to ``out_dir/metrics.json``.
    """
    import pandas as pd

    from lstmkit.datasets import load_dataset
    from lstmkit.io import save_json, to_jsonable
    from lstmkit.viz import plot_confusion_matrix

    wall_start = time.perf_counter()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    config = QUICK_CONFIG if quick else CONFIG
    seeds = [seed] if quick else [seed, seed + 1, seed + 2]

    data = load_dataset(DATASET)
    X, y = list(data.X_train), np.asarray(data.y_train)
    fitted, outcomes = {}, {}
    for s in seeds:
        clf, outcome = _train_one(config, s, X, y, data, out / "runs" / f"seed-{s}")
        fitted[s], outcomes[s] = clf, outcome
        r = outcome["record"]
        print(
            f"[{NAME}] seed {s}: test accuracy {r['test_accuracy']:.4f}, "
            f"macro-F1 {r['test_macro_f1']:.4f}, {r['epochs']} epochs "
            f"in {r['train_seconds']:.1f} s",
            flush=True,
        )

    # The median seed: the middle one by test accuracy (ties: the earlier seed).
    ranked = sorted(seeds, key=lambda s: (outcomes[s]["record"]["test_accuracy"], s))
    median_seed = ranked[len(ranked) // 2]
    best_clf, median_test = fitted[median_seed], outcomes[median_seed]["test"]
    records = [outcomes[s]["record"] for s in seeds]

    best_clf.save(out / "model")
    pd.DataFrame(
        {"true": np.asarray(data.y_test), "predicted": outcomes[median_seed]["predicted"]}
    ).to_csv(out / "test-predictions.csv", index_label="index")
    plot_confusion_matrix(
        median_test["confusion_matrix"],
        median_test["labels"],
        out / "confusion-matrix.png",
        title=f"Japanese Vowels, test set (seed {median_seed}): "
        f"accuracy {median_test['accuracy']:.3f}",
    )
    progress = out / records[seeds.index(median_seed)]["run_dir"] / "training-progress.png"
    if progress.exists():
        shutil.copyfile(progress, out / "training-progress.png")

    accuracy = statistics.median(r["test_accuracy"] for r in records)
    metrics = {
        "app": NAME,
        "quick": quick,
        "dataset": {
            "name": DATASET,
            "n_train": len(X),
            "n_test": len(data.X_test),
            "n_features": int(X[0].shape[1]),
            "n_classes": len(best_clf.classes_),
            "chance_accuracy": 1 / len(best_clf.classes_),
        },
        "seeds": seeds,
        "per_seed": records,
        "median_seed": median_seed,
        "test_accuracy": accuracy,
        "test_macro_f1": statistics.median(r["test_macro_f1"] for r in records),
        "train_seconds": statistics.median(r["train_seconds"] for r in records),
        "max_train_seconds": max(r["train_seconds"] for r in records),
        "epochs": statistics.median(r["epochs"] for r in records),
        "target_accuracy": None if quick else TARGET_ACCURACY,
        "meets_target": None if quick else bool(accuracy >= TARGET_ACCURACY),
        "references": REFERENCES,
        "median_seed_test_metrics": median_test,
        "options": {
            **copy.deepcopy(config),
            "normalization": "zscore",
            "training_options": best_clf._training_options().to_dict(),
            "selection": "5-fold cross-validation on the training set after a first "
            "round on 85/15 splits (see the module docstring)",
        },
        "files": {
            "model": "model",
            "confusion_matrix": "confusion-matrix.png",
            "training_progress": "training-progress.png",
            "test_predictions": "test-predictions.csv",
            "runs": "runs",
        },
        "wall_seconds": time.perf_counter() - wall_start,
    }
    metrics = to_jsonable(metrics, path="metrics")
    save_json(out / "metrics.json", metrics)
    times = ", ".join(f"{r['train_seconds']:.1f}" for r in records)
    print(
        f"[{NAME}] {'quick' if quick else 'full'}: median test accuracy {accuracy:.4f} "
        f"(seeds {seeds}; macro-F1 {metrics['test_macro_f1']:.4f}; train s {times}; "
        f"wall {metrics['wall_seconds']:.1f} s) -> {out}",
        flush=True,
    )
    return metrics


def _main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--select", action="store_true", help="compare CANDIDATES (slow)")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--out", default="runs/sequence-classification")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if args.select:
        for name, config in CV_CANDIDATES.items():
            curve = cross_validation_accuracy(config)["mean_val_accuracy"]
            print(f"{name:30s} mean val accuracy at epochs 10/20/30/40: "
                  f"{[round(curve[e - 1], 4) for e in (10, 20, 30, 40)]}")  # fmt: skip
    else:
        run(Path(args.out), quick=args.quick, seed=args.seed)


if __name__ == "__main__":
    _main()
