"""Weight initialisers, as MATLAB's LSTM layer names them.

Input weights: ``glorot`` (default), ``he``, ``orthogonal``, ``narrow-normal`` or
``pytorch`` (torch.nn.LSTM's uniform(-1/sqrt(H), 1/sqrt(H))). Recurrent weights:
``orthogonal`` (default) or any of the input choices. Bias: ``unit-forget-gate``
(default; Jozefowicz et al. 2015: a forget bias of 1 keeps gradients alive early in
training), ``zeros`` or ``pytorch``.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import torch
from torch import nn

from lstmkit._checks import check_choice

WEIGHT_INITIALIZERS = ("glorot", "he", "orthogonal", "narrow-normal", "pytorch")
BIAS_INITIALIZERS = ("unit-forget-gate", "zeros", "pytorch")


@dataclass(frozen=True)
class Initializers:
    """The three initialiser choices of a cell: input weights, recurrent weights, biases."""

    input: str = "glorot"
    recurrent: str = "orthogonal"
    bias: str = "unit-forget-gate"

    def __post_init__(self) -> None:
        check_choice("input_initializer", self.input, WEIGHT_INITIALIZERS)
        check_choice("recurrent_initializer", self.recurrent, WEIGHT_INITIALIZERS)
        check_choice("bias_initializer", self.bias, BIAS_INITIALIZERS)

    def as_kwargs(self) -> dict[str, str]:
        """As the keyword arguments the ``init_*_parameters_`` functions take."""
        return {
            "input_initializer": self.input,
            "recurrent_initializer": self.recurrent,
            "bias_initializer": self.bias,
        }


@contextmanager
def _single_thread() -> Iterator[None]:
    before = torch.get_num_threads()
    if before != 1:
        torch.set_num_threads(1)
    try:
        yield
    finally:
        if before != 1:
            torch.set_num_threads(before)


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
        # The QR factorisation behind orthogonal_ rounds differently with 1 thread than
        # with 2 or more (LAPACK's blocked algorithm splits the work by thread), so the
        # same seed gave different initial -- and trained -- weights on machines or runs
        # with different thread counts. One thread makes the weights a function of the
        # seed alone; at these sizes (a few hundred rows) it costs well under a millisecond.
        with _single_thread():
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


#: Long names accepted by :func:`set_gate_bias_` for the equations' gate letters.
GATE_ALIASES = {
    "input": "i", "forget": "f", "cell": "g", "output": "o",
    "reset": "r", "update": "z", "new": "n",
}  # fmt: skip


@torch.no_grad()
def set_gate_bias_(layer: nn.Module, **gates: float) -> None:
    """Set chosen gates' biases in every layer and direction of an LSTM or GRU.

    The gate's block of ``bias_ih`` gets the value and its block of ``bias_hh`` 0, so
    the gate's pre-activation bias is exactly the value. Long time lags want gates that
    keep the state by default: an LSTM forget bias of +4 and input bias of -4
    (sigmoid(4) = 0.98 per step), or a GRU update bias of +4 -- with the default
    forget bias of 1 (0.73 per step, 1e-20 after 150 steps) neither learned the adding
    problem beyond T = 50 in ``lstmkit run long-memory``. Chrono initialisation
    (Tallec & Ollivier 2018) is the principled version: b_f ~ log T, b_i = -b_f.

    Args:
        layer: an :class:`~lstmkit.nn.LSTM` (gates ``i``, ``f``, ``g``, ``o``; with
            ``coupled_gates`` there is no ``i``) or :class:`~lstmkit.nn.GRU` (gates
            ``r``, ``z``, ``n``), with biases.
        **gates: gate -> bias value, by letter or by name (``forget=4.0``,
            ``input=-4.0``, ``update=4.0``, ...).

    Returns:
        None; the layer's biases are changed in place.

    Example:
        >>> from lstmkit.nn import LSTM
        >>> from lstmkit.nn.initializers import set_gate_bias_
        >>> lstm = LSTM(3, 2)
        >>> set_gate_bias_(lstm, forget=4.0, input=-4.0)
        >>> (lstm.bias_ih_l0 + lstm.bias_hh_l0).tolist()[:4]
        [-4.0, -4.0, 4.0, 4.0]
    """
    # The layer says which gate blocks its bias vectors hold (an RNN has none).
    rows = tuple(getattr(layer, "gate_blocks", ()))
    if not rows:
        raise TypeError(
            "layer must be an lstmkit.nn layer with gate biases (an LSTM or GRU); "
            f"received {type(layer).__name__}"
        )
    if not layer.bias:
        raise ValueError("layer has no biases (bias=False); nothing to set")
    values = {}
    for name, value in gates.items():
        gate = GATE_ALIASES.get(name, name)
        if gate not in rows:
            raise ValueError(
                f"gate {name!r} is not one of this layer's gates {rows} (or their names "
                f"{sorted(k for k, v in GATE_ALIASES.items() if v in rows)})"
            )
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise ValueError(f"gate {name!r} bias must be a finite number; received {value!r}")
        values[gate] = float(value)
    for layer_index in range(layer.num_layers):
        for direction in range(layer.num_directions):
            params = layer.direction_parameters(layer_index, direction)
            size = params["bias_ih"].shape[0] // len(rows)
            for gate, value in values.items():
                block = slice(rows.index(gate) * size, (rows.index(gate) + 1) * size)
                params["bias_ih"][block] = value
                params["bias_hh"][block] = 0.0
