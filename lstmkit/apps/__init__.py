"""The classic LSTM applications, each a module with ``run(out_dir, *, quick, seed)``.

An application builds its data, trains with :mod:`lstmkit.tasks`, evaluates, and
writes a run folder (``metrics.json``, plots, the model). No modelling code lives
here: the apps only compose the layers below.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

#: example name -> module; imported only when run, so listing them stays cheap
APPS: dict[str, str] = {
    "sequence-classification": "lstmkit.apps.sequence_classification",
    "forecasting": "lstmkit.apps.forecasting",
    "radar": "lstmkit.apps.radar",
    "ecg": "lstmkit.apps.ecg",
    "text-generation": "lstmkit.apps.text_generation",
    "long-memory": "lstmkit.apps.long_memory",
}


def run_app(name: str, out_dir: str | Path, *, quick: bool = False, seed: int = 0) -> dict:
    """Run the application ``name`` into ``out_dir`` and return its metrics.

    Args:
        name: one of :data:`APPS`.
        out_dir: the run folder (created).
        quick: a small, fast configuration (for tests and smoke runs).
        seed: seeds data splits, weights and shuffling.

    Returns:
        The metrics the app wrote to ``out_dir/metrics.json``.

    Example:
        >>> sorted(APPS)[:3]
        ['ecg', 'forecasting', 'long-memory']
    """
    if name not in APPS:
        raise ValueError(f"unknown example {name!r}; choose one of {sorted(APPS)}")
    module: Any = importlib.import_module(APPS[name])
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    return module.run(out, quick=quick, seed=seed)
