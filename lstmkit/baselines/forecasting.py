"""Classical forecasting baselines, open loop and closed loop, for the forecasting app.

Every baseline answers the same two questions as the LSTM :class:`~lstmkit.tasks.Forecaster`:

* **open loop** (one step ahead): given a history ``y[:n]`` and the values that
  followed, ``y[n:]``, predict each ``y[t]`` (``t >= n``) from the true values up to
  ``t - 1``. Nothing is refitted after the history: the statsmodels models keep the
  parameters fitted on the history and only their state is updated with the new
  observations (ARIMA: ``results.append(..., refit=False)``; ETS: ``smooth`` with
  the fitted parameters over the whole series).
* **closed loop**: forecast ``steps`` values after the end of the history, each from
  the model's own earlier forecasts.

The M4 competition's benchmarks are here too: Naive2 (:func:`naive2_baseline`, the
naive forecast of the seasonally adjusted series, with M4's 90% autocorrelation test
deciding seasonality, :func:`is_seasonal`), Theta (:func:`theta_baseline`,
statsmodels' ``ThetaModel``) and an automatic ARIMA (:func:`auto_arima_baseline`, a
small AIC search on statsmodels' ``ARIMA``). The accuracy measures M4 used (sMAPE,
MASE, OWA) are in :mod:`lstmkit.baselines.forecast_accuracy`.

Functions take one univariate series (``(T,)``); :func:`per_channel` applies one to
each column of a ``(T, F)`` series. Statsmodels' convergence and fitting warnings are
silenced and counted in a :class:`WarningCounter`, so a run can report them.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lstmkit._checks import check_int

__all__ = [
    "BASELINES",
    "WarningCounter",
    "arima_baseline",
    "auto_arima_baseline",
    "dominant_period",
    "ets_baseline",
    "is_seasonal",
    "naive2_baseline",
    "naive_baseline",
    "per_channel",
    "seasonal_indices",
    "seasonal_naive_baseline",
    "theta_baseline",
]


@dataclass
class WarningCounter:
    """Counts the warnings statsmodels raised while fitting, by category name."""

    counts: dict[str, int] = field(default_factory=dict)

    def add(self, caught: list[warnings.WarningMessage]) -> None:
        for w in caught:
            name = w.category.__name__
            self.counts[name] = self.counts.get(name, 0) + 1

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _as_1d(name: str, values: Any) -> np.ndarray:
    array = np.asarray(values, dtype=np.float64)
    if array.ndim == 2 and array.shape[1] == 1:
        array = array[:, 0]
    if array.ndim != 1:
        raise ValueError(
            f"{name} must be a univariate series of shape (T,); received {array.shape}"
        )
    if not np.isfinite(array).all():
        raise ValueError(f"{name} must hold finite numbers; received NaN or inf")
    return array


def _check(history: Any, future: Any, steps: int) -> tuple[np.ndarray, np.ndarray]:
    hist = _as_1d("history", history)
    fut = _as_1d("future", np.zeros(0) if future is None else future)
    if len(hist) < 2:
        raise ValueError(f"history must have at least 2 steps; received {len(hist)}")
    if isinstance(steps, bool) or not isinstance(steps, int | np.integer) or steps < 0:
        raise ValueError(f"steps must be an int >= 0; received {steps!r}")
    return hist, fut


def _closed_loop(
    forecast: Callable[[np.ndarray], np.ndarray],
    hist: np.ndarray,
    fut: np.ndarray,
    origins: Sequence[int] | None,
) -> np.ndarray:
    """Closed-loop forecasts from the end of the history (``origins=None``: shape
    (steps,)) or from each origin ``o`` (after ``history + future[:o]``; shape
    (len(origins), steps)), each from the data known then."""
    if origins is None:
        return forecast(hist)
    out = []
    for o in origins:
        if isinstance(o, bool) or not isinstance(o, int | np.integer) or not 0 <= o <= len(fut):
            raise ValueError(f"origins must be ints in [0, len(future)={len(fut)}]; received {o!r}")
        out.append(forecast(np.concatenate([hist, fut[:o]])))
    return np.asarray(out, dtype=np.float64)


# ----------------------------------------------------------------- simple baselines
def naive_baseline(
    history: Any, future: Any, steps: int, *, origins: Sequence[int] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Last value: open loop ``y[t-1]`` for each future ``y[t]``; closed loop repeats ``y[n-1]``.

    Args:
        history: the observed series ``y[:n]``, shape (n,).
        future: the values that followed, ``y[n:]``, shape (m,) (may be empty).
        steps: the closed-loop horizon.
        origins: forecast origins as offsets into ``future`` (0 = the end of the
            history), each forecast using only the data known then; None: one
            forecast from the end of the history.

    Returns:
        ``(open_loop, closed_loop)`` of shapes (m,) and (steps,) (with ``origins``:
        (len(origins), steps)).

    Example:
        >>> from lstmkit.baselines.forecasting import naive_baseline
        >>> naive_baseline([1.0, 2.0, 3.0], [4.0, 5.0], 2)
        (array([3., 4.]), array([3., 3.]))
    """
    hist, fut = _check(history, future, steps)
    full = np.concatenate([hist, fut])
    n = len(hist)

    def closed(known: np.ndarray) -> np.ndarray:
        return np.full(steps, known[-1])

    return full[n - 1 : len(full) - 1].copy(), _closed_loop(closed, hist, fut, origins)


def seasonal_naive_baseline(
    history: Any,
    future: Any,
    steps: int,
    *,
    period: int,
    origins: Sequence[int] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Value one season ago: open loop ``y[t-period]``; closed loop repeats the last season.

    Args:
        history: ``y[:n]``, shape (n,), with ``n >= period``.
        future: ``y[n:]``, shape (m,).
        steps: the closed-loop horizon.
        period: the season length in steps (>= 1; 1 is the naive forecast).
        origins: as for :func:`naive_baseline`.

    Returns:
        ``(open_loop, closed_loop)`` of shapes (m,) and (steps,).

    Example:
        >>> from lstmkit.baselines.forecasting import seasonal_naive_baseline
        >>> seasonal_naive_baseline([1.0, 2.0, 3.0, 4.0], [5.0, 6.0], 3, period=2)
        (array([3., 4.]), array([3., 4., 3.]))
    """
    hist, fut = _check(history, future, steps)
    if isinstance(period, bool) or not isinstance(period, int | np.integer) or period < 1:
        raise ValueError(f"period must be an int >= 1; received {period!r}")
    n = len(hist)
    if n < period:
        raise ValueError(f"history must have at least period={period} steps; received {n}")
    full = np.concatenate([hist, fut])
    open_loop = full[n - period : len(full) - period].copy()

    def closed(known: np.ndarray) -> np.ndarray:
        return known[len(known) - period :][np.arange(steps) % period]

    return open_loop, _closed_loop(closed, hist, fut, origins)


def dominant_period(series: Any, *, min_period: int = 2, max_period: int | None = None) -> int:
    """The dominant period of a series (or of several channels), in steps.

    The highest peak of the autocorrelation (of the mean-removed series, channels
    averaged) at lags ``min_period..max_period``, where the autocorrelation has first
    dropped below zero (so lag 1's trivial correlation is skipped). Falls back to the
    FFT's strongest frequency when the autocorrelation never turns negative.

    Args:
        series: shape (T,) or (T, F).
        min_period: smallest period considered.
        max_period: largest; None for ``T // 2`` (two periods must fit).

    Returns:
        The period as an int >= ``min_period``.

    Example:
        >>> import numpy as np
        >>> from lstmkit.baselines.forecasting import dominant_period
        >>> dominant_period(np.sin(2 * np.pi * np.arange(200) / 25))
        25
    """
    y = np.asarray(series, dtype=np.float64)
    if y.ndim == 1:
        y = y[:, None]
    t = len(y)
    max_period = t // 2 if max_period is None else min(max_period, t // 2)
    if max_period < min_period:
        raise ValueError(f"series is too short ({t} steps) to estimate a period >= {min_period}")
    y = y - y.mean(axis=0)
    spectrum = np.fft.rfft(y, n=2 * t, axis=0)
    acf = np.fft.irfft(np.abs(spectrum) ** 2, axis=0)[:t].sum(axis=1)
    if acf[0] <= 0:
        return min_period
    acf = acf / acf[0]
    negative = np.flatnonzero(acf[1:] < 0)
    if negative.size:
        start = max(min_period, int(negative[0]) + 1)
        if start <= max_period:
            return int(start + np.argmax(acf[start : max_period + 1]))
    power = (np.abs(np.fft.rfft(y, axis=0)) ** 2).sum(axis=1)
    freqs = np.fft.rfftfreq(t)
    valid = (freqs > 0) & (freqs >= 1 / max_period) & (freqs <= 1 / min_period)
    if not valid.any():
        return min_period
    best = freqs[valid][np.argmax(power[valid])]
    return int(np.clip(round(1 / best), min_period, max_period))


# -------------------------------------------------------------- statsmodels models
@contextlib.contextmanager
def _caught(counter: WarningCounter | None) -> Iterator[None]:
    """Silence every warning inside the block, counting them in ``counter``."""
    with warnings.catch_warnings(record=True) as log:
        warnings.simplefilter("always")
        try:
            yield
        finally:
            if counter is not None:
                counter.add(log)


def _statsmodels_forecasts(
    results: Any, hist: np.ndarray, fut: np.ndarray, steps: int, origins: Any
) -> tuple[np.ndarray, np.ndarray]:
    """Open-loop and closed-loop forecasts of a fitted statsmodels state-space model:
    new observations are appended to its state (``refit=False``), never refitted."""
    n = len(hist)

    def forecast(known: np.ndarray) -> np.ndarray:
        extra = known[n:]
        state = results.append(extra, refit=False) if len(extra) else results
        return np.asarray(state.forecast(steps)) if steps else np.zeros(0)

    closed = _closed_loop(forecast, hist, fut, origins)
    if len(fut):
        extended = results.append(fut, refit=False)
        open_loop = np.asarray(extended.predict(start=n, end=n + len(fut) - 1))
    else:
        open_loop = np.zeros(0)
    return open_loop.astype(np.float64), closed.astype(np.float64)


def arima_baseline(
    history: Any,
    future: Any,
    steps: int,
    *,
    order: tuple[int, int, int] = (2, 0, 1),
    trend: str | None = None,
    origins: Sequence[int] | None = None,
    warnings_counter: WarningCounter | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """ARIMA fitted on the history (statsmodels' state-space ARIMA, maximum likelihood).

    Open loop: the fitted results are extended with ``future`` (``append(...,
    refit=False)``) and their one-step-ahead predictions taken; closed loop:
    ``forecast(steps)`` from the end of the history.

    Args:
        history, future, steps, origins: as for :func:`naive_baseline`.
        order: ``(p, d, q)``.
        trend: statsmodels' trend term; None picks ``"c"`` for ``d = 0``, ``"n"`` else.
        warnings_counter: counts the warnings the fit raised (they are not shown).

    Returns:
        ``(open_loop, closed_loop)`` of shapes (m,) and (steps,).
    """
    from statsmodels.tsa.arima.model import ARIMA

    hist, fut = _check(history, future, steps)
    trend = ("c" if order[1] == 0 else "n") if trend is None else trend
    with _caught(warnings_counter):
        results = ARIMA(hist, order=order, trend=trend).fit()

        return _statsmodels_forecasts(results, hist, fut, steps, origins)


def ets_baseline(
    history: Any,
    future: Any,
    steps: int,
    *,
    period: int | None = None,
    damped_trend: bool = True,
    origins: Sequence[int] | None = None,
    warnings_counter: WarningCounter | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """ETS(A, Ad, A): additive errors, damped additive trend, additive seasonality.

    statsmodels' ``ETSModel`` fitted on the history by maximum likelihood. The
    seasonal term (period ``period``) is used when the history holds at least two
    full seasons and 10 steps more (what statsmodels' heuristic initialisation
    needs); without it the model is ETS(A, Ad, N). The initial states come from that
    heuristic (so only the smoothing and damping parameters are estimated). Open
    loop: the same initial states and parameters smooth the whole series
    ``history + future`` (``ETSModel.smooth``), whose fitted values after the
    history are the one-step-ahead predictions; closed loop: ``forecast(steps)``.

    Args:
        history, future, steps, origins: as for :func:`naive_baseline`.
        period: the season length; None or < 2 for no seasonality.
        damped_trend: damp the additive trend.
        warnings_counter: counts the warnings the fit raised.

    Returns:
        ``(open_loop, closed_loop)`` of shapes (m,) and (steps,).
    """
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    hist, fut = _check(history, future, steps)
    n = len(hist)
    seasonal = period is not None and period >= 2 and n >= max(2 * period, 10 + 2 * (period // 2))
    spec: dict[str, Any] = {"error": "add", "trend": "add", "damped_trend": damped_trend}
    if seasonal:
        spec.update(seasonal="add", seasonal_periods=int(period))
    # statsmodels' heuristic initial states (few parameters to fit, fast); it needs
    # 10 steps, and two seasons plus 10 steps for the seasonal states.
    init = "heuristic" if n >= 10 else "estimated"
    with _caught(warnings_counter):
        results = ETSModel(hist, initialization_method=init, **spec).fit(disp=False)
        # The same initial states (from the history only) and parameters, run over
        # more data: the state is updated with the true values, nothing is refitted.
        initial: dict[str, Any] = {
            "initial_level": float(results.initial_level),
            "initial_trend": float(results.initial_trend),
        }
        if seasonal:
            initial["initial_seasonal"] = np.asarray(results.initial_seasonal)
        names = list(results.model.param_names)
        params = np.asarray([results.params[names.index(p)] for p in names if "initial" not in p])

        def smooth(known: np.ndarray):
            if len(known) == n:
                return results
            model = ETSModel(known, initialization_method="known", **initial, **spec)
            return model.smooth(params)

        def forecast(known: np.ndarray) -> np.ndarray:
            return np.asarray(smooth(known).forecast(steps)) if steps else np.zeros(0)

        closed = _closed_loop(forecast, hist, fut, origins)
        if len(fut):
            smoothed = smooth(np.concatenate([hist, fut]))
            open_loop = np.asarray(smoothed.fittedvalues)[n:]
        else:
            open_loop = np.zeros(0)
    return open_loop.astype(np.float64), closed.astype(np.float64)


# ------------------------------------------------------------ M4's benchmarks
def is_seasonal(history: Any, period: int) -> bool:
    """M4's seasonality test: is the autocorrelation at lag ``period`` significant at 90%?

    As in the M4 competition's benchmark code: with ``r_k`` the sample autocorrelation,
    the series is seasonal when ``|r_m| > 1.645 * sqrt((1 + 2 * sum_{k<m} r_k^2) / n)``.
    Series with ``period < 2`` or fewer than ``3 * period`` steps are not seasonal.

    Args:
        history: the series, shape (n,).
        period: the candidate seasonal period m.

    Returns:
        True if seasonal.

    Example:
        >>> import numpy as np
        >>> from lstmkit.baselines.forecasting import is_seasonal
        >>> t = np.arange(96)
        >>> is_seasonal(10 + np.sin(2 * np.pi * t / 12), 12), is_seasonal(t + 1.0, 12)
        (True, False)
    """
    from statsmodels.tsa.stattools import acf

    hist = _as_1d("history", history)
    check_int("period", period, 1)
    n = len(hist)
    if period < 2 or n < 3 * period or np.ptp(hist) == 0:
        return False
    r = acf(hist, nlags=period, fft=False)
    limit = 1.645 * np.sqrt((1 + 2 * np.sum(r[1:period] ** 2)) / n)
    return bool(abs(r[period]) > limit)


def seasonal_indices(history: Any, period: int) -> np.ndarray:
    """Multiplicative seasonal indices of classical decomposition, one per phase.

    statsmodels' ``seasonal_decompose(model="multiplicative")`` (a centred moving
    average of one season as the trend); index ``k`` is the factor of the steps
    ``t`` with ``t % period == k``. All ones when :func:`is_seasonal` says no, or when
    the series is not strictly positive (a multiplicative model needs that).

    Args:
        history: the series, shape (n,).
        period: the seasonal period m.

    Returns:
        An array (max(period, 1),) of factors.

    Example:
        >>> import numpy as np
        >>> from lstmkit.baselines.forecasting import seasonal_indices
        >>> seasonal_indices(np.arange(1.0, 30.0), 4)   # a trend, no season
        array([1., 1., 1., 1.])
    """
    hist = _as_1d("history", history)
    check_int("period", period, 1)
    if not is_seasonal(hist, period) or np.any(hist <= 0):
        return np.ones(max(period, 1))
    from statsmodels.tsa.seasonal import seasonal_decompose

    seasonal = seasonal_decompose(hist, model="multiplicative", period=period).seasonal
    return np.asarray(seasonal[:period], dtype=np.float64)


def naive2_baseline(
    history: Any,
    future: Any,
    steps: int,
    *,
    period: int = 1,
    origins: Sequence[int] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """M4's Naive2: the naive forecast of the seasonally adjusted series, reseasonalised.

    The history is divided by its multiplicative seasonal indices
    (:func:`seasonal_indices`, ones when M4's 90% test finds no seasonality), the last
    adjusted value is carried forward and multiplied back by the indices of the
    forecast steps. With ``period=1`` (yearly data) it is the naive forecast. Each
    origin decomposes only the data known then.

    Args:
        history, future, steps, origins: as for :func:`naive_baseline`.
        period: the seasonal period (1: none).

    Returns:
        ``(open_loop, closed_loop)`` of shapes (m,) and (steps,).

    Example:
        >>> from lstmkit.baselines.forecasting import naive2_baseline
        >>> naive2_baseline([1.0, 2.0, 3.0], [4.0], 2)
        (array([3.]), array([3., 3.]))
    """
    hist, fut = _check(history, future, steps)
    check_int("period", period, 1)
    n = len(hist)
    factors = seasonal_indices(hist, period)  # open loop: the history's decomposition
    full = np.concatenate([hist, fut])
    phase = np.arange(len(full)) % len(factors)
    open_loop = full[n - 1 : len(full) - 1] / factors[phase[n - 1 : len(full) - 1]]
    open_loop = open_loop * factors[phase[n:]]

    def closed(known: np.ndarray) -> np.ndarray:
        f = seasonal_indices(known, period)
        k = len(known)
        ahead = (k + np.arange(steps)) % len(f)
        return known[-1] / f[(k - 1) % len(f)] * f[ahead]

    return open_loop, _closed_loop(closed, hist, fut, origins)


def theta_baseline(
    history: Any,
    future: Any,
    steps: int,
    *,
    period: int = 1,
    origins: Sequence[int] | None = None,
    warnings_counter: WarningCounter | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """The Theta method (Assimakopoulos & Nikolopoulos 2000), statsmodels' ``ThetaModel``.

    The M4 benchmark form: the series is deseasonalised multiplicatively when
    statsmodels' own 90% autocorrelation test finds seasonality at ``period`` (and it
    is positive), then the theta=2 line (simple exponential smoothing plus half the
    linear trend) is forecast and reseasonalised. Open loop refits at every step
    (Theta has no state to update); closed loop fits on the data known at each origin.

    Args:
        history, future, steps, origins: as for :func:`naive_baseline`.
        period: the seasonal period (1: none).
        warnings_counter: counts the warnings the fits raised.

    Returns:
        ``(open_loop, closed_loop)`` of shapes (m,) and (steps,).

    Example:
        >>> from lstmkit.baselines.forecasting import theta_baseline
        >>> theta_baseline([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], [], 2)[1].round(1)
        array([6.5, 7. ])
    """
    from statsmodels.tsa.forecasting.theta import ThetaModel

    hist, fut = _check(history, future, steps)
    check_int("period", period, 1)

    def fit_forecast(known: np.ndarray, h: int) -> np.ndarray:
        if h == 0:
            return np.zeros(0)
        seasonal = period >= 2 and len(known) >= 2 * period and bool(np.all(known > 0))
        with _caught(warnings_counter):
            model = ThetaModel(
                known, period=period if seasonal else 1, deseasonalize=seasonal,
                method="multiplicative" if seasonal else "auto",
            )  # fmt: skip
            return np.asarray(model.fit().forecast(h), dtype=np.float64)

    n = len(hist)
    full = np.concatenate([hist, fut])
    open_loop = np.array([fit_forecast(full[:t], 1)[0] for t in range(n, len(full))])
    closed = _closed_loop(lambda known: fit_forecast(known, steps), hist, fut, origins)
    return open_loop.reshape(-1), closed


def auto_arima_baseline(
    history: Any,
    future: Any,
    steps: int,
    *,
    period: int = 1,
    origins: Sequence[int] | None = None,
    warnings_counter: WarningCounter | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """An automatic ARIMA: differencing by tests, then the lowest-AIC small model.

    In the spirit of Hyndman & Khandakar's ``auto.arima`` (not a copy): the seasonal
    difference D is 1 when M4's 90% test (:func:`is_seasonal`) finds seasonality at
    ``period`` (2 <= period <= 24; longer seasons are left to the AR terms, a
    132-step seasonal state space being impractical); the number of ordinary
    differences d (0-2) is raised while statsmodels' KPSS test rejects stationarity
    at 5%; then every ``(p, q)`` with p <= 2, q <= 1 (and a seasonal MA(1) when
    D = 1) is fitted by statsmodels' ``ARIMA``, with a constant (d + D = 0) or drift
    (d + D = 1), and the lowest AIC wins. Open loop and later origins update the
    chosen model's state with the new values without refitting.

    Args:
        history, future, steps, origins: as for :func:`naive_baseline`.
        period: the seasonal period (1: none).
        warnings_counter: counts the warnings the fits raised.

    Returns:
        ``(open_loop, closed_loop)`` of shapes (m,) and (steps,).

    Example:
        >>> import numpy as np
        >>> from lstmkit.baselines.forecasting import auto_arima_baseline
        >>> y = np.cumsum(np.ones(30))                    # a straight line
        >>> auto_arima_baseline(y, [], 2)[1].round(1)     # doctest: +SKIP
        array([31., 32.])
    """
    from statsmodels.tsa.arima.model import ARIMA
    from statsmodels.tsa.stattools import kpss

    hist, fut = _check(history, future, steps)
    check_int("period", period, 1)
    seasonal_d = int(2 <= period <= 24 and is_seasonal(hist, period))
    work = hist[period:] - hist[:-period] if seasonal_d else hist
    d = 0
    with _caught(warnings_counter):
        while d < 2 and len(work) > 8 and np.ptp(work) > 0:
            if kpss(work, regression="c", nlags="auto")[1] >= 0.05:
                break
            work, d = np.diff(work), d + 1
        trend = {0: "c", 1: "t"}.get(d + seasonal_d, "n")
        best, best_aic = None, np.inf
        for p in range(3):
            for q in range(2):
                if p + q + 1 >= len(work) // 2:
                    continue
                spec: dict[str, Any] = {"order": (p, d, q), "trend": trend}
                if seasonal_d:
                    spec["seasonal_order"] = (0, 1, 1, period)
                try:
                    results = ARIMA(hist, **spec).fit()
                except (ValueError, np.linalg.LinAlgError):
                    continue
                if np.isfinite(results.aic) and results.aic < best_aic:
                    best, best_aic = results, results.aic
        if best is None:  # nothing fitted: fall back to the (seasonal) naive model
            return seasonal_naive_baseline(
                hist, fut, steps, period=period if seasonal_d else 1, origins=origins
            )

        return _statsmodels_forecasts(best, hist, fut, steps, origins)


def per_channel(
    method: Callable[..., tuple[np.ndarray, np.ndarray]],
    history: Any,
    future: Any,
    steps: int,
    **kwargs: Any,
) -> tuple[np.ndarray, np.ndarray]:
    """Apply a univariate baseline to each column of ``(T, F)`` series.

    Returns:
        ``(open_loop, closed_loop)`` of shapes (m, F) and (steps, F) (or
        (len(origins), steps, F) when ``origins`` is passed).

    Example:
        >>> import numpy as np
        >>> from lstmkit.baselines.forecasting import naive_baseline, per_channel
        >>> h = np.array([[1.0, 10.0], [2.0, 20.0]])
        >>> per_channel(naive_baseline, h, np.array([[3.0, 30.0]]), 2)[1]
        array([[ 2., 20.],
               [ 2., 20.]])
    """
    hist = np.asarray(history, dtype=np.float64)
    fut = np.asarray(future, dtype=np.float64)
    if hist.ndim == 1:
        return method(hist, fut, steps, **kwargs)
    fut = fut.reshape(-1, hist.shape[1])
    results = [method(hist[:, k], fut[:, k], steps, **kwargs) for k in range(hist.shape[1])]
    return np.stack([r[0] for r in results], axis=-1), np.stack([r[1] for r in results], axis=-1)


#: The baselines the app runs, by their report name.
BASELINES: dict[str, Callable[..., tuple[np.ndarray, np.ndarray]]] = {
    "naive": naive_baseline,
    "seasonal_naive": seasonal_naive_baseline,
    "ets": ets_baseline,
    "arima": arima_baseline,
    "auto_arima": auto_arima_baseline,
    "naive2": naive2_baseline,
    "theta": theta_baseline,
}
