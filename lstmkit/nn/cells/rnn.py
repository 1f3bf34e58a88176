"""The Elman RNN cell: its equation, its parameters, and :class:`RNNCell`.

The simple recurrent network (Elman 1990), as torch.nn.RNN computes it::

    h' = φ(W x + b_ih + R h + b_hh)        φ = tanh or relu

:func:`rnn_step` is that line, plus the two variants every lstmkit layer offers
(recurrent dropout and zoneout). It is the *reference backend*; the native backend is
torch's own kernel (``torch._VF.rnn_tanh`` / ``rnn_relu``). :class:`RNNDescription`
tells the layer machinery (:class:`~lstmkit.nn.RNN`) about the cell.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import ClassVar

import torch
import torch.nn.functional as F

from lstmkit._checks import check_choice, check_int
from lstmkit.nn.activations import state_activation
from lstmkit.nn.cells.base import (
    CellDescription,
    CellModule,
    StatePart,
    TorchCounterpart,
    check_cell_input,
)
from lstmkit.nn.initializers import Initializers, init_bias_, init_weight_

Tensor = torch.Tensor

#: torch.nn.RNN's names for its two nonlinearities
NONLINEARITIES = ("tanh", "relu")


@dataclass(frozen=True)
class RNNSpec:
    """The options the cell equation depends on (one layer, one direction), checked."""

    hidden_size: int
    nonlinearity: str = "tanh"

    def __post_init__(self) -> None:
        check_int("hidden_size", self.hidden_size, 1)
        check_choice("nonlinearity", self.nonlinearity, NONLINEARITIES)


@dataclass
class RNNWeights:
    """The parameters of one layer in one direction (biases ``None`` if ``bias=False``)."""

    weight_ih: Tensor
    weight_hh: Tensor
    bias_ih: Tensor | None = None
    bias_hh: Tensor | None = None


def rnn_step(
    x: Tensor,
    h: Tensor,
    w: RNNWeights,
    nonlinearity: str = "tanh",
    recurrent_mask: Tensor | None = None,
    update_h: Tensor | None = None,
) -> Tensor:
    """One Elman step: ``(x_t, h_{t-1}) -> h_t``.

    Args:
        x: input at this step, (B, I).
        h: previous hidden state, (B, H).
        w: the layer's weights.
        nonlinearity: ``"tanh"`` or ``"relu"``.
        recurrent_mask: variational recurrent-dropout mask on h, (B, H), already
            scaled by 1/(1-p); the same for every step of a sequence.
        update_h: how much of the new state replaces the old (zoneout and padding):
            ``h_t = h_{t-1} + u ⊙ (h̃_t - h_{t-1})``; 1 everywhere if None.

    Returns:
        The new hidden state, (B, H).
    """
    phi = state_activation(nonlinearity).fn
    # Variant: recurrent dropout (Gal & Ghahramani 2016): one mask per sequence on h.
    h_in = h if recurrent_mask is None else h * recurrent_mask
    a = F.linear(x, w.weight_ih, w.bias_ih) + F.linear(h_in, w.weight_hh, w.bias_hh)
    h_new = phi(a)
    # Variant: zoneout (Krueger et al. 2017) and padded steps: keep part of the old state.
    if update_h is not None:
        h_new = torch.lerp(h, h_new, update_h)
    return h_new


def rnn_parameter_shapes(input_size: int, hidden_size: int, bias: bool) -> dict[str, tuple]:
    """Parameter names (without layer suffix) and shapes: exactly torch.nn.RNN's."""
    shapes: dict[str, tuple] = {
        "weight_ih": (hidden_size, input_size),
        "weight_hh": (hidden_size, hidden_size),
    }
    if bias:
        shapes["bias_ih"] = (hidden_size,)
        shapes["bias_hh"] = (hidden_size,)
    return shapes


@torch.no_grad()
def init_rnn_parameters_(
    params: dict[str, Tensor],
    hidden_size: int,
    *,
    input_initializer: str,
    recurrent_initializer: str,
    bias_initializer: str,
) -> None:
    """Initialise one layer-direction's parameters in place (keys without suffix).

    There is no forget gate, so ``"unit-forget-gate"`` leaves the biases at zero.
    """
    init_weight_(params["weight_ih"], input_initializer, hidden_size=hidden_size, blocks=1)
    init_weight_(params["weight_hh"], recurrent_initializer, hidden_size=hidden_size, blocks=1)
    for first, name in ((True, "bias_ih"), (False, "bias_hh")):
        if name in params:
            init_bias_(
                params[name], bias_initializer, hidden_size=hidden_size, forget_block=None,
                first=first,
            )  # fmt: skip


@dataclass(frozen=True)
class RNNDescription(CellDescription):
    """The Elman cell as the layer machinery sees it: state ``h``, no gates.

    ``return_gates=True`` yields the hidden states ``h``, its only activation. Torch's
    ``rnn_tanh`` / ``rnn_relu`` kernels compute it for both nonlinearities.
    """

    spec: RNNSpec
    initializers: Initializers
    bias: bool = True

    name: ClassVar[str] = "RNN"
    gate_names: ClassVar[tuple[str, ...]] = ("h",)

    @property
    def hidden_size(self) -> int:
        return self.spec.hidden_size

    @cached_property
    def state(self) -> tuple[StatePart, ...]:
        return (StatePart("h", (self.hidden_size,)),)

    @cached_property
    def torch_counterpart(self) -> TorchCounterpart:
        # both nonlinearities have a torch kernel
        return TorchCounterpart(kernel=f"rnn_{self.spec.nonlinearity}", standard=True)

    def parameter_shapes(self, input_size: int) -> dict[str, tuple[int, ...]]:
        return rnn_parameter_shapes(input_size, self.hidden_size, self.bias)

    def init_parameters_(self, params: dict[str, Tensor]) -> None:
        init_rnn_parameters_(params, self.hidden_size, **self.initializers.as_kwargs())

    def weights(self, params: dict[str, Tensor]) -> RNNWeights:
        return RNNWeights(**params)

    def step(self, x, state, weights, *, recurrent_mask, updates):
        h = rnn_step(
            x, state[0], weights, self.spec.nonlinearity, recurrent_mask=recurrent_mask,
            update_h=updates[0],
        )  # fmt: skip
        return (h,), {"h": h}  # the only per-step activation is h

    def summary(self, layer_options: str) -> str:
        return f"nonlinearity={self.spec.nonlinearity!r}, {layer_options}"

    def repr_options(self, bidirectional: bool) -> str:
        # torch.nn.RNN's order: the nonlinearity before the direction
        return f", nonlinearity={self.spec.nonlinearity!r}" + super().repr_options(bidirectional)


class RNNCell(CellModule):
    """A single Elman RNN step, ``h' = φ(W x + b_ih + R h + b_hh)``.

    Its parameters match ``torch.nn.RNNCell`` (``weight_ih``, ``weight_hh``,
    ``bias_ih``, ``bias_hh``), so ``load_state_dict`` moves weights both ways.

    Args:
        input_size: features of the input x.
        hidden_size: units in the hidden state h.
        bias: learn the biases ``bias_ih`` and ``bias_hh``.
        nonlinearity: ``"tanh"`` (default) or ``"relu"``.
        input_initializer, recurrent_initializer, bias_initializer: see
            :mod:`lstmkit.nn.initializers` (bias default ``"zeros"``; with no forget
            gate, ``"unit-forget-gate"`` also gives zeros).

    Returns:
        ``forward(x, h=None) -> h``: x is (B, input_size), h (B, hidden_size); a
        missing h starts at zero.

    Example:
        >>> import torch
        >>> from lstmkit.nn import RNNCell
        >>> cell = RNNCell(3, 8, nonlinearity="relu")
        >>> h = cell(torch.randn(2, 3))
        >>> cell(torch.randn(2, 3), h).shape
        torch.Size([2, 8])
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        nonlinearity: str = "tanh",
        *,
        input_initializer: str = "glorot",
        recurrent_initializer: str = "orthogonal",
        bias_initializer: str = "zeros",
    ) -> None:
        spec = RNNSpec(hidden_size, nonlinearity)
        initializers = Initializers(input_initializer, recurrent_initializer, bias_initializer)
        cell = RNNDescription(spec, initializers, bias)
        super().__init__(cell, input_size)
        self.nonlinearity = nonlinearity
        self.initializers = cell.initializers

    def forward(self, x: Tensor, h: Tensor | None = None) -> Tensor:
        x, h = check_cell_input(x, h, input_size=self.input_size, hidden_size=self.hidden_size)
        return rnn_step(x, h, self.weights(), self.nonlinearity)

    def extra_repr(self) -> str:
        text = f"{self.input_size}, {self.hidden_size}, nonlinearity={self.nonlinearity!r}"
        return text + ("" if self.bias else ", bias=False")
