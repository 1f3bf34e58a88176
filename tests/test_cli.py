"""The lstmkit command, through typer's test runner."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from lstmkit.cli import app

runner = CliRunner()


def write_csv(path, n: int, seed: int) -> None:
    """Long-format CSV: label 'up' if feature x trends upwards, else 'down'."""
    rng = np.random.default_rng(seed)
    rows = []
    for k in range(n):
        label = "up" if k % 2 else "down"
        slope = 1.0 if label == "up" else -1.0
        steps = int(rng.integers(6, 12))
        for t in range(steps):
            x = slope * t / steps + 0.1 * rng.normal()
            rows.append({"sequence_id": f"s{k}", "time": t, "x": x, "y2": rng.normal(),
                         "label": label})  # fmt: skip
    pd.DataFrame(rows).to_csv(path, index=False)


def test_help_loads_no_torch():
    done = subprocess.run([sys.executable, "-m", "lstmkit.cli", "--help"], capture_output=True)
    assert done.returncode == 0 and b"train" in done.stdout
    heavy = subprocess.run(
        [sys.executable, "-c", "import lstmkit.cli, sys; print('torch' in sys.modules)"],
        capture_output=True, text=True,
    )  # fmt: skip
    assert heavy.stdout.strip() == "False"  # torch is imported lazily


def test_datasets_lists_builtins():
    result = runner.invoke(app, ["datasets"])
    assert result.exit_code == 0
    assert "japanese-vowels" in result.stdout and "sunspots" in result.stdout


def test_train_predict_evaluate_round_trip(tmp_path):
    train_csv, test_csv = tmp_path / "train.csv", tmp_path / "test.csv"
    write_csv(train_csv, 80, 0)
    write_csv(test_csv, 40, 1)
    out = tmp_path / "run"
    result = runner.invoke(app, [
        "train", "--task", "classify", "--data", str(train_csv), "--out", str(out),
        "--hidden-size", "16", "--max-epochs", "15", "--batch-size", "16",
        "--learning-rate", "0.01", "--no-progress", "--validation-fraction", "0.0",
    ])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert (out / "model" / "config.json").exists() and (out / "metrics.json").exists()

    result = runner.invoke(app, ["evaluate", str(out / "model"), str(test_csv)])
    assert result.exit_code == 0, result.output
    metrics = json.loads(result.stdout)
    assert metrics["accuracy"] > 0.8  # chance is 0.5

    pred_csv = tmp_path / "pred.csv"
    result = runner.invoke(app, ["predict", str(out / "model"), str(test_csv), "--out",
                                 str(pred_csv)])  # fmt: skip
    assert result.exit_code == 0, result.output
    predictions = pd.read_csv(pred_csv)
    assert len(predictions) == 40 and set(predictions["prediction"]) <= {"up", "down"}


def test_train_chooses_the_options_not_given_from_the_data(tmp_path):
    train_csv, out = tmp_path / "train.csv", tmp_path / "run"
    write_csv(train_csv, 40, 0)
    result = runner.invoke(app, [
        "train", "--task", "classify", "--data", str(train_csv), "--out", str(out),
        "--architecture", "recurrent", "--hidden-size", "4", "--max-epochs", "2",
        "--no-progress",
    ])  # fmt: skip
    assert result.exit_code == 0, result.output
    used = json.loads((out / "metrics.json").read_text())["training_options"]
    # 36 training sequences: the rule's batches of 8 and early stopping; the flag's epochs
    assert (used["max_epochs"], used["batch_size"], used["lr_schedule"]) == (2, 8, "plateau")
    assert used["validation_patience"] and used["adapt_to_data"] is False


@pytest.mark.parametrize(
    "args,pattern",
    [
        (["run", "no-such-example"], "unknown app 'no-such-example'"),
        (["train", "--task", "classify", "--data", "builtin:nope", "--out", "x"],
         "unknown dataset"),
        (["train", "--task", "classify", "--data", "missing.csv", "--out", "x"],
         "no such file"),
        (["predict", "no-model-dir", "data.csv"], "no-model-dir"),
    ],
)  # fmt: skip
def test_bad_input_is_reported_clearly(args, pattern, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert pattern.lower() in result.output.lower()
    # one line on stderr, nothing on stdout, no traceback (tests/reliability: the catalogue)
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1
    assert result.stdout == "" and "Traceback" not in result.output
