"""Every public name of lstmkit.data documents Args, Returns and a runnable Example."""

from __future__ import annotations

import doctest
import importlib

import pytest

import lstmkit.data

PUBLIC = [
    getattr(lstmkit.data, name)
    for name in lstmkit.data.__all__
    if callable(getattr(lstmkit.data, name))
]


@pytest.mark.parametrize("obj", PUBLIC, ids=lambda o: o.__name__)
def test_public_docstring_has_args_returns_example(obj):
    doc = obj.__doc__ or ""
    for section in ("Args:", "Returns:", "Example:"):
        assert section in doc, f"{obj.__name__} docstring lacks {section}"


@pytest.mark.parametrize("obj", PUBLIC, ids=lambda o: o.__name__)
def test_docstring_example_runs(obj):
    module = importlib.import_module(obj.__module__)
    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    tests = [t for t in finder.find(obj, obj.__name__, module=module) if t.examples]
    assert tests, f"{obj.__name__} has no doctest example"
    for test in tests:
        runner.run(test)
    assert runner.failures == 0
