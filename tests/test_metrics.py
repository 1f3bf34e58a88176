"""lstmkit.metrics: hand-computed cases and shape checks."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest
import torch

from lstmkit.metrics import (
    classification_metrics,
    count_zero_targets,
    forecast_metrics,
    mae,
    mape,
    mase,
    rmse,
)

# ------------------------------------------------------------------ classification
Y_TRUE = [0, 0, 1, 1, 2, 2]
Y_PRED = [0, 1, 1, 1, 2, 0]


def test_classification_by_hand():
    m = classification_metrics(Y_TRUE, Y_PRED)
    # rows = true, columns = predicted
    assert m["confusion_matrix"] == [[1, 1, 0], [0, 2, 0], [1, 0, 1]]
    assert m["labels"] == [0, 1, 2] and m["n_samples"] == 6
    assert m["accuracy"] == pytest.approx(4 / 6)
    # precision = correct / predicted, recall = correct / true
    expected = {
        "0": (1 / 2, 1 / 2, 1 / 2, 2),
        "1": (2 / 3, 1.0, 0.8, 2),
        "2": (1.0, 1 / 2, 2 / 3, 2),
    }
    for key, (p, r, f, s) in expected.items():
        got = m["per_class"][key]
        assert got["precision"] == pytest.approx(p)
        assert got["recall"] == pytest.approx(r)
        assert got["f1"] == pytest.approx(f)
        assert got["support"] == s
    assert m["macro_f1"] == pytest.approx((0.5 + 0.8 + 2 / 3) / 3)
    assert m["macro_precision"] == pytest.approx((0.5 + 2 / 3 + 1) / 3)
    assert m["macro_recall"] == pytest.approx((0.5 + 1 + 0.5) / 3)
    json.dumps(m)  # plain Python types only
    assert type(m["labels"][0]) is int


def test_classification_label_order_strings_and_tensors():
    m = classification_metrics(torch.tensor(Y_TRUE), np.array(Y_PRED), labels=[2, 1, 0])
    assert m["labels"] == [2, 1, 0]
    assert m["confusion_matrix"] == [[1, 0, 1], [0, 2, 0], [0, 1, 1]]
    names = ["cat", "dog", "cat", "emu"]
    m = classification_metrics(names, ["cat", "cat", "cat", "emu"])
    assert m["labels"] == ["cat", "dog", "emu"]
    assert m["per_class"]["dog"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 1}


def test_never_predicted_class_gives_zero_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        m = classification_metrics([0, 1, 2], [0, 0, 0], labels=[0, 1, 2, 3])
    assert m["per_class"]["1"]["precision"] == 0.0
    assert m["per_class"]["3"]["support"] == 0
    assert m["confusion_matrix"][3] == [0, 0, 0, 0]


@pytest.mark.parametrize(
    ("y_true", "y_pred", "labels", "error", "match"),
    [
        ([0, 1, 1], [0, 1], None, ValueError, "same length"),
        ([0, 1], np.eye(2), None, ValueError, r"argmax\(axis=1\)"),
        ([], [], None, ValueError, "at least one label"),
        ([0, 1, 2], [0, 1, 1], [0, 1], ValueError, r"y_true holds labels missing.*\[2\]"),
        ([0, 1], [0, 1], [0, 1, 1], ValueError, "must not repeat"),
        ("abc", "abd", None, TypeError, "1-D sequence"),
        (np.array([1, "a"], dtype=object), [1, 1], None, TypeError, "pass labels="),
        ([0.0, np.nan], [0.0, 1.0], None, ValueError, "NaN"),
    ],
)
def test_classification_bad_input(y_true, y_pred, labels, error, match):
    with pytest.raises(error, match=match):
        classification_metrics(y_true, y_pred, labels)


def test_column_vectors_are_accepted():
    m = classification_metrics(np.array([[0], [1]]), np.array([[0], [0]]))
    assert m["accuracy"] == 0.5


# ------------------------------------------------------------------- regression
def test_rmse_mae_by_hand():
    y = [1.0, 2.0, 3.0, 4.0]
    p = [2.0, 2.0, 1.0, 4.0]  # errors 1, 0, -2, 0
    assert rmse(y, p) == pytest.approx(np.sqrt(5 / 4))
    assert mae(y, p) == pytest.approx(3 / 4)
    # 2-D: every element counts once (not the mean of per-column RMSEs)
    y2, p2 = np.array([[0.0, 0.0], [0.0, 0.0]]), np.array([[2.0, 0.0], [0.0, 0.0]])
    assert rmse(y2, p2) == pytest.approx(1.0)
    assert rmse(torch.tensor(y, requires_grad=True), torch.tensor(p)) == pytest.approx(1.118034)


def test_mape_skips_zero_targets_and_counts_them():
    y = [2.0, 0.0, 4.0, 0.0, -5.0]
    p = [3.0, 1.0, 3.0, 0.0, -4.0]  # 50 %, skipped, 25 %, skipped, 20 %
    assert mape(y, p) == pytest.approx((50 + 25 + 20) / 3)
    assert count_zero_targets(y) == 2
    with pytest.raises(ValueError, match="2 zero target"):
        mape(y, p, zero_targets="raise")
    assert mape([2.0, 4.0], [3.0, 3.0], zero_targets="raise") == pytest.approx(37.5)
    with pytest.raises(ValueError, match="all 3 targets are 0"):
        mape([0.0, 0.0, 0.0], [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="zero_targets must be one of"):
        mape(y, p, zero_targets="ignore")


def test_mase_by_hand_on_a_six_point_series():
    y_train = [2.0, 4.0, 3.0, 7.0, 6.0, 8.0]
    # season 1: naive errors |4-2|, |3-4|, |7-3|, |6-7|, |8-6| = 2, 1, 4, 1, 2 -> scale 2
    y_true, y_pred = [9.0, 10.0], [10.0, 12.0]  # forecast MAE (1 + 2) / 2 = 1.5
    assert mase(y_true, y_pred, y_train) == pytest.approx(1.5 / 2)
    # season 3: |7-2|, |6-4|, |8-3| = 5, 2, 5 -> scale 4
    assert mase(y_true, y_pred, y_train, season=3) == pytest.approx(1.5 / 4)


def test_mase_scales_each_series_by_its_own_naive_error():
    train = np.array([[0.0, 0.0], [1.0, 10.0], [3.0, 30.0]])  # scales 1.5 and 15
    y_true = np.array([[4.0, 40.0], [5.0, 50.0]])
    y_pred = y_true + np.array([[1.5, 15.0], [1.5, 15.0]])
    assert mase(y_true, y_pred, train) == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("y_train", "season", "error", "match"),
    [
        ([3.0, 3.0, 3.0, 3.0], 1, ValueError, "zero MASE scale"),
        ([1.0, 2.0, 1.0, 2.0], 2, ValueError, "exactly periodic"),
        ([1.0, 2.0], 2, ValueError, "more than season=2 steps"),
        ([[1.0], [2.0], [3.0]], 1, ValueError, "same series"),
        ([1.0, 2.0, 3.0], 0, ValueError, "season must be an int >= 1"),
        ([1.0, 2.0, 3.0], 1.5, TypeError, "season must be an int"),
    ],
)
def test_mase_errors(y_train, season, error, match):
    with pytest.raises(error, match=match):
        mase([1.0, 2.0], [1.5, 2.5], y_train, season=season)


def test_forecast_metrics_bundle():
    y_train = [2.0, 4.0, 3.0, 7.0, 6.0, 8.0]
    m = forecast_metrics([9.0, 0.0], [10.0, 2.0], y_train)
    assert m == {
        "rmse": pytest.approx(np.sqrt(5 / 2)),
        "mae": pytest.approx(1.5),
        "mape": pytest.approx(100 / 9),
        "mape_skipped_zero_targets": 1,
        "mase": pytest.approx(0.75),
        "n": 2,
    }
    m = forecast_metrics([0.0, 0.0], [1.0, 1.0])
    assert m["mape"] is None and m["mape_skipped_zero_targets"] == 2 and m["mase"] is None
    json.dumps(m)


@pytest.mark.parametrize(
    ("y_true", "y_pred", "error", "match"),
    [
        (np.zeros(5), np.zeros((5, 1)), ValueError, r"same shape; received \(5,\) and \(5, 1\)"),
        ([1.0, np.nan], [1.0, 2.0], ValueError, "y_true must be finite"),
        ([1.0, 2.0], [1.0, np.inf], ValueError, "y_pred must be finite"),
        ([], [], ValueError, "at least one value"),
        (3.0, 3.0, ValueError, "at least one value"),
        ([[1.0, 2.0], [3.0]], [1.0, 2.0], TypeError, "rectangular"),
        ("12", "12", TypeError, "received a string"),
    ],
)
@pytest.mark.parametrize("metric", [rmse, mae, mape, forecast_metrics])
def test_regression_bad_shapes(metric, y_true, y_pred, error, match):
    with pytest.raises(error, match=match):
        metric(y_true, y_pred)
