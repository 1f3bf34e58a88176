"""The recurrent layer kinds a :class:`~lstmkit.nn.SequenceNetwork` stacks, by name.

Each kind names a layer class and whether it runs in both directions: ``"lstm"``,
``"bilstm"``, ``"gru"``, ``"bigru"``, ``"rnn"``, ``"birnn"``, and whatever
:func:`register_layer_kind` adds. Torch-free on purpose: the command line lists the
kinds in its ``--help``, which must not wait for torch to load; a kind's class is
imported only when :meth:`LayerKind.load` is called.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from lstmkit._checks import check_bool, check_choice, describe


@dataclass(frozen=True)
class LayerKind:
    """A layer kind: its name, its layer class (or where to import it from), direction.

    ``layer`` is the class itself or its import path ``"package.module:Class"``.
    """

    name: str
    layer: str | type
    bidirectional: bool = False

    def load(self) -> type:
        """The layer class (imported on first use)."""
        if not isinstance(self.layer, str):
            return self.layer
        module, _, attribute = self.layer.partition(":")
        return getattr(importlib.import_module(module), attribute)


# insertion order is the order the kinds are listed in
_KINDS: dict[str, LayerKind] = {}


class _KindNames(Sequence):
    """The registered kinds' names, always current (a kind registered later shows up)."""

    def __getitem__(self, index: Any) -> Any:
        return tuple(_KINDS)[index]

    def __len__(self) -> int:
        return len(_KINDS)

    def __iter__(self) -> Iterator[str]:
        return iter(tuple(_KINDS))

    def __contains__(self, name: object) -> bool:
        return name in _KINDS

    def __eq__(self, other: object) -> bool:
        return tuple(self) == (tuple(other) if isinstance(other, Sequence) else other)

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return repr(tuple(self))


#: the names of the registered layer kinds, in order (a live view)
LAYER_KINDS: Sequence[str] = _KindNames()


def register_layer_kind(name: str, layer: str | type, *, bidirectional: bool = False) -> LayerKind:
    """Make ``name`` a value of ``SequenceNetwork(layer=...)`` and of the estimators'
    ``layer`` option.

    Args:
        name: the new kind's name, e.g. ``"slstm"``.
        layer: a :class:`~lstmkit.nn.RecurrentLayer` subclass taking ``(input_size,
            hidden_size, num_layers=..., dropout=..., bidirectional=..., output_mode=...,
            padding_side=..., **layer_options)``, or its import path
            ``"package.module:Class"`` (imported on first use).
        bidirectional: whether the kind runs the layer in both directions.

    Returns:
        The registered :class:`LayerKind`.

    Example:
        >>> from lstmkit.nn.layer_kinds import (
        ...     LAYER_KINDS, register_layer_kind, unregister_layer_kind)
        >>> kind = register_layer_kind("bilstm-wide", "lstmkit.nn.lstm:LSTM", bidirectional=True)
        >>> "bilstm-wide" in LAYER_KINDS, kind.load().__name__
        (True, 'LSTM')
        >>> _ = unregister_layer_kind("bilstm-wide")
    """
    if not isinstance(name, str) or not name:
        raise ValueError(f"name must be a non-empty string; received {describe(name)}")
    if name in _KINDS:
        raise ValueError(f"a layer kind named {name!r} is already registered")
    if isinstance(layer, str):
        if layer.count(":") != 1:
            raise ValueError(
                f"layer must be a class or an import path 'package.module:Class'; "
                f"received {layer!r}"
            )
    elif not isinstance(layer, type):
        raise TypeError(f"layer must be a class or an import path; received {describe(layer)}")
    check_bool("bidirectional", bidirectional)
    kind = LayerKind(name, layer, bidirectional)
    _KINDS[name] = kind
    return kind


def unregister_layer_kind(name: str) -> LayerKind:
    """Remove a registered layer kind; returns it."""
    kind = get_layer_kind(name)
    del _KINDS[name]
    return kind


def get_layer_kind(name: str) -> LayerKind:
    """The registered layer kind called ``name`` (a ``ValueError`` lists the others)."""
    check_choice("layer", name, LAYER_KINDS)
    return _KINDS[name]


for _name, _cls, _bidirectional in (
    ("lstm", "LSTM", False),
    ("bilstm", "LSTM", True),
    ("gru", "GRU", False),
    ("bigru", "GRU", True),
    # the simple (Elman, tanh) RNN: the baseline the long-time-lag experiments compare
    # the gated layers against
    ("rnn", "RNN", False),
    ("birnn", "RNN", True),
):
    register_layer_kind(_name, f"lstmkit.nn.{_cls.lower()}:{_cls}", bidirectional=_bidirectional)
