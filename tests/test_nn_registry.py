"""The backend registry, the layer-kind registry, and parameter-count matching.

A backend defined in this file alone -- registered, never written into lstmkit -- is
listed, accepted as ``backend=``, chosen by ``"auto"`` when it comes first, and passes the
same parity check against the reference as the built-in backends.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
import torch

from lstmkit.nn import (
    GRU,
    LSTM,
    RNN,
    Backend,
    SequenceNetwork,
    get_backend,
    list_backends,
    matched_hidden_sizes,
    parameter_count,
    register_backend,
    unregister_backend,
)
from lstmkit.nn.backends.base import Verdict
from lstmkit.nn.backends.registry import REFERENCE, registered_backend
from lstmkit.nn.layer_kinds import LAYER_KINDS, get_layer_kind
from tests.helpers import assert_backends_match_reference, randomize_


class ToyBackend(Backend):
    """Runs everything on the reference's code, counting its calls."""

    name = "toy"

    def __init__(self) -> None:
        self.calls = 0

    def run(self, call, layer, x, state, lengths):
        self.calls += 1
        return get_backend(REFERENCE).run(call, layer, x, state, lengths)


@pytest.fixture
def toy():
    with registered_backend(ToyBackend(), before="native") as backend:
        yield backend
    assert "toy" not in [b.name for b in list_backends()]  # gone for the other tests


def test_builtin_backends_in_order_of_preference():
    assert [(b.name, b.available) for b in list_backends()] == [
        ("native", True),
        ("fused", True),
        ("reference", True),
    ]


def test_a_registered_backend_is_listed_accepted_and_chosen_first(toy):
    assert [b.name for b in list_backends()][:2] == ["toy", "native"]
    for cls in (LSTM, GRU, RNN):
        layer = cls(3, 4, backend="toy")
        layer(torch.randn(2, 5, 3))
        assert layer.last_backend == "toy"
        assert cls(3, 4).active_backend == "toy"  # first in the order: "auto" takes it
    auto = LSTM(3, 4, peephole=True)
    auto(torch.randn(2, 5, 3), return_gates=True)
    assert auto.last_backend == "toy"
    # a single step still goes to the reference, which claims those calls
    auto.step(torch.randn(2, 3))
    assert auto.last_backend == "reference"
    assert toy.calls == 4


VARIANTS = {
    "peephole": True,
    "layer_norm": True,
    "proj_size": 2,
    "zoneout": 0.2,
    "recurrent_dropout": 0.3,
    "padding_side": "left",
}


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda: LSTM(3, 5, num_layers=2, bidirectional=True), id="lstm"),
        pytest.param(lambda: LSTM(3, 5, **VARIANTS), id="lstm-variants"),
        pytest.param(lambda: GRU(3, 5, reset_after=False, bidirectional=True), id="gru"),
        pytest.param(lambda: RNN(3, 5, num_layers=2, batch_first=False), id="rnn"),
    ],
)
@pytest.mark.parametrize("training", [False, True])
def test_a_registered_backend_passes_the_parity_check(toy, make, training):
    layer = make().double().train(training)
    randomize_(layer)
    shape = (3, 6, 3) if layer.batch_first else (6, 3, 3)
    x = torch.randn(shape, dtype=torch.float64, requires_grad=True)
    lengths = torch.tensor([6, 2, 4])
    assert "toy" in assert_backends_match_reference(layer, x, None, lengths, tol=1e-8)


def test_backend_registered_last_is_chosen_only_explicitly():
    with registered_backend(ToyBackend()) as backend:
        assert [b.name for b in list_backends()][-1] == "toy"
        assert LSTM(3, 4).active_backend == "native"
        LSTM(3, 4, backend="toy")(torch.randn(1, 3, 3))
        assert backend.calls == 1
    with pytest.raises(ValueError, match=r"backend must be one of 'auto', 'reference'.*'toy'"):
        LSTM(3, 4, backend="toy")


class Unavailable(ToyBackend):
    name = "gpu-kernel"

    def available(self) -> Verdict:
        return Verdict.no("it needs CUDA, and torch sees no CUDA device")


class EvalOnlyLSTM(ToyBackend):
    name = "eval-only"

    def runs_cell(self, cell) -> bool:
        return cell.name == "LSTM"

    def supports(self, call) -> Verdict:
        if call.training:
            return Verdict.no("backend='eval-only' runs only in eval mode; call .eval()")
        return Verdict.yes()

    def claims(self, call) -> bool:
        return call.steps == 7  # a case it is "known to be fastest at"


def test_an_unavailable_backend_is_listed_skipped_and_refused_with_its_reason():
    with registered_backend(Unavailable(), before="native"):
        info = list_backends()[0]
        assert (info.name, info.available) == ("gpu-kernel", False)
        assert "needs CUDA" in info.reason
        assert LSTM(3, 4).active_backend == "native"  # "auto" skips it
        with pytest.raises(ValueError, match=r"backend='gpu-kernel' is not available here: it"):
            LSTM(3, 4, backend="gpu-kernel")


def test_a_backend_says_which_cells_and_calls_it_runs():
    with registered_backend(EvalOnlyLSTM()):
        layer = LSTM(3, 4, backend="eval-only")  # construction checks in eval mode
        with pytest.raises(ValueError, match=r"runs only in eval mode"):
            layer(torch.randn(2, 5, 3))  # training
        layer.eval()(torch.randn(2, 5, 3))
        assert layer.last_backend == "eval-only"
        with pytest.raises(ValueError, match=r"backend='eval-only' is not available for GRU; use"):
            GRU(3, 4, backend="eval-only")
        # last in the order, but it claims T = 7 calls ahead of the others (in eval)
        auto = LSTM(3, 4).eval()
        auto(torch.randn(2, 7, 3))
        assert auto.last_backend == "eval-only"
        auto(torch.randn(2, 6, 3))
        assert auto.last_backend == "native"
        auto.train()(torch.randn(2, 7, 3))
        assert auto.last_backend == "native"


def test_register_backend_refuses_bad_input():
    with pytest.raises(TypeError, match=r"backend must be an instance of lstmkit.nn.Backend"):
        register_backend("toy")
    with pytest.raises(ValueError, match=r"a backend named 'fused' is already registered"):
        register_backend(type("Fused2", (ToyBackend,), {"name": "fused"})())
    with pytest.raises(ValueError, match=r"backend.name must be a non-empty string other than"):
        register_backend(type("Auto", (ToyBackend,), {"name": "auto"})())
    with pytest.raises(ValueError, match=r"before must be one of 'native', 'fused', 'reference'"):
        register_backend(ToyBackend(), before="cuda")
    with pytest.raises(ValueError, match=r"backend must be one of .*received 'nothing'"):
        unregister_backend("nothing")
    assert "toy" not in [b.name for b in list_backends()]


def test_unregister_and_register_again():
    backend = unregister_backend("fused")
    try:
        assert [b.name for b in list_backends()] == ["native", "reference"]
        assert LSTM(3, 4, peephole=True).active_backend == "reference"
    finally:
        register_backend(backend, before="reference")
    assert [b.name for b in list_backends()] == ["native", "fused", "reference"]


# ------------------------------------------------------------------ layer kinds
def test_layer_kinds():
    assert tuple(LAYER_KINDS) == ("lstm", "bilstm", "gru", "bigru", "rnn", "birnn")
    assert "birnn" in LAYER_KINDS and get_layer_kind("birnn").bidirectional
    net = SequenceNetwork(3, 2, layer="birnn", hidden_size=4)
    assert isinstance(net.recurrent, RNN) and net.recurrent.bidirectional
    with pytest.raises(ValueError, match=r"layer must be one of 'lstm', .*'birnn'; received 'x'"):
        SequenceNetwork(3, 2, layer="x")


def test_layer_kinds_import_without_torch():
    code = (
        "import sys, lstmkit.nn.layer_kinds as k; print('torch' in sys.modules, len(k.LAYER_KINDS))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert result.stdout.split() == ["False", "6"]


# ------------------------------------------------------------------ sizing
@pytest.mark.parametrize("kind", ["lstm", "bigru", "rnn"])
@pytest.mark.parametrize("options", [{}, {"num_layers": 2}])
def test_parameter_count_is_the_networks(kind, options):
    built = SequenceNetwork(5, 3, layer=kind, hidden_size=7, **options)
    expected = sum(p.numel() for p in built.parameters())
    assert parameter_count(kind, 5, 7, 3, **options) == expected
    lstmp = SequenceNetwork(5, 3, hidden_size=7, layer_options={"proj_size": 3, "peephole": True})
    count = parameter_count("lstm", 5, 7, 3, layer_options={"proj_size": 3, "peephole": True})
    assert count == sum(p.numel() for p in lstmp.parameters())


@pytest.mark.parametrize(
    "sizes,hidden,expected",
    [  # lstmkit.apps.long_memory's matched_hidden_sizes for its four tasks
        ((2, 1), 8, {"rnn": 17, "gru": 9, "lstm": 8}),
        ((2, 1), 20, {"rnn": 42, "gru": 23, "lstm": 20}),
        ((2, 1), 32, {"rnn": 66, "gru": 37, "lstm": 32}),
        ((8, 4), 8, {"rnn": 19, "gru": 10, "lstm": 8}),
        ((8, 4), 20, {"rnn": 43, "gru": 24, "lstm": 20}),
        ((8, 8), 20, {"rnn": 42, "gru": 24, "lstm": 20}),
        ((7, 7), 8, {"rnn": 18, "gru": 10, "lstm": 8}),
    ],
)
def test_matched_hidden_sizes(sizes, hidden, expected):
    state = torch.get_rng_state()
    result = matched_hidden_sizes(*sizes, hidden)
    assert result == expected and list(result) == list(expected)
    assert torch.equal(state, torch.get_rng_state())  # counted on "meta": no draws
