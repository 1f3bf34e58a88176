"""Weights move both ways between lstmkit.nn.LSTM and torch.nn.LSTM."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from lstmkit.nn import LSTM, LSTMCell

TORCH_CONFIGS = [
    {"num_layers": 1},
    {"num_layers": 2, "bidirectional": True},
    {"num_layers": 2, "proj_size": 3},
    {"num_layers": 3, "bidirectional": True, "proj_size": 2, "bias": False},
]


@pytest.mark.parametrize("config", TORCH_CONFIGS)
def test_native_equals_torch_lstm_float32(config):
    reference = nn.LSTM(5, 7, batch_first=True, **config)
    layer = LSTM.from_torch(reference)
    assert layer.active_backend == "native"
    rows = reference.num_layers * (2 if reference.bidirectional else 1)
    x = torch.randn(4, 11, 5)
    h0 = torch.randn(rows, 4, reference.proj_size or 7)
    c0 = torch.randn(rows, 4, 7)
    y, (h, c) = layer(x, (h0, c0))
    y_ref, (h_ref, c_ref) = reference(x, (h0, c0))
    assert (y - y_ref).abs().max() <= 1e-5
    assert (h - h_ref).abs().max() <= 1e-5
    assert (c - c_ref).abs().max() <= 1e-5


@pytest.mark.parametrize("side", ["right", "left"])
def test_native_padded_equals_torch_packed(side):
    reference = nn.LSTM(3, 6, num_layers=2, bidirectional=True, batch_first=True)
    layer = LSTM.from_torch(reference, padding_side=side)
    lengths = torch.tensor([9, 4, 6, 1])
    x = torch.randn(4, 9, 3)
    y, (h, _) = layer(x, lengths=lengths)
    for b, n in enumerate(lengths.tolist()):
        seq = x[b, :n] if side == "right" else x[b, 9 - n :]
        y_b, (h_b, _) = reference(seq.unsqueeze(0))
        rows = slice(0, n) if side == "right" else slice(9 - n, 9)
        assert (y[b, rows] - y_b[0]).abs().max() <= 1e-5
        assert (h[:, b] - h_b[:, 0]).abs().max() <= 1e-5


def test_round_trip_and_state_dict():
    reference = nn.LSTM(4, 8, num_layers=2, bidirectional=True, batch_first=True, proj_size=3)
    layer = LSTM(4, 8, num_layers=2, bidirectional=True, proj_size=3)
    assert {k: v.shape for k, v in layer.state_dict().items()} == {
        k: v.shape for k, v in reference.state_dict().items()
    }
    layer.load_state_dict(reference.state_dict())
    back = layer.to_torch()
    assert isinstance(back, nn.LSTM)
    x = torch.randn(2, 5, 4)
    assert torch.equal(back(x)[0], reference(x)[0])


def test_from_torch_keeps_dtype_and_options():
    reference = nn.LSTM(2, 3, batch_first=False).double()
    layer = LSTM.from_torch(reference, output_mode="last")
    assert layer.batch_first is False and layer.output_mode == "last"
    assert next(layer.parameters()).dtype == torch.float64


def test_to_torch_refuses_variants():
    with pytest.raises(ValueError, match="peephole=True"):
        LSTM(2, 3, peephole=True).to_torch()
    with pytest.raises(TypeError, match=r"torch\.nn\.modules\.rnn\.LSTM"):
        LSTM.from_torch(nn.GRU(2, 3))


def test_lstm_cell_equals_torch_lstm_cell():
    reference = nn.LSTMCell(3, 5)
    cell = LSTMCell(3, 5)
    cell.load_state_dict(reference.state_dict())
    x, h0, c0 = torch.randn(4, 3), torch.randn(4, 5), torch.randn(4, 5)
    h, (_, c) = cell(x, (h0, c0))
    h_ref, c_ref = reference(x, (h0, c0))
    assert (h - h_ref).abs().max() <= 1e-6
    assert (c - c_ref).abs().max() <= 1e-6


def test_default_initialisation_is_glorot_orthogonal_unit_forget():
    layer = LSTM(6, 4)
    w_hh = layer.weight_hh_l0.detach()
    for block in w_hh.chunk(4):  # each gate's recurrent map is orthogonal
        assert torch.allclose(block @ block.T, torch.eye(4), atol=1e-5)
    bias = (layer.bias_ih_l0 + layer.bias_hh_l0).detach()
    assert torch.equal(bias[4:8], torch.ones(4)) and bias[:4].abs().sum() == 0
    bound = (6 / (6 + 16)) ** 0.5
    assert layer.weight_ih_l0.abs().max() <= bound
    narrow = LSTM(6, 4, input_initializer="narrow-normal")
    assert narrow.weight_ih_l0.std() < 0.02
