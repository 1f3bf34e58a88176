"""Fault catalogue: the experiment manager (lstmkit.tune).

1. A resumed study replayed its first configurations. Optuna's TPE sampler draws its
   first (random) trials from a generator seeded by the sampler's seed; a resumed study
   built a fresh sampler with the same seed, so its new trials repeated the parameters
   of trials 0, 1, ... exactly (checked in plain Optuna: [0.549, 0.715, 0.549, 0.715]),
   spending the budget on configurations already scored. Now the seed moves on with
   the number of trials already run.
2. Pruning on the validation loss in a study that maximises a score: Optuna's Lightning
   callback reports the monitored value as is, and the median pruner compares in the
   study's direction, so the *lowest* losses would have been pruned. The loss is now
   reported negated (tests/test_experiments.py prunes the bad trial, not the good).
3. A pruned fit must end with Optuna's own ``TrialPruned`` (not wrapped in another
   error by Lightning or the engine, or the study would record a failure) and leave no
   temporary run folder behind.
"""

from __future__ import annotations

import tempfile

import numpy as np
import optuna
import pytest
from lightning.pytorch import Callback

from lstmkit.experiments import tune
from lstmkit.tasks import SequenceClassifier
from lstmkit.training import TrainingOptions, extra_callbacks

optuna.logging.set_verbosity(optuna.logging.WARNING)


def toy(n: int = 16):
    rng = np.random.default_rng(0)
    X = [rng.normal(size=(6, 2)).astype(np.float32) + (i % 2) for i in range(n)]
    return X, np.arange(n) % 2


def test_a_resumed_study_does_not_replay_its_first_configurations(tmp_path):
    X, y = toy()
    base = SequenceClassifier(hidden_size=4, training_options=TrainingOptions(max_epochs=1))
    space = {"dropout": {"type": "float", "low": 0.0, "high": 0.5}}
    settings = dict(space=space, cv=2, storage=tmp_path / "s.db", refit=False, pruning=False)
    tune(base, X, y, n_trials=2, **settings)
    resumed = tune(base, X, y, n_trials=4, **settings)
    drawn = [t.params["dropout"] for t in resumed.study.trials]
    assert len(drawn) == 4 and len(set(drawn)) == 4, drawn


class _PruneAtFirstValidation(Callback):
    def on_validation_end(self, trainer, pl_module):
        raise optuna.TrialPruned("pruned at epoch 0")


def test_a_pruned_fit_raises_trial_pruned_and_leaves_no_run_folder(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    X, y = toy()
    model = SequenceClassifier(hidden_size=4, validation_fraction=0.25,
                               training_options=TrainingOptions(max_epochs=3))  # fmt: skip
    with extra_callbacks([_PruneAtFirstValidation()]), pytest.raises(optuna.TrialPruned):
        model.fit(X, y)
    assert list(tmp_path.iterdir()) == []
    # outside the block the callback is gone: the same fit runs to the end
    assert model.fit(X, y).fit_result_.epochs == 3
