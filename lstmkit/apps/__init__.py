"""The classic LSTM applications, each a module on a small framework.

An application builds its data, trains with :mod:`lstmkit.tasks`, evaluates, and
writes a run folder (``metrics.json``, plots, the model). No modelling code lives
here: the apps only compose the layers below. The framework:

* :mod:`~lstmkit.apps.framework`: an app's declaration (:class:`AppSpec`: name,
  description, options dataclass, run function), the registry and :func:`run_app`;
* :mod:`~lstmkit.apps.run_folder`: :class:`RunFolder`, which writes ``metrics.json``
  with its headline and the options used;
* :mod:`~lstmkit.apps.seeds`: :func:`train_over_seeds`, one classifier per seed and the
  median one kept;
* :mod:`~lstmkit.apps.threads`: :func:`limit_threads`, the torch and BLAS threads of a run.

Importing this package loads neither the app modules nor torch, so the command line
can list the apps at once.

Example:
    >>> [spec.name for spec in list_apps()]  # doctest: +NORMALIZE_WHITESPACE
    ['sequence-classification', 'forecasting', 'radar', 'ecg', 'text-generation',
     'long-memory', 'keyword-spotting', 'water-distribution']
"""

from __future__ import annotations

from lstmkit.apps.framework import (
    AppOption,
    AppOptions,
    AppSpec,
    app_options,
    get_app,
    list_apps,
    option,
    register_app,
    run_app,
    unregister_app,
)
from lstmkit.apps.run_folder import RunFolder
from lstmkit.apps.seeds import SeedRuns, median_seed, train_over_seeds
from lstmkit.apps.threads import limit_threads

__all__ = [
    "AppOption",
    "AppOptions",
    "AppSpec",
    "RunFolder",
    "SeedRuns",
    "app_options",
    "get_app",
    "limit_threads",
    "list_apps",
    "median_seed",
    "option",
    "register_app",
    "run_app",
    "train_over_seeds",
    "unregister_app",
]

# The built-in apps, in the order `lstmkit run --help` lists them. Each module defines
# `Options` and `run`; `threads` is what the app runs with (None: torch's default, for
# sequence-classification, whose timing target is set on the machine's 2 cores).
for _spec in (
    AppSpec(
        "sequence-classification",
        "Japanese Vowels: which of 9 speakers said it (BiLSTM, median of 3 seeds).",
        module="lstmkit.apps.sequence_classification",
        threads=None,
    ),
    AppSpec(
        "forecasting",
        "Waveforms and monthly sunspots, open and closed loop, against classical baselines.",
        module="lstmkit.apps.forecasting",
    ),
    AppSpec(
        "radar",
        "Cylinder or cone from simulated radar cross sections, against SVM and boosted trees.",
        module="lstmkit.apps.radar",
    ),
    AppSpec(
        "ecg",
        "Atrial fibrillation in simulated 30 s ECGs: three BiLSTMs against an RR baseline.",
        module="lstmkit.apps.ecg",
    ),
    AppSpec(
        "text-generation",
        "A word-level LSTM language model of Shakespeare (or of --text FILE) vs n-grams.",
        module="lstmkit.apps.text_generation",
    ),
    AppSpec(
        "long-memory",
        "Why LSTM exists: RNN vs GRU vs LSTM on the long-time-lag tasks of 1997.",
        module="lstmkit.apps.long_memory",
    ),
    AppSpec(
        "keyword-spotting",
        "Wake on 'yes': a streaming LSTM trained on synthetic speech, tested on held-out voices.",
        module="lstmkit.apps.keyword_spotting",
    ),
    AppSpec(
        "water-distribution",
        "Pump scheduling: an LSTM policy (level only) vs the exact optimum, rules and MLPs.",
        module="lstmkit.apps.water_distribution",
    ),
):
    register_app(_spec)
