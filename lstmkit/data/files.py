"""Sequence data from files: CSV in long format and NumPy ``.npz``.

Long format is how sequence data usually leaves a database or a logger: one row per
time step, with the sequence it belongs to, its time, its features and (optionally) a
label::

    sequence_id,time,f1,f2,label
    a,0,0.1,1.2,walk
    a,1,0.2,1.1,walk
    b,0,0.9,0.3,run

``.npz`` files hold ``X`` (N, T, F) or (N, T) (padded), optionally ``lengths`` (N,),
``y`` and ``ids``. They are read with ``allow_pickle=False``: an object array inside an
``.npz`` is refused, never unpickled.

Whatever is wrong with a file's content raises a ``ValueError`` that names the file,
the column (or array) and the row (or sequence) at fault, what was expected and what
the file holds; nothing is dropped, truncated or reinterpreted silently. The rules are
spelled out in :func:`read_sequences_csv` and :func:`read_npz`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lstmkit._checks import check_int
from lstmkit.data._validation import _NON_NUMERIC_KINDS

ID_COLUMN = "sequence_id"
TIME_COLUMN = "time"
LABEL_COLUMN = "label"

_FLOAT32_MAX = float(np.finfo(np.float32).max)


@dataclass
class SequenceFile:
    """What a data file held: sequences, optional targets, and their ids.

    Args:
        X: the sequences, float32 (T_i, F).
        y: one label per sequence (``label_mode="sequence"``), a list of per-step
            label arrays (``"step"``), or None when the file has no labels.
        ids: each sequence's id, in the order of ``X``.
        feature_names: the feature columns.

    Returns:
        A dataclass made by :func:`read_sequence_file`.

    Example:
        >>> import numpy as np
        >>> SequenceFile(X=[np.zeros((3, 1), np.float32)], y=None, ids=[0],
        ...              feature_names=["x"]).ids
        [0]
    """

    X: list[np.ndarray]
    y: np.ndarray | list[np.ndarray] | None
    ids: list
    feature_names: list[str]


def _check_path(path: str | Path, suffixes: tuple[str, ...]) -> Path:
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"data file {str(path)!r} does not exist")
    if path.suffix.lower() not in suffixes:
        raise ValueError(f"data file must end in {' or '.join(suffixes)}; received {path.name!r}")
    return path


def _value(value: Any) -> Any:
    """A cell's value as a plain Python value (prints without ``np.str_(...)``)."""
    return value.item() if isinstance(value, np.generic) else value


# ---------------------------------------------------------------------------- CSV
def _row(index: Any) -> int:
    """The file row of a frame row (the header is row 1)."""
    return int(index) + 2


def _first(mask: pd.Series) -> Any:
    """The frame index of the first True in ``mask``."""
    return mask.index[int(np.flatnonzero(mask.to_numpy())[0])]


def _complex_hint(value: Any) -> str:
    try:
        number = complex(str(value).replace(" ", ""))
    except ValueError:
        return ""
    if number.imag == 0:
        return ""
    return " (a complex number: split it into a real and an imaginary column)"


def _numeric_features(frame: pd.DataFrame, features: list, name: str) -> pd.DataFrame:
    """The feature columns as numbers, or a ValueError naming the first non-number."""
    for column in features:
        if pd.api.types.is_numeric_dtype(frame[column]):
            continue  # numbers (booleans count as 0/1)
        values = frame[column]
        converted = pd.to_numeric(values, errors="coerce")
        bad = converted.isna() & values.notna()
        if bad.any():
            where = _first(bad)
            value = _value(values[where])
            raise ValueError(
                f"{name}: feature column {column!r} must be numeric; row {_row(where)} "
                f"holds {value!r}{_complex_hint(value)}"
            )
        # e.g. True/False with a blank cell: numbers and gaps (the gaps are refused next)
        frame = frame.assign(**{column: converted})
    return frame


def _check_ids(frame: pd.DataFrame, id_column: str, name: str) -> None:
    missing = frame[id_column].isna()
    if missing.any():
        raise ValueError(
            f"{name}: row {_row(_first(missing))} has no {id_column!r} (an empty cell, or a "
            f"text such as 'NA' that reads as missing); every row must name its sequence"
        )


def _time_order(
    frame: pd.DataFrame, id_column: str, time_column: str, name: str
) -> pd.Series | None:
    """The time column checked: None if it holds numbers, else its date-times parsed."""
    times = frame[time_column]
    missing = times.isna()
    if missing.any():
        where = _first(missing)
        raise ValueError(
            f"{name}: row {_row(where)} (sequence {_value(frame[id_column][where])!r}) has no "
            f"{time_column!r}; every step needs its time (or drop the {time_column!r} column "
            f"to take each sequence's rows in file order)"
        )
    if pd.api.types.is_numeric_dtype(times):
        return None
    try:
        parsed = pd.to_datetime(times, format="ISO8601", utc=True, errors="coerce")
    except (ValueError, TypeError, OverflowError):
        parsed = pd.Series(pd.NaT, index=times.index)
    bad = parsed.isna()
    if bad.any():
        where = _first(bad)
        raise ValueError(
            f"{name}: the {time_column!r} column orders each sequence's steps, so it must "
            f"hold numbers or ISO 8601 date-times (2024-01-31T12:00); row {_row(where)} "
            f"holds {_value(times[where])!r}. Text would sort as text (t1, t10, t2): write "
            f"the step numbers themselves (1, 10, 2)"
        )
    return parsed


def _check_duplicate_steps(
    frame: pd.DataFrame, id_column: str, time_column: str, name: str
) -> None:
    duplicated = frame.duplicated([id_column, time_column], keep=False)
    if not duplicated.any():
        return
    first = _first(duplicated)
    seq_id, time = frame[id_column][first], frame[time_column][first]
    same = frame.index[(frame[id_column] == seq_id).to_numpy() & (frame[time_column] == time)]
    rows = sorted(_row(i) for i in same)
    raise ValueError(
        f"{name}: sequence {_value(seq_id)!r} has {len(rows)} rows for {time_column} "
        f"{_value(time)!r} (rows {', '.join(map(str, rows))}); each step must appear once "
        f"(remove the duplicates, or drop the {time_column!r} column to take each "
        f"sequence's rows in file order)"
    )


def _check_finite(frame: pd.DataFrame, features: list, id_column: str, name: str) -> None:
    """Every feature value finite and within float32's range (the arrays are float32)."""
    values = frame[features].to_numpy(dtype=np.float64)
    bad = ~np.isfinite(values) | (np.abs(values) > _FLOAT32_MAX)
    if not bad.any():
        return
    position, column = (int(i) for i in np.argwhere(bad)[0])
    where = frame.index[position]
    value = float(values[position, column])
    what = (
        f"a non-finite value ({value})"
        if not np.isfinite(value)
        else (f"{value!r}, too large for float32")
    )
    raise ValueError(
        f"{name}: column {features[column]!r} at row {_row(where)} (sequence "
        f"{_value(frame[id_column][where])!r}) holds {what}; features must be finite "
        f"float32 numbers (fill in or remove the value, or rescale the column)"
    )


def read_sequences_csv(
    path: str | Path,
    *,
    label_mode: str = "sequence",
    id_column: str = ID_COLUMN,
    time_column: str = TIME_COLUMN,
    label_column: str | None = LABEL_COLUMN,
    min_steps: int = 1,
) -> SequenceFile:
    """Read sequences from a long-format CSV (one row per step).

    The rules, each checked (a ``ValueError`` names the file, the column, the row --
    the header is row 1 -- and, where it applies, the sequence's id):

    * every row names its sequence: an empty id is refused, never dropped;
    * the time column (optional) holds numbers or ISO 8601 date-times (read as UTC
      instants when they carry an offset, as UTC when they do not), with no gaps;
      steps are ordered by it within each sequence. Text such as ``t1, t2, t10`` is
      refused (it would sort as text: t1, t10, t2). Two rows with the same id and
      time are refused. Without a time column, rows keep their file order;
    * feature values are real numbers (``True``/``False`` read as 1/0), finite and
      within float32's range; a blank cell, text or a complex number is refused;
    * a label column with no value at all means unlabelled data; one with some
      blank cells is refused;
    * sequences come out sorted by id.

    Args:
        path: the ``.csv`` file.
        label_mode: ``"sequence"`` (one label per sequence; every row of a sequence
            must carry the same one) or ``"step"`` (a label per row).
        id_column, time_column: columns naming the sequence and ordering its steps;
            the time column may be absent (rows are then taken in file order).
        label_column: the label column, or None if the file has none. A missing
            ``label`` column simply means unlabelled data.
        min_steps: the fewest rows a sequence may have (2 for forecasting: one step to
            learn from and one to predict).

    Returns:
        A :class:`SequenceFile`; every other column is a feature, in file order.

    Raises:
        FileNotFoundError: no such file.
        ValueError: not a ``.csv``, unreadable, or content that breaks a rule above.

    Example:
        >>> import pathlib, tempfile
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "d.csv"
        >>> _ = p.write_text("sequence_id,time,x,label\\na,0,1.0,u\\na,1,2.0,u\\nb,0,3.0,v\\n")
        >>> data = read_sequences_csv(p)
        >>> [x.shape for x in data.X], [str(v) for v in data.y]
        ([(2, 1), (1, 1)], ['u', 'v'])
    """
    if label_mode not in ("sequence", "step"):
        raise ValueError(f"label_mode must be 'sequence' or 'step'; received {label_mode!r}")
    check_int("min_steps", min_steps, 1)
    path = _check_path(path, (".csv",))
    name = path.name
    try:
        frame = pd.read_csv(path)
    except pd.errors.EmptyDataError:
        raise ValueError(f"{name}: the file is empty (no header, no rows)") from None
    except (pd.errors.ParserError, UnicodeDecodeError) as error:
        raise ValueError(f"{name}: not a readable CSV file ({error})") from error
    if id_column not in frame:
        raise ValueError(
            f"{name}: expected a {id_column!r} column naming each row's sequence; "
            f"found columns {list(frame.columns)}"
        )
    if len(frame) == 0:
        raise ValueError(
            f"{name}: holds a header ({', '.join(map(str, frame.columns))}) but no data rows"
        )
    has_label = label_column is not None and label_column in frame
    if has_label and frame[label_column].isna().all():
        has_label = False  # an empty label column: unlabelled data
    skip = {id_column, time_column} | ({label_column} if label_column in frame else set())
    features = [c for c in frame.columns if c not in skip]
    if not features:
        raise ValueError(f"{name}: no feature columns besides {sorted(skip)}")
    _check_ids(frame, id_column, name)
    frame = _numeric_features(frame, features, name)
    if frame[features].isna().any().any():
        column = next(c for c in features if frame[c].isna().any())
        where = _first(frame[column].isna())
        raise ValueError(
            f"{name}: missing value in column {column!r} at row {_row(where)} (sequence "
            f"{_value(frame[id_column][where])!r})"
        )
    _check_finite(frame, features, id_column, name)
    if has_label and frame[label_column].isna().any():
        where = _first(frame[label_column].isna())
        raise ValueError(
            f"{name}: missing label in column {label_column!r} at row {_row(where)} "
            f"(sequence {_value(frame[id_column][where])!r}); label every row, or leave the "
            f"whole column empty for unlabelled data"
        )

    if time_column in frame:
        instants = _time_order(frame, id_column, time_column, name)
        if instants is not None:  # date-times: sort (and compare) by instant, not text
            frame = frame.assign(**{time_column: instants})
        _check_duplicate_steps(frame, id_column, time_column, name)
        frame = frame.sort_values([id_column, time_column], kind="stable")
    groups = frame.groupby(id_column, sort=False)
    ids, X, labels = [], [], []
    for seq_id, rows in groups:
        if len(rows) < min_steps:
            raise ValueError(
                f"{name}: sequence {_value(seq_id)!r} has {len(rows)} row"
                f"{'s' if len(rows) != 1 else ''}; at least {min_steps} are needed"
            )
        ids.append(seq_id)
        X.append(rows[features].to_numpy(dtype=np.float32))
        if has_label:
            values = rows[label_column].to_numpy()
            if label_mode == "sequence":
                distinct = pd.unique(values)
                if len(distinct) != 1:
                    raise ValueError(
                        f"{name}: sequence {_value(seq_id)!r} has {len(distinct)} different "
                        f"labels {[_value(v) for v in distinct[:5]]}; label_mode='sequence' "
                        "needs one per sequence (use label_mode='step' for a label per step)"
                    )
                labels.append(distinct[0])
            else:
                labels.append(values)
    y = None
    if has_label:
        y = np.asarray(labels) if label_mode == "sequence" else labels
    return SequenceFile(X=X, y=y, ids=ids, feature_names=[str(c) for c in features])


# ---------------------------------------------------------------------------- .npz
def _kind(array: np.ndarray) -> str:
    what = _NON_NUMERIC_KINDS.get(array.dtype.kind)
    return f"dtype {array.dtype}" + (f", i.e. {what}" if what else "")


def _npz_lengths(lengths: np.ndarray | None, n: int, steps: int, name: str) -> np.ndarray:
    """The lengths as int64, each a whole number in [1, steps]."""
    if lengths is None:
        return np.full(n, steps, dtype=np.int64)
    expect = f"{name}: 'lengths' must hold {n} values in [1, {steps}]"
    if lengths.dtype.kind not in "iuf":
        raise ValueError(
            f"{expect}, whole numbers of steps (one per sequence); received {_kind(lengths)}"
        )
    if lengths.shape != (n,):
        raise ValueError(f"{expect}; received shape {lengths.shape}")
    if lengths.dtype.kind == "f":
        whole = np.isfinite(lengths) & (lengths == np.floor(lengths))
        if not whole.all():
            i = int(np.argmin(whole))
            raise ValueError(
                f"{name}: 'lengths' must hold whole numbers of steps; lengths[{i}] is "
                f"{lengths[i].item()!r} (never rounded or truncated)"
            )
    bad = (lengths < 1) | (lengths > steps)
    if bad.any():
        i = int(np.argmax(bad))
        raise ValueError(f"{expect}; received lengths[{i}] = {lengths[i].item()!r}")
    return lengths.astype(np.int64)


def read_npz(path: str | Path) -> SequenceFile:
    """Read sequences from an ``.npz`` file (``X`` [, ``lengths``] [, ``y``] [, ``ids``]).

    The rules, each checked (a ``ValueError`` names the file, the array and the entry):
    ``X`` holds real numbers (int or float: not bool, complex or text), at least one
    sequence, step and feature, and is finite and within float32's range over each
    sequence's ``lengths`` (the padding beyond them is ignored); ``lengths`` holds
    whole numbers (integers, or floats such as 3.0; 3.7 is refused, never truncated)
    in ``[1, T]``; ``y`` and ``ids`` hold one entry per sequence, and ``y`` is not
    complex.

    Args:
        path: the ``.npz`` file; ``X`` is (N, T, F) or (N, T); ``lengths`` (N,) cuts
            each padded row to its length (right padding); ``y`` (N,) labels or
            (N, O) values; ``ids`` optional.

    Returns:
        A :class:`SequenceFile`.

    Raises:
        FileNotFoundError: no such file.
        ValueError: not an ``.npz`` (or one that needs unpickling), or content that
            breaks a rule above.

    Example:
        >>> import numpy as np, pathlib, tempfile
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "d.npz"
        >>> np.savez(p, X=np.zeros((2, 4, 3)), lengths=[4, 2], y=[0, 1])
        >>> [x.shape for x in read_npz(p).X]
        [(4, 3), (2, 3)]
    """
    path = _check_path(path, (".npz",))
    name = path.name
    with path.open("rb") as handle:
        if handle.read(2) != b"PK":  # numpy would take anything else for a pickle
            raise ValueError(f"{name}: not a valid .npz file (not a zip archive)")
    try:
        with np.load(path, allow_pickle=False) as archive:
            arrays = {k: archive[k] for k in archive.files}
    except ValueError as error:  # object arrays need pickle, which we refuse
        raise ValueError(f"{name}: cannot be read without unpickling ({error})") from error
    except OSError as error:
        raise ValueError(f"{name}: not a valid .npz file ({error})") from error
    if "X" not in arrays:
        raise ValueError(f"{name}: expected an array named 'X'; found {sorted(arrays)}")
    X = arrays["X"]
    if X.dtype.kind not in "iuf":
        raise ValueError(f"{name}: 'X' must hold real numbers (int or float); received {_kind(X)}")
    if X.ndim == 2:
        X = X[..., None]
    if X.ndim != 3:
        raise ValueError(f"{name}: 'X' must be (N, T, F) or (N, T); received {X.shape}")
    if 0 in X.shape:
        raise ValueError(
            f"{name}: 'X' must hold at least one sequence, step and feature; received "
            f"shape {X.shape}"
        )
    n = len(X)
    lengths = _npz_lengths(arrays.get("lengths"), n, X.shape[1], name)
    ids = list(range(n))
    if "ids" in arrays:
        if arrays["ids"].shape != (n,):
            raise ValueError(
                f"{name}: 'ids' must hold one id per sequence, shape ({n},); received shape "
                f"{arrays['ids'].shape}"
            )
        ids = arrays["ids"].tolist()
    y = arrays.get("y")
    if y is not None:
        if y.ndim == 0 or len(y) != n:
            raise ValueError(
                f"{name}: 'y' must hold one target per sequence ({n}, as 'X' holds); "
                f"received shape {y.shape}"
            )
        if y.dtype.kind == "c":
            raise ValueError(f"{name}: 'y' must not be complex; received {_kind(y)}")
    seqs = []
    for i, steps in enumerate(lengths):
        part = X[i, :steps]
        bad = ~np.isfinite(part) | (np.abs(part) > _FLOAT32_MAX)
        if bad.any():
            step, feature = (int(k) for k in np.argwhere(bad)[0])
            value = part[step, feature].item()
            what = "too large for float32" if np.isfinite(value) else "not finite"
            who = f"X[{i}]" + (f" (id {_value(ids[i])!r})" if "ids" in arrays else "")
            raise ValueError(
                f"{name}: 'X' holds {value!r} ({what}) in {who} at step {step}, feature "
                f"{feature}; values must be finite float32 numbers"
            )
        seqs.append(part.astype(np.float32))
    names = [f"x{k}" for k in range(X.shape[2])]
    return SequenceFile(X=seqs, y=y, ids=ids, feature_names=names)


def read_sequence_file(
    path: str | Path, *, label_mode: str = "sequence", min_steps: int = 1
) -> SequenceFile:
    """Read a ``.csv`` (long format) or ``.npz`` sequence file by its suffix.

    Args:
        path: the file.
        label_mode: see :func:`read_sequences_csv` (CSV only).
        min_steps: the fewest steps a sequence may have (2 for forecasting); shorter
            ones are refused, naming the sequence's id.

    Returns:
        A :class:`SequenceFile`.

    Example:
        >>> import numpy as np, pathlib, tempfile
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "d.npz"
        >>> np.savez(p, X=np.zeros((3, 5, 2)))
        >>> len(read_sequence_file(p).X)
        3
    """
    check_int("min_steps", min_steps, 1)
    suffix = Path(path).suffix.lower()
    if suffix == ".csv":
        return read_sequences_csv(path, label_mode=label_mode, min_steps=min_steps)
    if suffix != ".npz":
        raise ValueError(f"data file must be a .csv or .npz file; received {Path(path).name!r}")
    data = read_npz(path)
    short = [i for i, x in enumerate(data.X) if len(x) < min_steps]
    if short:
        i = short[0]
        raise ValueError(
            f"{Path(path).name}: sequence X[{i}] (id {_value(data.ids[i])!r}) has "
            f"{len(data.X[i])} step{'s' if len(data.X[i]) != 1 else ''}; at least "
            f"{min_steps} are needed"
        )
    return data
