"""Every public class and function documents Args, Returns and a runnable Example.

One test for the whole package, so a new public name cannot slip through: it walks
each subpackage's ``__all__``. Examples that train a model are marked ``+SKIP``.
"""

from __future__ import annotations

import doctest
import importlib

import pytest

PACKAGES = [
    "lstmkit.nn",
    "lstmkit.data",
    "lstmkit.datasets",
    "lstmkit.io",
    "lstmkit.metrics",
    "lstmkit.viz",
    "lstmkit.training",
    "lstmkit.tasks",
    "lstmkit.datasets.radar",
    "lstmkit.datasets.long_memory",
    "lstmkit.baselines.radar",
    "lstmkit.signal",
    "lstmkit.datasets.ecg",
    "lstmkit.baselines.ecg_rhythm",
    "lstmkit.text",
    "lstmkit.baselines.ngram",
    "lstmkit.datasets.shakespeare",
]


def _public():
    for package in PACKAGES:
        module = importlib.import_module(package)
        names = getattr(module, "__all__", None) or [
            n for n in dir(module) if not n.startswith("_")
        ]
        for name in names:
            obj = getattr(module, name)
            if callable(obj) and getattr(obj, "__module__", "").startswith("lstmkit"):
                yield pytest.param(obj, id=f"{package}.{name}")


PUBLIC = list(_public())


@pytest.mark.parametrize("obj", PUBLIC)
def test_docstring_has_args_returns_example(obj):
    doc = obj.__doc__ or ""
    for section in ("Args:", "Returns:", "Example:"):
        assert section in doc, f"{obj.__module__}.{obj.__name__} docstring lacks {section}"


@pytest.mark.parametrize("obj", PUBLIC)
def test_docstring_example_runs(obj):
    module = importlib.import_module(obj.__module__)
    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    tests = [t for t in finder.find(obj, obj.__name__, module=module) if t.examples]
    assert tests, f"{obj.__name__} has no doctest example"
    for test in tests:
        runner.run(test)
    assert runner.failures == 0
