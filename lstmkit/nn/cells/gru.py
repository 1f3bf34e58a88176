"""The GRU cell: its equations, written once, its parameters, and :class:`GRUCell`.

The gated recurrent unit (Cho et al. 2014) in the form torch.nn.GRU and cuDNN compute
(``reset_after=True``, the default)::

    r = σ(W_r x + b_ir + R_r h + b_hr)             reset gate
    z = σ(W_z x + b_iz + R_z h + b_hz)             update gate
    n = tanh(W_n x + b_in + r ⊙ (R_n h + b_hn))    candidate
    h' = (1 - z) ⊙ n + z ⊙ h

With ``reset_after=False`` the candidate is the paper's: the reset gate acts on the
state *before* the recurrent matmul, ``n = tanh(W_n x + b_in + R_n (r ⊙ h) + b_hn)``.
The two are different functions of the same weights; the first needs one recurrent
matmul per step (R h for all three blocks at once), the second two (R_rz h, then
R_n (r ⊙ h)), which is why cuDNN chose the first. Keras calls them ``reset_after=True``
and ``False`` too. With ``reset_after=False`` the biases ``b_in`` and ``b_hn`` simply add
up, as ``b_ir + b_hr`` always do; keeping both keeps torch's parameter layout, so the
same state dict loads into either form.

z is the fraction of the old state kept (torch's convention; the paper writes
``h' = z ⊙ h + (1 - z) ⊙ n`` with the same meaning).

:func:`gru_step` below is that, line for line; every variant is a marked deviation
from it. It is the *reference backend*, the ground truth the native backend (torch's
own ``torch._VF.gru``) is tested against. :class:`GRUDescription` tells the layer
machinery (:class:`~lstmkit.nn.GRU`) about the cell: state ``h``, gates, parameters.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import ClassVar

import torch
import torch.nn.functional as F

from lstmkit._checks import check_bool, check_choice, check_int
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
    check_cell_input,
)
from lstmkit.nn.cells.lstm import LAYER_NORM_EPS
from lstmkit.nn.initializers import Initializers, init_bias_, init_weight_

Tensor = torch.Tensor


@dataclass(frozen=True)
class GRUSpec:
    """The options the cell equations depend on (one layer, one direction), checked."""

    hidden_size: int
    reset_after: bool = True
    layer_norm: bool = False
    gate_activation: str = "sigmoid"
    state_activation: str = "tanh"

    #: row blocks of the weight matrices, in order (torch's r, z, n)
    gate_names: ClassVar[tuple[str, ...]] = ("r", "z", "n")
    num_gates: ClassVar[int] = 3

    def __post_init__(self) -> None:
        check_int("hidden_size", self.hidden_size, 1)
        for name in ("reset_after", "layer_norm"):
            check_bool(name, getattr(self, name))
        check_choice("gate_activation", self.gate_activation, GATE_ACTIVATIONS)
        check_choice("state_activation", self.state_activation, STATE_ACTIVATIONS)


@dataclass
class GRUWeights:
    """The parameters of one layer in one direction (``None`` where unused)."""

    weight_ih: Tensor
    weight_hh: Tensor
    bias_ih: Tensor | None = None
    bias_hh: Tensor | None = None
    ln_ih_weight: Tensor | None = None
    ln_hh_weight: Tensor | None = None


@dataclass
class GRUStepGates:
    """Activations of one step: gates r, z, the candidate n and the new h, each (B, H)."""

    r: Tensor
    z: Tensor
    n: Tensor
    h: Tensor


def _layer_norm(a: Tensor, gain: Tensor | None) -> Tensor:
    # Gain only: the biases that follow play the role of layer norm's shift.
    return F.layer_norm(a, a.shape[-1:], gain, None, LAYER_NORM_EPS)


def gru_step(
    x: Tensor,
    h: Tensor,
    w: GRUWeights,
    spec: GRUSpec,
    recurrent_mask: Tensor | None = None,
    update_h: Tensor | None = None,
) -> tuple[Tensor, GRUStepGates]:
    """One GRU step: ``(x_t, h_{t-1}) -> (h_t, gates)``.

    Args:
        x: input at this step, (B, I).
        h: previous hidden state, (B, H).
        w: the layer's weights; spec: its options.
        recurrent_mask: variational recurrent-dropout mask on h, (B, H), already scaled
            by 1/(1-p); the same for every step of a sequence.
        update_h: how much of the new state replaces the old (zoneout and padding):
            ``h_t = h_{t-1} + u ⊙ (h̃_t - h_{t-1})``; 1 everywhere if None.

    Returns:
        The new hidden state and the step's activations.
    """
    sigma = gate_activation(spec.gate_activation).fn
    phi = state_activation(spec.state_activation).fn
    hidden = spec.hidden_size

    # Variant: recurrent dropout (Gal & Ghahramani 2016): one mask per sequence on the
    # h that feeds the recurrent matmuls (the carried-over z ⊙ h is left alone).
    h_in = h if recurrent_mask is None else h * recurrent_mask

    a_x = F.linear(x, w.weight_ih)  # W_r x, W_z x, W_n x
    # Variant: layer normalisation (Ba et al. 2016) of the input pre-activations.
    if spec.layer_norm:
        a_x = _layer_norm(a_x, w.ln_ih_weight)
    if w.bias_ih is not None:
        a_x = a_x + w.bias_ih
    x_r, x_z, x_n = a_x.chunk(3, dim=-1)

    if spec.reset_after:
        a_h = F.linear(h_in, w.weight_hh)  # R_r h, R_z h, R_n h in one matmul
        # Variant: layer normalisation of the recurrent pre-activations.
        if spec.layer_norm:
            a_h = _layer_norm(a_h, w.ln_hh_weight)
        if w.bias_hh is not None:
            a_h = a_h + w.bias_hh
        h_r, h_z, h_n = a_h.chunk(3, dim=-1)
        r = sigma(x_r + h_r)
        z = sigma(x_z + h_z)
        n = phi(x_n + r * h_n)
    else:
        # Variant: reset before the matmul (Cho et al. 2014). R_n (r ⊙ h) can only be
        # formed once r is known, so the recurrent pre-activations come in two parts
        # and layer norm normalises each part on its own (r, z over 2H; n over H).
        w_rz, w_n = w.weight_hh.split([2 * hidden, hidden])
        b_rz, b_n = (None, None) if w.bias_hh is None else w.bias_hh.split([2 * hidden, hidden])
        g_rz, g_n = (None, None)
        if spec.layer_norm:
            g_rz, g_n = w.ln_hh_weight.split([2 * hidden, hidden])
        a_rz = F.linear(h_in, w_rz)
        if spec.layer_norm:
            a_rz = _layer_norm(a_rz, g_rz)
        if b_rz is not None:
            a_rz = a_rz + b_rz
        h_r, h_z = a_rz.chunk(2, dim=-1)
        r = sigma(x_r + h_r)
        z = sigma(x_z + h_z)
        a_n = F.linear(r * h_in, w_n)
        if spec.layer_norm:
            a_n = _layer_norm(a_n, g_n)
        if b_n is not None:
            a_n = a_n + b_n
        n = phi(x_n + a_n)

    h_new = (1.0 - z) * n + z * h

    # Variant: zoneout (Krueger et al. 2017) and padded steps: keep part of the old state.
    if update_h is not None:
        h_new = torch.lerp(h, h_new, update_h)
    return h_new, GRUStepGates(r=r, z=z, n=n, h=h_new)


def gru_parameter_shapes(input_size: int, spec: GRUSpec, bias: bool) -> dict[str, tuple]:
    """Parameter names (without layer suffix) and shapes for one layer and direction.

    For the standard options these are exactly torch.nn.GRU's names and shapes; the
    order (weights, then biases) is the flat order torch's kernel expects.
    """
    gh = spec.num_gates * spec.hidden_size
    shapes: dict[str, tuple] = {
        "weight_ih": (gh, input_size),
        "weight_hh": (gh, spec.hidden_size),
    }
    if bias:
        shapes["bias_ih"] = (gh,)
        shapes["bias_hh"] = (gh,)
    if spec.layer_norm:
        shapes["ln_ih_weight"] = (gh,)
        shapes["ln_hh_weight"] = (gh,)
    return shapes


@torch.no_grad()
def init_gru_parameters_(
    params: dict[str, Tensor],
    spec: GRUSpec,
    *,
    input_initializer: str,
    recurrent_initializer: str,
    bias_initializer: str,
) -> None:
    """Initialise one layer-direction's parameters in place (keys without suffix).

    A GRU has no forget gate, so ``"unit-forget-gate"`` leaves the biases at zero.
    """
    h, g = spec.hidden_size, spec.num_gates
    init_weight_(params["weight_ih"], input_initializer, hidden_size=h, blocks=g)
    init_weight_(params["weight_hh"], recurrent_initializer, hidden_size=h, blocks=g)
    for first, name in ((True, "bias_ih"), (False, "bias_hh")):
        if name in params:
            init_bias_(
                params[name], bias_initializer, hidden_size=h, forget_block=None, first=first
            )
    for name in ("ln_ih_weight", "ln_hh_weight"):
        if name in params:
            params[name].fill_(1.0)


@dataclass(frozen=True)
class GRUDescription(CellDescription):
    """The GRU cell as the layer machinery sees it: state ``h``, gates, parameters.

    ``return_gates=True`` yields ``r``, ``z``, the candidate ``n`` and the new ``h``.
    With the standard options torch's ``gru`` kernel computes it (native backend).
    """

    spec: GRUSpec
    initializers: Initializers
    bias: bool = True

    name: ClassVar[str] = "GRU"
    gate_names: ClassVar[tuple[str, ...]] = ("r", "z", "n", "h")
    gate_blocks: ClassVar[tuple[str, ...]] = GRUSpec.gate_names

    @property
    def hidden_size(self) -> int:
        return self.spec.hidden_size

    @cached_property
    def state(self) -> tuple[StatePart, ...]:
        return (StatePart("h", (self.hidden_size,)),)

    @cached_property
    def torch_counterpart(self) -> TorchCounterpart:
        s = self.spec
        standard = (
            s.reset_after
            and not s.layer_norm
            and s.gate_activation == "sigmoid"
            and s.state_activation == "tanh"
        )
        return TorchCounterpart(kernel="gru", standard=standard)

    def parameter_shapes(self, input_size: int) -> dict[str, tuple[int, ...]]:
        return gru_parameter_shapes(input_size, self.spec, self.bias)

    def init_parameters_(self, params: dict[str, Tensor]) -> None:
        init_gru_parameters_(params, self.spec, **self.initializers.as_kwargs())

    def weights(self, params: dict[str, Tensor]) -> GRUWeights:
        return GRUWeights(**params)

    def step(self, x, state, weights, *, recurrent_mask, updates):
        h, gates = gru_step(
            x, state[0], weights, self.spec, recurrent_mask=recurrent_mask, update_h=updates[0]
        )
        return (h,), vars(gates)

    def summary(self, layer_options: str) -> str:
        s = self.spec
        return (
            f"reset_after={s.reset_after}, layer_norm={s.layer_norm}, {layer_options}, "
            f"gate_activation={s.gate_activation!r}, state_activation={s.state_activation!r}"
        )

    def repr_options(self, bidirectional: bool) -> str:
        s = self.spec
        text = super().repr_options(bidirectional)
        return (
            text
            + ("" if s.reset_after else ", reset_after=False")
            + (", layer_norm=True" if s.layer_norm else "")
        )


class GRUCell(CellModule):
    """A single GRU step, with every variant of :class:`lstmkit.nn.GRU`.

    For the standard options its parameters match ``torch.nn.GRUCell``
    (``weight_ih``, ``weight_hh``, ``bias_ih``, ``bias_hh``; gates r, z, n).

    Args:
        input_size: features of the input x.
        hidden_size: units in the hidden state h.
        bias: learn the biases ``bias_ih`` and ``bias_hh``.
        reset_after: True (default): ``n = φ(W_n x + b_in + r ⊙ (R_n h + b_hn))`` as
            torch and cuDNN; False: ``n = φ(W_n x + R_n (r ⊙ h) + b_n)`` as Cho et al.
            2014.
        layer_norm: layer-normalise the input and recurrent pre-activations (Ba et al.
            2016).
        gate_activation: ``"sigmoid"`` or ``"hard_sigmoid"``.
        state_activation: ``"tanh"``, ``"softsign"`` or ``"relu"`` (for n).
        input_initializer, recurrent_initializer, bias_initializer: see
            :mod:`lstmkit.nn.initializers` (bias default ``"zeros"``; with no forget
            gate, ``"unit-forget-gate"`` also gives zeros).

    Returns:
        ``forward(x, h=None) -> h``: x is (B, input_size), h (B, hidden_size); a
        missing h starts at zero.

    Example:
        >>> import torch
        >>> from lstmkit.nn import GRUCell
        >>> cell = GRUCell(3, 8, reset_after=False)
        >>> h = cell(torch.randn(2, 3))
        >>> cell(torch.randn(2, 3), h).shape
        torch.Size([2, 8])
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        *,
        reset_after: bool = True,
        layer_norm: bool = False,
        gate_activation: str = "sigmoid",
        state_activation: str = "tanh",
        input_initializer: str = "glorot",
        recurrent_initializer: str = "orthogonal",
        bias_initializer: str = "zeros",
    ) -> None:
        spec = GRUSpec(hidden_size, reset_after, layer_norm, gate_activation, state_activation)
        initializers = Initializers(input_initializer, recurrent_initializer, bias_initializer)
        cell = GRUDescription(spec, initializers, bias)
        super().__init__(cell, input_size)
        self.spec = cell.spec
        self.initializers = cell.initializers

    def forward(self, x: Tensor, h: Tensor | None = None) -> Tensor:
        x, h = check_cell_input(x, h, input_size=self.input_size, hidden_size=self.hidden_size)
        return gru_step(x, h, self.weights(), self.spec)[0]

    def extra_repr(self) -> str:
        return f"{self.input_size}, {self.hidden_size}, bias={self.bias}, spec={self.spec}"
