"""LSTM-FCN: a recurrent branch beside a fully convolutional branch (Karim et al.).

Karim, Majumdar, Darabi and Chen, "LSTM Fully Convolutional Networks for Time Series
Classification" (IEEE Access, 2017) and "Multivariate LSTM-FCNs for Time Series
Classification" (Neural Networks, 2019): the input goes both through recurrent layers
and through three 1-D convolution blocks (128, 256 and 128 filters -- half that here by
default, see :data:`FCN_DEFAULTS` -- kernels 8, 5 and 3,
each convolution -> batch norm -> ReLU, the first two followed by squeeze-and-excitation);
the convolutional features are averaged over time, concatenated with the recurrent
branch's final output, and a linear head classifies. The family holds the best
published results on Japanese Vowels.

What differs from the papers, and why:

* Padded batches. lstmkit batches sequences of different lengths, so padding must never
  change a sequence's output: every convolution block zeroes the padded steps of its
  output (so the next convolution sees the zeros an unpadded sequence would be padded
  with), batch norm takes its statistics over real steps only, and the time averages
  (squeeze-and-excitation, global pooling) divide by the true length.
* Per-step outputs (``output_mode="sequence"``: tagging, forecasting). The
  convolutional features of every step are concatenated with the recurrent output of
  that step. With a unidirectional recurrent layer the convolutions are causal (padded
  on the left only) and squeeze-and-excitation averages only the steps so far, so the
  output at step t never depends on later steps -- a forecaster may not see the future.
* No "dimension shuffle" (the univariate LSTM-FCN feeds the LSTM the whole series as
  one step of T features): it needs one fixed length, and lstmkit's sequences vary.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch
from torch import nn

from lstmkit._checks import check_int, check_probability, describe
from lstmkit.nn.layer_kinds import get_layer_kind
from lstmkit.nn.network import recurrent_layers

__all__ = ["FCN_DEFAULTS", "LSTMFCNNetwork"]

#: The convolution branch: the papers' kernel sizes and squeeze-and-excitation ratio,
#: with half their filters (the papers use 128, 256, 128). Convolutions dominate the
#: cost on a CPU (the 256-filter block alone ~6x the LSTM's time at 84 steps, measured
#: on 2 cores), and half the width costs ~4x less; the defaults were chosen with these
#: widths (README, "Defaults"). ``fcn_options={"filters": (128, 256, 128)}`` gives the
#: papers' network.
FCN_DEFAULTS: dict[str, Any] = {"filters": (64, 128, 64), "kernel_sizes": (8, 5, 3),
                                "se_reduction": 16}  # fmt: skip


def _step_mask(lengths: torch.Tensor | None, steps: int, batch: int, side: str,
               device: torch.device) -> torch.Tensor:  # fmt: skip
    """(B, 1, T) float mask: 1 on real steps, 0 on padding (all ones without lengths)."""
    if lengths is None:
        return torch.ones(batch, 1, steps, device=device)
    lengths = torch.as_tensor(lengths, device=device).reshape(-1, 1)
    position = torch.arange(steps, device=device).reshape(1, -1)
    real = position < lengths if side == "right" else position >= steps - lengths
    return real.unsqueeze(1).float()


class MaskedBatchNorm1d(nn.BatchNorm1d):
    """Batch norm over channels whose training statistics count real steps only.

    Input (B, C, T) with a (B, 1, T) mask; in eval mode it is ``nn.BatchNorm1d`` (the
    running statistics), so a sequence's output does not depend on its batch.
    """

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:  # type: ignore[override]
        if not self.training:
            return super().forward(x)
        count = mask.sum().clamp_min(2.0)
        mean = (x * mask).sum(dim=(0, 2)) / count  # (C,)
        var = (((x - mean[None, :, None]) * mask) ** 2).sum(dim=(0, 2)) / count
        with torch.no_grad():  # the same running update as BatchNorm1d (unbiased variance)
            self.num_batches_tracked += 1
            m = self.momentum if self.momentum is not None else 0.1
            self.running_mean.mul_(1 - m).add_(m * mean)
            self.running_var.mul_(1 - m).add_(m * var * count / (count - 1))
        scale = torch.rsqrt(var + self.eps)
        y = (x - mean[None, :, None]) * scale[None, :, None]
        return y * self.weight[None, :, None] + self.bias[None, :, None]


class SqueezeExcite(nn.Module):
    """Squeeze-and-excitation (Hu et al. 2018) over time: channel weights from the
    channels' time averages. ``causal``: step t's weights average steps 0..t only."""

    def __init__(self, channels: int, reduction: int, *, causal: bool) -> None:
        super().__init__()
        inner = max(1, channels // reduction)
        self.gate = nn.Sequential(
            nn.Linear(channels, inner), nn.ReLU(), nn.Linear(inner, channels), nn.Sigmoid()
        )
        self.causal = causal

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        # x (B, C, T), mask (B, 1, T); padded steps of x are zero
        if self.causal:
            mean = x.cumsum(-1) / mask.cumsum(-1).clamp_min(1.0)  # (B, C, T)
            return x * self.gate(mean.transpose(1, 2)).transpose(1, 2)
        mean = x.sum(-1) / mask.sum(-1).clamp_min(1.0)  # (B, C)
        return x * self.gate(mean).unsqueeze(-1)


class ConvBlock(nn.Module):
    """Conv1d -> masked batch norm -> ReLU (-> squeeze-and-excitation); zero on padding."""

    def __init__(self, c_in: int, c_out: int, kernel: int, *, causal: bool,
                 se_reduction: int | None) -> None:  # fmt: skip
        super().__init__()
        # "same" length: causal pads k-1 steps on the left; otherwise split as Keras does
        self.pad = (kernel - 1, 0) if causal else ((kernel - 1) // 2, kernel // 2)
        self.conv = nn.Conv1d(c_in, c_out, kernel)
        self.norm = MaskedBatchNorm1d(c_out)
        self.se = None if se_reduction is None else SqueezeExcite(c_out, se_reduction,
                                                                   causal=causal)  # fmt: skip

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        x = self.conv(nn.functional.pad(x, self.pad))
        x = torch.relu(self.norm(x, mask)) * mask
        return x if self.se is None else self.se(x, mask)


class LSTMFCNNetwork(nn.Module):
    """A recurrent branch and a fully convolutional branch side by side, then a head.

    The drop-in alternative to :class:`~lstmkit.nn.network.SequenceNetwork` that every
    estimator builds with ``architecture="lstm-fcn"``: the same constructor arguments
    for the recurrent branch, ``fcn_options`` for the convolutional one, and the same
    ``forward(x, lengths)``.

    Args:
        input_size: features per step.
        output_size: outputs per sequence (``output_mode="last"``) or per step.
        layer: the recurrent branch's kind (``"lstm"``, ``"bilstm"``, ``"gru"``, ...).
        hidden_size, num_layers: the recurrent branch (per direction).
        dropout: dropout on the recurrent branch's output (the papers use 0.8) and
            between stacked recurrent layers.
        output_mode: ``"last"`` (one output per sequence) or ``"sequence"`` (per step;
            causal convolutions when the recurrent branch is unidirectional).
        padding_side: where padded batches carry padding, ``"right"`` or ``"left"``.
        layer_options: further options for the recurrent layer, or None.
        fcn_options: ``filters`` (channels of each convolution block), ``kernel_sizes``
            (one per block) and ``se_reduction`` (squeeze-and-excitation ratio, applied
            after every block but the last; None: no squeeze-and-excitation); missing
            keys take :data:`FCN_DEFAULTS`.

    Returns:
        ``forward(x, lengths=None)`` gives (B, output_size) or (B, T, output_size).

    Example:
        >>> import torch
        >>> from lstmkit.nn.lstm_fcn import LSTMFCNNetwork
        >>> net = LSTMFCNNetwork(12, 9, hidden_size=8, fcn_options={"filters": (16, 32, 16)})
        >>> net(torch.randn(4, 20, 12), lengths=[20, 15, 9, 3]).shape
        torch.Size([4, 9])
        >>> net.streamable
        False
    """

    #: Convolutions need a window of steps: no one-step ``step()`` streaming.
    streamable = False

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
        fcn_options: dict[str, Any] | None = None,
    ) -> None:
        super().__init__()
        check_int("input_size", input_size, 1)
        check_int("output_size", output_size, 1)
        check_probability("dropout", dropout)
        kind = get_layer_kind(layer)
        filters, kernels, reduction = _check_fcn_options(fcn_options)
        self.recurrent = recurrent_layers(
            input_size, layer, hidden_size, num_layers, dropout, output_mode, padding_side,
            layer_options,
        )  # fmt: skip
        self.output_mode = output_mode
        self.padding_side = padding_side
        self.causal = output_mode == "sequence" and not kind.bidirectional
        channels = (input_size, *filters)
        self.blocks = nn.ModuleList(
            ConvBlock(channels[i], channels[i + 1], kernels[i], causal=self.causal,
                      se_reduction=reduction if i < len(filters) - 1 else None)
            for i in range(len(filters))
        )  # fmt: skip
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(self.recurrent.output_size + filters[-1], output_size)

    def forward(self, x: torch.Tensor, lengths: torch.Tensor | None = None) -> torch.Tensor:
        recurrent = self.dropout(self.recurrent(x, lengths=lengths)[0])  # (B, P) | (B, T, P)
        batch, steps = x.shape[0], x.shape[1]
        mask = _step_mask(lengths, steps, batch, self.padding_side, x.device)  # (B, 1, T)
        features = x.transpose(1, 2) * mask  # (B, F, T), padded steps zero
        for block in self.blocks:
            features = block(features, mask)  # (B, C, T)
        if self.output_mode == "last":  # global average over the real steps
            pooled = features.sum(-1) / mask.sum(-1).clamp_min(1.0)  # (B, C)
            return self.head(torch.cat([recurrent, pooled], dim=-1))
        return self.head(torch.cat([recurrent, features.transpose(1, 2)], dim=-1))

    def step(self, x_t: torch.Tensor, state: Any = None) -> tuple[torch.Tensor, Any]:
        """Not available: say what to do instead."""
        raise ValueError(
            "an LSTM-FCN network cannot stream one step at a time (its convolutions read "
            "a window of steps); run forward() over the whole sequence, or use "
            "architecture='recurrent' for step-by-step streaming"
        )


def _check_fcn_options(options: Any) -> tuple[tuple[int, ...], tuple[int, ...], int | None]:
    """``(filters, kernel_sizes, se_reduction)`` from ``fcn_options``, checked."""
    if options is None:
        options = {}
    if not isinstance(options, dict):
        raise TypeError(f"fcn_options must be a dict or None; received {describe(options)}")
    unknown = sorted(set(options) - set(FCN_DEFAULTS))
    if unknown:
        raise ValueError(f"fcn_options has unknown key(s) {unknown}; known: {sorted(FCN_DEFAULTS)}")
    merged = {**FCN_DEFAULTS, **options}
    filters = _int_tuple("fcn_options['filters']", merged["filters"])
    kernels = _int_tuple("fcn_options['kernel_sizes']", merged["kernel_sizes"])
    if len(kernels) != len(filters):
        raise ValueError(
            f"fcn_options['kernel_sizes'] must have one kernel size per block of "
            f"fcn_options['filters'] ({len(filters)}); received {len(kernels)}"
        )
    reduction = merged["se_reduction"]
    if reduction is not None:
        check_int("fcn_options['se_reduction']", reduction, 1)
    return filters, kernels, reduction


def _int_tuple(name: str, values: Any) -> tuple[int, ...]:
    if isinstance(values, str | bytes) or not isinstance(values, Sequence) or not values:
        raise TypeError(f"{name} must be a non-empty list of ints; received {describe(values)}")
    for i, value in enumerate(values):
        check_int(f"{name}[{i}]", value, 1)
    return tuple(int(v) for v in values)
