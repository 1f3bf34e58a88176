"""The ``lstmkit`` command.

Every heavy import (torch, Lightning, pandas) happens inside the command that needs
it, so ``lstmkit --help`` answers at once and a mistyped path is reported before torch
loads. ``lstmkit run APP`` has one subcommand per registered app (:mod:`lstmkit.apps`),
whose options are built from the app's own declaration: nothing here knows any app by
name.

* :mod:`~lstmkit.cli._base`: the application, ``--version``, ``--debug`` and the one
  error boundary (every failure: one ``error: ...`` line, exit code 2 for usage, 1 for
  runtime);
* :mod:`~lstmkit.cli._paths`: the checks of paths made before any work (torch-free);
* :mod:`~lstmkit.cli._run`: ``demo`` and ``run APP``;
* :mod:`~lstmkit.cli._train`: ``datasets`` and ``train``;
* :mod:`~lstmkit.cli._models`: ``predict``, ``forecast``, ``evaluate``, ``generate``;
* :mod:`~lstmkit.cli._keyword`: ``keyword train`` and ``keyword detect``.
"""

from __future__ import annotations

import typer

# the modules register their commands on `app`
from lstmkit.cli import _keyword, _models, _run, _train, _tune  # noqa: F401
from lstmkit.cli._base import app

__all__ = ["app", "main"]


def main() -> None:
    """The console-script entry point (``lstmkit = "lstmkit.cli:main"``)."""
    typer.main.get_command(app)()
