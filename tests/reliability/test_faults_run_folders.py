"""Fault catalogue: a fit without a run folder leaves nothing behind.

Issue 12: every `fit` without `run_dir` left a `/tmp/lstmkit-run-*` folder with its
checkpoint (up to 55 MB each; a 5-fold GridSearchCV left 5). Now a temporary run folder
holds Lightning's log only while training, gets no checkpoint, and is removed when the
fit ends -- also when it fails; `fit_result_.run_dir` is then None (not a deleted
folder). Run folders are kept only when asked for (`run_dir`, `TrainingOptions.log_dir`).
"""

from __future__ import annotations

import tempfile

import numpy as np
import pytest

from lstmkit.tasks import SequenceClassifier
from lstmkit.training import TrainingDivergedError, TrainingOptions

# the one-step squared-error Forecaster (its defaults since issue 13 -- an absolute-error
# loss on per-series-scaled values -- keep gradients bounded, so the diverging learning
# rate these tests rely on would not diverge)
SQUARED_ERROR = {"loss": "mse", "scaling": "global", "seasonal_mode": "none", "seasonality": None}


@pytest.fixture
def temp_dir(tmp_path, monkeypatch):
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def _data():
    rng = np.random.default_rng(0)
    X = [rng.normal(size=(5, 2)).astype(np.float32) for _ in range(20)]
    return X, np.array([int(x[:, 0].sum() > 0) for x in X])


def test_fits_without_a_run_folder_leave_no_temporary_folder(temp_dir):
    X, y = _data()
    for _ in range(3):
        model = SequenceClassifier(hidden_size=4, training_options=TrainingOptions(max_epochs=2))
        model.fit(X, y)
        assert model.fit_result_.run_dir is None
        assert len(model.history_) == 2  # the history is still there (1 batch per epoch)
    assert list(temp_dir.iterdir()) == []


def test_a_failing_fit_removes_its_temporary_folder_too(temp_dir):
    from lstmkit.tasks import Forecaster

    options = TrainingOptions(max_epochs=20, optimizer="sgdm", learning_rate=1e4)
    t = np.arange(120, dtype=np.float32)
    with pytest.raises(TrainingDivergedError):
        Forecaster(
            hidden_size=8, normalization=None, **SQUARED_ERROR, training_options=options
        ).fit(100 * np.sin(t / 5) + t)
    assert list(temp_dir.iterdir()) == []


def test_run_folders_asked_for_are_kept(temp_dir, tmp_path):
    X, y = _data()
    options = TrainingOptions(max_epochs=1, log_dir=str(tmp_path / "logs"))
    model = SequenceClassifier(hidden_size=4, training_options=options).fit(X, y)
    assert model.fit_result_.run_dir == tmp_path / "logs"
    assert (tmp_path / "logs" / "checkpoints" / "last.ckpt").is_file()
    options = TrainingOptions(max_epochs=1)
    model = SequenceClassifier(
        hidden_size=4, run_dir=str(tmp_path / "run"), training_options=options
    )
    model.fit(X, y)
    assert (model.fit_result_.run_dir / "training-progress.png").is_file()
    assert list(temp_dir.iterdir()) == []
