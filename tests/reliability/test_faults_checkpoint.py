"""Fault catalogue: a checkpoint is never unpickled, and belongs to its run.

Issue 12:
* `resume_from` unpickled: Lightning loads checkpoints with `torch.load`, safe only
  because torch >= 2.6 defaults to weights-only loading; with torch 2.3-2.5 or
  `TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1` a crafted `last.ckpt` ran `os.system`. Now every
  checkpoint is read with `torch.load(weights_only=True)` explicitly before Lightning
  sees it (and Lightning too is told `weights_only=True`), and the torch floor is 2.6.
* a checkpoint was not tied to its run: resuming one written with other options, for
  another network or on other data silently trained something else; and a fresh fit in
  a reused run folder left the previous run's `last.ckpt` there until its first epoch
  ended, so a kill before that left a stale checkpoint that looked like this run's.
"""

from __future__ import annotations

import os
import pickle

import lightning as L
import numpy as np
import pytest
import torch

from lstmkit.data import SequenceCollator, SequenceDataset
from lstmkit.nn.network import SequenceNetwork
from lstmkit.training import TrainingOptions, fit_network
from lstmkit.training.checkpoints import FINGERPRINT_KEY

BASE = {"max_epochs": 2, "batch_size": 8, "seed": 3, "learning_rate": 1e-2, "num_threads": 1}


def _data(n: int = 24, seed: int = 0):
    rng = np.random.default_rng(seed)
    X = [rng.normal(size=(5, 3)).astype(np.float32) for _ in range(n)]
    return X, np.array([int(x[:, 0].sum() > 0) for x in X])


def _fit(folder, *, resume=None, hidden=6, data=None, callbacks=(), **values):
    import lstmkit.training.trainer as trainer_module

    X, y = data or _data()
    torch.manual_seed(0)
    network = SequenceNetwork(3, 2, hidden_size=hidden)
    run = trainer_module.run_training

    def with_callbacks(*args, **kwargs):
        return run(*args, **{**kwargs, "callbacks": [*kwargs["callbacks"], *callbacks]})

    trainer_module.run_training = with_callbacks
    try:
        return fit_network(
            network, "classification", SequenceDataset(X, y), None,
            TrainingOptions(**(BASE | values)), collate=SequenceCollator(), run_dir=folder,
            resume_from=resume,
        )  # fmt: skip
    finally:
        trainer_module.run_training = run


class _Evil:
    """Unpickling this runs a shell command (what a crafted checkpoint would do)."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return os.system, (f"touch {self.marker}",)


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory):
    """A genuine checkpoint of a two-epoch run."""
    folder = tmp_path_factory.mktemp("genuine")
    _fit(folder)
    return folder / "checkpoints" / "last.ckpt"


# ------------------------------------------------------------------- unpickling
@pytest.mark.parametrize("force_unsafe", [False, True], ids=["default", "FORCE_NO_WEIGHTS_ONLY"])
@pytest.mark.parametrize("how", ["torch.save", "inside-a-checkpoint", "pickle.dump"])
def test_a_malicious_checkpoint_is_refused_and_never_runs(
    tmp_path, monkeypatch, checkpoint, how, force_unsafe
):
    if force_unsafe:
        monkeypatch.setenv("TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD", "1")
    marker = tmp_path / "pwned"
    crafted = tmp_path / "last.ckpt"
    if how == "torch.save":
        torch.save({"state_dict": {}, "payload": _Evil(marker)}, crafted)
    elif how == "inside-a-checkpoint":  # a genuine checkpoint with one object slipped in
        genuine = torch.load(checkpoint, weights_only=True)
        genuine["callbacks"]["RunCheckpoint"]["kind"] = _Evil(marker)
        torch.save(genuine, crafted)
    else:
        crafted.write_bytes(pickle.dumps(_Evil(marker)))
    with pytest.raises(ValueError, match=r"is refused: loading it would need to unpickle"):
        _fit(tmp_path / "run", resume=crafted)
    assert not marker.exists()
    # the same file through plain torch.load would have run the command: the test is real
    if how != "pickle.dump":
        torch.load(crafted, weights_only=False)
        assert marker.exists()


def test_torch_floor_has_weights_only_defaults():
    import tomllib
    from pathlib import Path

    project = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text())
    torch_pin = next(d for d in project["project"]["dependencies"] if d.startswith("torch"))
    assert torch_pin == "torch>=2.6"


# ------------------------------------------------------- tied to configuration and data
@pytest.mark.parametrize(
    ("change", "named"),
    [
        (
            {"learning_rate": 0.1},
            r"TrainingOptions\.learning_rate: checkpoint 0\.01, this fit 0\.1",
        ),
        ({"batch_size": 4}, r"TrainingOptions\.batch_size: checkpoint 8, this fit 4"),
        ({"seed": 4}, r"TrainingOptions\.seed: checkpoint 3, this fit 4"),
        (
            {"hidden": 7},
            r"network parameters: recurrent\.weight_ih_l0 \(24, 3\) float32 -> \(28, 3\)",
        ),
        ({"data": _data(seed=1)}, r"training data: sha256 \w{12}\.\.\. -> sha256 \w{12}\.\.\."),
    ],
    ids=["learning-rate", "batch-size", "seed", "network", "data"],
)
def test_resuming_another_runs_checkpoint_is_refused_naming_what_differs(
    tmp_path, checkpoint, change, named
):
    with pytest.raises(ValueError, match=r"was written by another run") as error:
        _fit(tmp_path / "run", resume=checkpoint, **change)
    assert __import__("re").search(named, str(error.value)), str(error.value)


def test_what_may_change_on_resume(tmp_path, checkpoint):
    """Training longer, more patience, more threads or checkpoints: the same run."""
    _fit(tmp_path / "run", resume=checkpoint, max_epochs=3, num_threads=2,
         checkpoint_every_steps=1, validation_patience=5)  # fmt: skip


@pytest.mark.parametrize("damage", ["missing", "truncated", "no-fingerprint", "folder"])
def test_unusable_checkpoints_get_a_clear_error(tmp_path, checkpoint, damage):
    path = tmp_path / "last.ckpt"
    if damage == "truncated":
        path.write_bytes(checkpoint.read_bytes()[:500])
        match = r"is not a readable checkpoint \(truncated or corrupt\?\)"
    elif damage == "no-fingerprint":  # e.g. written by Lightning's own ModelCheckpoint
        genuine = torch.load(checkpoint, weights_only=True)
        del genuine[FINGERPRINT_KEY]
        torch.save(genuine, path)
        match = r"has no lstmkit run fingerprint"
    elif damage == "folder":
        path.mkdir()
        match = r"resume_from must be an existing checkpoint file; received .*, a folder"
    else:
        match = r"resume_from must be an existing checkpoint file; received .*does not exist"
    with pytest.raises(ValueError, match=match):
        _fit(tmp_path / "run", resume=path)


def test_a_fresh_fit_in_a_reused_folder_never_leaves_the_old_checkpoint(tmp_path):
    folder = tmp_path / "run"
    _fit(folder, max_epochs=1)
    last = folder / "checkpoints" / "last.ckpt"
    assert last.exists()
    (folder / "checkpoints" / ".last.ckpt.tmp-deadbeef").write_bytes(b"killed write")

    class Crash(L.Callback):  # dies in the new run's first iteration, before any checkpoint
        def on_train_batch_start(self, trainer, pl_module, batch, batch_idx):
            raise RuntimeError("killed")

    with pytest.raises(RuntimeError, match="killed"):
        _fit(folder, learning_rate=0.05, callbacks=[Crash()])
    assert sorted(p.name for p in (folder / "checkpoints").iterdir()) == []


def test_checkpoints_are_written_every_epoch_and_every_n_steps(tmp_path):
    """last.ckpt exists from the first epoch on (not only when fit ends)."""
    written = []

    class Watch(L.Callback):
        def on_train_epoch_start(self, trainer, pl_module):
            last = tmp_path / "run" / "checkpoints" / "last.ckpt"
            written.append(torch.load(last, weights_only=True)["global_step"] if last.exists()
                           else None)  # fmt: skip

    _fit(tmp_path / "run", max_epochs=3, callbacks=[Watch()])
    assert written == [None, 3, 6]  # 3 iterations per epoch
    with pytest.raises(ValueError, match="checkpoint_every_steps must be an int >= 1"):
        TrainingOptions(checkpoint_every_steps=0)
    with pytest.raises(ValueError, match="checkpoint_every_minutes must be a finite number > 0"):
        TrainingOptions(checkpoint_every_minutes=float("nan"))
