"""What LSTM, GRU and RNN layers share: options, stacking, directions, padding,
random masks, backend choice, streaming and torch interop.

A subclass describes one *cell* (its parameter shapes, its initialisation, how to run
one layer in one direction forward in time); :class:`RecurrentLayer` turns that into a
stacked, optionally bidirectional layer that accepts padded batches.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

import torch
import torch.nn.functional as F
from torch import nn

from lstmkit._checks import check_bool, check_choice, check_int, check_probability, describe
from lstmkit.nn.backends import BACKENDS
from lstmkit.nn.backends.native import run_native
from lstmkit.nn.initializers import BIAS_INITIALIZERS, WEIGHT_INITIALIZERS
from lstmkit.nn.validation import check_lengths, check_sequence_input, check_state_tensor

Tensor = torch.Tensor
OUTPUT_MODES = ("sequence", "last")
PADDING_SIDES = ("right", "left")


@dataclass
class DirectionMasks:
    """Constant masks for one layer in one direction, in processing order.

    ``recurrent``: variational dropout mask on the recurrent input, (B, size), scaled.
    ``update``: per state component, how much of the new state replaces the old at
    each step (zoneout and padding), (T, B, size or 1); None means "all of it".
    ``valid``: 1 at real steps and 0 at padded steps, (T, B, 1); None if unpadded.
    """

    recurrent: Tensor | None
    update: tuple[Tensor | None, ...]
    valid: Tensor | None


class RecurrentLayer(nn.Module):
    """Base class of :class:`LSTM`, :class:`GRU` and :class:`RNN` (not used directly)."""

    #: names of the per-step activations that ``return_gates=True`` yields
    gate_names: ClassVar[tuple[str, ...]] = ()
    #: whether a fused backend exists for this cell (else variants use the reference)
    has_fused: ClassVar[bool] = False
    #: torch.nn class the standard options map onto, for from_torch / to_torch
    torch_class: ClassVar[type[nn.Module]]

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = True,
        dropout: float = 0.0,
        bidirectional: bool = False,
        *,
        recurrent_dropout: float = 0.0,
        zoneout: float | tuple[float, ...] = 0.0,
        output_mode: str = "sequence",
        padding_side: str = "right",
        backend: str = "auto",
        input_initializer: str = "glorot",
        recurrent_initializer: str = "orthogonal",
        bias_initializer: str = "unit-forget-gate",
    ) -> None:
        super().__init__()
        check_int("input_size", input_size, 1)
        check_int("hidden_size", hidden_size, 1)
        check_int("num_layers", num_layers, 1)
        for name, value in (("bias", bias), ("batch_first", batch_first)):
            check_bool(name, value)
        check_bool("bidirectional", bidirectional)
        check_probability("dropout", dropout)
        check_probability("recurrent_dropout", recurrent_dropout)
        check_choice("output_mode", output_mode, OUTPUT_MODES)
        check_choice("padding_side", padding_side, PADDING_SIDES)
        check_choice("backend", backend, BACKENDS)
        check_choice("input_initializer", input_initializer, WEIGHT_INITIALIZERS)
        check_choice("recurrent_initializer", recurrent_initializer, WEIGHT_INITIALIZERS)
        check_choice("bias_initializer", bias_initializer, BIAS_INITIALIZERS)
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.recurrent_dropout = float(recurrent_dropout)
        self.zoneout = zoneout
        self.output_mode = output_mode
        self.padding_side = padding_side
        self.backend = backend
        self.input_initializer = input_initializer
        self.recurrent_initializer = recurrent_initializer
        self.bias_initializer = bias_initializer
        #: the backend that ran the most recent forward pass
        self.last_backend: str | None = None

    # ----------------------------------------------------------------- cell hooks
    def _state_sizes(self) -> tuple[int, ...]:
        """Feature size of each state component, e.g. (h,) or (h, c)."""
        raise NotImplementedError

    def _direction_shapes(self, input_size: int) -> dict[str, tuple[int, ...]]:
        """Parameter names (no suffix) and shapes of one layer in one direction."""
        raise NotImplementedError

    def _init_direction_(self, params: dict[str, Tensor]) -> None:
        raise NotImplementedError

    def _is_standard(self) -> bool:
        """True when the cell options are those torch's own module supports."""
        raise NotImplementedError

    def _native_kind(self) -> str:
        raise NotImplementedError

    def _run_direction(
        self,
        backend: str,
        x: Tensor,
        state: tuple[Tensor, ...],
        params: dict[str, Tensor],
        masks: DirectionMasks,
        return_gates: bool,
    ) -> tuple[Tensor, tuple[Tensor, ...], dict[str, Tensor] | None]:
        """Run one layer forward in time over time-major x (T, B, F).

        Returns the output (T, B, size) with padded steps zero, the final state, and,
        if asked, the activations (name -> (T, B, H)).
        """
        raise NotImplementedError

    def _torch_kwargs(self) -> dict[str, Any]:
        return {}

    def _finish_init(self) -> None:
        """Last step of a subclass constructor, once its cell options are stored."""
        self._check_zoneout()
        self._build_parameters()
        self._check_backend_choice()  # fail now, not at the first forward

    def _reference_loop(
        self,
        x: Tensor,
        state: tuple[Tensor, ...],
        masks: DirectionMasks,
        step: Callable[[Tensor, tuple[Tensor, ...], tuple[Tensor | None, ...]], tuple],
        return_gates: bool,
    ) -> tuple[Tensor, tuple[Tensor, ...], dict[str, Tensor] | None]:
        """The reference backend's loop: ``step(x_t, state, updates_t) -> (state, gates)``
        once per step under autograd; ``gates`` has an attribute per ``gate_names``."""
        outputs, trace = [], []
        for t in range(x.shape[0]):
            updates = tuple(None if u is None else u[t] for u in masks.update)
            state, gates = step(x[t], state, updates)
            h = state[0]
            outputs.append(h if masks.valid is None else h * masks.valid[t])
            if return_gates:
                trace.append(gates)
        traced = None
        if return_gates:
            traced = {k: torch.stack([getattr(g, k) for g in trace]) for k in self.gate_names}
        return torch.stack(outputs), state, traced

    # ------------------------------------------------------------- parameters
    def _suffix(self, layer: int, direction: int) -> str:
        return f"_l{layer}" + ("_reverse" if direction else "")

    @property
    def num_directions(self) -> int:
        return 2 if self.bidirectional else 1

    def _build_parameters(self) -> None:
        """Register parameters with torch.nn.LSTM-style names: weight_ih_l0, ..."""
        out = self._state_sizes()[0] * self.num_directions
        for layer in range(self.num_layers):
            layer_input = self.input_size if layer == 0 else out
            for direction in range(self.num_directions):
                sfx = self._suffix(layer, direction)
                for name, shape in self._direction_shapes(layer_input).items():
                    self.register_parameter(name + sfx, nn.Parameter(torch.empty(shape)))
        self.reset_parameters()

    def direction_parameters(self, layer: int, direction: int) -> dict[str, Tensor]:
        """The parameters of one layer in one direction, keyed without suffix."""
        sfx = self._suffix(layer, direction)
        layer_input = self.input_size if layer == 0 else self.output_size
        return {name: getattr(self, name + sfx) for name in self._direction_shapes(layer_input)}

    def reset_parameters(self) -> None:
        """Re-initialise all parameters with the layer's initialisers."""
        for layer in range(self.num_layers):
            for direction in range(self.num_directions):
                self._init_direction_(self.direction_parameters(layer, direction))

    @property
    def output_size(self) -> int:
        """Features of each output step (both directions together)."""
        return self._state_sizes()[0] * self.num_directions

    def _zoneout_rates(self) -> tuple[float, ...]:
        n = len(self._state_sizes())
        rates = self.zoneout if isinstance(self.zoneout, tuple | list) else (self.zoneout,) * n
        return tuple(float(r) for r in rates)

    def _check_zoneout(self) -> None:
        n = len(self._state_sizes())
        rates = self.zoneout if isinstance(self.zoneout, tuple | list) else (self.zoneout,)
        if isinstance(self.zoneout, tuple | list) and len(rates) != n:
            raise ValueError(
                f"zoneout must be a float or a tuple of {n} floats (one per state); "
                f"received {describe(self.zoneout)}"
            )
        for rate in rates:
            check_probability("zoneout", rate)

    # ---------------------------------------------------------------- backends
    def _native_allowed(self, training: bool | None = None) -> bool:
        """Whether torch's kernel computes exactly this layer (in this mode)."""
        training = self.training if training is None else training
        zoneout = any(self._zoneout_rates())
        # Recurrent dropout only acts in training, so eval can still go native.
        dropout_ok = self.recurrent_dropout == 0.0 or not training
        return self._is_standard() and not zoneout and dropout_ok

    def _check_backend_choice(self) -> None:
        """Refuse at construction a backend that can never run these options."""
        if self.backend == "native" and not self._native_allowed(training=False):
            raise ValueError(
                "backend='native' supports only the options torch's own "
                f"{self.torch_class.__name__} has; this layer has {self.spec_summary()}"
            )
        if self.backend == "fused" and not self.has_fused:
            raise ValueError(
                f"backend='fused' is not available for {type(self).__name__}; "
                "use 'auto', 'native' or 'reference'"
            )

    @property
    def active_backend(self) -> str:
        """The backend the next forward pass of more than one step will use (without
        ``return_gates``); a single step under ``"auto"`` runs on the reference."""
        return self._resolve_backend(return_gates=False)

    def _resolve_backend(self, return_gates: bool, steps: int | None = None) -> str:
        if self.backend == "auto":
            if steps == 1:
                # One step (streaming, generation): torch's oneDNN kernel pays a fixed
                # set-up per call that a few matmuls do not. Measured on 2 CPU cores,
                # B=1, H=512: native 4.3 ms, reference 0.6 ms, fused 1.1 ms; reference
                # was never slower at T=1 (H 64-512, B 1-32). Longer sequences keep the
                # fast kernels (native already wins at T=16).
                return "reference"
            if not return_gates and self._native_allowed():
                return "native"
            return "fused" if self.has_fused else "reference"
        self._check_backend_choice()
        if self.backend == "native":
            if return_gates:
                raise ValueError(
                    "return_gates=True needs the 'reference' or 'fused' backend; torch's "
                    "native kernels do not expose gates (backend='native' was requested)"
                )
            if not self._native_allowed():
                raise ValueError(
                    "backend='native' cannot apply recurrent dropout while training "
                    f"(recurrent_dropout={self.recurrent_dropout}); call .eval() or use "
                    "backend='auto'"
                )
        return self.backend

    def spec_summary(self) -> str:
        return self.extra_repr()

    # ------------------------------------------------------------------ inputs
    def _check_state(self, state: Any, batch: int, x: Tensor) -> tuple[Tensor, ...]:
        sizes = self._state_sizes()
        rows = self.num_layers * self.num_directions
        names = ("h", "c")
        if state is None:
            return tuple(x.new_zeros(rows, batch, size) for size in sizes)
        parts = state if len(sizes) > 1 else (state,)
        if len(sizes) > 1 and (not isinstance(state, tuple | list) or len(state) != len(sizes)):
            raise TypeError(
                f"state must be a tuple (h_0, c_0) for {type(self).__name__}; "
                f"received {describe(state)}"
            )
        for k, (part, size) in enumerate(zip(parts, sizes, strict=True)):
            label = f"state[{k}] ({names[k]}_0)" if len(sizes) > 1 else "state (h_0)"
            check_state_tensor(label, part, (rows, batch, size), x)
        return tuple(parts)

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
        sizes = self._state_sizes()
        recurrent = None
        if self.training and self.recurrent_dropout > 0.0:
            keep = 1.0 - self.recurrent_dropout
            recurrent = torch.bernoulli(like.new_full((batch, sizes[0]), keep)) / keep
        updates: list[Tensor | None] = []
        for size, rate in zip(sizes, self._zoneout_rates(), strict=True):
            update = valid
            if rate > 0.0:
                if self.training:  # 1 = take the new value (probability 1 - rate)
                    u = (torch.rand(steps, batch, size, device=like.device) >= rate).to(like)
                else:  # the expectation of the training-time mix
                    u = like.new_full((1, 1, 1), 1.0 - rate).expand(steps, batch, 1)
                update = u if valid is None else u * valid
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

    def _forward(self, x, state, lengths, return_gates, output_mode):
        check_sequence_input(x, input_size=self.input_size, batch_first=self.batch_first)
        check_bool("return_gates", return_gates)
        x_tm = x.transpose(0, 1) if self.batch_first else x
        steps, batch = x_tm.shape[0], x_tm.shape[1]
        if lengths is not None:
            lengths = check_lengths(lengths, batch=batch, steps=steps)
            if bool((lengths == steps).all()):
                # Nothing is padded: the plain path gives the same numbers, and packing
                # (native) or masking (the others) would only cost time -- a GRU trained
                # on equal-length batches ran ~5x slower through pack_padded_sequence.
                lengths = None
        state0 = self._check_state(state, batch, x)
        backend = self._resolve_backend(return_gates, steps)
        self.last_backend = backend

        gates = None
        if backend == "native":
            output, final = self._forward_native(x, state0, lengths)  # x's own layout
        else:
            y, final, gates = self._forward_stack(backend, x_tm, state0, lengths, return_gates)
            output = y.transpose(0, 1) if self.batch_first else y

        if output_mode == "last":
            top = final[0][-self.num_directions :]  # (D, B, size): each direction's end
            output = top.transpose(0, 1).reshape(batch, -1)
        state_out = final if len(final) > 1 else final[0]
        if return_gates:
            if self.batch_first:
                gates = {k: v.transpose(2, 3) for k, v in gates.items()}
            return output, state_out, gates
        return output, state_out

    def _native_weights(self) -> list[Tensor]:
        """Every weight in torch's order: layer by layer, direction by direction."""
        return [
            p
            for layer in range(self.num_layers)
            for d in range(self.num_directions)
            for p in self.direction_parameters(layer, d).values()
        ]

    def flatten_parameters(self) -> None:
        """On a GPU, lay the weights out in one buffer that cuDNN takes as it is.

        What ``torch.nn.LSTM.flatten_parameters`` does, and called the same way: after
        every ``.to()`` / ``.cuda()``. Without it cuDNN copies all weights into such a
        buffer on *every* call (torch warns "RNN module weights are not part of single
        contiguous chunk of memory"); on an H100 that made B=32, T=100, H=128 run at
        0.61x torch.nn.LSTM's forward speed. A no-op on the CPU, for layers cuDNN
        cannot run (variants), and for weights that already share memory.
        """
        flat = self._native_weights()
        if not flat or not self._is_standard():
            return
        first = flat[0]
        if not all(
            w.is_cuda and w.dtype == first.dtype and torch.backends.cudnn.is_acceptable(w)
            for w in flat
        ):
            return
        if len({w.data_ptr() for w in flat}) != len(flat):
            return
        import torch.backends.cudnn.rnn as cudnn_rnn

        with torch.cuda.device_of(first), torch.no_grad():
            if torch._use_cudnn_rnn_flatten_weight():
                torch._cudnn_rnn_flatten_weight(
                    flat, len(self.direction_parameters(0, 0)), self.input_size,
                    cudnn_rnn.get_cudnn_mode(self._native_kind().upper()),
                    self.hidden_size, getattr(self, "proj_size", 0), self.num_layers,
                    self.batch_first, self.bidirectional,
                )  # fmt: skip

    def _apply(self, fn, recurse=True):
        result = super()._apply(fn, recurse)
        self.flatten_parameters()
        return result

    def _forward_native(self, x, state0, lengths):
        flat = self._native_weights()
        hx = state0 if len(state0) > 1 else state0[0]
        y, final = run_native(
            self._native_kind(), x, hx, flat,
            has_biases=self.bias, num_layers=self.num_layers, dropout=self.dropout,
            training=self.training, bidirectional=self.bidirectional,
            lengths=lengths, padding_side=self.padding_side, batch_first=self.batch_first,
        )  # fmt: skip
        return y, final if isinstance(final, tuple) else (final,)

    def _forward_stack(self, backend, x_tm, state0, lengths, return_gates):
        steps, batch = x_tm.shape[0], x_tm.shape[1]
        valid = self._valid_mask(lengths, steps, x_tm)
        finals: list[list[Tensor]] = [[] for _ in state0]
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
                y, final, g = self._run_direction(
                    backend, inp, tuple(s[row] for s in state0),
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
        gates = None
        if return_gates:
            gates = {k: torch.stack([g[k] for g in gate_layers]) for k in self.gate_names}
            if valid is not None:  # activations at padded steps are not part of any sequence
                gates = {k: v * valid for k, v in gates.items()}
        return layer_input, final_state, gates

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
        if not isinstance(x_t, torch.Tensor) or x_t.dim() != 2:
            raise ValueError(
                f"x_t must be a 2-D tensor (batch, features); received {describe(x_t)}"
            )
        x = x_t.unsqueeze(1) if self.batch_first else x_t.unsqueeze(0)
        y, state = self._forward(x, state, None, False, "sequence")
        return (y[:, 0] if self.batch_first else y[0]), state

    # ------------------------------------------------------------- torch interop
    @classmethod
    def from_torch(cls, module: nn.Module, **options: Any) -> RecurrentLayer:
        """Build a layer with the same configuration and weights as a torch module.

        Args:
            module: a ``torch.nn.LSTM`` / ``GRU`` / ``RNN`` matching this class.
            **options: further lstmkit options (e.g. ``output_mode``).
        """
        if not isinstance(module, cls.torch_class):
            raise TypeError(
                f"module must be a {cls.torch_class.__module__}.{cls.torch_class.__name__}; "
                f"received {type(module).__name__}"
            )
        kwargs = {
            "input_size": module.input_size,
            "hidden_size": module.hidden_size,
            "num_layers": module.num_layers,
            "bias": module.bias,
            "batch_first": module.batch_first,
            "dropout": float(module.dropout),
            "bidirectional": module.bidirectional,
        }
        kwargs.update(cls._options_from_torch(module))
        kwargs.update(options)
        layer = cls(**kwargs)
        ref = next(module.parameters())
        layer.to(device=ref.device, dtype=ref.dtype)
        layer.load_state_dict(module.state_dict())
        return layer

    @classmethod
    def _options_from_torch(cls, module: nn.Module) -> dict[str, Any]:
        return {}

    def to_torch(self) -> nn.Module:
        """The equivalent torch module with the same weights (standard options only)."""
        if not self._is_standard() or any(self._zoneout_rates()) or self.recurrent_dropout:
            raise ValueError(
                f"to_torch() needs the standard options torch supports; this layer has "
                f"{self.spec_summary()}"
            )
        module = self.torch_class(
            self.input_size, self.hidden_size, num_layers=self.num_layers, bias=self.bias,
            batch_first=self.batch_first, dropout=self.dropout,
            bidirectional=self.bidirectional, **self._torch_kwargs(),
        )  # fmt: skip
        ref = next(self.parameters())
        module.to(device=ref.device, dtype=ref.dtype)
        module.load_state_dict(self.state_dict())
        return module
