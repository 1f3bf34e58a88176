"""Every public class and function documents Args, Returns and a runnable Example.

One test for the whole package, so a new public name cannot slip through: it walks
each subpackage's ``__all__``. Examples that train a model are marked ``+SKIP``.
"""

from __future__ import annotations

import doctest
import importlib
import inspect
import re

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
    "lstmkit.apps",
    "lstmkit.datasets.radar",
    "lstmkit.datasets.long_memory",
    "lstmkit.baselines.radar",
    "lstmkit.signal",
    "lstmkit.audio",
    "lstmkit.datasets.speech",
    "lstmkit.datasets.ecg",
    "lstmkit.baselines.ecg_rhythm",
    "lstmkit.text",
    "lstmkit.baselines.ngram",
    "lstmkit.datasets.shakespeare",
    "lstmkit.experiments",
    "lstmkit.nn.lstm_fcn",
    "lstmkit.nn.architectures",
    "lstmkit.data.augmentation",
    "lstmkit.data.resampling",
    "lstmkit.tasks.defaults",
    "lstmkit.rl",
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


# ------------------------------------------------------- estimators' fitted attributes
def _tiny_fits():
    """Each public estimator, fitted in a second on tiny data."""
    import numpy as np

    from lstmkit.tasks import (
        Forecaster,
        KeywordSpotter,
        SequenceClassifier,
        SequenceRegressor,
        SequenceTagger,
        TextGenerator,
    )
    from lstmkit.training import TrainingOptions

    rng = np.random.default_rng(0)
    X = [rng.normal(size=(rng.integers(4, 8), 2)) for _ in range(12)]
    labels = np.array(["a", "b"] * 6)
    steps = [np.where(x[:, 0] > 0, "up", "down") for x in X]
    options = TrainingOptions(max_epochs=1, batch_size=4, num_threads=1)
    small = {"hidden_size": 4, "training_options": options}
    text = "the king loves the sea .\n" * 20
    clips = [0.1 * rng.normal(size=3200).astype(np.float32) for _ in range(6)]
    spans = [[(0.05, 0.12)], []] * 3
    return {
        SequenceClassifier: lambda: SequenceClassifier(**small).fit(X, labels),
        SequenceTagger: lambda: SequenceTagger(**small).fit(X, steps),
        SequenceRegressor: lambda: SequenceRegressor(**small).fit(X, np.arange(12.0)),
        Forecaster: lambda: Forecaster(**small).fit(np.sin(np.arange(30) / 3)),
        TextGenerator: lambda: TextGenerator(embedding_size=4, **small).fit(text),
        KeywordSpotter: lambda: KeywordSpotter(**small).fit(clips, spans),
    }


def _documented_attributes(cls) -> set[str]:
    """The names an ``Attributes:`` section documents: each entry starts one level in and
    may name several (``a_, b_: as for ...``), its names running up to the first colon."""
    doc = inspect.cleandoc(cls.__doc__ or "")
    assert "Attributes:" in doc, f"{cls.__name__} docstring lacks an Attributes: section"
    section = doc.split("Attributes:", 1)[1].split("Example:", 1)[0]
    entries = re.split(r"\n(?=    \S)", section)  # an entry starts four spaces in
    return {name for entry in entries for name in re.findall(r"\w+", entry.split(":")[0])}


def test_every_estimator_is_checked():
    import lstmkit.tasks

    estimators = {
        getattr(lstmkit.tasks, name)
        for name in lstmkit.tasks.__all__
        if isinstance(getattr(lstmkit.tasks, name), type)
    }
    assert estimators == set(_tiny_fits())


@pytest.mark.parametrize("cls", list(_tiny_fits()), ids=lambda cls: cls.__name__)
def test_estimator_documents_its_fitted_attributes(cls, tmp_path, monkeypatch):
    monkeypatch.setattr("lstmkit.training.engine._plot_progress", lambda *a, **k: None)
    monkeypatch.chdir(tmp_path)
    model = _tiny_fits()[cls]()
    fitted = {k for k in vars(model) if k.endswith("_") and not k.startswith("_")}
    documented = _documented_attributes(cls)
    assert fitted <= documented, f"{cls.__name__} does not document {sorted(fitted - documented)}"
    assert documented <= fitted, f"{cls.__name__} documents unset {sorted(documented - fitted)}"
    assert "training_options_" in fitted
