"""How an app declares itself, and how it is found and run.

An app is three small things (``lstmkit/apps/radar.py`` is a whole one):

* an **options dataclass**, a subclass of :class:`AppOptions`: each field, declared with
  :func:`option`, is an option of ``lstmkit run APP`` (its type, default and help come from
  the field; ``quick`` and ``seed`` come with the base class);
* a **run function** ``run(folder: RunFolder, options) -> dict`` that writes the run folder
  and returns :meth:`RunFolder.write_metrics`'s result;
* an :class:`AppSpec` with the app's name and one-line description, registered with
  :func:`register_app`.

The built-in apps are registered by module (``lstmkit/apps/__init__.py``), which names
``Options`` and ``run`` in that module: the module is imported only when the app runs or
its options are asked for, so listing the apps loads neither the apps nor torch.

Example:
    >>> from dataclasses import dataclass
    >>> @dataclass(frozen=True)
    ... class Options(AppOptions):
    ...     window: int = option(24, "Steps per training window.")
    >>> [(o.flag, o.type.__name__, o.default) for o in app_options(Options)]
    [('--quick', 'bool', False), ('--seed', 'int', 0), ('--window', 'int', 24)]
"""

from __future__ import annotations

import dataclasses
import importlib
import re
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lstmkit.apps.run_folder import RunFolder
from lstmkit.apps.threads import limit_threads

__all__ = [
    "AppOption",
    "AppOptions",
    "AppSpec",
    "app_options",
    "get_app",
    "list_apps",
    "option",
    "register_app",
    "run_app",
    "unregister_app",
]

#: The value types an option may have (each may also default to None).
OPTION_TYPES = (bool, int, float, str, Path)

_NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")  # kebab-case: a command-line word
#: Names an app's options cannot take: ``--out`` is the run folder, which the command
#: line gives every app (and run_app takes as ``out_dir``).
RESERVED = ("out", "out_dir", "help", "num_threads")


def option(default: Any, help: str, *, existing_file: bool = False) -> Any:
    """Declare one field of an app's options dataclass: its default and its help line.

    Args:
        default: the value when the option is not given (``None`` for "not given").
        help: one line for ``lstmkit run APP --help``.
        existing_file: the value is a path that must name an existing file (checked by
            the command line before the app starts).

    Returns:
        A :func:`dataclasses.field` carrying the help in its metadata.

    Example:
        >>> from dataclasses import dataclass
        >>> @dataclass(frozen=True)
        ... class Options(AppOptions):
        ...     text: Path | None = option(None, "Learn this file.", existing_file=True)
        >>> Options(quick=True).text is None
        True
    """
    if not isinstance(help, str) or not help.strip():
        raise ValueError(f"help must be a non-empty str; received {help!r}")
    return field(default=default, metadata={"help": help, "existing_file": existing_file})


@dataclass(frozen=True)
class AppOptions:
    """The options every app takes; an app subclasses it to add its own.

    Args:
        quick: the app's small, fast configuration (tests and smoke runs).
        seed: seeds data splits, weights and shuffling; apps that train over several
            seeds start from it.

    Returns:
        An options object, passed to the app's run function.

    Example:
        >>> AppOptions(quick=True)
        AppOptions(quick=True, seed=0)
    """

    quick: bool = option(False, "Small, fast configuration (tests and smoke runs).")
    seed: int = option(0, "Seed of data splits, weights and shuffling (the first, over seeds).")


@dataclass(frozen=True)
class AppOption:
    """One option of an app, as the command line shows it (read from the options dataclass).

    Args:
        name: the field name, e.g. ``"text"``.
        type: one of :data:`OPTION_TYPES`.
        default: the default value (may be ``None``).
        help: the help line.
        existing_file: the value must name an existing file.

    Returns:
        A record; :attr:`flag` is its command-line spelling.

    Example:
        >>> AppOption("max_words", int, 100, "Tokens to write.").flag
        '--max-words'
    """

    name: str
    type: type
    default: Any
    help: str
    existing_file: bool = False

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")


def app_options(options_class: type[AppOptions]) -> list[AppOption]:
    """The options an options dataclass declares, in field order.

    Args:
        options_class: a dataclass subclass of :class:`AppOptions`.

    Returns:
        One :class:`AppOption` per field.

    Example:
        >>> [o.name for o in app_options(AppOptions)]
        ['quick', 'seed']
    """
    if not (isinstance(options_class, type) and issubclass(options_class, AppOptions)):
        raise TypeError(
            f"options must be a dataclass subclass of AppOptions; received {options_class!r}"
        )
    hints = typing.get_type_hints(options_class)
    result = []
    for item in dataclasses.fields(options_class):
        if item.name in RESERVED:
            raise ValueError(
                f"{options_class.__name__}.{item.name}: an option may not be called "
                f"{item.name!r} (reserved: {', '.join(RESERVED)})"
            )
        kind = _value_type(options_class.__name__, item.name, hints[item.name])
        help_text = item.metadata.get("help")
        if help_text is None:
            raise ValueError(
                f"{options_class.__name__}.{item.name} must be declared with option(default, "
                f"help) so that the command line can explain it; it has no help"
            )
        existing = item.metadata.get("existing_file", False)
        result.append(AppOption(item.name, kind, item.default, help_text, existing))
    return result


def _value_type(owner: str, name: str, hint: Any) -> type:
    """``int`` for ``int`` and ``int | None``; an error for anything a command line can't hold."""
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        kinds = [a for a in typing.get_args(hint) if a is not type(None)]
        hint = kinds[0] if len(kinds) == 1 else hint
    if hint not in OPTION_TYPES:
        allowed = ", ".join(t.__name__ for t in OPTION_TYPES)
        raise TypeError(f"{owner}.{name} must be one of {allowed} (or None); received {hint!r}")
    return hint


@dataclass(frozen=True)
class AppSpec:
    """An app's declaration: its name, description, options and run function.

    Args:
        name: the command-line name, kebab-case (``lstmkit run NAME``).
        description: one line for ``lstmkit run --help``.
        options: the options dataclass (a subclass of :class:`AppOptions`).
        run: ``run(folder, options) -> dict``: writes the run folder, returns the metrics.
        module: instead of ``options`` and ``run``: the module that defines ``Options``
            and ``run``, imported the first time they are needed.
        threads: the torch and BLAS threads the app runs with
            (:func:`~lstmkit.apps.threads.limit_threads`); ``None`` leaves them alone.

    Returns:
        A declaration; :func:`register_app` makes it runnable by name.

    Example:
        >>> spec = AppSpec("radar", "Cylinder or cone?", module="lstmkit.apps.radar")
        >>> spec.load().options.__name__
        'Options'
    """

    name: str
    description: str
    options: type[AppOptions] | None = None
    run: Callable[[RunFolder, Any], dict] | None = None
    module: str | None = None
    threads: int | None = 1

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not _NAME.match(self.name):
            raise ValueError(f"name must be kebab-case like 'my-app'; received {self.name!r}")
        if not isinstance(self.description, str) or not self.description.strip():
            raise ValueError(f"description must be a non-empty str; received {self.description!r}")
        if "\n" in self.description:
            raise ValueError(f"description must be one line; received {self.description!r}")
        given = [self.options is not None, self.run is not None]
        if (self.module is None and not all(given)) or (self.module is not None and any(given)):
            raise ValueError(
                f"app {self.name!r} needs either module=... or both options=... and run=...; "
                f"received module={self.module!r}, options={self.options!r}, run={self.run!r}"
            )
        if all(given):
            app_options(self.options)  # checks every field now, not at the first run
            if not callable(self.run):
                raise TypeError(f"run must be callable; received {self.run!r}")
        if self.threads is not None and (isinstance(self.threads, bool) or self.threads < 1):
            raise ValueError(f"threads must be an int >= 1 or None; received {self.threads!r}")

    def load(self) -> AppSpec:
        """This declaration with ``options`` and ``run`` filled in from ``module``.

        Returns:
            An :class:`AppSpec` whose ``options`` and ``run`` are set.
        """
        if self.module is None:
            return self
        module = importlib.import_module(self.module)
        missing = [name for name in ("Options", "run") if not hasattr(module, name)]
        if missing:
            raise AttributeError(
                f"app {self.name!r}: module {self.module} must define Options and run; "
                f"it lacks {', '.join(missing)}"
            )
        return dataclasses.replace(self, options=module.Options, run=module.run, module=None)

    def make_options(self, **values: Any) -> AppOptions:
        """The options object for ``values``; unknown names are refused by name.

        Returns:
            An instance of this app's options dataclass.
        """
        spec = self.load()
        known = [o.name for o in app_options(spec.options)]
        unknown = sorted(set(values) - set(known))
        if unknown:
            raise ValueError(
                f"app {self.name!r} has no option {', '.join(map(repr, unknown))}; "
                f"its options are {', '.join(known)}"
            )
        return spec.options(**values)


# The registry: name -> declaration. Built-in apps register from lstmkit/apps/__init__.py.
_APPS: dict[str, AppSpec] = {}
_LOADED: dict[str, AppSpec] = {}  # name -> the declaration with its module imported


def register_app(spec: AppSpec, *, replace: bool = False) -> AppSpec:
    """Make ``spec`` runnable by name (``lstmkit run NAME``, :func:`run_app`).

    Args:
        spec: the app's declaration.
        replace: allow replacing an app registered under the same name.

    Returns:
        ``spec``.

    Example:
        >>> def run(folder, options):
        ...     return folder.write_metrics({"answer": 42}, headline={"answer": 42})
        >>> spec = register_app(AppSpec("doc-toy", "A toy.", options=AppOptions, run=run))
        >>> "doc-toy" in [s.name for s in list_apps()]
        True
        >>> unregister_app("doc-toy")
    """
    if not isinstance(spec, AppSpec):
        raise TypeError(f"spec must be an AppSpec; received {spec!r}")
    if spec.name in _APPS and not replace:
        raise ValueError(f"an app named {spec.name!r} is registered already; pass replace=True")
    _APPS[spec.name] = spec
    _LOADED.pop(spec.name, None)
    return spec


def unregister_app(name: str) -> None:
    """Forget the app ``name`` (a no-op if it is not registered).

    Args:
        name: the app's name.

    Returns:
        None.

    Example:
        >>> unregister_app("no-such-app")
    """
    _APPS.pop(name, None)
    _LOADED.pop(name, None)


def list_apps() -> list[AppSpec]:
    """The registered apps in registration order, without importing any of them.

    Args:
        (none)

    Returns:
        Their declarations (built-in ones still by module).

    Example:
        >>> [spec.name for spec in list_apps()][:2]
        ['sequence-classification', 'forecasting']
    """
    return list(_APPS.values())


def get_app(name: str) -> AppSpec:
    """The declaration of app ``name``, its module imported (``options`` and ``run`` set).

    Args:
        name: a registered app's name.

    Returns:
        Its :class:`AppSpec`.

    Example:
        >>> get_app("text-generation").options.__name__
        'Options'
    """
    if name not in _APPS:
        raise ValueError(f"unknown app {name!r}; choose one of {', '.join(_APPS)}")
    if name not in _LOADED:
        _LOADED[name] = _APPS[name].load()
    return _LOADED[name]


def run_app(
    name: str, out_dir: str | Path, *, num_threads: int | None = None, **options: Any
) -> dict:
    """Run app ``name`` into the run folder ``out_dir`` and return its metrics.

    Args:
        name: a registered app (:func:`list_apps`).
        out_dir: the run folder (created).
        num_threads: torch and BLAS threads for the run instead of the app's declared
            ``threads`` (None: the app's).
        **options: the app's options by field name, e.g. ``quick=True, seed=0``;
            the others keep their defaults.

    Returns:
        The metrics the app wrote to ``out_dir/metrics.json``.

    Example:
        >>> run_app("radar", "runs/radar", quick=True)["test_accuracy"]  # doctest: +SKIP
        0.95
    """
    spec = get_app(name)
    values = spec.make_options(**options)
    folder = RunFolder(out_dir, app=name, options=values)
    with limit_threads(spec.threads if num_threads is None else num_threads):
        return spec.run(folder, values)
