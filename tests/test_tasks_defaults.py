"""The estimators' defaults: training options adapted to the data by the documented rule
(lstmkit.tasks.defaults), a user's own options used exactly, ``random_state``, and the
``max_steps`` rule that averages long sequences in fit and predict alike."""

from __future__ import annotations

import numpy as np
import pytest

from lstmkit.tasks import Forecaster, SequenceClassifier, SequenceTagger, load
from lstmkit.tasks.defaults import MAX_EPOCHS, MIN_EPOCHS, adapted_training_options, fill_unset
from lstmkit.tasks.forecaster import default_forecast_options
from lstmkit.training import TrainingOptions


@pytest.mark.parametrize(
    ("n", "batch", "epochs"),
    [(10, 8, 750 if MAX_EPOCHS >= 750 else MAX_EPOCHS), (60, 8, 188), (200, 16, 116),
     (270, 32, 167), (5000, 32, MIN_EPOCHS)],
)  # fmt: skip
def test_the_rule_sets_batch_size_and_epochs_from_the_number_of_sequences(n, batch, epochs):
    options = adapted_training_options(TrainingOptions(seed=4), n, has_validation=True)
    assert (options.batch_size, options.max_epochs, options.seed) == (batch, epochs, 4)
    assert options.validation_patience == max(10, epochs // 10)
    assert options.lr_schedule == "plateau" and options.output_model == "best-validation"
    bare = adapted_training_options(TrainingOptions(), n, has_validation=False)
    assert bare.lr_schedule == "cosine" and bare.validation_patience is None


def _data(n=40, steps=(6, 12), features=2, seed=0):
    rng = np.random.default_rng(seed)
    X = [rng.normal(size=(int(rng.integers(*steps)), features)).astype(np.float32)
         for _ in range(n)]  # fmt: skip
    y = np.arange(n) % 2
    for x, label in zip(X, y, strict=True):
        x[:, 0] += 2.0 * label
    return X, y


def test_no_options_adapts_them_to_the_data_and_given_options_are_kept(monkeypatch):
    # the rule with a smaller step budget, so that the test trains in seconds
    monkeypatch.setattr("lstmkit.tasks.defaults.TARGET_STEPS", 200)
    monkeypatch.setattr("lstmkit.tasks.defaults.MIN_EPOCHS", 5)
    X, y = _data()
    clf = SequenceClassifier(architecture="recurrent", hidden_size=16, random_state=3)
    clf.fit(X, y)
    # 36 sequences after the 10% hold-out: batches of 8, 40 epochs for ~200 steps
    expected = adapted_training_options(TrainingOptions(seed=3), 36, has_validation=True)
    assert clf.training_options_ == expected
    assert (expected.batch_size, expected.max_epochs) == (8, 40)
    assert clf.fit_result_.epochs <= expected.max_epochs
    assert clf.score(X, y) >= 0.9
    mine = TrainingOptions(max_epochs=2, seed=1)
    clf = SequenceClassifier(hidden_size=4, training_options=mine).fit(X, y)
    assert clf.training_options_ == mine and clf.fit_result_.epochs == 2


def test_adapt_to_data_fills_only_the_fields_left_at_their_defaults():
    mine = TrainingOptions(max_epochs=3, progress_bar=False, num_threads=1, adapt_to_data=True)
    filled = fill_unset(mine, max_epochs=50, batch_size=8, validation_patience=5)
    assert (filled.max_epochs, filled.batch_size, filled.validation_patience) == (3, 8, 5)
    assert filled.num_threads == 1 and not filled.adapt_to_data
    with pytest.raises(ValueError, match=r"unknown TrainingOptions field\(s\) \['epochs'\]"):
        fill_unset(mine, epochs=3)
    with pytest.raises(TypeError, match="adapt_to_data"):
        TrainingOptions(adapt_to_data="yes")
    # in a fit: the rule's batch size and early stopping, the user's epochs and threads
    X, y = _data()
    clf = SequenceClassifier(architecture="recurrent", hidden_size=4, training_options=mine)
    clf.fit(X, y)
    rule = adapted_training_options(TrainingOptions(), 36, has_validation=True)
    used = clf.training_options_
    assert (used.max_epochs, used.num_threads, clf.fit_result_.epochs) == (3, 1, 3)
    assert (used.batch_size, used.validation_patience) == (
        rule.batch_size,
        rule.validation_patience,
    )
    assert used.lr_schedule == "plateau" and not used.adapt_to_data
    assert clf.training_options is mine  # the parameter is stored as given


def test_the_forecaster_rule_fills_the_fields_left_unset():
    series = [np.sin(np.arange(40) / 3.0) + k for k in range(3)]
    mine = TrainingOptions(max_epochs=2, adapt_to_data=True)
    model = Forecaster(hidden_size=4, training_options=mine).fit(series)
    rule = default_forecast_options(3, 40)
    used = model.training_options_
    assert used.max_epochs == 2 and model.fit_result_.epochs == 2
    assert (used.learning_rate, used.lr_schedule, used.gradient_threshold) == (
        rule.learning_rate, rule.lr_schedule, rule.gradient_threshold)  # fmt: skip


def test_random_state_seeds_everything_and_overrides_the_options_seed():
    X, y = _data()
    options = TrainingOptions(max_epochs=2, seed=0)

    def proba(random_state):
        clf = SequenceClassifier(hidden_size=4, training_options=options,
                                 random_state=random_state)  # fmt: skip
        return clf.fit(X, y).predict_proba(X), clf.training_options_.seed

    (a, seed_a), (b, _), (c, seed_c) = proba(5), proba(5), proba(6)
    assert np.array_equal(a, b) and not np.allclose(a, c) and (seed_a, seed_c) == (5, 6)
    with pytest.raises(ValueError, match="random_state"):
        SequenceClassifier(random_state=-1).fit(X, y)


def test_max_steps_averages_long_sequences_in_fit_and_predict(tmp_path):
    X, y = _data(n=24, steps=(60, 70))
    clf = SequenceClassifier(
        hidden_size=4,
        max_steps=20,
        validation_fraction=0,
        training_options=TrainingOptions(max_epochs=20, learning_rate=1e-2),
    )
    clf.fit(X, y)
    assert clf.pooling_factor_ == 4  # median 64ish steps -> windows of 4 -> <= 20 steps
    assert clf.score(X, y) >= 0.9
    clf.save(tmp_path / "m")
    again = load(tmp_path / "m")
    assert again.pooling_factor_ == 4
    assert np.allclose(again.predict_proba(X), clf.predict_proba(X), atol=1e-6)
    # short data, or an output per step, are never pooled
    assert SequenceClassifier(hidden_size=4, max_steps=100, training_options=TrainingOptions(
        max_epochs=1)).fit(X, y).pooling_factor_ == 1  # fmt: skip
    tagger = SequenceTagger(hidden_size=4, max_steps=20,
                            training_options=TrainingOptions(max_epochs=1))  # fmt: skip
    steps = [(x[:, 0] > 1).astype(int) for x in X]
    assert tagger.fit(X, steps).pooling_factor_ == 1
    assert [len(p) for p in tagger.predict(X[:3])] == [len(x) for x in X[:3]]


def test_the_defaults_learn_a_slice_of_the_public_suite():
    # ItalyPowerDemand (UCR; aeon's shipped file): 40 training days, 300 test days, with
    # nothing but the estimator's own defaults (LSTM-FCN, options adapted to the data)
    from lstmkit.datasets import load_suite_classification

    data = load_suite_classification("ItalyPowerDemand")
    clf = SequenceClassifier(random_state=0).fit(data.X_train[:40], data.y_train[:40])
    # (the full rule: ~1,500 steps at most, early stopping on 4 validation days)
    assert type(clf.network_).__name__ == "LSTMFCNNetwork"
    assert clf.training_options_.validation_patience is not None  # early stopping on
    assert clf.score(data.X_test[:300], data.y_test[:300]) >= 0.85  # chance: 0.5
