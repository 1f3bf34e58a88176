"""The app framework: declarations, the registry, the command line built from them,
the run folder, the thread limiter and the seeds-and-median helper."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass

import pytest
import torch
from typer.testing import CliRunner

from lstmkit.apps import (
    AppOptions,
    AppSpec,
    RunFolder,
    app_options,
    get_app,
    limit_threads,
    list_apps,
    median_seed,
    option,
    register_app,
    run_app,
    unregister_app,
)
from lstmkit.cli import app as cli

runner = CliRunner()
BUILT_IN = ["sequence-classification", "forecasting", "radar", "ecg", "text-generation",
            "long-memory"]  # fmt: skip


# ------------------------------------------------------------------ a toy app
@dataclass(frozen=True)
class ToyOptions(AppOptions):
    greeting: str = option("hello", "What the toy app says.")
    repeat: int = option(1, "How many times it says it.")


def toy_run(folder: RunFolder, options: ToyOptions) -> dict:
    if options.repeat < 1:
        raise ValueError(f"repeat must be >= 1; received {options.repeat}")
    said = " ".join([options.greeting] * options.repeat)
    (folder / "said.txt").write_text(said)
    return folder.write_metrics({"words": len(said.split())}, headline={"words": len(said.split())})


@pytest.fixture
def toy_app():
    spec = register_app(AppSpec("toy-app", "A toy app, declared by a test.", options=ToyOptions,
                                run=toy_run, threads=None))  # fmt: skip
    yield spec
    unregister_app("toy-app")


def test_an_app_declared_in_a_test_runs_from_the_command_line(toy_app, tmp_path):
    listed = runner.invoke(cli, ["run", "--help"])
    assert listed.exit_code == 0 and "toy-app" in listed.output and "A toy app" in listed.output
    helped = runner.invoke(cli, ["run", "toy-app", "--help"])
    assert "--greeting" in helped.output and "--repeat" in helped.output
    out = tmp_path / "toy"
    result = runner.invoke(cli, ["run", "toy-app", "--greeting", "hi", "--repeat", "3",
                                 "--out", str(out)])  # fmt: skip
    assert result.exit_code == 0, result.output
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["app"] == "toy-app" and metrics["headline"] == {"words": 3}
    assert metrics["run_options"] == {"quick": False, "seed": 0, "greeting": "hi", "repeat": 3}
    assert (out / "said.txt").read_text() == "hi hi hi"
    # the same app from Python, with the same names
    assert run_app("toy-app", tmp_path / "py", repeat=2)["words"] == 2
    # a mistake the app itself finds is one line too
    bad = runner.invoke(cli, ["run", "toy-app", "--repeat", "0", "--out", str(tmp_path / "x")])
    assert bad.exit_code == 2 and bad.output.strip() == "error: repeat must be >= 1; received 0"


def test_every_app_lists_its_own_declared_options():
    for spec in list_apps():
        result = runner.invoke(cli, ["run", spec.name, "--help"])
        assert result.exit_code == 0, result.output
        flags = [o.flag for o in app_options(get_app(spec.name).options)]
        assert flags[:2] == ["--quick", "--seed"]
        for flag in [*flags, "--out"]:
            assert flag in result.output, (spec.name, flag)
    assert [s.name for s in list_apps()][: len(BUILT_IN)] == BUILT_IN
    assert "--text" in runner.invoke(cli, ["run", "text-generation", "--help"]).output
    assert "--select" in runner.invoke(cli, ["run", "sequence-classification", "--help"]).output


@pytest.mark.parametrize(
    "args,message",
    [
        (["run", "radar", "--text", "x.txt"], "radar has no option --text"),
        (["run", "forecasting", "--select"], "forecasting has no option --select"),
        (["run", "text-generation", "--text", "no-such-file.txt"], "does not exist"),
        (["run", "radar", "--seed", "many"], "--seed"),
        (["run", "radar", "--seed"], "Option '--seed' requires an argument"),
        (["run", "no-such-app"], "unknown app 'no-such-app'"),
    ],
)  # fmt: skip
def test_mistakes_are_refused_in_one_line(args, message, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(cli, args)
    assert result.exit_code == 2
    assert result.output.strip().count("\n") == 0, result.output  # one line
    assert message in result.output and "Traceback" not in result.output
    assert not (tmp_path / "runs").exists()  # nothing started


def test_listing_the_apps_imports_no_app_and_no_torch():
    code = (
        "import sys; from lstmkit.apps import list_apps; names = [s.name for s in list_apps()]; "
        "print(sorted(m for m in sys.modules if m.startswith('lstmkit.apps.') and m not in "
        "('lstmkit.apps.framework', 'lstmkit.apps.run_folder', 'lstmkit.apps.seeds', "
        "'lstmkit.apps.threads')), 'torch' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.strip() == "[] False", done.stderr
    help_run = subprocess.run(
        [sys.executable, "-c", "import sys; from lstmkit.cli import main; sys.argv = "
         "['lstmkit', 'run', '--help']\ntry:\n    main()\nexcept SystemExit:\n    pass\n"
         "print('torch' in sys.modules)"],
        capture_output=True, text=True,
    )  # fmt: skip
    assert "radar" in help_run.stdout and help_run.stdout.strip().endswith("False")


def test_run_app_names_unknown_options_and_apps(tmp_path):
    with pytest.raises(
        ValueError, match="app 'radar' has no option 'text'; its options are quick, seed"
    ):
        run_app("radar", tmp_path, quick=True, text="x.txt")
    with pytest.raises(ValueError, match="unknown app 'nope'"):
        run_app("nope", tmp_path)


def test_declarations_are_checked_when_made():
    with pytest.raises(ValueError, match="kebab-case"):
        AppSpec("My App", "x", module="m")
    with pytest.raises(ValueError, match="either module"):
        AppSpec("my-app", "x")
    with pytest.raises(ValueError, match="one line"):
        AppSpec("my-app", "two\nlines", module="m")
    with pytest.raises(ValueError, match="registered already"):
        register_app(AppSpec("radar", "again", module="lstmkit.apps.radar"))

    @dataclass(frozen=True)
    class NoHelp(AppOptions):
        window: int = 3

    with pytest.raises(ValueError, match=r"NoHelp.window must be declared with option"):
        AppSpec("my-app", "x", options=NoHelp, run=toy_run)

    @dataclass(frozen=True)
    class Listy(AppOptions):
        sizes: list = option(None, "Sizes.")  # noqa: RUF009 (option() makes a field)

    with pytest.raises(TypeError, match=r"Listy.sizes must be one of bool, int, float, str, Path"):
        AppSpec("my-app", "x", options=Listy, run=toy_run)

    @dataclass(frozen=True)
    class Out(AppOptions):
        out: str = option("x", "Clashes with the run folder.")

    with pytest.raises(ValueError, match=r"Out.out: an option may not be called 'out'"):
        AppSpec("my-app", "x", options=Out, run=toy_run)


def test_run_folder_writes_the_common_keys_and_refuses_to_overwrite_them(tmp_path):
    folder = RunFolder(tmp_path / "a" / "b", app="toy", options=ToyOptions(quick=True))
    written = folder.write_metrics({"rmse": 0.25}, headline={"rmse": 0.25})
    assert json.loads((tmp_path / "a" / "b" / "metrics.json").read_text()) == written
    assert written["quick"] is True and written["run_options"]["greeting"] == "hello"
    assert written["wall_seconds"] >= 0
    with pytest.raises(ValueError, match=r"must not contain \['app'\]"):
        folder.write_metrics({"app": "x"}, headline={"rmse": 1.0})
    with pytest.raises(ValueError, match="headline must be a non-empty dict"):
        folder.write_metrics({"rmse": 1.0}, headline={})
    assert folder.copy_in(tmp_path / "missing.png", "x.png") is None


def test_thread_limiter_restores_torch_threads():
    before = torch.get_num_threads()
    with limit_threads(before + 1):
        assert torch.get_num_threads() == before + 1
    assert torch.get_num_threads() == before
    with pytest.raises(RuntimeError, match="boom"), limit_threads(before + 2):
        raise RuntimeError("boom")
    assert torch.get_num_threads() == before  # restored on errors too
    with limit_threads(None):
        assert torch.get_num_threads() == before
    with pytest.raises(ValueError, match="count must be an int >= 1"):
        with limit_threads(0):
            pass


def test_apps_run_under_their_declared_threads(tmp_path):
    seen = {}

    def record(folder, options):
        seen["threads"] = torch.get_num_threads()
        return folder.write_metrics({}, headline={"threads": seen["threads"]})

    before = torch.get_num_threads()
    register_app(AppSpec("threads-app", "Records its threads.", options=AppOptions, run=record,
                         threads=before + 1))  # fmt: skip
    try:
        run_app("threads-app", tmp_path)
    finally:
        unregister_app("threads-app")
    assert seen["threads"] == before + 1 and torch.get_num_threads() == before
    assert get_app("forecasting").threads == 1


def test_median_seed_takes_the_middle_and_the_earlier_seed_on_ties():
    assert median_seed({0: 0.9, 1: 0.8, 2: 0.95}) == 0
    assert median_seed({3: 0.5, 4: 0.5, 5: 0.5}) == 4
    assert median_seed({7: 0.1}) == 7
