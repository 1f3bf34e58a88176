"""A recurrent stack with a linear head: the network every lstmkit estimator trains.

MATLAB builds the same thing from layers (sequenceInputLayer, lstmLayer or
bilstmLayer, dropoutLayer, fullyConnectedLayer); here it is one module whose options
are plain values, so an estimator can store them in its config and rebuild it. An
optional per-step encoder (Keras's TimeDistributed, MATLAB's sequenceFoldingLayer) maps
each step's input -- a feature vector, an image, a spectrogram frame -- to the features
the recurrent layers read.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from lstmkit._checks import check_int, check_probability, describe
from lstmkit.nn.layer_kinds import LAYER_KINDS, get_layer_kind, register_layer_kind

__all__ = ["LAYER_KINDS", "SequenceNetwork", "register_layer_kind"]


class SequenceNetwork(nn.Module):
    """Recurrent layers (LSTM, BiLSTM, GRU, BiGRU, RNN, BiRNN) followed by dropout and a
    linear head, optionally after a per-step encoder.

    Args:
        input_size: features per step; with a ``step_encoder``, the shape of one step's
            input (an int, or a tuple such as ``(3, 32, 32)`` for image frames).
        output_size: outputs per sequence (``output_mode="last"``) or per step.
        layer: ``"lstm"``, ``"bilstm"``, ``"gru"``, ``"bigru"``, ``"rnn"`` (simple
            Elman RNN, tanh), ``"birnn"``, or a kind added with
            :func:`~lstmkit.nn.register_layer_kind`.
        hidden_size: units per recurrent layer (per direction).
        num_layers: stacked recurrent layers.
        dropout: dropout between recurrent layers and before the head.
        output_mode: ``"last"`` (one output per sequence: its final state) or
            ``"sequence"`` (an output at every step).
        padding_side: where padded batches carry padding, ``"right"`` or ``"left"``.
        layer_options: further options for the recurrent layer (``peephole``,
            ``layer_norm``, ``zoneout``, ...), passed through unchanged.
        step_encoder: a module applied to every step's input before the recurrent
            layers: (B, T, *step) is folded to (B·T, *step), encoded to (B·T, E) and
            unfolded to (B, T, E). Its parameters train with the rest.
        encoded_size: E; by default read from the encoder's output on one zero step.

    Returns:
        ``forward(x, lengths=None)`` gives (B, output_size) or (B, T, output_size).

    Example:
        >>> import torch
        >>> from lstmkit.nn.network import SequenceNetwork
        >>> net = SequenceNetwork(12, 9, layer="bilstm", hidden_size=32)
        >>> net(torch.randn(4, 20, 12), lengths=[20, 15, 9, 3]).shape
        torch.Size([4, 9])
        >>> frames = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(64, 16))
        >>> video = SequenceNetwork((4, 4, 4), 3, step_encoder=frames, hidden_size=8)
        >>> video.recurrent.input_size, video(torch.randn(2, 5, 4, 4, 4)).shape
        (16, torch.Size([2, 3]))
    """

    #: ``step()`` streams one step at a time (unidirectional layers).
    streamable = True

    def __init__(
        self,
        input_size: int | tuple[int, ...],
        output_size: int,
        *,
        layer: str = "lstm",
        hidden_size: int = 64,
        num_layers: int = 1,
        dropout: float = 0.0,
        output_mode: str = "last",
        padding_side: str = "right",
        layer_options: dict[str, Any] | None = None,
        step_encoder: nn.Module | None = None,
        encoded_size: int | None = None,
    ) -> None:
        super().__init__()
        check_int("output_size", output_size, 1)
        get_layer_kind(layer)  # an unknown kind is refused before anything is built
        check_probability("dropout", dropout)
        self.step_encoder = step_encoder
        if step_encoder is not None:
            input_size = _encoded_size(step_encoder, input_size, encoded_size)
        elif encoded_size is not None:
            raise ValueError(
                f"encoded_size is the output size of a step_encoder, and step_encoder is "
                f"None; received encoded_size={encoded_size!r}"
            )
        self.recurrent = recurrent_layers(
            input_size, layer, hidden_size, num_layers, dropout, output_mode, padding_side,
            layer_options,
        )  # fmt: skip
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(self.recurrent.output_size, output_size)

    def _encode(self, x: torch.Tensor) -> torch.Tensor:
        """Each step through the step encoder: (B, T, *step) -> (B, T, E)."""
        if self.step_encoder is None:
            return x
        if not isinstance(x, torch.Tensor) or x.dim() < 3:
            raise ValueError(
                f"x must be a tensor (batch, time, *step) for a network with a step_encoder; "
                f"received {describe(x)}"
            )
        steps = x.shape[:2]
        encoded = self.step_encoder(x.reshape(steps.numel(), *x.shape[2:]))
        return encoded.reshape(*steps, encoded.shape[-1])

    def forward(self, x: torch.Tensor, lengths: torch.Tensor | None = None) -> torch.Tensor:
        out = self.recurrent(self._encode(x), lengths=lengths)[0]
        return self.head(self.dropout(out))

    def step(self, x_t: torch.Tensor, state: Any = None) -> tuple[torch.Tensor, Any]:
        """One streaming step for unidirectional networks: (B, *step) -> (B, output_size)."""
        if self.step_encoder is not None:
            x_t = self.step_encoder(x_t)
        y_t, state = self.recurrent.step(x_t, state)
        return self.head(y_t), state

    def step_block(self, x: torch.Tensor, state: Any = None) -> tuple[torch.Tensor, Any]:
        """The next block of steps of a stream, carrying ``state`` across blocks:
        (B, T, *step) -> (B, T, output_size). Equal to :meth:`step` called T times, in
        one recurrent call instead of T (a stream of 125 frames a second would spend
        most of its time in per-step Python overhead otherwise). Unidirectional
        networks with per-step outputs only."""
        if self.recurrent.bidirectional:
            raise ValueError(
                "step_block() streams forward in time; a bidirectional layer needs the "
                "whole sequence"
            )
        if self.recurrent.output_mode != "sequence":
            raise ValueError(
                f"step_block() gives an output per step; this network has "
                f"output_mode={self.recurrent.output_mode!r}"
            )
        y, state = self.recurrent(self._encode(x), state)
        return self.head(y), state


def recurrent_layers(
    input_size: int,
    layer: str,
    hidden_size: int,
    num_layers: int,
    dropout: float,
    output_mode: str,
    padding_side: str,
    layer_options: dict[str, Any] | None,
) -> nn.Module:
    """The recurrent stack of a network: the registered kind ``layer``, its direction,
    ``dropout`` between stacked layers (none after a single one), ``layer_options``."""
    kind = get_layer_kind(layer)
    return kind.load()(
        input_size,
        hidden_size,
        num_layers=num_layers,
        dropout=dropout if num_layers > 1 else 0.0,
        bidirectional=kind.bidirectional,
        output_mode=output_mode,
        padding_side=padding_side,
        **(layer_options or {}),
    )


def _encoded_size(
    encoder: nn.Module, input_size: int | tuple[int, ...], encoded_size: int | None
) -> int:
    """The features a step encoder gives per step: ``encoded_size``, or read from the
    encoder's output on one zero step (in eval mode, without gradients)."""
    if not isinstance(encoder, nn.Module):
        raise TypeError(f"step_encoder must be a torch.nn.Module; received {describe(encoder)}")
    if encoded_size is not None:
        check_int("encoded_size", encoded_size, 1)
        return encoded_size
    step = (input_size,) if isinstance(input_size, int) else tuple(input_size)
    for size in step:
        check_int("input_size", size, 1)
    ref = next((t for t in encoder.state_dict().values() if t.is_floating_point()), None)
    probe = torch.zeros(
        1, *step,
        dtype=ref.dtype if ref is not None else torch.get_default_dtype(),
        device=ref.device if ref is not None else None,
    )  # fmt: skip
    # Eval mode for the probe (dropout, batch norm statistics), then each module's own.
    modes = [(module, module.training) for module in encoder.modules()]
    encoder.eval()
    try:
        with torch.no_grad():
            out = encoder(probe)
    finally:
        for module, training in modes:
            module.training = training
    if not isinstance(out, torch.Tensor) or out.dim() != 2:
        raise ValueError(
            f"step_encoder must map steps (N, *{step}) to features (N, E); on one step it "
            f"returned {describe(out)} (pass encoded_size if it needs other input)"
        )
    return int(out.shape[1])
