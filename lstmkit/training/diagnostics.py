"""Diagnostics of a network's training signal: how far back in time the gradient reaches.

A recurrent network learns a dependency across a lag only if the error at the end
still reaches the inputs that far back. :func:`gradient_norms_per_step` measures it:
the size of the gradient of the loss with respect to the input at every step. Through
a simple RNN it decays geometrically with the distance from the loss (the *vanishing
gradient*, Hochreiter 1991); the LSTM's cell carries it (Hochreiter & Schmidhuber 1997).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from lstmkit._checks import describe

__all__ = ["gradient_norms_per_step"]


def gradient_norms_per_step(
    network: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    *,
    loss: Callable[[torch.Tensor, torch.Tensor], torch.Tensor] = F.mse_loss,
    lengths: torch.Tensor | None = None,
) -> np.ndarray:
    """Mean over the batch of ``||dL/dx_t||`` at every step t: the gradient flow.

    The network runs in eval mode (no dropout; it is left in eval mode) on ``x``; the
    loss of its outputs against ``y`` is differentiated with respect to the inputs, and
    the L2 norm over the features at each step is averaged over the batch. Parameters'
    gradients are not touched.

    Args:
        network: maps ``x`` (and ``lengths``) to outputs, e.g. a
            :class:`~lstmkit.nn.network.SequenceNetwork`.
        x: inputs ``(B, T, F)``.
        y: targets matching the network's outputs.
        loss: ``(outputs, targets) -> scalar``; default the mean squared error.
        lengths: sequence lengths ``(B,)`` for a padded batch, or None.

    Returns:
        A float array ``(T,)``: entry t is the mean gradient norm at step t (steps far
        from the loss are small when the gradient vanishes).

    Example:
        >>> import torch
        >>> from lstmkit.nn.network import SequenceNetwork
        >>> from lstmkit.training import gradient_norms_per_step
        >>> torch.manual_seed(0)  # doctest: +ELLIPSIS
        <torch._C.Generator object at ...>
        >>> net = SequenceNetwork(1, 1, layer="lstm", hidden_size=8)
        >>> x = torch.randn(4, 30, 1)
        >>> norms = gradient_norms_per_step(net, x, x.sum(1))
        >>> norms.shape, bool(norms[0] < norms[-1])   # the end feels the last inputs most
        ((30,), True)
    """
    if not isinstance(x, torch.Tensor) or x.dim() != 3:
        raise ValueError(f"x must be a (B, T, F) tensor; received {describe(x)}")
    x = x.clone().requires_grad_(True)
    network.eval()
    outputs = network(x) if lengths is None else network(x, lengths)
    (grad,) = torch.autograd.grad(loss(outputs, y), x)
    return grad.norm(dim=-1).mean(0).numpy()
