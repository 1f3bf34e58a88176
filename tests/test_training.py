"""Training on Lightning: options, learning, determinism, resume, best weights, DDP."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import numpy as np
import pytest
import torch
from safetensors.torch import load_file

from lstmkit.data import SequenceCollator, SequenceDataset
from lstmkit.nn.network import SequenceNetwork
from lstmkit.training import TrainingOptions, fit_network


def toy_classification(n: int, seed: int):
    """Class = sign of the sum of feature 0 over a random-length sequence."""
    rng = np.random.default_rng(seed)
    X = [rng.normal(size=(rng.integers(5, 15), 3)).astype(np.float32) for _ in range(n)]
    y = np.array([int(x[:, 0].sum() > 0) for x in X])
    return X, y


@pytest.fixture
def no_plots(monkeypatch):
    # The progress plot is checked by test_learns_and_writes_run_folder (and with
    # lstmkit.viz); in the other fits here it only costs time.
    monkeypatch.setattr("lstmkit.training.engine._plot_progress", lambda *a, **k: None)


def train(tmp_path, name: str, *, val: bool = True, **option_values):
    X, y = toy_classification(96, 0)
    Xv, yv = toy_classification(48, 1)
    values = {"max_epochs": 6, "batch_size": 16, "learning_rate": 1e-2, "seed": 3}
    options = TrainingOptions(**(values | option_values))
    torch.manual_seed(options.seed)
    network = SequenceNetwork(3, 2, hidden_size=16)
    result = fit_network(
        network, "classification", SequenceDataset(X, y),
        SequenceDataset(Xv, yv) if val else None, options,
        collate=SequenceCollator(target_kind="sequence"), run_dir=tmp_path / name,
    )  # fmt: skip
    return network, result, (Xv, yv)


def accuracy(network, X, y) -> float:
    from lstmkit.data import pad_batch

    network.eval()
    x, lengths = pad_batch(X)
    with torch.no_grad():
        return float((network(x, lengths).argmax(-1).numpy() == y).mean())


def test_learns_and_writes_run_folder(tmp_path):
    network, result, (Xv, yv) = train(tmp_path, "run", max_epochs=12)
    assert accuracy(network, Xv, yv) > 0.85  # chance is ~0.5
    assert (result.run_dir / "training-progress.csv").exists()
    png = result.run_dir / "training-progress.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (result.run_dir / "checkpoints" / "last.ckpt").exists()
    history = result.history
    assert {"step", "epoch", "train_loss", "train_accuracy", "val_loss", "val_accuracy"} <= set(
        history.columns
    )
    assert history["train_loss"].iloc[-5:].mean() < history["train_loss"].iloc[:5].mean()
    assert 0.0 <= result.padding_fraction < 0.5


@pytest.mark.usefixtures("no_plots")
def test_same_seed_same_weights_different_seed_different(tmp_path):
    a, _, _ = train(tmp_path, "a", val=False)
    b, _, _ = train(tmp_path, "b", val=False)
    c, _, _ = train(tmp_path, "c", val=False, seed=4)
    for (name, p), q in zip(a.state_dict().items(), b.state_dict().values(), strict=True):
        assert torch.equal(p, q), name
    assert not torch.equal(a.head.weight, c.head.weight)


@pytest.mark.usefixtures("no_plots")
def test_resume_from_checkpoint_equals_uninterrupted_run(tmp_path):
    full, _, _ = train(tmp_path, "full", max_epochs=4, val=False)
    _, first, _ = train(tmp_path, "part", max_epochs=2, val=False)
    X, y = toy_classification(96, 0)
    options = TrainingOptions(max_epochs=4, batch_size=16, learning_rate=1e-2, seed=3)
    torch.manual_seed(123)  # different initial weights: the checkpoint must win
    resumed = SequenceNetwork(3, 2, hidden_size=16)
    fit_network(
        resumed, "classification", SequenceDataset(X, y), None, options,
        collate=SequenceCollator(target_kind="sequence"), run_dir=first.run_dir,
        resume_from=first.run_dir / "checkpoints" / "last.ckpt",
    )  # fmt: skip
    for p, q in zip(full.parameters(), resumed.parameters(), strict=True):
        assert torch.allclose(p, q, atol=1e-6)


@pytest.mark.usefixtures("no_plots")
def test_best_validation_weights_are_restored(tmp_path):
    network, result, (Xv, yv) = train(tmp_path, "best", max_epochs=8, learning_rate=0.05)
    assert result.best_epoch is not None
    from lstmkit.data import pad_batch

    network.eval()
    x, lengths = pad_batch(Xv)
    with torch.no_grad():
        loss = torch.nn.functional.cross_entropy(network(x, lengths), torch.as_tensor(yv))
    # validation loss is averaged per batch of 16 (equal sizes here), so it matches
    assert loss.item() == pytest.approx(result.best_val_loss, rel=1e-4)
    assert result.best_val_loss == pytest.approx(result.history["val_loss"].min(), rel=1e-6)


@pytest.mark.usefixtures("no_plots")
def test_early_stopping_and_schedules_run(tmp_path):
    _, result, _ = train(
        tmp_path, "early", max_epochs=30, learning_rate=0.2, validation_patience=2,
        lr_schedule="piecewise", lr_drop_period=1, lr_drop_factor=0.5, optimizer="sgdm",
    )  # fmt: skip
    assert result.epochs < 30
    lrs = result.history["lr"].dropna().unique()
    assert lrs[0] == pytest.approx(0.2) and lrs[1] == pytest.approx(0.1)


@pytest.mark.parametrize(
    "values,pattern",
    [
        ({"optimizer": "lbfgs"}, r"optimizer must be one of 'adam', 'sgdm'"),
        ({"learning_rate": 0}, r"learning_rate must be a finite number > 0; received 0"),
        ({"max_epochs": 0}, r"max_epochs must be an int >= 1"),
        ({"sequence_length": "median"}, r"sequence_length must be one of"),
        ({"gradient_threshold_method": "l1"}, r"gradient_threshold_method"),
        ({"output_model": "best"}, r"output_model must be one of 'best-validation', 'last'"),
    ],
)
def test_bad_options(values, pattern):
    with pytest.raises((ValueError, TypeError), match=pattern):
        TrainingOptions(**values)


DDP_SCRIPT = textwrap.dedent(
    """
    import sys
    import numpy as np
    import torch
    from safetensors.torch import save_file
    from lstmkit.data import SequenceCollator, SequenceDataset
    from lstmkit.nn.network import SequenceNetwork
    from lstmkit.training import TrainingOptions, fit_network

    def main(devices, out):
        rng = np.random.default_rng(0)
        X = [rng.normal(size=(10, 3)).astype(np.float32) for _ in range(64)]
        y = np.array([int(x[:, 0].sum() > 0) for x in X])
        strategy = "ddp" if devices > 1 else "auto"
        options = TrainingOptions(max_epochs=2, batch_size=16, learning_rate=1e-2, seed=5,
                                  devices=devices, strategy=strategy)
        torch.manual_seed(5)
        net = SequenceNetwork(3, 2, hidden_size=8)
        fit_network(net, "classification", SequenceDataset(X, y), None, options,
                    collate=SequenceCollator(target_kind="sequence"), run_dir=out + "-run")
        if torch.distributed.is_available() and torch.distributed.is_initialized():
            if torch.distributed.get_rank() != 0:
                return
        save_file({k: v.contiguous() for k, v in net.state_dict().items()}, out)

    if __name__ == "__main__":
        main(int(sys.argv[1]), sys.argv[2])
    """
)


@pytest.mark.usefixtures("no_plots")
def test_ddp_two_processes_match_one(tmp_path):
    script = tmp_path / "ddp_train.py"
    script.write_text(DDP_SCRIPT)
    # DDP runs the script (Lightning starts the second rank from it); meanwhile the same
    # main() trains on one device in this process (a third interpreter would only add
    # the cost of importing torch and Lightning once more).
    ddp = subprocess.Popen(
        [sys.executable, str(script), "2", str(tmp_path / "weights-2.safetensors")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path,
    )  # fmt: skip
    try:
        script_globals = {"__name__": "ddp_train"}
        exec(compile(DDP_SCRIPT, str(script), "exec"), script_globals)
        script_globals["main"](1, str(tmp_path / "weights-1.safetensors"))
        _, stderr = ddp.communicate(timeout=240)
    finally:
        if ddp.poll() is None:
            ddp.kill()
            ddp.communicate()
    assert ddp.returncode == 0, stderr[-3000:]
    one = load_file(tmp_path / "weights-1.safetensors")
    two = load_file(tmp_path / "weights-2.safetensors")
    for name in one:
        assert torch.allclose(one[name], two[name], atol=1e-4), name


@pytest.mark.usefixtures("no_plots")
def test_num_threads_applies_during_training_and_is_restored(tmp_path, monkeypatch):
    seen = []
    monkeypatch.setattr(
        "lstmkit.training.module.SequenceModule.on_train_start",
        lambda self: seen.append(torch.get_num_threads()),
    )
    before = torch.get_num_threads()
    train(tmp_path, "threads", max_epochs=1, val=False, num_threads=2)
    assert seen == [2]
    assert torch.get_num_threads() == before
    with pytest.raises(ValueError, match="num_threads must be an int >= 1"):
        TrainingOptions(num_threads=0)
