"""Bad input gets a clear error naming the argument, the expectation and what came."""

from __future__ import annotations

import pytest
import torch

from lstmkit.nn import LSTM, LSTMCell


@pytest.mark.parametrize(
    "kwargs,error,pattern",
    [
        ({"hidden_size": 0}, ValueError, r"hidden_size must be an int >= 1; received 0"),
        ({"hidden_size": 4.0}, TypeError, r"hidden_size must be an int.*4\.0"),
        ({"num_layers": 0}, ValueError, r"num_layers"),
        ({"dropout": 1.5}, ValueError, r"dropout must be a float in \[0, 1\); received 1\.5"),
        ({"recurrent_dropout": -0.1}, ValueError, r"recurrent_dropout"),
        ({"zoneout": (0.1, 0.2, 0.3)}, ValueError, r"zoneout must be a float or a tuple of 2"),
        ({"zoneout": 1.0}, ValueError, r"zoneout"),
        ({"proj_size": 8}, ValueError, r"proj_size must be smaller than hidden_size \(8\)"),
        ({"state_activation": "gelu"}, ValueError, r"state_activation must be one of.*'gelu'"),
        ({"gate_activation": "tanh"}, ValueError, r"gate_activation must be one of"),
        ({"output_mode": "all"}, ValueError, r"output_mode must be one of 'sequence', 'last'"),
        ({"padding_side": "top"}, ValueError, r"padding_side"),
        ({"backend": "cuda"}, ValueError, r"backend must be one of 'auto', 'reference'"),
        ({"input_initializer": "xavier"}, ValueError, r"input_initializer"),
        ({"bias_initializer": "ones"}, ValueError, r"bias_initializer"),
        ({"peephole": "yes"}, TypeError, r"peephole must be True or False"),
        ({"backend": "native", "peephole": True}, ValueError, r"backend='native' supports only"),
    ],
)
def test_bad_options(kwargs, error, pattern):
    options = {"input_size": 3, "hidden_size": 8} | kwargs
    with pytest.raises(error, match=pattern):
        LSTM(**options)


@pytest.mark.parametrize(
    "x,error,pattern",
    [
        (torch.randn(5, 3), ValueError, r"x must be 3-D \(batch, time, features\); received a 2-D"),
        (torch.randn(2, 5, 4), ValueError, r"x must have 3 features .*received shape \(2, 5, 4\)"),
        (torch.ones(2, 5, 3, dtype=torch.int64), TypeError, r"floating-point.*torch\.int64"),
        ([[1.0, 2.0, 3.0]], TypeError, r"x must be a torch\.Tensor.*list"),
        (torch.randn(0, 5, 3), ValueError, r"at least one sequence"),
    ],
)
def test_bad_x(x, error, pattern):
    with pytest.raises(error, match=pattern):
        LSTM(3, 4)(x)


@pytest.mark.parametrize(
    "lengths,error,pattern",
    [
        ([5, 6], ValueError, r"lengths must lie in \[1, 5\].*lengths\[1\] = 6"),
        ([0, 3], ValueError, r"lengths\[0\] = 0"),
        ([5, 3, 2], ValueError, r"lengths must have shape \(2,\).*\(3,\)"),
        (torch.tensor([2.0, 3.0]), TypeError, r"lengths must hold integers.*float32"),
        ("5,3", TypeError, r"lengths must be a 1-D integer tensor"),
    ],
)
def test_bad_lengths(lengths, error, pattern):
    with pytest.raises(error, match=pattern):
        LSTM(3, 4)(torch.randn(2, 5, 3), lengths=lengths)


def test_bad_state():
    layer = LSTM(3, 4, num_layers=2)
    x = torch.randn(2, 5, 3)
    with pytest.raises(ValueError, match=r"state\[0\] \(h_0\) must have shape \(2, 2, 4\)"):
        layer(x, (torch.zeros(1, 2, 4), torch.zeros(2, 2, 4)))
    with pytest.raises(ValueError, match=r"state\[1\] \(c_0\) must have shape \(2, 2, 4\)"):
        layer(x, (torch.zeros(2, 2, 4), torch.zeros(2, 3, 4)))
    with pytest.raises(TypeError, match=r"state must be a tuple \(h_0, c_0\)"):
        layer(x, torch.zeros(2, 2, 4))
    with pytest.raises(TypeError, match=r"dtype torch\.float32 like x"):
        layer(x, (torch.zeros(2, 2, 4, dtype=torch.float64), torch.zeros(2, 2, 4)))


def test_native_backend_refuses_gates():
    with pytest.raises(ValueError, match="return_gates=True needs"):
        LSTM(3, 4, backend="native")(torch.randn(1, 2, 3), return_gates=True)


def test_cell_bad_input():
    cell = LSTMCell(3, 4)
    with pytest.raises(ValueError, match=r"x must have shape \(batch, 3\); received \(2, 5\)"):
        cell(torch.randn(2, 5))
    with pytest.raises(ValueError, match=r"state\[1\] \(c\) must have shape \(2, 4\)"):
        cell(torch.randn(2, 3), (torch.zeros(2, 4), torch.zeros(2, 5)))


def test_native_with_recurrent_dropout_runs_in_eval_and_refuses_training():
    layer = LSTM(3, 4, backend="native", recurrent_dropout=0.3)
    x = torch.randn(2, 5, 3)
    with pytest.raises(ValueError, match=r"cannot apply recurrent dropout while training"):
        layer(x)
    layer.eval()
    layer(x)
    assert layer.last_backend == "native"
