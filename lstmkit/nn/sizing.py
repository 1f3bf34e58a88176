"""Parameter counts, and hidden sizes that give different layer kinds the same count.

Comparing an RNN, a GRU and an LSTM fairly means giving them the same number of
parameters, not the same hidden size: at equal H a GRU has 3/4 and an RNN 1/4 of an
LSTM's recurrent weights. The counts come from building the network on PyTorch's
``meta`` device: no memory, no random numbers drawn, and every layer option counts.
"""

from __future__ import annotations

from typing import Any

import torch

from lstmkit._checks import check_int
from lstmkit.nn.network import SequenceNetwork


def parameter_count(
    kind: str,
    input_size: int,
    hidden_size: int,
    output_size: int,
    *,
    num_layers: int = 1,
    layer_options: dict[str, Any] | None = None,
) -> int:
    """The number of parameters of a :class:`~lstmkit.nn.SequenceNetwork` (layers + head).

    Args:
        kind: a layer kind (``"lstm"``, ``"gru"``, ``"rnn"``, ``"bilstm"``, ...).
        input_size: features per step.
        hidden_size: units per recurrent layer and direction.
        output_size: outputs of the linear head.
        num_layers: stacked recurrent layers.
        layer_options: further layer options (``proj_size``, ``peephole``, ...).

    Returns:
        The count of scalar parameters.

    Example:
        >>> from lstmkit.nn import parameter_count
        >>> parameter_count("lstm", 2, 32, 1)  # 4·32·(2 + 32) + 2·4·32 + 32 + 1
        4641
    """
    with torch.device("meta"):
        network = SequenceNetwork(
            input_size, output_size, layer=kind, hidden_size=hidden_size,
            num_layers=num_layers, layer_options=layer_options,
        )  # fmt: skip
    return sum(p.numel() for p in network.parameters())


def matched_hidden_sizes(
    input_size: int,
    output_size: int,
    hidden_size: int,
    *,
    reference: str = "lstm",
    kinds: tuple[str, ...] = ("rnn", "gru"),
    num_layers: int = 1,
) -> dict[str, int]:
    """Hidden sizes that give each kind the parameter count of ``reference`` at
    ``hidden_size`` (recurrent layers and linear head together).

    Args:
        input_size: features per step.
        output_size: outputs of the linear head.
        hidden_size: the reference kind's hidden size.
        reference: the kind whose count the others match.
        kinds: the kinds to size.
        num_layers: stacked recurrent layers, the same for all.

    Returns:
        ``{kind: H, ..., reference: hidden_size}``: for each kind the H in
        ``1 .. 4·hidden_size - 1`` whose count is closest to the reference's (the
        smaller H on a tie).

    Example:
        >>> from lstmkit.nn import matched_hidden_sizes
        >>> matched_hidden_sizes(2, 1, 32)  # the adding problem's sizes
        {'rnn': 66, 'gru': 37, 'lstm': 32}
    """
    check_int("hidden_size", hidden_size, 1)

    def count(kind: str, size: int) -> int:
        return parameter_count(kind, input_size, size, output_size, num_layers=num_layers)

    budget = count(reference, hidden_size)
    sizes = {}
    for kind in kinds:
        best, best_gap = 1, abs(count(kind, 1) - budget)
        for size in range(2, 4 * hidden_size):
            n = count(kind, size)
            gap = abs(n - budget)
            if gap < best_gap:
                best, best_gap = size, gap
            elif n > budget:
                break  # counts grow with H: past the budget the gap only widens
        sizes[kind] = best
    sizes[reference] = hidden_size
    return sizes
