"""The long-time-lag tasks of Hochreiter & Schmidhuber (1997), seeded, with their criteria.

The LSTM paper (S. Hochreiter and J. Schmidhuber, "Long Short-Term Memory", Neural
Computation 9(8):1735-1780, 1997) argued with artificial tasks whose answer depends on
inputs seen long before it is asked for. Three of them are generated here, each with
the paper's own success criterion:

* **Adding problem** (paper's experiment 4): pairs (value uniform in [-1, 1], marker);
  lengths uniform in [T, T + T/10]; one of the first 10 pairs and one of the first
  T/2 - 1 pairs are marked (marker 1.0); the first and last pairs carry marker -1.0
  unless marked; if the very first pair is marked its value is 0. The target at the end
  is 0.5 + (X1 + X2)/4. A sequence is *solved* when the absolute error of the final
  output is below 0.04 (:func:`adding_solved`).
* **Temporal order** (experiment 6): one-hot symbols over {a, b, c, d, B, E, X, Y}; a
  sequence starts with E, ends with the trigger B, and is otherwise random a-d except
  at 2 (task 6a) or 3 (task 6b) positions holding X or Y. Lengths 100-110; 6a puts the
  relevant symbols at t1 in [10, 20] and t2 in [50, 60] (4 classes Q, R, S, U from
  XX, XY, YX, YY); 6b at t1 in [10, 20], t2 in [33, 43], t3 in [66, 76] (8 classes).
  A sequence is *solved* when every output's final absolute error is below 0.3
  (:func:`temporal_order_solved`, on class probabilities against one-hot targets).
* **Embedded Reber grammar** (experiment 1): strings B (T|P) <Reber string> (T|P) E
  with the same T or P at both ends; next-symbol prediction with a target of 1 for
  every legal next symbol. A string is *correct* when at every step the legal next
  symbols are exactly the top-|legal| outputs (:func:`reber_solved`), so the symbol
  that the embedding determines (the T or P after the inner E) must be predicted alone.

Every generator takes a ``seed`` and returns numpy data (no torch): a list of
``(T_i, F)`` float32 sequences, as lstmkit's estimators take them.

Example:
    >>> from lstmkit.datasets.long_memory import adding_problem, adding_solved
    >>> data = adding_problem(4, 20, seed=0)
    >>> [len(x) for x in data.X], data.y.shape
    ([22, 21, 21, 20], (4,))
    >>> adding_solved(data.y + 0.03, data.y).all()
    np.True_
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from lstmkit._checks import check_bool, check_choice, check_float, check_int, describe

__all__ = [
    "ADDING_TOLERANCE",
    "REBER_SYMBOLS",
    "TEMPORAL_ORDER_SYMBOLS",
    "TEMPORAL_ORDER_TASKS",
    "TEMPORAL_ORDER_TOLERANCE",
    "AddingProblemData",
    "EmbeddedReberData",
    "TemporalOrderData",
    "adding_problem",
    "adding_solved",
    "embedded_reber",
    "reber_accepts",
    "reber_solved",
    "temporal_order",
    "temporal_order_solved",
]

#: The paper's criterion for the adding problem: |final output - target| < 0.04.
ADDING_TOLERANCE = 0.04
#: The paper's criterion for the temporal-order tasks: every output's final error < 0.3.
TEMPORAL_ORDER_TOLERANCE = 0.3

# ------------------------------------------------------------------ adding problem
#: Marker values, as in the paper: 1.0 marks a value to add; -1.0 marks the first and
#: last pair (when not marked for adding); 0.0 everywhere else.
MARK, ENDS = 1.0, -1.0
#: The first marked pair lies within the first 10 pairs.
FIRST_MARK_WINDOW = 10


@dataclass
class AddingProblemData:
    """Adding-problem sequences.

    Args:
        X: one float32 array ``(T_i, 2)`` per sequence: (value, marker) per step.
        y: float32 targets ``(N,)``, 0.5 + (X1 + X2)/4, in [0, 1].
        positions: int ``(N, 2)``, the marked steps (first, second), 0-based.
        min_length: the paper's T.

    Returns:
        Made by :func:`adding_problem`.

    Example:
        >>> from lstmkit.datasets.long_memory import adding_problem
        >>> adding_problem(2, 10, seed=1).positions.shape
        (2, 2)
    """

    X: list[np.ndarray]
    y: np.ndarray
    positions: np.ndarray
    min_length: int

    @property
    def lengths(self) -> np.ndarray:
        return np.array([len(x) for x in self.X])


def adding_problem(
    num_sequences: int, min_length: int, *, seed: int = 0, shared_length: bool = False
) -> AddingProblemData:
    """Generate the adding problem of Hochreiter & Schmidhuber (1997), experiment 4.

    Each step is a pair (value uniform in [-1, 1], marker). Lengths are uniform in
    ``[T, T + T//10]`` (T = ``min_length``). The first marked pair is drawn among the
    first 10 pairs, the second among the first T/2 - 1 pairs (``T//2 - 1``) that are
    still unmarked. The first and last pairs carry marker -1 unless marked; if the first
    pair is marked its value is set to 0 (the paper's rule). The target is
    ``0.5 + (X1 + X2) / 4``.

    Args:
        num_sequences: how many sequences.
        min_length: T, at least 10 (so the first 10 pairs exist).
        seed: seeds everything; the same seed gives the same data.
        shared_length: if True, all sequences share one length drawn uniformly from
            ``[T, T + T//10]`` (each sequence's length still has the paper's
            distribution; useful for training batches that need no padding).

    Returns:
        An :class:`AddingProblemData`.

    Example:
        >>> from lstmkit.datasets.long_memory import adding_problem
        >>> d = adding_problem(3, 100, seed=0)
        >>> bool(((d.lengths >= 100) & (d.lengths <= 110)).all())
        True
        >>> x, (p1, p2) = d.X[0], d.positions[0]
        >>> bool(abs(d.y[0] - (0.5 + (x[p1, 0] + x[p2, 0]) / 4)) < 1e-6)
        True
    """
    check_int("num_sequences", num_sequences, 1)
    check_int("min_length", min_length, FIRST_MARK_WINDOW)
    check_int("seed", seed, 0)
    check_bool("shared_length", shared_length)
    rng = np.random.default_rng(seed)
    T = int(min_length)
    if shared_length:
        lengths = np.full(num_sequences, rng.integers(T, T + T // 10 + 1))
    else:
        lengths = rng.integers(T, T + T // 10 + 1, size=num_sequences)
    second_window = T // 2 - 1
    X, y, positions = [], np.empty(num_sequences, np.float32), np.empty((num_sequences, 2), int)
    for n, length in enumerate(lengths):
        values = rng.uniform(-1.0, 1.0, size=length)
        markers = np.zeros(length)
        markers[0] = markers[-1] = ENDS
        first = int(rng.integers(FIRST_MARK_WINDOW))
        # "one of the first T/2 - 1 still unmarked pairs": draw among the window without
        # the first mark (the window may not contain it at all).
        candidates = np.setdiff1d(np.arange(second_window), [first])
        second = int(rng.choice(candidates))
        markers[[first, second]] = MARK
        if 0 in (first, second):
            values[0] = 0.0  # the paper's rule when the first pair gets marked
        X.append(np.stack([values, markers], axis=1).astype(np.float32))
        y[n] = 0.5 + (values[first] + values[second]) / 4.0
        positions[n] = first, second
    return AddingProblemData(X=X, y=y, positions=positions, min_length=T)


def adding_solved(
    predictions: np.ndarray, targets: np.ndarray, tolerance: float = ADDING_TOLERANCE
) -> np.ndarray:
    """Which adding-problem sequences are solved: ``|final output - target| < tolerance``.

    Args:
        predictions: final outputs ``(N,)`` (or ``(N, 1)``).
        targets: targets ``(N,)`` (or ``(N, 1)``).
        tolerance: the paper's 0.04 by default.

    Returns:
        A bool array ``(N,)``.

    Example:
        >>> import numpy as np
        >>> from lstmkit.datasets.long_memory import adding_solved
        >>> adding_solved(np.array([0.50, 0.55, 0.30]), np.array([0.53, 0.50, 0.30]))
        array([ True, False,  True])
    """
    check_float("tolerance", tolerance, 0.0)
    p = np.asarray(predictions, dtype=np.float64).reshape(-1)
    t = np.asarray(targets, dtype=np.float64).reshape(-1)
    if p.shape != t.shape:
        raise ValueError(
            f"predictions and targets must hold one value per sequence each; received "
            f"{describe(np.asarray(predictions))} and {describe(np.asarray(targets))}"
        )
    return np.abs(p - t) < tolerance


# ------------------------------------------------------------------ temporal order
#: Input symbols of the temporal-order tasks, one-hot in this order.
TEMPORAL_ORDER_SYMBOLS = ("a", "b", "c", "d", "B", "E", "X", "Y")
DISTRACTORS = 4  # a, b, c, d
START, TRIGGER, RELEVANT = "E", "B", ("X", "Y")
#: task -> (windows of the relevant symbols (inclusive, 0-based steps), class names).
TEMPORAL_ORDER_TASKS: dict[str, tuple[tuple[tuple[int, int], ...], tuple[str, ...]]] = {
    "6a": (((10, 20), (50, 60)), ("Q", "R", "S", "U")),
    "6b": (((10, 20), (33, 43), (66, 76)), ("Q", "R", "S", "U", "V", "A", "B", "C")),
}
TEMPORAL_ORDER_LENGTHS = (100, 110)


@dataclass
class TemporalOrderData:
    """Temporal-order sequences.

    Args:
        X: one-hot float32 arrays ``(T_i, 8)`` over :data:`TEMPORAL_ORDER_SYMBOLS`.
        y: int class indices ``(N,)``: X/Y read as a binary number (X = 0, Y = 1,
            first relevant symbol most significant), so XX -> 0 (Q), XY -> 1 (R), ...
        positions: int ``(N, k)``, the relevant steps (0-based).
        classes: the class names (Q, R, S, U[, V, A, B, C]).
        task: ``"6a"`` or ``"6b"``.

    Returns:
        Made by :func:`temporal_order`.

    Example:
        >>> from lstmkit.datasets.long_memory import temporal_order
        >>> temporal_order(2, task="6b", seed=0).classes[-1]
        'C'
    """

    X: list[np.ndarray]
    y: np.ndarray
    positions: np.ndarray
    classes: tuple[str, ...]
    task: str


def temporal_order(
    num_sequences: int, *, task: str = "6a", seed: int = 0, shared_length: bool = False
) -> TemporalOrderData:
    """Generate the temporal-order task 6a or 6b of Hochreiter & Schmidhuber (1997).

    A sequence starts with E, ends with the trigger B and is otherwise random symbols
    a-d, except at the relevant steps (one drawn uniformly from each window of
    :data:`TEMPORAL_ORDER_TASKS`), which hold X or Y. Lengths are uniform in [100, 110].
    The class is the order of X and Y (6a: XX, XY, YX, YY -> Q, R, S, U; 6b: 8 classes).

    Args:
        num_sequences: how many sequences.
        task: ``"6a"`` (2 relevant symbols, 4 classes) or ``"6b"`` (3 symbols, 8 classes).
        seed: seeds everything.
        shared_length: if True, all sequences share one length drawn uniformly from
            [100, 110] (for training batches that need no padding).

    Returns:
        A :class:`TemporalOrderData`.

    Example:
        >>> from lstmkit.datasets.long_memory import TEMPORAL_ORDER_SYMBOLS, temporal_order
        >>> d = temporal_order(1, seed=3)
        >>> word = "".join(TEMPORAL_ORDER_SYMBOLS[i] for i in d.X[0].argmax(1))
        >>> word[0], word[-1], word[d.positions[0, 0]] in "XY"
        ('E', 'B', True)
    """
    check_int("num_sequences", num_sequences, 1)
    check_choice("task", task, TEMPORAL_ORDER_TASKS)
    check_int("seed", seed, 0)
    check_bool("shared_length", shared_length)
    windows, classes = TEMPORAL_ORDER_TASKS[task]
    rng = np.random.default_rng(seed)
    index = {s: i for i, s in enumerate(TEMPORAL_ORDER_SYMBOLS)}
    low, high = TEMPORAL_ORDER_LENGTHS
    shared = int(rng.integers(low, high + 1))
    X, y = [], np.empty(num_sequences, np.int64)
    positions = np.empty((num_sequences, len(windows)), int)
    for n in range(num_sequences):
        length = shared if shared_length else int(rng.integers(low, high + 1))
        codes = rng.integers(DISTRACTORS, size=length)
        codes[0], codes[-1] = index[START], index[TRIGGER]
        bits = rng.integers(2, size=len(windows))
        for k, (first, last) in enumerate(windows):
            positions[n, k] = rng.integers(first, last + 1)
            codes[positions[n, k]] = index[RELEVANT[bits[k]]]
        X.append(np.eye(len(TEMPORAL_ORDER_SYMBOLS), dtype=np.float32)[codes])
        y[n] = int("".join(str(b) for b in bits), 2)
    return TemporalOrderData(X=X, y=y, positions=positions, classes=classes, task=task)


def temporal_order_solved(
    probabilities: np.ndarray, labels: np.ndarray, tolerance: float = TEMPORAL_ORDER_TOLERANCE
) -> np.ndarray:
    """Which sequences are solved: every output within ``tolerance`` of its one-hot target.

    The paper's outputs are one unit per class with a local (one-hot) target; here the
    outputs are class probabilities (softmax), which are compared the same way.

    Args:
        probabilities: ``(N, K)`` final outputs, one column per class.
        labels: ``(N,)`` class indices.
        tolerance: the paper's 0.3 by default.

    Returns:
        A bool array ``(N,)``.

    Example:
        >>> import numpy as np
        >>> from lstmkit.datasets.long_memory import temporal_order_solved
        >>> p = np.array([[0.8, 0.1, 0.1, 0.0], [0.6, 0.4, 0.0, 0.0]])
        >>> temporal_order_solved(p, np.array([0, 0]))
        array([ True, False])
    """
    check_float("tolerance", tolerance, 0.0)
    p = np.asarray(probabilities, dtype=np.float64)
    labels = np.asarray(labels)
    if p.ndim != 2 or labels.shape != (p.shape[0],):
        raise ValueError(
            f"probabilities must be (N, K) and labels (N,); received {describe(p)} and "
            f"{describe(labels)}"
        )
    target = np.eye(p.shape[1])[labels]
    return (np.abs(p - target) < tolerance).all(axis=1)


# ------------------------------------------------------------- embedded Reber grammar
#: The Reber alphabet, one-hot in this order.
REBER_SYMBOLS = ("B", "T", "S", "X", "P", "V", "E")
# The Reber grammar as a finite automaton: state -> [(symbol, next state)]; both
# choices are equally likely. State 0 is after the initial B; state 5 emits E and ends.
_REBER_GRAPH: dict[int, list[tuple[str, int]]] = {
    0: [("T", 1), ("P", 2)],
    1: [("S", 1), ("X", 3)],
    2: [("T", 2), ("V", 4)],
    3: [("X", 2), ("S", 5)],
    4: [("P", 3), ("V", 5)],
    5: [("E", -1)],
}


@dataclass
class EmbeddedReberData:
    """Embedded Reber strings as next-symbol prediction data.

    Args:
        strings: the strings, e.g. ``"BTBPVVETE"``.
        X: one-hot float32 ``(L_i - 1, 7)``: every symbol but the last.
        y: float32 ``(L_i - 1, 7)``: 1 for every legal next symbol, 0 elsewhere.

    Returns:
        Made by :func:`embedded_reber`.

    Example:
        >>> from lstmkit.datasets.long_memory import embedded_reber
        >>> d = embedded_reber(1, seed=0)
        >>> d.X[0].shape == d.y[0].shape == (len(d.strings[0]) - 1, 7)
        True
    """

    strings: list[str]
    X: list[np.ndarray] = field(repr=False)
    y: list[np.ndarray] = field(repr=False)


def _reber_string(rng: np.random.Generator) -> tuple[str, list[set[str]]]:
    """One Reber string and, after each of its symbols, the set of legal next symbols."""
    out, legal, state = ["B"], [], 0
    while state != -1:
        options = _REBER_GRAPH[state]
        legal.append({s for s, _ in options})
        symbol, state = options[int(rng.integers(len(options)))]
        out.append(symbol)
    legal.append(set())  # nothing follows the final E inside the string
    return "".join(out), legal


def embedded_reber(num_strings: int, *, seed: int = 0) -> EmbeddedReberData:
    """Generate embedded Reber strings (Hochreiter & Schmidhuber 1997, experiment 1).

    A string is B, then T or P, then a Reber string (B ... E), then the same T or P,
    then E. Inputs are every symbol but the last; the target at each step marks every
    symbol the grammar allows next. After the inner E only the symbol chosen at the
    second step is legal: that is the long-time-lag part.

    Args:
        num_strings: how many strings.
        seed: seeds everything.

    Returns:
        An :class:`EmbeddedReberData`.

    Example:
        >>> from lstmkit.datasets.long_memory import embedded_reber, reber_accepts
        >>> d = embedded_reber(5, seed=0)
        >>> all(reber_accepts(s, embedded=True) for s in d.strings)
        True
    """
    check_int("num_strings", num_strings, 1)
    check_int("seed", seed, 0)
    rng = np.random.default_rng(seed)
    code = {s: i for i, s in enumerate(REBER_SYMBOLS)}
    eye = np.eye(len(REBER_SYMBOLS), dtype=np.float32)
    strings, X, y = [], [], []
    for _ in range(num_strings):
        outer = "TP"[int(rng.integers(2))]
        inner, inner_legal = _reber_string(rng)
        inner_legal[-1] = {outer}  # after the inner E: only the remembered symbol
        string = "B" + outer + inner + outer + "E"
        legal = [{"T", "P"}, {"B"}, *inner_legal, {"E"}]  # after each symbol but the last
        targets = np.zeros((len(string) - 1, len(REBER_SYMBOLS)), np.float32)
        for t, allowed in enumerate(legal):
            targets[t, [code[s] for s in allowed]] = 1.0
        strings.append(string)
        X.append(eye[[code[s] for s in string[:-1]]])
        y.append(targets)
    return EmbeddedReberData(strings=strings, X=X, y=y)


def reber_accepts(string: str, *, embedded: bool = True) -> bool:
    """Whether ``string`` is a (embedded) Reber string: a check for generators and tests.

    Args:
        string: e.g. ``"BTSSXXTVVE"`` (plain) or ``"BTBTSSXXTVVETE"`` (embedded).
        embedded: check the embedded form B (T|P) <Reber> (same T|P) E.

    Returns:
        True if the grammar generates it.

    Example:
        >>> from lstmkit.datasets.long_memory import reber_accepts
        >>> reber_accepts("BTSSXXTVVE", embedded=False), reber_accepts("BTBPVVEPE")
        (True, False)
    """
    if not isinstance(string, str):
        raise TypeError(f"string must be a str; received {describe(string)}")
    if embedded:
        ok = len(string) >= 5 and string[0] == "B" and string[-1] == "E"
        ok = ok and string[1] in "TP" and string[-2] == string[1]
        return ok and reber_accepts(string[2:-2], embedded=False)
    if not string.startswith("B"):
        return False
    state = 0
    for symbol in string[1:]:
        if state == -1:
            return False
        moves = dict(_REBER_GRAPH[state])
        if symbol not in moves:
            return False
        state = moves[symbol]
    return state == -1


def reber_solved(outputs: list[np.ndarray], targets: list[np.ndarray]) -> np.ndarray:
    """Which strings are predicted right: at every step the legal symbols lead.

    A step is right when the legal next symbols (target 1) are exactly the top-|legal|
    outputs: every legal symbol's output is strictly above every illegal one's (ties
    count as wrong). A string is right when all its steps are, including the two steps
    whose next symbol the embedding determines.

    Args:
        outputs: one ``(L_i, 7)`` array of network outputs per string.
        targets: the matching ``(L_i, 7)`` 0/1 targets from :func:`embedded_reber`.

    Returns:
        A bool array ``(N,)``.

    Example:
        >>> import numpy as np
        >>> from lstmkit.datasets.long_memory import reber_solved
        >>> target = [np.array([[0, 1, 0, 0, 1, 0, 0]], float)]
        >>> reber_solved([np.array([[0.1, 0.6, 0.2, 0, 0.4, 0, 0]])], target)
        array([ True])
        >>> reber_solved([np.array([[0.1, 0.6, 0.5, 0, 0.4, 0, 0]])], target)
        array([False])
    """
    if len(outputs) != len(targets):
        raise ValueError(
            f"outputs and targets must hold one array per string each; received "
            f"{len(outputs)} and {len(targets)}"
        )
    result = np.empty(len(outputs), bool)
    for n, (out, target) in enumerate(zip(outputs, targets, strict=True)):
        out, legal = np.asarray(out, np.float64), np.asarray(target) > 0.5
        if out.shape != legal.shape:
            raise ValueError(
                f"outputs[{n}] must have the shape of targets[{n}] {legal.shape}; received "
                f"{describe(out)}"
            )
        lowest_legal = np.where(legal, out, np.inf).min(axis=1)
        highest_illegal = np.where(legal, -np.inf, out).max(axis=1)
        result[n] = bool((lowest_legal > highest_illegal).all())
    return result
