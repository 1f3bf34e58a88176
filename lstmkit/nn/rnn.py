"""The Elman RNN layer: stacked, bidirectional, tanh or relu.

The cell -- equation, parameters, initialisation -- is :mod:`lstmkit.nn.cells.rnn`;
stacking, directions, padding and streaming are :class:`~lstmkit.nn.RecurrentLayer`'s.
"""

from __future__ import annotations

from typing import ClassVar

from torch import nn

from lstmkit.nn.cells.rnn import RNNDescription, RNNSpec
from lstmkit.nn.initializers import Initializers
from lstmkit.nn.interop import TorchInterop
from lstmkit.nn.recurrent import RecurrentLayer


class RNN(TorchInterop, RecurrentLayer):
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
            reference), ``"native"``, ``"reference"`` or a backend added with
            :func:`~lstmkit.nn.register_backend`; there is no fused RNN.
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

    torch_class: ClassVar[type[nn.Module]] = nn.RNN
    torch_options: ClassVar[tuple[str, ...]] = ("nonlinearity",)

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
        initializers = Initializers(input_initializer, recurrent_initializer, bias_initializer)
        super().__init__(
            RNNDescription(RNNSpec(hidden_size, nonlinearity), initializers, bias), input_size,
            num_layers, batch_first, dropout, bidirectional,
            recurrent_dropout=recurrent_dropout, zoneout=zoneout, output_mode=output_mode,
            padding_side=padding_side, backend=backend,
        )  # fmt: skip
        self.nonlinearity = nonlinearity
