"""The layer machinery every recurrent layer shares: :class:`RecurrentLayer`.

A cell description (:class:`~lstmkit.nn.cells.base.CellDescription`) says what one step
computes and what its state is; :class:`RecurrentLayer` turns it into a stacked,
optionally bidirectional layer that accepts padded batches (``lengths``, on either
side), draws the zoneout and recurrent-dropout masks, streams with :meth:`step`, and
hands each call to a backend from the registry (:mod:`lstmkit.nn.backends`). It
assumes nothing about the state beyond its description: the parts' names and shapes.
"""

from __future__ import annotations

import dataclasses
import sys
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from lstmkit._checks import check_bool, check_choice, check_int, check_probability, describe
from lstmkit.nn.backends import BackendCall, DirectionMasks, select_backend
from lstmkit.nn.backends.base import RunDirection
from lstmkit.nn.backends.registry import AUTO, backend_choices, check_backend, usable_backends
from lstmkit.nn.cells.base import CellDescription, StatePart
from lstmkit.nn.validation import (
    check_lengths,
    check_sequence_input,
    check_state_tensor,
    check_step_input,
)

Tensor = torch.Tensor
OUTPUT_MODES = ("sequence", "last")
PADDING_SIDES = ("right", "left")


def _exporting() -> bool:
    """Whether the forward pass is being traced for export (TorchScript, ONNX)."""
    # torch.onnx is imported only by whoever exports; asking it otherwise would import it.
    onnx = sys.modules.get("torch.onnx")
    return torch.jit.is_tracing() or bool(onnx is not None and onnx.is_in_onnx_export())


class RecurrentLayer(nn.Module):
    """A stacked, optionally bidirectional recurrent layer over any cell.

    :class:`~lstmkit.nn.LSTM`, :class:`~lstmkit.nn.GRU` and :class:`~lstmkit.nn.RNN` are
    this with their cell's options; a new cell (say an sLSTM or an mLSTM with a matrix
    memory) needs only a :class:`~lstmkit.nn.cells.base.CellDescription`. The state
    handed in and out is a tensor ``(num_layers·D, B, *shape)`` per state part -- a
    single tensor when the cell has one part, a tuple when it has several.

    Args:
        cell: the cell description (state parts, parameters, step equations).
        input_size: features per step of the input.
        num_layers: stacked layers.
        batch_first: input and output are (batch, time, features) if True.
        dropout: dropout on the outputs of every layer but the last.
        bidirectional: also run a layer backwards in time; outputs are concatenated.
        recurrent_dropout: variational dropout on the output part of the state before it
            feeds the next step, one mask per sequence (Gal & Ghahramani 2016).
        zoneout: probability of keeping each unit's previous value (Krueger et al.
            2017): a float, or a tuple with one rate per state part.
        output_mode: ``"sequence"`` (every step) or ``"last"`` (each sequence's final
            output part, both directions' ends if bidirectional).
        padding_side: ``"right"`` or ``"left"``: where padded batches carry padding.
        backend: ``"auto"`` or a registered backend's name
            (:func:`~lstmkit.nn.list_backends`).

    Returns:
        ``forward(x, state=None, lengths=None, return_gates=False)`` returns
        ``(output, state)`` (and the activations with ``return_gates=True``).

    Example:
        >>> import torch
        >>> from lstmkit.nn import RecurrentLayer
        >>> from lstmkit.nn.cells.gru import GRUDescription, GRUSpec
        >>> from lstmkit.nn.initializers import Initializers
        >>> cell = GRUDescription(GRUSpec(hidden_size=8), Initializers(bias="zeros"))
        >>> layer = RecurrentLayer(cell, 3, num_layers=2)
        >>> y, h = layer(torch.randn(4, 10, 3), lengths=[10, 7, 5, 2])
        >>> y.shape, h.shape, layer.state_parts
        (torch.Size([4, 10, 8]), torch.Size([2, 4, 8]), (StatePart(name='h', shape=(8,)),))
    """

    def __init__(
        self,
        cell: CellDescription,
        input_size: int,
        num_layers: int = 1,
        batch_first: bool = True,
        dropout: float = 0.0,
        bidirectional: bool = False,
        *,
        recurrent_dropout: float = 0.0,
        zoneout: float | tuple[float, ...] = 0.0,
        output_mode: str = "sequence",
        padding_side: str = "right",
        backend: str = "auto",
    ) -> None:
        super().__init__()
        if not isinstance(cell, CellDescription):
            raise TypeError(
                f"cell must be an lstmkit.nn CellDescription; received {describe(cell)}"
            )
        check_int("input_size", input_size, 1)
        check_int("num_layers", num_layers, 1)
        check_bool("batch_first", batch_first)
        check_bool("bidirectional", bidirectional)
        check_probability("dropout", dropout)
        check_probability("recurrent_dropout", recurrent_dropout)
        check_choice("output_mode", output_mode, OUTPUT_MODES)
        check_choice("padding_side", padding_side, PADDING_SIDES)
        check_choice("backend", backend, backend_choices())
        output_shape = cell.state[cell.output_index].shape
        if len(output_shape) != 1:
            raise ValueError(
                f"the output part {cell.output!r} of a cell's state must be a vector; "
                f"{cell.name} declares shape {output_shape}"
            )
        self.cell = cell
        # the description is frozen: what every call reads from it is read once here
        self._parts = tuple(cell.state)
        self._output_index = cell.output_index
        self.input_size = input_size
        self.num_layers = num_layers
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.recurrent_dropout = float(recurrent_dropout)
        self.zoneout = zoneout
        self.output_mode = output_mode
        self.padding_side = padding_side
        self.backend = backend
        #: the backend that ran the most recent forward pass
        self.last_backend: str | None = None
        self._check_zoneout()
        self._build_parameters()
        self._check_backend_choice()  # fail now, not at the first forward

    # ------------------------------------------------------------- the cell
    @property
    def hidden_size(self) -> int:
        """Units per layer and direction."""
        return self.cell.hidden_size

    @property
    def bias(self) -> bool:
        """Whether the cell has bias vectors."""
        return self.cell.bias

    @property
    def state_parts(self) -> tuple[StatePart, ...]:
        """The recurrent state's parts, ``(name, shape per sequence)``, in order."""
        return self._parts

    @property
    def gate_names(self) -> tuple[str, ...]:
        """Names of the activations that ``return_gates=True`` yields."""
        return tuple(self.cell.gate_names)

    @property
    def gate_blocks(self) -> tuple[str, ...]:
        """Row blocks of the bias vectors, in order (what ``set_gate_bias_`` sets)."""
        return tuple(self.cell.gate_blocks)

    def spec_summary(self) -> str:
        """The options in words, for error messages."""
        masks = f"zoneout={self.zoneout}, recurrent_dropout={self.recurrent_dropout}"
        return self.cell.summary(masks)

    def extra_repr(self) -> str:
        text = f"{self.input_size}, {self.hidden_size}, num_layers={self.num_layers}"
        return text + self.cell.repr_options(self.bidirectional) + f", backend={self.backend!r}"

    # ------------------------------------------------------------- parameters
    def _suffix(self, layer: int, direction: int) -> str:
        return f"_l{layer}" + ("_reverse" if direction else "")

    @property
    def num_directions(self) -> int:
        return 2 if self.bidirectional else 1

    @property
    def output_size(self) -> int:
        """Features of each output step (both directions together)."""
        return self.cell.output_size * self.num_directions

    def _build_parameters(self) -> None:
        """Register parameters with torch.nn.LSTM-style names: weight_ih_l0, ..."""
        self._parameter_names: list[tuple[str, ...]] = []  # per layer, without suffix
        for layer in range(self.num_layers):
            layer_input = self.input_size if layer == 0 else self.output_size
            shapes = self.cell.parameter_shapes(layer_input)
            self._parameter_names.append(tuple(shapes))
            for direction in range(self.num_directions):
                sfx = self._suffix(layer, direction)
                for name, shape in shapes.items():
                    self.register_parameter(name + sfx, nn.Parameter(torch.empty(shape)))
        self.reset_parameters()

    def direction_parameters(self, layer: int, direction: int) -> dict[str, Tensor]:
        """The parameters of one layer in one direction, keyed without suffix."""
        sfx = self._suffix(layer, direction)
        return {name: getattr(self, name + sfx) for name in self._parameter_names[layer]}

    def reset_parameters(self) -> None:
        """Re-initialise all parameters with the cell's initialisers."""
        for layer in range(self.num_layers):
            for direction in range(self.num_directions):
                self.cell.init_parameters_(self.direction_parameters(layer, direction))

    def _zoneout_rates(self) -> tuple[float, ...]:
        n = len(self._parts)
        rates = self.zoneout if isinstance(self.zoneout, tuple | list) else (self.zoneout,) * n
        return tuple(float(r) for r in rates)

    def _check_zoneout(self) -> None:
        n = len(self._parts)
        rates = self.zoneout if isinstance(self.zoneout, tuple | list) else (self.zoneout,)
        if isinstance(self.zoneout, tuple | list) and len(rates) != n:
            raise ValueError(
                f"zoneout must be a float or a tuple of {n} floats (one per state); "
                f"received {describe(self.zoneout)}"
            )
        for rate in rates:
            check_probability("zoneout", rate)

    # ---------------------------------------------------------------- backends
    def backend_call(
        self,
        *,
        steps: int | None = None,
        return_gates: bool = False,
        like: Tensor | None = None,
    ) -> BackendCall:
        """Describe a forward pass of this layer, as the backends are asked about it.

        Args:
            steps: the number of steps, or None (not known yet).
            return_gates: whether the activations are asked for.
            like: the input (its device and dtype); by default the parameters'.

        Returns:
            A :class:`~lstmkit.nn.BackendCall` in the layer's current mode.

        Example:
            >>> from lstmkit.nn import LSTM
            >>> LSTM(3, 8).eval().backend_call(steps=5).training
            False
        """
        like = next(self.parameters(), None) if like is None else like
        device = torch.device("cpu") if like is None else like.device
        dtype = torch.get_default_dtype() if like is None else like.dtype
        return BackendCall(
            cell=self.cell, training=self.training, return_gates=return_gates, steps=steps,
            device=device, dtype=dtype, zoneout=self._zoneout_rates(),
            recurrent_dropout=self.recurrent_dropout, exporting=_exporting(),
            describe=self.spec_summary,
        )  # fmt: skip

    def _check_backend_choice(self) -> None:
        """Refuse at construction a backend that can never run these options."""
        if self.backend != AUTO:
            # in eval mode: what only training adds (recurrent dropout) is checked per call
            call = dataclasses.replace(self.backend_call(), training=False)
            verdict = check_backend(self.backend, call)
            if not verdict:
                raise ValueError(verdict.reason)

    @property
    def active_backend(self) -> str:
        """The backend the next forward pass of more than one step will use (without
        ``return_gates``); a single step under ``"auto"`` runs on the reference."""
        return select_backend(self.backend, self.backend_call()).name

    def usable_backends(self, *, steps: int | None = None, return_gates: bool = False) -> list[str]:
        """The registered backends that can run this layer in its current mode.

        Args:
            steps: the number of steps of the call, or None.
            return_gates: whether the activations are asked for.

        Returns:
            Their names, in the order ``backend="auto"`` prefers them.

        Example:
            >>> from lstmkit.nn import GRU, LSTM
            >>> LSTM(3, 8).usable_backends(), GRU(3, 8, layer_norm=True).usable_backends()
            (['native', 'fused', 'reference'], ['reference'])
        """
        return usable_backends(self.backend_call(steps=steps, return_gates=return_gates))

    # ------------------------------------------------------------------ inputs
    def _first_weight(self) -> Tensor | None:
        """One of the layer's weights (their dtype and device), cheaply: the input check
        runs at every forward, and ``next(self.parameters())`` costs ~10 µs."""
        for weight in self._parameters.values():
            if weight is not None:
                return weight
        return next(self.parameters(), None)

    def _check_state(
        self, state: Any, batch: int, x: Tensor, x_name: str = "x"
    ) -> tuple[Tensor, ...]:
        """The initial state as one tensor per part, (layers·directions, B, *shape)."""
        parts = self.state_parts
        rows = self.num_layers * self.num_directions
        if state is None:
            return tuple(x.new_zeros(rows, batch, *part.shape) for part in parts)
        several = len(parts) > 1
        if several and (not isinstance(state, tuple | list) or len(state) != len(parts)):
            names = ", ".join(f"{part.name}_0" for part in parts)
            raise TypeError(
                f"state must be a tuple ({names}) for {type(self).__name__}; "
                f"received {describe(state)}"
            )
        given = tuple(state) if several else (state,)
        for k, (value, part) in enumerate(zip(given, parts, strict=True)):
            label = f"state[{k}] ({part.name}_0)" if several else f"state ({part.name}_0)"
            check_state_tensor(label, value, (rows, batch, *part.shape), x, like_name=x_name)
        return given

    def _valid_mask(self, lengths: Tensor | None, steps: int, like: Tensor) -> Tensor | None:
        if lengths is None:
            return None
        t = torch.arange(steps).unsqueeze(1)
        if self.padding_side == "right":
            valid = t < lengths.unsqueeze(0)
        else:
            valid = t >= (steps - lengths).unsqueeze(0)
        return valid.unsqueeze(-1).to(device=like.device, dtype=like.dtype)

    def _draw_masks(
        self, valid: Tensor | None, steps: int, batch: int, like: Tensor
    ) -> DirectionMasks:
        """The recurrent-dropout mask and each state part's update mask (zoneout and
        padding), broadcastable over the part's shape."""
        parts = self.state_parts
        recurrent = None
        if self.training and self.recurrent_dropout > 0.0:
            keep = 1.0 - self.recurrent_dropout
            shape = parts[self._output_index].shape
            recurrent = torch.bernoulli(like.new_full((batch, *shape), keep)) / keep
        updates: list[Tensor | None] = []
        for part, rate in zip(parts, self._zoneout_rates(), strict=True):
            ones = (1,) * len(part.shape)  # broadcast over the part's feature dims
            update = None if valid is None else valid.view(steps, batch, *ones)
            if rate > 0.0:
                if self.training:  # 1 = take the new value (probability 1 - rate)
                    u = torch.rand(steps, batch, *part.shape, device=like.device) >= rate
                    u = u.to(like)
                else:  # the expectation of the training-time mix
                    u = like.new_full((1, 1, *ones), 1.0 - rate).expand(steps, batch, *ones)
                update = u if update is None else u * update
            updates.append(update)
        return DirectionMasks(recurrent=recurrent, update=tuple(updates), valid=valid)

    # ----------------------------------------------------------------- forward
    def forward(
        self,
        x: Tensor,
        state: Any = None,
        lengths: Tensor | list[int] | None = None,
        *,
        return_gates: bool = False,
    ):
        return self._forward(x, state, lengths, return_gates, self.output_mode)

    def _forward(self, x, state, lengths, return_gates, output_mode, x_name="x"):
        if x_name == "x":  # step() has checked its x_t already
            check_sequence_input(
                x,
                input_size=self.input_size,
                batch_first=self.batch_first,
                like=self._first_weight(),
            )
        check_bool("return_gates", return_gates)
        steps, batch = (x.shape[1], x.shape[0]) if self.batch_first else x.shape[:2]
        if lengths is not None:
            lengths = check_lengths(lengths, batch=batch, steps=steps)
            if bool((lengths == steps).all()):
                # Nothing is padded: the plain path gives the same numbers, and packing
                # (native) or masking (the others) would only cost time -- a GRU trained
                # on equal-length batches ran ~5x slower through pack_padded_sequence.
                lengths = None
        state0 = self._check_state(state, batch, x, x_name)
        call = self.backend_call(steps=steps, return_gates=return_gates, like=x)
        backend = select_backend(self.backend, call)
        self.last_backend = backend.name
        output, final, gates = backend.run(call, self, x, state0, lengths)

        if output_mode == "last":
            # (D, B, size): each direction's end
            top = final[self._output_index][-self.num_directions :]
            output = top.transpose(0, 1).reshape(batch, -1)
        state_out = final if len(final) > 1 else final[0]
        if return_gates:
            return output, state_out, gates
        return output, state_out

    def run_stacked(
        self,
        run_direction: RunDirection,
        x: Tensor,
        state: tuple[Tensor, ...],
        lengths: Tensor | None,
        return_gates: bool,
    ) -> tuple[Tensor, tuple[Tensor, ...], dict[str, Tensor] | None]:
        """Run all layers and directions, one ``run_direction`` call at a time.

        What per-direction backends (:class:`~lstmkit.nn.backends.DirectionBackend`)
        share: the time-major layout, reversing time for the backward direction, the
        padding, zoneout and dropout masks, dropout between layers. Arguments and
        result as :meth:`lstmkit.nn.Backend.run`.
        """
        x_tm = x.transpose(0, 1) if self.batch_first else x
        steps, batch = x_tm.shape[0], x_tm.shape[1]
        valid = self._valid_mask(lengths, steps, x_tm)
        finals: list[list[Tensor]] = [[] for _ in state]
        gate_layers: list[dict[str, Tensor]] = []
        layer_input = x_tm
        for layer in range(self.num_layers):
            outputs, gate_dirs = [], []
            for d in range(self.num_directions):
                row = layer * self.num_directions + d
                # The reverse direction is the forward recurrence on time-flipped data.
                inp = layer_input if d == 0 else layer_input.flip(0)
                v = valid if (valid is None or d == 0) else valid.flip(0)
                masks = self._draw_masks(v, steps, batch, x_tm)
                y, final, g = run_direction(
                    self.cell, inp, tuple(s[row] for s in state),
                    self.direction_parameters(layer, d), masks, return_gates,
                )  # fmt: skip
                if d == 1:
                    y = y.flip(0)
                    g = {k: t.flip(0) for k, t in g.items()} if g is not None else None
                outputs.append(y)
                gate_dirs.append(g)
                for k, s in enumerate(final):
                    finals[k].append(s)
            layer_output = outputs[0] if len(outputs) == 1 else torch.cat(outputs, dim=-1)
            if return_gates:
                gate_layers.append(
                    {k: torch.stack([g[k] for g in gate_dirs]) for k in self.gate_names}
                )
            if self.dropout > 0.0 and layer < self.num_layers - 1:
                layer_output = F.dropout(layer_output, self.dropout, self.training)
            layer_input = layer_output
        final_state = tuple(torch.stack(f) for f in finals)
        output = layer_input.transpose(0, 1) if self.batch_first else layer_input
        gates = None
        if return_gates:
            gates = {k: torch.stack([g[k] for g in gate_layers]) for k in self.gate_names}
            if valid is not None:  # activations at padded steps are not part of any sequence
                gates = {k: v * _over(valid, v.dim() - 2) for k, v in gates.items()}
            if self.batch_first:  # (layers, D, T, B, ...) -> (layers, D, B, T, ...)
                gates = {k: v.transpose(2, 3) for k, v in gates.items()}
        return output, final_state, gates

    # ---------------------------------------------------------------- streaming
    def step(self, x_t: Tensor, state: Any = None):
        """Advance one step: ``(x_t (B, F), state) -> (y_t (B, size), state)``.

        Equal to the full-sequence pass taken one step at a time, so a stream can be
        processed as it arrives (like MATLAB's predictAndUpdateState). A
        bidirectional layer needs the whole sequence and cannot stream.
        """
        if self.bidirectional:
            raise ValueError(
                "step() streams forward in time; a bidirectional layer needs the whole "
                "sequence (bidirectional=True)"
            )
        check_step_input(x_t, input_size=self.input_size, like=self._first_weight())
        x = x_t.unsqueeze(1) if self.batch_first else x_t.unsqueeze(0)
        y, state = self._forward(x, state, None, False, "sequence", "x_t")
        return (y[:, 0] if self.batch_first else y[0]), state


def _over(valid: Tensor, dims: int) -> Tensor:
    """The (T, B, 1) valid mask shaped to broadcast over a (T, B, *shape) tensor of
    ``dims`` dimensions."""
    return valid.view(*valid.shape[:2], *(1,) * (dims - 2))
