"""The command line at the terminal (issue 12): --version, whole option names in --help,
--num-threads, predict in the file's order with numbers as numbers and --proba,
closed-loop forecasts, train's validation metrics, a fast failure for a missing model
(torch is not even imported) and text generation prompted from the user's own text."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch
from typer.testing import CliRunner

import lstmkit
from lstmkit.apps import AppOptions, AppSpec, RunFolder, register_app, unregister_app
from lstmkit.cli import app
from lstmkit.tasks import Forecaster, load
from lstmkit.training import TrainingOptions

runner = CliRunner()
IDS = ["s10", "s2", "b7", "s1", "a3", "s11"]  # neither sorted as text nor as numbers


def write_csv(path: Path, ids: list[str], seed: int = 0) -> Path:
    """Long-format CSV, rows grouped by sequence in ``ids`` order: 'up' or 'down' trend."""
    rng = np.random.default_rng(seed)
    rows = []
    for k, sid in enumerate(ids):
        label = "up" if k % 2 else "down"
        for t in range(int(rng.integers(4, 7))):
            x = (1 if label == "up" else -1) * t / 5 + 0.1 * rng.normal()
            rows.append({"sequence_id": sid, "time": t, "x": x, "label": label})
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A classifier trained by ``lstmkit train`` (with validation), and a Forecaster."""
    root = tmp_path_factory.mktemp("cli-terminal")
    data = write_csv(root / "train.csv", [f"s{k}" for k in range(16)])
    result = runner.invoke(app, ["train", "--task", "classify", "--data", str(data), "--out",
                                 str(root / "run"), "--max-epochs", "2", "--hidden-size", "4",
                                 "--validation-fraction", "0.25", "--num-threads", "1",
                                 "--no-progress"])  # fmt: skip
    assert result.exit_code == 0, result.output
    series = pd.DataFrame({
        "sequence_id": ["b"] * 30 + ["a"] * 25,
        "time": list(range(30)) + list(range(25)),
        "level": np.r_[np.sin(np.arange(30) / 3), np.cos(np.arange(25) / 3)] * 100 + 400,
    })  # fmt: skip
    series.to_csv(root / "series.csv", index=False)
    forecaster = Forecaster(hidden_size=4, training_options=TrainingOptions(max_epochs=1))
    forecaster.fit(np.sin(np.arange(40) / 3) * 100 + 400).save(root / "forecaster")
    return root


def test_version():
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.stdout.strip() == f"lstmkit {lstmkit.__version__}"


@pytest.mark.parametrize("command", [["train"], ["predict"], ["forecast"], ["run", "radar"]])
def test_help_shows_every_option_name_whole_at_80_columns(command):
    result = runner.invoke(app, [*command, "--help"], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    assert "…" not in result.stdout
    assert max(len(line) for line in result.stdout.splitlines()) <= 80
    names = {"train": ["--gradient-threshold", "--validation-fraction", "--num-threads"],
             "predict": ["--proba", "--out"], "forecast": ["--steps", "--out"],
             "run": ["--num-threads", "--out", "--quick"]}[command[0]]  # fmt: skip
    for name in names:
        assert name in result.stdout, name


def test_train_writes_the_validation_metrics_it_computed(trained):
    metrics = json.loads((trained / "run" / "metrics.json").read_text())
    assert metrics["epochs"] == 2 and metrics["train_seconds"] > 0
    validation = metrics["validation"]
    assert validation["metric"] == "accuracy" and validation["checks"] >= 1
    for part in ("best", "last"):
        assert set(validation[part]) == {"epoch", "loss", "accuracy"}
        assert 0 <= validation[part]["accuracy"] <= 1 and validation[part]["loss"] > 0
    assert validation["best"]["loss"] <= validation["last"]["loss"]
    assert validation["last"]["epoch"] == 2 and validation["best"]["epoch"] in (1, 2)
    # --num-threads reached the training options
    config = json.loads((trained / "run" / "model" / "config.json").read_text())
    assert config["params"]["training_options"]["num_threads"] == 1


def test_train_without_validation_says_so(tmp_path):
    data = write_csv(tmp_path / "d.csv", [f"s{k}" for k in range(8)])
    result = runner.invoke(app, ["train", "--task", "classify", "--data", str(data), "--out",
                                 str(tmp_path / "run"), "--max-epochs", "1", "--hidden-size", "2",
                                 "--validation-fraction", "0", "--no-progress"])  # fmt: skip
    assert result.exit_code == 0, result.output
    metrics = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert metrics["validation"] is None and metrics["epochs"] == 1


def test_predict_keeps_the_file_order_and_adds_probabilities(trained, tmp_path):
    data = write_csv(tmp_path / "test.csv", IDS, seed=1)
    out = tmp_path / "p.csv"
    args = ["predict", str(trained / "run" / "model"), str(data), "--out", str(out), "--proba"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out)
    assert list(table.columns) == ["sequence_id", "prediction", "proba_down", "proba_up"]
    assert table["sequence_id"].tolist() == IDS
    assert set(table["prediction"]) <= {"up", "down"}
    probabilities = table[["proba_down", "proba_up"]]
    assert all(pd.api.types.is_float_dtype(t) for t in probabilities.dtypes)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)
    best = np.where(table["proba_up"] > table["proba_down"], "up", "down")
    assert (best == table["prediction"]).all()
    # the same rows as the Python API gives, in the file's order
    model = load(trained / "run" / "model")
    frame = pd.read_csv(data)
    X = [frame[frame.sequence_id == i][["x"]].to_numpy(np.float32) for i in IDS]
    np.testing.assert_allclose(probabilities.to_numpy(), model.predict_proba(X), atol=1e-5)
    # to stdout, too, and without --proba only the predictions
    plain = runner.invoke(app, args[:3])
    assert plain.exit_code == 0 and plain.stdout.splitlines()[0] == "sequence_id,prediction"


def test_forecaster_predictions_are_numbers_in_named_columns(trained):
    result = runner.invoke(app, ["predict", str(trained / "forecaster"),
                                 str(trained / "series.csv")])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "[" not in result.stdout  # not "[407.18]" strings
    table = pd.read_csv(pd.io.common.StringIO(result.stdout))
    assert list(table.columns) == ["sequence_id", "step", "prediction_level"]
    assert pd.api.types.is_float_dtype(table["prediction_level"])
    assert table["sequence_id"].drop_duplicates().tolist() == ["b", "a"]  # the file's order
    assert table.groupby("sequence_id", sort=False)["step"].max().tolist() == [30, 25]


def test_forecast_gives_closed_loop_forecasts(trained, tmp_path):
    out = tmp_path / "f.csv"
    result = runner.invoke(app, ["forecast", str(trained / "forecaster"),
                                 str(trained / "series.csv"), "--steps", "5", "--out",
                                 str(out)])  # fmt: skip
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out)
    assert list(table.columns) == ["sequence_id", "step", "prediction_level"]
    assert table["sequence_id"].tolist() == ["b"] * 5 + ["a"] * 5
    assert table["step"].tolist() == [30, 31, 32, 33, 34, 25, 26, 27, 28, 29]
    series = pd.read_csv(trained / "series.csv")
    model = load(trained / "forecaster")
    history = series[series.sequence_id == "b"]["level"].to_numpy(np.float32)
    expected = model.forecast(history, steps=5)[:, 0]
    np.testing.assert_allclose(table["prediction_level"][:5], expected, rtol=1e-5)


@dataclass(frozen=True)
class _Options(AppOptions):
    pass


def _record_threads(folder: RunFolder, options: _Options) -> dict:
    from threadpoolctl import threadpool_info

    blas = [pool["num_threads"] for pool in threadpool_info()]
    threads = {"torch": torch.get_num_threads(), "blas": blas}
    return folder.write_metrics(threads, headline={"torch": threads["torch"]})


@pytest.fixture
def threads_app():
    register_app(AppSpec("threads-probe", "Records its threads.", options=_Options,
                         run=_record_threads, threads=1))  # fmt: skip
    yield "threads-probe"
    unregister_app("threads-probe")


def test_run_num_threads_sets_the_apps_threads(threads_app, tmp_path):
    before = torch.get_num_threads()
    default = runner.invoke(app, ["run", threads_app, "--out", str(tmp_path / "a")])
    assert default.exit_code == 0, default.output
    assert json.loads((tmp_path / "a" / "metrics.json").read_text())["torch"] == 1
    two = runner.invoke(app, ["run", threads_app, "--num-threads", "2", "--out",
                              str(tmp_path / "b")])  # fmt: skip
    assert two.exit_code == 0, two.output
    metrics = json.loads((tmp_path / "b" / "metrics.json").read_text())
    assert metrics["torch"] == 2 and all(n == 2 for n in metrics["blas"])
    assert metrics["run_options"] == {"quick": False, "seed": 0}
    assert torch.get_num_threads() == before  # restored


def test_a_missing_model_fails_fast_without_importing_torch():
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "lstmkit.cli", "predict", "no/such/model",
         "x.csv"],
        capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 2 and done.stdout == ""
    imported = [line.split("|")[-1].strip() for line in done.stderr.splitlines()
                if line.startswith("import time:")]  # fmt: skip
    said = [line for line in done.stderr.splitlines() if not line.startswith("import time:")]
    assert said == ["error: model folder 'no/such/model' does not exist (`lstmkit train ... "
                    "--out DIR` saves its model in DIR/model)"]  # fmt: skip
    assert "lstmkit.cli" in imported  # the measurement works
    heavy = [m for m in imported if m.split(".")[0] in ("torch", "lightning", "pandas")]
    assert heavy == []


def test_text_generation_prompts_with_the_users_own_text():
    from lstmkit.apps.text_generation import prompt_from
    from lstmkit.datasets.shakespeare import TextCorpus

    def corpus(validation: str, train: str = "x y z\n") -> TextCorpus:
        return TextCorpus(train, validation, "t\n", ["a"], ["b"], ["c"], source="f")

    assert prompt_from(corpus("\nThe rain in Spain.\nFalls.\n")) == "The rain in Spain.\n"
    assert prompt_from(corpus("ROMEO:\nBut soft, what\n")) == "ROMEO:\nBut soft, what\n"
    long = " ".join(f"w{i}" for i in range(30))
    assert prompt_from(corpus(long + "\n")) == " ".join(f"w{i}" for i in range(12))
    assert prompt_from(corpus("\n\n", train="First line here now.\n")) == "First line here now.\n"


def test_run_text_generation_samples_from_the_files_own_text(tmp_path):
    text = tmp_path / "verse.txt"
    text.write_text("".join(f"Line {i % 7} of the song, and so on.\n" for i in range(60)))
    out = tmp_path / "run"
    result = runner.invoke(app, ["run", "text-generation", "--quick", "--text", str(text),
                                 "--out", str(out), "--num-threads", "1"])  # fmt: skip
    assert result.exit_code == 0, result.output
    sample = json.loads((out / "metrics.json").read_text())["sample"]
    assert sample["prompt"] == "Line 6 of the song, and so on.\n"  # validation starts at line 48
    assert sample["text"].startswith(sample["prompt"]) and "ROMEO" not in sample["text"]
