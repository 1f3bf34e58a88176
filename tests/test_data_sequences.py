"""as_sequences / as_series / as_targets, the length checks, and LabelEncoding."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from lstmkit.data import (
    LabelEncoding,
    as_sequences,
    as_series,
    as_targets,
    check_same_length,
    check_step_targets,
)

# ------------------------------------------------------------------- as_sequences


def test_list_of_different_lengths_becomes_float32_time_first():
    rng = np.random.default_rng(0)
    X = [rng.normal(size=(t, 3)) for t in (5, 2, 9)]
    seqs = as_sequences(X)
    assert [s.shape for s in seqs] == [(5, 3), (2, 3), (9, 3)]
    assert all(s.dtype == np.float32 for s in seqs)
    np.testing.assert_allclose(seqs[2], X[2], rtol=1e-6)


@pytest.mark.parametrize(
    "X,shapes",
    [
        (np.zeros((4, 6, 2)), [(6, 2)] * 4),
        (torch.zeros(3, 5, 2, dtype=torch.float64), [(5, 2)] * 3),
        ([torch.ones(4, 2), torch.ones(1, 2)], [(4, 2), (1, 2)]),
        ([[1, 2, 3], [4, 5]], [(3, 1), (2, 1)]),  # lists of numbers: one feature
        ([[[1, 2], [3, 4]], [[5, 6]]], [(2, 2), (1, 2)]),
        ((np.arange(4), np.arange(2)), [(4, 1), (2, 1)]),  # 1-D items: F = 1
        ([np.arange(3, dtype=np.int32)], [(3, 1)]),
        ([torch.ones(3, dtype=torch.bfloat16)], [(3, 1)]),
        (np.array([np.zeros((2, 1)), np.zeros((3, 1))], dtype=object), [(2, 1), (3, 1)]),
    ],
)
def test_accepted_forms(X, shapes):
    seqs = as_sequences(X)
    assert [s.shape for s in seqs] == shapes
    assert all(s.dtype == np.float32 for s in seqs)


def test_result_is_a_copy():
    X = np.zeros((2, 3, 1), dtype=np.float32)
    seqs = as_sequences(X)
    seqs[0][:] = 7
    assert X.sum() == 0


def test_num_features_accepts_matching_data():
    assert as_sequences([np.zeros((2, 4))], num_features=4)[0].shape == (2, 4)


def _with(value, sample=1, step=2, feature=1):
    bad = np.zeros((4, 2))
    bad[step, feature] = value
    return [np.zeros((3, 2)), bad] if sample == 1 else [bad]


@pytest.mark.parametrize(
    "X,error,pattern",
    [
        ([], ValueError, r"X must hold at least one sequence; received \[\]"),
        (np.zeros((0, 3, 2)), ValueError, r"X must hold at least one sequence"),
        ([np.zeros((3, 2)), np.zeros((0, 2))], ValueError, r"X\[1\] must have at least one step"),
        (_with(np.nan), ValueError, r"X\[1\] holds a non-finite value \(nan\) at step 2, feat"),
        (_with(np.inf), ValueError, r"X\[1\] holds a non-finite value \(inf\) at step 2"),
        (_with(-np.inf, step=0), ValueError, r"X\[1\] .*\(-inf\) at step 0"),
        (_with(1e300, sample=0), ValueError, r"X\[0\] holds a value 1e\+300 too large for float32"),
        (
            [np.zeros((3, 2)), np.zeros((3, 2)), np.zeros((3, 5))],
            ValueError,
            r"X\[2\] has 5 features but X\[0\] has 2; every sequence must have the same",
        ),
        ([np.array(["a", "b"])], TypeError, r"X\[0\] must hold real numbers .*dtype <U1.*strings"),
        ([np.zeros(2), [1.0, None]], TypeError, r"X\[1\] must hold real numbers .*object"),
        ([np.zeros(2) + 1j], TypeError, r"X\[0\] .*complex128.*complex"),
        ([np.zeros(2, dtype=bool)], TypeError, r"X\[0\] .*dtype bool"),
        ([torch.zeros(2, dtype=torch.bool)], TypeError, r"X\[0\] must hold real numbers.*bool"),
        ([torch.zeros(2, dtype=torch.complex64)], TypeError, r"X\[0\] .*complex64"),
        ([[[1.0, 2.0], [3.0]]], ValueError, r"X\[0\] could not be read as a numeric array"),
        ([np.zeros((2, 3, 4))], ValueError, r"X\[0\] must be 1-D \(T,\) or 2-D \(T, F\).*3-D"),
        ([1.0, 2.0], ValueError, r"X\[0\] must be a sequence .*single number 1\.0"),
        ([np.zeros((3, 0))], ValueError, r"X\[0\] must have at least one feature"),
        (np.zeros((5, 3)), ValueError, r"X must be a list .*\(5, 3\), which is ambiguous"),
        (torch.zeros(5), ValueError, r"X must be a list .*shape \(5,\)"),
        ("abc", TypeError, r"X must be a list of \(T_i, F\) arrays.*'abc' \(str\)"),
        (None, TypeError, r"X must be a list .*None"),
    ],
)
def test_bad_sequences(X, error, pattern):
    with pytest.raises(error, match=pattern):
        as_sequences(X)


def test_num_features_mismatch_names_the_fitted_count():
    with pytest.raises(ValueError, match=r"X_test must have 3 features .*X_test\[0\] with 2"):
        as_sequences([np.zeros((4, 2))], name="X_test", num_features=3)


def test_num_features_is_checked():
    with pytest.raises(ValueError, match=r"num_features must be an int >= 1; received 0"):
        as_sequences([np.zeros((4, 2))], num_features=0)


# --------------------------------------------------------------------- as_series


@pytest.mark.parametrize(
    "y,shapes",
    [
        (np.arange(10.0), [(10, 1)]),
        (np.zeros((7, 3)), [(7, 3)]),
        (torch.arange(6.0), [(6, 1)]),
        ([1, 2, 3], [(3, 1)]),  # a flat list of numbers is one series
        ([np.zeros(5), np.zeros(8)], [(5, 1), (8, 1)]),
        ([np.zeros((5, 2)), torch.zeros(3, 2)], [(5, 2), (3, 2)]),
        (np.zeros((2, 4, 3)), [(4, 3), (4, 3)]),
    ],
)
def test_series_forms(y, shapes):
    series = as_series(y)
    assert [s.shape for s in series] == shapes
    assert all(s.dtype == np.float32 for s in series)


@pytest.mark.parametrize(
    "y,error,pattern",
    [
        ([], ValueError, r"y must hold at least one series"),
        (np.zeros(0), ValueError, r"y must hold at least one series"),
        ([5.0], ValueError, r"y must have at least 2 steps; received 1"),
        ([np.zeros(4), np.zeros(1)], ValueError, r"y\[1\] must have at least 2 steps; received 1"),
        (np.array([1.0, np.nan, 3.0]), ValueError, r"y holds a non-finite value \(nan\) at step 1"),
        ([np.zeros(3), np.array([0, 1, np.inf])], ValueError, r"y\[1\] .*\(inf\) at step 2"),
        ([np.zeros((3, 2)), np.zeros((4, 1))], ValueError, r"y\[1\] has 1 features but y\[0\]"),
        ([1, "a"], TypeError, r"y must hold real numbers"),
        (np.zeros((2, 2, 2, 2)), ValueError, r"y must be one series .*shape \(2, 2, 2, 2\)"),
        (5, TypeError, r"y must be one series \(T,\) or \(T, F\).*5 \(int\)"),
    ],
)
def test_bad_series(y, error, pattern):
    with pytest.raises(error, match=pattern):
        as_series(y)


def test_series_num_features():
    with pytest.raises(ValueError, match=r"y must have 2 features .*received y with 1 feature"):
        as_series(np.zeros(5), num_features=2)


# -------------------------------------------------------------------- as_targets


def test_targets_shapes():
    assert as_targets([1, 2, 3]).shape == (3, 1)
    out = as_targets(torch.ones(4, 2, dtype=torch.float64))
    assert out.shape == (4, 2) and out.dtype == np.float32


@pytest.mark.parametrize(
    "y,kwargs,error,pattern",
    [
        ([1.0, np.nan], {}, ValueError, r"y\[1\] holds a non-finite value \(nan\)"),
        (np.zeros((2, 2, 2)), {}, ValueError, r"y must be 1-D \(N,\) or 2-D \(N, O\)"),
        ([], {}, ValueError, r"y must hold at least one target"),
        (["a"], {}, TypeError, r"y must hold real numbers"),
        (np.zeros((3, 2)), {"num_outputs": 1}, ValueError, r"y must have 1 outputs .*\(3, 2\)"),
    ],
)
def test_bad_targets(y, kwargs, error, pattern):
    with pytest.raises(error, match=pattern):
        as_targets(y, **kwargs)


# ------------------------------------------------------------------- length checks


def test_check_same_length_gives_both_counts():
    check_same_length([1, 2], np.array([3, 4]))
    with pytest.raises(ValueError, match=r"received 3 sequences in X and 2 targets in y"):
        check_same_length([np.zeros(2)] * 3, ["a", "b"])
    with pytest.raises(TypeError, match=r"y must hold one entry per sample"):
        check_same_length([np.zeros(2)], 5)


def test_check_step_targets():
    X = [np.zeros((3, 2)), np.zeros((5, 2))]
    check_step_targets(X, [["a", "b", "c"], np.arange(5)])
    with pytest.raises(ValueError, match=r"Y\[1\] has 4 targets but X\[1\] has 5 steps"):
        check_step_targets(X, [np.arange(3), np.arange(4)])
    with pytest.raises(ValueError, match=r"Y\[0\] must hold one target per step \(3 for X\[0\]\)"):
        check_step_targets(X, ["a", np.arange(5)])
    with pytest.raises(ValueError, match=r"2 sequences in X and 1 targets in Y"):
        check_step_targets(X, [np.arange(3)])


# ------------------------------------------------------------------ LabelEncoding


def test_string_labels_round_trip_and_keep_their_type():
    enc = LabelEncoding().fit(["dog", "cat", "dog", "bird"])
    assert enc.classes_.tolist() == ["bird", "cat", "dog"]
    assert enc.num_classes == 3
    codes = enc.encode(["cat", "dog", "bird"])
    assert codes.dtype == np.int64 and codes.tolist() == [1, 2, 0]
    decoded = enc.decode(codes)
    assert decoded.tolist() == ["cat", "dog", "bird"]
    assert isinstance(decoded[0], np.str_)


def test_integer_labels_keep_their_values():
    enc = LabelEncoding().fit(np.array([10, 3, 7, 3]))
    assert enc.encode([7, 10]).tolist() == [1, 2]
    assert enc.decode(torch.tensor([0, 2])).tolist() == [3, 10]
    assert enc.decode(np.array([[0, 1], [2, 2]])).shape == (2, 2)


def test_object_and_tensor_labels():
    assert LabelEncoding().fit(np.array(["a", "b"], dtype=object)).classes_.tolist() == ["a", "b"]
    assert LabelEncoding().fit(torch.tensor([1, 0, 1])).classes_.tolist() == [0, 1]
    assert LabelEncoding().fit([True, False]).decode([1]).tolist() == [True]


@pytest.mark.parametrize("labels", [["b", "a", "c"], [3, 1, 2], np.array([2, 1], np.int32)])
def test_to_dict_is_json_safe_and_round_trips(labels):
    enc = LabelEncoding().fit(labels)
    text = json.dumps(enc.to_dict())  # numpy scalars would fail here
    back = LabelEncoding.from_dict(json.loads(text))
    np.testing.assert_array_equal(back.classes_, enc.classes_)
    assert back.classes_.dtype.kind == enc.classes_.dtype.kind
    assert back.decode([0, 1]).tolist() == enc.decode([0, 1]).tolist()
    assert back.per_step_ is False


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from("xyzw"), min_size=2).filter(lambda v: len(set(v)) > 1))
def test_encode_then_decode_is_identity(labels):
    enc = LabelEncoding().fit(labels)
    assert enc.decode(enc.encode(labels)).tolist() == labels


def test_single_class_is_refused():
    with pytest.raises(ValueError, match=r"only one class: 'a'; a classifier needs at least 2"):
        LabelEncoding().fit(["a", "a", "a"])
    with pytest.raises(ValueError, match=r"only one class: 3;"):
        LabelEncoding().fit([3, 3])


def test_unknown_label_names_label_and_index():
    enc = LabelEncoding().fit(["a", "b"])
    with pytest.raises(ValueError, match=r"y_test\[2\] is 'c', a label not seen in training"):
        enc.encode(["a", "b", "c"], name="y_test")
    with pytest.raises(ValueError, match=r"y\[0\] is 1, a label not seen.*labels at fit were str"):
        enc.encode([1, 2])


@pytest.mark.parametrize(
    "labels,error,pattern",
    [
        ([], ValueError, r"y must hold at least one label"),
        ("abc", ValueError, r"y must be a 1-D sequence of labels; received the single label"),
        (["a", 1], TypeError, r"y mixes label types: y\[0\] is 'a' \(str\) but y\[1\] is 1"),
        (["a", None], TypeError, r"y\[1\] must be a str, int, bool or float label; received None"),
        ([1.0, np.nan], ValueError, r"y\[1\] is nan; labels must not be missing"),
        (np.array([1 + 1j, 2j]), TypeError, r"y must hold str, int, bool or float labels"),
    ],
)
def test_bad_labels(labels, error, pattern):
    with pytest.raises(error, match=pattern):
        LabelEncoding().fit(labels, per_step=False)


def test_encode_checks_count_against_X():
    enc = LabelEncoding().fit(["a", "b"])
    with pytest.raises(ValueError, match=r"3 sequences in X and 2 targets in y"):
        enc.encode(["a", "b"], X=[np.zeros((2, 1))] * 3)


def test_unfitted_and_bad_indices():
    with pytest.raises(ValueError, match=r"not fitted yet"):
        LabelEncoding().encode(["a"])
    enc = LabelEncoding().fit(["a", "b"])
    with pytest.raises(ValueError, match=r"indices must lie in \[0, 2\).*received 5 at position 1"):
        enc.decode([0, 5])
    with pytest.raises(TypeError, match=r"indices must be integers; received dtype float64"):
        enc.decode(np.array([0.0]))
    with pytest.raises(ValueError, match=r"values must be a dict from LabelEncoding.to_dict"):
        LabelEncoding.from_dict({"classes": [1]})


# ------------------------------------------------------------- per-step labels


def test_per_step_labels_encode_elementwise():
    Y = [np.array(["b", "a"]), ["c", "c", "a"]]
    enc = LabelEncoding().fit(Y)
    assert enc.per_step_ and enc.classes_.tolist() == ["a", "b", "c"]
    codes = enc.encode(Y, X=[np.zeros((2, 4)), np.zeros((3, 4))])
    assert [c.tolist() for c in codes] == [[1, 0], [2, 2, 0]]
    assert [d.tolist() for d in enc.decode(codes)] == [["b", "a"], ["c", "c", "a"]]
    back = LabelEncoding.from_dict(json.loads(json.dumps(enc.to_dict())))
    assert back.per_step_ and [c.tolist() for c in back.encode(Y)] == [[1, 0], [2, 2, 0]]


def test_per_step_labels_from_2d_array():
    enc = LabelEncoding().fit(np.array([[0, 1, 1], [2, 2, 0]]))
    assert enc.per_step_ and enc.num_classes == 3


def test_per_step_unknown_label_names_sequence_and_step():
    enc = LabelEncoding().fit([["a", "b"], ["b"]])
    with pytest.raises(ValueError, match=r"Y\[1\]\[2\] is 'z', a label not seen in training"):
        enc.encode([["a"], ["b", "a", "z"]], name="Y")


def test_per_step_length_mismatch_names_the_sample():
    enc = LabelEncoding().fit([["a", "b"], ["b"]])
    X = [np.zeros((2, 1)), np.zeros((3, 1))]
    with pytest.raises(ValueError, match=r"Y\[1\] has 2 targets but X\[1\] has 3 steps"):
        enc.encode([["a", "b"], ["b", "a"]], "Y", X=X)


def test_per_step_form_is_enforced():
    enc = LabelEncoding().fit([["a", "b"], ["b"]])
    with pytest.raises(ValueError, match=r"Y\[0\] must be a 1-D sequence of labels, one per step"):
        enc.encode(["a", "b"], name="Y")
    with pytest.raises(ValueError, match=r"Y\[1\] must hold at least one label"):
        LabelEncoding().fit([["a"], []], name="Y")
    flat = LabelEncoding().fit(["a", "b"])
    with pytest.raises(TypeError, match=r"y\[0\] must be a str, int, bool or float label"):
        flat.encode([["a"], ["b"]])
