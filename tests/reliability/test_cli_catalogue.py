"""Fault catalogue: bad input at the command line.

Every CLI failure is one line on stderr (``error: ...``) naming the option or file,
exit code 2 for usage (bad option values, missing files, wrong folders, data that does
not fit) or 1 for runtime (a model folder that cannot be loaded), and never a
traceback (unless ``--debug``). Usage errors come before any work: nothing is trained,
predicted or written.

Issue 12 found 11 of 44 CLI cases ending in a traceback (marked ``# issue 12`` below:
``--learning-rate 0``, ``--gradient-threshold -1``, a header-only CSV, a boolean column
with a blank cell, an ``.npz`` with string ``lengths``, ``--out`` a file, three kinds of
tampered model folder, ``predict --out`` in a missing folder, ``--out/model`` holding
user files); the other cases are the ones tried while fixing them.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from lstmkit.cli import app

runner = CliRunner()


def write_csv(path: Path, n: int = 12, seed: int = 0, features: int = 1) -> Path:
    """Long-format CSV: label 'up' if feature x0 trends upwards, else 'down'."""
    rng = np.random.default_rng(seed)
    rows = []
    for k in range(n):
        label = "up" if k % 2 else "down"
        for t in range(int(rng.integers(4, 7))):
            row = {"sequence_id": f"s{k}", "time": t, "label": label}
            for f in range(features):
                row[f"x{f}"] = (1 if label == "up" else -1) * t / 5 + 0.1 * rng.normal()
            rows.append(row)
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


#: the ways a model folder is damaged (each a copy of a trained classifier's folder)
TAMPERINGS = ("garbled_json", "no_estimator", "no_params", "no_label_encoding",
              "no_normalizer", "wrong_shapes", "bad_param", "truncated_weights",
              "garbage_weights", "no_weights")  # fmt: skip


def tamper(source: Path, target: Path, how: str) -> Path:
    """A copy of the model folder ``source``, damaged as ``how`` says."""
    shutil.copytree(source, target)
    config_path, weights = target / "config.json", target / "model.safetensors"
    config = json.loads(config_path.read_text())
    if how == "no_weights":
        weights.unlink()
    elif how == "garbled_json":
        config_path.write_text(config_path.read_text()[:-40])
    elif how.startswith("no_"):  # a deleted key: no_estimator, no_params, ...
        del config[how[3:]]
        config_path.write_text(json.dumps(config))
    elif how == "wrong_shapes":
        config["params"]["hidden_size"] += 3
        config_path.write_text(json.dumps(config))
    elif how == "bad_param":
        config["params"]["training_options"]["learning_rate"] = -1
        config_path.write_text(json.dumps(config))
    elif how == "truncated_weights":
        weights.write_bytes(weights.read_bytes()[:100])
    elif how == "garbage_weights":
        weights.write_bytes(b"\x00" * 64)
    else:
        raise AssertionError(how)
    return target


def _forecaster(folder: Path) -> Path:
    from lstmkit.tasks import Forecaster
    from lstmkit.training import TrainingOptions

    model = Forecaster(hidden_size=4, training_options=TrainingOptions(max_epochs=1))
    model.fit(np.sin(np.arange(40) / 3)).save(folder)
    return folder


@pytest.fixture(scope="module")
def env(tmp_path_factory) -> dict[str, str]:
    """Paths the cases refer to as {name}: good data, bad data, models, folders."""
    root = tmp_path_factory.mktemp("cli-catalogue")
    train = write_csv(root / "train.csv")
    model = root / "run" / "model"
    result = runner.invoke(app, ["train", "--task", "classify", "--data", str(train),
                                 "--out", str(root / "run"), "--max-epochs", "1",
                                 "--hidden-size", "4", "--no-progress"])  # fmt: skip
    assert result.exit_code == 0, result.output
    paths = {"root": root, "train_csv": train, "model": model, "run": root / "run"}
    paths["forecaster"] = _forecaster(root / "forecaster")
    paths["series_csv"] = root / "series.csv"
    pd.DataFrame({"sequence_id": "a", "time": range(30), "level": np.sin(np.arange(30) / 3)}
                 ).to_csv(paths["series_csv"], index=False)  # fmt: skip
    paths["two_features_csv"] = write_csv(root / "two.csv", features=2)
    paths["unlabelled_csv"] = root / "unlabelled.csv"
    pd.read_csv(train).drop(columns="label").to_csv(paths["unlabelled_csv"], index=False)
    paths["header_csv"] = root / "header.csv"
    paths["header_csv"].write_text("sequence_id,time,x0,label\n")
    paths["bool_csv"] = root / "bool.csv"
    paths["bool_csv"].write_text(
        "sequence_id,time,flag,label\na,0,True,u\na,1,,u\nb,0,False,v\nb,1,True,v\n"
    )
    paths["text_csv"] = root / "text.csv"
    paths["text_csv"].write_text("sequence_id,time,x0,label\na,0,1.5,u\na,1,lots,u\n")
    paths["string_lengths_npz"] = root / "lengths.npz"
    np.savez(paths["string_lengths_npz"], X=np.zeros((2, 4, 1)), lengths=np.array(["4", "2"]))
    paths["not_npz"] = root / "fake.npz"
    paths["not_npz"].write_bytes(b"not a zip archive")
    paths["txt"] = root / "data.txt"
    paths["txt"].write_text("1,2,3\n")
    paths["a_file"] = root / "a-file"
    paths["a_file"].write_text("user data\n")
    paths["empty_dir"] = root / "empty"
    paths["empty_dir"].mkdir()
    paths["user_run"] = root / "user-run"
    (paths["user_run"] / "model").mkdir(parents=True)
    (paths["user_run"] / "model" / "thesis.tex").write_text("precious\n")
    paths["user_demo"] = root / "user-demo"
    (paths["user_demo"] / "model-sunspots").mkdir(parents=True)
    (paths["user_demo"] / "model-sunspots" / "notes.txt").write_text("mine\n")
    for how in TAMPERINGS:
        paths[f"tampered_{how}"] = tamper(model, root / f"t-{how}", how)
    return {name: str(path) for name, path in paths.items()}


@dataclass(frozen=True)
class Case:
    """One bad input: the command line ({name}: a path of ``env``), the exit code, and a
    piece of text the error line must contain (the option or file it names)."""

    name: str
    args: str
    code: int
    says: str
    nothing_at: str | None = None  # a path that must not have been created


TRAIN = "train --task classify --data {train_csv} --out {root}/new-run --max-epochs 1"
T = TRAIN + " --no-progress"
CASES = [
    # -- train: option values, refused before any work -------------------------------
    Case("learning-rate-zero", T + " --learning-rate 0", 2, "--learning-rate",
         "{root}/new-run"),  # issue 12
    Case("learning-rate-negative", T + " --learning-rate -0.1", 2, "--learning-rate"),
    Case("learning-rate-nan", T + " --learning-rate nan", 2, "--learning-rate"),
    Case("learning-rate-inf", T + " --learning-rate inf", 2, "--learning-rate"),
    Case("learning-rate-text", T + " --learning-rate fast", 2, "--learning-rate"),
    Case("gradient-threshold-negative", T + " --gradient-threshold -1", 2,
         "--gradient-threshold", "{root}/new-run"),  # issue 12
    Case("gradient-threshold-zero", T + " --gradient-threshold 0", 2, "--gradient-threshold"),
    Case("dropout-nan", T + " --dropout nan", 2, "--dropout"),
    Case("dropout-one", T + " --dropout 1", 2, "--dropout"),
    Case("hidden-size-zero", T + " --hidden-size 0", 2, "--hidden-size"),
    Case("max-epochs-zero", T + " --max-epochs 0", 2, "--max-epochs"),
    Case("batch-size-zero", T + " --batch-size 0", 2, "--batch-size"),
    Case("num-threads-zero", T + " --num-threads 0", 2, "--num-threads"),
    Case("validation-fraction-one", T + " --validation-fraction 1", 2, "--validation-fraction"),
    Case("seed-negative", T + " --seed -1", 2, "--seed"),
    Case("unknown-task", "train --task dance --data {train_csv} --out {root}/x", 2, "--task"),
    Case("unknown-layer", T + " --layer transformer", 2, "--layer"),
    Case("unknown-option", T + " --epochs 3", 2, "--epochs"),
    Case("missing-out", "train --task classify --data {train_csv}", 2, "--out"),
    Case("forecast-bidirectional", "train --task forecast --data {train_csv} --out {root}/f "
         "--layer bilstm --max-epochs 1 --no-progress", 2, "--layer"),
    # -- train: data sources ----------------------------------------------------------
    Case("data-missing", "train --task classify --data missing.csv --out {root}/x", 2,
         "missing.csv"),
    Case("data-folder", "train --task classify --data {empty_dir} --out {root}/x", 2, "folder"),
    Case("data-suffix", "train --task classify --data {txt} --out {root}/x", 2, "data.txt"),
    Case("builtin-unknown", "train --task classify --data builtin:nope --out {root}/x", 2,
         "unknown dataset 'nope'"),
    Case("builtin-wrong-task", "train --task forecast --data builtin:japanese-vowels "
         "--out {root}/x", 2, "builtin:japanese-vowels"),
    Case("builtin-tag", "train --task tag --data builtin:airline --out {root}/x", 2,
         "builtin:airline"),
    Case("header-only-csv", "train --task classify --data {header_csv} --out {root}/x", 2,
         "header.csv"),  # issue 12
    Case("bool-column-blank", "train --task classify --data {bool_csv} --out {root}/x", 2,
         "bool.csv"),  # issue 12
    Case("npz-string-lengths", "train --task classify --data {string_lengths_npz} "
         "--out {root}/x", 2, "lengths.npz"),  # issue 12
    Case("npz-not-a-zip", "train --task classify --data {not_npz} --out {root}/x", 2,
         "fake.npz"),
    Case("csv-text-feature", "train --task classify --data {text_csv} --out {root}/x", 2,
         "text.csv"),
    Case("csv-unlabelled", "train --task classify --data {unlabelled_csv} --out {root}/x", 2,
         "unlabelled.csv"),
    # -- train: run folders ----------------------------------------------------------
    Case("out-is-a-file", "train --task classify --data {train_csv} --out {a_file}", 2,
         "a-file"),  # issue 12
    Case("out-under-a-file", "train --task classify --data {train_csv} --out {a_file}/run",
         2, "a-file"),
    Case("out-model-holds-user-files", "train --task classify --data {train_csv} --out "
         "{user_run} --max-epochs 1 --no-progress", 2, "thesis.tex"),  # issue 12
    # -- predict / evaluate / forecast / generate: paths ------------------------------
    Case("predict-model-missing", "predict no/such/model {train_csv}", 2, "no/such/model"),
    Case("predict-model-is-a-file", "predict {a_file} {train_csv}", 2, "a-file"),
    Case("predict-model-is-a-run-folder", "predict {run} {train_csv}", 2, "run folder"),
    Case("predict-model-empty-folder", "predict {empty_dir} {train_csv}", 2, "empty"),
    Case("predict-data-missing", "predict {model} missing.csv", 2, "missing.csv"),
    Case("predict-out-folder-missing", "predict {model} {train_csv} --out no/such/dir/p.csv",
         2, "no/such/dir"),  # issue 12
    Case("predict-out-is-a-folder", "predict {model} {train_csv} --out {empty_dir}", 2,
         "is a folder"),
    Case("predict-unknown-option", "predict {model} {train_csv} --out {root}/p.csv --bogus", 2,
         "--bogus", "{root}/p.csv"),
    Case("predict-proba-not-a-classifier", "predict {forecaster} {series_csv} --proba", 2,
         "--proba"),
    Case("predict-wrong-features", "predict {model} {two_features_csv}", 2, "feature"),
    Case("evaluate-model-missing", "evaluate no/such/model {train_csv}", 2, "no/such/model"),
    Case("evaluate-unlabelled", "evaluate {model} {unlabelled_csv}", 2, "unlabelled.csv"),
    Case("forecast-model-missing", "forecast no/such/model {train_csv} --steps 3", 2,
         "no/such/model"),
    Case("forecast-not-a-forecaster", "forecast {model} {train_csv} --steps 3", 2,
         "not a Forecaster"),
    Case("forecast-steps-zero", "forecast {model} {train_csv} --steps 0", 2, "--steps"),
    Case("forecast-steps-missing", "forecast {model} {train_csv}", 2, "--steps"),
    Case("generate-model-missing", "generate no/such/model", 2, "no/such/model"),
    Case("generate-not-a-text-model", "generate {model}", 2, "not a TextGenerator"),
    Case("generate-top-p-zero", "generate {model} --top-p 0", 2, "--top-p"),
    # -- tampered model folders: runtime errors naming the folder ---------------------
    *[
        Case(f"{command}-tampered-{how}", f"{command} {{tampered_{how}}} {{train_csv}}", 1,
             f"t-{how}")
        for command in ("predict", "evaluate")
        for how in TAMPERINGS
    ],  # issue 12 (ValueError, KeyError, RuntimeError)
    # -- run / demo / the command itself ----------------------------------------------
    Case("run-out-is-a-file", "run radar --quick --out {a_file}", 2, "a-file"),
    Case("run-model-holds-user-files", "run radar --quick --out {user_run}", 2, "thesis.tex"),
    Case("demo-model-holds-user-files", "demo --out {user_demo}", 2, "notes.txt"),
    Case("run-num-threads-zero", "run radar --quick --num-threads 0 --out {root}/r", 2,
         "--num-threads", "{root}/r"),
    Case("run-unknown-app", "run no-such-app", 2, "unknown app 'no-such-app'"),
    Case("run-unknown-option", "run radar --text x.txt", 2, "--text"),
    Case("demo-out-is-a-file", "demo --out {a_file}", 2, "a-file"),
    Case("unknown-command", "fly", 2, "fly"),
]  # fmt: skip


def _lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input_ends_in_one_clean_line(case, env):
    args = case.args.format(**env).split()
    result = runner.invoke(app, args)
    assert result.exit_code == case.code, (result.exit_code, result.output)
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    lines = _lines(result.stderr)
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert case.says in lines[0], lines[0]
    if case.code == 2:
        assert result.stdout == "", result.stdout  # nothing was done
    if case.nothing_at:
        assert not Path(case.nothing_at.format(**env)).exists()


def test_the_catalogue_covers_the_issue(env):
    assert len(CASES) >= 44
    assert len({c.name for c in CASES}) == len(CASES)


def test_debug_shows_the_traceback(env):
    args = ["--debug", "predict", env["tampered_no_params"], env["train_csv"]]
    result = runner.invoke(app, args)
    assert result.exit_code == 1 and isinstance(result.exception, KeyError)
    clean = runner.invoke(app, args[1:])
    assert clean.exit_code == 1 and isinstance(clean.exception, SystemExit | None)
    assert "KeyError: 'params'" in clean.stderr


def test_training_that_diverges_is_a_runtime_error(env, monkeypatch):
    from lstmkit.tasks import SequenceClassifier
    from lstmkit.training import TrainingDivergedError

    def diverge(self, X, y, **kwargs):
        raise TrainingDivergedError(
            "training diverged in epoch 1, iteration 3: the loss is nan",
            epoch=1, iteration=3, loss=float("nan"), gradient_norm=float("nan"),
        )  # fmt: skip

    monkeypatch.setattr(SequenceClassifier, "fit", diverge)
    out = Path(env["root"]) / "diverged"
    result = runner.invoke(app, T.format(**env).replace("new-run", "diverged").split())
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert _lines(result.stderr) == [
        "error: training diverged in epoch 1, iteration 3: the loss is nan"
    ]
    assert not (out / "model").exists() and not (out / "metrics.json").exists()
