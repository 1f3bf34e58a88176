"""Saving and loading models: a folder with ``model.safetensors`` and ``config.json``.

Never pickle: a pickled checkpoint runs arbitrary code when it is loaded. safetensors
holds only named arrays, and the JSON config only plain values, so loading a model
from an untrusted source cannot execute anything.

A save is atomic. Everything is written into a temporary sibling folder (same parent,
so the final rename never crosses a file system), flushed to disk, and only then
swapped in place of the previous model. A crash at any point leaves either the old
model or the new one, never a mixture, and never a half-written file under the final
name.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

# The module, not its functions, so that tests (and users) can patch
# ``safetensors.torch.save_file`` and this module sees the patch.
import safetensors.torch
import torch

from lstmkit._version import __version__
from lstmkit.io.jsonable import to_jsonable

Tensor = torch.Tensor

MODEL_FORMAT = "lstmkit-model"
#: The newest format version this lstmkit writes and reads.
FORMAT_VERSION = 1
CONFIG_FILE = "config.json"
WEIGHTS_FILE = "model.safetensors"
#: Keys that :func:`save_model` adds to ``config.json``; callers may not use them.
RESERVED_KEYS = ("format", "format_version", "lstmkit_version")
# safetensors stores tensors sorted by name; this metadata entry keeps the caller's
# order so a round trip gives back the same state dict, key order included.
_ORDER_KEY = "lstmkit_tensor_order"


class ModelFormatError(ValueError):
    """A model folder is missing, incomplete, foreign, corrupt or too new to read.

    Raised by :func:`load_model`; the message names the file and what is wrong with it.

    Args:
        message: what is wrong, and with which file.

    Returns:
        The exception (a ``ValueError``, so ``except ValueError`` also catches it).

    Example:
        >>> from lstmkit.io import ModelFormatError, load_model
        >>> try:
        ...     load_model("no/such/folder")
        ... except ModelFormatError as error:
        ...     print(error)
        cannot load a model from no/such/folder: the folder does not exist
    """


def save_model(
    directory: str | os.PathLike[str],
    state_dict: Mapping[str, Tensor],
    config: Mapping[str, Any],
) -> Path:
    """Write ``state_dict`` and ``config`` to a model folder, atomically.

    The folder holds ``model.safetensors`` (every tensor detached, copied to the CPU and
    made contiguous) and ``config.json`` (``config``, pretty-printed, plus ``"format":
    "lstmkit-model"``, ``"format_version": 1`` and ``"lstmkit_version"``). Parent folders
    are created. An existing model folder at ``directory`` is replaced as a whole (any
    other files in it go too); on any failure it stays exactly as it was and no
    temporary folder is left behind. A ``directory`` that exists but is neither empty
    nor an lstmkit model folder is refused rather than replaced.

    Args:
        directory: the model folder to write.
        state_dict: tensor name to tensor, e.g. ``module.state_dict()``. Tensors that
            share memory (tied weights, views) are stored as independent copies.
        config: what is needed to rebuild the model (constructor arguments, class
            names, label lists ...). Must be JSON-compatible after
            :func:`~lstmkit.io.to_jsonable` (NumPy values, tuples, paths and dataclasses
            are converted) and must not use the keys ``"format"``, ``"format_version"``
            or ``"lstmkit_version"``.

    Returns:
        The model folder as a ``Path``.

    Example:
        >>> import tempfile, torch
        >>> from lstmkit.io import load_model, save_model
        >>> from lstmkit.nn import LSTM
        >>> lstm = LSTM(input_size=3, hidden_size=8)
        >>> folder = save_model(tempfile.mkdtemp() + "/lstm", lstm.state_dict(),
        ...                     {"input_size": 3, "hidden_size": 8})
        >>> sorted(p.name for p in folder.iterdir())
        ['config.json', 'model.safetensors']
        >>> state, config = load_model(folder)
        >>> restored = LSTM(**config)
        >>> restored.load_state_dict(state)
        <All keys matched successfully>
    """
    if not isinstance(directory, str | os.PathLike):
        raise TypeError(f"directory must be a str or Path; received {type(directory).__name__}")
    target = Path(directory)
    if target.name in ("", ".", ".."):
        raise ValueError(
            f"directory must name the model folder itself, e.g. 'runs/model'; received "
            f"{str(directory)!r}"
        )
    tensors = _checked_tensors(state_dict)
    document = _checked_config(config)
    _check_replaceable(target)

    parent = target.parent
    parent.mkdir(parents=True, exist_ok=True)
    # A hidden sibling: same file system as the target, so the renames below are atomic.
    # Not tempfile.mkdtemp: its folders are private (0700), and the model folder should
    # get the usual permissions (0777 minus the umask).
    staging = parent / f".{target.name}.saving-{uuid.uuid4().hex[:8]}"
    staging.mkdir()
    try:
        weights = staging / WEIGHTS_FILE
        safetensors.torch.save_file(
            tensors,
            weights,
            metadata={
                "format": MODEL_FORMAT,
                "format_version": str(FORMAT_VERSION),
                _ORDER_KEY: json.dumps(list(tensors)),
            },
        )
        _fsync_file(weights)
        with open(staging / CONFIG_FILE, "w", encoding="utf-8") as handle:
            json.dump(document, handle, indent=2, ensure_ascii=False)
            handle.write("\n")
            handle.flush()
            os.fsync(handle.fileno())
        _fsync_dir(staging)
        _swap_into_place(staging, target)
    except BaseException:
        # BaseException too: a KeyboardInterrupt mid-save must not strand the staging folder.
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


def load_model(directory: str | os.PathLike[str]) -> tuple[dict[str, Tensor], dict[str, Any]]:
    """Read a model folder written by :func:`save_model`.

    Only JSON and safetensors are parsed: nothing is unpickled and no code from the
    folder runs. Tensors come back on the CPU with the dtypes and key order they were
    saved with.

    Args:
        directory: the model folder.

    Returns:
        ``(state_dict, config)``: the tensors by name, and the caller's config as it was
        given to :func:`save_model` (after JSON conversion: tuples come back as lists),
        without the ``"format"``, ``"format_version"`` and ``"lstmkit_version"`` entries.

    Raises:
        ModelFormatError: the folder or one of its two files is missing, ``config.json``
            is not valid JSON or not an lstmkit model config, ``model.safetensors`` is
            corrupt or truncated, or the model was saved in a newer format version.

    Example:
        >>> import tempfile, torch
        >>> from lstmkit.io import load_model, save_model
        >>> folder = save_model(tempfile.mkdtemp() + "/m", {"w": torch.ones(2, 3)},
        ...                     {"units": 3, "labels": ("a", "b")})
        >>> state, config = load_model(folder)
        >>> state["w"].shape, config
        (torch.Size([2, 3]), {'units': 3, 'labels': ['a', 'b']})
    """
    folder = Path(directory)
    where = f"cannot load a model from {folder}"
    if not folder.exists():
        raise ModelFormatError(f"{where}: the folder does not exist{_interrupted_hint(folder)}")
    if not folder.is_dir():
        raise ModelFormatError(
            f"{where}: it is a file; expected a folder holding {CONFIG_FILE} and {WEIGHTS_FILE}"
        )
    config_path, weights_path = folder / CONFIG_FILE, folder / WEIGHTS_FILE
    for path in (config_path, weights_path):
        if not path.is_file():
            present = sorted(p.name for p in folder.iterdir())
            raise ModelFormatError(
                f"{where}: {path.name} is missing (expected {CONFIG_FILE} and "
                f"{WEIGHTS_FILE}; the folder holds {present or 'nothing'})"
            )

    config = _read_config(config_path)
    try:
        with safetensors.safe_open(weights_path, framework="pt", device="cpu") as handle:
            metadata = handle.metadata() or {}
            tensors = {name: handle.get_tensor(name) for name in handle.keys()}
    except Exception as error:  # safetensors raises its own SafetensorError, among others
        raise ModelFormatError(
            f"{where}: {weights_path} is not a readable safetensors file (corrupt or "
            f"truncated?): {error}"
        ) from error
    return _in_saved_order(tensors, metadata), config


# ------------------------------------------------------------------------- saving
def _checked_tensors(state_dict: Any) -> dict[str, Tensor]:
    if not isinstance(state_dict, Mapping):
        raise TypeError(
            f"state_dict must be a mapping of str to torch.Tensor (e.g. "
            f"module.state_dict()); received {type(state_dict).__name__}"
        )
    tensors: dict[str, Tensor] = {}
    for name, tensor in state_dict.items():
        if not isinstance(name, str):
            raise TypeError(f"state_dict keys must be str; received key {name!r}")
        if not isinstance(tensor, torch.Tensor):
            raise TypeError(
                f"state_dict[{name!r}] must be a torch.Tensor; received {type(tensor).__name__}"
            )
        if tensor.layout != torch.strided:
            raise TypeError(
                f"state_dict[{name!r}] must be a dense tensor; received layout "
                f"{tensor.layout} (call .to_dense() first)"
            )
        if tensor.is_meta:
            raise ValueError(
                f"state_dict[{name!r}] must hold values; received a tensor on the meta "
                f"device, which has none"
            )
        # clone(): safetensors refuses tensors that share storage (tied weights, views
        # of one buffer), and a copy also detaches the file from later in-place changes.
        tensors[name] = tensor.detach().to("cpu").contiguous().clone()
    return tensors


def _checked_config(config: Any) -> dict[str, Any]:
    if not isinstance(config, Mapping):
        raise TypeError(
            f"config must be a dict of JSON-compatible values; received {type(config).__name__}"
        )
    clashes = [key for key in RESERVED_KEYS if key in config]
    if clashes:
        raise ValueError(
            f"config must not use the keys {list(RESERVED_KEYS)}, which save_model adds "
            f"itself; received a config with {clashes}"
        )
    document: dict[str, Any] = {
        "format": MODEL_FORMAT,
        "format_version": FORMAT_VERSION,
        "lstmkit_version": __version__,
    }
    document.update(to_jsonable(config, path="config"))  # type: ignore[arg-type]
    return document


def _check_replaceable(target: Path) -> None:
    """Refuse to replace anything but an empty folder or an lstmkit model folder.

    Replacing means deleting; ``save_model(".", ...)`` must not wipe a project.
    """
    if not target.exists():
        return
    if not target.is_dir():
        raise ValueError(
            f"directory must be a folder path for the model; received {target}, which is a file"
        )
    entries = {p.name for p in target.iterdir()}
    if entries <= {CONFIG_FILE, WEIGHTS_FILE}:
        return  # empty, or only our own two files (even if damaged)
    try:
        with open(target / CONFIG_FILE, encoding="utf-8") as handle:
            existing = json.load(handle)
        if isinstance(existing, dict) and existing.get("format") == MODEL_FORMAT:
            return
    except (OSError, ValueError):
        pass
    raise ValueError(
        f"directory {target} exists and is not an lstmkit model folder; save_model replaces "
        f"the whole folder, so it only overwrites an empty folder or a previously saved "
        f"model. Choose a new path, e.g. {target / 'model'}"
    )


def _swap_into_place(staging: Path, target: Path) -> None:
    """Rename ``staging`` to ``target``; an existing ``target`` survives any failure."""
    if not target.exists():
        os.rename(staging, target)
        _fsync_dir(target.parent)
        return
    # Directories cannot be atomically exchanged portably (rename onto a non-empty
    # folder fails), so: move the old one aside, move the new one in, drop the old one.
    aside = target.parent / f".{target.name}.old-{uuid.uuid4().hex[:8]}"
    os.rename(target, aside)
    try:
        os.rename(staging, target)
    except BaseException:
        os.rename(aside, target)
        raise
    _fsync_dir(target.parent)
    shutil.rmtree(aside, ignore_errors=True)


def _fsync_file(path: Path) -> None:
    with open(path, "rb+") as handle:
        os.fsync(handle.fileno())


def _fsync_dir(path: Path) -> None:
    # Makes the new directory entries durable; POSIX only (Windows cannot open folders).
    if os.name != "posix":
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# ------------------------------------------------------------------------ loading
def _read_config(path: Path) -> dict[str, Any]:
    where = f"cannot load a model from {path.parent}"
    try:
        with open(path, encoding="utf-8") as handle:
            document = json.load(handle)
    except UnicodeDecodeError as error:
        raise ModelFormatError(f"{where}: {path} is not UTF-8 text ({error})") from error
    except json.JSONDecodeError as error:
        raise ModelFormatError(
            f"{where}: {path} is not valid JSON (line {error.lineno}, column {error.colno}: "
            f"{error.msg})"
        ) from error
    if not isinstance(document, dict) or document.get("format") != MODEL_FORMAT:
        found = (
            f"a JSON {type(document).__name__}"
            if not isinstance(document, dict)
            else f"format = {document['format']!r}"
            if "format" in document
            else "no 'format' entry"
        )
        raise ModelFormatError(
            f"{where}: {path} is not an lstmkit model config; expected a JSON object with "
            f'"format": "{MODEL_FORMAT}", found {found}'
        )
    version = document.get("format_version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise ModelFormatError(
            f"{where}: {path} has an invalid format_version; expected an integer >= 1, "
            f"found {version!r}"
        )
    if version > FORMAT_VERSION:
        saved_by = document.get("lstmkit_version", "an unknown version")
        raise ModelFormatError(
            f"{where}: it was saved by lstmkit {saved_by} with format version {version}; "
            f"this lstmkit ({__version__}) reads up to version {FORMAT_VERSION} — "
            f"upgrade lstmkit"
        )
    return {key: value for key, value in document.items() if key not in RESERVED_KEYS}


def _in_saved_order(tensors: dict[str, Tensor], metadata: dict[str, str]) -> dict[str, Tensor]:
    try:
        order = json.loads(metadata.get(_ORDER_KEY, "null"))
    except ValueError:
        order = None
    if isinstance(order, list) and sorted(order) == sorted(tensors):
        return {name: tensors[name] for name in order}
    return tensors  # written by other tools: safetensors' own (sorted) order


def _interrupted_hint(folder: Path) -> str:
    """Point at the previous model if a save was killed between its two renames."""
    parent = folder.parent
    if not parent.is_dir():
        return ""
    leftovers = sorted(parent.glob(f".{folder.name}.old-*"))
    if not leftovers:
        return ""
    return (
        f" (a save to it seems to have been interrupted; the previous model is in "
        f"{leftovers[-1]} — rename it back to {folder.name})"
    )
