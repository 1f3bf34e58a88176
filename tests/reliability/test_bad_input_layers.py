"""Bad-input catalogue: the layers (lstmkit.nn).

Before issue 12, float64/float16/bfloat16 input to a float32 layer (or float32 input to
a float64 layer) got torch's raw dtype error from deep inside a kernel ("mat1 and mat2
must have the same dtype", "get_mkldnn_dtype: unsupported data type"), and an input on
another device than the weights got torch's device error. Now the layer says which
dtype (device) it has and how to convert, in ``forward`` and in ``step``.
"""

from __future__ import annotations

import pytest
import torch

from lstmkit.nn import GRU, LSTM, RNN

LAYERS = {
    "lstm": lambda: LSTM(3, 4),
    "gru": lambda: GRU(3, 4),
    "rnn": lambda: RNN(3, 4),
    "lstm-peephole": lambda: LSTM(3, 4, peephole=True),  # the fused backend
    "gru-layer-norm": lambda: GRU(3, 4, layer_norm=True),  # the reference backend
}

CONVERSIONS = [
    (torch.float64, r"layer\.double\(\)"),
    (torch.float16, r"layer\.to\(torch\.float16\)"),
    (torch.bfloat16, r"layer\.to\(torch\.bfloat16\)"),
]


@pytest.mark.parametrize("make", LAYERS.values(), ids=LAYERS.keys())
@pytest.mark.parametrize("dtype,to_layer", CONVERSIONS, ids=lambda v: str(v).split(".")[-1])
def test_input_of_another_dtype_says_how_to_convert(make, dtype, to_layer):
    layer = make()
    x = torch.zeros(2, 5, 3, dtype=dtype)
    pattern = (
        rf"x has dtype {dtype} but the layer's weights are torch\.float32; convert the input "
        rf"with x\.float\(\) or the layer with {to_layer}"
    )
    with pytest.raises(TypeError, match=pattern):
        layer(x)


@pytest.mark.parametrize("dtype,to_layer", CONVERSIONS, ids=lambda v: str(v).split(".")[-1])
def test_step_input_of_another_dtype_names_x_t(dtype, to_layer):
    pattern = rf"x_t has dtype {dtype} .* convert the input with x_t\.float\(\) or the layer with"
    with pytest.raises(TypeError, match=pattern + " " + to_layer):
        LSTM(3, 4).step(torch.zeros(2, 3, dtype=dtype))


def test_float32_input_to_a_float64_layer():
    with pytest.raises(TypeError, match=r"convert the input with x\.double\(\) or the layer with "):
        LSTM(3, 4).double()(torch.zeros(2, 5, 3))


def test_state_of_another_dtype_names_the_state_and_the_input():
    layer = LSTM(3, 4)
    h0 = torch.zeros(1, 2, 4, dtype=torch.float64)
    pattern = r"state\[0\] \(h_0\) must have dtype torch\.float32 like x; received torch\.float64"
    with pytest.raises(TypeError, match=pattern):
        layer(torch.zeros(2, 5, 3), (h0, torch.zeros(1, 2, 4)))
    with pytest.raises(TypeError, match=r"like x_t; received torch\.float64"):
        layer.step(torch.zeros(2, 3), (h0, torch.zeros(1, 2, 4)))


def test_input_on_another_device_names_both_devices():
    # The "meta" device stands in for a GPU: any device other than the weights'.
    pattern = r"x is on meta but the layer's weights are on cpu; move the input with x\.to\('cpu'\)"
    with pytest.raises(ValueError, match=pattern):
        LSTM(3, 4)(torch.zeros(2, 5, 3, device="meta"))
    with pytest.raises(ValueError, match=r"x_t is on meta but the layer's weights are on cpu"):
        GRU(3, 4).step(torch.zeros(2, 3, device="meta"))


@pytest.mark.parametrize(
    "x_t,error,pattern",
    [
        (torch.zeros(2, 5), ValueError, r"x_t must have 3 features .*received shape \(2, 5\)"),
        (torch.zeros(2, 3, dtype=torch.int64), TypeError, r"x_t must be a floating-point"),
        (torch.zeros(2, 1, 3), ValueError, r"x_t must be a 2-D tensor \(batch, features\)"),
    ],
)
def test_step_errors_name_x_t_and_its_own_shape(x_t, error, pattern):
    with pytest.raises(error, match=pattern):
        LSTM(3, 4).step(x_t)


def test_matching_input_and_autocast_still_run():
    layer = LSTM(3, 4)
    assert layer(torch.zeros(2, 5, 3))[0].shape == (2, 5, 4)
    assert layer.double()(torch.zeros(2, 5, 3, dtype=torch.float64))[0].dtype == torch.float64
    # Under autocast the ops cast themselves: a bfloat16 input is not refused.
    with torch.autocast("cpu", dtype=torch.bfloat16):
        out, _ = LSTM(3, 4)(torch.zeros(2, 5, 3, dtype=torch.bfloat16))
    assert out.shape == (2, 5, 4)
