"""Model persistence: a folder with ``model.safetensors`` and ``config.json``, never pickle.

:func:`save_model` writes the folder atomically (loadable at every instant, checksummed),
:func:`load_model` reads it back and raises :class:`ModelFormatError` for anything
missing, foreign, corrupt or too new, and :func:`to_jsonable` turns configuration
values into plain JSON types.

The names load on first use (PEP 562): ``from lstmkit.io import to_jsonable`` does not
import torch; the model functions do.
"""

from __future__ import annotations

from lstmkit._lazy import lazy_exports

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


__getattr__, __dir__ = lazy_exports("lstmkit.io", _EXPORTS, globals())
