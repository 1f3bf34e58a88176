"""Normalizer: statistics over all steps, constant features, inverse, JSON round trip."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from lstmkit.data import Normalizer


def _train(seed=0):
    rng = np.random.default_rng(seed)
    # features on very different scales, sequences of different lengths
    return [rng.normal([5.0, -300.0, 0.01], [2.0, 50.0, 0.001], size=(t, 3)) for t in (7, 30, 3)]


def test_zscore_uses_every_step_of_every_sequence():
    train = _train()
    steps = np.concatenate(train)
    norm = Normalizer("zscore").fit(train)
    np.testing.assert_allclose(norm.center_, steps.mean(axis=0))
    np.testing.assert_allclose(norm.scale_, steps.std(axis=0))
    out = np.concatenate(norm.transform(train))
    assert out.dtype == np.float32
    np.testing.assert_allclose(out.mean(axis=0), 0, atol=1e-5)
    np.testing.assert_allclose(out.std(axis=0), 1, atol=1e-5)


def test_rescale_maps_training_range_to_minus_one_one():
    train = _train()
    out = np.concatenate(Normalizer("rescale").fit(train).transform(train))
    np.testing.assert_allclose(out.min(axis=0), -1, atol=1e-6)
    np.testing.assert_allclose(out.max(axis=0), 1, atol=1e-6)


@pytest.mark.parametrize("method", ["zscore", "rescale"])
def test_constant_feature_becomes_zero_not_nan(method):
    train = [np.c_[np.arange(5.0), np.full(5, 3.7)], np.c_[np.arange(2.0), np.full(2, 3.7)]]
    norm = Normalizer(method).fit(train)
    assert norm.scale_[1] == 1.0
    out = norm.transform(train)
    assert np.isfinite(np.concatenate(out)).all()
    np.testing.assert_allclose(out[0][:, 1], 0, atol=1e-6)


@pytest.mark.parametrize("method", [None, "none"])
def test_none_passes_values_through(method):
    train = _train()
    norm = Normalizer(method).fit(train)
    assert norm.method == "none" and norm.center_ is None
    np.testing.assert_allclose(norm.transform(train)[1], train[1], rtol=1e-6)
    back = norm.inverse_transform(norm.transform(train))
    np.testing.assert_allclose(back[2], train[2], rtol=1e-6)


@pytest.mark.parametrize("method", ["zscore", "rescale", "none"])
def test_inverse_transform_recovers_input(method):
    train = _train()
    norm = Normalizer(method).fit(train)
    back = norm.inverse_transform(norm.transform(train))
    for original, recovered in zip(train, back, strict=True):
        assert recovered.dtype == np.float32
        scale = np.abs(original).max()
        np.testing.assert_allclose(recovered, original, rtol=1e-5, atol=1e-5 * scale)


@settings(max_examples=30, deadline=None)
@given(
    hnp.arrays(
        np.float64,
        hnp.array_shapes(min_dims=2, max_dims=2, min_side=1, max_side=20),
        elements=st.floats(-1e3, 1e3, allow_nan=False, allow_subnormal=False),
    ),
    st.sampled_from(["zscore", "rescale"]),
)
def test_inverse_transform_recovers_any_input(data, method):
    data = data.astype(np.float32).astype(np.float64)  # what as_sequences keeps
    norm = Normalizer(method).fit([data])
    back = norm.inverse_transform(norm.transform([data]))[0]
    np.testing.assert_allclose(back, data, atol=1e-5 * max(1.0, np.abs(data).max()))


def test_inverse_transform_of_tensors_and_arrays_keeps_shape_and_type():
    norm = Normalizer("zscore").fit(_train())
    out = torch.zeros(4, 6, 3, dtype=torch.float64)
    back = norm.inverse_transform(out)
    assert isinstance(back, torch.Tensor) and back.shape == (4, 6, 3)
    assert back.dtype == torch.float64
    np.testing.assert_allclose(back[2, 5].numpy(), norm.center_)
    assert norm.inverse_transform(np.zeros(3)).shape == (3,)


def test_to_dict_round_trip_is_json_safe():
    train = _train()
    norm = Normalizer("rescale").fit(train)
    back = Normalizer.from_dict(json.loads(json.dumps(norm.to_dict())))
    assert back.method == "rescale" and back.num_features_ == 3
    np.testing.assert_array_equal(back.transform(train)[1], norm.transform(train)[1])
    none = Normalizer.from_dict(json.loads(json.dumps(Normalizer(None).fit(train).to_dict())))
    assert none.method == "none" and none.num_features_ == 3


def test_errors():
    with pytest.raises(ValueError, match=r"method must be one of 'zscore', 'rescale'.*'minmax'"):
        Normalizer("minmax")
    with pytest.raises(ValueError, match=r"Normalizer is not fitted yet; call fit"):
        Normalizer().transform([np.zeros((2, 3))])
    norm = Normalizer().fit(_train())
    with pytest.raises(ValueError, match=r"seqs must have 3 features .*seqs\[0\] with 2"):
        norm.transform([np.zeros((2, 2))])
    with pytest.raises(ValueError, match=r"seqs\[1\] holds a non-finite value \(nan\) at step 0"):
        norm.transform([np.zeros((2, 3)), np.full((2, 3), np.nan)])
    with pytest.raises(ValueError, match=r"values\[1\] must have the 3 fitted features"):
        norm.inverse_transform([np.zeros((2, 3)), np.zeros((2, 4))])
    with pytest.raises(ValueError, match=r"values must be a dict from Normalizer.to_dict"):
        Normalizer.from_dict({"center": [0.0]})
