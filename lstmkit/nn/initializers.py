"""Weight initialisers, as MATLAB's LSTM layer names them.

Input weights: ``glorot`` (default), ``he``, ``orthogonal``, ``narrow-normal`` or
``pytorch`` (torch.nn.LSTM's uniform(-1/sqrt(H), 1/sqrt(H))). Recurrent weights:
``orthogonal`` (default) or any of the input choices. Bias: ``unit-forget-gate``
(default; Jozefowicz et al. 2015: a forget bias of 1 keeps gradients alive early in
training), ``zeros`` or ``pytorch``.
"""

from __future__ import annotations

import math

import torch
from torch import nn

WEIGHT_INITIALIZERS = ("glorot", "he", "orthogonal", "narrow-normal", "pytorch")
BIAS_INITIALIZERS = ("unit-forget-gate", "zeros", "pytorch")


@torch.no_grad()
def init_weight_(weight: torch.Tensor, scheme: str, *, hidden_size: int, blocks: int) -> None:
    """Initialise a (blocks * hidden, fan_in) weight in place.

    ``blocks`` is the number of gates stacked in the rows; orthogonal initialisation
    is applied per gate block so each gate's recurrent map is itself orthogonal.
    """
    if scheme == "glorot":
        nn.init.xavier_uniform_(weight)
    elif scheme == "he":
        nn.init.kaiming_normal_(weight, nonlinearity="relu")
    elif scheme == "narrow-normal":
        nn.init.normal_(weight, 0.0, 0.01)
    elif scheme == "pytorch":
        bound = 1.0 / math.sqrt(hidden_size)
        nn.init.uniform_(weight, -bound, bound)
    elif scheme == "orthogonal":
        for block in weight.chunk(blocks, dim=0):
            nn.init.orthogonal_(block)
    else:  # validated by the layer; kept for direct callers
        raise ValueError(f"unknown weight initializer {scheme!r}; expected {WEIGHT_INITIALIZERS}")


@torch.no_grad()
def init_bias_(
    bias: torch.Tensor, scheme: str, *, hidden_size: int, forget_block: int | None, first: bool
) -> None:
    """Initialise one bias vector in place.

    A layer carries two biases (``bias_ih`` and ``bias_hh``, as torch does); the unit
    forget bias is put on the first only so that their sum is exactly 1.
    """
    if scheme == "pytorch":
        bound = 1.0 / math.sqrt(hidden_size)
        nn.init.uniform_(bias, -bound, bound)
        return
    bias.zero_()
    if scheme == "unit-forget-gate" and first and forget_block is not None:
        bias[forget_block * hidden_size : (forget_block + 1) * hidden_size] = 1.0
