"""Model persistence: a folder with ``model.safetensors`` and ``config.json``, never pickle.

:func:`save_model` writes the folder atomically, :func:`load_model` reads it back and
raises :class:`ModelFormatError` for anything missing, foreign, corrupt or too new, and
:func:`to_jsonable` turns configuration values into plain JSON types.
"""

from lstmkit.io.jsonable import save_json, to_jsonable
from lstmkit.io.model import FORMAT_VERSION, ModelFormatError, load_model, save_model

__all__ = [
    "FORMAT_VERSION",
    "ModelFormatError",
    "load_model",
    "save_json",
    "save_model",
    "to_jsonable",
]
