"""Bucketing sampler, padding, SequenceLength modes, collation and the dataset."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch.utils.data import BatchSampler, DataLoader, RandomSampler

from lstmkit.data import (
    IGNORE_INDEX,
    BucketBatchSampler,
    SequenceCollator,
    SequenceDataset,
    apply_sequence_length,
    chunk_sequence,
    epoch_padding_fraction,
    pad_batch,
    padding_fraction,
)


def _skewed_lengths(n=600, seed=0):
    # many short sequences and a long tail, as in real recordings
    rng = np.random.default_rng(seed)
    return (rng.lognormal(mean=3.0, sigma=0.9, size=n)).astype(int) + 1


# -------------------------------------------------------------- BucketBatchSampler


@pytest.mark.parametrize("drop_last", [False, True])
@pytest.mark.parametrize("shuffle", [True, False])
def test_every_index_once_per_epoch(shuffle, drop_last):
    lengths = _skewed_lengths(103)
    sampler = BucketBatchSampler(lengths, 10, shuffle=shuffle, drop_last=drop_last)
    for epoch in range(3):
        sampler.set_epoch(epoch)
        batches = list(sampler)
        assert len(batches) == len(sampler) == (10 if drop_last else 11)
        flat = [i for b in batches for i in b]
        assert len(flat) == len(set(flat)) == (100 if drop_last else 103)
        assert all(len(b) == 10 for b in batches) or not drop_last


def test_deterministic_per_seed_and_epoch_and_different_across_epochs():
    lengths = _skewed_lengths(200)
    a = BucketBatchSampler(lengths, 16, seed=3)
    b = BucketBatchSampler(lengths, 16, seed=3)
    torch.manual_seed(123)  # global RNG state must not matter
    np.random.default_rng(7)  # nor does any numpy generator in use
    first = list(a)
    assert first == list(b) == list(a)
    a.set_epoch(1)
    second = list(a)
    assert second != first
    b.set_epoch(1)
    assert list(b) == second
    assert list(BucketBatchSampler(lengths, 16, seed=4)) != first


def test_batches_hold_neighbouring_lengths():
    lengths = _skewed_lengths(500)
    batches = sorted(BucketBatchSampler(lengths, 25, seed=1), key=lambda b: lengths[b].min())
    # length ranges of the batches never overlap: each batch is a run of the length order
    for this, following in itertools.pairwise(batches):
        assert lengths[this].max() <= lengths[following].min()


def test_bucketing_pads_far_less_than_random_batching():
    lengths = _skewed_lengths(600)
    bucket = epoch_padding_fraction(lengths, BucketBatchSampler(lengths, 32, seed=0))
    generator = torch.Generator().manual_seed(0)
    random_batches = BatchSampler(RandomSampler(range(600), generator=generator), 32, False)
    random = epoch_padding_fraction(lengths, random_batches)
    # lognormal lengths (median 20, up to ~300): most of a random batch is padding; the
    # buckets pad mainly in the few batches of the long tail
    assert random > 0.7
    assert bucket < 0.3
    assert bucket < random / 2.5


def test_shuffle_false_is_sorted_and_fixed():
    lengths = [5, 1, 4, 2, 3, 9, 1]
    sampler = BucketBatchSampler(lengths, 3, shuffle=False)
    assert list(sampler) == [[1, 6, 3], [4, 2, 0], [5]]
    sampler.set_epoch(5)
    assert list(sampler) == [[1, 6, 3], [4, 2, 0], [5]]


def test_drop_last_with_shuffle_leaves_out_random_sequences():
    lengths = np.arange(1, 12)  # 11 sequences, batches of 4: 3 left out each epoch
    sampler = BucketBatchSampler(lengths, 4, drop_last=True)
    left_out = set()
    for epoch in range(10):
        sampler.set_epoch(epoch)
        left_out |= set(range(11)) - {i for b in sampler for i in b}
    assert len(left_out) > 3  # not always the 3 longest


@pytest.mark.parametrize(
    "kwargs,error,pattern",
    [
        ({"lengths": []}, ValueError, r"lengths must hold at least one length"),
        ({"lengths": [3, 0, 2]}, ValueError, r"lengths must all be >= 1; .*lengths\[1\] = 0"),
        ({"lengths": [1.5, 2.0]}, TypeError, r"lengths must be a 1-D sequence of integer lengths"),
        ({"batch_size": 0}, ValueError, r"batch_size must be an int >= 1; received 0"),
        ({"shuffle": "yes"}, TypeError, r"shuffle must be True or False"),
        ({"seed": -1}, ValueError, r"seed must be an int >= 0"),
    ],
)
def test_sampler_errors(kwargs, error, pattern):
    options = {"lengths": [3, 2], "batch_size": 2} | kwargs
    with pytest.raises(error, match=pattern):
        BucketBatchSampler(**options)
    with pytest.raises(ValueError, match=r"epoch must be an int >= 0"):
        BucketBatchSampler([1, 2], 1).set_epoch(-1)


# ----------------------------------------------------------------------- padding


def test_pad_right_and_left_place_values():
    a = np.array([[1.0, 10.0], [2.0, 20.0], [3.0, 30.0]])
    b = np.array([[4.0, 40.0]])
    x, lengths = pad_batch([a, b])
    assert x.shape == (2, 3, 2) and x.dtype == torch.float32
    assert lengths.tolist() == [3, 1] and lengths.dtype == torch.int64
    assert x[1].tolist() == [[4.0, 40.0], [0.0, 0.0], [0.0, 0.0]]
    x, _ = pad_batch([a, torch.as_tensor(b)], side="left", value=-1.0)
    assert x[1].tolist() == [[-1.0, -1.0], [-1.0, -1.0], [4.0, 40.0]]
    assert x[0].tolist() == a.tolist()


def test_pad_one_dimensional_integer_targets():
    y, _ = pad_batch([np.array([1, 2]), np.array([3])], value=-100, dtype=torch.int64)
    assert y.tolist() == [[1, 2], [3, -100]] and y.dtype == torch.int64


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(1, 12), min_size=1, max_size=6), st.sampled_from(["right", "left"]))
def test_unpadding_recovers_the_sequences(lengths, side):
    seqs = [np.random.default_rng(n).normal(size=(n, 2)).astype(np.float32) for n in lengths]
    x, out_lengths = pad_batch(seqs, side=side)
    for i, n in enumerate(out_lengths.tolist()):
        kept = x[i, :n] if side == "right" else x[i, x.shape[1] - n :]
        np.testing.assert_array_equal(kept.numpy(), seqs[i])


@pytest.mark.parametrize(
    "seqs,kwargs,error,pattern",
    [
        ([np.ones((2, 1))], {"side": "top"}, ValueError, r"side must be one of 'right', 'left'"),
        ([], {}, ValueError, r"seqs must be a non-empty list"),
        ([np.ones((2, 2)), np.ones((2, 3))], {}, ValueError, r"seqs\[1\] has shape \(2, 3\)"),
        ([np.ones((2, 2)), np.ones((0, 2))], {}, ValueError, r"seqs\[1\] must have at least one"),
        ([np.ones(2)], {"dtype": "float32"}, TypeError, r"dtype must be a torch.dtype"),
    ],
)
def test_pad_errors(seqs, kwargs, error, pattern):
    with pytest.raises(error, match=pattern):
        pad_batch(seqs, **kwargs)


# ------------------------------------------------------------- sequence_length


def test_longest_changes_nothing():
    seqs = [np.arange(5), np.arange(2)]
    out, targets = apply_sequence_length(seqs, [0, 1], sequence_length="longest")
    assert [s.tolist() for s in out] == [[0, 1, 2, 3, 4], [0, 1]] and targets == [0, 1]


@pytest.mark.parametrize("side,expected", [("right", [0, 1]), ("left", [3, 4])])
def test_shortest_truncates_inputs_and_step_targets(side, expected):
    seqs = [np.arange(5), np.arange(2)]
    step_targets = [np.arange(5) * 10, np.arange(2) * 10]
    out, targets = apply_sequence_length(seqs, step_targets, sequence_length="shortest", side=side)
    assert [len(s) for s in out] == [2, 2]
    assert out[0].tolist() == expected
    assert targets[0].tolist() == [10 * v for v in expected]
    # sequence-level targets are kept as they are
    _, labels = apply_sequence_length(seqs, np.array([3, 4]), sequence_length="shortest")
    assert labels.tolist() == [3, 4]


def test_int_splits_inputs_and_step_targets_alike():
    seqs = [np.arange(7), np.arange(3)]
    out, targets = apply_sequence_length(seqs, [np.arange(7) + 100, np.arange(3) + 100],
                                         sequence_length=3)  # fmt: skip
    assert [s.tolist() for s in out] == [[0, 1, 2], [3, 4, 5], [6], [0, 1, 2]]
    assert [t.tolist() for t in targets] == [
        [100, 101, 102],
        [103, 104, 105],
        [106],
        [100, 101, 102],
    ]


def test_int_with_sequence_targets_needs_permission():
    seqs = [np.arange(7), np.arange(3)]
    with pytest.raises(ValueError, match=r"sequence_length=3 splits sequences.*one per sequence.*"
                       r"allow_repeat_targets=True"):  # fmt: skip
        apply_sequence_length(seqs, np.array([5, 6]), sequence_length=3)
    out, targets = apply_sequence_length(
        seqs, torch.tensor([5, 6]), sequence_length=3, allow_repeat_targets=True
    )
    assert len(out) == 4 and targets.tolist() == [5, 5, 5, 6]
    _, targets = apply_sequence_length(seqs, ["a", "b"], sequence_length=3,
                                       allow_repeat_targets=True)  # fmt: skip
    assert targets == ["a", "a", "a", "b"]


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 40), st.integers(1, 12), st.sampled_from(["right", "left"]))
def test_chunks_concatenate_back_to_the_sequence(steps, length, side):
    seq = np.arange(steps)
    chunks = chunk_sequence(seq, length, side=side)
    np.testing.assert_array_equal(np.concatenate(chunks), seq)
    assert all(1 <= len(c) <= length for c in chunks)
    full = chunks[:-1] if side == "right" else chunks[1:]
    assert all(len(c) == length for c in full)  # only one chunk may be short
    assert len(chunks) == -(-steps // length)


@pytest.mark.parametrize(
    "kwargs,error,pattern",
    [
        ({"sequence_length": 0}, ValueError, r"sequence_length must be 'longest', 'shortest' or"),
        ({"sequence_length": True}, ValueError, r"sequence_length must be .*True"),
        ({"sequence_length": "all"}, ValueError, r"sequence_length must be one of 'longest'"),
        ({"side": "up"}, ValueError, r"side must be one of"),
        ({"target_kind": "label"}, ValueError, r"target_kind must be one of 'step', 'sequence'"),
    ],
)
def test_sequence_length_errors(kwargs, error, pattern):
    options = {"sequence_length": "longest"} | kwargs
    with pytest.raises(error, match=pattern):
        apply_sequence_length([np.arange(3)], [np.arange(3)], **options)


def test_step_targets_must_match_their_sequences():
    with pytest.raises(ValueError, match=r"targets\[1\] has 2 targets but seqs\[1\] has 3 steps"):
        apply_sequence_length([np.arange(4), np.arange(3)], [np.arange(4), np.arange(2)],
                              sequence_length=2, target_kind="step")  # fmt: skip
    with pytest.raises(ValueError, match=r"2 sequences in seqs and 1 targets in targets"):
        apply_sequence_length([np.arange(4), np.arange(3)], [0], sequence_length="longest")


# ------------------------------------------------------------- padding fraction


def test_padding_fraction_counts_padded_steps():
    assert padding_fraction([torch.tensor([4, 2]), np.array([3, 3])]) == pytest.approx(2 / 14)
    assert padding_fraction([[5, 5, 5]]) == 0.0
    with pytest.raises(ValueError, match=r"batches_lengths must hold at least one batch"):
        padding_fraction([])


# ------------------------------------------------------- collator and dataset


def test_collate_sequence_level_class_indices():
    collate = SequenceCollator("right", "longest", "sequence")
    x, lengths, y = collate([(np.ones((3, 2)), np.int64(1)), (np.ones((1, 2)), 0)])
    assert x.shape == (2, 3, 2) and lengths.tolist() == [3, 1]
    assert y.dtype == torch.int64 and y.tolist() == [1, 0]


def test_collate_sequence_level_regression_values():
    collate = SequenceCollator(target_kind="sequence")
    _, _, y = collate([(np.ones((3, 2)), np.array([0.5, 1.0])), (np.ones((1, 2)), [2.0, 3.0])])
    assert y.dtype == torch.float32 and y.shape == (2, 2)


def test_collate_step_class_targets_pad_with_ignore_index_left():
    collate = SequenceCollator("left", "longest", "step")
    x, _, y = collate([(np.ones((3, 1)), np.array([0, 1, 2])), (np.ones((2, 1)), [4, 5])])
    assert IGNORE_INDEX == -100
    assert y.dtype == torch.int64 and y.tolist() == [[0, 1, 2], [-100, 4, 5]]
    assert x[1, :, 0].tolist() == [0.0, 1.0, 1.0]


def test_collate_step_regression_targets_pad_with_nan():
    collate = SequenceCollator("right", "longest", "step")
    _, _, y = collate([(np.ones((3, 1)), np.ones((3, 2))), (np.ones((1, 1)), np.ones((1, 2)))])
    assert y.dtype == torch.float32 and y.shape == (2, 3, 2)
    assert torch.isnan(y[1, 1:]).all() and not torch.isnan(y[0]).any()


def test_collate_chunks_with_step_targets():
    collate = SequenceCollator("right", 2, "step")
    x, lengths, y = collate([(np.arange(5.0)[:, None], np.arange(5)), (np.ones((1, 1)), [9])])
    assert lengths.tolist() == [2, 2, 1, 1] and x.shape == (4, 2, 1)
    assert y.tolist() == [[0, 1], [2, 3], [4, -100], [9, -100]]


def test_collate_refuses_chunks_of_sequence_labels_and_raw_labels():
    with pytest.raises(ValueError, match=r"sequence_length=2 splits sequences"):
        SequenceCollator("right", 2, "sequence")([(np.ones((3, 1)), 1)])
    with pytest.raises(TypeError, match=r"encode labels with LabelEncoding first"):
        SequenceCollator()([(np.ones((3, 1)), "cat")])
    with pytest.raises(ValueError, match=r"target_kind must be one of 'sequence', 'step', 'none'"):
        SequenceCollator(target_kind="label")


def test_dataloader_end_to_end():
    rng = np.random.default_rng(0)
    lengths = _skewed_lengths(50)
    seqs = [rng.normal(size=(n, 3)).astype(np.float32) for n in lengths]
    data = SequenceDataset(seqs, np.arange(50) % 3)
    assert len(data) == 50 and data.lengths.tolist() == lengths.tolist()
    sampler = BucketBatchSampler(data.lengths, 8, seed=0)
    loader = DataLoader(data, batch_sampler=sampler, collate_fn=SequenceCollator())
    seen = 0
    for x, batch_lengths, y in loader:
        assert x.shape[0] == batch_lengths.shape[0] == y.shape[0]
        assert x.shape[1] == int(batch_lengths.max())
        seen += x.shape[0]
    assert seen == 50
    unlabeled = SequenceDataset(seqs)
    x, _, y = SequenceCollator(target_kind="none")([unlabeled[0], unlabeled[1]])
    assert y is None and x.shape[0] == 2


def test_dataset_errors():
    with pytest.raises(ValueError, match=r"2 sequences in sequences and 3 targets in targets"):
        SequenceDataset([np.ones((2, 1))] * 2, [0, 1, 2])
    with pytest.raises(ValueError, match=r"sequences must be a non-empty list"):
        SequenceDataset([])


def test_ties_are_grouped_differently_each_epoch():
    sampler = BucketBatchSampler([4] * 12, 3, seed=0)  # all lengths equal
    groupings = set()
    for epoch in range(4):
        sampler.set_epoch(epoch)
        groupings.add(frozenset(frozenset(b) for b in sampler))
    assert len(groupings) == 4
