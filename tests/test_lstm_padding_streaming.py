"""Padded batches, streaming with step(), and gate introspection."""

from __future__ import annotations

import pytest
import torch

from lstmkit.nn import LSTM
from tests.helpers import pad_batch, randomize_

CONFIGS = [
    ("native", {}),
    ("fused", {"peephole": True, "layer_norm": True}),
    ("fused", {"proj_size": 3, "zoneout": 0.2}),
    ("reference", {"coupled_gates": True}),
]


@pytest.mark.parametrize("backend,options", CONFIGS)
@pytest.mark.parametrize("side", ["right", "left"])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_padded_batch_equals_each_sequence_alone(backend, options, side, bidirectional):
    layer = LSTM(
        4, 6, num_layers=2, bidirectional=bidirectional, padding_side=side,
        backend=backend, **options,
    ).double().eval()  # fmt: skip
    randomize_(layer)
    lengths = [7, 3, 1, 5]
    seqs = [torch.randn(n, 4, dtype=torch.float64) for n in lengths]
    x = pad_batch(seqs, 7, side)
    y, (h, c) = layer(x, lengths=lengths)
    assert layer.last_backend == backend
    for b, s in enumerate(seqs):
        y_b, (h_b, c_b) = layer(s.unsqueeze(0))
        rows = slice(0, lengths[b]) if side == "right" else slice(7 - lengths[b], 7)
        assert torch.allclose(y[b, rows], y_b[0], atol=1e-10)
        assert torch.allclose(h[:, b], h_b[:, 0], atol=1e-10)
        assert torch.allclose(c[:, b], c_b[:, 0], atol=1e-10)
        pad = torch.ones(7, dtype=torch.bool)
        pad[rows] = False
        assert torch.equal(y[b, pad], torch.zeros_like(y[b, pad]))  # padded outputs are zero


@pytest.mark.parametrize("side", ["right", "left"])
@pytest.mark.parametrize("backend", ["native", "fused"])
def test_last_output_mode_gives_each_sequence_last_step(side, backend):
    layer = LSTM(3, 5, padding_side=side, backend=backend).double()
    randomize_(layer)
    lengths = [6, 2, 4]
    seqs = [torch.randn(n, 3, dtype=torch.float64) for n in lengths]
    layer.output_mode = "last"
    last = layer(pad_batch(seqs, 6, side), lengths=lengths)[0]
    layer.output_mode = "sequence"
    for b, s in enumerate(seqs):
        assert torch.allclose(last[b], layer(s.unsqueeze(0))[0][0, -1], atol=1e-10)


def test_bidirectional_last_is_both_final_states():
    layer = LSTM(3, 5, bidirectional=True, output_mode="last").double()
    x = torch.randn(2, 6, 3, dtype=torch.float64)
    last, (h, _) = layer(x)
    assert last.shape == (2, 10)
    assert torch.allclose(last, torch.cat([h[-2], h[-1]], dim=-1))
    layer.output_mode = "sequence"
    y = layer(x)[0]
    assert torch.allclose(last[:, :5], y[:, -1, :5])  # forward direction ends at T-1
    assert torch.allclose(last[:, 5:], y[:, 0, 5:])  # backward direction ends at 0


@pytest.mark.parametrize("backend,options", CONFIGS)
def test_step_streaming_equals_full_pass(backend, options):
    layer = LSTM(4, 6, num_layers=2, backend=backend, **options).double().eval()
    randomize_(layer)
    x = torch.randn(3, 9, 4, dtype=torch.float64)
    y_full, (h_full, c_full) = layer(x)
    state = None
    for t in range(9):
        y_t, state = layer.step(x[:, t], state)
        assert torch.allclose(y_t, y_full[:, t], atol=1e-12)
    assert torch.allclose(state[0], h_full, atol=1e-12)
    assert torch.allclose(state[1], c_full, atol=1e-12)


def test_step_refuses_bidirectional():
    with pytest.raises(ValueError, match="bidirectional"):
        LSTM(2, 3, bidirectional=True).step(torch.randn(1, 2))


@pytest.mark.parametrize("backend", ["reference", "fused"])
def test_gates_reproduce_the_cell_equations(backend):
    layer = LSTM(3, 4, num_layers=2, bidirectional=True, backend=backend).double()
    randomize_(layer)
    x = torch.randn(2, 5, 3, dtype=torch.float64)
    y, (_, c), gates = layer(x, return_gates=True)
    assert set(gates) == {"i", "f", "g", "o", "c"}
    for value in gates.values():
        assert value.shape == (2, 2, 2, 5, 4)  # (layers, directions, B, T, H)
    i, f, g, o, cell = (gates[k] for k in "ifgoc")
    # c_t = f c_{t-1} + i g and h_t = o tanh(c_t), forward direction of the top layer
    c_prev = torch.cat([torch.zeros_like(cell[:, :, :, :1]), cell[:, :, :, :-1]], dim=3)
    assert torch.allclose(cell[:, 0], (f * c_prev + i * g)[:, 0], atol=1e-12)
    assert torch.allclose(y[..., :4], (o * torch.tanh(cell))[1, 0], atol=1e-12)
    assert torch.allclose(cell[1, 0, :, -1], c[2], atol=1e-12)
    assert torch.all((i > 0) & (i < 1) & (f > 0) & (f < 1))


def test_gates_agree_between_backends_and_are_zero_when_padded():
    layer = LSTM(3, 4, coupled_gates=True, peephole=True).double()
    randomize_(layer)
    x = torch.randn(2, 5, 3, dtype=torch.float64)
    out = {}
    for backend in ("reference", "fused"):
        layer.backend = backend
        out[backend] = layer(x, lengths=[5, 2], return_gates=True)[2]
    for k in "ifgoc":
        assert torch.allclose(out["reference"][k], out["fused"][k], atol=1e-12)
    assert torch.allclose(out["fused"]["i"][0, 0, 0], 1 - out["fused"]["f"][0, 0, 0])
    assert torch.equal(out["fused"]["c"][0, 0, 1, 2:], torch.zeros(3, 4, dtype=torch.float64))


@pytest.mark.parametrize("padding_side", ["right", "left"])
@pytest.mark.parametrize("backend", ["auto", "reference"])
def test_lengths_that_pad_nothing_take_the_unpadded_path(padding_side, backend, monkeypatch):
    import lstmkit.nn.backends.native as native
    from lstmkit.nn import GRU

    def refuse(*args, **kwargs):  # packing would be pure cost: nothing is padded
        raise AssertionError("pack_padded_sequence called for full-length sequences")

    monkeypatch.setattr(native, "pack_padded_sequence", refuse)
    x = torch.randn(3, 7, 4, dtype=torch.float64, requires_grad=True)
    for layer in (LSTM(4, 5, padding_side=padding_side, backend=backend).double(),
                  GRU(4, 5, padding_side=padding_side, backend=backend).double()):  # fmt: skip
        y_plain, state_plain = layer(x)
        y_full, state_full = layer(x, lengths=[7, 7, 7])
        torch.testing.assert_close(y_full, y_plain, rtol=0, atol=0)
        for a, b in zip(state_full if isinstance(state_full, tuple) else (state_full,),
                        state_plain if isinstance(state_plain, tuple) else (state_plain,),
                        strict=True):  # fmt: skip
            torch.testing.assert_close(a, b, rtol=0, atol=0)
    if backend == "auto":  # real padding still packs for torch's kernel
        with pytest.raises(AssertionError, match="pack_padded_sequence"):
            LSTM(4, 5, padding_side=padding_side)(x.float(), lengths=[7, 6, 7])
