"""Bad-input catalogue: data files (long-format CSV and .npz).

Each case was a traceback or a silent change of the data before issue 12 (rows dropped,
text times sorted as text, duplicate steps kept, lengths truncated, imaginary parts
lost, IndexError, raw numpy errors). Now each is a ValueError that names the file, the
column or array, the row or sequence id, what was expected and what the file holds --
or a documented rule (read_sequences_csv's docstring), tested here too.
"""

from __future__ import annotations

import numpy as np
import pytest

from lstmkit.data import read_npz, read_sequence_file, read_sequences_csv


@pytest.mark.parametrize(
    "text,pattern",
    [
        pytest.param(
            "sequence_id,time,x\na,0,1\n,1,2\na,2,3\n",
            r"d\.csv: row 3 has no 'sequence_id'.*every row must name its sequence",
            id="empty-sequence-id",
        ),
        pytest.param(
            "sequence_id,time,x\na,t1,1\na,t10,10\na,t2,2\n",
            r"d\.csv: the 'time' column .* must hold numbers or ISO 8601 date-times.*"
            r"row 2 holds 't1'",
            id="text-time",
        ),
        pytest.param(
            "sequence_id,time,x\na,0,1\nb,0,5\na,1,2\na,0,3\n",
            r"d\.csv: sequence 'a' has 2 rows for time 0 \(rows 2, 5\); each step must "
            r"appear once",
            id="duplicate-time-step",
        ),
        pytest.param(
            "sequence_id,time,x\na,0,1\na,,2\n",
            r"d\.csv: row 3 \(sequence 'a'\) has no 'time'",
            id="missing-time",
        ),
        pytest.param(
            "sequence_id,time,x\na,0,1+2j\na,1,3\n",
            r"d\.csv: feature column 'x' must be numeric; row 2 holds '1\+2j' \(a complex "
            r"number",
            id="complex-value",
        ),
        pytest.param(
            "sequence_id,time,x,label\n",
            r"d\.csv: holds a header \(sequence_id, time, x, label\) but no data rows",
            id="header-only",
        ),
        pytest.param("", r"d\.csv: the file is empty", id="empty-file"),
        pytest.param(
            "sequence_id,time,x,flag\na,0,1,True\na,1,2,\na,2,3,False\n",
            r"d\.csv: missing value in column 'flag' at row 3 \(sequence 'a'\)",
            id="boolean-column-with-blank",
        ),
        pytest.param(
            "sequence_id,time,x\na,0,1\nb,0,inf\n",
            r"d\.csv: column 'x' at row 3 \(sequence 'b'\) holds a non-finite value \(inf\)",
            id="inf-feature",
        ),
        pytest.param(
            "sequence_id,time,x\nb,0,1\na,0,1e300\n",
            r"d\.csv: column 'x' at row 3 \(sequence 'a'\) holds 1e\+300, too large for float32",
            id="beyond-float32",
        ),
        pytest.param(
            "sequence_id,time,x,label\na,0,1,u\na,1,2,\n",
            r"d\.csv: missing label in column 'label' at row 3 \(sequence 'a'\)",
            id="blank-label",
        ),
    ],
)
def test_csv_content_is_refused_with_file_row_and_sequence(tmp_path, text, pattern):
    path = tmp_path / "d.csv"
    path.write_text(text)
    with pytest.raises(ValueError, match=pattern):
        read_sequences_csv(path)


def test_csv_blank_step_label_is_refused_too(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("sequence_id,time,x,label\na,0,1,u\na,1,2,\n")
    with pytest.raises(ValueError, match=r"missing label in column 'label' at row 3"):
        read_sequences_csv(path, label_mode="step")


def test_csv_errors_name_the_sequence_id_not_a_sorted_index(tmp_path):
    # 'z' is the first sequence in the file but the last once sorted by id: the error
    # must say 'z' (and its row), never X[2].
    path = tmp_path / "d.csv"
    path.write_text("sequence_id,time,x\nz,0,1\nz,1,nan\na,0,1\na,1,2\nm,0,1\nm,1,2\n")
    with pytest.raises(ValueError, match=r"missing value in column 'x' at row 3 \(sequence 'z'\)"):
        read_sequences_csv(path)


def test_csv_too_short_sequence_names_its_id(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("sequence_id,time,x\nb,0,1\nb,1,2\na,0,3\n")
    with pytest.raises(ValueError, match=r"d\.csv: sequence 'a' has 1 row; at least 2 are needed"):
        read_sequence_file(path, min_steps=2)


# ------------------------------------------------------------- documented rules
def test_rule_iso_dates_are_ordered_as_instants_not_as_text(tmp_path):
    path = tmp_path / "d.csv"
    # As text " " < "T" and "09T23" < "10T00"; as instants 09:00 comes before 10:00, and
    # 00:30 at +02:00 is 22:30 UTC, before 23:00 UTC.
    path.write_text(
        "sequence_id,time,x\n"
        "a,2024-01-09 10:00,2\na,2024-01-09T09:00,1\n"
        "b,2024-01-09T23:00:00+00:00,2\nb,2024-01-10T00:30:00+02:00,1\n"
    )
    data = read_sequences_csv(path)
    np.testing.assert_array_equal(data.X[0].ravel(), [1, 2])
    np.testing.assert_array_equal(data.X[1].ravel(), [1, 2])


def test_rule_numeric_times_sort_numerically_and_booleans_read_as_numbers(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("sequence_id,time,x,flag\na,10,10,True\na,2,2,False\na,1,1,True\n")
    data = read_sequences_csv(path)
    np.testing.assert_array_equal(data.X[0], [[1, 1], [2, 0], [10, 1]])


def test_rule_without_time_rows_keep_file_order(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("sequence_id,x\na,3\na,1\na,2\n")
    np.testing.assert_array_equal(read_sequences_csv(path).X[0].ravel(), [3, 1, 2])


def test_rule_an_entirely_empty_label_column_means_unlabelled(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("sequence_id,time,x,label\na,0,1,\na,1,2,\n")
    data = read_sequences_csv(path)
    assert data.y is None and data.feature_names == ["x"]


# ------------------------------------------------------------------------ .npz
@pytest.mark.parametrize(
    "arrays,pattern",
    [
        pytest.param(
            {"X": np.zeros((2, 4, 1)), "lengths": np.array([3.7, 2.0])},
            r"d\.npz: 'lengths' must hold whole numbers of steps; lengths\[0\] is 3\.7",
            id="fractional-lengths",
        ),
        pytest.param(
            {"X": np.zeros((2, 4, 1)), "lengths": np.array(["3", "2"])},
            r"d\.npz: 'lengths' must hold 2 values in \[1, 4\], whole numbers .*received "
            r"dtype <U1, i\.e\. strings",
            id="string-lengths",
        ),
        pytest.param(
            {"X": np.zeros((2, 4, 1)), "lengths": np.array([np.nan, 2.0])},
            r"lengths\[0\] is nan",
            id="nan-lengths",
        ),
        pytest.param(
            {"X": np.zeros((2, 4, 1)), "lengths": np.array([True, True])},
            r"'lengths' must hold 2 values .*received dtype bool",
            id="boolean-lengths",
        ),
        pytest.param(
            {"X": np.zeros((2, 4, 1)), "lengths": np.array([3, 5])},
            r"'lengths' must hold 2 values in \[1, 4\]; received lengths\[1\] = 5",
            id="lengths-beyond-T",
        ),
        pytest.param(
            {"X": np.ones((2, 4, 1)) + 1j},
            r"d\.npz: 'X' must hold real numbers \(int or float\); received dtype complex128, "
            r"i\.e\. complex numbers",
            id="complex-X",
        ),
        pytest.param(
            {"X": np.array([[["a"]]])},
            r"'X' must hold real numbers .*received dtype <U1",
            id="string-X",
        ),
        pytest.param(
            {"X": np.zeros((2, 3, 1), bool)},
            r"'X' must hold real numbers .*received dtype bool",
            id="boolean-X",
        ),
        pytest.param(
            {"X": np.zeros((0, 4, 1))},
            r"'X' must hold at least one sequence, step and feature; received shape \(0, 4, 1\)",
            id="no-sequences",
        ),
        pytest.param(
            {"X": np.array([[[0.0], [np.inf]]]), "ids": np.array(["s1"])},
            r"'X' holds inf \(not finite\) in X\[0\] \(id 's1'\) at step 1, feature 0",
            id="inf-X",
        ),
        pytest.param(
            {"X": np.full((1, 2, 1), 1e300)},
            r"'X' holds 1e\+300 \(too large for float32\) in X\[0\] at step 0",
            id="X-beyond-float32",
        ),
        pytest.param(
            {"X": np.zeros((2, 4, 1)), "y": np.array([1, 2, 3])},
            r"'y' must hold one target per sequence \(2, as 'X' holds\); received shape \(3,\)",
            id="y-wrong-length",
        ),
        pytest.param(
            {"X": np.zeros((2, 4, 1)), "y": np.array([1j, 2])},
            r"'y' must not be complex",
            id="complex-y",
        ),
        pytest.param(
            {"X": np.zeros((2, 4, 1)), "ids": np.array([7])},
            r"'ids' must hold one id per sequence, shape \(2,\); received shape \(1,\)",
            id="ids-wrong-length",
        ),
    ],
)
def test_npz_content_is_refused_with_file_array_and_entry(tmp_path, arrays, pattern):
    path = tmp_path / "d.npz"
    np.savez(path, **arrays)
    with pytest.raises(ValueError, match=pattern):
        read_npz(path)


def test_npz_rules_whole_float_lengths_and_nan_padding_are_fine(tmp_path):
    path = tmp_path / "d.npz"
    X = np.zeros((2, 3, 1))
    X[1, 2] = np.nan  # padding beyond lengths[1] = 2: never read
    np.savez(path, X=X, lengths=np.array([3.0, 2.0]))
    assert [len(x) for x in read_npz(path).X] == [3, 2]
