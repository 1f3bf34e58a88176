"""N-gram baselines: Kneser-Ney and add-k against values worked out by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lstmkit.baselines.ngram import AddKNGram, KneserNeyTrigram, perplexity_from_log_probs

A, B, C, D = 0, 1, 2, 3
TINY = [A, B, A, B, C]  # "a b a b c"; d (id 3) is in the vocabulary but never seen


def test_kneser_ney_matches_hand_computed_values():
    """Worked out with D = 0.5 and V = 4 on "a b a b c".

    Trigrams: aba, bab, abc (once each). Bigrams: ab x2, ba, bc.
    Continuation counts, middle order N(. v w): ba 1 (from aba), ab 1 (bab), bc 1 (abc);
    so context b has total 2 over 2 types, context a total 1 over 1 type.
    Lowest order N(. w): a 1 (after b), b 1 (after a), c 1 (after b); 3 bigram types.
      P1(a) = (1 - .5)/3 + .5 * 3/3 / 4 = 1/6 + 1/8 = 7/24  (also b, c);  P1(d) = 1/8
      P2(c|b) = (1 - .5)/2 + .5 * 2/2 * P1(c) = 1/4 + 7/48 = 19/48
      P2(d|b) = .5 * P1(d) = 1/16
      P3(c|a,b): context ab has aba, abc: total 2, 2 types
              = (1 - .5)/2 + .5 * 2/2 * P2(c|b) = 1/4 + 19/96 = 43/96
      P3(d|a,b) = .5 * P2(d|b) = 1/32
      P2(b|a) = (1 - .5)/1 + .5 * 1/1 * P1(b) = 1/2 + 7/48 = 31/48
    """
    lm = KneserNeyTrigram(vocab_size=4, discount=0.5).fit(TINY)
    assert lm.discounts_ == (0.5, 0.5, 0.5)
    assert lm.probability(A) == pytest.approx(7 / 24)
    assert lm.probability(D) == pytest.approx(1 / 8)
    assert lm.probability(C, (B,)) == pytest.approx(19 / 48)
    assert lm.probability(C, (A, B)) == pytest.approx(43 / 96)
    assert lm.probability(D, (A, B)) == pytest.approx(1 / 32)
    assert lm.probability(A, (C, C)) == pytest.approx(7 / 24)  # unseen contexts back off
    # Scoring "a b c": b given a (bigram level), then c given a b.
    expected = math.exp(-(math.log(31 / 48) + math.log(43 / 96)) / 2)
    assert lm.perplexity([A, B, C]) == pytest.approx(expected)


def test_kneser_ney_is_a_distribution_everywhere():
    rng = np.random.default_rng(0)
    tokens = rng.choice(12, size=400, p=np.r_[np.full(6, 0.12), np.full(6, 0.28 / 6)])
    lm = KneserNeyTrigram(vocab_size=15).fit(tokens)  # ids 12-14 never seen
    assert all(0.05 <= d <= 0.95 for d in lm.discounts_)
    for context in [(), (3,), (13,), (1, 2), (13, 14), (int(tokens[0]), int(tokens[1]))]:
        probs = [lm.probability(w, context) for w in range(15)]
        assert min(probs) > 0
        assert sum(probs) == pytest.approx(1.0, abs=1e-12)


def test_kneser_ney_beats_add_one_and_unigram_on_held_out_markov_text():
    rng = np.random.default_rng(1)
    transition = rng.dirichlet(np.full(30, 0.1), size=30)  # a sparse first-order chain
    tokens = [0]
    for _ in range(6000):
        tokens.append(int(rng.choice(30, p=transition[tokens[-1]])))
    train, test = tokens[:5000], tokens[5000:]
    kn = KneserNeyTrigram(30).fit(train).perplexity(test)
    add_one = AddKNGram(30, order=3, k=1.0).fit(train).perplexity(test)
    unigram = AddKNGram(30, order=1, k=1.0).fit(train).perplexity(test)
    assert kn < add_one and kn < 0.7 * unigram


def test_add_k_matches_hand_computed_values():
    lm = AddKNGram(vocab_size=4, order=3, k=0.5).fit(TINY)
    # c(a b c) = 1, c(a b .) = 2:  (1 + .5) / (2 + .5 * 4) = 3/8
    assert lm.probability(C, (A, B)) == pytest.approx(3 / 8)
    # bigram level for one token of history: c(a b) = 2, c(a .) = 2 -> 2.5 / 4
    assert lm.probability(B, (A,)) == pytest.approx(2.5 / 4)
    unigram = AddKNGram(vocab_size=4, order=1, k=1.0).fit(TINY)
    assert [unigram.probability(w) for w in range(4)] == pytest.approx([3 / 9, 3 / 9, 2 / 9, 1 / 9])
    assert sum(lm.probability(w, (B, A)) for w in range(4)) == pytest.approx(1.0)


def test_perplexity_from_log_probs_and_errors():
    assert perplexity_from_log_probs(np.log([0.5, 0.125])) == pytest.approx(4.0)
    with pytest.raises(ValueError, match="log_probs must be a non-empty"):
        perplexity_from_log_probs([])
    with pytest.raises(ValueError, match=r"tokens must hold ids in \[0, 4\)"):
        KneserNeyTrigram(4).fit([0, 1, 5])
    with pytest.raises(ValueError, match="not fitted"):
        KneserNeyTrigram(4).perplexity([0, 1])
    with pytest.raises(ValueError, match="discount values must lie in"):
        KneserNeyTrigram(4, discount=1.5).fit(TINY)
    with pytest.raises(ValueError, match="order must be 1, 2 or 3"):
        AddKNGram(4, order=4).fit(TINY)
