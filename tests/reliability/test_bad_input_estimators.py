"""Bad-input catalogue: the estimators (lstmkit.tasks).

Each case below was silent nonsense or a late failure before issue 12: float labels
turned into dozens of classes, per-step targets one step too long read as a 7-output
regressor, ``lr_schedule="plateau"`` without validation failing inside Lightning after
the first epoch, R² of one sample returned as NaN, a NaN network predicting class 0,
``update_state`` naming ``seqs[0]`` for what the user passed as ``x_t``, and a loaded
estimator without its training history. Tiny data, one epoch: each fit takes ~1 s.
"""

from __future__ import annotations

import copy
import json
import math

import numpy as np
import pandas as pd
import pytest
import torch

from lstmkit.tasks import (
    Forecaster,
    SequenceClassifier,
    SequenceRegressor,
    SequenceTagger,
    load,
)
from lstmkit.training import TrainingOptions


def _options(**kwargs) -> TrainingOptions:
    return TrainingOptions(max_epochs=1, batch_size=8, progress_bar=False, **kwargs)


def _X(n: int = 8, steps: int = 6) -> list[np.ndarray]:
    rng = np.random.default_rng(0)
    return [rng.normal(size=(steps, 2)).astype(np.float32) for _ in range(n)]


@pytest.fixture(scope="module")
def classifier(tmp_path_factory) -> SequenceClassifier:
    run = tmp_path_factory.mktemp("clf")
    X = _X()
    return SequenceClassifier(hidden_size=4, training_options=_options(), run_dir=str(run)).fit(
        X, ["a", "b"] * 4
    )


@pytest.fixture(scope="module")
def forecaster(tmp_path_factory) -> Forecaster:
    run = tmp_path_factory.mktemp("fc")
    series = np.sin(np.arange(40) / 3.0)
    return Forecaster(hidden_size=4, training_options=_options(), run_dir=str(run)).fit(series)


# ---------------------------------------------------------------- labels
def _no_training() -> TrainingOptions:
    # The label warning comes while the targets are read; this schedule without
    # validation data then stops fit before any training, which keeps these tests fast.
    return _options(lr_schedule="plateau")


@pytest.mark.parametrize(
    "y,pattern",
    [
        pytest.param(
            np.linspace(0.1, 0.9, 8),
            r"y holds 8 distinct labels in 8 sequences \(floats that are not whole numbers",
            id="continuous-floats",
        ),
        pytest.param(
            np.arange(8),
            r"y holds 8 distinct labels in 8 sequences \(every label is unique\)",
            id="every-label-unique",
        ),
        pytest.param(
            np.array([0.5, 1.5] * 4),
            r"y holds 2 distinct labels in 8 sequences \(floats that are not whole numbers",
            id="two-fractional-classes",
        ),
    ],
)
def test_continuous_labels_warn_and_suggest_a_regressor(y, pattern):
    model = SequenceClassifier(validation_fraction=0, training_options=_no_training())
    with pytest.warns(UserWarning, match=pattern + r".*use SequenceRegressor"):
        with pytest.raises(ValueError, match="plateau"):
            model.fit(_X(), y)


def test_tagger_with_continuous_step_labels_warns():
    X = _X(4, 3)
    y = [np.arange(3) / 7 + i for i in range(4)]  # 12 distinct floats over 12 steps
    model = SequenceTagger(validation_fraction=0, training_options=_no_training())
    with pytest.warns(UserWarning, match=r"y holds 12 distinct labels in 12 steps.*per-step"):
        with pytest.raises(ValueError, match="plateau"):
            model.fit(X, y)


def test_ordinary_class_labels_do_not_warn(classifier):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        classifier._warn_if_continuous(np.array([0, 1, 0, 1]), "y", per_step=False)


# ------------------------------------------------------------ per-step targets
@pytest.mark.parametrize(
    "lengths,pattern",
    [
        pytest.param(
            [7] * 8, r"y\[0\] holds 7 targets but X\[0\] has 6 steps", id="one-step-longer"
        ),
        pytest.param(
            [5] * 8, r"y\[0\] holds 5 targets but X\[0\] has 6 steps", id="one-step-shorter"
        ),
        pytest.param(
            [6, 6, 6, 7, 6, 6, 6, 6],
            r"y\[3\] holds 7 targets but X\[3\] has 6 steps",
            id="one-sequence-off",
        ),
    ],
)
def test_per_step_targets_of_the_wrong_length_are_refused(lengths, pattern):
    y = [np.zeros(n) for n in lengths]
    model = SequenceRegressor(hidden_size=4, training_options=_options())
    with pytest.raises(ValueError, match=pattern + r"; per-step targets need exactly one per step"):
        model.fit(_X(), y)


def test_target_vectors_as_a_list_still_mean_several_outputs():
    # Not ±1 step from the sequences: one 3-vector per sequence, as before (no training).
    from lstmkit.tasks.regressor import _is_per_step

    X = _X()
    assert _is_per_step(X, [np.zeros(3) for _ in X]) is False
    assert _is_per_step(X, [np.zeros(6) for _ in X]) is True


# ------------------------------------------------------------ training options
@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_non_finite_learning_rate_is_refused_at_construction(value):
    pattern = rf"learning_rate must be a finite number > 0; received {value}"
    with pytest.raises(ValueError, match=pattern):
        TrainingOptions(learning_rate=value)


@pytest.mark.parametrize(
    "make,fit,pattern",
    [
        pytest.param(
            lambda o: SequenceClassifier(hidden_size=4, validation_fraction=0, training_options=o),
            lambda m: m.fit(_X(), ["a", "b"] * 4),
            r"pass validation_data=\(X_val, y_val\) or a validation_fraction > 0 .* of the 8 "
            r"sequences \(it is 0\)",
            id="classifier",
        ),
        pytest.param(
            lambda o: Forecaster(hidden_size=4, training_options=o),
            lambda m: m.fit(np.arange(20.0)),
            r"pass validation_data \(series\) or a validation_fraction > 0 \(it is 0\.0\)",
            id="forecaster",
        ),
    ],
)
def test_plateau_schedule_without_validation_is_refused_before_training(make, fit, pattern):
    model = make(_options(lr_schedule="plateau"))
    with pytest.raises(ValueError, match=r"'plateau' .* no validation data; " + pattern):
        fit(model)
    assert not hasattr(model, "network_")  # nothing was built, nothing trained


def test_text_generator_plateau_without_validation_text_is_refused():
    from lstmkit.tasks import TextGenerator

    model = TextGenerator(hidden_size=4, training_options=_options(lr_schedule="plateau"))
    with pytest.raises(ValueError, match=r"lr_schedule='plateau'.*pass validation_text"):
        model.fit("a b c d e f g h a b c d")


# ---------------------------------------------------------------------- scores
def test_r2_of_one_sample_is_an_error_not_nan(tmp_path):
    X = _X()
    model = SequenceRegressor(hidden_size=4, training_options=_options(), run_dir=str(tmp_path))
    model.fit(X, np.arange(8.0))
    with pytest.raises(ValueError, match=r"score needs at least 2 targets.*received 1 sequence"):
        model.score(X[:1], [0.5])
    assert np.isfinite(model.score(X[:2], [0.5, 1.5]))


# ------------------------------------------------------------- NaN networks
@pytest.mark.parametrize("method", ["predict", "predict_proba", "score"])
def test_a_nan_classifier_never_predicts_a_class(classifier, method):
    broken = copy.deepcopy(classifier)
    with torch.no_grad():
        broken.network_.head.weight.fill_(math.nan)
    X = _X(3)
    args = (X, ["a", "b", "a"]) if method == "score" else (X,)
    with pytest.raises(
        ValueError,
        match=r"non-finite outputs \(NaN or inf\) for 3 of 3 sequences \(X\[0\], X\[1\], X\[2\]\)"
        r".*1 of the network's \d+ weight tensors holds NaN or inf \(head\.weight\): training "
        r"diverged",
    ):
        getattr(broken, method)(*args)


def test_a_nan_tagger_never_predicts_a_class(tmp_path):
    X = _X(4, 3)
    y = [np.array(["u", "d", "u"])] * 4
    tagger = SequenceTagger(hidden_size=4, training_options=_options(), run_dir=str(tmp_path))
    tagger.fit(X, y)
    with torch.no_grad():
        tagger.network_.head.bias.fill_(math.inf)
    with pytest.raises(ValueError, match=r"non-finite outputs .* for 4 of 4 sequences"):
        tagger.predict(X)


# ------------------------------------------------------------ update_state
@pytest.mark.parametrize(
    "x_t,error,pattern",
    [
        pytest.param("a", TypeError, r"x_t must hold real numbers.*received 'a' \(str\)", id="str"),
        pytest.param(None, TypeError, r"x_t must hold real numbers.*received None", id="none"),
        pytest.param(1 + 2j, TypeError, r"x_t must hold real numbers.*\(1\+2j\)", id="complex"),
        pytest.param(np.zeros((0, 1)), ValueError, r"x_t must hold at least one step", id="empty"),
        pytest.param(
            1e300, ValueError, r"x_t must hold finite float32 numbers; received 1e\+300", id="huge"
        ),
        pytest.param(
            [[0.5], [math.nan]],
            ValueError,
            r"x_t must hold finite float32 numbers; received nan \(not finite\) at step 1",
            id="nan",
        ),
        pytest.param(
            [[0.1, 0.2]], ValueError, r"x_t must be one step of 1 feature.*\(1, 2\)", id="shape"
        ),
    ],
)
def test_update_state_names_x_t(forecaster, x_t, error, pattern):
    model = copy.deepcopy(forecaster)
    with pytest.raises(error, match=pattern) as raised:
        model.update_state(x_t)
    assert "seqs" not in str(raised.value)


# ------------------------------------------------------------ training history
@pytest.mark.parametrize("which", ["classifier", "forecaster"])
def test_a_loaded_estimator_keeps_its_training_history(which, request, tmp_path):
    model = request.getfixturevalue(which)
    folder = model.save(tmp_path / "model")
    loaded = load(folder)
    assert isinstance(loaded.history_, pd.DataFrame) and len(loaded.history_) > 0
    pd.testing.assert_frame_equal(loaded.history_, model.history_.reset_index(drop=True))


def test_a_folder_saved_without_history_loads_with_none(classifier, tmp_path):
    folder = classifier.save(tmp_path / "model")
    config_path = folder / "config.json"
    config = json.loads(config_path.read_text())
    del config["history_csv"]  # as folders written before the history was kept
    config_path.write_text(json.dumps(config))
    loaded = load(folder)
    assert loaded.history_ is None
    assert loaded.predict(_X(2)).shape == (2,)
