"""The GRU equations, written once, the single-step :class:`GRUCell` and the :class:`GRU`.

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
own ``torch._VF.gru``) is tested against.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import torch
import torch.nn.functional as F
from torch import nn

from lstmkit._checks import check_bool, check_choice, check_int
from lstmkit.nn.activations import (
    GATE_ACTIVATIONS,
    STATE_ACTIVATIONS,
    gate_activation,
    state_activation,
)
from lstmkit.nn.initializers import (
    BIAS_INITIALIZERS,
    WEIGHT_INITIALIZERS,
    init_bias_,
    init_weight_,
)
from lstmkit.nn.lstm_cell import LAYER_NORM_EPS
from lstmkit.nn.recurrent import DirectionMasks, RecurrentLayer
from lstmkit.nn.rnn import check_cell_input

Tensor = torch.Tensor


@dataclass(frozen=True)
class GRUSpec:
    """The options the cell equations depend on (one layer, one direction)."""

    hidden_size: int
    reset_after: bool = True
    layer_norm: bool = False
    gate_activation: str = "sigmoid"
    state_activation: str = "tanh"

    #: row blocks of the weight matrices, in order (torch's r, z, n)
    gate_names: ClassVar[tuple[str, ...]] = ("r", "z", "n")
    num_gates: ClassVar[int] = 3


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


def validate_gru_options(
    *,
    input_size: int,
    hidden_size: int,
    bias: bool,
    reset_after: bool,
    layer_norm: bool,
    gate_activation: str,
    state_activation: str,
    input_initializer: str,
    recurrent_initializer: str,
    bias_initializer: str,
) -> None:
    """Check the cell options shared by :class:`GRUCell` and :class:`GRU`."""
    check_int("input_size", input_size, 1)
    check_int("hidden_size", hidden_size, 1)
    for name, value in (("bias", bias), ("reset_after", reset_after), ("layer_norm", layer_norm)):
        check_bool(name, value)
    check_choice("gate_activation", gate_activation, GATE_ACTIVATIONS)
    check_choice("state_activation", state_activation, STATE_ACTIVATIONS)
    check_choice("input_initializer", input_initializer, WEIGHT_INITIALIZERS)
    check_choice("recurrent_initializer", recurrent_initializer, WEIGHT_INITIALIZERS)
    check_choice("bias_initializer", bias_initializer, BIAS_INITIALIZERS)


class GRUCell(nn.Module):
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
        super().__init__()
        validate_gru_options(
            input_size=input_size, hidden_size=hidden_size, bias=bias,
            reset_after=reset_after, layer_norm=layer_norm, gate_activation=gate_activation,
            state_activation=state_activation, input_initializer=input_initializer,
            recurrent_initializer=recurrent_initializer, bias_initializer=bias_initializer,
        )  # fmt: skip
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        self.initializers = (input_initializer, recurrent_initializer, bias_initializer)
        self.spec = GRUSpec(
            hidden_size=hidden_size, reset_after=reset_after, layer_norm=layer_norm,
            gate_activation=gate_activation, state_activation=state_activation,
        )  # fmt: skip
        for name, shape in gru_parameter_shapes(input_size, self.spec, bias).items():
            self.register_parameter(name, nn.Parameter(torch.empty(shape)))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Re-initialise every parameter with the chosen initialisers."""
        inp, rec, b = self.initializers
        init_gru_parameters_(
            dict(self.named_parameters()), self.spec, input_initializer=inp,
            recurrent_initializer=rec, bias_initializer=b,
        )  # fmt: skip

    def weights(self) -> GRUWeights:
        return GRUWeights(**dict(self.named_parameters()))

    def forward(self, x: Tensor, h: Tensor | None = None) -> Tensor:
        x, h = check_cell_input(x, h, input_size=self.input_size, hidden_size=self.hidden_size)
        return gru_step(x, h, self.weights(), self.spec)[0]

    def extra_repr(self) -> str:
        return f"{self.input_size}, {self.hidden_size}, bias={self.bias}, spec={self.spec}"


class GRU(RecurrentLayer):
    """Gated recurrent unit layer (Cho et al. 2014) and its variants.

    For the standard options the parameters have torch.nn.GRU's names, shapes and gate
    order (r, z, n: ``weight_ih_l0`` (3H, I), ``weight_hh_l0`` (3H, H), ``bias_ih_l0``,
    ``bias_hh_l0``, ``..._reverse``), so weights move both ways (:meth:`from_torch`,
    :meth:`to_torch`, ``load_state_dict``).

    Args:
        input_size: features per step of the input.
        hidden_size: units in the hidden state.
        num_layers: stacked layers.
        bias: learn biases.
        batch_first: input and output are (batch, time, features) if True.
        dropout: dropout on the outputs of every layer but the last.
        bidirectional: also run a layer backwards in time; outputs are concatenated.
        reset_after: True (default): the reset gate scales the recurrent term after the
            matmul, ``n = φ(W_n x + b_in + r ⊙ (R_n h + b_hn))``, as torch.nn.GRU and
            cuDNN compute it; False: before it, ``n = φ(W_n x + R_n (r ⊙ h) + b_n)``,
            the original form of Cho et al. 2014 (``b_n = b_in + b_hn``). Different
            functions of the same weights; only True runs on torch's kernel.
        layer_norm: layer-normalise the input and recurrent pre-activations, gain only
            (Ba et al. 2016). With ``reset_after=False`` the recurrent part is
            normalised in two pieces, r and z together and R_n (r ⊙ h) alone, since the
            latter needs r first.
        recurrent_dropout: variational dropout on h before the recurrent matmuls, one
            mask per sequence (Gal & Ghahramani 2016); training only.
        zoneout: probability of keeping each unit's previous h (Krueger et al. 2017);
            the expectation is used in eval.
        state_activation: ``"tanh"`` (default), ``"softsign"`` or ``"relu"``; used for
            the candidate n.
        gate_activation: ``"sigmoid"`` (default) or ``"hard_sigmoid"``
            (``clip(0.2 x + 0.5, 0, 1)``), used for r and z.
        output_mode: ``"sequence"`` gives every step; ``"last"`` gives each sequence's
            final hidden state (both directions' ends concatenated if bidirectional).
        padding_side: where padded batches carry their padding, ``"right"`` or
            ``"left"``; used when ``lengths`` is passed to ``forward``.
        backend: ``"auto"`` (default: native kernels when the options allow, else
            reference), ``"native"`` or ``"reference"``; there is no fused GRU.
        input_initializer: ``"glorot"`` (default), ``"he"``, ``"orthogonal"``,
            ``"narrow-normal"`` or ``"pytorch"``.
        recurrent_initializer: the same choices; default ``"orthogonal"`` (per gate).
        bias_initializer: ``"zeros"`` (default) or ``"pytorch"``; with no forget gate,
            ``"unit-forget-gate"`` is accepted and also gives zeros.

    Returns:
        ``forward(x, state=None, lengths=None, return_gates=False)`` returns
        ``(output, h_n)``: output is (B, T, D·H) for ``"sequence"`` or (B, D·H) for
        ``"last"`` (D = 2 if bidirectional); h_n is (num_layers·D, B, H), each
        sequence's own final state. With ``return_gates=True`` a third value maps
        ``"r", "z", "n", "h"`` to tensors (num_layers, D, B, T, H) ((..., T, B, H) when
        not batch_first). ``lengths`` (B,) serves a padded batch: padded steps never
        change the state and give zero output.

    Example:
        >>> import torch
        >>> from lstmkit.nn import GRU
        >>> gru = GRU(input_size=3, hidden_size=16, num_layers=2, reset_after=False)
        >>> x = torch.randn(4, 10, 3)
        >>> y, h = gru(x, lengths=[10, 7, 5, 2])
        >>> y.shape, h.shape, gru.last_backend
        (torch.Size([4, 10, 16]), torch.Size([2, 4, 16]), 'reference')
    """

    gate_names: ClassVar[tuple[str, ...]] = ("r", "z", "n", "h")
    has_fused: ClassVar[bool] = False
    torch_class: ClassVar[type[nn.Module]] = nn.GRU

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = True,
        dropout: float = 0.0,
        bidirectional: bool = False,
        *,
        reset_after: bool = True,
        layer_norm: bool = False,
        recurrent_dropout: float = 0.0,
        zoneout: float = 0.0,
        state_activation: str = "tanh",
        gate_activation: str = "sigmoid",
        output_mode: str = "sequence",
        padding_side: str = "right",
        backend: str = "auto",
        input_initializer: str = "glorot",
        recurrent_initializer: str = "orthogonal",
        bias_initializer: str = "zeros",
    ) -> None:
        super().__init__(
            input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
            recurrent_dropout=recurrent_dropout, zoneout=zoneout, output_mode=output_mode,
            padding_side=padding_side, backend=backend, input_initializer=input_initializer,
            recurrent_initializer=recurrent_initializer, bias_initializer=bias_initializer,
        )  # fmt: skip
        validate_gru_options(
            input_size=input_size, hidden_size=hidden_size, bias=bias,
            reset_after=reset_after, layer_norm=layer_norm, gate_activation=gate_activation,
            state_activation=state_activation, input_initializer=input_initializer,
            recurrent_initializer=recurrent_initializer, bias_initializer=bias_initializer,
        )  # fmt: skip
        self.reset_after = reset_after
        self.layer_norm = layer_norm
        self.state_activation = state_activation
        self.gate_activation = gate_activation
        self.spec = GRUSpec(
            hidden_size=hidden_size, reset_after=reset_after, layer_norm=layer_norm,
            gate_activation=gate_activation, state_activation=state_activation,
        )  # fmt: skip
        self._finish_init()

    # ----------------------------------------------------------------- cell hooks
    def _state_sizes(self) -> tuple[int, ...]:
        return (self.hidden_size,)

    def _direction_shapes(self, input_size: int) -> dict[str, tuple[int, ...]]:
        return gru_parameter_shapes(input_size, self.spec, self.bias)

    def _init_direction_(self, params: dict[str, Tensor]) -> None:
        init_gru_parameters_(
            params, self.spec, input_initializer=self.input_initializer,
            recurrent_initializer=self.recurrent_initializer,
            bias_initializer=self.bias_initializer,
        )  # fmt: skip

    def _is_standard(self) -> bool:
        s = self.spec
        return (
            s.reset_after
            and not s.layer_norm
            and s.gate_activation == "sigmoid"
            and s.state_activation == "tanh"
        )

    def _native_kind(self) -> str:
        return "gru"

    def _run_direction(
        self,
        backend: str,
        x: Tensor,
        state: tuple[Tensor, ...],
        params: dict[str, Tensor],
        masks: DirectionMasks,
        return_gates: bool,
    ):
        """The reference backend: :func:`gru_step` once per step, under autograd."""
        w = GRUWeights(**params)

        def step(x_t, state, updates):
            h, gates = gru_step(
                x_t, state[0], w, self.spec, recurrent_mask=masks.recurrent, update_h=updates[0]
            )
            return (h,), gates

        return self._reference_loop(x, state, masks, step, return_gates)

    def spec_summary(self) -> str:
        s = self.spec
        parts = [f"reset_after={s.reset_after}", f"layer_norm={s.layer_norm}",
                 f"zoneout={self.zoneout}", f"recurrent_dropout={self.recurrent_dropout}",
                 f"gate_activation={s.gate_activation!r}",
                 f"state_activation={s.state_activation!r}"]  # fmt: skip
        return ", ".join(parts)

    def extra_repr(self) -> str:
        text = f"{self.input_size}, {self.hidden_size}, num_layers={self.num_layers}"
        if self.bidirectional:
            text += ", bidirectional=True"
        if not self.reset_after:
            text += ", reset_after=False"
        if self.layer_norm:
            text += ", layer_norm=True"
        return text + f", backend={self.backend!r}"
