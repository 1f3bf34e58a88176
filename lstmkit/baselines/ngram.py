"""N-gram language models: the baselines an LSTM language model must beat.

* :class:`KneserNeyTrigram`: interpolated Kneser-Ney (Kneser & Ney 1995; the
  interpolated form of Chen & Goodman 1998, section 3.5) with one absolute discount
  per order. Lower orders use *continuation* counts (in how many different contexts a
  word appears, not how often), and the unigram level is interpolated with the
  uniform distribution, so no token of the vocabulary ever gets probability zero.
* :class:`AddKNGram`: add-k (Lidstone) smoothing of order 1 (a unigram model) to 3.

Both work on token ids (``0 .. vocab_size - 1``; ``<unk>`` is an ordinary token) of
one continuous text, and score a text the way an LSTM language model does: every
token after the first, each given the tokens before it (at most two here). Position 1
has one token of history and uses the bigram level.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np

from lstmkit._checks import describe

__all__ = ["AddKNGram", "KneserNeyTrigram", "perplexity_from_log_probs"]


def perplexity_from_log_probs(log_probs: Sequence[float] | np.ndarray) -> float:
    """Perplexity ``exp(-mean(log p))`` from natural-log probabilities of the tokens.

    Args:
        log_probs: ``log p(token | history)`` of each scored token.

    Returns:
        The perplexity (1 = certain; the vocabulary size = a uniform guess).

    Example:
        >>> from lstmkit.baselines.ngram import perplexity_from_log_probs
        >>> round(perplexity_from_log_probs([math.log(0.25)] * 4), 6)
        4.0
    """
    values = np.asarray(log_probs, dtype=np.float64)
    if values.ndim != 1 or values.size == 0:
        raise ValueError(
            f"log_probs must be a non-empty 1-D sequence; received {describe(log_probs)}"
        )
    return float(np.exp(-values.mean()))


def _check_tokens(tokens: Any, vocab_size: int, name: str = "tokens") -> list[int]:
    array = np.asarray(tokens)
    if array.ndim != 1 or (array.size and not np.issubdtype(array.dtype, np.integer)):
        raise TypeError(
            f"{name} must be a 1-D sequence of int token ids; received {describe(tokens)}"
        )
    if array.size and (array.min() < 0 or array.max() >= vocab_size):
        raise ValueError(
            f"{name} must hold ids in [0, {vocab_size}) (vocab_size={vocab_size}); "
            f"received ids from {array.min()} to {array.max()}"
        )
    return array.astype(np.int64).tolist()


def _check_vocab_size(vocab_size: Any) -> None:
    if (
        isinstance(vocab_size, bool)
        or not isinstance(vocab_size, int | np.integer)
        or vocab_size < 1
    ):
        raise ValueError(f"vocab_size must be an int >= 1; received {describe(vocab_size)}")


def _estimated_discount(counts: Any) -> float:
    """Ney et al.'s estimate D = n1 / (n1 + 2 n2) from the counts of counts."""
    of_counts = Counter(counts)
    n1, n2 = of_counts.get(1, 0), of_counts.get(2, 0)
    if n1 == 0:  # no singletons (a toy corpus): fall back to the usual constant
        return 0.75
    return min(max(n1 / (n1 + 2 * n2), 0.05), 0.95)


class _NGramBase:
    """Scoring shared by the n-gram models: log-probabilities and perplexity."""

    vocab_size: int

    def _check_fitted(self) -> None:
        if not hasattr(self, "n_tokens_"):
            raise ValueError(
                f"this {type(self).__name__} is not fitted yet; call fit(tokens) first"
            )

    def probability(self, word: int, context: Sequence[int] = ()) -> float:  # pragma: no cover
        raise NotImplementedError

    def log_probs(self, tokens: Sequence[int] | np.ndarray) -> np.ndarray:
        """Natural-log probability of every token after the first, given its history.

        Args:
            tokens: token ids of a continuous text (at least 2).

        Returns:
            A float64 array of ``len(tokens) - 1`` values.
        """
        self._check_fitted()
        ids = _check_tokens(tokens, self.vocab_size)
        if len(ids) < 2:
            raise ValueError(f"tokens must hold at least 2 ids to score; received {len(ids)}")
        out = np.empty(len(ids) - 1)
        prob = self.probability
        out[0] = math.log(prob(ids[1], (ids[0],)))
        for i in range(2, len(ids)):
            out[i - 1] = math.log(prob(ids[i], (ids[i - 2], ids[i - 1])))
        return out

    def perplexity(self, tokens: Sequence[int] | np.ndarray) -> float:
        """Perplexity on a text: ``exp`` of the mean negative log-probability.

        Args:
            tokens: token ids of a continuous text (at least 2).

        Returns:
            The perplexity over ``tokens[1:]``.
        """
        return perplexity_from_log_probs(self.log_probs(tokens))


class KneserNeyTrigram(_NGramBase):
    """Interpolated Kneser-Ney trigram language model.

    With discounts D3, D2, D1 (one per order)::

        P(w | u, v) = max(c(u v w) - D3, 0) / c(u v .)
                      + D3 * N(u v .) / c(u v .) * P2(w | v)
        P2(w | v)   = max(N(. v w) - D2, 0) / N(. v .)
                      + D2 * N(v .)' / N(. v .) * P1(w)
        P1(w)       = max(N(. w) - D1, 0) / N(. .) + D1 * N(w)' / N(. .) / V

    where c are counts, ``N(. v w)`` the number of distinct words seen before the
    bigram ``v w`` (a continuation count), ``N(. v .)`` their sum over w, ``N(u v .)``
    and ``N(v .)'`` the number of distinct words following a context, ``N(. w)`` the
    number of distinct words before w, ``N(. .)`` the number of distinct bigrams,
    ``N(w)'`` the number of words with ``N(. w) > 0`` and V the vocabulary size. A
    context never seen passes its whole weight to the next order down. Each level
    sums to 1 over the vocabulary.

    Args:
        vocab_size: V, the number of token ids (``<unk>`` included).
        discount: one D for all orders, a tuple ``(D1, D2, D3)``, or None (default) to
            estimate each as ``n1 / (n1 + 2 n2)`` from that order's counts of counts
            (Ney, Essen & Kneser 1994), clipped to [0.05, 0.95].

    Returns:
        After :meth:`fit`: ``discounts_`` (D1, D2, D3) and ``n_tokens_``.

    Example:
        >>> from lstmkit.baselines.ngram import KneserNeyTrigram
        >>> lm = KneserNeyTrigram(vocab_size=4, discount=0.5).fit([0, 1, 0, 1, 2])
        >>> round(lm.probability(2, (0, 1)), 6)   # 43/96, worked out in the tests
        0.447917
        >>> round(sum(lm.probability(w, (0, 1)) for w in range(4)), 12)
        1.0
    """

    def __init__(self, vocab_size: int, discount: float | tuple[float, float, float] | None = None):
        self.vocab_size = vocab_size
        self.discount = discount

    def _discounts(self, counts3: Any, counts2: Any, counts1: Any) -> tuple[float, float, float]:
        d = self.discount
        if d is None:
            return (
                _estimated_discount(counts1),
                _estimated_discount(counts2),
                _estimated_discount(counts3),
            )
        values = (d, d, d) if isinstance(d, int | float) and not isinstance(d, bool) else d
        if (
            not isinstance(values, tuple | list)
            or len(values) != 3
            or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)
        ):
            raise TypeError(
                f"discount must be a number, a tuple (D1, D2, D3) or None; received {describe(d)}"
            )
        if not all(0 < v < 1 for v in values):
            raise ValueError(f"discount values must lie in (0, 1); received {describe(d)}")
        return float(values[0]), float(values[1]), float(values[2])

    def fit(self, tokens: Sequence[int] | np.ndarray) -> KneserNeyTrigram:
        """Count the trigrams, bigrams and continuation counts of a training text.

        Args:
            tokens: token ids of one continuous text.

        Returns:
            self.
        """
        _check_vocab_size(self.vocab_size)
        ids = _check_tokens(tokens, self.vocab_size)
        if len(ids) < 3:
            raise ValueError(
                f"tokens must hold at least 3 ids to fit a trigram; received {len(ids)}"
            )
        trigrams = Counter(zip(ids, ids[1:], ids[2:], strict=False))
        bigrams = Counter(itertools.pairwise(ids))
        # Highest order: plain counts, per context their total and number of types.
        self._c3 = trigrams
        self._ctx3_total: Counter = Counter()
        self._ctx3_types: Counter = Counter()
        for (u, v, _), count in trigrams.items():
            self._ctx3_total[(u, v)] += count
            self._ctx3_types[(u, v)] += 1
        # Middle order: in how many different left contexts u each bigram (v, w) occurs.
        self._c2 = Counter((v, w) for (_, v, w) in trigrams)
        self._ctx2_total: Counter = Counter()
        self._ctx2_types: Counter = Counter()
        for (v, _), count in self._c2.items():
            self._ctx2_total[v] += count
            self._ctx2_types[v] += 1
        # Lowest order: after how many different words each word occurs.
        self._c1 = Counter(w for (_, w) in bigrams)
        self._total1 = sum(self._c1.values())
        self._types1 = len(self._c1)
        self.discounts_ = self._discounts(trigrams.values(), self._c2.values(), self._c1.values())
        self.n_tokens_ = len(ids)
        return self

    def _p1(self, w: int) -> float:
        d1 = self.discounts_[0]
        seen = max(self._c1.get(w, 0) - d1, 0.0) / self._total1
        return seen + d1 * self._types1 / self._total1 / self.vocab_size

    def _p2(self, w: int, v: int) -> float:
        total = self._ctx2_total.get(v, 0)
        if total == 0:
            return self._p1(w)
        d2 = self.discounts_[1]
        seen = max(self._c2.get((v, w), 0) - d2, 0.0) / total
        return seen + d2 * self._ctx2_types[v] / total * self._p1(w)

    def probability(self, word: int, context: Sequence[int] = ()) -> float:
        """``P(word | context)`` from the last (up to) two ids of ``context``.

        Args:
            word: a token id.
            context: the preceding ids; ``()`` gives the unigram level, one id the
                bigram level, two (or more; the last two count) the trigram.

        Returns:
            The probability, > 0 for every id of the vocabulary.
        """
        self._check_fitted()
        context = tuple(int(c) for c in context)[-2:]
        w = int(word)
        if len(context) == 0:
            return self._p1(w)
        if len(context) == 1:
            return self._p2(w, context[0])
        u, v = context
        total = self._ctx3_total.get((u, v), 0)
        if total == 0:
            return self._p2(w, v)
        d3 = self.discounts_[2]
        seen = max(self._c3.get((u, v, w), 0) - d3, 0.0) / total
        return seen + d3 * self._ctx3_types[(u, v)] / total * self._p2(w, v)


class AddKNGram(_NGramBase):
    """Add-k (Lidstone) smoothed n-gram model, order 1 (unigram) to 3 (trigram).

    ``P(w | h) = (c(h w) + k) / (c(h .) + k V)`` with h the last ``order - 1`` tokens
    (fewer at the start of a text); k = 1 is Laplace's add-one.

    Args:
        vocab_size: V, the number of token ids.
        order: 1, 2 or 3.
        k: the pseudo-count added to every n-gram, > 0.

    Returns:
        After :meth:`fit`: ``n_tokens_``.

    Example:
        >>> from lstmkit.baselines.ngram import AddKNGram
        >>> lm = AddKNGram(vocab_size=3, order=1, k=1.0).fit([0, 0, 1])
        >>> lm.probability(0), lm.probability(2)   # (2 + 1) / (3 + 3), (0 + 1) / 6
        (0.5, 0.16666666666666666)
    """

    def __init__(self, vocab_size: int, order: int = 3, k: float = 0.01) -> None:
        self.vocab_size = vocab_size
        self.order = order
        self.k = k

    def fit(self, tokens: Sequence[int] | np.ndarray) -> AddKNGram:
        """Count the n-grams of every order up to ``order`` in a training text.

        Args:
            tokens: token ids of one continuous text.

        Returns:
            self.
        """
        _check_vocab_size(self.vocab_size)
        if self.order not in (1, 2, 3):
            raise ValueError(f"order must be 1, 2 or 3; received {describe(self.order)}")
        if isinstance(self.k, bool) or not isinstance(self.k, int | float) or not self.k > 0:
            raise ValueError(f"k must be a number > 0; received {describe(self.k)}")
        ids = _check_tokens(tokens, self.vocab_size)
        if len(ids) < self.order:
            raise ValueError(
                f"tokens must hold at least order={self.order} ids; received {len(ids)}"
            )
        self._counts: list[Counter] = []
        self._context_totals: list[Counter] = []
        for n in range(1, self.order + 1):
            grams = Counter(zip(*(ids[i:] for i in range(n)), strict=False))
            totals: Counter = Counter()
            for gram, count in grams.items():
                totals[gram[:-1]] += count
            self._counts.append(grams)
            self._context_totals.append(totals)
        self.n_tokens_ = len(ids)
        return self

    def probability(self, word: int, context: Sequence[int] = ()) -> float:
        """``P(word | context)`` from the last ``order - 1`` ids of ``context``.

        Args:
            word: a token id.
            context: the preceding ids (fewer than ``order - 1`` use a lower order).

        Returns:
            The smoothed probability.
        """
        self._check_fitted()
        n = min(self.order - 1, len(context))
        history = tuple(int(c) for c in context)[len(context) - n :] if n else ()
        count = self._counts[n].get((*history, int(word)), 0)
        total = self._context_totals[n].get(history, 0)
        return (count + self.k) / (total + self.k * self.vocab_size)
