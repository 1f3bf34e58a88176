"""The LSTM layer: stacked, bidirectional, every common variant, three backends."""

from __future__ import annotations

from typing import Any, ClassVar

import torch
from torch import nn

from lstmkit.nn.backends.lstm_fused import fused_lstm_direction
from lstmkit.nn.lstm_cell import (
    LSTMSpec,
    LSTMWeights,
    init_lstm_parameters_,
    lstm_parameter_shapes,
    lstm_step,
    validate_lstm_options,
)
from lstmkit.nn.recurrent import DirectionMasks, RecurrentLayer

Tensor = torch.Tensor


class LSTM(RecurrentLayer):
    """Long Short-Term Memory layer (Hochreiter & Schmidhuber 1997) and its variants.

    For the standard options the parameters have torch.nn.LSTM's names and shapes
    (``weight_ih_l0``, ``weight_hh_l0``, ``bias_ih_l0``, ``bias_hh_l0``,
    ``weight_hr_l0``, ``..._reverse``), so weights move both ways
    (:meth:`from_torch`, :meth:`to_torch`, ``load_state_dict``).

    Args:
        input_size: features per step of the input.
        hidden_size: units in the cell state.
        num_layers: stacked layers.
        bias: learn biases.
        batch_first: input and output are (batch, time, features) if True.
        dropout: dropout on the outputs of every layer but the last.
        bidirectional: also run a layer backwards in time; outputs are concatenated.
        proj_size: if > 0, project h to this size (LSTMP, Sak et al. 2014).
        peephole: gates look at the cell state (Gers & Schmidhuber 2000).
        layer_norm: layer-normalise the input and recurrent pre-activations and the
            cell (Ba et al. 2016).
        coupled_gates: CIFG, input gate i = 1 - f (Greff et al. 2017).
        recurrent_dropout: variational dropout on h before the recurrent matmul, one
            mask per sequence (Gal & Ghahramani 2016); training only.
        zoneout: probability of keeping each unit's previous value, for h and c
            (Krueger et al. 2017); a float or a tuple ``(zoneout_h, zoneout_c)``.
        state_activation: ``"tanh"`` (default), ``"softsign"`` or ``"relu"``; used for
            the cell candidate and the output.
        gate_activation: ``"sigmoid"`` (default) or ``"hard_sigmoid"``
            (``clip(0.2 x + 0.5, 0, 1)``).
        output_mode: ``"sequence"`` gives every step; ``"last"`` gives each sequence's
            final hidden state (both directions' ends concatenated if bidirectional).
        padding_side: where padded batches carry their padding, ``"right"`` or
            ``"left"``; used when ``lengths`` is passed to ``forward``.
        backend: ``"auto"`` (default: native kernels when the options allow, else
            fused), ``"native"``, ``"fused"`` or ``"reference"``.
        input_initializer: ``"glorot"`` (default), ``"he"``, ``"orthogonal"``,
            ``"narrow-normal"`` or ``"pytorch"``.
        recurrent_initializer: the same choices; default ``"orthogonal"``.
        bias_initializer: ``"unit-forget-gate"`` (default), ``"zeros"`` or ``"pytorch"``.

    Returns:
        ``forward(x, state=None, lengths=None, return_gates=False)`` returns
        ``(output, (h_n, c_n))``: output is (B, T, D·P) for ``"sequence"`` or (B, D·P)
        for ``"last"`` (P = proj_size or hidden_size, D = 2 if bidirectional); h_n is
        (num_layers·D, B, P) and c_n (num_layers·D, B, hidden_size), each sequence's own
        final state. With ``return_gates=True`` a third value maps ``"i", "f", "g",
        "o", "c"`` to tensors (num_layers, D, B, T, hidden_size), or (..., T, B, ...)
        when not batch_first. ``lengths`` (B,) serves a padded batch: padded steps never
        change the state and give zero output.

    Example:
        >>> import torch
        >>> from lstmkit.nn import LSTM
        >>> lstm = LSTM(input_size=3, hidden_size=16, num_layers=2, peephole=True)
        >>> x = torch.randn(4, 10, 3)
        >>> y, (h, c) = lstm(x, lengths=[10, 7, 5, 2])
        >>> y.shape, h.shape, lstm.last_backend
        (torch.Size([4, 10, 16]), torch.Size([2, 4, 16]), 'fused')
    """

    gate_names: ClassVar[tuple[str, ...]] = ("i", "f", "g", "o", "c")
    has_fused: ClassVar[bool] = True
    torch_class: ClassVar[type[nn.Module]] = nn.LSTM

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = True,
        dropout: float = 0.0,
        bidirectional: bool = False,
        proj_size: int = 0,
        *,
        peephole: bool = False,
        layer_norm: bool = False,
        coupled_gates: bool = False,
        recurrent_dropout: float = 0.0,
        zoneout: float | tuple[float, float] = 0.0,
        state_activation: str = "tanh",
        gate_activation: str = "sigmoid",
        output_mode: str = "sequence",
        padding_side: str = "right",
        backend: str = "auto",
        input_initializer: str = "glorot",
        recurrent_initializer: str = "orthogonal",
        bias_initializer: str = "unit-forget-gate",
    ) -> None:
        super().__init__(
            input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
            recurrent_dropout=recurrent_dropout, zoneout=zoneout, output_mode=output_mode,
            padding_side=padding_side, backend=backend, input_initializer=input_initializer,
            recurrent_initializer=recurrent_initializer, bias_initializer=bias_initializer,
        )  # fmt: skip
        validate_lstm_options(
            input_size=input_size, hidden_size=hidden_size, proj_size=proj_size, bias=bias,
            peephole=peephole, layer_norm=layer_norm, coupled_gates=coupled_gates,
            gate_activation=gate_activation, state_activation=state_activation,
            input_initializer=input_initializer, recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer,
        )  # fmt: skip
        self.proj_size = proj_size
        self.peephole = peephole
        self.layer_norm = layer_norm
        self.coupled_gates = coupled_gates
        self.state_activation = state_activation
        self.gate_activation = gate_activation
        self.spec = LSTMSpec(
            hidden_size=hidden_size, proj_size=proj_size, peephole=peephole,
            layer_norm=layer_norm, coupled_gates=coupled_gates,
            gate_activation=gate_activation, state_activation=state_activation,
        )  # fmt: skip
        self._finish_init()

    # ----------------------------------------------------------------- cell hooks
    def _state_sizes(self) -> tuple[int, ...]:
        return (self.spec.output_size, self.hidden_size)

    def _direction_shapes(self, input_size: int) -> dict[str, tuple[int, ...]]:
        return lstm_parameter_shapes(input_size, self.spec, self.bias)

    def _init_direction_(self, params: dict[str, Tensor]) -> None:
        init_lstm_parameters_(
            params, self.spec, input_initializer=self.input_initializer,
            recurrent_initializer=self.recurrent_initializer,
            bias_initializer=self.bias_initializer,
        )  # fmt: skip

    def _is_standard(self) -> bool:
        s = self.spec
        return not (s.peephole or s.layer_norm or s.coupled_gates) and (
            s.gate_activation == "sigmoid" and s.state_activation == "tanh"
        )

    def _native_kind(self) -> str:
        return "lstm"

    def _torch_kwargs(self) -> dict[str, Any]:
        return {"proj_size": self.proj_size}

    @classmethod
    def _options_from_torch(cls, module: nn.Module) -> dict[str, Any]:
        return {"proj_size": module.proj_size}

    def _run_direction(
        self,
        backend: str,
        x: Tensor,
        state: tuple[Tensor, ...],
        params: dict[str, Tensor],
        masks: DirectionMasks,
        return_gates: bool,
    ):
        w = LSTMWeights(**params)
        h0, c0 = state
        update_h, update_c = masks.update
        if backend == "fused":
            y, h_n, c_n, traced = fused_lstm_direction(
                x, h0, c0, w, self.spec, recurrent_mask=masks.recurrent, update_h=update_h,
                update_c=update_c, valid=masks.valid, return_gates=return_gates,
            )  # fmt: skip
            gates = None
            if traced is not None:
                acts, cells = traced
                named = dict(zip(self.spec.gate_names, acts.unbind(2), strict=True))
                if self.coupled_gates:
                    named["i"] = 1.0 - named["f"]
                gates = {k: named[k] for k in ("i", "f", "g", "o")} | {"c": cells}
            return y, (h_n, c_n), gates
        return self._run_reference(x, h0, c0, w, masks, return_gates)

    def _run_reference(self, x, h, c, w, masks: DirectionMasks, return_gates: bool):
        """The reference backend: :func:`lstm_step` once per step, under autograd."""

        def step(x_t, state, updates):
            h, c, gates = lstm_step(
                x_t, *state, w, self.spec, recurrent_mask=masks.recurrent,
                update_h=updates[0], update_c=updates[1],
            )  # fmt: skip
            return (h, c), gates

        return self._reference_loop(x, (h, c), masks, step, return_gates)

    def spec_summary(self) -> str:
        s = self.spec
        parts = [f"peephole={s.peephole}", f"layer_norm={s.layer_norm}",
                 f"coupled_gates={s.coupled_gates}", f"zoneout={self.zoneout}",
                 f"recurrent_dropout={self.recurrent_dropout}",
                 f"gate_activation={s.gate_activation!r}",
                 f"state_activation={s.state_activation!r}"]  # fmt: skip
        return ", ".join(parts)

    def extra_repr(self) -> str:
        text = f"{self.input_size}, {self.hidden_size}, num_layers={self.num_layers}"
        if self.bidirectional:
            text += ", bidirectional=True"
        if self.proj_size:
            text += f", proj_size={self.proj_size}"
        return text + f", backend={self.backend!r}"
