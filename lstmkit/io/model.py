"""Saving and loading models: a folder with ``model.safetensors`` and ``config.json``.

Never pickle: a pickled checkpoint runs arbitrary code when it is loaded. safetensors
holds only named arrays, and the JSON config only plain values, so loading a model
from an untrusted source cannot execute anything.

A save is atomic, and the model folder is loadable at every instant. Everything is
written into a temporary sibling folder (same parent, so no rename crosses a file
system) and flushed to disk; then the two folders are exchanged in one step (Linux's
``renameat2(RENAME_EXCHANGE)``), so a reader, or a kill -9 at any point, sees either the
old model or the new one, complete, never a mixture and never no folder. Where the
exchange is not available (other systems, some file systems), the previous model is
moved aside and the new one moved in; :func:`load_model` then reads the model that was
moved aside if a save died between those two renames. Temporaries left by a killed save
are removed by the next save to the same folder. ``config.json`` holds the SHA-256 of
``model.safetensors``, so flipped or missing bytes are detected when loading.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import hashlib
import json
import os
import shutil
import sys
import uuid
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

# The module, not its functions, so that tests (and users) can patch
# ``safetensors.torch.save_file`` and this module sees the patch.
import safetensors.torch
import torch

from lstmkit._files import fsync_dir, fsync_file
from lstmkit._version import __version__
from lstmkit.io.jsonable import to_jsonable

Tensor = torch.Tensor

MODEL_FORMAT = "lstmkit-model"
#: The newest format version this lstmkit writes and reads. Version 2 adds
#: ``weights_sha256`` (the checksum of ``model.safetensors``) to ``config.json``;
#: version 1 folders (no checksum) are still read.
FORMAT_VERSION = 2
CONFIG_FILE = "config.json"
WEIGHTS_FILE = "model.safetensors"
CHECKSUM_KEY = "weights_sha256"
#: Keys that :func:`save_model` adds to ``config.json``; callers may not use them.
RESERVED_KEYS = ("format", "format_version", "lstmkit_version", CHECKSUM_KEY)
# Temporaries of a save to ``<parent>/<name>``: ``.<name>.saving-*`` (being written, or
# the previous model after the exchange) and ``.<name>.old-*`` (the previous model,
# moved aside where no exchange is available).
_SAVING, _ASIDE = "saving", "old"
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
    "lstmkit-model"``, ``"format_version"``, ``"lstmkit_version"`` and
    ``"weights_sha256"``, the checksum of ``model.safetensors``). Parent folders are
    created. An existing model folder at ``directory`` is replaced as a whole (any other
    files in it go too), in one atomic step: at every instant the folder holds either
    the previous model or the new one (see the module's notes). On any failure it stays
    exactly as it was and no temporary folder is left behind; temporaries that a killed
    save left are removed. A ``directory`` that exists but is neither empty nor an
    lstmkit model folder (its ``config.json`` must say ``"format": "lstmkit-model"``) is
    refused rather than replaced, and so is a state dict with NaN or infinite values (a
    diverged training run: such a model would only predict NaN).

    Args:
        directory: the model folder to write.
        state_dict: tensor name to tensor, e.g. ``module.state_dict()``. Tensors that
            share memory (tied weights, views) are stored as independent copies.
            Floating-point tensors must hold finite values only.
        config: what is needed to rebuild the model (constructor arguments, class
            names, label lists ...). Must be JSON-compatible after
            :func:`~lstmkit.io.to_jsonable` (NumPy values, tuples, paths and dataclasses
            are converted) and must not use the keys ``"format"``, ``"format_version"``,
            ``"lstmkit_version"`` or ``"weights_sha256"``.

    Returns:
        The model folder as a ``Path``.

    Raises:
        ValueError: non-finite weights, a foreign or file ``directory``, reserved keys.
        TypeError: a state dict or config of the wrong kind.

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
    if target.exists() and not target.is_dir():
        raise ValueError(
            f"directory must be a folder path for the model; received {target}, which is a file"
        )

    parent = target.parent
    parent.mkdir(parents=True, exist_ok=True)
    with _saves_locked(parent):
        _clean_temporaries(target)
        _check_replaceable(target)
        # A hidden sibling: same file system as the target, so the exchange is atomic.
        # Not tempfile.mkdtemp: its folders are private (0700), and the model folder
        # should get the usual permissions (0777 minus the umask).
        staging = _temporary(target, _SAVING)
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
            fsync_file(weights)
            document[CHECKSUM_KEY] = _sha256(weights)
            with open(staging / CONFIG_FILE, "w", encoding="utf-8") as handle:
                json.dump(document, handle, indent=2, ensure_ascii=False)
                handle.write("\n")
                handle.flush()
                os.fsync(handle.fileno())
            fsync_dir(staging)
            _swap_into_place(staging, target)
        finally:
            # Also on a KeyboardInterrupt: no staging folder (new model, or after the
            # exchange the old one) is left behind.
            shutil.rmtree(staging, ignore_errors=True)
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
        without the ``"format"``, ``"format_version"``, ``"lstmkit_version"`` and
        ``"weights_sha256"`` entries.

    Raises:
        ModelFormatError: the folder or one of its two files is missing, ``config.json``
            is not valid JSON or not an lstmkit model config, ``model.safetensors`` is
            corrupt or truncated or does not match the checksum in ``config.json``, or
            the model was saved in a newer format version.

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
        # Where no atomic exchange exists, a save that died between its two renames
        # left the previous model moved aside: it is the model (the next save puts it back).
        aside = _moved_aside(folder)
        if aside is not None:
            folder = aside
        elif not folder.exists():  # (checked again: a save may just have renamed it in)
            raise ModelFormatError(f"{where}: the folder does not exist")
    if not folder.is_dir():
        raise ModelFormatError(
            f"{where}: it is a file; expected a folder holding {CONFIG_FILE} and {WEIGHTS_FILE}"
        )
    raw_config, raw_weights = _read_model_files(folder, where)
    config_path, weights_path = folder / CONFIG_FILE, folder / WEIGHTS_FILE
    document = _parse_config(raw_config, config_path, where)
    try:
        tensors = safetensors.torch.load(raw_weights)
        metadata = _safetensors_metadata(raw_weights)
    except Exception as error:  # safetensors raises its own SafetensorError, among others
        raise ModelFormatError(
            f"{where}: {weights_path} is not a readable safetensors file (corrupt or "
            f"truncated?): {error}"
        ) from error
    expected = document.get(CHECKSUM_KEY)
    if expected is None and document["format_version"] >= 2:
        raise ModelFormatError(
            f"{where}: {config_path} has no {CHECKSUM_KEY!r} entry, which every model folder "
            f"of format version {document['format_version']} holds; the folder was edited "
            f"by hand or by another tool"
        )
    if expected is not None:
        actual = hashlib.sha256(raw_weights).hexdigest()
        if actual != expected:
            raise ModelFormatError(
                f"{where}: {weights_path} does not match the checksum in {CONFIG_FILE} "
                f"(sha256 {actual[:16]}..., expected {str(expected)[:16]}...): its bytes were "
                f"changed (disk or copy error, or edited) after the model was saved"
            )
    config = {key: value for key, value in document.items() if key not in RESERVED_KEYS}
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
        _check_finite(name, tensors[name])
    return tensors


def _check_finite(name: str, tensor: Tensor) -> None:
    """Refuse NaN/inf weights: such a model predicts NaN (a diverged training run)."""
    if not (tensor.is_floating_point() or tensor.is_complex()) or tensor.numel() == 0:
        return
    finite = torch.isfinite(tensor)
    if bool(finite.all()):
        return
    bad = int((~finite).sum())
    nan = int(torch.isnan(tensor).sum())
    raise ValueError(
        f"state_dict[{name!r}] must hold finite values; received {bad} non-finite of "
        f"{tensor.numel()} ({nan} NaN, {bad - nan} infinite). A model with such weights "
        f"predicts only NaN, so it is not saved: its training diverged (retrain with a "
        f"lower learning_rate, gradient clipping via gradient_threshold, or normalised "
        f"inputs and targets)"
    )


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

    Replacing means deleting; ``save_model(".", ...)`` must not wipe a project, nor a
    folder of another tool's files that happen to be called ``config.json`` and
    ``model.safetensors``. A folder counts as an lstmkit model folder only if its
    ``config.json`` says ``"format": "lstmkit-model"``.
    """
    if not target.exists() or not any(target.iterdir()):
        return
    reason = f"it has no {CONFIG_FILE}"
    if (target / CONFIG_FILE).is_file():
        try:
            with open(target / CONFIG_FILE, encoding="utf-8") as handle:
                existing = json.load(handle)
        except (OSError, ValueError):
            reason = f"its {CONFIG_FILE} is not readable JSON"
        else:
            if isinstance(existing, dict) and existing.get("format") == MODEL_FORMAT:
                return
            reason = f'its {CONFIG_FILE} does not say "format": "{MODEL_FORMAT}"'
    raise ValueError(
        f"directory {target} exists and is not an lstmkit model folder ({reason}); "
        f"save_model replaces the whole folder, so it only overwrites an empty folder or a "
        f"model that lstmkit saved. Choose a new path, e.g. {target / 'model'}, or delete "
        f"the folder first"
    )


def _temporary(target: Path, kind: str) -> Path:
    return target.parent / f".{target.name}.{kind}-{uuid.uuid4().hex[:8]}"


def _temporaries(target: Path, kind: str) -> list[Path]:
    if not target.parent.is_dir():
        return []
    return sorted(target.parent.glob(f".{target.name}.{kind}-*"))


def _is_model_folder(folder: Path) -> bool:
    return (folder / CONFIG_FILE).is_file() and (folder / WEIGHTS_FILE).is_file()


def _moved_aside(target: Path) -> Path | None:
    """The previous model that a save killed between its two renames left aside."""
    asides = [p for p in _temporaries(target, _ASIDE) if _is_model_folder(p)]
    return max(asides, key=lambda p: p.stat().st_mtime) if asides else None


def _clean_temporaries(target: Path) -> None:
    """Remove what killed saves to ``target`` left; put a model moved aside back first.

    Called with the parent's save lock held, so no other save is using them.
    """
    if not target.exists():
        aside = _moved_aside(target)
        if aside is not None:
            os.rename(aside, target)
            fsync_dir(target.parent)
    for leftover in _temporaries(target, _SAVING) + _temporaries(target, _ASIDE):
        shutil.rmtree(leftover, ignore_errors=True)


@contextlib.contextmanager
def _saves_locked(parent: Path) -> Iterator[None]:
    """Serialise lstmkit saves into ``parent`` (an advisory lock on the folder itself).

    The lock goes with the process, also on kill -9, so a dead save never blocks the
    next one; while it is held, every temporary of a save into ``parent`` is stale.
    """
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock
        yield
        return
    fd = os.open(parent, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(first: Path, second: Path) -> bool:
    """Swap two existing paths in one atomic step (Linux ``renameat2``).

    Returns:
        True when swapped; False where the system or file system cannot (the caller
        then falls back to two renames).
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):  # glibc < 2.28, musl without it
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                          ctypes.c_uint]  # fmt: skip
    renameat2.restype = ctypes.c_int
    if renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second),
                 _RENAME_EXCHANGE) == 0:  # fmt: skip
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EPERM):
        return False
    raise OSError(code, os.strerror(code), str(first), None, str(second))


def _swap_into_place(staging: Path, target: Path) -> None:
    """Put ``staging`` at ``target``; an existing ``target`` survives any failure.

    With an atomic exchange ``staging`` then holds the previous model (the caller
    removes it); otherwise the previous model is moved aside, the new one moved in and
    the old one removed -- a kill between those two renames leaves the previous model
    aside, where :func:`load_model` and the next save find it.
    """
    if not target.exists():
        os.rename(staging, target)
        fsync_dir(target.parent)
        return
    if _exchange(staging, target):
        fsync_dir(target.parent)
        return
    aside = _temporary(target, _ASIDE)
    os.rename(target, aside)
    try:
        os.rename(staging, target)
    except BaseException:
        os.rename(aside, target)
        raise
    fsync_dir(target.parent)
    shutil.rmtree(aside, ignore_errors=True)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# ------------------------------------------------------------------------ loading
def _read_model_files(folder: Path, where: str) -> tuple[bytes, bytes]:
    """``config.json`` and ``model.safetensors`` as bytes, both from the same folder.

    On POSIX both are opened through one handle on the folder, so a save that swaps
    the folder meanwhile cannot pair one model's config with another's weights.
    """
    names = (CONFIG_FILE, WEIGHTS_FILE)
    folder_fd = None
    if os.name == "posix":
        with contextlib.suppress(OSError):
            folder_fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        contents = []
        for name in names:
            try:
                if folder_fd is None:
                    contents.append((folder / name).read_bytes())
                    continue
                fd = os.open(name, os.O_RDONLY, dir_fd=folder_fd)
                with os.fdopen(fd, "rb") as handle:
                    contents.append(handle.read())
            except (FileNotFoundError, IsADirectoryError):
                present = sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []
                raise ModelFormatError(
                    f"{where}: {name} is missing (expected {CONFIG_FILE} and "
                    f"{WEIGHTS_FILE}; the folder holds {present or 'nothing'})"
                ) from None
        return contents[0], contents[1]
    finally:
        if folder_fd is not None:
            os.close(folder_fd)


def _parse_config(raw: bytes, path: Path, where: str) -> dict[str, Any]:
    """The whole ``config.json`` document, checked (reserved keys included)."""
    try:
        document = json.loads(raw.decode("utf-8"))
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
    return document


def _safetensors_metadata(raw: bytes) -> dict[str, str]:
    """The ``__metadata__`` of a safetensors file's header (already validated by load)."""
    size = int.from_bytes(raw[:8], "little")
    header = json.loads(raw[8 : 8 + size].decode("utf-8"))
    metadata = header.get("__metadata__") if isinstance(header, dict) else None
    return metadata if isinstance(metadata, dict) else {}


def _in_saved_order(tensors: dict[str, Tensor], metadata: dict[str, str]) -> dict[str, Tensor]:
    try:
        order = json.loads(metadata.get(_ORDER_KEY, "null"))
    except ValueError:
        order = None
    if isinstance(order, list) and sorted(order) == sorted(tensors):
        return {name: tensors[name] for name in order}
    return tensors  # written by other tools: safetensors' own (sorted) order
