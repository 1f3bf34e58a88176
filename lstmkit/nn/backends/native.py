"""The native backend: PyTorch's own fused RNN kernels (oneDNN on CPU, cuDNN on GPU).

torch.nn.LSTM / GRU / RNN are thin wrappers over ``torch._VF.lstm`` / ``gru`` /
``rnn_tanh`` / ``rnn_relu``; calling those directly with our own parameters runs the
very same kernel without holding a second module. Padded batches go through
``pack_padded_sequence`` so that padded steps never touch the state; a left-padded
batch is first rotated so that every sequence starts at step 0.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch
from torch import _VF
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from lstmkit.nn.backends.base import Backend, BackendCall, Verdict
from lstmkit.nn.cells.base import CellDescription

if TYPE_CHECKING:
    from lstmkit.nn.recurrent import RecurrentLayer

Tensor = torch.Tensor

KERNELS = {
    "lstm": _VF.lstm,
    "gru": _VF.gru,
    "rnn_tanh": _VF.rnn_tanh,
    "rnn_relu": _VF.rnn_relu,
}


def rotate_left_padding(x: Tensor, lengths: Tensor, *, to_right: bool, time_dim: int) -> Tensor:
    """Move each sequence between left- and right-aligned positions along ``time_dim``.

    A left-padded sequence of length L occupies steps T-L..T-1; rotating it by
    T-L steps puts it at 0..L-1 (and back with ``to_right=False``).
    """
    steps = x.shape[time_dim]
    shift = (steps - lengths).to(x.device)
    t = torch.arange(steps, device=x.device).unsqueeze(1)  # (T, B)
    index = (t + shift) % steps if to_right else (t - shift) % steps
    if time_dim == 1:
        index = index.t()
    return x.gather(time_dim, index.unsqueeze(-1).expand_as(x))


def run_native(
    kind: str,
    x: Tensor,
    hx: Tensor | tuple[Tensor, Tensor],
    flat_weights: list[Tensor],
    *,
    has_biases: bool,
    num_layers: int,
    dropout: float,
    training: bool,
    bidirectional: bool,
    lengths: Tensor | None,
    padding_side: str,
    batch_first: bool,
) -> tuple[Tensor, Tensor | tuple[Tensor, Tensor]]:
    """Run a whole stacked layer on ``x`` with torch's kernel.

    ``x`` is (B, T, F) if ``batch_first`` else (T, B, F), passed through untouched as
    torch.nn.LSTM would (a transpose here would cost a copy). Returns the output in
    the same layout (padded steps zero) and the final state in torch's layout
    ``(num_layers * num_directions, B, size)``.
    """
    kernel = KERNELS[kind]
    is_lstm = kind == "lstm"
    if lengths is None:
        out = kernel(x, hx, flat_weights, has_biases, num_layers, dropout, training,
                     bidirectional, batch_first)  # fmt: skip
        return out[0], (out[1], out[2]) if is_lstm else out[1]

    time_dim = 1 if batch_first else 0
    steps = x.shape[time_dim]
    if padding_side == "left":
        x = rotate_left_padding(x, lengths, to_right=True, time_dim=time_dim)
    packed = pack_padded_sequence(x, lengths, batch_first=batch_first, enforce_sorted=False)
    order, restore = packed.sorted_indices, packed.unsorted_indices
    states = hx if is_lstm else (hx,)
    states = tuple(s.index_select(1, order) for s in states)
    hx_sorted = states if is_lstm else states[0]
    out = kernel(packed.data, packed.batch_sizes, hx_sorted, flat_weights, has_biases,
                 num_layers, dropout, training, bidirectional)  # fmt: skip
    packed_out = packed._replace(data=out[0])
    y, _ = pad_packed_sequence(packed_out, batch_first=batch_first, total_length=steps)
    if padding_side == "left":
        y = rotate_left_padding(y, lengths, to_right=False, time_dim=time_dim)
    final = tuple(s.index_select(1, restore) for s in out[1:])
    return y, final if is_lstm else final[0]


def flat_weights(layer: RecurrentLayer) -> list[Tensor]:
    """Every parameter of a layer in torch's order: layer by layer, direction by direction."""
    return [
        p
        for index in range(layer.num_layers)
        for direction in range(layer.num_directions)
        for p in layer.direction_parameters(index, direction).values()
    ]


class NativeBackend(Backend):
    """Torch's own kernels, for cells that have one (:attr:`CellDescription.torch_counterpart`)
    with exactly torch's options."""

    name = "native"

    def runs_cell(self, cell: CellDescription) -> bool:
        return cell.torch_counterpart is not None

    def supports(self, call: BackendCall) -> Verdict:
        counterpart = call.cell.torch_counterpart
        if counterpart is None or not counterpart.standard or any(call.zoneout):
            return Verdict.no(
                "backend='native' supports only the options torch's own "
                f"{call.cell.name} has; this layer has {call.options}"
            )
        if call.return_gates:
            return Verdict.no(
                "return_gates=True needs the 'reference' or 'fused' backend; torch's "
                "native kernels do not expose gates (backend='native' was requested)"
            )
        # Recurrent dropout only acts in training, so eval can still go native.
        if call.training and call.recurrent_dropout > 0.0:
            return Verdict.no(
                "backend='native' cannot apply recurrent dropout while training "
                f"(recurrent_dropout={call.recurrent_dropout}); call .eval() or use "
                "backend='auto'"
            )
        return Verdict.yes()

    def run(self, call, layer, x, state, lengths):
        hx = state if len(state) > 1 else state[0]
        y, final = run_native(
            call.cell.torch_counterpart.kernel, x, hx, flat_weights(layer),
            has_biases=call.cell.bias, num_layers=layer.num_layers, dropout=layer.dropout,
            training=call.training, bidirectional=layer.bidirectional, lengths=lengths,
            padding_side=layer.padding_side, batch_first=layer.batch_first,
        )  # fmt: skip
        return y, final if isinstance(final, tuple) else (final,), None
