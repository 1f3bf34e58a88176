"""Sequence data in, float32 ``(T_i, F)`` arrays out, or an error that says why not.

Every estimator starts here. Users hand sequences over in many forms (a list of arrays
of differing lengths, a 3-D array, tensors, nested lists); :func:`as_sequences` and
:func:`as_series` turn them all into one form, a list of float32 ``(T_i, F)`` arrays
with time first, and refuse bad data before any training starts, naming the sample
(and for NaN/inf the step and feature) at fault. :class:`LabelEncoding` maps class
labels to indices and back, so predictions come back as the user's own labels.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from lstmkit._checks import check_bool, check_int
from lstmkit.data._validation import count, describe, float32_checked, numeric_array

__all__ = [
    "LabelEncoding",
    "as_sequences",
    "as_series",
    "as_targets",
    "check_same_length",
    "check_step_targets",
]


def _is_array(value: Any) -> bool:
    return isinstance(value, np.ndarray | torch.Tensor)


def _one_sequence(item: Any, label: str, *, min_steps: int) -> np.ndarray:
    """One sample as a float32 ``(T, F)`` array; ``(T,)`` means one feature."""
    array = numeric_array(item, label)
    if array.ndim == 0:
        raise ValueError(
            f"{label} must be a sequence of shape (T, F) or (T,); received the single "
            f"number {array.item()!r} (to pass one sequence, wrap it in a list)"
        )
    if array.ndim > 2:
        raise ValueError(
            f"{label} must be 1-D (T,) or 2-D (T, F), time first; received a "
            f"{array.ndim}-D array of shape {array.shape}"
        )
    if len(array) < min_steps:
        need = "at least one step" if min_steps == 1 else f"at least {min_steps} steps"
        raise ValueError(f"{label} must have {need}; received {len(array)} (shape {array.shape})")
    if array.ndim == 1:
        array = array[:, None]
    features = array.shape[1]
    if features == 0:
        raise ValueError(f"{label} must have at least one feature; received shape {array.shape}")
    return float32_checked(array, label)


def _check_features(
    seqs: list[np.ndarray], labels: list[str], name: str, num_features: int | None
) -> None:
    """Every sample has sample 0's feature count, and that is ``num_features`` if given."""
    first = seqs[0].shape[1]
    if num_features is not None and first != num_features:
        raise ValueError(
            f"{name} must have {num_features} features per step, as the model was fitted "
            f"with; received {labels[0]} with {first} feature{'s' if first != 1 else ''}"
        )
    for seq, label in zip(seqs, labels, strict=True):
        if seq.shape[1] != first:
            raise ValueError(
                f"{label} has {seq.shape[1]} features but {labels[0]} has {first}; every "
                f"sequence must have the same number of features"
            )


def _samples(X: Any, name: str) -> list[Any]:
    """The samples of a collection: a list's items or a 3-D array's first axis."""
    if isinstance(X, list | tuple):
        items = list(X)
    elif isinstance(X, np.ndarray) and X.dtype == object and X.ndim == 1:
        items = list(X)  # a ragged collection, e.g. a pandas column of arrays
    elif _is_array(X):
        if X.ndim != 3:
            hint = ""
            if X.ndim == 2:
                hint = (
                    f", which is ambiguous: pass [{name}] for one sequence of shape (T, F), "
                    f"or {name}[..., None] for N sequences with one feature"
                )
            raise ValueError(
                f"{name} must be a list of (T_i, F) arrays or a 3-D array (N, T, F); "
                f"received {describe(X)}{hint}"
            )
        items = list(X)
    else:
        raise TypeError(
            f"{name} must be a list of (T_i, F) arrays, a 3-D array (N, T, F) or a 3-D "
            f"tensor; received {describe(X)}"
        )
    if not items:
        raise ValueError(f"{name} must hold at least one sequence; received {describe(X)}")
    return items


def as_sequences(X: Any, *, name: str = "X", num_features: int | None = None) -> list[np.ndarray]:
    """Validate sequence data and return it as a list of float32 ``(T_i, F)`` arrays.

    Time comes first in every sample: a ``(T, F)`` array has T steps of F features. A
    1-D sample ``(T,)`` is a sequence with one feature. The arrays returned are copies,
    so changing them never changes the caller's data.

    Args:
        X: a list or tuple of ``(T_i, F)`` or ``(T_i,)`` arrays, tensors or nested lists
            (lengths may differ), or a 3-D array or tensor ``(N, T, F)``.
        name: the argument's name, used in error messages.
        num_features: the number of features the data must have (at predict time, the
            number the model was fitted with); None accepts any.

    Returns:
        A list of N float32 numpy arrays of shape ``(T_i, F)``.

    Raises:
        TypeError: a non-collection, or samples that are not real numbers (strings,
            objects, complex, bool).
        ValueError: no samples, a sample with no steps, NaN or inf (naming sample, step
            and feature), feature counts that differ between samples or from
            ``num_features``.

    Example:
        >>> import numpy as np
        >>> from lstmkit.data import as_sequences
        >>> seqs = as_sequences([np.zeros((5, 3)), np.ones((2, 3))])
        >>> [s.shape for s in seqs], seqs[0].dtype
        ([(5, 3), (2, 3)], dtype('float32'))
        >>> as_sequences([[1, 2, 3], [4, 5]])[1].tolist()
        [[4.0], [5.0]]
    """
    if num_features is not None:
        check_int("num_features", num_features, 1)
    labels, seqs = [], []
    for i, item in enumerate(_samples(X, name)):
        labels.append(f"{name}[{i}]")
        seqs.append(_one_sequence(item, labels[-1], min_steps=1))
    _check_features(seqs, labels, name, num_features)
    return seqs


def as_series(y: Any, *, name: str = "y", num_features: int | None = None) -> list[np.ndarray]:
    """Validate time series for forecasting; return a list of float32 ``(T_i, F)`` arrays.

    One series is a 1-D array ``(T,)`` (one feature), a 2-D array ``(T, F)``, or a flat
    list of numbers. Several series are a list of such arrays, or a 3-D array
    ``(N, T, F)``. A list whose items are themselves lists or arrays is read as several
    series (the outer list holds series, as in :func:`as_sequences`); to pass one
    multivariate series as nested rows, pass ``np.asarray(rows)``.

    Args:
        y: one series or several, as above.
        name: the argument's name, used in error messages.
        num_features: the number of features the series must have (at predict time);
            None accepts any.

    Returns:
        A list of float32 arrays ``(T_i, F)``, one per series (a list of one for a
        single series). Every series has at least 2 steps (one to learn from and one
        to predict).

    Example:
        >>> import numpy as np
        >>> from lstmkit.data import as_series
        >>> [s.shape for s in as_series(np.arange(10.0))]
        [(10, 1)]
        >>> [s.shape for s in as_series([np.zeros((8, 2)), np.zeros((5, 2))])]
        [(8, 2), (5, 2)]
    """
    if num_features is not None:
        check_int("num_features", num_features, 1)
    single = False
    if _is_array(y) and not (isinstance(y, np.ndarray) and y.dtype == object):
        if y.ndim in (1, 2):
            items, single = [y], True
        elif y.ndim == 3:
            items = list(y)
        else:
            raise ValueError(
                f"{name} must be one series (T,) or (T, F), several series as a list, or "
                f"a 3-D array (N, T, F); received {describe(y)}"
            )
    elif isinstance(y, list | tuple) and y and all(np.ndim(v) == 0 for v in y):
        items, single = [y], True  # a flat list of numbers is one series
    elif not isinstance(y, list | tuple | np.ndarray):
        raise TypeError(
            f"{name} must be one series (T,) or (T, F), a list of series, or a 3-D array "
            f"(N, T, F); received {describe(y)}"
        )
    elif isinstance(y, list | tuple) and not y:
        raise ValueError(f"{name} must hold at least one series; received {describe(y)}")
    else:
        items = _samples(y, name)
    if not items or (single and count(items[0], name) == 0):
        raise ValueError(f"{name} must hold at least one series; received {describe(y)}")
    labels = [name] if single else [f"{name}[{i}]" for i in range(len(items))]
    seqs = [
        _one_sequence(item, label, min_steps=2) for item, label in zip(items, labels, strict=True)
    ]
    _check_features(seqs, labels, name, num_features)
    return seqs


def as_targets(y: Any, *, name: str = "y", num_outputs: int | None = None) -> np.ndarray:
    """Validate one regression target per sequence; return a float32 ``(N, O)`` array.

    Args:
        y: ``(N,)`` (one output) or ``(N, O)`` numbers: array, tensor or list.
        name: the argument's name, used in error messages.
        num_outputs: the number of outputs required (at score time); None accepts any.

    Returns:
        A float32 array of shape ``(N, O)``; a 1-D ``y`` gives ``O = 1``.

    Example:
        >>> from lstmkit.data import as_targets
        >>> as_targets([0.5, 1.5, 2.0]).shape
        (3, 1)
    """
    array = numeric_array(y, name)
    if array.ndim == 1:
        array = array[:, None]
    if array.ndim != 2:
        raise ValueError(
            f"{name} must be 1-D (N,) or 2-D (N, O), one row per sequence; "
            f"received {describe(array)}"
        )
    if array.shape[0] == 0 or array.shape[1] == 0:
        raise ValueError(f"{name} must hold at least one target; received {describe(array)}")
    if num_outputs is not None and array.shape[1] != num_outputs:
        raise ValueError(
            f"{name} must have {num_outputs} outputs per sequence, as the model was fitted "
            f"with; received shape {array.shape}"
        )
    out = np.array(array, dtype=np.float32)
    finite = np.isfinite(out)
    if not finite.all():
        row, col = (int(i) for i in np.argwhere(~finite)[0])
        raise ValueError(
            f"{name}[{row}] holds a non-finite value ({array[row, col].item()}) in output "
            f"{col}; missing targets must be removed or filled in first"
        )
    return out


def check_same_length(X: Any, y: Any, *, x_name: str = "X", y_name: str = "y") -> None:
    """Raise a ValueError unless ``X`` and ``y`` hold the same number of samples.

    Args:
        X: the sequences (anything with a length or a first dimension).
        y: the targets, one per sequence.
        x_name, y_name: the arguments' names, used in the message.

    Returns:
        None.

    Example:
        >>> from lstmkit.data import check_same_length
        >>> check_same_length([[1.0], [2.0]], ["a", "b"])
    """
    n_x, n_y = count(X, x_name), count(y, y_name)
    if n_x != n_y:
        raise ValueError(
            f"{x_name} and {y_name} must hold the same number of samples; received "
            f"{n_x} sequences in {x_name} and {n_y} targets in {y_name}"
        )


def check_step_targets(X: Any, Y: Any, *, x_name: str = "X", y_name: str = "Y") -> None:
    """Raise a ValueError unless ``Y[i]`` holds one target per step of ``X[i]``.

    For sequence tagging and per-step regression: the targets of sample ``i`` must be
    exactly as long as sequence ``i``.

    Args:
        X: the sequences, each ``(T_i, F)`` or ``(T_i,)``.
        Y: the per-step targets, each ``(T_i,)`` or ``(T_i, O)``.
        x_name, y_name: the arguments' names, used in the message.

    Returns:
        None.

    Example:
        >>> import numpy as np
        >>> from lstmkit.data import check_step_targets
        >>> check_step_targets([np.zeros((3, 2))], [["a", "b", "b"]])
    """
    check_same_length(X, Y, x_name=x_name, y_name=y_name)
    for i in range(count(X, x_name)):
        steps = count(X[i], f"{x_name}[{i}]")
        target = Y[i]
        if isinstance(target, str | bytes) or np.ndim(target) == 0:
            raise ValueError(
                f"{y_name}[{i}] must hold one target per step ({steps} for {x_name}[{i}]); "
                f"received the single value {describe(target)}"
            )
        if count(target, f"{y_name}[{i}]") != steps:
            raise ValueError(
                f"{y_name}[{i}] has {count(target, y_name)} targets but {x_name}[{i}] has "
                f"{steps} steps; per-step targets need exactly one per step"
            )


# ---------------------------------------------------------------------------- labels

_LABEL_KINDS = {"U": "str", "i": "int", "u": "int", "b": "bool", "f": "float"}
_KIND_DTYPES = {"str": np.str_, "int": np.int64, "bool": np.bool_, "float": np.float64}


def _python_kind(value: Any) -> str | None:
    """The label kind of one Python/numpy scalar, or None if it cannot be a label."""
    if isinstance(value, bool | np.bool_):
        return "bool"
    if isinstance(value, str):
        return "str"
    if isinstance(value, int | np.integer):
        return "int"
    if isinstance(value, float | np.floating):
        return "float"
    return None


def _label_array(values: Any, label: str) -> np.ndarray:
    """Labels as a 1-D numpy array of kind str, int, bool or float (never object)."""
    if isinstance(values, torch.Tensor):
        if values.is_complex():
            raise TypeError(f"{label} must hold str or int labels; received dtype {values.dtype}")
        values = values.detach().cpu()
        if values.dtype in (torch.float16, torch.bfloat16):
            values = values.double()  # numpy has no bfloat16
        values = values.numpy()
    if isinstance(values, str | bytes):
        raise ValueError(
            f"{label} must be a 1-D sequence of labels; received the single label {values!r}"
        )
    array = np.asarray(values) if not isinstance(values, list | tuple) else None
    if array is None or array.dtype == object:
        items = list(values) if array is None else list(array.ravel())
        kinds = [_python_kind(v) for v in items]
        for i, (value, kind) in enumerate(zip(items, kinds, strict=True)):
            if kind is None:
                raise TypeError(
                    f"{label}[{i}] must be a str, int, bool or float label; received "
                    f"{describe(value)}"
                )
            if kind != kinds[0]:
                raise TypeError(
                    f"{label} mixes label types: {label}[0] is {items[0]!r} ({kinds[0]}) but "
                    f"{label}[{i}] is {value!r} ({kind}); use one type for all labels"
                )
        if not items:
            return np.asarray([])
        array = np.asarray(items, dtype=_KIND_DTYPES[kinds[0]])
    if array.ndim != 1:
        raise ValueError(f"{label} must be a 1-D sequence of labels; received {describe(array)}")
    if array.dtype.kind not in _LABEL_KINDS:
        raise TypeError(
            f"{label} must hold str, int, bool or float labels; received dtype {array.dtype}"
        )
    if array.dtype.kind == "f":
        bad = ~np.isfinite(array)
        if bad.any():
            i = int(np.argmax(bad))
            raise ValueError(f"{label}[{i}] is {array[i]}; labels must not be missing")
    return array


def _is_per_step(y: Any) -> bool:
    """Per-step labels are a collection of label sequences, not a flat list of labels."""
    if _is_array(y):
        if isinstance(y, np.ndarray) and y.dtype == object:
            return any(np.ndim(v) > 0 and not isinstance(v, str) for v in y)
        return y.ndim == 2
    if isinstance(y, list | tuple):
        return any(not isinstance(v, str | bytes) and np.ndim(v) > 0 for v in y)
    return False


def _show(labels: np.ndarray, limit: int = 10) -> str:
    shown = ", ".join(repr(v) for v in labels[:limit].tolist())
    return shown + (f", ... ({len(labels)} in all)" if len(labels) > limit else "")


class LabelEncoding:
    """Class labels to indices ``0 .. K-1`` and back, fitted on the training labels.

    Labels may be strings, integers, booleans or floats. ``classes_`` holds them sorted
    with their type kept, so :meth:`decode` gives predictions back as the user's own
    labels. Labels come one per sequence (classification: a 1-D list or array), or one
    per step (sequence tagging: a list of 1-D label sequences, or a 2-D array); which
    of the two is decided at :meth:`fit` (or given by ``per_step``) and kept.

    Args:
        (none) — create it empty, then call :meth:`fit`.

    Returns:
        After ``fit``: ``classes_`` (sorted numpy array), ``per_step_`` (bool) and
        ``num_classes``. :meth:`encode` gives int64 indices (an array, or a list of arrays
        for per-step labels); :meth:`to_dict` a JSON-safe dict for a model's config.json.

    Example:
        >>> from lstmkit.data import LabelEncoding
        >>> enc = LabelEncoding().fit(["cat", "dog", "cat", "bird"])
        >>> enc.classes_.tolist(), enc.encode(["dog", "bird"]).tolist()
        (['bird', 'cat', 'dog'], [2, 0])
        >>> enc.decode([1, 2]).tolist()
        ['cat', 'dog']
        >>> LabelEncoding.from_dict(enc.to_dict()).classes_.tolist()
        ['bird', 'cat', 'dog']
    """

    def __init__(self) -> None:
        self.classes_: np.ndarray | None = None
        self.per_step_: bool = False

    def __repr__(self) -> str:
        if self.classes_ is None:
            return "LabelEncoding(not fitted)"
        form = ", per_step=True" if self.per_step_ else ""
        return f"LabelEncoding(classes=[{_show(self.classes_)}]{form})"

    @property
    def num_classes(self) -> int:
        return len(self._fitted_classes())

    def _fitted_classes(self) -> np.ndarray:
        if self.classes_ is None:
            raise ValueError("LabelEncoding is not fitted yet; call fit(y) on the training labels")
        return self.classes_

    def _flat(self, y: Any, name: str, per_step: bool) -> tuple[np.ndarray, list[int] | None]:
        """All labels in one 1-D array, plus the length of each sequence if per step."""
        if not per_step:
            array = _label_array(y, name)
            if len(array) == 0:
                raise ValueError(f"{name} must hold at least one label; received {describe(y)}")
            return array, None
        if _is_array(y) and not (isinstance(y, np.ndarray) and y.dtype == object):
            if y.ndim != 2:
                raise ValueError(
                    f"{name} must hold one label sequence per sample (a list of 1-D label "
                    f"arrays or a 2-D array); received {describe(y)}"
                )
        elif not isinstance(y, list | tuple | np.ndarray):
            raise TypeError(
                f"{name} must be a list of 1-D label sequences, one per sample; "
                f"received {describe(y)}"
            )
        parts = []
        for i, seq in enumerate(y):
            if isinstance(seq, str | bytes) or np.ndim(seq) == 0:
                raise ValueError(
                    f"{name}[{i}] must be a 1-D sequence of labels, one per step; received "
                    f"the single label {describe(seq)}"
                )
            parts.append(_label_array(seq, f"{name}[{i}]"))
            if len(parts[-1]) == 0:
                raise ValueError(f"{name}[{i}] must hold at least one label; received none")
        if not parts:
            raise ValueError(f"{name} must hold at least one label sequence; received none")
        kinds = {_LABEL_KINDS[p.dtype.kind] for p in parts}
        if len(kinds) > 1:
            raise TypeError(f"{name} mixes label types {sorted(kinds)}; use one type for all")
        return np.concatenate(parts), [len(p) for p in parts]

    def fit(self, y: Any, *, name: str = "y", per_step: bool | None = None) -> LabelEncoding:
        """Learn the classes from training labels; returns ``self``.

        Args:
            y: one label per sequence, or per-step label sequences.
            name: the argument's name, used in error messages.
            per_step: True for per-step labels, False for one per sequence, None to tell
                from the form of ``y`` (a collection of sequences means per step).
        """
        if per_step is None:
            per_step = _is_per_step(y)
        check_bool("per_step", per_step)
        flat, _ = self._flat(y, name, per_step)
        classes = np.unique(flat)
        if len(classes) < 2:
            raise ValueError(
                f"training data has only one class: {classes[0].item()!r}; a classifier "
                f"needs at least 2"
            )
        self.classes_ = classes
        self.per_step_ = per_step
        return self

    def encode(self, y: Any, name: str = "y", *, X: Any = None) -> np.ndarray | list[np.ndarray]:
        """Labels to int64 class indices, refusing labels not seen in training.

        Args:
            y: labels in the form used at fit.
            name: the argument's name, used in error messages.
            X: the matching sequences, optional: if given, ``y`` must hold one label per
                sequence (or, per step, one per step of each sequence).

        Returns:
            An int64 array ``(N,)``, or for per-step labels a list of int64 arrays
            ``(T_i,)``.
        """
        classes = self._fitted_classes()
        if X is not None:
            if self.per_step_:
                check_step_targets(X, y, y_name=name)
            else:
                check_same_length(X, y, y_name=name)
        flat, lengths = self._flat(y, name, self.per_step_)
        same_kind = (flat.dtype.kind == "U") == (classes.dtype.kind == "U")
        if same_kind:
            index = np.searchsorted(classes, flat).clip(0, len(classes) - 1)
            known = classes[index] == flat
        else:
            index, known = np.zeros(len(flat), dtype=np.int64), np.zeros(len(flat), bool)
        if not known.all():
            where = int(np.argmin(known))
            hint = (
                "" if same_kind else f" (the labels at fit were {_LABEL_KINDS[classes.dtype.kind]})"
            )
            if lengths is None:
                at = f"{name}[{where}]"
            else:  # name the sequence and the step
                ends = np.cumsum(lengths)
                seq = int(np.searchsorted(ends, where, side="right"))
                at = f"{name}[{seq}][{where - (ends[seq] - lengths[seq])}]"
            raise ValueError(
                f"{at} is {flat[where].item()!r}, a label not seen in training; "
                f"known labels: {_show(classes)}{hint}"
            )
        index = index.astype(np.int64)
        if lengths is None:
            return index
        return np.split(index, np.cumsum(lengths)[:-1])

    def decode(self, indices: Any) -> np.ndarray | list[np.ndarray]:
        """Class indices back to labels, of the type the labels had at fit.

        Args:
            indices: an int array or tensor of any shape, or a list of 1-D index arrays
                (per-step predictions of sequences of different lengths).

        Returns:
            An array of labels of the same shape, or a list of such arrays.
        """
        classes = self._fitted_classes()
        if isinstance(indices, list | tuple) and any(np.ndim(v) > 0 for v in indices):
            return [self.decode(v) for v in indices]
        if isinstance(indices, torch.Tensor):
            indices = indices.detach().cpu().numpy()
        array = np.asarray(indices)
        if array.dtype.kind not in "iu":
            raise TypeError(f"indices must be integers; received dtype {array.dtype}")
        bad = (array < 0) | (array >= len(classes))
        if bad.any():
            where = tuple(int(i) for i in np.argwhere(bad)[0])
            raise ValueError(
                f"indices must lie in [0, {len(classes)}) (the number of classes); received "
                f"{array[where].item()} at position {where if len(where) > 1 else where[0]}"
            )
        return classes[array]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe dict (plain Python types) for a model's config.json."""
        classes = self._fitted_classes()
        return {
            "classes": classes.tolist(),  # numpy scalars become int / str / ...
            "kind": _LABEL_KINDS[classes.dtype.kind],
            "per_step": bool(self.per_step_),
        }

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> LabelEncoding:
        """Rebuild an encoding from :meth:`to_dict`'s output."""
        if not isinstance(values, dict) or not {"classes", "kind"} <= set(values):
            raise ValueError(
                f"values must be a dict from LabelEncoding.to_dict() with keys 'classes' "
                f"and 'kind'; received {describe(values)}"
            )
        kind = values["kind"]
        if kind not in _KIND_DTYPES:
            raise ValueError(f"values['kind'] must be one of {list(_KIND_DTYPES)}; got {kind!r}")
        encoding = cls()
        encoding.classes_ = np.asarray(values["classes"], dtype=_KIND_DTYPES[kind])
        encoding.per_step_ = bool(values.get("per_step", False))
        return encoding
