"""The public benchmark suite: its offline loaders, and the runner's plumbing on a slice."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

from lstmkit.datasets.public_suite import (
    CLASSIFICATION_SETS,
    REGRESSION_SETS,
    aeon_data_folder,
    as_aeon_collection,
    load_suite_classification,
    load_suite_regression,
)

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))  # the suite's parts are scripts, not a package

import suite  # noqa: E402
import suite_classification  # noqa: E402

# (train, test, features, classes, min length, max length), from the archives' descriptions
EXPECTED_CLASSIFICATION = {
    "ACSF1": (100, 100, 1, 10, 1460, 1460),
    "ItalyPowerDemand": (67, 1029, 1, 2, 24, 24),
    "OSULeaf": (200, 242, 1, 6, 427, 427),
    "JapaneseVowels": (270, 370, 12, 9, 7, 29),
}
EXPECTED_REGRESSION = {"Covid3Month": (140, 61, 1, 84), "CardanoSentiment": (74, 33, 2, 24)}


def test_the_suite_lists_exactly_the_sets_it_documents():
    assert set(CLASSIFICATION_SETS) == set(EXPECTED_CLASSIFICATION)
    assert set(REGRESSION_SETS) == set(EXPECTED_REGRESSION)


@pytest.mark.parametrize("name", CLASSIFICATION_SETS)
def test_classification_sets_load_offline_with_their_published_shapes(name):
    n_train, n_test, features, classes, low, high = EXPECTED_CLASSIFICATION[name]
    assert (aeon_data_folder() / name / f"{name}_TRAIN.ts").is_file()
    data = load_suite_classification(name)
    assert (len(data.X_train), len(data.X_test)) == (n_train, n_test)
    assert data.num_features == features and data.num_classes == classes
    lengths = [len(x) for x in data.X_train + data.X_test]
    assert (min(lengths), max(lengths)) == (low, high)
    for x in data.X_train[:5] + data.X_test[:5]:
        assert x.dtype == np.float32 and x.shape[1] == features and x.flags.c_contiguous
        assert np.isfinite(x).all()
    # every class appears in training, and labels are the archive's class names
    assert sorted(set(data.y_train), key=float) == data.class_names
    assert set(data.y_test) <= set(data.class_names)


def test_japanese_vowels_matches_the_registry_loader_and_has_an_equal_length_form():
    from lstmkit.datasets import load_dataset

    suite_data = load_suite_classification("JapaneseVowels")
    registry = load_dataset("japanese-vowels")
    np.testing.assert_array_equal(suite_data.X_test[7], registry.X_test[7])
    np.testing.assert_array_equal(suite_data.y_train, registry.y_train)
    assert suite_data.feature_names == registry.feature_names

    eq = load_suite_classification("JapaneseVowels", equal_length=True)
    assert {x.shape for x in eq.X_train + eq.X_test} == {(25, 12)}
    np.testing.assert_array_equal(eq.y_test, suite_data.y_test)  # same cases, same order
    # resampling keeps the first frame of each utterance
    np.testing.assert_allclose(eq.X_train[0][0], suite_data.X_train[0][0], rtol=1e-6)


def test_loaders_hand_out_copies():
    first = load_suite_classification("ItalyPowerDemand")
    first.X_train[0][:] = 1e9
    assert load_suite_classification("ItalyPowerDemand").X_train[0].max() < 1e3


@pytest.mark.parametrize("name", REGRESSION_SETS)
def test_regression_sets_load_offline_with_their_published_shapes(name):
    n_train, n_test, features, length = EXPECTED_REGRESSION[name]
    data = load_suite_regression(name)
    assert (len(data.X_train), len(data.X_test)) == (n_train, n_test)
    assert {x.shape for x in data.X_train + data.X_test} == {(length, features)}
    assert data.y_train.shape == (n_train,) and data.y_train.dtype == np.float64
    assert np.isfinite(data.y_test).all() and data.y_train.std() > 0


def test_unknown_or_wrong_kind_of_set_is_refused_with_the_choices():
    with pytest.raises(ValueError, match=r"name must be one of .*ACSF1.*received 'GunPoint'"):
        load_suite_classification("GunPoint")
    with pytest.raises(ValueError, match="regression sets"):
        load_suite_regression("OSULeaf")
    with pytest.raises(TypeError, match="equal_length must be a bool"):
        load_suite_classification("OSULeaf", equal_length="yes")


def test_as_aeon_collection_layouts():
    equal = as_aeon_collection([np.arange(6.0).reshape(3, 2), np.zeros((3, 2))])
    assert equal.shape == (2, 2, 3)
    np.testing.assert_array_equal(equal[0, 1], [1.0, 3.0, 5.0])  # channel 1 over time
    ragged = as_aeon_collection([np.zeros((4, 2)), np.zeros((2, 2))])
    assert [c.shape for c in ragged] == [(2, 4), (2, 2)]
    with pytest.raises(ValueError, match=r"X\[1\] must be a 2-D"):
        as_aeon_collection([np.zeros((4, 2)), np.zeros(4)])


def test_published_hc2_figures_are_the_default_split_column_that_aeon_ships():
    from aeon.benchmarking.results_loaders import get_estimator_results

    folder = Path(aeon_data_folder()).parents[1] / "testing" / "example_results_files"
    if not (folder / "classification" / "accuracy" / "HC2_accuracy.csv").is_file():
        pytest.skip("this aeon does not ship the HC2 reference results")
    quoted = suite_classification.PUBLISHED["HIVE-COTE 2"]["accuracy"]
    shipped = get_estimator_results("HC2", datasets=list(quoted), path=str(folder) + "/")["HC2"]
    for name, value in quoted.items():
        if value is None:
            assert name not in shipped
        else:
            assert shipped[name] == pytest.approx(value, abs=1e-12)


def test_make_estimator_puts_the_seed_where_the_estimator_takes_it():
    estimator, via = suite_classification.make_estimator("SequenceClassifier", {}, 7)
    params = estimator.get_params()
    if "random_state" in params:
        assert via == "random_state" and params["random_state"] == 7
    else:
        assert via == "training_options.seed" and params["training_options"].seed == 7
    estimator, _ = suite_classification.make_estimator(
        "SequenceClassifier", {"training_options": {"max_epochs": 9}}, 3, max_epochs=2
    )
    assert estimator.training_options.seed == 3 and estimator.training_options.max_epochs == 2
    with pytest.raises(ValueError, match="class_name must name an estimator"):
        suite_classification.make_estimator("NoSuchEstimator", {}, 0)


def test_a_configuration_the_estimator_refuses_is_an_error_entry_not_a_crash():
    entry = suite_classification.fit_lstmkit(
        "SequenceClassifier",
        {"no_such_parameter": 1},
        (0,),
        ([np.zeros((3, 1))] * 4, ["a", "b"] * 2),
        lambda estimator: {"accuracy": 1.0},
    )
    assert "no_such_parameter" in entry["error"] and "runs" not in entry


def test_quick_suite_on_italy_power_demand_writes_the_json_and_tables(tmp_path, monkeypatch):
    # one lstmkit configuration keeps the test short; the runner is what is tested here
    defaults = {"lstmkit defaults": suite_classification.CONFIGS["lstmkit defaults"]}
    monkeypatch.setattr(suite_classification, "CONFIGS", defaults)
    out = tmp_path / "suite.json"
    lines: list[str] = []
    payload = suite.run_suite(
        parts=["classification"],
        seeds=(0,),
        quick=True,
        sets=["ItalyPowerDemand"],
        out=out,
        echo=lines.append,
    )
    written = json.loads(out.read_text())
    assert written["parts"]["classification"]["status"] == "ok"
    assert written["parts"]["classification"]["wall_seconds"] > 0
    assert {"machine", "git", "timestamp", "settings", "classification"} <= set(written)
    assert written["machine"]["versions"]["aeon"]
    entry = written["classification"]["sets"]["ItalyPowerDemand"]
    assert (entry["data"]["train"], entry["data"]["test"]) == (67, 200)  # the quick subset
    # the baselines learned: far above the 50% of a two-class guess on held-out days
    assert entry["baselines"]["1-NN DTW"]["accuracy"] > 0.85
    assert entry["baselines"]["MiniRocket"]["accuracy"] > 0.85
    assert entry["published"]["HIVE-COTE 2"] == pytest.approx(0.96987, abs=1e-5)
    defaults = entry["lstmkit"]["lstmkit defaults"]
    assert defaults["seeds_ok"] == 1 and defaults["runs"][0]["epochs"] <= 3
    assert 0.0 <= defaults["median_accuracy"] <= 1.0
    assert set(written["classification"]["summary"]["targets"]) == set(suite_classification.TARGETS)
    assert "| ItalyPowerDemand |" in lines[-1]
    assert payload["parts"]["classification"]["status"] == "ok"
    # a later run of another part into the same file keeps the first part's results
    suite.run_suite(parts=["regression"], sets=["ItalyPowerDemand"], out=out, echo=lines.append)
    again = json.loads(out.read_text())
    assert again["parts"]["regression"]["status"] == "skipped"
    assert again["classification"] == written["classification"]


def test_selection_never_touches_the_test_split(monkeypatch):
    real = suite_classification.load_suite_classification

    def poisoned(name, **kwargs):
        data = real(name, **kwargs)
        # a test split full of NaN: any fit or score on it would fail or give NaN
        data.X_test = [np.full_like(x, np.nan) for x in data.X_test]
        data.y_test = np.array(["poison"] * len(data.y_test))
        return data

    monkeypatch.setattr(suite_classification, "load_suite_classification", poisoned)
    results = suite_classification.select(
        seeds=(0,),
        quick=True,
        sets=["ItalyPowerDemand"],
        candidates={"defaults": ("SequenceClassifier", {})},
    )
    entry = results["sets"]["ItalyPowerDemand"]
    assert entry["1-NN DTW"]["mean"] > 0.8  # scored on a holdout of the 67 training days
    assert 0.0 <= entry["defaults"]["mean"] <= 1.0 and "error" not in entry["defaults"]
    assert results["ranking"][0] in {"1-NN DTW", "MiniRocket", "defaults"}
    assert "TRAINING splits only" in suite_classification.selection_markdown(results)


def test_bad_runner_arguments_are_refused():
    with pytest.raises(ValueError, match="parts must be names from"):
        suite.run_suite(parts=["speech"], out=Path("/nonexistent/x.json"))
    with pytest.raises(ValueError, match="sets must be names from"):
        suite.run_suite(parts=["classification"], sets=["Nope"], out=Path("/nonexistent/x.json"))
    with pytest.raises(ValueError, match="seeds must be a non-empty sequence of ints"):
        suite_classification.run(seeds=())
