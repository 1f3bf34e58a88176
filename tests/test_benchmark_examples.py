"""benchmarks/examples.py: summary rows from the apps' run folders, and the table."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "examples.py"


@pytest.fixture(scope="module")
def examples():
    spec = importlib.util.spec_from_file_location("examples_benchmark", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_collect_reads_an_apps_last_full_run(examples, tmp_path):
    results = tmp_path / "benchmarks" / "results"
    (results / "ecg").mkdir(parents=True)
    metrics = {
        "app": "ecg", "quick": False, "seeds": [0, 1, 2], "wall_seconds": 1234.5,
        "train_seconds": 900.0, "target": "macro-F1 >= 0.95", "meets_target": True,
        "headline": {"features_lstm_test_macro_f1": 0.97, "note": "x", "skip": [1]},
    }  # fmt: skip
    (results / "ecg" / "metrics.json").write_text(json.dumps(metrics))
    row = examples.collect_app("ecg", quick=False, results=results)
    assert row["status"] == "ok" and row["wall_seconds"] == 1234.5
    assert row["headline"] == {"features_lstm_test_macro_f1": 0.97, "note": "x"}
    assert row["run_dir"] == "benchmarks/results/ecg" and row["seeds"] == [0, 1, 2]
    table = examples.markdown([row])
    assert "| ecg | features_lstm_test_macro_f1 0.97, note x | macro-F1 >= 0.95 | yes |" in table

    missing = examples.collect_app("radar", quick=False, results=results)
    assert missing["status"] == "skipped" and "no metrics.json" in missing["reason"]
    # a quick run's metrics never stand in for a full run
    assert examples.collect_app("ecg", quick=True, results=results)["status"] == "skipped"
    (results / "ecg-quick").mkdir()
    (results / "ecg-quick" / "metrics.json").write_text(json.dumps(metrics))
    wrong = examples.collect_app("ecg", quick=True, results=results)
    assert wrong["status"] == "skipped" and "not from a quick run" in wrong["reason"]
