"""What a recurrent layer needs to know about its cell: :class:`CellDescription`.

A cell is one step of a recurrence, ``(x_t, state_{t-1}) -> state_t``, in one layer and
one direction. Its description says which parts its state has and their shapes (an
LSTM: ``h`` and ``c``; a GRU: ``h``; an mLSTM: ``h``, a matrix memory ``C`` of shape
(heads, d, d) and a normaliser ``n``), its parameters and their initialisation, and its
step equations -- the *reference*, readable and run under autograd. The layer machinery
(:class:`lstmkit.nn.recurrent.RecurrentLayer`: stacking, directions, padded batches,
zoneout and dropout masks, streaming) works from that description alone, so a new cell
needs no change to it.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any, ClassVar, NamedTuple

import torch
from torch import nn

from lstmkit._checks import check_bool, check_int, describe
from lstmkit.nn.validation import check_state_tensor

Tensor = torch.Tensor


class StatePart(NamedTuple):
    """One part of a cell's recurrent state: its name and its shape per sequence.

    Args:
        name: the part's name, e.g. ``"h"``, ``"c"``, ``"C"``.
        shape: its shape for one sequence, e.g. ``(hidden_size,)`` or
            ``(heads, d, d)``; a layer holds it as ``(layers·directions, batch, *shape)``.

    Returns:
        A ``(name, shape)`` tuple.

    Example:
        >>> from lstmkit.nn.cells.base import StatePart
        >>> StatePart("c", (8,))
        StatePart(name='c', shape=(8,))
    """

    name: str
    shape: tuple[int, ...]


@dataclass(frozen=True)
class TorchCounterpart:
    """The torch kernel that computes a cell, for the native backend.

    ``kernel`` names the ``torch._VF`` function (``"lstm"``, ``"gru"``, ``"rnn_tanh"``,
    ``"rnn_relu"``); ``standard`` is True when the cell's options are exactly those
    torch's module has, so that the kernel computes the same function.
    """

    kernel: str
    standard: bool


class CellDescription(ABC):
    """Base class of the cell descriptions the layer machinery consumes.

    A subclass declares the state (:attr:`state`, a tuple of :class:`StatePart`), the
    parameters of one layer in one direction (:meth:`parameter_shapes`,
    :meth:`init_parameters_`) and one step of the equations (:meth:`step`). Optional:
    :attr:`gate_names` (what ``return_gates=True`` yields), :attr:`gate_blocks` (the
    row blocks of the bias vectors, for :func:`~lstmkit.nn.set_gate_bias_`),
    :attr:`torch_counterpart` (a torch kernel that computes the cell, for the native
    backend), :meth:`weights` (parameters into the form :meth:`step` takes).

    Args:
        (none: subclasses are frozen dataclasses of the options their equations use)

    Returns:
        A description; pass it to :class:`~lstmkit.nn.RecurrentLayer`.

    Example:
        >>> from lstmkit.nn import LSTM
        >>> cell = LSTM(3, 8, proj_size=4).cell
        >>> cell.state
        (StatePart(name='h', shape=(4,)), StatePart(name='c', shape=(8,)))
        >>> cell.output_size, cell.gate_names
        (4, ('i', 'f', 'g', 'o', 'c'))
    """

    #: shown in messages and reprs, e.g. "LSTM"
    name: ClassVar[str] = "cell"
    #: the state part that is the layer's output at each step; recurrent dropout acts on it
    output: ClassVar[str] = "h"
    #: keys of the activations that ``return_gates=True`` yields, each (B, *shape)
    gate_names: tuple[str, ...] = ()
    #: row blocks of the bias vectors, in order; () when the cell has no gate biases
    gate_blocks: tuple[str, ...] = ()
    #: the torch kernel computing this cell, or None (no native backend)
    torch_counterpart: TorchCounterpart | None = None
    #: whether the cell has bias vectors
    bias: bool = True
    #: units per layer and direction (the layer's ``hidden_size``); a field or property
    hidden_size: int

    def __post_init__(self) -> None:  # run by the dataclass subclasses' __init__
        check_bool("bias", self.bias)

    @property
    @abstractmethod
    def state(self) -> tuple[StatePart, ...]:
        """The parts of the recurrent state, in the order the user passes them."""

    @abstractmethod
    def parameter_shapes(self, input_size: int) -> dict[str, tuple[int, ...]]:
        """Parameter names (no layer suffix) and shapes of one layer in one direction."""

    @abstractmethod
    def init_parameters_(self, params: dict[str, Tensor]) -> None:
        """Initialise one layer-direction's parameters in place (keys without suffix)."""

    @abstractmethod
    def step(
        self,
        x: Tensor,
        state: tuple[Tensor, ...],
        weights: Any,
        *,
        recurrent_mask: Tensor | None,
        updates: tuple[Tensor | None, ...],
    ) -> tuple[tuple[Tensor, ...], Mapping[str, Tensor]]:
        """One step of the equations: ``(x_t, state_{t-1}) -> (state_t, activations)``.

        ``x`` is (B, I) and each state part (B, *shape). ``recurrent_mask`` is the
        variational dropout mask on the output part, (B, *shape), or None.
        ``updates[k]`` says how much of the new value of part k replaces the old
        (zoneout and padded steps), broadcastable to (B, *shape), or None for "all of
        it": the step must return ``old + u ⊙ (new - old)`` (:meth:`keep` does it).
        """

    def weights(self, params: dict[str, Tensor]) -> Any:
        """The parameters in the form :meth:`step` takes (once per layer-direction)."""
        return params

    def summary(self, layer_options: str) -> str:
        """The options in words, for error messages: the cell's, with the layer's
        ``layer_options`` (zoneout, recurrent dropout) where they read best."""
        return layer_options

    def repr_options(self, bidirectional: bool) -> str:
        """What the layer's repr shows after ``num_layers``, each as ``", name=value"``."""
        return ", bidirectional=True" if bidirectional else ""

    # ------------------------------------------------------------- derived
    @cached_property  # descriptions are frozen: computed once per description
    def output_index(self) -> int:
        """Position of the output part in :attr:`state`."""
        return [part.name for part in self.state].index(self.output)

    @property
    def output_size(self) -> int:
        """Features of the output part: the layer's output per direction."""
        return self.state[self.output_index].shape[0]

    @staticmethod
    def keep(old: Tensor, new: Tensor, update: Tensor | None) -> Tensor:
        """``old + update ⊙ (new - old)``: the part of the new state a step keeps."""
        return new if update is None else torch.lerp(old, new, update)


def check_cell_x(x: Any, input_size: int) -> None:
    """A single step's input must be a floating-point tensor (B, input_size)."""
    if not isinstance(x, torch.Tensor) or not x.is_floating_point():
        raise TypeError(f"x must be a floating-point tensor (B, input_size); got {describe(x)}")
    if x.dim() != 2 or x.shape[1] != input_size:
        raise ValueError(f"x must have shape (batch, {input_size}); received {tuple(x.shape)}")


def check_cell_input(x: Any, h: Any, *, input_size: int, hidden_size: int) -> tuple[Tensor, Tensor]:
    """Validate a cell's ``x`` (B, input_size) and optional ``h`` (B, hidden_size).

    Shared by :class:`~lstmkit.nn.RNNCell` and :class:`~lstmkit.nn.GRUCell`. Returns
    ``(x, h)`` with a zero ``h`` if none was given.
    """
    check_cell_x(x, input_size)
    if h is None:
        return x, x.new_zeros(x.shape[0], hidden_size)
    check_state_tensor("h", h, (x.shape[0], hidden_size), x)
    return x, h


class CellModule(nn.Module):
    """Base of the single-step modules :class:`~lstmkit.nn.LSTMCell`, ``GRUCell``, ``RNNCell``.

    Registers the parameters a :class:`CellDescription` declares, under its names
    (torch's ``weight_ih``, ``weight_hh``, ... for the standard cells), and initialises
    them with the description's initialisers.
    """

    def __init__(self, description: CellDescription, input_size: int) -> None:
        super().__init__()
        check_int("input_size", input_size, 1)
        self.description = description
        self.input_size = input_size
        self.hidden_size = description.hidden_size
        self.bias = description.bias
        for name, shape in description.parameter_shapes(input_size).items():
            self.register_parameter(name, nn.Parameter(torch.empty(shape)))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Re-initialise every parameter with the chosen initialisers."""
        self.description.init_parameters_(dict(self.named_parameters()))

    def weights(self) -> Any:
        """The parameters in the form the cell's step function takes."""
        return self.description.weights(dict(self.named_parameters()))
