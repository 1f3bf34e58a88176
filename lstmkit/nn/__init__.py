"""The LSTM layer family as PyTorch modules.

:class:`LSTM`, :class:`GRU` and :class:`RNN` (with their single-step cells) take
``forward(x, state=None, lengths=None)``, serve padded batches without packing, expose
their gate activations, stream with ``step()``, and exchange weights with torch.nn.
:class:`RecurrentLayer` runs any cell described by a :class:`CellDescription`; the
backends that run them are a registry (:func:`list_backends`, :func:`register_backend`).

The names load on first use (PEP 562), so ``import lstmkit.nn.layer_kinds`` -- what the
command line reads for its ``--help`` -- does not import torch.
"""

from __future__ import annotations

from lstmkit._lazy import lazy_exports

# public name -> the module that defines it
_EXPORTS = {
    "LSTM": "lstmkit.nn.lstm",
    "GRU": "lstmkit.nn.gru",
    "RNN": "lstmkit.nn.rnn",
    "LSTMCell": "lstmkit.nn.cells.lstm",
    "GRUCell": "lstmkit.nn.cells.gru",
    "RNNCell": "lstmkit.nn.cells.rnn",
    "RecurrentLayer": "lstmkit.nn.recurrent",
    "CellDescription": "lstmkit.nn.cells.base",
    "StatePart": "lstmkit.nn.cells.base",
    "SequenceNetwork": "lstmkit.nn.network",
    "set_gate_bias_": "lstmkit.nn.initializers",
    "Backend": "lstmkit.nn.backends.base",
    "BackendCall": "lstmkit.nn.backends.base",
    "get_backend": "lstmkit.nn.backends.registry",
    "list_backends": "lstmkit.nn.backends.registry",
    "register_backend": "lstmkit.nn.backends.registry",
    "unregister_backend": "lstmkit.nn.backends.registry",
    "LAYER_KINDS": "lstmkit.nn.layer_kinds",
    "register_layer_kind": "lstmkit.nn.layer_kinds",
    "parameter_count": "lstmkit.nn.sizing",
    "matched_hidden_sizes": "lstmkit.nn.sizing",
}

__all__ = list(_EXPORTS)


__getattr__, __dir__ = lazy_exports("lstmkit.nn", _EXPORTS, globals())
