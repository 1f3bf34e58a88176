"""Fault catalogue: training is quiet at the terminal and never writes into stdout.

Issue 12: the progress bar showed Lightning's `v_num` instead of the loss and the
validation metric and went to stdout (where `lstmkit predict`/`train` write results);
turning it on also let through Lightning's banners ("GPU available...", "💡 Tip", the
LitLogger advert) and deprecation warnings. Now the bar is on stderr with the training
loss and validation metric, and Lightning's messages appear only with `verbose=True`.
Also: `import lstmkit.tasks` no longer imports Lightning (it loads when a fit starts).
"""

from __future__ import annotations

import logging
import subprocess
import sys

import numpy as np
import pytest

from lstmkit.data import SequenceCollator, SequenceDataset
from lstmkit.nn.network import SequenceNetwork
from lstmkit.training import TrainingOptions, fit_network

BANNERS = ("GPU available", "TPU available", "Tip", "litlogger", "LitLogger", "v_num",
           "LeafSpec", "was configured so 100%")  # fmt: skip


def _fit(tmp_path, **values):
    rng = np.random.default_rng(0)
    X = [rng.normal(size=(6, 2)).astype(np.float32) for _ in range(24)]
    y = np.array([int(x[:, 0].sum() > 0) for x in X])
    options = TrainingOptions(max_epochs=2, batch_size=8, num_threads=1, **values)
    fit_network(SequenceNetwork(2, 2, hidden_size=4), "classification", SequenceDataset(X, y),
                SequenceDataset(X[:8], y[:8]), options, collate=SequenceCollator(),
                run_dir=tmp_path / "run")  # fmt: skip


def test_the_progress_bar_is_on_stderr_with_loss_and_metric_and_no_banners(tmp_path, capfd):
    _fit(tmp_path, progress_bar=True)
    out, err = capfd.readouterr()
    assert out == ""
    assert "loss" in err and "val_accuracy" in err and "Epoch 2/2" in err
    for banner in BANNERS:
        assert banner not in err, banner


def test_lightning_messages_only_when_verbose(tmp_path, capfd, caplog):
    caplog.set_level(logging.INFO)
    _fit(tmp_path)
    out, err = capfd.readouterr()
    assert out == "" and err == ""
    assert [r.getMessage() for r in caplog.records if r.name.startswith("lightning")] == []
    _fit(tmp_path, verbose=True)
    out, _ = capfd.readouterr()
    assert out == ""
    shown = " ".join(r.getMessage() for r in caplog.records if r.name.startswith("lightning"))
    assert "GPU available" in shown
    with pytest.raises(TypeError, match="verbose must be True or False"):
        TrainingOptions(verbose="yes")


def test_importing_the_estimators_does_not_import_lightning():
    code = (
        "import sys, lstmkit.tasks, lstmkit.training, lstmkit.io; "
        "print(sorted(m for m in ('lightning', 'lightning.pytorch') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "[]"
