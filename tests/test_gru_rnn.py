"""GRU and Elman RNN: torch parity, every backend vs the reference, gradients, padding,
streaming, the reset_after option, bad input, and the single-step cells."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from lstmkit.nn import GRU, RNN, GRUCell, RNNCell
from tests.helpers import assert_backends_match_reference, max_diff, pad_batch, randomize_

TOL = 1e-8

# (class, torch class, extra torch kwargs): the three native kernels
TORCH_KINDS = [
    pytest.param(GRU, nn.GRU, {}, id="gru"),
    pytest.param(RNN, nn.RNN, {"nonlinearity": "tanh"}, id="rnn_tanh"),
    pytest.param(RNN, nn.RNN, {"nonlinearity": "relu"}, id="rnn_relu"),
]

# Variants torch's kernels lack: "auto" runs them on the reference backend
REFERENCE_VARIANTS = [
    pytest.param(GRU, {"reset_after": False}, id="gru-reset_before"),
    pytest.param(GRU, {"layer_norm": True}, id="gru-layer_norm"),
    pytest.param(GRU, {"layer_norm": True, "reset_after": False}, id="gru-ln-reset_before"),
    pytest.param(GRU, {"zoneout": 0.25}, id="gru-zoneout"),
    pytest.param(GRU, {"state_activation": "relu"}, id="gru-relu"),
    pytest.param(
        GRU,
        {"state_activation": "softsign", "gate_activation": "hard_sigmoid"},
        id="gru-softsign-hard_sigmoid",
    ),
    pytest.param(RNN, {"zoneout": 0.25}, id="rnn-zoneout"),
    pytest.param(RNN, {"nonlinearity": "relu", "zoneout": 0.1}, id="rnn-relu-zoneout"),
]


def _rows(length, steps, side):
    return slice(0, length) if side == "right" else slice(steps - length, steps)


# ------------------------------------------------------------------ torch parity
@pytest.mark.parametrize("cls,torch_cls,torch_kwargs", TORCH_KINDS)
@pytest.mark.parametrize("batch_first", [True, False])
def test_native_equals_torch(cls, torch_cls, torch_kwargs, batch_first):
    module = torch_cls(4, 6, num_layers=2, bidirectional=True, batch_first=batch_first,
                       **torch_kwargs)  # fmt: skip
    layer = cls.from_torch(module)
    x = torch.randn(3, 7, 4) if batch_first else torch.randn(7, 3, 4)
    h0 = torch.randn(4, 3, 6)
    y, h = layer(x, h0)
    y_t, h_t = module(x, h0)
    assert layer.last_backend == "native"
    assert y.shape == y_t.shape and h.shape == h_t.shape
    assert max_diff(y, y_t) <= 1e-5 and max_diff(h, h_t) <= 1e-5


@pytest.mark.parametrize("cls,torch_cls,torch_kwargs", TORCH_KINDS)
@pytest.mark.parametrize("side", ["right", "left"])
def test_native_padded_equals_torch_on_each_sequence(cls, torch_cls, torch_kwargs, side):
    module = torch_cls(4, 6, num_layers=2, bidirectional=True, batch_first=True, **torch_kwargs)
    layer = cls.from_torch(module, padding_side=side)
    lengths = [7, 3, 1, 5]
    seqs = [torch.randn(n, 4) for n in lengths]
    y, h = layer(pad_batch(seqs, 7, side), lengths=lengths)
    assert layer.last_backend == "native"
    with torch.no_grad():
        for b, s in enumerate(seqs):
            y_b, h_b = module(s.unsqueeze(0))
            rows = _rows(lengths[b], 7, side)
            assert max_diff(y[b, rows], y_b[0]) <= 1e-5
            assert max_diff(h[:, b], h_b[:, 0]) <= 1e-5
            pad = torch.ones(7, dtype=torch.bool)
            pad[rows] = False
            assert torch.equal(y[b, pad], torch.zeros_like(y[b, pad]))  # padded steps: zero


@pytest.mark.parametrize("cls,torch_cls,torch_kwargs", TORCH_KINDS)
def test_torch_interop_round_trip(cls, torch_cls, torch_kwargs):
    module = torch_cls(3, 5, num_layers=2, bias=False, batch_first=True, **torch_kwargs)
    layer = cls(3, 5, num_layers=2, bias=False, **torch_kwargs)
    layer.load_state_dict(module.state_dict())  # same names and shapes
    assert [n for n, _ in layer.named_parameters()] == [n for n, _ in module.named_parameters()]
    back = layer.to_torch()
    assert type(back) is torch_cls
    assert getattr(back, "nonlinearity", None) == getattr(module, "nonlinearity", None)
    x = torch.randn(2, 6, 3)
    assert max_diff(back(x)[0], module(x)[0]) == 0.0
    assert max_diff(layer(x)[0], module(x)[0]) <= 1e-5


def test_from_torch_refuses_the_wrong_class_and_to_torch_the_variants():
    with pytest.raises(TypeError, match=r"module must be a torch\.nn\.modules\.rnn\.GRU"):
        GRU.from_torch(nn.LSTM(2, 3))
    with pytest.raises(TypeError, match=r"module must be a .*RNN; received GRU"):
        RNN.from_torch(nn.GRU(2, 3))
    with pytest.raises(ValueError, match=r"to_torch\(\) needs the standard options.*reset_after"):
        GRU(2, 3, reset_after=False).to_torch()
    with pytest.raises(ValueError, match=r"to_torch\(\) needs the standard options.*zoneout=0.1"):
        RNN(2, 3, zoneout=0.1).to_torch()


# ---------------------------------------------------- every backend vs reference
@pytest.mark.parametrize(
    "cls,options",
    [
        pytest.param(GRU, {}, id="gru"),
        pytest.param(RNN, {"nonlinearity": "tanh"}, id="rnn_tanh"),
        pytest.param(RNN, {"nonlinearity": "relu"}, id="rnn_relu"),
    ],
)
@pytest.mark.parametrize(
    "layout",
    [
        {"num_layers": 2, "bidirectional": True},
        {"num_layers": 2, "batch_first": False, "bias": False},
        {"bidirectional": True, "padding_side": "left"},
    ],
)
@pytest.mark.parametrize("padded", [False, True])
def test_every_backend_matches_reference(cls, options, layout, padded):
    # every registered backend that can run the case (native here), not a fixed list
    layer = cls(3, 5, **options, **layout).double()
    randomize_(layer)
    batch, steps = 3, 6
    shape = (batch, steps, 3) if layer.batch_first else (steps, batch, 3)
    x = torch.randn(shape, dtype=torch.float64, requires_grad=True)
    rows = layer.num_layers * layer.num_directions
    h0 = torch.randn(rows, batch, 5, dtype=torch.float64, requires_grad=True)
    lengths = torch.tensor([6, 2, 4]) if padded else None
    assert "native" in assert_backends_match_reference(layer, x, h0, lengths, tol=TOL)


def test_auto_backend_choice():
    assert GRU(3, 4).active_backend == "native"
    assert GRU(3, 4, num_layers=2, bidirectional=True, bias=False).active_backend == "native"
    assert GRU(3, 4, reset_after=False).active_backend == "reference"
    assert GRU(3, 4, layer_norm=True).active_backend == "reference"
    assert GRU(3, 4, gate_activation="hard_sigmoid").active_backend == "reference"
    assert GRU(3, 4, zoneout=0.1).eval().active_backend == "reference"
    dropped = GRU(3, 4, recurrent_dropout=0.2)
    assert dropped.active_backend == "reference"  # training: the mask is lstmkit's own
    assert dropped.eval().active_backend == "native"  # eval: no mask, torch's kernel
    assert RNN(3, 4, nonlinearity="relu").active_backend == "native"
    assert RNN(3, 4, zoneout=0.1).active_backend == "reference"


# ------------------------------------------------------------------- gradcheck
@pytest.mark.parametrize(
    "cls,options",
    [
        *REFERENCE_VARIANTS,
        pytest.param(GRU, {}, id="gru-standard"),
        pytest.param(RNN, {"nonlinearity": "relu"}, id="rnn-relu"),
    ],
)
def test_gradcheck_reference(cls, options):
    # eval mode: zoneout is then a deterministic mix, so gradcheck's repeated
    # evaluations see one function.
    layer = cls(2, 3, bidirectional=True, backend="reference", **options).double().eval()
    randomize_(layer)
    x = torch.randn(2, 4, 2, dtype=torch.float64, requires_grad=True)
    h0 = torch.randn(2, 2, 3, dtype=torch.float64, requires_grad=True)
    names = [n for n, _ in layer.named_parameters()]

    def functional(x, h0, *flat):
        weights = dict(zip(names, flat, strict=True))
        y, h = torch.func.functional_call(layer, weights, (x, h0), {"lengths": [4, 3]})
        return y, h

    inputs = (x, h0, *[p.detach().clone().requires_grad_() for p in layer.parameters()])
    assert torch.autograd.gradcheck(functional, inputs, eps=1e-6, atol=1e-7)


# ------------------------------------------------------------ padding, streaming
@pytest.mark.parametrize("cls,options", REFERENCE_VARIANTS)
@pytest.mark.parametrize("side", ["right", "left"])
def test_padded_batch_equals_each_sequence_alone(cls, options, side):
    layer = cls(4, 6, num_layers=2, bidirectional=True, padding_side=side,
                **options).double().eval()  # fmt: skip
    randomize_(layer)
    assert layer.active_backend == "reference"
    lengths = [7, 3, 1, 5]
    seqs = [torch.randn(n, 4, dtype=torch.float64) for n in lengths]
    y, h, gates = layer(pad_batch(seqs, 7, side), lengths=lengths, return_gates=True)
    for b, s in enumerate(seqs):
        y_b, h_b = layer(s.unsqueeze(0))
        rows = _rows(lengths[b], 7, side)
        assert max_diff(y[b, rows], y_b[0]) <= 1e-12
        assert max_diff(h[:, b], h_b[:, 0]) <= 1e-12
        pad = torch.ones(7, dtype=torch.bool)
        pad[rows] = False
        assert torch.equal(y[b, pad], torch.zeros_like(y[b, pad]))  # padded outputs are zero
        for value in gates.values():
            assert torch.equal(value[:, :, b, pad], torch.zeros_like(value[:, :, b, pad]))


@pytest.mark.parametrize("side", ["right", "left"])
def test_last_output_mode_gives_each_sequence_last_step(side):
    layer = GRU(3, 5, padding_side=side, layer_norm=True, output_mode="last").double()
    randomize_(layer)
    lengths = [6, 2, 4]
    seqs = [torch.randn(n, 3, dtype=torch.float64) for n in lengths]
    last, h = layer(pad_batch(seqs, 6, side), lengths=lengths)
    assert torch.equal(last, h[-1])
    layer.output_mode = "sequence"
    for b, s in enumerate(seqs):
        assert max_diff(last[b], layer(s.unsqueeze(0))[0][0, -1]) <= 1e-12


@pytest.mark.parametrize(
    "cls,options",
    [
        pytest.param(GRU, {}, id="gru-native"),
        pytest.param(GRU, {"layer_norm": True, "reset_after": False}, id="gru-reference"),
        pytest.param(RNN, {"nonlinearity": "relu"}, id="rnn-native"),
        pytest.param(RNN, {"zoneout": 0.2}, id="rnn-reference"),
    ],
)
def test_step_streaming_equals_full_pass(cls, options):
    layer = cls(4, 6, num_layers=2, **options).double().eval()
    randomize_(layer)
    x = torch.randn(3, 9, 4, dtype=torch.float64)
    y_full, h_full = layer(x)
    state = None
    for t in range(9):
        y_t, state = layer.step(x[:, t], state)
        assert max_diff(y_t, y_full[:, t]) <= 1e-12
    assert max_diff(state, h_full) <= 1e-12


# ------------------------------------------------------------------ the GRU form
def _hand_gru_step(x, h, w_ih, w_hh, b_ih, b_hh, reset_after):
    """The GRU equations written out gate by gate, independently of gru_step."""
    (w_ir, w_iz, w_in), (w_hr, w_hz, w_hn) = w_ih.chunk(3), w_hh.chunk(3)
    (b_ir, b_iz, b_in), (b_hr, b_hz, b_hn) = b_ih.chunk(3), b_hh.chunk(3)
    r = torch.sigmoid(x @ w_ir.T + b_ir + h @ w_hr.T + b_hr)
    z = torch.sigmoid(x @ w_iz.T + b_iz + h @ w_hz.T + b_hz)
    if reset_after:
        n = torch.tanh(x @ w_in.T + b_in + r * (h @ w_hn.T + b_hn))
    else:
        n = torch.tanh(x @ w_in.T + b_in + (r * h) @ w_hn.T + b_hn)
    return (1 - z) * n + z * h


@pytest.mark.parametrize("reset_after", [True, False])
def test_one_step_matches_the_hand_written_equations(reset_after):
    layer = GRU(3, 4, reset_after=reset_after).double()
    randomize_(layer)
    x = torch.randn(2, 1, 3, dtype=torch.float64)
    h0 = torch.randn(1, 2, 4, dtype=torch.float64)
    y, h = layer(x, h0)
    p = dict(layer.named_parameters())
    expected = _hand_gru_step(x[:, 0], h0[0], p["weight_ih_l0"], p["weight_hh_l0"],
                              p["bias_ih_l0"], p["bias_hh_l0"], reset_after)  # fmt: skip
    assert max_diff(y[:, 0], expected) <= 1e-12
    assert max_diff(h[0], expected) <= 1e-12


def test_reset_after_changes_the_function_for_the_same_weights():
    after = GRU(3, 4, num_layers=2).double()
    randomize_(after)
    before = GRU(3, 4, num_layers=2, reset_after=False).double()
    before.load_state_dict(after.state_dict())  # the same parameters fit both forms
    x = torch.randn(2, 5, 3, dtype=torch.float64)
    assert max_diff(after(x)[0], before(x)[0]) > 1e-3


def test_gates_reproduce_the_cell_equations():
    layer = GRU(3, 4, num_layers=2, bidirectional=True, backend="reference").double()
    randomize_(layer)
    x = torch.randn(2, 5, 3, dtype=torch.float64)
    y, h_n, gates = layer(x, return_gates=True)
    assert set(gates) == {"r", "z", "n", "h"}
    for value in gates.values():
        assert value.shape == (2, 2, 2, 5, 4)  # (layers, directions, B, T, H)
    r, z, n, h = (gates[k] for k in "rznh")
    # h_t = (1 - z) n + z h_{t-1}, forward direction of every layer (h_{-1} = 0)
    h_prev = torch.cat([torch.zeros_like(h[:, :, :, :1]), h[:, :, :, :-1]], dim=3)
    assert max_diff(h[:, 0], ((1 - z) * n + z * h_prev)[:, 0]) <= 1e-12
    assert max_diff(y[..., :4], h[1, 0]) <= 1e-12 and max_diff(y[..., 4:], h[1, 1]) <= 1e-12
    assert max_diff(h[1, 0, :, -1], h_n[2]) <= 1e-12  # top layer, forward, last step
    assert max_diff(h[1, 1, :, 0], h_n[3]) <= 1e-12  # top layer, backward, first step
    assert torch.all((r > 0) & (r < 1) & (z > 0) & (z < 1) & (n.abs() < 1))


def test_rnn_gates_are_the_hidden_states():
    layer = RNN(3, 4, bidirectional=True, backend="reference", batch_first=False)
    y, _, gates = layer(torch.randn(5, 2, 3), return_gates=True)
    assert set(gates) == {"h"}
    assert gates["h"].shape == (1, 2, 5, 2, 4)  # time-major like x
    assert torch.equal(torch.cat([gates["h"][0, 0], gates["h"][0, 1]], dim=-1), y)


def test_initializers_and_the_biases_without_a_forget_gate():
    for bias_initializer in ("zeros", "unit-forget-gate"):
        layer = GRU(3, 4, layer_norm=True, bias_initializer=bias_initializer)
        assert torch.equal(layer.bias_ih_l0, torch.zeros(12))
        assert torch.equal(layer.bias_hh_l0, torch.zeros(12))
        assert torch.equal(layer.ln_hh_weight_l0, torch.ones(12))
        assert torch.equal(RNNCell(3, 4, bias_initializer=bias_initializer).bias_ih, torch.zeros(4))
    w = GRU(3, 4, recurrent_initializer="orthogonal").weight_hh_l0.detach()
    for block in w.chunk(3):  # each gate's recurrent map is orthogonal
        assert torch.allclose(block @ block.T, torch.eye(4), atol=1e-5)
    torch_init = RNN(3, 16, input_initializer="pytorch", bias_initializer="pytorch")
    assert torch_init.weight_ih_l0.abs().max() <= 1 / 16**0.5  # uniform(±1/sqrt(H))
    assert torch_init.bias_hh_l0.abs().max() > 0


@pytest.mark.parametrize("cls", [GRU, RNN])
def test_training_masks(cls):
    layer = cls(3, 64, zoneout=0.3, recurrent_dropout=0.5)
    x = torch.randn(4, 6, 3)
    assert layer.active_backend == "reference"
    torch.manual_seed(5)
    y1, _ = layer(x)
    torch.manual_seed(5)
    y2, _ = layer(x)
    assert torch.equal(y1, y2)  # the masks come from torch's RNG
    assert max_diff(y1, layer(x)[0]) > 0  # and are drawn afresh every call
    # zoneout keeps about 30% of the units at their previous value at every step
    kept = (y1[:, 1:] == y1[:, :-1]).double().mean().item()
    assert 0.2 < kept < 0.4
    y1.square().sum().backward()
    assert all(p.grad is not None and p.grad.abs().sum() > 0 for p in layer.parameters())
    assert max_diff(layer.eval()(x)[0], layer(x)[0]) == 0.0  # eval is deterministic


# ------------------------------------------------------------------ bad input
@pytest.mark.parametrize(
    "cls,kwargs,error,pattern",
    [
        (GRU, {"reset_after": "yes"}, TypeError, r"reset_after must be True or False"),
        (GRU, {"layer_norm": 1}, TypeError, r"layer_norm must be True or False; received 1"),
        (GRU, {"state_activation": "sigmoid"}, ValueError,
         r"state_activation must be one of 'tanh', 'softsign', 'relu'; received 'sigmoid'"),
        (GRU, {"gate_activation": "tanh"}, ValueError, r"gate_activation must be one of"),
        (GRU, {"zoneout": (0.1, 0.2)}, ValueError, r"zoneout must be a float or a tuple of 1"),
        (GRU, {"zoneout": 1.0}, ValueError, r"zoneout must be a float in \[0, 1\)"),
        (GRU, {"backend": "fused"}, ValueError, r"backend='fused' is not available for GRU"),
        (GRU, {"backend": "native", "layer_norm": True}, ValueError,
         r"backend='native' supports only.*layer_norm=True"),
        (GRU, {"backend": "native", "zoneout": 0.1}, ValueError, r"backend='native'"),
        (GRU, {"bias_initializer": "ones"}, ValueError, r"bias_initializer must be one of"),
        (GRU, {"hidden_size": 0}, ValueError, r"hidden_size must be an int >= 1; received 0"),
        (GRU, {"output_mode": "all"}, ValueError, r"output_mode must be one of"),
        (RNN, {"nonlinearity": "sigmoid"}, ValueError,
         r"nonlinearity must be one of 'tanh', 'relu'; received 'sigmoid'"),
        (RNN, {"backend": "fused"}, ValueError, r"backend='fused' is not available for RNN"),
        (RNN, {"padding_side": "top"}, ValueError, r"padding_side must be one of"),
        (RNN, {"recurrent_dropout": -0.1}, ValueError, r"recurrent_dropout"),
        (RNN, {"bias": "relu"}, TypeError, r"bias must be True or False; received 'relu'"),
    ],
)  # fmt: skip
def test_bad_options(cls, kwargs, error, pattern):
    with pytest.raises(error, match=pattern):
        cls(**({"input_size": 3, "hidden_size": 4} | kwargs))


@pytest.mark.parametrize("cls", [GRU, RNN])
@pytest.mark.parametrize(
    "x,state,error,pattern",
    [
        (torch.randn(5, 3), None, ValueError, r"x must be 3-D \(batch, time, features\)"),
        (torch.randn(2, 5, 4), None, ValueError, r"x must have 3 features .*\(2, 5, 4\)"),
        (torch.ones(2, 5, 3, dtype=torch.int64), None, TypeError, r"x must be a floating"),
        (torch.randn(2, 5, 3), torch.randn(2, 2, 4), ValueError,
         r"state \(h_0\) must have shape \(1, 2, 4\); received shape \(2, 2, 4\)"),
        (torch.randn(2, 5, 3), (torch.randn(1, 2, 4),), TypeError,
         r"state \(h_0\) must be a tensor of shape \(1, 2, 4\); received \(tensor"),
        (torch.randn(2, 5, 3), torch.randn(1, 2, 4, dtype=torch.float64), TypeError,
         r"state \(h_0\) must have dtype torch\.float32"),
    ],
)  # fmt: skip
def test_bad_forward_input(cls, x, state, error, pattern):
    with pytest.raises(error, match=pattern):
        cls(3, 4)(x, state)


def test_bad_lengths_and_native_gates():
    with pytest.raises(ValueError, match=r"lengths must lie in \[1, 5\]"):
        GRU(3, 4)(torch.randn(2, 5, 3), lengths=[5, 6])
    with pytest.raises(ValueError, match=r"return_gates=True needs the 'reference'"):
        GRU(3, 4, backend="native")(torch.randn(2, 5, 3), return_gates=True)
    with pytest.raises(ValueError, match=r"bidirectional"):
        RNN(3, 4, bidirectional=True).step(torch.randn(2, 3))


@pytest.mark.parametrize("cell", [GRUCell(3, 4), RNNCell(3, 4)])
def test_bad_cell_input(cell):
    with pytest.raises(ValueError, match=r"x must have shape \(batch, 3\); received \(2, 5\)"):
        cell(torch.randn(2, 5))
    with pytest.raises(ValueError, match=r"x must have shape \(batch, 3\); received \(2, 1, 3\)"):
        cell(torch.randn(2, 1, 3))
    with pytest.raises(TypeError, match=r"x must be a floating-point tensor"):
        cell([[1.0, 2.0, 3.0]])
    with pytest.raises(ValueError, match=r"h must have shape \(2, 4\); received shape \(1, 2, 4\)"):
        cell(torch.randn(2, 3), torch.randn(1, 2, 4))


def test_bad_cell_options():
    with pytest.raises(TypeError, match=r"reset_after must be True or False"):
        GRUCell(3, 4, reset_after=None)
    with pytest.raises(ValueError, match=r"nonlinearity must be one of 'tanh', 'relu'"):
        RNNCell(3, 4, True, "gelu")
    with pytest.raises(TypeError, match=r"input_size must be an int >= 1"):
        RNNCell(3.0, 4)


# ------------------------------------------------------------------- the cells
@pytest.mark.parametrize("bias", [True, False])
def test_gru_cell_equals_torch(bias):
    module = nn.GRUCell(3, 5, bias=bias)
    cell = GRUCell(3, 5, bias=bias)
    cell.load_state_dict(module.state_dict())
    x, h = torch.randn(4, 3), torch.randn(4, 5)
    assert max_diff(cell(x, h), module(x, h)) <= 1e-6
    assert max_diff(cell(x), module(x)) <= 1e-6


@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
def test_rnn_cell_equals_torch(nonlinearity):
    module = nn.RNNCell(3, 5, nonlinearity=nonlinearity)
    cell = RNNCell(3, 5, nonlinearity=nonlinearity)
    cell.load_state_dict(module.state_dict())
    x, h = torch.randn(4, 3), torch.randn(4, 5)
    assert max_diff(cell(x, h), module(x, h)) <= 1e-6
    assert max_diff(cell(x), module(x)) <= 1e-6


@pytest.mark.parametrize(
    "options", [{"reset_after": False}, {"layer_norm": True, "state_activation": "softsign"}]
)
def test_gru_cell_variant_equals_one_layer_step(options):
    layer = GRU(3, 5, **options).double()
    randomize_(layer)
    cell = GRUCell(3, 5, **options).double()
    cell.load_state_dict({k.removesuffix("_l0"): v for k, v in layer.state_dict().items()})
    x, h = torch.randn(4, 3, dtype=torch.float64), torch.randn(4, 5, dtype=torch.float64)
    assert max_diff(cell(x, h), layer.step(x, h.unsqueeze(0))[0]) <= 1e-12


def test_set_gate_bias_sets_whole_gate_biases_in_every_layer_and_direction():
    from lstmkit.nn import LSTM
    from lstmkit.nn.initializers import set_gate_bias_

    lstm = LSTM(3, 4, num_layers=2, bidirectional=True, proj_size=2)
    with torch.no_grad():
        for p in lstm.parameters():
            p.uniform_(-1, 1)
    before = {k: v.detach().clone() for k, v in lstm.named_parameters()}
    set_gate_bias_(lstm, forget=4.0, i=-4.0)
    for name, value in lstm.named_parameters():
        if "bias" not in name:
            torch.testing.assert_close(value, before[name])  # weights untouched
    for layer in range(2):
        for direction in range(2):
            p = lstm.direction_parameters(layer, direction)
            total = (p["bias_ih"] + p["bias_hh"]).view(4, 4)  # rows i, f, g, o
            assert total[0].tolist() == [-4.0] * 4 and total[1].tolist() == [4.0] * 4
            sfx = lstm._suffix(layer, direction)
            old = (before["bias_ih" + sfx] + before["bias_hh" + sfx]).view(4, 4)
            torch.testing.assert_close(total[2:], old[2:])  # g and o untouched
    gru = GRU(3, 5, reset_after=False)
    before = gru.bias_ih_l0.detach().clone()
    set_gate_bias_(gru, update=2.5)
    assert (gru.bias_ih_l0[5:10] + gru.bias_hh_l0[5:10]).tolist() == [2.5] * 5
    torch.testing.assert_close(gru.bias_ih_l0[:5], before[:5])
    cifg = LSTM(3, 2, coupled_gates=True)  # no input gate: rows f, g, o
    set_gate_bias_(cifg, f=1.5)
    assert (cifg.bias_ih_l0[:2] + cifg.bias_hh_l0[:2]).tolist() == [1.5, 1.5]
    with pytest.raises(ValueError, match="gate 'input' is not one of"):
        set_gate_bias_(cifg, input=-1.0)
    with pytest.raises(ValueError, match="gate 'update' is not one of"):
        set_gate_bias_(lstm, update=1.0)
    with pytest.raises(ValueError, match="finite number"):
        set_gate_bias_(lstm, forget=float("nan"))
    with pytest.raises(ValueError, match="no biases"):
        set_gate_bias_(LSTM(3, 2, bias=False), forget=1.0)
    with pytest.raises(TypeError, match="LSTM or GRU"):
        set_gate_bias_(torch.nn.LSTM(3, 2), forget=1.0)
    with pytest.raises(TypeError, match="LSTM or GRU"):  # an RNN has no gate biases
        set_gate_bias_(RNN(3, 2), forget=1.0)
