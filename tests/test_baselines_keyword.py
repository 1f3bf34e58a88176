"""Keyword-spotting baselines (lstmkit.baselines.keyword) on tiny synthetic frame data: a
"keyword" is a fixed 24-frame feature trajectory among noise and other trajectories.
Both baselines give per-frame posteriors that rise on the keyword and stay low elsewhere,
are seeded, and refuse bad input by name."""

from __future__ import annotations

import numpy as np
import pytest

from lstmkit.baselines.keyword import DTWTemplateMatcher, FramewiseMLP, keyword_segments

F = 6  # features per frame
WORD = np.stack([np.sin(np.linspace(0, 3, 24) + k) for k in range(F)], axis=1)  # (24, F)
OTHER = np.stack([np.cos(np.linspace(0, 5, 24) * (k + 1)) for k in range(F)], axis=1)


def _clip(rng, keyword: bool, frames: int = 120):
    x = 0.3 * rng.normal(size=(frames, F))
    mask = np.zeros(frames, bool)
    a = int(rng.integers(10, frames - 40))
    # the keyword spoken a little faster or slower: DTW's job
    length = int(rng.integers(20, 29))
    source = WORD if keyword else OTHER
    warped = np.stack(
        [np.interp(np.linspace(0, 23, length), np.arange(24), source[:, k]) for k in range(F)],
        axis=1,
    )
    x[a : a + length] += 1.5 * warped
    if keyword:
        mask[a : a + length] = True
    return x, mask


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    train = [_clip(rng, k % 2 == 0) for k in range(40)]
    test = [_clip(rng, k % 2 == 0) for k in range(10)]
    return train, test


def _separation(model, test):
    inside, outside = [], []
    for x, mask in test:
        p = model.frame_posteriors(x)
        assert p.shape == (len(x),) and np.all((p >= 0) & (p <= 1))
        inside.append(p[mask])
        outside.append(p[~mask])
    return float(np.mean(np.concatenate(inside))), float(np.mean(np.concatenate(outside)))


def test_the_mlp_learns_keyword_frames(data):
    train, test = data
    mlp = FramewiseMLP(hidden_layer_sizes=(16,), max_iter=200, random_state=0)
    mlp.fit([x for x, _ in train], [m for _, m in train])
    inside, outside = _separation(mlp, test)
    assert inside > 0.6 and outside < 0.3
    again = FramewiseMLP(hidden_layer_sizes=(16,), max_iter=200, random_state=0)
    again.fit([x for x, _ in train], [m for _, m in train])
    np.testing.assert_array_equal(
        again.frame_posteriors(test[0][0]), mlp.frame_posteriors(test[0][0])
    )


def test_dtw_finds_the_warped_keyword(data):
    train, test = data
    dtw = DTWTemplateMatcher(n_templates=3, channels=F, downsample=1, stride=2, window=0.2)
    dtw.fit([x for x, _ in train], [m for _, m in train], template_candidates=[0, 2, 4, 6])
    assert len(dtw.templates_) == 3 and {i for i, _, _ in dtw.template_sources_} <= {0, 2, 4, 6}
    assert all(t.shape[0] == F for t in dtw.templates_)
    inside, outside = _separation(dtw, test)
    assert inside > 0.6 and outside < 0.4
    # distances are lowest on the keyword
    x, mask = test[0]
    d = dtw.frame_distances(x)
    assert d[mask].mean() < d[~mask].mean()


def test_dtw_downsampling_keeps_the_frame_count_and_short_clips_are_far(data):
    train, _ = data
    dtw = DTWTemplateMatcher(n_templates=2, channels=3, downsample=2, stride=4)
    dtw.fit([x for x, _ in train], [m for _, m in train])
    assert dtw.frame_posteriors(train[1][0]).shape == (120,)
    short = dtw.frame_distances(np.zeros((5, F)))  # shorter than any template
    assert short.shape == (5,) and np.all(short == dtw.far_distance_)


def test_keyword_segments():
    assert keyword_segments(np.array([1, 1, 0, 1])) == [(0, 2), (3, 4)]
    assert keyword_segments(np.zeros(3)) == []


def test_bad_inputs_are_refused_by_name(data):
    train, _ = data
    X, M = [x for x, _ in train], [m for _, m in train]
    with pytest.raises(ValueError, match="wrap it in a list"):
        FramewiseMLP().fit(X[0], M[0])
    with pytest.raises(ValueError, match=r"masks\[1\] has 3 frames"):
        FramewiseMLP().fit(X[:2], [M[0], M[1][:3]])
    with pytest.raises(ValueError, match="some keyword frames"):
        FramewiseMLP().fit(X[:2], [np.zeros(120, bool)] * 2)
    with pytest.raises(RuntimeError, match="not fitted"):
        DTWTemplateMatcher().frame_posteriors(X[0])
    with pytest.raises(ValueError, match="window must be in"):
        DTWTemplateMatcher(window=2.0).fit(X, M)
    with pytest.raises(ValueError, match="template_candidates"):
        DTWTemplateMatcher(channels=F).fit(X, M, template_candidates=[99])
    fitted = FramewiseMLP(hidden_layer_sizes=(4,), max_iter=5).fit(X[:4], M[:4])
    with pytest.raises(ValueError, match=f"must have {F} features"):
        fitted.frame_posteriors(np.zeros((10, F + 1)))
