"""The LSTM cell: its equations, written once, its parameters, and :class:`LSTMCell`.

The standard cell (Hochreiter & Schmidhuber 1997, with the forget gate of Gers et al.
2000) is::

    i = σ(W_i x + R_i h + b_i)        input gate
    f = σ(W_f x + R_f h + b_f)        forget gate
    g = tanh(W_g x + R_g h + b_g)     cell candidate
    o = σ(W_o x + R_o h + b_o)        output gate
    c' = f ⊙ c + i ⊙ g
    h' = o ⊙ tanh(c')

:func:`lstm_step` below is that, line for line; every variant is a marked deviation
from it. This function is the *reference backend*: the ground truth that the native
and fused backends are tested against. :class:`LSTMDescription` tells the layer
machinery (:class:`~lstmkit.nn.LSTM`) about the cell: state ``(h, c)``, gates, parameters.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import ClassVar

import torch
import torch.nn.functional as F

from lstmkit._checks import check_bool, check_choice, check_int, describe
from lstmkit.nn.activations import (
    GATE_ACTIVATIONS,
    STATE_ACTIVATIONS,
    gate_activation,
    state_activation,
)
from lstmkit.nn.cells.base import (
    CellDescription,
    CellModule,
    StatePart,
    TorchCounterpart,
    check_cell_x,
)
from lstmkit.nn.initializers import Initializers, init_bias_, init_weight_
from lstmkit.nn.validation import check_state_tensor

Tensor = torch.Tensor

# torch.nn.functional.layer_norm's default; the fused backend uses the same value.
LAYER_NORM_EPS = 1e-5


@dataclass(frozen=True)
class LSTMSpec:
    """The options the cell equations depend on (one layer, one direction), checked."""

    hidden_size: int
    proj_size: int = 0
    peephole: bool = False
    layer_norm: bool = False
    coupled_gates: bool = False
    gate_activation: str = "sigmoid"
    state_activation: str = "tanh"

    def __post_init__(self) -> None:
        check_int("hidden_size", self.hidden_size, 1)
        check_int("proj_size", self.proj_size, 0)
        if self.proj_size >= self.hidden_size:
            raise ValueError(
                f"proj_size must be smaller than hidden_size ({self.hidden_size}); "
                f"received {self.proj_size}"
            )
        for name in ("peephole", "layer_norm", "coupled_gates"):
            check_bool(name, getattr(self, name))
        check_choice("gate_activation", self.gate_activation, GATE_ACTIVATIONS)
        check_choice("state_activation", self.state_activation, STATE_ACTIVATIONS)

    @property
    def num_gates(self) -> int:
        # Coupled input-forget gates (CIFG) drop the input gate's weights: i = 1 - f.
        return 3 if self.coupled_gates else 4

    @property
    def output_size(self) -> int:
        return self.proj_size or self.hidden_size

    @property
    def gate_names(self) -> tuple[str, ...]:
        """Row blocks of the weight matrices, in order (torch's i, f, g, o)."""
        return ("f", "g", "o") if self.coupled_gates else ("i", "f", "g", "o")

    @property
    def peephole_names(self) -> tuple[str, ...]:
        return ("f", "o") if self.coupled_gates else ("i", "f", "o")


@dataclass
class LSTMWeights:
    """The parameters of one layer in one direction (``None`` where unused)."""

    weight_ih: Tensor
    weight_hh: Tensor
    bias_ih: Tensor | None = None
    bias_hh: Tensor | None = None
    weight_hr: Tensor | None = None
    weight_peephole: Tensor | None = None
    ln_ih_weight: Tensor | None = None
    ln_hh_weight: Tensor | None = None
    ln_cell_weight: Tensor | None = None
    ln_cell_bias: Tensor | None = None


@dataclass
class LSTMStepGates:
    """Activations of one step: gates i, f, g, o and the cell state c, each (B, H)."""

    i: Tensor
    f: Tensor
    g: Tensor
    o: Tensor
    c: Tensor


def lstm_step(
    x: Tensor,
    h: Tensor,
    c: Tensor,
    w: LSTMWeights,
    spec: LSTMSpec,
    recurrent_mask: Tensor | None = None,
    update_h: Tensor | None = None,
    update_c: Tensor | None = None,
) -> tuple[Tensor, Tensor, LSTMStepGates]:
    """One LSTM step: ``(x_t, h_{t-1}, c_{t-1}) -> (h_t, c_t, gates)``.

    Args:
        x: input at this step, (B, I).
        h, c: previous hidden (B, P or H) and cell (B, H) state.
        w: the layer's weights; spec: its options.
        recurrent_mask: variational recurrent-dropout mask on h, (B, P or H), already
            scaled by 1/(1-p); the same for every step of a sequence.
        update_h, update_c: how much of the new state replaces the old (zoneout and
            padding): ``h_t = h_{t-1} + u ⊙ (h̃_t - h_{t-1})``; 1 everywhere if None.

    Returns:
        The new hidden state, the new cell state, and the step's activations.
    """
    sigma = gate_activation(spec.gate_activation).fn
    phi = state_activation(spec.state_activation).fn

    # Variant: recurrent dropout (Gal & Ghahramani 2016): one mask per sequence on h.
    h_in = h if recurrent_mask is None else h * recurrent_mask

    z_x = F.linear(x, w.weight_ih)
    z_h = F.linear(h_in, w.weight_hh)
    # Variant: layer normalisation (Ba et al. 2016) of both pre-activation sums.
    if spec.layer_norm:
        z_x = F.layer_norm(z_x, z_x.shape[-1:], w.ln_ih_weight, None, LAYER_NORM_EPS)
        z_h = F.layer_norm(z_h, z_h.shape[-1:], w.ln_hh_weight, None, LAYER_NORM_EPS)
    z = z_x + z_h
    if w.bias_ih is not None:
        z = z + w.bias_ih + w.bias_hh

    blocks = dict(zip(spec.gate_names, z.chunk(spec.num_gates, dim=-1), strict=True))
    # Variant: peephole connections (Gers & Schmidhuber 2000): gates see the cell.
    peep = {}
    if spec.peephole:
        peep = dict(zip(spec.peephole_names, w.weight_peephole.unbind(0), strict=True))
        for name in ("i", "f"):
            if name in blocks:
                blocks[name] = blocks[name] + peep[name] * c

    f = sigma(blocks["f"])
    # Variant: coupled input and forget gates (CIFG, Greff et al. 2017): i = 1 - f.
    i = 1.0 - f if spec.coupled_gates else sigma(blocks["i"])
    g = phi(blocks["g"])
    c_new = f * c + i * g

    z_o = blocks["o"]
    if spec.peephole:  # the output gate looks at the new cell state
        z_o = z_o + peep["o"] * c_new
    o = sigma(z_o)

    # Variant: layer normalisation of the cell before the output activation.
    c_out = c_new
    if spec.layer_norm:
        c_out = F.layer_norm(
            c_new, c_new.shape[-1:], w.ln_cell_weight, w.ln_cell_bias, LAYER_NORM_EPS
        )
    h_new = o * phi(c_out)

    # Variant: projection (LSTMP, Sak et al. 2014): a smaller recurrent state.
    if w.weight_hr is not None:
        h_new = F.linear(h_new, w.weight_hr)

    # Variant: zoneout (Krueger et al. 2017) and padded steps: keep part of the old state.
    if update_h is not None:
        h_new = torch.lerp(h, h_new, update_h)
    if update_c is not None:
        c_new = torch.lerp(c, c_new, update_c)
    return h_new, c_new, LSTMStepGates(i=i, f=f, g=g, o=o, c=c_new)


def lstm_parameter_shapes(input_size: int, spec: LSTMSpec, bias: bool) -> dict[str, tuple]:
    """Parameter names (without layer suffix) and shapes for one layer and direction.

    For the standard options these are exactly torch.nn.LSTM's names and shapes.
    """
    gh = spec.num_gates * spec.hidden_size
    shapes: dict[str, tuple] = {
        "weight_ih": (gh, input_size),
        "weight_hh": (gh, spec.output_size),
    }
    if bias:
        shapes["bias_ih"] = (gh,)
        shapes["bias_hh"] = (gh,)
    if spec.proj_size:
        shapes["weight_hr"] = (spec.proj_size, spec.hidden_size)
    if spec.peephole:
        shapes["weight_peephole"] = (len(spec.peephole_names), spec.hidden_size)
    if spec.layer_norm:
        shapes["ln_ih_weight"] = (gh,)
        shapes["ln_hh_weight"] = (gh,)
        shapes["ln_cell_weight"] = (spec.hidden_size,)
        shapes["ln_cell_bias"] = (spec.hidden_size,)
    return shapes


@torch.no_grad()
def init_lstm_parameters_(
    params: dict[str, Tensor],
    spec: LSTMSpec,
    *,
    input_initializer: str,
    recurrent_initializer: str,
    bias_initializer: str,
) -> None:
    """Initialise one layer-direction's parameters in place (keys without suffix)."""
    h, g = spec.hidden_size, spec.num_gates
    init_weight_(params["weight_ih"], input_initializer, hidden_size=h, blocks=g)
    init_weight_(params["weight_hh"], recurrent_initializer, hidden_size=h, blocks=g)
    forget = spec.gate_names.index("f")
    for first, name in ((True, "bias_ih"), (False, "bias_hh")):
        if name in params:
            init_bias_(
                params[name], bias_initializer, hidden_size=h, forget_block=forget, first=first
            )
    if "weight_hr" in params:
        init_weight_(params["weight_hr"], input_initializer, hidden_size=h, blocks=1)
    if "weight_peephole" in params:
        params["weight_peephole"].zero_()  # start as a plain LSTM; training grows them
    for name in ("ln_ih_weight", "ln_hh_weight", "ln_cell_weight"):
        if name in params:
            params[name].fill_(1.0)
    if "ln_cell_bias" in params:
        params["ln_cell_bias"].zero_()


@dataclass(frozen=True)
class LSTMDescription(CellDescription):
    """The LSTM cell as the layer machinery sees it: state ``(h, c)``, gates, parameters.

    The state is ``h`` (proj_size or hidden_size: the output) and ``c`` (hidden_size);
    ``return_gates=True`` yields ``i``, ``f``, ``g``, ``o`` and the cell state ``c``.
    With the standard options torch's ``lstm`` kernel computes it (native backend).
    """

    spec: LSTMSpec
    initializers: Initializers
    bias: bool = True

    name: ClassVar[str] = "LSTM"
    gate_names: ClassVar[tuple[str, ...]] = ("i", "f", "g", "o", "c")

    @property
    def hidden_size(self) -> int:
        return self.spec.hidden_size

    @cached_property
    def state(self) -> tuple[StatePart, ...]:
        return (StatePart("h", (self.spec.output_size,)), StatePart("c", (self.hidden_size,)))

    @property
    def gate_blocks(self) -> tuple[str, ...]:
        return self.spec.gate_names

    @cached_property
    def torch_counterpart(self) -> TorchCounterpart:
        s = self.spec
        standard = not (s.peephole or s.layer_norm or s.coupled_gates) and (
            s.gate_activation == "sigmoid" and s.state_activation == "tanh"
        )
        return TorchCounterpart(kernel="lstm", standard=standard)

    def parameter_shapes(self, input_size: int) -> dict[str, tuple[int, ...]]:
        return lstm_parameter_shapes(input_size, self.spec, self.bias)

    def init_parameters_(self, params: dict[str, Tensor]) -> None:
        init_lstm_parameters_(params, self.spec, **self.initializers.as_kwargs())

    def weights(self, params: dict[str, Tensor]) -> LSTMWeights:
        return LSTMWeights(**params)

    def step(self, x, state, weights, *, recurrent_mask, updates):
        h, c, gates = lstm_step(
            x, *state, weights, self.spec, recurrent_mask=recurrent_mask,
            update_h=updates[0], update_c=updates[1],
        )  # fmt: skip
        return (h, c), vars(gates)

    def summary(self, layer_options: str) -> str:
        s = self.spec
        return (
            f"peephole={s.peephole}, layer_norm={s.layer_norm}, "
            f"coupled_gates={s.coupled_gates}, {layer_options}, "
            f"gate_activation={s.gate_activation!r}, state_activation={s.state_activation!r}"
        )

    def repr_options(self, bidirectional: bool) -> str:
        text = super().repr_options(bidirectional)
        return text + (f", proj_size={self.spec.proj_size}" if self.spec.proj_size else "")


class LSTMCell(CellModule):
    """A single LSTM step, with every variant of :class:`lstmkit.nn.LSTM`.

    For the standard options its parameters match ``torch.nn.LSTMCell``
    (``weight_ih``, ``weight_hh``, ``bias_ih``, ``bias_hh``).

    Args:
        input_size: features of the input x.
        hidden_size: units in the cell state c (and in h unless ``proj_size``).
        bias: learn the biases ``bias_ih`` and ``bias_hh``.
        proj_size: if > 0, project h to this size (LSTMP).
        peephole: gates see the cell state (Gers & Schmidhuber 2000).
        layer_norm: layer-normalise gate pre-activations and the cell (Ba et al. 2016).
        coupled_gates: CIFG, the input gate is ``1 - f``.
        gate_activation: ``"sigmoid"`` or ``"hard_sigmoid"``.
        state_activation: ``"tanh"``, ``"softsign"`` or ``"relu"``.
        input_initializer, recurrent_initializer, bias_initializer: see
            :mod:`lstmkit.nn.initializers`.

    Returns:
        ``forward(x, state=None) -> (h, (h, c))``, with x of shape (B, input_size).

    Example:
        >>> import torch
        >>> from lstmkit.nn import LSTMCell
        >>> cell = LSTMCell(3, 8)
        >>> h, (h, c) = cell(torch.randn(2, 3))
        >>> h.shape, c.shape
        (torch.Size([2, 8]), torch.Size([2, 8]))
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        *,
        proj_size: int = 0,
        peephole: bool = False,
        layer_norm: bool = False,
        coupled_gates: bool = False,
        gate_activation: str = "sigmoid",
        state_activation: str = "tanh",
        input_initializer: str = "glorot",
        recurrent_initializer: str = "orthogonal",
        bias_initializer: str = "unit-forget-gate",
    ) -> None:
        spec = LSTMSpec(
            hidden_size, proj_size, peephole, layer_norm, coupled_gates, gate_activation,
            state_activation,
        )  # fmt: skip
        initializers = Initializers(input_initializer, recurrent_initializer, bias_initializer)
        cell = LSTMDescription(spec, initializers, bias)
        super().__init__(cell, input_size)
        self.spec = cell.spec
        self.initializers = cell.initializers

    def forward(
        self, x: Tensor, state: tuple[Tensor, Tensor] | None = None
    ) -> tuple[Tensor, tuple[Tensor, Tensor]]:
        check_cell_x(x, self.input_size)
        batch = x.shape[0]
        if state is None:
            h = x.new_zeros(batch, self.spec.output_size)
            c = x.new_zeros(batch, self.hidden_size)
        else:
            if not isinstance(state, tuple | list) or len(state) != 2:
                raise TypeError(f"state must be a tuple (h, c); received {describe(state)}")
            h, c = state
            check_state_tensor("state[0] (h)", h, (batch, self.spec.output_size), x)
            check_state_tensor("state[1] (c)", c, (batch, self.hidden_size), x)
        h, c, _ = lstm_step(x, h, c, self.weights(), self.spec)
        return h, (h, c)

    def extra_repr(self) -> str:
        return f"{self.input_size}, {self.hidden_size}, spec={self.spec}"
