"""Model persistence: a folder with ``model.safetensors`` and ``config.json``, never pickle.

:func:`save_model` writes the folder atomically (loadable at every instant, checksummed),
:func:`load_model` reads it back and raises :class:`ModelFormatError` for anything
missing, foreign, corrupt or too new, and :func:`to_jsonable` turns configuration
values into plain JSON types.

The names load on first use (PEP 562): ``from lstmkit.io import to_jsonable`` does not
import torch; the model functions do.
"""

from __future__ import annotations

import importlib
from typing import Any

# public name -> the module that defines it
_EXPORTS = {
    "FORMAT_VERSION": "lstmkit.io.model",
    "ModelFormatError": "lstmkit.io.model",
    "load_model": "lstmkit.io.model",
    "save_model": "lstmkit.io.model",
    "save_json": "lstmkit.io.jsonable",
    "to_jsonable": "lstmkit.io.jsonable",
}

__all__ = list(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'lstmkit.io' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
