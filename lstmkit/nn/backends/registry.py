"""The backends, in one list ordered by preference: register, look up, list, choose.

``backend="auto"`` runs a call on the first backend in this order that is available and
supports the call -- unless a backend *claims* the call (a case it is known to be the
fastest at, such as the reference for a single step). An explicit ``backend="name"``
runs on that backend or raises a ``ValueError`` that says why it cannot.

The built-in order is ``native`` (torch's kernels), ``fused`` (lstmkit's LSTM kernel),
``reference`` (the step equations under autograd, which runs everything). A new backend
goes where ``before=`` puts it; by default last, where ``auto`` never reaches it (the
reference runs everything) and only an explicit choice selects it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import NamedTuple

from lstmkit._checks import check_choice, describe
from lstmkit.nn.backends.base import Backend, BackendCall, Verdict

#: the ``backend=`` value that lets the registry choose
AUTO = "auto"
#: the ground truth every other backend is tested against; listed first among choices
REFERENCE = "reference"

# insertion order is the order of preference
_BACKENDS: dict[str, Backend] = {}


class BackendInfo(NamedTuple):
    """One registered backend: its name, whether it can run here, and why not."""

    name: str
    available: bool
    reason: str = ""


def register_backend(backend: Backend, *, before: str | None = None) -> Backend:
    """Add a backend to the registry; every layer then accepts ``backend=backend.name``.

    Args:
        backend: an instance of a :class:`~lstmkit.nn.Backend` subclass with a new
            ``name`` (not ``"auto"``).
        before: the name of a registered backend to put it ahead of in the order of
            preference that ``backend="auto"`` follows; None (default) puts it last,
            behind the reference, so that only an explicit choice selects it.

    Returns:
        The backend, registered.

    Example:
        >>> from lstmkit.nn import LSTM, get_backend, register_backend, unregister_backend
        >>> from lstmkit.nn.backends.reference import ReferenceBackend
        >>> class Mine(ReferenceBackend):
        ...     name = "mine"
        >>> _ = register_backend(Mine(), before="native")
        >>> LSTM(3, 8).active_backend
        'mine'
        >>> _ = unregister_backend("mine")
        >>> LSTM(3, 8).active_backend
        'native'
    """
    if not isinstance(backend, Backend):
        raise TypeError(
            f"backend must be an instance of lstmkit.nn.Backend; received {describe(backend)}"
        )
    name = getattr(backend, "name", None)
    if not isinstance(name, str) or not name or name == AUTO:
        raise ValueError(
            f"backend.name must be a non-empty string other than {AUTO!r}; received {name!r}"
        )
    if name in _BACKENDS:
        raise ValueError(
            f"a backend named {name!r} is already registered; unregister_backend({name!r}) "
            "first to replace it"
        )
    if before is not None:
        check_choice("before", before, _BACKENDS)
    entries = list(_BACKENDS.items())
    position = len(entries) if before is None else list(_BACKENDS).index(before)
    entries.insert(position, (name, backend))
    _BACKENDS.clear()
    _BACKENDS.update(entries)
    return backend


def unregister_backend(name: str) -> Backend:
    """Remove a backend from the registry.

    Layers that chose it explicitly fail at their next call; ``"auto"`` stops
    considering it.

    Args:
        name: a registered backend's name.

    Returns:
        The backend removed.

    Example:
        >>> from lstmkit.nn import list_backends, register_backend, unregister_backend
        >>> from lstmkit.nn.backends.reference import ReferenceBackend
        >>> class Mine(ReferenceBackend):
        ...     name = "mine"
        >>> _ = register_backend(Mine())
        >>> unregister_backend("mine").name, "mine" in [b.name for b in list_backends()]
        ('mine', False)
    """
    backend = get_backend(name)
    del _BACKENDS[name]
    return backend


@contextmanager
def registered_backend(backend: Backend, *, before: str | None = None) -> Iterator[Backend]:
    """Register a backend for the duration of a ``with`` block (tests, experiments).

    Args:
        backend: as for :func:`register_backend`.
        before: as for :func:`register_backend`.

    Returns:
        A context manager that yields the backend and unregisters it on exit.

    Example:
        >>> from lstmkit.nn import LSTM
        >>> from lstmkit.nn.backends.reference import ReferenceBackend
        >>> from lstmkit.nn.backends.registry import registered_backend
        >>> class Mine(ReferenceBackend):
        ...     name = "mine"
        >>> with registered_backend(Mine(), before="native"):
        ...     print(LSTM(3, 8).active_backend)
        mine
    """
    register_backend(backend, before=before)
    try:
        yield backend
    finally:
        if _BACKENDS.get(backend.name) is backend:
            del _BACKENDS[backend.name]


def get_backend(name: str) -> Backend:
    """The registered backend called ``name``.

    Args:
        name: ``"native"``, ``"fused"``, ``"reference"`` or a registered name.

    Returns:
        The backend instance.

    Example:
        >>> from lstmkit.nn import get_backend
        >>> get_backend("reference")
        ReferenceBackend(name='reference')
    """
    check_choice("backend", name, _BACKENDS)
    return _BACKENDS[name]


def list_backends() -> list[BackendInfo]:
    """Every registered backend in the order ``backend="auto"`` prefers them, with
    whether it can run on this machine and, if not, why.

    Args:
        (none)

    Returns:
        A list of ``BackendInfo(name, available, reason)``.

    Example:
        >>> from lstmkit.nn import list_backends
        >>> [(b.name, b.available) for b in list_backends()]
        [('native', True), ('fused', True), ('reference', True)]
    """
    infos = []
    for name, backend in _BACKENDS.items():
        verdict = backend.available()
        infos.append(BackendInfo(name, verdict.ok, verdict.reason))
    return infos


def backend_choices() -> tuple[str, ...]:
    """The valid ``backend=`` values: ``"auto"``, the reference, then the others."""
    rest = [name for name in _BACKENDS if name != REFERENCE]
    return (AUTO, *([REFERENCE] if REFERENCE in _BACKENDS else []), *rest)


def _one_of(names: list[str]) -> str:
    quoted = [repr(n) for n in names]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]


def check_backend(name: str, call: BackendCall) -> Verdict:
    """Whether the backend ``name`` can run ``call``, with the reason when it cannot."""
    backend = _BACKENDS.get(name) or get_backend(name)
    availability = backend.available()
    if not availability:
        return Verdict.no(f"backend={name!r} is not available here: {availability.reason}")
    if not backend.runs_cell(call.cell):
        others = [
            other
            for other, b in _BACKENDS.items()
            if other != name and b.available() and b.runs_cell(call.cell)
        ]
        return Verdict.no(
            f"backend={name!r} is not available for {call.cell.name}; "
            f"use {_one_of([AUTO, *others])}"
        )
    return backend.supports(call)


def usable_backends(call: BackendCall) -> list[str]:
    """The names of the registered backends that can run ``call``, in preference order."""
    return [name for name in _BACKENDS if check_backend(name, call)]


def select_backend(choice: str, call: BackendCall) -> Backend:
    """The backend that runs ``call`` for a layer's ``backend=choice``.

    ``"auto"``: the first backend (in preference order) that claims the call and can
    run it, else the first that can run it. An explicit name: that backend, or a
    ``ValueError`` with the reason it cannot run the call.
    """
    if choice != AUTO:
        verdict = check_backend(choice, call)
        if not verdict:
            raise ValueError(verdict.reason)
        return _BACKENDS[choice]
    for name, backend in _BACKENDS.items():
        if backend.claims(call) and check_backend(name, call):
            return backend
    for name, backend in _BACKENDS.items():
        if check_backend(name, call):
            return backend
    raise ValueError(
        f"no registered backend can run this {call.cell.name} layer "
        f"({call.options}); registered: {_one_of(list(_BACKENDS))}"
    )
