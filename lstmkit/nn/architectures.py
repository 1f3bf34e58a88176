"""The networks an estimator can build, by name: ``architecture="recurrent"`` or ``"lstm-fcn"``.

Torch-free on purpose, like :mod:`lstmkit.nn.layer_kinds`: the command line lists the
names in its ``--help``; a network class is imported only when one is built.

* ``"recurrent"``: :class:`~lstmkit.nn.network.SequenceNetwork`, recurrent layers and a
  linear head (streams one step at a time).
* ``"lstm-fcn"``: :class:`~lstmkit.nn.lstm_fcn.LSTMFCNNetwork`, the recurrent layers
  beside a fully convolutional branch with squeeze-and-excitation (Karim et al.).
"""

from __future__ import annotations

import importlib
from typing import Any

from lstmkit._checks import check_choice, describe

__all__ = ["ARCHITECTURES", "build_network", "check_architecture"]

# name -> "module:Class"
_NETWORKS = {
    "recurrent": "lstmkit.nn.network:SequenceNetwork",
    "lstm-fcn": "lstmkit.nn.lstm_fcn:LSTMFCNNetwork",
}

#: the names ``architecture`` takes
ARCHITECTURES: tuple[str, ...] = tuple(_NETWORKS)


def build_network(
    architecture: str,
    input_size: int,
    output_size: int,
    *,
    fcn_options: dict[str, Any] | None = None,
    **options: Any,
) -> Any:
    """Build the network called ``architecture``.

    Args:
        architecture: one of :data:`ARCHITECTURES`.
        input_size, output_size: features per step, outputs per sequence or step.
        fcn_options: the convolutional branch of ``"lstm-fcn"`` (see
            :class:`~lstmkit.nn.lstm_fcn.LSTMFCNNetwork`); must be None for
            ``"recurrent"``.
        **options: the recurrent part's options (``layer``, ``hidden_size``,
            ``num_layers``, ``dropout``, ``output_mode``, ``padding_side``,
            ``layer_options``).

    Returns:
        The network (a ``torch.nn.Module`` with ``forward(x, lengths)``).

    Example:
        >>> from lstmkit.nn.architectures import build_network
        >>> build_network("lstm-fcn", 3, 2, hidden_size=8).streamable
        False
    """
    check_architecture(architecture, fcn_options)
    module, _, name = _NETWORKS[architecture].partition(":")
    network_class = getattr(importlib.import_module(module), name)
    if architecture == "lstm-fcn":
        return network_class(input_size, output_size, fcn_options=fcn_options, **options)
    return network_class(input_size, output_size, **options)


def check_architecture(architecture: str, fcn_options: dict[str, Any] | None) -> None:
    """Refuse an unknown ``architecture``, or ``fcn_options`` given to a network without
    a convolutional branch (the estimators check this before any training).

    Args:
        architecture: the name to check.
        fcn_options: the convolutional branch's options, or None.

    Returns:
        None; a ValueError names the argument and what was received.

    Example:
        >>> from lstmkit.nn.architectures import check_architecture
        >>> check_architecture("lstm-fcn", {"filters": (8, 16, 8)})
    """
    check_choice("architecture", architecture, ARCHITECTURES)
    if fcn_options is not None and architecture != "lstm-fcn":
        raise ValueError(
            f"fcn_options configures the convolutional branch of architecture='lstm-fcn'; "
            f"with architecture={architecture!r} it must be None; received "
            f"{describe(fcn_options)}"
        )
