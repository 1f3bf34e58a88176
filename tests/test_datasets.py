"""lstmkit.datasets: every named dataset loads offline with the promised shapes and facts."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from lstmkit.datasets import (
    DatasetInfo,
    SequenceClassificationData,
    SeriesData,
    list_datasets,
    load_dataset,
    train_test_split_series,
)
from lstmkit.datasets.forecasting import LYNX_TRAPPINGS, parse_monthly_sunspots

NAMES = [info.name for info in list_datasets()]
SMALL_WAVES = {"num_sequences": 20, "min_length": 30, "max_length": 60}
# the simulators at a small size (at their defaults they simulate thousands of records)
SMALL = {
    "waveform": SMALL_WAVES,
    "ecg-af-simulated": {"num_train": 16, "num_test": 8},
    "radar-rcs": {"num_train": 20, "num_test": 20},
}


# ------------------------------------------------------------------------ registry
def test_registry_lists_every_dataset_with_its_facts():
    infos = list_datasets()
    assert all(isinstance(info, DatasetInfo) for info in infos)
    assert NAMES == sorted(NAMES)
    assert {"japanese-vowels", "waveform", "sunspots", "co2", "airline"} <= set(NAMES)
    for info in infos:
        assert info.task in ("classification", "forecasting")
        assert info.description and info.source and info.size
        assert isinstance(info.real, bool)
    by_name = {info.name: info for info in infos}
    assert by_name["waveform"].real is False
    assert by_name["waveform"].options["seed"] == 0
    assert by_name["airline"].options == {}


def test_registry_filters_by_task():
    classification = [i.name for i in list_datasets("classification")]
    assert {"japanese-vowels", "radar-rcs"} <= set(classification)
    assert all(i.task == "classification" for i in list_datasets("classification"))
    assert all(i.task == "forecasting" for i in list_datasets("forecasting"))
    with pytest.raises(ValueError, match=r"task must be one of 'classification', 'forecasting'"):
        list_datasets("regression")


@pytest.mark.parametrize("name", NAMES)
def test_every_dataset_loads_as_its_task_says(name):
    info = {i.name: i for i in list_datasets()}[name]
    data = load_dataset(name, **SMALL.get(name, {}))
    expected = SequenceClassificationData if info.task == "classification" else SeriesData
    assert isinstance(data, expected)
    assert data.name == name and data.description
    assert name in repr(data)


def test_unknown_name_lists_the_known_ones():
    with pytest.raises(ValueError, match="unknown dataset 'mnist'") as error:
        load_dataset("mnist")
    for name in NAMES:
        assert repr(name) in str(error.value)
    with pytest.raises(TypeError, match="name must be a dataset name"):
        load_dataset(3)


def test_names_ignore_case_and_underscores():
    assert load_dataset("Japanese_Vowels").name == "japanese-vowels"


def test_unknown_options_are_refused_by_name():
    with pytest.raises(TypeError, match=r"'airline' got unknown option\(s\) seed.*none"):
        load_dataset("airline", seed=1)
    with pytest.raises(TypeError, match=r"unknown option.*lenght.*num_sequences"):
        load_dataset("waveform", lenght=5)


def test_callers_get_copies_and_cannot_corrupt_the_cache():
    first = load_dataset("airline")
    first.series[:] = -1.0
    first.time_index[0] = np.datetime64("2000-01")
    assert load_dataset("airline").series[0] == 112.0
    assert str(load_dataset("airline").time_index[0]) == "1949-01"
    vowels = load_dataset("japanese-vowels")
    vowels.X_train[0][:] = 0.0
    vowels.X_train.clear()
    vowels.class_names.append("10")
    again = load_dataset("japanese-vowels")
    assert len(again.X_train) == 270 and again.X_train[0].any()
    assert again.num_classes == 9


# ----------------------------------------------------------------- japanese vowels
def test_japanese_vowels_counts_shapes_and_labels():
    data = load_dataset("japanese-vowels")
    assert (len(data.X_train), len(data.X_test)) == (270, 370)
    assert (len(data.y_train), len(data.y_test)) == (270, 370)
    assert data.num_features == 12 and len(data.feature_names) == 12
    assert data.class_names == [str(k) for k in range(1, 10)]
    assert set(data.y_train) == set(data.y_test) == set(data.class_names)
    # 30 training utterances per speaker; the test set is uneven (24-88)
    assert np.unique(data.y_train, return_counts=True)[1].tolist() == [30] * 9
    test_counts = np.unique(data.y_test, return_counts=True)[1]
    assert (test_counts.min(), test_counts.max(), test_counts.sum()) == (24, 88, 370)
    for x in data.X_train + data.X_test:
        assert x.dtype == np.float32 and x.ndim == 2 and x.shape[1] == 12
        assert np.isfinite(x).all()


def test_japanese_vowels_lengths_really_vary_and_are_unpadded():
    data = load_dataset("japanese-vowels")
    lengths = np.array([len(x) for x in data.X_train + data.X_test])
    assert (lengths.min(), lengths.max()) == (7, 29)
    assert len(np.unique(lengths)) > 10
    # no trailing padding rows of zeros (or NaN) at the end of any sequence
    assert not any((x[-1] == 0).all() for x in data.X_train + data.X_test)


# ------------------------------------------------------------------------ waveform
def test_waveform_shapes_lengths_and_dtype():
    data = load_dataset("waveform")
    assert data.is_multiseries and len(data.series) == 1000
    assert data.num_features == 3 and data.feature_names == ["channel_1", "channel_2", "channel_3"]
    lengths = [len(s) for s in data.series]
    assert 100 <= min(lengths) < max(lengths) <= 200
    for s, t in zip(data.series, data.time_index, strict=True):
        assert s.dtype == np.float32 and s.shape[1] == 3 and np.isfinite(s).all()
        np.testing.assert_array_equal(t, np.arange(len(s)))
    assert data.frequency == "step"


def test_waveform_is_deterministic_for_a_seed_and_varies_across_seeds():
    a = load_dataset("waveform", seed=3, **SMALL_WAVES)
    b = load_dataset("waveform", seed=3, **SMALL_WAVES)
    c = load_dataset("waveform", seed=4, **SMALL_WAVES)
    assert a is not b
    for x, y in zip(a.series, b.series, strict=True):
        np.testing.assert_array_equal(x, y)
    assert [len(s) for s in a.series] != [len(s) for s in c.series]
    assert not np.allclose(a.series[0][:30], c.series[0][:30])


def test_waveform_sequences_are_stable_when_asking_for_more():
    few = load_dataset("waveform", num_sequences=5, seed=1)
    many = load_dataset("waveform", num_sequences=8, seed=1)
    for x, y in zip(few.series, many.series[:5], strict=True):
        np.testing.assert_array_equal(x, y)


def test_waveform_options_shape_the_data():
    data = load_dataset(
        "waveform", num_sequences=4, num_channels=2, min_length=10, max_length=10, noise=0.0
    )
    assert [s.shape for s in data.series] == [(10, 2)] * 4
    # without noise every channel is a sum of 3 sinusoids of amplitude <= 1
    assert max(np.abs(s).max() for s in data.series) <= 3.0


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"num_sequences": 0}, ValueError, r"num_sequences must be an int >= 1; received 0"),
        ({"num_sequences": 2.5}, TypeError, r"num_sequences must be an int >= 1; received 2.5"),
        ({"seed": -1}, ValueError, r"seed must be an int >= 0"),
        ({"seed": True}, TypeError, r"seed must be an int >= 0"),
        ({"noise": -0.1}, ValueError, r"noise must be a finite float >= 0.0; received -0.1"),
        ({"noise": "low"}, TypeError, r"noise must be a float"),
        ({"min_length": 50, "max_length": 40}, ValueError, r"max_length must be >= min_length"),
        ({"seed": [1]}, TypeError, r"seed must be an int >= 0; received \[1\] \(list\)"),
    ],
)
def test_waveform_bad_options(options, error, message):
    with pytest.raises(error, match=message):
        load_dataset("waveform", **options)


# ------------------------------------------------------------------- real series
@pytest.mark.parametrize(
    ("name", "length", "frequency", "period", "first", "last"),
    [
        ("airline", 144, "monthly", 12, "1949-01", "1960-12"),
        ("co2", 526, "monthly", 12, "1958-03", "2001-12"),
        ("sunspots", 3120, "monthly", 132, "1749-01", "2008-12"),
        ("sunspots-yearly", 309, "yearly", 11, "1700", "2008"),
        ("nile", 100, "yearly", 1, "1871", "1970"),
        ("lynx", 114, "yearly", 10, "1821", "1934"),
    ],
)
def test_real_series_facts(name, length, frequency, period, first, last):
    data = load_dataset(name)
    assert not data.is_multiseries and data.num_features == 1
    assert data.series.shape == (length,) and data.series.dtype == np.float32
    assert np.isfinite(data.series).all() and (data.series >= 0).all()
    assert (data.frequency, data.seasonal_period) == (frequency, period)
    assert len(data.time_index) == length
    assert (str(data.time_index[0]), str(data.time_index[-1])) == (first, last)
    # the calendar has no gaps or repeats
    steps = np.diff(data.time_index).astype(np.int64)
    assert (steps == 1).all()
    assert data.units and data.feature_names


def test_airline_values_are_box_jenkins_series_g():
    air = load_dataset("airline").series
    assert air[:3].tolist() == [112.0, 118.0, 132.0] and air[-1] == 432.0


def test_co2_monthly_means_follow_the_season_and_trend():
    co2 = load_dataset("co2")
    assert 310 < co2.series[0] < 320 and 365 < co2.series[-1] < 375
    # Mauna Loa peaks in May and bottoms out in September/October
    months = co2.time_index.astype(int) % 12
    detrended = co2.series - np.convolve(co2.series, np.ones(12) / 12, mode="same")
    profile = [detrended[6:-6][months[6:-6] == m].mean() for m in range(12)]
    assert int(np.argmax(profile)) == 4 and int(np.argmin(profile)) in (8, 9)


def test_monthly_sunspots_agree_with_the_yearly_series():
    monthly = load_dataset("sunspots").series.reshape(-1, 12).mean(axis=1)
    yearly = load_dataset("sunspots-yearly").series[-len(monthly) :]
    assert np.abs(monthly - yearly).max() < 0.5
    assert load_dataset("sunspots").series.max() == pytest.approx(253.8)  # Oct 1957


def test_monthly_sunspots_can_include_the_preliminary_months():
    data = load_dataset("sunspots", include_preliminary=True)
    assert len(data.series) == 3126 and str(data.time_index[-1]) == "2009-06"
    with pytest.raises(TypeError, match="include_preliminary must be True or False"):
        load_dataset("sunspots", include_preliminary="yes")


def test_monthly_sunspot_parser_skips_notes_and_checks_rows():
    text = "TITLE\n1749 1 2 3 4 5 6 7 8 9 10 11 12\n\n1750 1.5 2\nNote: 2009 is preliminary\n"
    assert parse_monthly_sunspots(text) == (
        [1749, 1750],
        [[float(k) for k in range(1, 13)], [1.5, 2.0]],
    )
    with pytest.raises(ValueError, match="skips or repeats a year"):
        parse_monthly_sunspots("1749 1 2 3 4 5 6 7 8 9 10 11 12\n1751 1\n")
    with pytest.raises(ValueError, match="without 12 monthly values"):
        parse_monthly_sunspots("1749 1 2\n1750 1\n")
    with pytest.raises(ValueError, match="no rows"):
        parse_monthly_sunspots("nothing here\n")


def test_lynx_copy_matches_the_file_aeon_ships():
    import aeon.datasets

    path = Path(aeon.datasets.__file__).parent / "data" / "Lynx" / "Lynx.csv"
    if not path.is_file():
        pytest.skip("this aeon no longer ships Lynx.csv")
    shipped = np.loadtxt(path, delimiter=",", skiprows=1)
    assert shipped[:, 1].tolist() == list(LYNX_TRAPPINGS)


# -------------------------------------------------------------------------- split
def test_split_holds_out_the_last_steps():
    series = np.arange(20.0).reshape(10, 2)
    train, test = train_test_split_series(series, 3)
    np.testing.assert_array_equal(train, series[:7])
    np.testing.assert_array_equal(test, series[7:])
    train[:] = -1  # copies, not views
    assert series.min() == 0


def test_split_by_fraction_rounds_up():
    assert [len(p) for p in train_test_split_series(list(range(10)), 0.3)] == [7, 3]
    assert [len(p) for p in train_test_split_series(np.ones(10), 0.01)] == [9, 1]
    assert [len(p) for p in train_test_split_series(np.ones(144), 0.1)] == [129, 15]


def test_split_series_data_keeps_its_calendar():
    air = load_dataset("airline")
    train, test = train_test_split_series(air, 12)
    assert isinstance(train, SeriesData) and isinstance(test, SeriesData)
    assert (len(train.series), len(test.series)) == (132, 12)
    assert (len(train.time_index), len(test.time_index)) == (132, 12)
    assert str(test.time_index[0]) == "1960-01" and test.seasonal_period == 12
    np.testing.assert_array_equal(np.concatenate([train.series, test.series]), air.series)


def test_split_multi_series_splits_each():
    waves = load_dataset("waveform", **SMALL_WAVES)
    train, test = train_test_split_series(waves, 5)
    assert train.is_multiseries and len(train.series) == 20
    for whole, head, tail, t_head in zip(
        waves.series, train.series, test.series, train.time_index, strict=True
    ):
        assert len(tail) == 5 and len(head) == len(whole) - 5 == len(t_head)
    heads, tails = train_test_split_series(waves.series, 0.5)
    assert [len(h) + len(t) for h, t in zip(heads, tails, strict=True)] == [
        len(s) for s in waves.series
    ]


@pytest.mark.parametrize(
    ("series", "test_size", "error", "message"),
    [
        (np.arange(10.0), 0, ValueError, r"test_size must be an int in \[1, 9\].*received 0"),
        (np.arange(10.0), 10, ValueError, r"test_size must be an int in \[1, 9\].*received 10"),
        (np.arange(10.0), 1.0, ValueError, r"a float in \(0, 1\).*received 1.0"),
        (np.arange(10.0), -0.2, ValueError, r"received -0.2"),
        (np.arange(10.0), 0.99, ValueError, r"holds out all 10 steps"),
        (np.arange(10.0), "3", TypeError, r"test_size must be an int .*'3' \(str\)"),
        (np.arange(10.0), True, TypeError, r"test_size must be an int"),
        (np.ones((2, 3, 4)), 1, ValueError, r"series must have shape \(T,\) or \(T, F\)"),
        (np.ones(1), 1, ValueError, r"series must have at least 2 steps.*received 1"),
        (np.array(["a", "b", "c"]), 1, TypeError, r"series must hold real numbers"),
        ("abc", 1, TypeError, r"series must be an array of shape"),
        (None, 1, TypeError, r"series must be an array of shape"),
        ([[1.0, 2.0], [3.0]], 1, TypeError, r"not rectangular"),
        ([np.ones(5), np.ones(2)], 2, ValueError, r"series\[1\] has 2 steps"),
    ],
)
def test_split_bad_input(series, test_size, error, message):
    with pytest.raises(error, match=message):
        train_test_split_series(series, test_size)
