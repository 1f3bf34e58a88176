"""CSV (long format) and .npz readers, on fixtures written here."""

from __future__ import annotations

import numpy as np
import pytest

from lstmkit.data import read_npz, read_sequence_file, read_sequences_csv

CSV = """sequence_id,time,f1,f2,label
b,1,0.5,0.6,run
a,0,0.1,1.2,walk
a,1,0.2,1.1,walk
b,0,0.9,0.3,run
a,2,0.3,1.0,walk
"""


def test_csv_long_format_groups_and_orders_steps(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text(CSV)
    data = read_sequences_csv(path)
    assert data.ids == ["a", "b"]
    assert data.feature_names == ["f1", "f2"]
    np.testing.assert_allclose(data.X[0], [[0.1, 1.2], [0.2, 1.1], [0.3, 1.0]])
    np.testing.assert_allclose(data.X[1], [[0.9, 0.3], [0.5, 0.6]])  # sorted by time
    assert list(data.y) == ["walk", "run"]
    steps = read_sequences_csv(path, label_mode="step")
    assert [list(v) for v in steps.y] == [["walk"] * 3, ["run"] * 2]


def test_csv_without_labels(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("sequence_id,x\n1,0.5\n1,0.7\n2,0.1\n")
    data = read_sequence_file(path)
    assert data.y is None and [len(x) for x in data.X] == [2, 1]


@pytest.mark.parametrize(
    "text,pattern",
    [
        ("id,x\n1,2\n", r"expected a 'sequence_id' column"),
        ("sequence_id,x\n1,abc\n", r"feature column 'x' must be numeric; row 2 holds 'abc'"),
        ("sequence_id,x\n1,1.0\n1,\n", r"missing value in column 'x' at row 3"),
        ("sequence_id,x,label\n1,1.0,a\n1,2.0,b\n", r"sequence 1 has 2 different labels"),
        ("sequence_id,label\n1,a\n", r"no feature columns"),
    ],
)
def test_csv_bad_content(tmp_path, text, pattern):
    path = tmp_path / "bad.csv"
    path.write_text(text)
    with pytest.raises(ValueError, match=pattern):
        read_sequences_csv(path)


def test_npz_with_lengths_and_labels(tmp_path):
    path = tmp_path / "d.npz"
    X = np.arange(2 * 4 * 3, dtype=np.float64).reshape(2, 4, 3)
    np.savez(path, X=X, lengths=np.array([4, 2]), y=np.array(["u", "v"]))
    data = read_npz(path)
    assert [x.shape for x in data.X] == [(4, 3), (2, 3)]
    assert data.X[1].dtype == np.float32
    np.testing.assert_array_equal(data.X[1], X[1, :2])
    assert list(data.y) == ["u", "v"]


def test_npz_refuses_pickled_objects_and_bad_layouts(tmp_path):
    path = tmp_path / "obj.npz"
    ragged = np.empty(2, dtype=object)
    ragged[0], ragged[1] = np.zeros((3, 2)), np.zeros((2, 2))
    np.savez(path, X=ragged)
    with pytest.raises(ValueError, match="without unpickling"):
        read_npz(path)
    path = tmp_path / "nox.npz"
    np.savez(path, data=np.zeros((2, 3, 1)))
    with pytest.raises(ValueError, match=r"expected an array named 'X'"):
        read_npz(path)
    path = tmp_path / "len.npz"
    np.savez(path, X=np.zeros((2, 3, 1)), lengths=np.array([3, 5]))
    with pytest.raises(ValueError, match=r"'lengths' must hold 2 values in \[1, 3\]"):
        read_npz(path)
    garbage = tmp_path / "garbage.npz"
    garbage.write_bytes(b"not a zip file")
    with pytest.raises(ValueError, match=r"not a valid \.npz file"):
        read_npz(garbage)


def test_unknown_suffix_and_missing_file(tmp_path):
    with pytest.raises(ValueError, match=r"must be a .csv or .npz file; received 'd.txt'"):
        read_sequence_file(tmp_path / "d.txt")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        read_sequence_file(tmp_path / "missing.csv")
