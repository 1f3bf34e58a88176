"""A recurrent stack with a linear head: the network every lstmkit estimator trains.

MATLAB builds the same thing from layers (sequenceInputLayer, lstmLayer or
bilstmLayer, dropoutLayer, fullyConnectedLayer); here it is one module whose options
are plain values, so an estimator can store them in its config and rebuild it.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from lstmkit._checks import check_choice, check_int, check_probability
from lstmkit.nn.gru import GRU
from lstmkit.nn.lstm import LSTM
from lstmkit.nn.rnn import RNN

LAYER_KINDS = ("lstm", "bilstm", "gru", "bigru", "rnn")
#: layer kind -> recurrent layer class; "rnn" is the simple (Elman, tanh) RNN, the
#: baseline that the long-time-lag experiments compare the gated layers against.
LAYER_CLASSES = {"lstm": LSTM, "bilstm": LSTM, "gru": GRU, "bigru": GRU, "rnn": RNN}


class SequenceNetwork(nn.Module):
    """Recurrent layers (LSTM, BiLSTM, GRU, BiGRU, RNN) followed by dropout and a linear head.

    Args:
        input_size: features per step.
        output_size: outputs per sequence (``output_mode="last"``) or per step.
        layer: ``"lstm"``, ``"bilstm"``, ``"gru"``, ``"bigru"`` or ``"rnn"`` (simple
            Elman RNN, tanh).
        hidden_size: units per recurrent layer (per direction).
        num_layers: stacked recurrent layers.
        dropout: dropout between recurrent layers and before the head.
        output_mode: ``"last"`` (one output per sequence: its final state) or
            ``"sequence"`` (an output at every step).
        padding_side: where padded batches carry padding, ``"right"`` or ``"left"``.
        layer_options: further options for the recurrent layer (``peephole``,
            ``layer_norm``, ``zoneout``, ...), passed through unchanged.

    Returns:
        ``forward(x, lengths=None)`` gives (B, output_size) or (B, T, output_size).

    Example:
        >>> import torch
        >>> from lstmkit.nn.network import SequenceNetwork
        >>> net = SequenceNetwork(12, 9, layer="bilstm", hidden_size=32)
        >>> net(torch.randn(4, 20, 12), lengths=[20, 15, 9, 3]).shape
        torch.Size([4, 9])
    """

    def __init__(
        self,
        input_size: int,
        output_size: int,
        *,
        layer: str = "lstm",
        hidden_size: int = 64,
        num_layers: int = 1,
        dropout: float = 0.0,
        output_mode: str = "last",
        padding_side: str = "right",
        layer_options: dict[str, Any] | None = None,
    ) -> None:
        super().__init__()
        check_int("output_size", output_size, 1)
        check_choice("layer", layer, LAYER_KINDS)
        check_probability("dropout", dropout)
        layer_class = LAYER_CLASSES[layer]
        self.recurrent = layer_class(
            input_size,
            hidden_size,
            num_layers=num_layers,
            dropout=dropout if num_layers > 1 else 0.0,
            bidirectional=layer.startswith("bi"),
            output_mode=output_mode,
            padding_side=padding_side,
            **(layer_options or {}),
        )
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(self.recurrent.output_size, output_size)

    def forward(self, x: torch.Tensor, lengths: torch.Tensor | None = None) -> torch.Tensor:
        out = self.recurrent(x, lengths=lengths)[0]
        return self.head(self.dropout(out))

    def step(self, x_t: torch.Tensor, state: Any = None) -> tuple[torch.Tensor, Any]:
        """One streaming step for unidirectional networks: (B, F) -> (B, output_size)."""
        y_t, state = self.recurrent.step(x_t, state)
        return self.head(y_t), state
