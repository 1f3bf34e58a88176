"""The long-time-lag generators (adding, temporal order, embedded Reber) and their criteria."""

import numpy as np
import pytest

from lstmkit.datasets.long_memory import (
    REBER_SYMBOLS,
    TEMPORAL_ORDER_SYMBOLS,
    adding_problem,
    adding_solved,
    embedded_reber,
    reber_accepts,
    reber_solved,
    temporal_order,
    temporal_order_solved,
)

# ----------------------------------------------------------------- adding problem


@pytest.mark.parametrize("T", [10, 20, 100])
def test_adding_lengths_positions_markers_and_target(T):
    d = adding_problem(2000, T, seed=3)
    lengths = d.lengths
    # lengths uniform in [T, T + T/10]: every value occurs, nothing outside
    assert set(lengths.tolist()) == set(range(T, T + T // 10 + 1))
    first, second = d.positions[:, 0], d.positions[:, 1]
    assert first.min() == 0 and first.max() == 9
    assert second.min() == 0 and second.max() == T // 2 - 2  # first T/2 - 1 steps
    assert (first != second).all()
    for x, (p1, p2), target in zip(d.X, d.positions, d.y, strict=True):
        values, markers = x[:, 0], x[:, 1]
        assert np.abs(values).max() <= 1.0
        assert sorted(np.flatnonzero(markers == 1.0).tolist()) == sorted([p1, p2])
        assert set(np.unique(markers)) <= {-1.0, 0.0, 1.0}
        if 0 not in (p1, p2):
            assert markers[0] == -1.0
        else:
            assert values[0] == 0.0  # the paper's rule when the first pair is marked
        if len(x) - 1 not in (p1, p2):  # at T = 10 the last pair may be the first mark
            assert markers[-1] == -1.0
        assert target == pytest.approx(0.5 + (values[p1] + values[p2]) / 4, abs=1e-6)
    assert 0.0 <= d.y.min() and d.y.max() <= 1.0


def test_adding_values_are_uniform_and_targets_have_the_right_spread():
    d = adding_problem(3000, 50, seed=0)
    values = np.concatenate([x[:, 0] for x in d.X])
    assert values.mean() == pytest.approx(0.0, abs=0.01)
    assert values.var() == pytest.approx(1 / 3, abs=0.01)  # uniform [-1, 1]
    # X1 + X2 has variance 2/3 (slightly less: X1 = 0 when step 0 is marked), /16
    assert d.y.var() == pytest.approx(2 / 3 / 16, rel=0.08)


def test_adding_is_seeded_and_shared_length_shares_one_length():
    a, b, c = (adding_problem(5, 30, seed=s) for s in (1, 1, 2))
    assert all(np.array_equal(x, y) for x, y in zip(a.X, b.X, strict=True))
    assert not np.array_equal(a.y, c.y)
    shared = adding_problem(50, 30, seed=4, shared_length=True)
    assert len(set(shared.lengths.tolist())) == 1 and 30 <= shared.lengths[0] <= 33


def test_adding_solved_uses_a_strict_tolerance_of_0_04():
    targets = np.array([0.5, 0.5, 0.5, 0.5])
    predictions = np.array([0.5, 0.539, 0.461, 0.541])
    assert adding_solved(predictions, targets).tolist() == [True, True, True, False]
    assert not adding_solved(np.array([0.5]), np.array([0.54]))[0]  # 0.04 off: not < 0.04
    with pytest.raises(ValueError, match="one value per sequence"):
        adding_solved(np.zeros(3), np.zeros(4))


def test_adding_rejects_bad_arguments():
    with pytest.raises(ValueError, match="min_length"):
        adding_problem(3, 5)
    with pytest.raises(TypeError, match="num_sequences"):
        adding_problem(2.5, 20)


# ----------------------------------------------------------------- temporal order


@pytest.mark.parametrize(
    ("task", "windows", "classes"),
    [("6a", [(10, 20), (50, 60)], 4), ("6b", [(10, 20), (33, 43), (66, 76)], 8)],
)
def test_temporal_order_structure_and_class_balance(task, windows, classes):
    d = temporal_order(4000, task=task, seed=1)
    assert len(d.classes) == classes
    for x, positions, label in zip(d.X[:300], d.positions, d.y, strict=False):
        assert 100 <= len(x) <= 110
        assert (x.sum(1) == 1).all()  # one-hot
        word = "".join(TEMPORAL_ORDER_SYMBOLS[i] for i in x.argmax(1))
        assert word[0] == "E" and word[-1] == "B"
        relevant = [t for t, s in enumerate(word) if s in "XY"]
        assert relevant == positions.tolist()
        assert all(lo <= t <= hi for t, (lo, hi) in zip(relevant, windows, strict=True))
        assert set(word[1:-1]) - set("XY") <= set("abcd")
        # the class is the X/Y order read as a binary number, X = 0
        assert label == int("".join("01"[word[t] == "Y"] for t in relevant), 2)
    counts = np.bincount(d.y, minlength=classes) / len(d.y)
    assert np.abs(counts - 1 / classes).max() < 0.025


def test_temporal_order_class_names_follow_the_paper():
    d = temporal_order(200, task="6a", seed=0)
    word = lambda x: "".join(TEMPORAL_ORDER_SYMBOLS[i] for i in x.argmax(1))  # noqa: E731
    for x, positions, label in zip(d.X, d.positions, d.y, strict=True):
        pair = "".join(word(x)[t] for t in positions)
        assert d.classes[label] == {"XX": "Q", "XY": "R", "YX": "S", "YY": "U"}[pair]


def test_temporal_order_solved_needs_every_output_within_0_3():
    p = np.array(
        [
            [0.75, 0.25, 0.0, 0.0],  # all within 0.3 of (1, 0, 0, 0)
            [0.69, 0.31, 0.0, 0.0],  # correct argmax, but two errors >= 0.3
            [0.1, 0.8, 0.05, 0.05],  # right for class 1
        ]
    )
    assert temporal_order_solved(p, np.array([0, 0, 1])).tolist() == [True, False, True]
    assert temporal_order_solved(p, np.array([1, 1, 0])).tolist() == [False, False, False]


# ------------------------------------------------------------------ embedded Reber


def test_embedded_reber_strings_are_grammatical_and_repeat_the_embedding_symbol():
    d = embedded_reber(500, seed=2)
    assert all(reber_accepts(s) for s in d.strings)
    assert all(s[1] == s[-2] and s[1] in "TP" for s in d.strings)
    assert {s[1] for s in d.strings} == {"T", "P"}
    assert min(len(s) for s in d.strings) == 9  # B T BTXSE T E, the shortest


def test_embedded_reber_targets_mark_exactly_the_legal_next_symbols():
    d = embedded_reber(3000, seed=5)
    code = {s: i for i, s in enumerate(REBER_SYMBOLS)}
    # What really follows each prefix in 3000 strings: for a prefix seen >= 20 times a
    # legal symbol (probability >= 1/2 each time) is missed with probability < 1e-6.
    seen: dict[str, set[str]] = {}
    counts: dict[str, int] = {}
    for string in d.strings:
        for t in range(1, len(string)):
            seen.setdefault(string[:t], set()).add(string[t])
            counts[string[:t]] = counts.get(string[:t], 0) + 1
    checked = 0
    for string, x, y in zip(d.strings, d.X, d.y, strict=True):
        assert [REBER_SYMBOLS[i] for i in x.argmax(1)] == list(string[:-1])
        for t in range(len(string) - 1):
            legal = {REBER_SYMBOLS[i] for i in np.flatnonzero(y[t])}
            assert string[t + 1] in legal and legal >= seen[string[: t + 1]]
            if counts[string[: t + 1]] >= 20:
                assert legal == seen[string[: t + 1]]
                checked += 1
        assert y[0, [code["T"], code["P"]]].tolist() == [1, 1] and y[0].sum() == 2
        assert y[1].tolist() == np.eye(7)[code["B"]].tolist()
        # after the inner E, only the remembered symbol: the long-lag prediction
        assert y[-2].tolist() == np.eye(7)[code[string[1]]].tolist()
        assert y[-1].tolist() == np.eye(7)[code["E"]].tolist()
    assert checked > 10_000


def test_reber_accepts_hand_cases():
    assert reber_accepts("BTXSE", embedded=False)
    assert reber_accepts("BPVVE", embedded=False)
    assert not reber_accepts("BTXXE", embedded=False)
    assert reber_accepts("BTBTXSETE")
    assert not reber_accepts("BTBTXSEPE")  # the embedding symbol must repeat
    assert not reber_accepts("BPBTXSE")


def test_reber_solved_needs_the_legal_symbols_on_top_at_every_step():
    target = [np.array([[0, 1, 0, 0, 1, 0, 0], [1, 0, 0, 0, 0, 0, 0]], float)]
    good = np.array([[0, 0.5, 0.1, 0, 0.4, 0, 0], [0.3, 0.2, 0, 0, 0, 0, 0]])
    assert reber_solved([good], target).tolist() == [True]
    wrong_second = good.copy()
    wrong_second[1, 1] = 0.35  # an illegal symbol beats the only legal one
    tie = good.copy()
    tie[0, 2] = 0.4  # an illegal symbol ties with a legal one
    assert reber_solved([wrong_second, tie], target * 2).tolist() == [False, False]
