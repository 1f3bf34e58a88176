"""The native backend: PyTorch's own fused RNN kernels (oneDNN on CPU, cuDNN on GPU).

torch.nn.LSTM / GRU / RNN are thin wrappers over ``torch._VF.lstm`` / ``gru`` /
``rnn_tanh`` / ``rnn_relu``; calling those directly with our own parameters runs the
very same kernel without holding a second module. Padded batches go through
``pack_padded_sequence`` so that padded steps never touch the state; a left-padded
batch is first rotated so that every sequence starts at step 0.
"""

from __future__ import annotations

import torch
from torch import _VF
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

Tensor = torch.Tensor

KERNELS = {
    "lstm": _VF.lstm,
    "gru": _VF.gru,
    "rnn_tanh": _VF.rnn_tanh,
    "rnn_relu": _VF.rnn_relu,
}


def rotate_left_padding(x: Tensor, lengths: Tensor, *, to_right: bool) -> Tensor:
    """Move each time-major sequence between left- and right-aligned positions.

    A left-padded sequence of length L occupies steps T-L..T-1; rotating it by
    T-L steps puts it at 0..L-1 (and back with ``to_right=False``).
    """
    steps = x.shape[0]
    shift = (steps - lengths).to(x.device)
    t = torch.arange(steps, device=x.device).unsqueeze(1)
    index = (t + shift) % steps if to_right else (t - shift) % steps
    return x.gather(0, index.unsqueeze(-1).expand_as(x))


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
) -> tuple[Tensor, Tensor | tuple[Tensor, Tensor]]:
    """Run a whole stacked layer on time-major ``x`` (T, B, F) with torch's kernel.

    Returns the time-major output (padded steps zero) and the final state in torch's
    layout ``(num_layers * num_directions, B, size)``.
    """
    kernel = KERNELS[kind]
    is_lstm = kind == "lstm"
    if lengths is None:
        out = kernel(x, hx, flat_weights, has_biases, num_layers, dropout, training,
                     bidirectional, False)  # fmt: skip
        return out[0], (out[1], out[2]) if is_lstm else out[1]

    steps = x.shape[0]
    if padding_side == "left":
        x = rotate_left_padding(x, lengths, to_right=True)
    packed = pack_padded_sequence(x, lengths, enforce_sorted=False)
    order, restore = packed.sorted_indices, packed.unsorted_indices
    states = hx if is_lstm else (hx,)
    states = tuple(s.index_select(1, order) for s in states)
    hx_sorted = states if is_lstm else states[0]
    out = kernel(packed.data, packed.batch_sizes, hx_sorted, flat_weights, has_biases,
                 num_layers, dropout, training, bidirectional)  # fmt: skip
    packed_out = packed._replace(data=out[0])
    y, _ = pad_packed_sequence(packed_out, total_length=steps)
    if padding_side == "left":
        y = rotate_left_padding(y, lengths, to_right=False)
    final = tuple(s.index_select(1, restore) for s in out[1:])
    return y, final if is_lstm else final[0]
