"""The Elman RNN: its equation, the single-step :class:`RNNCell` and the :class:`RNN` layer.

The simple recurrent network (Elman 1990), as torch.nn.RNN computes it::

    h' = φ(W x + b_ih + R h + b_hh)        φ = tanh or relu

:func:`rnn_step` is that line, plus the two variants every lstmkit layer offers
(recurrent dropout and zoneout). It is the *reference backend*; the native backend is
torch's own kernel (``torch._VF.rnn_tanh`` / ``rnn_relu``).
"""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any, ClassVar

import torch
import torch.nn.functional as F
from torch import nn

from lstmkit._checks import check_bool, check_choice, check_int, describe
from lstmkit.nn.activations import state_activation
from lstmkit.nn.initializers import (
    BIAS_INITIALIZERS,
    WEIGHT_INITIALIZERS,
    init_bias_,
    init_weight_,
)
from lstmkit.nn.recurrent import DirectionMasks, RecurrentLayer
from lstmkit.nn.validation import check_state_tensor

Tensor = torch.Tensor

#: torch.nn.RNN's names for its two nonlinearities
NONLINEARITIES = ("tanh", "relu")


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


def check_cell_input(x: Any, h: Any, *, input_size: int, hidden_size: int) -> tuple[Tensor, Tensor]:
    """Validate a cell's ``x`` (B, input_size) and optional ``h`` (B, hidden_size).

    Shared by :class:`RNNCell` and :class:`lstmkit.nn.GRUCell`. Returns ``(x, h)``
    with a zero ``h`` if none was given.
    """
    if not isinstance(x, torch.Tensor) or not x.is_floating_point():
        raise TypeError(f"x must be a floating-point tensor (B, input_size); got {describe(x)}")
    if x.dim() != 2 or x.shape[1] != input_size:
        raise ValueError(f"x must have shape (batch, {input_size}); received {tuple(x.shape)}")
    if h is None:
        return x, x.new_zeros(x.shape[0], hidden_size)
    check_state_tensor("h", h, (x.shape[0], hidden_size), x)
    return x, h


def _validate_rnn_options(
    *,
    input_size: int,
    hidden_size: int,
    bias: bool,
    nonlinearity: str,
    input_initializer: str,
    recurrent_initializer: str,
    bias_initializer: str,
) -> None:
    check_int("input_size", input_size, 1)
    check_int("hidden_size", hidden_size, 1)
    check_bool("bias", bias)
    check_choice("nonlinearity", nonlinearity, NONLINEARITIES)
    check_choice("input_initializer", input_initializer, WEIGHT_INITIALIZERS)
    check_choice("recurrent_initializer", recurrent_initializer, WEIGHT_INITIALIZERS)
    check_choice("bias_initializer", bias_initializer, BIAS_INITIALIZERS)


class RNNCell(nn.Module):
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
        super().__init__()
        _validate_rnn_options(
            input_size=input_size, hidden_size=hidden_size, bias=bias,
            nonlinearity=nonlinearity, input_initializer=input_initializer,
            recurrent_initializer=recurrent_initializer, bias_initializer=bias_initializer,
        )  # fmt: skip
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        self.nonlinearity = nonlinearity
        self.initializers = (input_initializer, recurrent_initializer, bias_initializer)
        for name, shape in rnn_parameter_shapes(input_size, hidden_size, bias).items():
            self.register_parameter(name, nn.Parameter(torch.empty(shape)))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Re-initialise every parameter with the chosen initialisers."""
        inp, rec, b = self.initializers
        init_rnn_parameters_(
            dict(self.named_parameters()), self.hidden_size, input_initializer=inp,
            recurrent_initializer=rec, bias_initializer=b,
        )  # fmt: skip

    def weights(self) -> RNNWeights:
        return RNNWeights(**dict(self.named_parameters()))

    def forward(self, x: Tensor, h: Tensor | None = None) -> Tensor:
        x, h = check_cell_input(x, h, input_size=self.input_size, hidden_size=self.hidden_size)
        return rnn_step(x, h, self.weights(), self.nonlinearity)

    def extra_repr(self) -> str:
        text = f"{self.input_size}, {self.hidden_size}, nonlinearity={self.nonlinearity!r}"
        return text + ("" if self.bias else ", bias=False")


class RNN(RecurrentLayer):
    """Elman recurrent layer (Elman 1990), stacked and optionally bidirectional.

    The parameters have torch.nn.RNN's names and shapes (``weight_ih_l0``,
    ``weight_hh_l0``, ``bias_ih_l0``, ``bias_hh_l0``, ``..._reverse``), so weights move
    both ways (:meth:`from_torch`, :meth:`to_torch`, ``load_state_dict``).

    ``nonlinearity`` is keyword-only: torch.nn.RNN takes it as its fourth positional
    argument where the other lstmkit layers take ``bias``, and a positional call copied
    from torch should fail loudly rather than set the wrong option.

    Args:
        input_size: features per step of the input.
        hidden_size: units in the hidden state.
        num_layers: stacked layers.
        bias: learn biases.
        batch_first: input and output are (batch, time, features) if True.
        dropout: dropout on the outputs of every layer but the last.
        bidirectional: also run a layer backwards in time; outputs are concatenated.
        nonlinearity: ``"tanh"`` (default) or ``"relu"``.
        recurrent_dropout: variational dropout on h before the recurrent matmul, one
            mask per sequence (Gal & Ghahramani 2016); training only.
        zoneout: probability of keeping each unit's previous h (Krueger et al. 2017).
        output_mode: ``"sequence"`` gives every step; ``"last"`` gives each sequence's
            final hidden state (both directions' ends concatenated if bidirectional).
        padding_side: where padded batches carry their padding, ``"right"`` or
            ``"left"``; used when ``lengths`` is passed to ``forward``.
        backend: ``"auto"`` (default: native kernels when the options allow, else
            reference), ``"native"`` or ``"reference"``; there is no fused RNN.
        input_initializer: ``"glorot"`` (default), ``"he"``, ``"orthogonal"``,
            ``"narrow-normal"`` or ``"pytorch"``.
        recurrent_initializer: the same choices; default ``"orthogonal"``.
        bias_initializer: ``"zeros"`` (default) or ``"pytorch"``; with no forget gate,
            ``"unit-forget-gate"`` is accepted and also gives zeros.

    Returns:
        ``forward(x, state=None, lengths=None, return_gates=False)`` returns
        ``(output, h_n)``: output is (B, T, D·H) for ``"sequence"`` or (B, D·H) for
        ``"last"`` (D = 2 if bidirectional); h_n is (num_layers·D, B, H), each
        sequence's own final state. With ``return_gates=True`` a third value maps
        ``"h"`` to the hidden states (num_layers, D, B, T, H), or (..., T, B, H) when not
        batch_first. ``lengths`` (B,) serves a padded batch: padded steps never change
        the state and give zero output.

    Example:
        >>> import torch
        >>> from lstmkit.nn import RNN
        >>> rnn = RNN(3, 16, num_layers=2, nonlinearity="relu", zoneout=0.1)
        >>> y, h = rnn(torch.randn(4, 10, 3), lengths=[10, 7, 5, 2])
        >>> y.shape, h.shape, rnn.last_backend
        (torch.Size([4, 10, 16]), torch.Size([2, 4, 16]), 'reference')
    """

    gate_names: ClassVar[tuple[str, ...]] = ("h",)
    has_fused: ClassVar[bool] = False
    torch_class: ClassVar[type[nn.Module]] = nn.RNN

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
        nonlinearity: str = "tanh",
        recurrent_dropout: float = 0.0,
        zoneout: float = 0.0,
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
        check_choice("nonlinearity", nonlinearity, NONLINEARITIES)
        self.nonlinearity = nonlinearity
        self._finish_init()

    # ----------------------------------------------------------------- cell hooks
    def _state_sizes(self) -> tuple[int, ...]:
        return (self.hidden_size,)

    def _direction_shapes(self, input_size: int) -> dict[str, tuple[int, ...]]:
        return rnn_parameter_shapes(input_size, self.hidden_size, self.bias)

    def _init_direction_(self, params: dict[str, Tensor]) -> None:
        init_rnn_parameters_(
            params, self.hidden_size, input_initializer=self.input_initializer,
            recurrent_initializer=self.recurrent_initializer,
            bias_initializer=self.bias_initializer,
        )  # fmt: skip

    def _is_standard(self) -> bool:
        return True  # both nonlinearities have a torch kernel

    def _native_kind(self) -> str:
        return f"rnn_{self.nonlinearity}"

    def _torch_kwargs(self) -> dict[str, Any]:
        return {"nonlinearity": self.nonlinearity}

    @classmethod
    def _options_from_torch(cls, module: nn.Module) -> dict[str, Any]:
        return {"nonlinearity": module.nonlinearity}

    def _run_direction(
        self,
        backend: str,
        x: Tensor,
        state: tuple[Tensor, ...],
        params: dict[str, Tensor],
        masks: DirectionMasks,
        return_gates: bool,
    ):
        """The reference backend: :func:`rnn_step` once per step, under autograd."""
        w = RNNWeights(**params)

        def step(x_t, state, updates):
            h = rnn_step(
                x_t, state[0], w, self.nonlinearity, recurrent_mask=masks.recurrent,
                update_h=updates[0],
            )  # fmt: skip
            return (h,), SimpleNamespace(h=h)  # the only per-step activation is h

        return self._reference_loop(x, state, masks, step, return_gates)

    def spec_summary(self) -> str:
        return (
            f"nonlinearity={self.nonlinearity!r}, zoneout={self.zoneout}, "
            f"recurrent_dropout={self.recurrent_dropout}"
        )

    def extra_repr(self) -> str:
        text = f"{self.input_size}, {self.hidden_size}, num_layers={self.num_layers}"
        text += f", nonlinearity={self.nonlinearity!r}"
        if self.bidirectional:
            text += ", bidirectional=True"
        return text + f", backend={self.backend!r}"
