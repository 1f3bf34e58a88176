"""Every registered backend against the reference on LSTMs: outputs, final states,
all gradients."""

from __future__ import annotations

import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lstmkit.nn import LSTM, list_backends
from tests.helpers import assert_backends_match_reference, randomize_

TOL = 1e-8

variant_options = st.fixed_dictionaries(
    {
        "peephole": st.booleans(),
        "layer_norm": st.booleans(),
        "coupled_gates": st.booleans(),
        "proj_size": st.sampled_from([0, 3]),
        "recurrent_dropout": st.sampled_from([0.0, 0.3]),
        "zoneout": st.sampled_from([0.0, 0.2, (0.1, 0.3)]),
        "gate_activation": st.sampled_from(["sigmoid", "hard_sigmoid"]),
        "state_activation": st.sampled_from(["tanh", "softsign", "relu"]),
        "bias": st.booleans(),
    }
)
layout = st.fixed_dictionaries(
    {
        "num_layers": st.integers(1, 2),
        "bidirectional": st.booleans(),
        "batch_first": st.booleans(),
        "padding_side": st.sampled_from(["right", "left"]),
    }
)


def _inputs(layer: LSTM, batch: int, steps: int, padded: bool, with_state: bool):
    shape = (
        (batch, steps, layer.input_size) if layer.batch_first else (steps, batch, layer.input_size)
    )
    x = torch.randn(shape, dtype=torch.float64, requires_grad=True)
    state = None
    if with_state:
        rows = layer.num_layers * layer.num_directions
        h0 = torch.randn(rows, batch, layer.spec.output_size, dtype=torch.float64)
        c0 = torch.randn(rows, batch, layer.hidden_size, dtype=torch.float64)
        state = (h0.requires_grad_(), c0.requires_grad_())
    lengths = torch.randint(1, steps + 1, (batch,)) if padded else None
    if padded:
        lengths[0] = steps
    return x, state, lengths


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(options=variant_options, shape=layout, training=st.booleans(), padded=st.booleans())
def test_every_backend_matches_reference_on_variants(options, shape, training, padded):
    # every registered backend that can run the case, not a fixed list: a backend is
    # tested here by being registered
    layer = LSTM(3, 5, **options, **shape).double().train(training)
    randomize_(layer)
    x, state, lengths = _inputs(layer, batch=3, steps=5, padded=padded, with_state=True)
    assert "fused" in assert_backends_match_reference(layer, x, state, lengths, tol=TOL)


@settings(max_examples=15, deadline=None)
@given(shape=layout, proj=st.sampled_from([0, 3]), padded=st.booleans(), bias=st.booleans())
def test_every_backend_matches_reference_on_standard_options(shape, proj, padded, bias):
    layer = LSTM(3, 5, proj_size=proj, bias=bias, **shape).double()
    randomize_(layer)
    x, state, lengths = _inputs(layer, batch=3, steps=6, padded=padded, with_state=True)
    checked = assert_backends_match_reference(layer, x, state, lengths, tol=TOL)
    assert {"native", "fused"} <= set(checked)


@pytest.mark.parametrize(
    "options",
    [
        {"peephole": True},
        {"layer_norm": True},
        {"coupled_gates": True, "peephole": True},
        {"proj_size": 2},
        {"zoneout": (0.2, 0.1)},
        {"state_activation": "softsign"},
        {"layer_norm": True, "peephole": True, "proj_size": 2, "recurrent_dropout": 0.2},
    ],
)
@pytest.mark.parametrize("backend", [b.name for b in list_backends()])
def test_gradcheck(options, backend):
    # eval mode: zoneout is then a deterministic mix, so gradcheck's repeated
    # evaluations see one function.
    layer = LSTM(2, 3, bidirectional=True, **options).double().eval()
    if backend not in layer.usable_backends(steps=4):
        pytest.skip(f"backend {backend!r} does not run {options}")
    layer.backend = backend
    randomize_(layer)
    x = torch.randn(2, 4, 2, dtype=torch.float64, requires_grad=True)

    names = [n for n, _ in layer.named_parameters()]

    def functional(x, *flat):
        weights = dict(zip(names, flat, strict=True))
        return torch.func.functional_call(layer, weights, (x,), {"lengths": [4, 3]})[0]

    inputs = (x, *[p.detach().clone().requires_grad_() for p in layer.parameters()])
    assert torch.autograd.gradcheck(functional, inputs, eps=1e-6, atol=1e-7)


def test_auto_picks_native_for_standard_and_fused_for_variants():
    assert LSTM(3, 4).active_backend == "native"
    assert LSTM(3, 4, proj_size=2, num_layers=2, bidirectional=True).active_backend == "native"
    assert LSTM(3, 4, peephole=True).active_backend == "fused"
    dropout = LSTM(3, 4, recurrent_dropout=0.5)
    assert dropout.train().active_backend == "fused"
    assert dropout.eval().active_backend == "native"  # the mask only acts in training
    layer = LSTM(3, 4)
    layer(torch.randn(2, 5, 3), return_gates=True)
    assert layer.last_backend == "fused"  # torch's kernel cannot expose gates


@pytest.mark.parametrize("options", [{}, {"peephole": True}])
def test_auto_runs_a_single_step_on_the_reference_and_agrees(options):
    # oneDNN's per-call set-up makes one step ~7x slower than the reference's matmuls,
    # so "auto" streams on the reference; the numbers must not change with it.
    torch.manual_seed(1)
    layer = LSTM(3, 8, num_layers=2, **options).double().eval()
    x = torch.randn(2, 6, 3, dtype=torch.float64)
    full, _ = layer(x)
    multi_step_backend = layer.last_backend
    state, steps = None, []
    for t in range(6):
        y, state = layer.step(x[:, t], state)
        assert layer.last_backend == "reference"
        steps.append(y)
    assert multi_step_backend == ("native" if not options else "fused")
    torch.testing.assert_close(torch.stack(steps, 1), full, atol=1e-12, rtol=0)


def test_recurrent_dropout_uses_one_mask_per_sequence():
    # With zero input weights and bias the only signal comes through h; if the mask
    # is shared over time, a unit dropped at step 1 stays dropped at every step.
    layer = LSTM(2, 64, recurrent_dropout=0.5, backend="fused").double().train()
    randomize_(layer)
    torch.manual_seed(3)
    masks = layer._draw_masks(None, 4, 2, torch.zeros(1, dtype=torch.float64))
    assert masks.recurrent.shape == (2, 64)
    kept = (masks.recurrent > 0).double().mean().item()
    assert 0.3 < kept < 0.7
    assert set(masks.recurrent.unique().tolist()) <= {0.0, 2.0}


def test_zoneout_eval_is_the_expectation_of_training():
    layer = LSTM(3, 8, zoneout=0.3, backend="fused").double()
    randomize_(layer)
    x = torch.randn(4, 6, 3, dtype=torch.float64)
    y_eval = layer.eval()(x)[0]
    layer.train()
    samples = torch.stack([layer(x)[0][:, 0] for _ in range(400)])
    # at step 0, h_{-1} = 0, so E[h_0] = (1 - z) h̃_0 exactly what eval computes
    assert torch.allclose(samples.mean(0), y_eval[:, 0], atol=0.03)
