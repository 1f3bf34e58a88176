"""Fault catalogue: training killed with SIGKILL resumes to the very same weights.

Issue 12: `ModelCheckpoint(save_last=True, save_top_k=0)` wrote `last.ckpt` only at the
end of fit, so after kill -9 mid-training there was nothing to resume, and in a reused
run folder the surviving `last.ckpt` was the previous run's. Now the engine writes
`last.ckpt` atomically at every epoch end and, with `checkpoint_every_steps`, within
epochs; a checkpoint holds the random generators and the position in the epoch, and is
tied to its run (resuming another run's checkpoint is refused: tests/test_engine.py).

The kill test forks a training process, kills it with SIGKILL at several moments (mid
epoch, at an epoch boundary, late in training; each a random few milliseconds after a
chosen iteration, so the kill may land inside a checkpoint write), resumes from the
surviving `last.ckpt` with differently initialised weights, and compares with an
uninterrupted run of the same seed: they must agree to 1e-6 (they agree exactly).
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import numpy as np
import torch

from lstmkit.data import SequenceCollator, SequenceDataset
from lstmkit.nn.language_model import LanguageModelNetwork
from lstmkit.nn.network import SequenceNetwork
from lstmkit.training import TrainingOptions, fit_language_model, fit_network

# iterations after which the training process is killed (5 per epoch, 20 in all)
KILL_AFTER = [3, 7, 11, 16]

HELPER = textwrap.dedent(
    """
    import json, os, random, signal, sys, time, warnings
    import numpy as np
    import torch
    torch.set_num_threads(1)
    warnings.filterwarnings("ignore")
    import lightning as L
    from lstmkit.data import SequenceCollator, SequenceDataset
    from lstmkit.nn.network import SequenceNetwork
    from lstmkit.training import TrainingOptions, fit_network
    import lstmkit.training.trainer as trainer_module

    root, kill_after = sys.argv[1], [int(k) for k in sys.argv[2].split(",")]
    rng = np.random.default_rng(0)
    X = [rng.normal(size=(int(rng.integers(4, 9)), 3)).astype(np.float32) for _ in range(40)]
    y = np.array([int(x[:, 0].sum() > 0) for x in X])
    OPTIONS = TrainingOptions(max_epochs=4, batch_size=8, seed=3, learning_rate=1e-2,
                              num_threads=1, checkpoint_every_steps=2)

    class Report(L.Callback):  # tells the parent each finished iteration; slows steps down
        def __init__(self, fd):
            self.fd = fd
        def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx):
            os.write(self.fd, f"{trainer.global_step}\\n".encode())
            time.sleep(0.02)

    def fit(folder, init_seed, resume=None, callbacks=()):
        torch.manual_seed(init_seed)
        network = SequenceNetwork(3, 2, hidden_size=6, num_layers=2, dropout=0.3)
        run = trainer_module.run_training
        def with_callbacks(*args, **kwargs):
            return run(*args, **{**kwargs, "callbacks": [*kwargs["callbacks"], *callbacks]})
        trainer_module.run_training = with_callbacks
        try:
            fit_network(network, "classification", SequenceDataset(X, y), None, OPTIONS,
                        collate=SequenceCollator(), run_dir=folder, resume_from=resume)
        finally:
            trainer_module.run_training = run
        return network

    jitter = random.Random(7)
    kills = []
    for target in kill_after:  # all kills first: the parent forks before it trains
        folder = os.path.join(root, f"killed-after-{target}")
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(read)
            try:
                fit(folder, init_seed=0, callbacks=[Report(write)])
            finally:
                os._exit(0)
        os.close(write)
        seen, buffer = 0, b""
        while seen < target:
            chunk = os.read(read, 4096)
            if not chunk:
                break
            buffer += chunk
            seen = int(buffer.split()[-1])
        delay = jitter.uniform(0.0, 0.05)  # about one or two iterations
        time.sleep(delay)
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        while chunk := os.read(read, 4096):
            buffer += chunk
        os.close(read)
        steps = [int(s) for s in buffer.split()]
        kills.append({"target": target, "delay_ms": round(1000 * delay, 1),
                      "last_reported_step": steps[-1] if steps else 0,
                      "killed": os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL,
                      "folder": folder})

    reference = fit(os.path.join(root, "uninterrupted"), init_seed=0)
    for kill in kills:
        last = os.path.join(kill["folder"], "checkpoints", "last.ckpt")
        kill["checkpoint"] = os.path.exists(last)
        kill["leftovers"] = sorted(n for n in os.listdir(os.path.dirname(last)) if n != "last.ckpt")
        saved = torch.load(last, weights_only=True)
        kill["checkpoint_step"] = saved["global_step"]
        kill["checkpoint_kind"] = saved["callbacks"]["RunCheckpoint"]["kind"]
        resumed = fit(kill["folder"], init_seed=123, resume=last)  # other initial weights
        kill["max_abs_diff"] = max(
            float((a - b).abs().max())
            for a, b in zip(reference.state_dict().values(), resumed.state_dict().values())
        )
        kill["leftovers_after_resume"] = sorted(
            n for n in os.listdir(os.path.dirname(last)) if n != "last.ckpt")
    print(json.dumps(kills))
    """
)


def test_training_killed_with_sigkill_resumes_to_the_uninterrupted_weights(tmp_path):
    script = tmp_path / "train.py"
    script.write_text(HELPER)
    done = subprocess.run(
        [sys.executable, str(script), str(tmp_path), ",".join(map(str, KILL_AFTER))],
        capture_output=True, text=True, timeout=240,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    kills = json.loads(done.stdout.strip().splitlines()[-1])
    assert len(kills) == len(KILL_AFTER)
    for kill in kills:
        assert kill["killed"] and kill["checkpoint"], kill
        assert kill["last_reported_step"] < 20, kill  # killed before training finished
        assert kill["max_abs_diff"] <= 1e-6, kill
        assert kill["leftovers_after_resume"] == [], kill
    # resumes started mid-epoch (from step checkpoints; epoch-end resumes: below too)
    assert "step" in {kill["checkpoint_kind"] for kill in kills}, kills


# ------------------------------------------------------ crash and resume, in process
class _Crash(Exception):
    pass


def _crash_at(step: int):
    import lightning as L

    class CrashAt(L.Callback):
        def on_train_batch_start(self, trainer, pl_module, batch, batch_idx):
            if trainer.global_step == step:
                raise _Crash

    return CrashAt()


def _max_diff(a: torch.nn.Module, b: torch.nn.Module) -> float:
    return max(
        float((p - q).abs().max())
        for p, q in zip(a.state_dict().values(), b.state_dict().values(), strict=True)
    )


def _language_model_fit(folder, options, *, crash=None, resume=None, init_seed=0):
    import lstmkit.training.language_model as language_model

    torch.manual_seed(init_seed)
    network = LanguageModelNetwork(10, 6, 6, dropout=0.3)
    run = language_model.run_training
    extra = [] if crash is None else [_crash_at(crash)]

    def with_crash(*args, **kwargs):
        return run(*args, **{**kwargs, "callbacks": [*kwargs.get("callbacks", []), *extra]})

    language_model.run_training = with_crash
    try:
        fit_language_model(network, np.tile(np.arange(10), 40), np.arange(60) % 10, options,
                           bptt=5, run_dir=folder, resume_from=resume)  # fmt: skip
    except _Crash:
        pass
    finally:
        language_model.run_training = run
    return network


def test_language_model_resumes_mid_epoch_with_its_carried_state(tmp_path):
    """Stateful TBPTT, per-step cosine decay, validation within epochs, dropout."""
    options = TrainingOptions(max_epochs=2, batch_size=4, seed=2, learning_rate=1e-2,
                              num_threads=1, lr_schedule="cosine", validation_frequency=5,
                              checkpoint_every_steps=3)  # fmt: skip
    reference = _language_model_fit(tmp_path / "reference", options)
    for crash in (4, 26):  # in epoch 1 and in epoch 2 (20 iterations per epoch)
        folder = tmp_path / f"run-{crash}"
        _language_model_fit(folder, options, crash=crash)
        resumed = _language_model_fit(
            folder, options, resume=folder / "checkpoints" / "last.ckpt", init_seed=9
        )
        assert _max_diff(reference, resumed) <= 1e-6, crash


def test_resume_with_validation_schedules_and_early_stopping(tmp_path):
    """A plateau schedule (stepped by Lightning after the epoch's checkpoint), early
    stopping and the best-validation weights survive an epoch-end resume."""
    import lstmkit.training.trainer as trainer_module

    rng = np.random.default_rng(0)
    X = [rng.normal(size=(int(rng.integers(4, 9)), 3)).astype(np.float32) for _ in range(40)]
    y = np.array([int(x[:, 0].sum() > 0) for x in X])
    options = TrainingOptions(max_epochs=6, batch_size=8, seed=3, learning_rate=1e-2,
                              num_threads=1, lr_schedule="plateau", lr_patience=0,
                              lr_drop_factor=0.5, validation_patience=3,
                              checkpoint_every_steps=2)  # fmt: skip

    def fit(folder, crash=None, resume=None, init_seed=0):
        torch.manual_seed(init_seed)
        network = SequenceNetwork(3, 2, hidden_size=6, dropout=0.3)
        run = trainer_module.run_training
        extra = [] if crash is None else [_crash_at(crash)]

        def with_crash(*args, **kwargs):
            return run(*args, **{**kwargs, "callbacks": [*kwargs["callbacks"], *extra]})

        trainer_module.run_training = with_crash
        try:
            fit_network(network, "classification", SequenceDataset(X, y),
                        SequenceDataset(X[:12], y[:12]), options, collate=SequenceCollator(),
                        run_dir=folder, resume_from=resume)  # fmt: skip
        except _Crash:
            pass
        finally:
            trainer_module.run_training = run
        return network

    reference = fit(tmp_path / "reference")
    for crash in (10, 13):  # an epoch boundary (5 iterations per epoch), mid-epoch
        fit(tmp_path / f"run-{crash}", crash=crash)
        last = tmp_path / f"run-{crash}" / "checkpoints" / "last.ckpt"
        resumed = fit(tmp_path / f"run-{crash}", resume=last, init_seed=5)
        assert _max_diff(reference, resumed) <= 1e-6, crash
