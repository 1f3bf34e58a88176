"""Cells with other states than (h, c) run through the generic layer machinery.

Two cells are defined here and nowhere else: an LSTM with a third state part (a
normaliser n, as in sLSTM) and a matrix-memory cell (h, a memory C of shape
(heads, d, d) and a normaliser n of shape (heads, d), as in mLSTM). Each declares only
its state description, parameter shapes, initialisation and reference step; stacking,
directions, padding on either side, masks, streaming and user-supplied states come from
:class:`lstmkit.nn.RecurrentLayer` unchanged.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

import pytest
import torch
import torch.nn.functional as F

from lstmkit.nn import CellDescription, RecurrentLayer, SequenceNetwork, StatePart
from lstmkit.nn.layer_kinds import register_layer_kind, unregister_layer_kind
from tests.helpers import max_diff, pad_batch, randomize_


@torch.no_grad()
def _uniform_(params):
    for p in params.values():
        p.uniform_(-0.5, 0.5)


@dataclass(frozen=True)
class NormalizedCell(CellDescription):
    """c' = f c + i g, n' = f n + i, h' = o c' / (1 + n'): an LSTM that also keeps the
    running sum of its input gates, and divides by it."""

    hidden_size: int

    name: ClassVar[str] = "NormalizedLSTM"
    gate_names: ClassVar[tuple[str, ...]] = ("i", "f", "o")

    @property
    def state(self):
        shape = (self.hidden_size,)
        return (StatePart("h", shape), StatePart("c", shape), StatePart("n", shape))

    def parameter_shapes(self, input_size):
        h = self.hidden_size
        return {"weight_ih": (4 * h, input_size), "weight_hh": (4 * h, h), "bias": (4 * h,)}

    init_parameters_ = staticmethod(_uniform_)

    def step(self, x, state, w, *, recurrent_mask, updates):
        h, c, n = state
        h_in = h if recurrent_mask is None else h * recurrent_mask
        z = F.linear(x, w["weight_ih"], w["bias"]) + F.linear(h_in, w["weight_hh"])
        z_i, z_f, z_g, z_o = z.chunk(4, dim=-1)
        i, f, o = torch.sigmoid(z_i), torch.sigmoid(z_f), torch.sigmoid(z_o)
        c_new = f * c + i * torch.tanh(z_g)
        n_new = f * n + i
        h_new = o * c_new / (1.0 + n_new)
        new = (h_new, c_new, n_new)
        state = tuple(self.keep(a, b, u) for a, b, u in zip(state, new, updates, strict=True))
        return state, {"i": i, "f": f, "o": o}


@dataclass(frozen=True)
class MatrixMemoryCell(CellDescription):
    """A matrix memory per head: C' = f C + i v kᵀ, n' = f n + i k,
    h' = o ⊙ C' q / max(|n'ᵀ q|, 1) (the mLSTM's form, with sigmoid gates)."""

    heads: int = 2
    head_size: int = 2

    name: ClassVar[str] = "MatrixMemory"
    gate_names: ClassVar[tuple[str, ...]] = ("i", "f", "o")

    @property
    def hidden_size(self):
        return self.heads * self.head_size

    @property
    def state(self):
        k, d = self.heads, self.head_size
        return (StatePart("h", (k * d,)), StatePart("C", (k, d, d)), StatePart("n", (k, d)))

    def parameter_shapes(self, input_size):
        k, d = self.heads, self.head_size
        return {
            "weight_qkv": (3 * k * d, input_size),
            "weight_if": (2 * k, input_size),
            "weight_o": (k * d, input_size),
            "weight_ho": (k * d, k * d),
        }

    init_parameters_ = staticmethod(_uniform_)

    def step(self, x, state, w, *, recurrent_mask, updates):
        h, memory, norm = state
        batch, k, d = x.shape[0], self.heads, self.head_size
        q, key, v = F.linear(x, w["weight_qkv"]).view(batch, 3, k, d).unbind(1)
        key = key / math.sqrt(d)
        i, f = torch.sigmoid(F.linear(x, w["weight_if"])).view(batch, 2, k).unbind(1)
        memory_new = f[..., None, None] * memory + i[..., None, None] * (
            v.unsqueeze(-1) * key.unsqueeze(-2)
        )
        norm_new = f[..., None] * norm + i[..., None] * key
        read = (memory_new @ q.unsqueeze(-1)).squeeze(-1)
        scale = (norm_new * q).sum(-1, keepdim=True).abs().clamp(min=1.0)
        h_in = h if recurrent_mask is None else h * recurrent_mask
        o = torch.sigmoid(F.linear(x, w["weight_o"]) + F.linear(h_in, w["weight_ho"]))
        h_new = o * (read / scale).reshape(batch, k * d)
        new = (h_new, memory_new, norm_new)
        state = tuple(self.keep(a, b, u) for a, b, u in zip(state, new, updates, strict=True))
        return state, {"i": i, "f": f, "o": o}


CELLS = [
    pytest.param(lambda: NormalizedCell(4), id="h-c-n"),
    pytest.param(lambda: MatrixMemoryCell(2, 2), id="h-C(2,2,2)-n(2,2)"),
]


def _layer(make_cell, **options) -> RecurrentLayer:
    layer = RecurrentLayer(make_cell(), 3, **options).double()
    randomize_(layer)
    return layer


def _random_state(layer, batch):
    rows = layer.num_layers * layer.num_directions
    return tuple(
        torch.randn(rows, batch, *part.shape, dtype=torch.float64, requires_grad=True)
        for part in layer.state_parts
    )


@pytest.mark.parametrize("make_cell", CELLS)
@pytest.mark.parametrize("side", ["right", "left"])
def test_padded_batch_equals_each_sequence_alone(make_cell, side):
    layer = _layer(make_cell, num_layers=2, bidirectional=True, padding_side=side).eval()
    assert layer.usable_backends() == ["reference"]
    lengths = [7, 3, 1, 5]
    seqs = [torch.randn(n, 3, dtype=torch.float64) for n in lengths]
    y, state, gates = layer(pad_batch(seqs, 7, side), lengths=lengths, return_gates=True)
    assert layer.last_backend == "reference"
    assert len(state) == 3 and y.shape == (4, 7, 2 * layer.cell.output_size)
    for part, value in zip(layer.state_parts, state, strict=True):
        assert value.shape == (4, 4, *part.shape)  # (layers·directions, B, *shape)
    for b, s in enumerate(seqs):
        y_b, state_b = layer(s.unsqueeze(0))
        rows = slice(0, lengths[b]) if side == "right" else slice(7 - lengths[b], 7)
        assert max_diff(y[b, rows], y_b[0]) <= 1e-12
        for value, alone in zip(state, state_b, strict=True):  # each sequence's own end
            assert max_diff(value[:, b], alone[:, 0]) <= 1e-12
        pad = torch.ones(7, dtype=torch.bool)
        pad[rows] = False
        assert torch.equal(y[b, pad], torch.zeros_like(y[b, pad]))  # padded outputs are zero
        for value in gates.values():
            assert torch.equal(value[:, :, b, pad], torch.zeros_like(value[:, :, b, pad]))


@pytest.mark.parametrize("make_cell", CELLS)
@pytest.mark.parametrize("side", ["right", "left"])
def test_padded_steps_do_not_change_the_state(make_cell, side):
    # a state handed in passes padded steps untouched: a sequence of length 0 at the
    # padded end keeps it, so two calls over halves equal one call over the whole
    layer = _layer(make_cell, num_layers=2, padding_side=side).eval()
    x = torch.randn(2, 6, 3, dtype=torch.float64)
    y_full, state_full = layer(x)
    first, state = layer(x[:, :3])
    padded = torch.zeros(2, 5, 3, dtype=torch.float64)
    rest = slice(0, 3) if side == "right" else slice(2, 5)
    padded[:, rest] = x[:, 3:]
    second, state = layer(padded, state, lengths=[3, 3])
    assert max_diff(torch.cat([first, second[:, rest]], 1), y_full) <= 1e-12
    for a, b in zip(state, state_full, strict=True):
        assert max_diff(a, b) <= 1e-12


@pytest.mark.parametrize("make_cell", CELLS)
def test_step_with_a_user_state_equals_the_full_pass(make_cell):
    layer = _layer(make_cell, num_layers=2).eval()
    x = torch.randn(3, 8, 3, dtype=torch.float64)
    state0 = _random_state(layer, 3)
    y_full, state_full = layer(x, state0)
    state = state0
    for t in range(8):
        y_t, state = layer.step(x[:, t], state)
        assert layer.last_backend == "reference"
        assert max_diff(y_t, y_full[:, t]) <= 1e-12
    for a, b in zip(state, state_full, strict=True):
        assert max_diff(a, b) <= 1e-12
    # gradients reach every part of the user's state
    loss = sum((s**2).sum() for s in state_full) + y_full.sum()
    grads = torch.autograd.grad(loss, state0)
    assert all(g.abs().sum() > 0 for g in grads)


@pytest.mark.parametrize("make_cell", CELLS)
def test_last_output_and_bidirectional_ends(make_cell):
    layer = _layer(make_cell, bidirectional=True, output_mode="last").eval()
    lengths = [5, 2]
    x = torch.randn(2, 5, 3, dtype=torch.float64)
    last, state = layer(x, lengths=lengths)
    h = state[0]  # the output part
    assert torch.equal(last, torch.cat([h[-2], h[-1]], dim=-1))
    layer.output_mode = "sequence"
    for b, n in enumerate(lengths):
        y_b = layer(x[b : b + 1, :n])[0][0]
        size = layer.cell.output_size
        assert max_diff(last[b, :size], y_b[-1, :size]) <= 1e-12  # forward ends at n - 1
        assert max_diff(last[b, size:], y_b[0, size:]) <= 1e-12  # backward ends at 0


@pytest.mark.parametrize("make_cell", CELLS)
def test_gradcheck_through_the_generic_path(make_cell):
    # with respect to the input and every part of the initial state, through padding,
    # both directions, two layers and zoneout's expectation (eval)
    layer = _layer(make_cell, num_layers=2, bidirectional=True, zoneout=0.2).eval()
    x = torch.randn(2, 4, 3, dtype=torch.float64, requires_grad=True)

    def run(x, *state):
        y, final = layer(x, state, lengths=[4, 2])
        return (y, *final)

    inputs = (x, *_random_state(layer, 2))
    assert torch.autograd.gradcheck(run, inputs, eps=1e-6, atol=1e-7, fast_mode=True)


@pytest.mark.parametrize("make_cell", CELLS)
def test_zoneout_per_part_and_recurrent_dropout_in_training(make_cell):
    layer = _layer(make_cell, zoneout=(0.3, 0.2, 0.1), recurrent_dropout=0.3).train()
    x = torch.randn(4, 6, 3, dtype=torch.float64)
    torch.manual_seed(5)
    y1, s1 = layer(x, lengths=[6, 4, 3, 1])
    torch.manual_seed(5)
    y2, s2 = layer(x, lengths=[6, 4, 3, 1])
    assert torch.equal(y1, y2) and all(torch.equal(a, b) for a, b in zip(s1, s2, strict=True))
    assert max_diff(y1, layer(x, lengths=[6, 4, 3, 1])[0]) > 0  # fresh masks each call
    assert torch.equal(y1[3, 1:], torch.zeros_like(y1[3, 1:]))  # padded steps stay zero
    y1.sum().backward()
    assert all(p.grad is not None for p in layer.parameters())
    with pytest.raises(ValueError, match=r"zoneout must be a float or a tuple of 3 floats"):
        RecurrentLayer(make_cell(), 3, zoneout=(0.1, 0.2))


@pytest.mark.parametrize("make_cell", CELLS)
def test_state_errors_name_the_parts(make_cell):
    layer = _layer(make_cell, num_layers=2)
    x = torch.randn(2, 5, 3, dtype=torch.float64)
    names = ", ".join(f"{part.name}_0" for part in layer.state_parts)
    with pytest.raises(TypeError, match=rf"state must be a tuple \({names}\) for RecurrentLayer"):
        layer(x, _random_state(layer, 2)[:2])
    state = list(_random_state(layer, 2))
    name, shape = layer.state_parts[2]
    state[2] = torch.zeros(2, 3, *shape, dtype=torch.float64)
    expected = str((2, 2, *shape)).replace("(", r"\(").replace(")", r"\)")
    with pytest.raises(ValueError, match=rf"state\[2\] \({name}_0\) must have shape {expected}"):
        layer(x, tuple(state))


@pytest.mark.parametrize("make_cell", CELLS)
def test_backends_that_cannot_run_the_cell_say_so(make_cell):
    name = make_cell().name
    for backend in ("native", "fused"):
        pattern = rf"backend='{backend}' is not available for {name}; use 'auto' or 'reference'"
        with pytest.raises(ValueError, match=pattern):
            RecurrentLayer(make_cell(), 3, backend=backend)
    assert RecurrentLayer(make_cell(), 3).active_backend == "reference"


class NormalizedLSTM(RecurrentLayer):
    """The normalised cell as a layer class, as a layer kind needs one."""

    def __init__(self, input_size, hidden_size, num_layers=1, **options):
        super().__init__(NormalizedCell(hidden_size), input_size, num_layers, **options)


@pytest.fixture
def normalized_kind():
    register_layer_kind("normalized-lstm", NormalizedLSTM)
    register_layer_kind("binormalized-lstm", NormalizedLSTM, bidirectional=True)
    yield
    unregister_layer_kind("normalized-lstm")
    unregister_layer_kind("binormalized-lstm")


@pytest.mark.usefixtures("normalized_kind")
def test_a_registered_layer_kind_builds_a_network():
    net = SequenceNetwork(3, 2, layer="binormalized-lstm", hidden_size=4, num_layers=2)
    assert isinstance(net.recurrent, NormalizedLSTM) and net.recurrent.bidirectional
    x = torch.randn(3, 6, 3)
    assert net(x, lengths=[6, 2, 4]).shape == (3, 2)
    stream = SequenceNetwork(3, 2, layer="normalized-lstm", hidden_size=4, output_mode="sequence")
    stream.eval()
    full = stream(x)
    state = None
    for t in range(6):
        y_t, state = stream.step(x[:, t], state)
        torch.testing.assert_close(y_t, full[:, t])
    assert len(state) == 3
