"""What a backend is: :class:`Backend`, the :class:`BackendCall` it is asked about, and
:class:`DirectionBackend` for backends that run one layer in one direction at a time.

A backend runs a recurrent layer's forward pass (its autograd graph gives the backward).
It says whether it can run here at all (:meth:`Backend.available`: a compiled backend
without a compiler, a GPU backend without CUDA), which cells it runs
(:meth:`Backend.runs_cell`), and whether it can run a given call
(:meth:`Backend.supports`: the layer's options, training or not, device, dtype, number
of steps, gates asked for). The registry (:mod:`lstmkit.nn.backends.registry`) asks
them in order of preference.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar

import torch

from lstmkit.nn.cells.base import CellDescription

if TYPE_CHECKING:
    from lstmkit.nn.recurrent import RecurrentLayer

Tensor = torch.Tensor


@dataclass(frozen=True)
class Verdict:
    """Yes, or no with the reason why: what :meth:`Backend.available` and
    :meth:`Backend.supports` answer. True in a boolean context when the answer is yes.

    Args:
        ok: the answer.
        reason: why not (a whole sentence that names the option at fault), or "".

    Returns:
        A verdict; ``bool(verdict)`` is ``ok``.

    Example:
        >>> from lstmkit.nn.backends.base import Verdict
        >>> bool(Verdict.yes()), Verdict.no("needs CUDA").reason
        (True, 'needs CUDA')
    """

    ok: bool
    reason: str = ""

    def __bool__(self) -> bool:
        return self.ok

    @classmethod
    def yes(cls) -> Verdict:
        """The answer "yes"."""
        return _YES

    @classmethod
    def no(cls, reason: str) -> Verdict:
        """The answer "no", because ``reason``."""
        return cls(False, reason)


_YES = Verdict(True)


@dataclass(frozen=True)
class BackendCall:
    """What a backend is asked to run: one forward pass of one layer.

    Args:
        cell: the layer's cell description (its options; see
            :class:`~lstmkit.nn.cells.base.CellDescription`).
        training: whether the layer is in training mode (dropout and zoneout masks).
        device: where the input (or, before a call, the parameters) lives.
        dtype: the floating-point type of the computation.
        return_gates: whether the per-step activations are asked for.
        steps: the number of steps, or None when not known yet (at construction, or
            for :attr:`~lstmkit.nn.RecurrentLayer.active_backend`).
        zoneout: the zoneout rate of each state part.
        recurrent_dropout: the variational dropout rate on the recurrent input.
        exporting: whether the call is being traced for export (ONNX, TorchScript).
        describe: returns the layer's options in words (:attr:`options`), for error
            messages; called only when one is raised.

    Returns:
        A frozen description of the call.

    Example:
        >>> from lstmkit.nn import LSTM
        >>> call = LSTM(3, 8, zoneout=0.1).backend_call(steps=20)
        >>> call.steps, call.zoneout, call.training
        (20, (0.1, 0.1), True)
    """

    cell: CellDescription
    training: bool
    device: torch.device
    dtype: torch.dtype
    return_gates: bool = False
    steps: int | None = None
    zoneout: tuple[float, ...] = ()
    recurrent_dropout: float = 0.0
    exporting: bool = False
    describe: Callable[[], str] = field(default=str, repr=False, compare=False)

    @property
    def options(self) -> str:
        """The layer's options in words (formatted only when a message needs them)."""
        return self.describe()


@dataclass
class DirectionMasks:
    """Constant masks for one layer in one direction, in processing order.

    ``recurrent``: variational dropout mask on the recurrent input (the output part of
    the state), (B, *shape), scaled; None without recurrent dropout.
    ``update``: per state part, how much of the new state replaces the old at each step
    (zoneout and padding), broadcastable to (T, B, *shape); None means "all of it".
    ``valid``: 1 at real steps and 0 at padded steps, (T, B, 1); None if unpadded.
    """

    recurrent: Tensor | None
    update: tuple[Tensor | None, ...]
    valid: Tensor | None


class Backend(ABC):
    """Base class of the backends that run recurrent layers.

    Subclasses set :attr:`name` and implement :meth:`run`; they override
    :meth:`available`, :meth:`runs_cell`, :meth:`supports` and :meth:`claims` where
    the defaults (always; every cell; every call; never) do not hold. Register an
    instance with :func:`~lstmkit.nn.register_backend`; it then becomes a valid
    ``backend=`` choice of every layer, and ``backend="auto"`` considers it.

    Args:
        (none: a backend is configured by its class)

    Returns:
        A backend; the layers call it.

    Example:
        >>> from lstmkit.nn import get_backend
        >>> backend = get_backend("fused")
        >>> backend.name, bool(backend.available())
        ('fused', True)
    """

    #: the ``backend=`` value that selects it
    name: ClassVar[str]

    def available(self) -> Verdict:
        """Whether it can run on this machine at all (a compiler, a GPU, a library)."""
        return Verdict.yes()

    def runs_cell(self, cell: CellDescription) -> bool:
        """Whether it implements this kind of cell at all (any options)."""
        return True

    def supports(self, call: BackendCall) -> Verdict:
        """Whether it computes exactly this call; if not, a reason naming the option."""
        return Verdict.yes()

    def claims(self, call: BackendCall) -> bool:
        """Whether ``backend="auto"`` should give it this call before any backend
        ahead of it in the order of preference (a case it is known to be fastest at)."""
        return False

    @abstractmethod
    def run(
        self,
        call: BackendCall,
        layer: RecurrentLayer,
        x: Tensor,
        state: tuple[Tensor, ...],
        lengths: Tensor | None,
    ) -> tuple[Tensor, tuple[Tensor, ...], dict[str, Tensor] | None]:
        """Run the whole layer (all layers, both directions) over ``x``.

        ``x`` is in the layer's layout ((B, T, F) if ``batch_first`` else (T, B, F));
        ``state`` has one tensor per state part, (layers·directions, B, *shape);
        ``lengths`` is None or (B,) with at least one sequence shorter than T.

        Returns the output in x's layout with padded steps zero, the final state
        (each sequence's own), and with ``call.return_gates`` the activations
        (name -> (layers, directions, B, T, *shape), or (..., T, B, ...) when not
        batch_first), else None.
        """

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r})"


#: ``run_direction(cell, x, state, params, masks, return_gates) -> (y, final, gates)``
RunDirection = Callable[
    [CellDescription, Tensor, tuple[Tensor, ...], dict[str, Tensor], DirectionMasks, bool],
    tuple[Tensor, tuple[Tensor, ...], dict[str, Tensor] | None],
]


class DirectionBackend(Backend):
    """A backend that runs one layer in one direction, forward in time.

    The layer does the rest -- stacking, reversing time for the backward direction,
    padding masks, dropout between layers (:meth:`RecurrentLayer.run_stacked`) -- so a
    subclass only implements :meth:`run_direction`.
    """

    def run(self, call, layer, x, state, lengths):
        return layer.run_stacked(self.run_direction, x, state, lengths, call.return_gates)

    @abstractmethod
    def run_direction(
        self,
        cell: CellDescription,
        x: Tensor,
        state: tuple[Tensor, ...],
        params: dict[str, Tensor],
        masks: DirectionMasks,
        return_gates: bool,
    ) -> tuple[Tensor, tuple[Tensor, ...], dict[str, Tensor] | None]:
        """Run one layer forward in time over time-major ``x`` (T, B, F).

        ``state`` is one (B, *shape) tensor per state part; ``params`` the layer's
        parameters keyed without suffix. Returns the output (T, B, size) with padded
        steps zero, the final state, and, if asked, the activations
        (name -> (T, B, *shape)).
        """
