"""Turn configuration values into plain JSON types, loudly refusing anything else.

``json.dump`` fails late and vaguely on a NumPy scalar buried three levels deep, and
silently turns integer dictionary keys into strings (so a round trip changes the
config). :func:`to_jsonable` converts the few types that have one obvious JSON form and
names the exact key path of anything that does not.
"""

from __future__ import annotations

import dataclasses
import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path, PurePath
from typing import Any

import numpy as np

from lstmkit._checks import describe

JSONValue = None | bool | int | float | str | list["JSONValue"] | dict[str, "JSONValue"]


def to_jsonable(obj: Any, *, path: str = "obj") -> JSONValue:
    """Convert ``obj`` into ``dict``/``list``/``str``/``int``/``float``/``bool``/``None``.

    Converted: NumPy scalars (to ``bool``/``int``/``float``/``str``), NumPy arrays (to
    nested lists), tuples and lists (to lists), ``pathlib`` paths (to ``str``),
    dataclass instances (to a dict of their fields) and mappings with ``str`` keys
    (recursively). Non-finite floats stay floats; Python's ``json`` writes them as
    ``NaN``/``Infinity`` and reads them back.

    Anything else raises ``TypeError`` naming its key path, e.g.
    ``config['layers'][1]['device']``: sets (no order), complex numbers, torch tensors
    (weights belong in the state dict), non-``str`` mapping keys (JSON would turn
    ``{1: ...}`` into ``{"1": ...}`` and the round trip would change the config) and
    arbitrary objects.

    Args:
        obj: the value to convert.
        path: how to name ``obj`` itself in error messages.

    Returns:
        A new structure made only of plain JSON types; ``obj`` is not modified.

    Example:
        >>> import numpy as np
        >>> from pathlib import PurePosixPath
        >>> from lstmkit.io import to_jsonable
        >>> to_jsonable({"sizes": (np.int64(3), 4), "lr": np.float32(0.5),
        ...              "mean": np.array([1.0, 2.0]), "dir": PurePosixPath("runs/a")})
        {'sizes': [3, 4], 'lr': 0.5, 'mean': [1.0, 2.0], 'dir': 'runs/a'}
        >>> to_jsonable({"layers": [{"units": {8}}]}, path="config")
        Traceback (most recent call last):
        ...
        TypeError: config['layers'][0]['units'] must be a JSON-compatible value ...
    """
    # bool before int (bool is an int subclass, and must stay a bool).
    if obj is None or isinstance(obj, bool):
        return obj
    if isinstance(obj, str):
        return str.__str__(obj)  # plain str, also for subclasses such as np.str_
    if isinstance(obj, int | float) and not isinstance(obj, np.generic):
        # int/float subclasses (IntEnum, np.float64) become the plain type.
        return float(obj) if isinstance(obj, float) else int(obj)
    if isinstance(obj, np.generic):
        return _numpy_scalar(obj, path)
    if isinstance(obj, np.ndarray):
        if obj.dtype.kind not in "biufUO":
            raise TypeError(
                f"{path} must be a JSON-compatible value; received a NumPy array of dtype "
                f"{obj.dtype}, which has no JSON form"
            )
        # tolist() yields Python scalars (or the objects of an object array), which
        # then go through the same checks as everything else.
        return to_jsonable(obj.tolist(), path=path)
    if isinstance(obj, PurePath):
        return str(obj)
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {
            f.name: to_jsonable(getattr(obj, f.name), path=f"{path}.{f.name}")
            for f in dataclasses.fields(obj)
        }
    if isinstance(obj, Mapping):
        result: dict[str, JSONValue] = {}
        for key, value in obj.items():
            if not isinstance(key, str):
                raise TypeError(
                    f"{path} must have str keys (JSON would turn {key!r} into "
                    f"{str(key)!r} and the round trip would change it); received key "
                    f"{describe(key)}"
                )
            key = str.__str__(key)  # plain str, also for np.str_ keys
            result[key] = to_jsonable(value, path=f"{path}[{key!r}]")
        return result
    if isinstance(obj, list | tuple):
        return [to_jsonable(value, path=f"{path}[{i}]") for i, value in enumerate(obj)]
    hint = ""
    if type(obj).__module__.startswith("torch"):
        hint = " (tensors belong in the state dict, not the config)"
    raise TypeError(
        f"{path} must be a JSON-compatible value (None, bool, int, float, str, list, "
        f"tuple, dict with str keys, NumPy scalar or array, Path or dataclass); "
        f"received {describe(obj)}{hint}"
    )


def _numpy_scalar(value: np.generic, path: str) -> JSONValue:
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    raise TypeError(
        f"{path} must be a JSON-compatible value; received the NumPy scalar "
        f"{describe(value)}, which has no JSON form"
    )


def save_json(path: str | os.PathLike[str], obj: Any) -> Path:
    """Write ``obj`` as pretty JSON, atomically (temp file in the same folder, then
    ``os.replace``), converting numpy values with :func:`to_jsonable`.

    Args:
        path: the ``.json`` file to write; parent folders are created.
        obj: anything :func:`to_jsonable` accepts.

    Returns:
        The written path.

    Example:
        >>> import pathlib, tempfile
        >>> from lstmkit.io import save_json
        >>> p = save_json(pathlib.Path(tempfile.mkdtemp()) / "m.json", {"rmse": 0.5})
        >>> p.read_text().strip().splitlines()[1]
        '  "rmse": 0.5'
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(to_jsonable(obj), indent=2) + "\n"
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w") as stream:
            stream.write(text)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return path
