"""The run folder of an app: where its files go, and its ``metrics.json``.

Every run folder holds ``metrics.json`` (DESIGN.md), and every ``metrics.json`` says the
same things first: which app wrote it, whether in quick mode, its **headline** (the few
numbers a results table shows; ``benchmarks/examples.py --collect`` reads exactly these),
the options it ran with, and how long it took. :meth:`RunFolder.write_metrics` adds
them, so an app passes only what it measured.
"""

from __future__ import annotations

import dataclasses
import shutil
import time
from pathlib import Path
from typing import Any

__all__ = ["RunFolder"]


class RunFolder:
    """An app's output folder (created), its options, and the clock of its run.

    Args:
        path: the folder; created with its parents.
        app: the app's name (written into ``metrics.json``).
        options: the app's options object (a dataclass), written into ``metrics.json``
            as ``run_options``; ``None`` for none.

    Returns:
        A folder; ``folder / "model"`` is a path inside it.

    Example:
        >>> import tempfile
        >>> folder = RunFolder(tempfile.mkdtemp(), app="demo")
        >>> metrics = folder.write_metrics({"rmse": 0.5}, headline={"rmse": 0.5})
        >>> sorted(metrics)
        ['app', 'headline', 'quick', 'rmse', 'run_options', 'wall_seconds']
        >>> (folder / "metrics.json").is_file()
        True
    """

    def __init__(self, path: str | Path, *, app: str, options: Any = None) -> None:
        if options is not None and not dataclasses.is_dataclass(options):
            raise TypeError(f"options must be a dataclass instance or None; received {options!r}")
        self.path = Path(path)
        self.path.mkdir(parents=True, exist_ok=True)
        self.app = app
        self.options = options
        self.started = time.perf_counter()

    def __truediv__(self, name: str) -> Path:
        return self.path / name

    def __fspath__(self) -> str:
        return str(self.path)

    def __repr__(self) -> str:
        return f"RunFolder({str(self.path)!r}, app={self.app!r})"

    def copy_in(self, source: str | Path, name: str) -> Path | None:
        """Copy ``source`` into the folder as ``name`` if it exists (e.g. a seed's
        training-progress plot); return the copy's path, or ``None`` if there was none."""
        source = Path(source)
        if not source.is_file():
            return None
        return Path(shutil.copyfile(source, self.path / name))

    def write_metrics(self, metrics: dict[str, Any], *, headline: dict[str, Any]) -> dict:
        """Write ``metrics.json``: ``app``, ``quick``, the app's ``metrics``, its
        ``headline``, ``run_options`` and ``wall_seconds`` (since the folder was made).

        Args:
            metrics: what the app measured (NumPy values are converted); must not use
                the keys this method adds.
            headline: the numbers (or short strings) a results table shows, by name.

        Returns:
            The metrics as written (plain JSON types), the app's return value.
        """
        from lstmkit.io import save_json, to_jsonable

        if not isinstance(headline, dict) or not headline:
            raise ValueError(f"headline must be a non-empty dict of numbers; received {headline!r}")
        options = dataclasses.asdict(self.options) if self.options is not None else {}
        added = {"app", "quick", "headline", "run_options", "wall_seconds"}
        clash = sorted(added & set(metrics))
        if clash:
            raise ValueError(f"metrics must not contain {clash}: write_metrics adds them")
        written = {
            "app": self.app,
            "quick": bool(options.get("quick", False)),
            **metrics,
            "headline": headline,
            "run_options": options,
            "wall_seconds": time.perf_counter() - self.started,
        }
        written = to_jsonable(written, path="metrics")
        save_json(self.path / "metrics.json", written)
        return written
