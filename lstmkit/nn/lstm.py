"""The LSTM layer: stacked, bidirectional, every common variant, any registered backend.

The cell -- equations, parameters, initialisation -- is :mod:`lstmkit.nn.cells.lstm`;
stacking, directions, padding and streaming are :class:`~lstmkit.nn.RecurrentLayer`'s.
"""

from __future__ import annotations

from typing import ClassVar

from torch import nn

from lstmkit.nn.cells.lstm import LSTMDescription, LSTMSpec
from lstmkit.nn.initializers import Initializers
from lstmkit.nn.interop import TorchInterop
from lstmkit.nn.recurrent import RecurrentLayer


class LSTM(TorchInterop, RecurrentLayer):
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
            fused), ``"native"``, ``"fused"``, ``"reference"`` or a backend added with
            :func:`~lstmkit.nn.register_backend`.
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

    torch_class: ClassVar[type[nn.Module]] = nn.LSTM
    torch_options: ClassVar[tuple[str, ...]] = ("proj_size",)

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
        initializers = Initializers(input_initializer, recurrent_initializer, bias_initializer)
        spec = LSTMSpec(
            hidden_size, proj_size, peephole, layer_norm, coupled_gates, gate_activation,
            state_activation,
        )  # fmt: skip
        super().__init__(
            LSTMDescription(spec, initializers, bias), input_size, num_layers, batch_first,
            dropout, bidirectional, recurrent_dropout=recurrent_dropout, zoneout=zoneout,
            output_mode=output_mode, padding_side=padding_side, backend=backend,
        )  # fmt: skip
        self.spec = spec
        self.proj_size = proj_size
        self.peephole = peephole
        self.layer_norm = layer_norm
        self.coupled_gates = coupled_gates
        self.state_activation = state_activation
        self.gate_activation = gate_activation
