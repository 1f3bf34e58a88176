"""Training-time augmentation (lstmkit.data.augmentation): each transformation does what
it says, draws are reproducible per (seed, epoch, index), per-step targets follow their
steps, and bad options are refused with what was received."""

from __future__ import annotations

import numpy as np
import pytest

from lstmkit.data import SequenceDataset
from lstmkit.data.augmentation import AugmentedDataset, SequenceAugmenter


def _ramp(steps: int = 50, features: int = 2) -> np.ndarray:
    return np.stack([np.arange(steps, dtype=np.float32)] * features, axis=1)


def test_jitter_adds_noise_of_the_given_size_and_keeps_the_steps():
    x, source = SequenceAugmenter(jitter=0.5)(np.zeros((4000, 1), np.float32), _rng())
    assert abs(float(x.std()) - 0.5) < 0.03 and np.array_equal(source, np.arange(4000))


def test_scaling_multiplies_each_feature_by_one_factor():
    x, _ = SequenceAugmenter(scaling=0.2)(np.ones((30, 3), np.float32), _rng())
    assert np.allclose(x, x[0])  # the same factor at every step
    assert len(set(np.round(x[0], 6))) == 3  # a factor per feature


def test_time_warp_keeps_length_and_ends_and_moves_the_middle():
    x, source = SequenceAugmenter(time_warp=0.4)(_ramp(), _rng())
    assert x.shape == (50, 2) and source[0] == 0 and source[-1] == pytest.approx(49)
    assert np.all(np.diff(source) > 0)  # monotone: time never runs backwards
    assert np.abs(source - np.arange(50)).max() > 1.0
    assert np.allclose(x[:, 0], source)  # a ramp read at the warped times


def test_window_slice_keeps_a_window_stretched_back_to_the_length():
    x, source = SequenceAugmenter(window_slice=0.5)(_ramp(), _rng())
    assert x.shape == (50, 2)
    assert source[-1] - source[0] == pytest.approx(24)  # ceil(0.5 * 50) steps kept
    assert np.allclose(x[:, 0], source)


def test_draws_depend_on_seed_epoch_and_index_only():
    base = SequenceDataset([_ramp(20), _ramp(30)], np.array([0, 1]))
    aug = SequenceAugmenter(jitter=0.1, time_warp=0.2)
    a, b = (AugmentedDataset(base, aug, seed=3) for _ in range(2))
    assert np.array_equal(a[1][0], b[1][0])  # same seed, epoch, index
    first = a[1][0]
    a.set_epoch(1)
    assert not np.array_equal(a[1][0], first)  # a new epoch draws anew
    assert not np.array_equal(AugmentedDataset(base, aug, seed=4)[1][0], first)
    assert a[1][1] == 1 and np.array_equal(a.lengths, base.lengths)


def test_per_step_targets_follow_the_steps_they_were_read_from():
    labels = (np.arange(40) >= 20).astype(np.int64)  # 0 then 1
    base = SequenceDataset([_ramp(40, 1)], [labels])
    data = AugmentedDataset(base, SequenceAugmenter(window_slice=0.6, time_warp=0.3), seed=0,
                            target_kind="step")  # fmt: skip
    x, y = data[0]
    assert y.shape == (40,) and np.array_equal(y, (np.rint(x[:, 0]) >= 20).astype(np.int64))


@pytest.mark.parametrize(
    ("options", "error", "match"),
    [
        ({"noise": 0.1}, ValueError, "augmentation key must be one of"),
        ({"jitter": -0.1}, ValueError, r"augmentation\['jitter'\]"),
        ({"window_slice": 1.5}, ValueError, r"must be in \(0, 1\].*1.5"),
        ({"window_slice": 0}, ValueError, r"augmentation\['window_slice'\]"),
        ([("jitter", 0.1)], TypeError, "augmentation must be a dict or None"),
    ],
)
def test_bad_options_are_refused(options, error, match):
    with pytest.raises(error, match=match):
        SequenceAugmenter.from_options(options)


def _rng() -> np.random.Generator:
    return np.random.default_rng(0)
