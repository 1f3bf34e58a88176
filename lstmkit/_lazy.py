"""Lazy package attributes (PEP 562), so importing a package loads only what is used.

``lstmkit.nn``, ``lstmkit.training`` and ``lstmkit.io`` list their public names and the
module defining each; the module is imported on first access. That keeps, for example,
``import lstmkit.nn.layer_kinds`` (the CLI's layer choices) free of torch, and
``import lstmkit.tasks`` free of Lightning.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_exports(
    package: str, exports: Mapping[str, str], namespace: dict[str, Any]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """A package's ``__getattr__`` and ``__dir__`` that import each name on first use.

    Args:
        package: the package's name, for the error message.
        exports: public name -> the module that defines it.
        namespace: the package's ``globals()``; a loaded name is stored there, so later
            lookups do not come back here.

    Returns:
        ``(__getattr__, __dir__)`` to assign at the package's top level.

    Example:
        >>> namespace = {}
        >>> getattr_, dir_ = lazy_exports("demo", {"sqrt": "math"}, namespace)
        >>> getattr_("sqrt")(9.0), "sqrt" in namespace, dir_()
        (3.0, True, ['sqrt'])
    """

    def __getattr__(name: str) -> Any:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted(set(namespace) | set(exports))

    return __getattr__, __dir__
