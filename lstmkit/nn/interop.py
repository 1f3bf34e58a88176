"""Weights both ways between lstmkit layers and torch.nn.LSTM / GRU / RNN: an opt-in mixin.

A layer class whose cell torch also has mixes in :class:`TorchInterop` and names the
torch class (``torch_class``) and the torch constructor options beyond the common ones
(``torch_options``, e.g. ``("proj_size",)``). Parameter names and shapes are torch's
already (the cells declare them so), so the exchange is a ``load_state_dict``.
"""

from __future__ import annotations

from typing import Any, ClassVar

import torch
from torch import nn

from lstmkit.nn.backends.native import flat_weights


class TorchInterop:
    """Mixin for a :class:`~lstmkit.nn.RecurrentLayer` with a torch.nn counterpart:
    :meth:`from_torch`, :meth:`to_torch` and cuDNN's :meth:`flatten_parameters`."""

    #: the torch.nn module with the same parameters for the standard options
    torch_class: ClassVar[type[nn.Module]]
    #: constructor options that torch's module has beyond the ones all layers share
    torch_options: ClassVar[tuple[str, ...]] = ()

    def _is_torch_standard(self) -> bool:
        """Whether torch's module computes exactly this layer (any mode)."""
        counterpart = self.cell.torch_counterpart
        return bool(
            counterpart is not None
            and counterpart.standard
            and not any(self._zoneout_rates())
            and not self.recurrent_dropout
        )

    @classmethod
    def from_torch(cls, module: nn.Module, **options: Any) -> TorchInterop:
        """Build a layer with the same configuration and weights as a torch module.

        Args:
            module: a ``torch.nn.LSTM`` / ``GRU`` / ``RNN`` matching this class.
            **options: further lstmkit options (e.g. ``output_mode``).

        Returns:
            The layer, on the module's device and dtype.

        Example:
            >>> import torch
            >>> from lstmkit.nn import LSTM
            >>> LSTM.from_torch(torch.nn.LSTM(3, 8, num_layers=2))
            LSTM(3, 8, num_layers=2, backend='auto')
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
        kwargs.update({name: getattr(module, name) for name in cls.torch_options})
        kwargs.update(options)
        layer = cls(**kwargs)
        ref = next(module.parameters())
        layer.to(device=ref.device, dtype=ref.dtype)
        layer.load_state_dict(module.state_dict())
        return layer

    def to_torch(self) -> nn.Module:
        """The equivalent torch module with the same weights (standard options only)."""
        if not self._is_torch_standard():
            raise ValueError(
                f"to_torch() needs the standard options torch supports; this layer has "
                f"{self.spec_summary()}"
            )
        module = self.torch_class(
            self.input_size, self.hidden_size, num_layers=self.num_layers, bias=self.bias,
            batch_first=self.batch_first, dropout=self.dropout,
            bidirectional=self.bidirectional,
            **{name: getattr(self, name) for name in self.torch_options},
        )  # fmt: skip
        ref = next(self.parameters())
        module.to(device=ref.device, dtype=ref.dtype)
        module.load_state_dict(self.state_dict())
        return module

    def flatten_parameters(self) -> None:
        """On a GPU, lay the weights out in one buffer that cuDNN takes as it is.

        What ``torch.nn.LSTM.flatten_parameters`` does, and called the same way: after
        every ``.to()`` / ``.cuda()``. Without it cuDNN copies all weights into such a
        buffer on *every* call (torch warns "RNN module weights are not part of single
        contiguous chunk of memory"); on an H100 that made B=32, T=100, H=128 run at
        0.61x torch.nn.LSTM's forward speed. A no-op on the CPU, for layers cuDNN
        cannot run (variants), and for weights that already share memory.
        """
        counterpart = self.cell.torch_counterpart
        flat = flat_weights(self)
        if not flat or counterpart is None or not counterpart.standard:
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
                    cudnn_rnn.get_cudnn_mode(counterpart.kernel.upper()),
                    self.hidden_size, getattr(self, "proj_size", 0), self.num_layers,
                    self.batch_first, self.bidirectional,
                )  # fmt: skip

    def _apply(self, fn, recurse=True):
        result = super()._apply(fn, recurse)
        self.flatten_parameters()
        return result
