"""Checks of the paths a command is given, made before any work (and torch-free).

A missing model folder, a data file that is not there, an ``--out`` that is a file or
whose folder does not exist: each is said in one line, as a usage error, before torch,
Lightning or pandas are imported, and before anything is read, trained or written.
"""

from __future__ import annotations

import json
from pathlib import Path

from lstmkit.cli._base import fail

__all__ = [
    "DATA_SUFFIXES",
    "check_data_file",
    "check_model_folder",
    "check_model_target",
    "check_model_targets",
    "check_output_file",
    "check_run_folder",
]

DATA_SUFFIXES = (".csv", ".npz")
# What lstmkit.io writes (its constants live in a module that imports torch).
_CONFIG, _FORMAT = "config.json", "lstmkit-model"


def check_model_folder(path: Path) -> None:
    """``path`` must be an existing model folder (as ``lstmkit train`` writes OUT/model)."""
    if not path.exists():
        if any(path.parent.glob(f".{path.name}.old-*")):
            return  # a save died mid-swap; loading finds the previous model moved aside
        fail(
            f"model folder {str(path)!r} does not exist (`lstmkit train ... --out DIR` "
            f"saves its model in DIR/model)"
        )
    if not path.is_dir():
        fail(f"model {str(path)!r} is a file; expected a model folder holding {_CONFIG}")
    if (path / _CONFIG).is_file():
        return
    if (path / "model" / _CONFIG).is_file():
        fail(f"{str(path)!r} is a run folder, not a model folder; its model is {path / 'model'}")
    held = sorted(p.name for p in path.iterdir())[:5]
    fail(
        f"{str(path)!r} is not a model folder: it holds no {_CONFIG} "
        f"({'it is empty' if not held else 'it holds ' + ', '.join(held)})"
    )


def check_data_file(path: Path, label: str = "data file", hint: str = "") -> None:
    """``path`` must be an existing ``.csv`` or ``.npz`` file."""
    if not path.exists():
        fail(f"{label} {str(path)!r}: no such file{hint}")
    if path.is_dir():
        fail(f"{label} {str(path)!r} is a folder; expected a .csv or .npz file")
    if path.suffix.lower() not in DATA_SUFFIXES:
        fail(f"{label} {str(path)!r} must be a .csv or .npz file")


def check_output_file(path: Path | None, option: str = "--out") -> None:
    """A file to write: not a folder, and its folder must exist (nothing is created)."""
    if path is None:
        return
    if path.is_dir():
        fail(f"{option} {str(path)!r} is a folder; expected a file name, e.g. {path / 'out.csv'}")
    parent = path.parent
    if not parent.is_dir():
        what = "is a file" if parent.exists() else "does not exist"
        fail(f"{option} {str(path)!r}: its folder {str(parent)!r} {what}")


def check_run_folder(path: Path, option: str = "--out") -> None:
    """A run folder to write: a folder or a path that can become one."""
    if path.exists() and not path.is_dir():
        fail(f"{option} {str(path)!r} is a file; expected a folder for the run")
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                fail(f"{option} {str(path)!r}: {str(parent)!r} is a file, not a folder")
            break


def check_model_target(path: Path, option: str = "--out") -> None:
    """The model folder a run will save to: absent, empty or an earlier lstmkit model
    (its ``config.json`` says ``"format": "lstmkit-model"``).

    A model save replaces the whole folder (and refuses any other), so a folder holding
    anything else is refused now rather than after training.
    """
    if not path.exists():
        return
    if not path.is_dir():
        fail(f"{option}: {str(path)!r} is a file; the model is saved to that path as a folder")
    entries = sorted(p.name for p in path.iterdir())
    if not entries:
        return
    try:
        document = json.loads((path / _CONFIG).read_text(encoding="utf-8"))
        if isinstance(document, dict) and document.get("format") == _FORMAT:
            return
    except (OSError, ValueError):
        pass
    shown = ", ".join(entries[:5]) + (", ..." if len(entries) > 5 else "")
    fail(
        f"{option}: {str(path)!r} holds other files ({shown}); the trained model would "
        f"replace that folder, so choose another {option} or empty it"
    )


def check_model_targets(run: Path, option: str = "--out") -> None:
    """The model folders an app will save into the run folder ``run``: by the apps'
    convention ``model`` or ``model-*`` (:func:`check_model_target` for each that exists)."""
    if not run.is_dir():
        return
    for child in sorted(run.iterdir()):
        if child.name == "model" or child.name.startswith("model-"):
            check_model_target(child, option)
