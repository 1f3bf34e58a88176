"""The experiment manager: lstmkit.tune / LSTMSearchCV / `lstmkit tune`, on tiny problems."""

from __future__ import annotations

import json

import numpy as np
import optuna
import pandas as pd
import pytest
from sklearn.base import clone
from typer.testing import CliRunner

import lstmkit
from lstmkit.cli import app
from lstmkit.experiments import LSTMSearchCV, cv_folds, load_space, trials_table, tune
from lstmkit.tasks import Forecaster, SequenceClassifier, SequenceRegressor
from lstmkit.training import TrainingOptions

optuna.logging.set_verbosity(optuna.logging.WARNING)

GOOD_LR = 0.05  # learns the toy problem in a few epochs
SPACE = {
    "hidden_size": {"type": "int", "low": 4, "high": 12},
    "training_options.learning_rate": {"type": "float", "low": 0.02, "high": 0.08, "log": True},
}


def toy(n: int = 48, seed: int = 0):
    """Two classes of 10-step sequences that differ by a mean shift: learnable at once."""
    rng = np.random.default_rng(seed)
    X = [rng.normal(size=(10, 2)).astype(np.float32) + 1.5 * (i % 2) for i in range(n)]
    y = np.array(["low", "high"])[np.arange(n) % 2]
    return X, y


def small(validation_fraction: float = 0.25, max_epochs: int = 4) -> SequenceClassifier:
    options = TrainingOptions(max_epochs=max_epochs, batch_size=8, learning_rate=GOOD_LR)
    return SequenceClassifier(hidden_size=8, validation_fraction=validation_fraction,
                              training_options=options)  # fmt: skip


def test_tune_runs_three_trials_writes_results_and_saves_the_best(tmp_path):
    X, y = toy()
    out = tmp_path / "study"
    result = lstmkit.tune(small(), X, y, space=SPACE, n_trials=3, cv=2, seed=0, out=out)

    table = result.trials
    assert list(table["number"]) == [0, 1, 2]
    assert set(table["state"]) == {"COMPLETE"}
    # the score is the mean over the folds, each fold's score recorded
    assert np.allclose(table["value"], table[["value_fold_0", "value_fold_1"]].mean(axis=1))
    assert result.best_score == table["value"].max() and result.best_score >= 0.8
    assert set(result.best_params) == set(SPACE)
    assert (table["seed"] == 0).all() and (table["lstmkit_version"] == lstmkit.__version__).all()
    assert (table["seconds"] > 0).all()

    # the files: the table as CSV, both figures, the summary, the refitted best model
    assert pd.read_csv(out / "trials.csv")["number"].tolist() == [0, 1, 2]
    for png in (result.history_png, result.importances_png):
        assert png.stat().st_size > 5000 and png.read_bytes()[:4] == b"\x89PNG"
    summary = json.loads((out / "summary.json").read_text())
    assert summary["best_params"] == result.best_params and summary["complete"] == 3
    best = result.best_estimator
    assert best.hidden_size == result.best_params["hidden_size"]
    loaded = lstmkit.load(out / "best-model")
    X_test, y_test = toy(40, seed=1)
    assert loaded.score(X_test, y_test) == best.score(X_test, y_test) >= 0.8


def test_a_bad_trial_is_pruned_on_its_validation_loss(tmp_path):
    X, y = toy()
    db = tmp_path / "study.db"
    study = optuna.create_study(storage=f"sqlite:///{db}", study_name="prune",
                                direction="maximize")  # fmt: skip
    # three good trials, then one whose learning rate is far too small to learn anything
    for lr in (GOOD_LR, GOOD_LR, GOOD_LR, 1e-6):
        study.enqueue_trial({"training_options.learning_rate": lr})
    space = {"training_options.learning_rate": {"type": "categorical", "choices": [GOOD_LR, 1e-6]}}
    pruner = optuna.pruners.MedianPruner(n_startup_trials=2)
    result = tune(small(), X, y, space=space, n_trials=4, cv=2, storage=db, study_name="prune",
                  pruner=pruner, warmup_epochs=1)  # fmt: skip

    states = result.trials.set_index("number")["state"].to_dict()
    assert states == {0: "COMPLETE", 1: "COMPLETE", 2: "COMPLETE", 3: "PRUNED"}
    bad = result.trials.set_index("number").loc[3]
    assert bad["pruned_at"].startswith("fold 0, epoch")
    assert pd.isna(bad["value"])  # a pruned trial has no score
    assert bad["seconds"] < result.trials.loc[:2, "seconds"].min()  # stopped early
    assert result.best_params["training_options.learning_rate"] == GOOD_LR


def test_a_study_resumes_from_its_sqlite_file(tmp_path):
    X, y = toy()
    db = tmp_path / "study.db"
    first = tune(small(), X, y, space=SPACE, n_trials=2, cv=2, storage=db, refit=False)
    assert db.is_file() and len(first.study.trials) == 2
    # n_trials is the study's total: the second call adds one trial, keeps the old ones
    second = tune(small(), X, y, space=SPACE, n_trials=3, cv=2, storage=db, refit=False)
    assert second.trials["number"].tolist() == [0, 1, 2]
    old = first.trials.drop(columns=["seconds"])
    pd.testing.assert_frame_equal(second.trials.drop(columns=["seconds"]).iloc[:2], old)
    # the budget is spent: a third call runs no trial
    third = tune(small(), X, y, space=SPACE, n_trials=3, cv=2, storage=db, refit=False)
    assert len(third.study.trials) == 3 and third.best_score == second.best_score


def test_a_study_of_another_estimator_is_not_resumed(tmp_path):
    X, y = toy(12)
    db = tmp_path / "study.db"
    tune(small(), X, y, space={"hidden_size": 4}, n_trials=1, cv=2, storage=db,
         study_name="s", refit=False, pruning=False)  # fmt: skip
    with pytest.raises(ValueError, match="tunes a SequenceClassifier, not a SequenceRegressor"):
        tune(SequenceRegressor(), X, np.arange(12.0), space={"hidden_size": 4}, n_trials=2,
             cv=2, storage=db, study_name="s")  # fmt: skip


@pytest.mark.parametrize(
    ("space", "message"),
    [
        ({"hiden_size": {"type": "int", "low": 4, "high": 8}},
         "space key 'hiden_size' is not a parameter of SequenceClassifier"),
        ({"training_options.learnig_rate": 0.1}, "'learnig_rate' is not a TrainingOptions field"),
        ({"hidden_size": {"type": "int", "low": 9, "high": 8}}, "'low' (9) must be <= 'high' (8)"),
        ({"layer": {"type": "categorical", "choices": []}}, "'choices' must be a non-empty list"),
        ({"dropout": {"type": "uniform", "low": 0, "high": 1}},
         "'type' must be one of int, float, categorical; received 'uniform'"),
        ({"hidden_size": {"type": "int", "low": 4.5, "high": 8}}, "'low' must be an int"),
        ({"training_options.learning_rate": {"type": "float", "low": 0, "high": 1, "log": True}},
         "a log range needs 'low' > 0"),
        ({"training_options.batch_size": {"type": "int", "low": 0, "high": 8}},
         "space key 'training_options.batch_size' allows 0: batch_size must be"),
        ({"training_options": {"type": "categorical", "choices": [1]}},
         "cannot be tuned as a whole"),
        ({"hidden_size": [8, 16]}, "expected a distribution"),
        ({"layer": {"type": "categorical", "choices": ["lstm", "lstmm"]}},
         "space key 'layer' allows 'lstmm': layer must be"),
        ({}, "at least one parameter"),
    ],
)  # fmt: skip
def test_malformed_spaces_are_refused_before_any_training(tmp_path, space, message):
    X, y = toy(12)
    out = tmp_path / "out"
    with pytest.raises((ValueError, TypeError)) as caught:
        tune(small(), X, y, space=space, n_trials=1, cv=2, out=out)
    assert message in str(caught.value)
    assert not out.exists()  # nothing written half-way


def test_malformed_space_files_are_refused_naming_the_file(tmp_path):
    broken = tmp_path / "space.yaml"
    broken.write_text("hidden_size: {type: int, low: 4\n")
    with pytest.raises(ValueError, match=r"space\.yaml' is not valid YAML"):
        load_space(broken, SequenceClassifier)
    listed = tmp_path / "list.json"
    listed.write_text("[1, 2]")
    with pytest.raises(ValueError, match="must hold a mapping"):
        load_space(listed, SequenceClassifier)
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text("hidden_size: {type: int, low: 8, high: 4}\n")
    with pytest.raises(ValueError, match=r"wrong\.yaml': space key 'hidden_size'"):
        load_space(wrong, SequenceClassifier)


def test_budget_and_estimator_are_checked():
    X, y = toy(12)
    with pytest.raises(ValueError, match="give a budget"):
        tune(small(), X, y, space={"hidden_size": 4})
    with pytest.raises(ValueError, match="estimator must name a task"):
        tune("classifer", X, y, space={"hidden_size": 4}, n_trials=1)
    with pytest.raises(ValueError, match=r"cv=20 folds need at least 20 sequences"):
        tune(small(), X, y, space={"hidden_size": 4}, n_trials=1, cv=20)
    with pytest.raises(ValueError, match="space key 'layer' allows 'bilstm': layer='bilstm'"):
        tune(Forecaster(), np.arange(30.0), space={"layer": "bilstm"}, n_trials=1)


def test_folds_suit_the_estimator():
    X, y = toy(30)
    folds = cv_folds(SequenceClassifier(), X, y, 3, seed=0)
    for (_, y_train), (_, y_test) in folds:  # stratified: both classes in every part
        assert set(y_test) == set(y_train) == {"low", "high"}
    tested = np.concatenate([test[1] for _, test in folds])
    assert len(tested) == 30  # every sequence is scored exactly once
    # per-step targets (a list of arrays) are split, not stratified
    steps = [np.zeros(len(x)) for x in X]
    assert len(cv_folds(SequenceRegressor(), X, steps, 3, seed=0)) == 3
    # a forecaster: time-ordered, each fold tests the block right after its training part
    series = np.arange(50.0)
    for (train, _), (test, _) in cv_folds(Forecaster(), series, None, 4, seed=0):
        assert train[0][-1, 0] + 1 == test[0][0, 0] and len(test[0]) == 10
    with pytest.raises(ValueError, match="at least 10 steps"):
        cv_folds(Forecaster(), np.arange(9.0), None, 4, seed=0)


def test_a_forecaster_is_tuned_on_time_ordered_folds():
    t = np.arange(160, dtype=np.float32)
    series = np.sin(t / 4)
    base = Forecaster(training_options=TrainingOptions(max_epochs=20, learning_rate=0.02))
    result = tune(base, series, space={"hidden_size": {"type": "int", "low": 4, "high": 8}},
                  n_trials=2, cv=2)  # fmt: skip
    # negative RMSE, far better than predicting the mean (RMSE of a sine: ~0.71)
    assert -0.5 < result.best_score <= 0
    assert result.best_estimator.score(series) > -0.5


def test_lstm_search_cv_follows_scikit_learn(tmp_path):
    X, y = toy()
    search = LSTMSearchCV(small(), SPACE, n_trials=2, cv=2, seed=0)
    assert clone(search).get_params()["n_trials"] == 2
    search.set_params(estimator__hidden_size=6)
    assert search.estimator.hidden_size == 6
    assert search.fit(X, y) is search
    assert set(search.best_params_) == set(SPACE)
    results = search.cv_results_
    assert len(results["params"]) == 2 and results["rank_test_score"].min() == 1
    assert search.best_score_ == results["mean_test_score"].max()
    X_test, y_test = toy(40, seed=1)
    assert search.score(X_test, y_test) >= 0.8
    assert set(search.predict(X_test[:4])) <= {"low", "high"}
    assert search.predict_proba(X_test[:4]).shape == (4, 2)


def write_csv(path, n: int) -> None:
    """Long-format CSV: label 'up' if feature x trends upwards, else 'down'."""
    rng = np.random.default_rng(0)
    rows = []
    for k in range(n):
        slope = 1.0 if k % 2 else -1.0
        for t in range(8):
            rows.append({"sequence_id": f"s{k}", "time": t, "x": slope * t / 8 + 0.1 * rng.normal(),
                         "label": "up" if k % 2 else "down"})  # fmt: skip
    pd.DataFrame(rows).to_csv(path, index=False)


def test_cli_tune_searches_and_saves_the_best(tmp_path):
    runner = CliRunner()
    data, space, out = tmp_path / "train.csv", tmp_path / "space.yaml", tmp_path / "run"
    write_csv(data, 40)
    space.write_text("hidden_size: {type: int, low: 4, high: 8}\n"
                     "training_options.learning_rate: 0.05\n")  # fmt: skip
    result = runner.invoke(app, [
        "tune", "--task", "classify", "--data", str(data), "--space", str(space),
        "--trials", "2", "--folds", "2", "--out", str(out), "--max-epochs", "4",
        "--batch-size", "8", "--storage", str(tmp_path / "study.db"), "--quiet",
    ])  # fmt: skip
    assert result.exit_code == 0, result.output
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["complete"] == 2 and metrics["best_params"]["training_options.learning_rate"]
    assert (out / "trials.csv").is_file() and (out / "best-model" / "config.json").is_file()
    assert lstmkit.load(out / "best-model").hidden_size == metrics["best_params"]["hidden_size"]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--space", "missing.yaml"], "--space 'missing.yaml': no such file"),
        (["--space", "BAD"], "space key 'hidden' is not a parameter of SequenceClassifier"),
        ([], "give a budget"),
    ],
)
def test_cli_tune_mistakes_are_one_line(tmp_path, monkeypatch, extra, message):
    monkeypatch.chdir(tmp_path)
    write_csv(tmp_path / "train.csv", 10)
    (tmp_path / "bad.yaml").write_text("hidden: {type: int, low: 4, high: 8}\n")
    extra = [str(tmp_path / "bad.yaml") if e == "BAD" else e for e in extra]
    budget = [] if not extra else ["--trials", "1"]
    result = CliRunner().invoke(app, ["tune", "--task", "classify", "--data", "train.csv",
                                      "--out", "run", *budget, *extra])  # fmt: skip
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and message in lines[0]
    assert "Traceback" not in result.output and not (tmp_path / "run").exists()


def test_trials_table_of_an_empty_study():
    assert trials_table(optuna.create_study()).columns.tolist() == ["number", "state", "value"]


def test_a_missing_optuna_is_named_with_the_extra_that_installs_it(monkeypatch):
    import importlib.util
    import sys

    from lstmkit.experiments.study import require_optuna

    real = importlib.util.find_spec
    monkeypatch.delitem(sys.modules, "optuna", raising=False)  # as if never imported
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "optuna" else real(name, *a)
    )
    with pytest.raises(ImportError, match=r"needs optuna.*pip install 'lstmkit\[tune\]'"):
        require_optuna()
    monkeypatch.undo()
    require_optuna()  # installed here: quiet
