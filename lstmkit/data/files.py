"""Sequence data from files: CSV in long format and NumPy ``.npz``.

Long format is how sequence data usually leaves a database or a logger: one row per
time step, with the sequence it belongs to, its time, its features and (optionally) a
label::

    sequence_id,time,f1,f2,label
    a,0,0.1,1.2,walk
    a,1,0.2,1.1,walk
    b,0,0.9,0.3,run

``.npz`` files hold ``X`` (N, T, F) (padded), optionally ``lengths`` (N,) and ``y``;
or ``series`` (T,) / (T, F) for forecasting. They are read with
``allow_pickle=False``: an object array inside an ``.npz`` is refused, never unpickled.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

ID_COLUMN = "sequence_id"
TIME_COLUMN = "time"
LABEL_COLUMN = "label"


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


def read_sequences_csv(
    path: str | Path,
    *,
    label_mode: str = "sequence",
    id_column: str = ID_COLUMN,
    time_column: str = TIME_COLUMN,
    label_column: str | None = LABEL_COLUMN,
) -> SequenceFile:
    """Read sequences from a long-format CSV (one row per step).

    Args:
        path: the ``.csv`` file.
        label_mode: ``"sequence"`` (one label per sequence; every row of a sequence
            must carry the same one) or ``"step"`` (a label per row).
        id_column, time_column: columns naming the sequence and ordering its steps;
            the time column may be absent (rows are then taken in file order).
        label_column: the label column, or None if the file has none. A missing
            ``label`` column simply means unlabelled data.

    Returns:
        A :class:`SequenceFile`; every other column is a feature, in file order.

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
    path = _check_path(path, (".csv",))
    try:
        frame = pd.read_csv(path)
    except (pd.errors.ParserError, UnicodeDecodeError) as error:
        raise ValueError(f"{path.name}: not a readable CSV file ({error})") from error
    if id_column not in frame:
        raise ValueError(
            f"{path.name}: expected a {id_column!r} column naming each row's sequence; "
            f"found columns {list(frame.columns)}"
        )
    has_label = label_column is not None and label_column in frame
    skip = {id_column, time_column} | ({label_column} if has_label else set())
    features = [c for c in frame.columns if c not in skip]
    if not features:
        raise ValueError(f"{path.name}: no feature columns besides {sorted(skip)}")
    for column in features:
        if not pd.api.types.is_numeric_dtype(frame[column]):
            bad = pd.to_numeric(frame[column], errors="coerce").isna() & frame[column].notna()
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise ValueError(
                f"{path.name}: feature column {column!r} must be numeric; row {row + 2} "
                f"holds {frame[column].iloc[row]!r}"
            )
    if frame[features].isna().any().any():
        column = next(c for c in features if frame[c].isna().any())
        row = int(np.flatnonzero(frame[column].isna().to_numpy())[0])
        raise ValueError(f"{path.name}: missing value in column {column!r} at row {row + 2}")

    if time_column in frame:
        frame = frame.sort_values([id_column, time_column], kind="stable")
    groups = frame.groupby(id_column, sort=False)
    ids, X, labels = [], [], []
    for seq_id, rows in groups:
        ids.append(seq_id)
        X.append(rows[features].to_numpy(dtype=np.float32))
        if has_label:
            values = rows[label_column].to_numpy()
            if label_mode == "sequence":
                distinct = pd.unique(values)
                if len(distinct) != 1:
                    raise ValueError(
                        f"{path.name}: sequence {seq_id!r} has {len(distinct)} different "
                        f"labels {list(distinct[:5])}; label_mode='sequence' needs one per "
                        "sequence (use label_mode='step' for a label per step)"
                    )
                labels.append(distinct[0])
            else:
                labels.append(values)
    y = None
    if has_label:
        y = np.asarray(labels) if label_mode == "sequence" else labels
    return SequenceFile(X=X, y=y, ids=ids, feature_names=[str(c) for c in features])


def read_npz(path: str | Path) -> SequenceFile:
    """Read sequences from an ``.npz`` file (``X`` [, ``lengths``] [, ``y``]).

    Args:
        path: the ``.npz`` file; ``X`` is (N, T, F) or (N, T); ``lengths`` (N,) cuts
            each padded row to its length (right padding); ``y`` (N,) labels or
            (N, O) values; ``ids`` optional.

    Returns:
        A :class:`SequenceFile`.

    Example:
        >>> import numpy as np, pathlib, tempfile
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "d.npz"
        >>> np.savez(p, X=np.zeros((2, 4, 3)), lengths=[4, 2], y=[0, 1])
        >>> [x.shape for x in read_npz(p).X]
        [(4, 3), (2, 3)]
    """
    path = _check_path(path, (".npz",))
    with path.open("rb") as handle:
        if handle.read(2) != b"PK":  # numpy would take anything else for a pickle
            raise ValueError(f"{path.name}: not a valid .npz file (not a zip archive)")
    try:
        with np.load(path, allow_pickle=False) as archive:
            arrays = {k: archive[k] for k in archive.files}
    except ValueError as error:  # object arrays need pickle, which we refuse
        raise ValueError(f"{path.name}: cannot be read without unpickling ({error})") from error
    except OSError as error:
        raise ValueError(f"{path.name}: not a valid .npz file ({error})") from error
    if "X" not in arrays:
        raise ValueError(f"{path.name}: expected an array named 'X'; found {sorted(arrays)}")
    X = arrays["X"]
    if X.ndim == 2:
        X = X[..., None]
    if X.ndim != 3:
        raise ValueError(f"{path.name}: 'X' must be (N, T, F) or (N, T); received {X.shape}")
    lengths = arrays.get("lengths")
    if lengths is None:
        lengths = np.full(len(X), X.shape[1])
    if lengths.shape != (len(X),) or (lengths < 1).any() or (lengths > X.shape[1]).any():
        raise ValueError(
            f"{path.name}: 'lengths' must hold {len(X)} values in [1, {X.shape[1]}]; "
            f"received shape {lengths.shape}"
        )
    seqs = [X[i, : int(n)].astype(np.float32) for i, n in enumerate(lengths)]
    ids = arrays["ids"].tolist() if "ids" in arrays else list(range(len(seqs)))
    names = [f"x{k}" for k in range(X.shape[2])]
    return SequenceFile(X=seqs, y=arrays.get("y"), ids=ids, feature_names=names)


def read_sequence_file(path: str | Path, *, label_mode: str = "sequence") -> SequenceFile:
    """Read a ``.csv`` (long format) or ``.npz`` sequence file by its suffix.

    Args:
        path: the file.
        label_mode: see :func:`read_sequences_csv` (CSV only).

    Returns:
        A :class:`SequenceFile`.

    Example:
        >>> import numpy as np, pathlib, tempfile
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "d.npz"
        >>> np.savez(p, X=np.zeros((3, 5, 2)))
        >>> len(read_sequence_file(p).X)
        3
    """
    suffix = Path(path).suffix.lower()
    if suffix == ".npz":
        return read_npz(path)
    if suffix == ".csv":
        return read_sequences_csv(path, label_mode=label_mode)
    raise ValueError(f"data file must be a .csv or .npz file; received {Path(path).name!r}")
