"""Real forecasting series, read from files that installed packages ship.

Every loader is cached (the files never change while Python runs) and returns the
cached object; :func:`~lstmkit.datasets.load_dataset` hands out deep copies, so a
caller that edits its arrays cannot corrupt what the next caller gets.
"""

from __future__ import annotations

import functools
import importlib.resources
from pathlib import Path

import numpy as np

from lstmkit._checks import check_bool
from lstmkit.datasets.types import SeriesData

# The solar (Schwabe) cycle averages about 11 years; single cycles run 9 to 14.
SOLAR_CYCLE_YEARS = 11


def _monthly_index(first: str, count: int) -> np.ndarray:
    """``count`` consecutive months from ``first`` ("YYYY-MM") as datetime64[M]."""
    return np.datetime64(first, "M") + np.arange(count)


def _years(first: int, count: int) -> np.ndarray:
    return np.arange(first, first + count, dtype=np.int64)


# ------------------------------------------------------------------------- sunspots
def monthly_sunspots_path() -> Path:
    """Where statsmodels keeps its (undocumented) monthly sunspot file."""
    package = importlib.resources.files("statsmodels.datasets.sunspots")
    return Path(str(package / "src" / "sunspots_monthly.dat"))


def parse_monthly_sunspots(text: str) -> tuple[list[int], list[list[float]]]:
    """Years and their monthly values from the NGDC table ("1749  58.0  62.6 ...").

    Lines that do not start with a four-digit year (titles, rules, blank lines between
    five-year blocks, the closing notes) are skipped.
    """
    years: list[int] = []
    rows: list[list[float]] = []
    for line in text.splitlines():
        parts = line.split()
        if not parts or len(parts[0]) != 4 or not parts[0].isdigit():
            continue
        years.append(int(parts[0]))
        rows.append([float(p) for p in parts[1:]])
    if not years:
        raise ValueError("the monthly sunspot file holds no rows of the form 'YYYY v1 ... v12'")
    if years != list(range(years[0], years[0] + len(years))):
        raise ValueError("the monthly sunspot file skips or repeats a year")
    if any(len(row) != 12 for row in rows[:-1]) or not 1 <= len(rows[-1]) <= 12:
        raise ValueError("the monthly sunspot file has a year without 12 monthly values")
    return years, rows


def load_sunspots(*, include_preliminary: bool = False) -> SeriesData:
    """Check the option, then read (or take from the cache) the monthly sunspots."""
    check_bool("include_preliminary", include_preliminary)
    return _load_monthly_sunspots(include_preliminary)


@functools.lru_cache(maxsize=2)
def _load_monthly_sunspots(include_preliminary: bool) -> SeriesData:
    """Monthly mean sunspot numbers, January 1749 to December 2008 (3,120 values).

    statsmodels documents only its yearly series, but its wheel also ships the monthly
    NGDC table it was derived from (``statsmodels/datasets/sunspots/src/
    sunspots_monthly.dat``); this reads that file. The table runs on to June 2009, but
    marks values after December 2008 as preliminary; they are left out unless
    ``include_preliminary=True`` (3,126 values). There is no calendar season: the
    seasonal period is the mean solar cycle, 11 years = 132 months (approximate: single
    cycles last 9-14 years).
    """
    path = monthly_sunspots_path()
    if not path.is_file():
        raise FileNotFoundError(
            f"the monthly sunspot file is not where statsmodels used to ship it ({path}); "
            "load_dataset('sunspots-yearly') gives the yearly series, which statsmodels "
            "documents"
        )
    years, rows = parse_monthly_sunspots(path.read_text(encoding="ascii"))
    if not include_preliminary and years[-1] > 2008:
        # "Data are preliminary after Dec 08": drop the part-year that follows
        keep = years.index(2008) + 1
        years, rows = years[:keep], rows[:keep]
    values = np.array([v for row in rows for v in row], dtype=np.float32)
    ending = "June 2009, the last 6 months preliminary" if include_preliminary else "Dec 2008"
    return SeriesData(
        series=values,
        time_index=_monthly_index(f"{years[0]}-01", len(values)),
        frequency="monthly",
        seasonal_period=12 * SOLAR_CYCLE_YEARS,
        name="sunspots",
        description=(
            f"Monthly mean (Wolf/Zurich) sunspot number, Jan {years[0]} to {ending}, "
            "from the NOAA National Geophysical Data Center table that statsmodels ships "
            "(sunspots/src/sunspots_monthly.dat). These are the pre-2015 'version 1' "
            "values of the International Sunspot Number (SIDC, Royal Observatory of "
            "Belgium); Feb 1824 had no observations and was interpolated by the source. "
            "Seasonal period: the ~11-year solar cycle, 132 months. Public domain."
        ),
        units="sunspot number",
        feature_names=["sunspot_number"],
    )


@functools.lru_cache(maxsize=1)
def load_sunspots_yearly() -> SeriesData:
    """Yearly sunspot numbers 1700-2008 (309 values), statsmodels' documented series."""
    from statsmodels.datasets import sunspots

    frame = sunspots.load_pandas().data
    return SeriesData(
        series=frame["SUNACTIVITY"].to_numpy(dtype=np.float32),
        time_index=frame["YEAR"].to_numpy().astype(np.int64),
        frequency="yearly",
        seasonal_period=SOLAR_CYCLE_YEARS,
        name="sunspots-yearly",
        description=(
            "Yearly mean sunspot number 1700-2008 (statsmodels.datasets.sunspots, from "
            "the NOAA National Geophysical Data Center; public domain). Seasonal period: "
            "the ~11-year solar cycle."
        ),
        units="sunspot number",
        feature_names=["sunspot_number"],
    )


# ------------------------------------------------------------------------------ co2
@functools.lru_cache(maxsize=1)
def load_co2() -> SeriesData:
    """Mauna Loa CO2, weekly samples turned into monthly means, March 1958 - Dec 2001."""
    from statsmodels.datasets import co2

    weekly = co2.load_pandas().data["co2"]
    # 59 of the 2,284 weekly values are missing. Interpolating in time before averaging
    # keeps each monthly mean an average over the whole month, instead of over whichever
    # weeks happened to be sampled (which would bias months with gaps toward one end).
    filled = weekly.interpolate(method="time", limit_direction="both")
    monthly = filled.resample("MS").mean()
    return SeriesData(
        series=monthly.to_numpy(dtype=np.float32),
        time_index=monthly.index.to_numpy().astype("datetime64[M]"),
        frequency="monthly",
        seasonal_period=12,
        name="co2",
        description=(
            "Atmospheric CO2 at Mauna Loa Observatory, Hawaii: monthly means (Mar 1958 to "
            "Dec 2001) of the weekly flask samples in statsmodels.datasets.co2. The 59 "
            "missing weekly values were filled by linear interpolation in time before "
            "averaging; March 1958 averages only its last week. Keeling & Whorf (2004), "
            "Scripps Institution of Oceanography, via CDIAC; public domain."
        ),
        units="ppm",
        feature_names=["co2"],
    )


# -------------------------------------------------------------------------- airline
@functools.lru_cache(maxsize=1)
def load_airline() -> SeriesData:
    """Box & Jenkins' airline passengers: monthly totals, 1949-1960 (144 values)."""
    from aeon.datasets import load_airline as aeon_load_airline

    values = np.asarray(aeon_load_airline(), dtype=np.float32)
    return SeriesData(
        series=values,
        time_index=_monthly_index("1949-01", len(values)),
        frequency="monthly",
        seasonal_period=12,
        name="airline",
        description=(
            "Monthly totals of international airline passengers, Jan 1949 to Dec 1960. "
            "Box, Jenkins & Reinsel, Time Series Analysis: Forecasting and Control "
            "(series G); read from the copy that aeon ships."
        ),
        units="thousands of passengers",
        feature_names=["passengers"],
    )


# ----------------------------------------------------------------------------- nile
@functools.lru_cache(maxsize=1)
def load_nile() -> SeriesData:
    """Annual flow of the Nile at Aswan, 1871-1970 (100 values)."""
    from statsmodels.datasets import nile

    frame = nile.load_pandas().data
    return SeriesData(
        series=frame["volume"].to_numpy(dtype=np.float32),
        time_index=frame["year"].to_numpy().astype(np.int64),
        frequency="yearly",
        seasonal_period=1,
        name="nile",
        description=(
            "Annual flow of the river Nile at Aswan, 1871-1970, with a change point near "
            "1898 (the first Aswan dam). Cobb (1978), Biometrika 65(2); Durbin & Koopman, "
            "Time Series Analysis by State Space Methods. From statsmodels.datasets.nile; "
            "public domain."
        ),
        units="10^8 m^3 per year",
        feature_names=["volume"],
    )


# ----------------------------------------------------------------------------- lynx
# Annual Canadian lynx trappings 1821-1934 (R's datasets::lynx). aeon 1.6 still ships
# them but has deprecated its loader (removal in 1.7), so the 114 values live here.
LYNX_TRAPPINGS = (
    269, 321, 585, 871, 1475, 2821, 3928, 5943, 4950, 2577, 523, 98, 184, 279, 409, 2285,
    2685, 3409, 1824, 409, 151, 45, 68, 213, 546, 1033, 2129, 2536, 957, 361, 377, 225, 360,
    731, 1638, 2725, 2871, 2119, 684, 299, 236, 245, 552, 1623, 3311, 6721, 4254, 687, 255,
    473, 358, 784, 1594, 1676, 2251, 1426, 756, 299, 201, 229, 469, 736, 2042, 2811, 4431,
    2511, 389, 73, 39, 49, 59, 188, 377, 1292, 4031, 3495, 587, 105, 153, 387, 758, 1307,
    3465, 6991, 6313, 3794, 1836, 345, 382, 808, 1388, 2713, 3800, 3091, 2985, 3790, 674,
    81, 80, 108, 229, 399, 1132, 2432, 3574, 2935, 1537, 529, 485, 662, 1000, 1590, 2657,
    3396,
)  # fmt: skip


@functools.lru_cache(maxsize=1)
def load_lynx() -> SeriesData:
    """Annual Canadian lynx trappings, 1821-1934 (114 values); the ~10-year cycle."""
    values = np.array(LYNX_TRAPPINGS, dtype=np.float32)
    return SeriesData(
        series=values,
        time_index=_years(1821, len(values)),
        frequency="yearly",
        seasonal_period=10,
        name="lynx",
        description=(
            "Number of lynx trapped per year in the Mackenzie River district of "
            "north-west Canada, 1821-1934 (Hudson's Bay Company records), with its "
            "famous ~10-year population cycle. Elton & Nicholson (1942), J. Animal "
            "Ecology 11; Campbell & Walker (1977), JRSS A 140; the same values as R's "
            "datasets::lynx and aeon's Lynx.csv."
        ),
        units="lynx trapped per year",
        feature_names=["trappings"],
    )


# ------------------------------------------------------------------------ M1 yearly
#: The forecast horizon of the M1 (and M4) yearly series: 6 years.
M1_YEARLY_HORIZON = 6


@functools.lru_cache(maxsize=1)
def load_m1_yearly() -> SeriesData:
    """The 181 yearly series of the M1 forecasting competition (15-58 values each).

    Read offline from the ``.tsf`` file that aeon's wheel ships
    (``aeon/datasets/data/m1_yearly_dataset``, via
    ``aeon.datasets.load_forecasting``). The competition's horizon is
    :data:`M1_YEARLY_HORIZON` (6): the last 6 values of each series are its test
    window. Yearly data has no season (``seasonal_period`` 1).

    Args:
        (none)

    Returns:
        A multi-series :class:`SeriesData`: ``series`` is a list of 181 float32 arrays
        (T_i,), ``time_index`` a list of int year arrays.

    Example:
        >>> from lstmkit.datasets.forecasting import load_m1_yearly
        >>> m1 = load_m1_yearly()  # doctest: +SKIP
        >>> len(m1.series), m1.frequency, min(len(s) for s in m1.series)  # doctest: +SKIP
        (181, 'yearly', 15)
    """
    from aeon.datasets import load_forecasting

    frame, meta = load_forecasting("m1_yearly_dataset", return_metadata=True)
    if meta.get("forecast_horizon") != M1_YEARLY_HORIZON or meta.get("frequency") != "yearly":
        raise ValueError(
            f"aeon's m1_yearly_dataset should be yearly with horizon {M1_YEARLY_HORIZON}; "
            f"its metadata says {meta}"
        )
    series = [np.asarray(v, dtype=np.float32) for v in frame["series_value"]]
    starts = [int(str(t)[:4]) for t in frame["start_timestamp"]]
    return SeriesData(
        series=series,
        time_index=[_years(start, len(s)) for start, s in zip(starts, series, strict=True)],
        frequency="yearly",
        seasonal_period=1,
        name="m1-yearly",
        description=(
            "The 181 yearly series of the M1 competition (macro, micro, industry and "
            "demographic data; 15-58 years each; horizon 6). Makridakis et al. (1982), "
            "J. Forecasting 1(2); the copy of the Monash forecasting archive that aeon "
            "ships (m1_yearly_dataset.tsf). The 51st series' start year is unknown in "
            "the source (aeon reads it as 1900)."
        ),
        units="various (each series its own)",
        feature_names=["value"],
    )
