"""Backends that run the recurrences, registered in order of preference.

``native`` (torch's own kernels: oneDNN on CPU, cuDNN on GPU), ``fused`` (lstmkit's own
autograd Function for the LSTM variants), ``reference`` (the cell's step equations under
autograd: any cell, the ground truth). See :mod:`lstmkit.nn.backends.registry` for how
``backend="auto"`` chooses and how to add a backend.
"""

from lstmkit.nn.backends.base import Backend, BackendCall, DirectionBackend, DirectionMasks, Verdict
from lstmkit.nn.backends.lstm_fused import FusedBackend
from lstmkit.nn.backends.native import NativeBackend
from lstmkit.nn.backends.reference import ReferenceBackend
from lstmkit.nn.backends.registry import (
    AUTO,
    REFERENCE,
    BackendInfo,
    get_backend,
    list_backends,
    register_backend,
    registered_backend,
    select_backend,
    unregister_backend,
)

__all__ = [
    "AUTO",
    "REFERENCE",
    "Backend",
    "BackendCall",
    "BackendInfo",
    "DirectionBackend",
    "DirectionMasks",
    "FusedBackend",
    "NativeBackend",
    "ReferenceBackend",
    "Verdict",
    "get_backend",
    "list_backends",
    "register_backend",
    "registered_backend",
    "select_backend",
    "unregister_backend",
]

# The built-in order of preference for backend="auto": torch's kernels where they
# compute the layer exactly, then lstmkit's fused LSTM, then the reference (runs all).
for _backend in (NativeBackend(), FusedBackend(), ReferenceBackend()):
    register_backend(_backend)
