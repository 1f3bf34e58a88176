"""Forecaster: multi-step LSTM forecasting of one series or a collection, open and closed loop.

As in MATLAB's "Time Series Forecasting Using Deep Learning", the network is trained
sequence to sequence: at every step of a series it predicts what follows. With
``horizon=h`` it predicts the next ``h`` values at once (``h * F`` outputs per step;
targets that run past the end of a series are left out of the loss), so a forecast of
up to ``h`` steps is one pass over the history (direct multi-step), not ``h`` passes
feeding its own predictions back. One network can learn a whole collection of series
(a *global* model), each scaled by its own level, and it can learn the residual over
the seasonal-naive forecast instead of the raw values.

:meth:`Forecaster.predict` gives one-step (open-loop) predictions; :meth:`Forecaster.forecast`
gives ``steps`` values after a history (blocks of ``h`` fed back beyond ``h``);
:meth:`Forecaster.update_state` streams one step at a time like ``predictAndUpdateState``.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from sklearn.base import RegressorMixin

from lstmkit._checks import check_choice, check_int, describe
from lstmkit.baselines.forecasting import dominant_period, is_seasonal
from lstmkit.data import Normalizer, as_series, validation_split
from lstmkit.data.forecast_targets import ahead_windows, seasonal_naive_index
from lstmkit.tasks.base import SequenceEstimator
from lstmkit.tasks.defaults import fill_unset
from lstmkit.tasks.persistence import (
    refuse_plateau_without_validation,
    refuse_sample_weight,
    register,
    weights_per_step,
)
from lstmkit.training import (
    Metric,
    Objective,
    TrainingOptions,
    get_objective,
    register_objective,
)

__all__ = [
    "LOSSES",
    "SCALINGS",
    "SEASONAL_MODES",
    "Forecaster",
    "default_forecast_options",
    "detect_period",
]

SCALINGS = ("per-series", "global")
LOSSES = ("mae", "mse")
SEASONAL_MODES = ("none", "naive-residual", "difference")


def _mae(outputs: torch.Tensor, targets: torch.Tensor, weight: torch.Tensor | None) -> torch.Tensor:
    return torch.nn.functional.l1_loss(outputs, targets)


#: Values per step, absolute error (robust to the heavy-tailed errors of short, noisy
#: series; on M1's validation windows it beat squared error: OWA 0.90 vs 0.98).
FORECAST_MAE = register_objective(
    Objective(
        "forecast-mae",
        _mae,
        Metric("mae", lambda outputs, targets, loss: loss.detach(), "mean"),
        "step",
        "sequence",
        get_objective(
            "sequence-regression"
        ).prepare,  # NaN targets (padding, past the end) left out
    ),
    replace=True,
)

#: Optimisation steps (mini-batches) the default training aims at, whatever the data:
#: a single short series gives one batch per epoch, so it needs many epochs.
DEFAULT_STEPS = 360
#: Longest training sequence by default; longer series are cut into chunks this long.
DEFAULT_CHUNK = 256
#: At most this many sequential steps per training run (epochs x batches x sequence
#: length), bounding the time of long series (a recurrent layer runs step by step).
DEFAULT_SEQUENTIAL_STEPS = 40_000


#: the TrainingOptions fields :func:`default_forecast_options` chooses
_RULE_FIELDS = (
    "max_epochs",
    "learning_rate",
    "lr_schedule",
    "gradient_threshold",
    "batch_size",
    "sequence_length",
)


def default_forecast_options(num_sequences: int, longest: int, *, seed: int = 0) -> TrainingOptions:
    """The training options a Forecaster uses when ``training_options`` is None.

    The rule (chosen on validation windows of M1 yearly and airline, never their test
    windows): Adam at learning rate 3e-3 with a cosine schedule to 0, gradients
    clipped at an L2 norm of 1, batches of 32 sequences, and as many epochs as give
    about :data:`DEFAULT_STEPS` optimisation steps (``ceil(360 / batches_per_epoch)``,
    at most ``40000 / (batches * sequence_length)`` and kept within 20..300): one
    short series trains 300 epochs, 181 series (6 batches) 60, a monthly series of 3,000
    steps (in 12 chunks of 256) 156. More steps overfit M1's short series (181 series,
    validation window, seed 0: 100 epochs OWA 0.955, 60 epochs 0.913).
    Series longer than :data:`DEFAULT_CHUNK` steps are trained in chunks of that length
    (more, shorter sequences per epoch; the chunk count enters the batch count).

    Args:
        num_sequences: training series.
        longest: steps of the longest one.
        seed: the training seed.

    Returns:
        A :class:`~lstmkit.training.TrainingOptions`.

    Example:
        >>> from lstmkit.tasks.forecaster import default_forecast_options
        >>> [default_forecast_options(n, 52).max_epochs for n in (1, 181)]
        [300, 60]
        >>> default_forecast_options(1, 3048).max_epochs
        156
    """
    check_int("num_sequences", num_sequences, 1)
    check_int("longest", longest, 1)
    chunks = num_sequences * max(1, math.ceil(longest / DEFAULT_CHUNK))
    batches = math.ceil(chunks / 32)
    epochs = math.ceil(DEFAULT_STEPS / batches)
    epochs = min(epochs, DEFAULT_SEQUENTIAL_STEPS // (batches * min(longest, DEFAULT_CHUNK)))
    epochs = int(np.clip(epochs, 20, 300))
    return TrainingOptions(
        max_epochs=epochs,
        learning_rate=3e-3,
        lr_schedule="cosine",
        gradient_threshold=1.0,
        batch_size=32,
        sequence_length=DEFAULT_CHUNK if longest > DEFAULT_CHUNK else "longest",
        seed=seed,
    )


def detect_period(series_list: list[np.ndarray], *, max_period: int = 366) -> int:
    """The seasonal period of a collection, as ``seasonality="auto"`` finds it.

    For each series (first feature), the candidate period is
    :func:`~lstmkit.baselines.forecasting.dominant_period` of its first differences
    (differencing removes a trend, whose autocorrelation would hide a season), with at
    least three periods in the series; it counts when M4's 90% autocorrelation test
    (:func:`~lstmkit.baselines.forecasting.is_seasonal`) on the differences passes. The
    most common passing period wins if more than half of all the series vote for it;
    otherwise 1 (no season).

    Args:
        series_list: ``(T_i, F)`` arrays.
        max_period: the largest period considered.

    Returns:
        The period (1 for none).

    Example:
        >>> import numpy as np
        >>> from lstmkit.tasks.forecaster import detect_period
        >>> t = np.arange(120.0)
        >>> detect_period([(t + 5 * np.sin(2 * np.pi * t / 12))[:, None]])
        12
    """
    found = []
    for s in series_list:
        d = np.diff(np.asarray(s, dtype=np.float64)[:, 0])
        if len(d) < 6 or np.ptp(d) == 0:
            continue
        candidate = dominant_period(d, max_period=min(max_period, len(d) // 3))
        if candidate >= 2 and is_seasonal(d, candidate):
            found.append(candidate)
    if not found:
        return 1
    period, votes = Counter(found).most_common(1)[0]
    # one period for the whole model: only when most series agree on it (a collection
    # of series with periods of their own, e.g. random waveforms, gets none)
    return period if votes * 2 > len(series_list) else 1


@register
@dataclass(eq=False, repr=False, kw_only=True)
class Forecaster(RegressorMixin, SequenceEstimator):
    """Forecast one series or a collection with a unidirectional LSTM or GRU.

    How a series becomes what the network sees (fitted on the training series; every
    history given to :meth:`predict`, :meth:`forecast` or :meth:`update_state` goes the
    same way):

    1. **Per-series scaling** (``scaling="per-series"``): each series is divided by its
       own level at its end (per feature: the absolute value of its last step; the
       mean absolute value if that is 0; 1 if both are), so that series of very
       different sizes (the M1 set spans 0.1 to 10^8) share one network and every
       history ends near 1 where the forecast starts. Each history is scaled by *its
       own* last level and its forecasts multiplied back. ``"global"``: no per-series
       step. (On M1's validation windows this beat the mean absolute value of the
       whole series: OWA 1.02 vs 1.57, 60 series, seed 0.)
    2. **Seasonal differencing** (``seasonal_mode="difference"``): the series becomes
       ``s[t] - s[t - m]`` (m the period; first differences when there is no season);
       forecasts are integrated back. The first m one-step predictions of a series are
       NaN (there is no difference before step m).
    3. **Normalisation** (``normalization``): one affine map with statistics of all the
       training series (``"zscore"``, ``"rescale"`` or none).
    4. **Targets**: at every step t, the next ``horizon`` values; with
       ``seasonal_mode="naive-residual"`` the network learns their residual over the
       seasonal-naive forecast from t (``y[t + j - m * ceil(j / m)]``; the naive
       ``y[t]`` while fewer than m steps are known, and everywhere when m is 1, so on
       non-seasonal data it learns the change from the last value).

    The period m comes from ``seasonality``: an int, None (no season: m = 1), or
    ``"auto"`` (:func:`detect_period`: M4's 90% autocorrelation test on the training
    series; one period for the whole model, stored as ``period_``).

    With ``training_options=None`` the options follow :func:`default_forecast_options`
    (epochs from the number of training sequences, lr 3e-3 with a cosine schedule,
    clipping); options of your own with ``adapt_to_data=True`` take that rule for the
    fields they leave at their defaults. The defaults of this class were chosen on the
    validation origins of ``benchmarks/suite_forecasting.py`` (M1 yearly and the
    monthly series; see there and the README for the evidence).

    Args:
        layer: ``"lstm"`` or ``"gru"`` (bidirectional layers need the future, so they
            are refused).
        hidden_size, num_layers, dropout, layer_options: the network, as for
            :class:`~lstmkit.tasks.SequenceClassifier`.
        normalization: ``"zscore"``, ``"rescale"``, ``"none"`` or None (step 3 above).
        horizon: h, the steps ahead the network predicts at every step (>= 1).
        scaling: ``"per-series"`` or ``"global"`` (step 1 above).
        seasonality: an int period >= 1, ``"auto"`` or None.
        seasonal_mode: ``"naive-residual"``, ``"difference"`` or ``"none"``.
        loss: ``"mae"`` (mean absolute error of the scaled targets) or ``"mse"``.
        training_options: a :class:`~lstmkit.training.TrainingOptions` (None: the
            data-dependent defaults above).
        validation_fraction: with several series, the fraction of series held out
            (seeded); with one series, the fraction of its last steps held out (the
            network is validated on that tail, starting from a fresh state). 0 (the
            default) trains on everything.
        run_dir: folder for the training run; None: a temporary one.

    Returns:
        An unfitted estimator; ``fit`` sets the attributes below.

    Attributes:
        period_: the seasonal period used (1: none).
        state_: the streaming state of :meth:`update_state` (None until it is called,
            and after :meth:`reset_state`).
        normalizer_: the :class:`~lstmkit.data.Normalizer` of step 3.
        network_, n_features_in_, training_options_, fit_result_, history_: as for
            :class:`~lstmkit.tasks.SequenceClassifier`.

    Example:
        >>> import numpy as np
        >>> from lstmkit.tasks import Forecaster
        >>> from lstmkit.training import TrainingOptions
        >>> t = np.arange(200)
        >>> model = Forecaster(hidden_size=16, horizon=10,
        ...                    training_options=TrainingOptions(max_epochs=50))
        >>> model.fit(np.sin(t / 5)).forecast(np.sin(t / 5), steps=10).shape  # doctest: +SKIP
        (10, 1)
    """

    objective = "forecast-mae"  # h values ahead, at every step (see ``loss``)
    _pools_sequences = False  # its own fit: no max_steps pooling of the series

    validation_fraction: float = 0.0  # a forecaster trains on the whole series by default
    horizon: int = 1
    scaling: str = "per-series"
    seasonality: int | str | None = "auto"
    seasonal_mode: str = "naive-residual"
    loss: str = "mae"

    _fit_call = "fit(series)"

    def _objective(self) -> Objective:
        return FORECAST_MAE if self.loss == "mae" else get_objective("sequence-regression")

    def _check_params(self) -> TrainingOptions:
        options = super()._check_params()
        check_choice("loss", self.loss, LOSSES)
        if self.layer.startswith("bi"):
            raise ValueError(
                f"layer={self.layer!r} is bidirectional: it reads each series backwards "
                f"from its end, i.e. sees the future it should forecast; a Forecaster "
                f"needs 'lstm' or 'gru'"
            )
        check_int("horizon", self.horizon, 1)
        check_choice("scaling", self.scaling, SCALINGS)
        check_choice("seasonal_mode", self.seasonal_mode, SEASONAL_MODES)
        if self.seasonality is not None and self.seasonality != "auto":
            if isinstance(self.seasonality, str):
                raise ValueError(
                    f"seasonality must be an int >= 1, 'auto' or None; received "
                    f"{describe(self.seasonality)}"
                )
            check_int("seasonality", self.seasonality, 1)
        return options

    # ---------------------------------------------------------------- transforms
    def _scale_of(self, y: np.ndarray) -> np.ndarray:
        """Step 1's divisor for one raw ``(T, F)`` series (ones for global scaling)."""
        if self.scaling == "global":
            return np.ones(y.shape[1])
        y = np.abs(y.astype(np.float64))
        level = np.where(y[-1] > 0, y[-1], y.mean(axis=0))
        return np.where(level > 0, level, 1.0)

    @property
    def _offset(self) -> int:
        """Steps a series loses to differencing."""
        return self.period_ if self.seasonal_mode == "difference" else 0

    def _norm(self, z: np.ndarray) -> np.ndarray:
        n = self.normalizer_
        return z if n.center_ is None else (z - n.center_) / n.scale_

    def _denorm(self, u: np.ndarray) -> np.ndarray:
        n = self.normalizer_
        return u if n.center_ is None else u * n.scale_ + n.center_

    def _differenced(self, s: np.ndarray) -> np.ndarray:
        m = self._offset
        return s[m:] - s[:-m] if m else s

    def _model_inputs(self, y: np.ndarray, scale: np.ndarray) -> np.ndarray:
        """Steps 1-3: the network's float64 input for one raw series."""
        return self._norm(self._differenced(y.astype(np.float64) / scale))

    def _targets(self, u: np.ndarray) -> np.ndarray:
        """Step 4: ``(T_u, h, F)`` targets (NaN past the end) for model inputs ``u``."""
        targets = ahead_windows(u, self.horizon).astype(np.float64)
        if self.seasonal_mode == "naive-residual":
            targets -= u[seasonal_naive_index(len(u), self.horizon, self.period_)]
        return targets

    def _pairs(self, raw: list[np.ndarray], name: str) -> tuple[list[np.ndarray], list]:
        """Training pairs: inputs ``u[:-1]`` and their flattened ``(T_u - 1, h * F)`` targets."""
        inputs, targets = [], []
        for i, y in enumerate(raw):
            u = self._model_inputs(y, self._scale_of(y))
            if len(u) < 2:
                label = name if len(raw) == 1 else f"{name}[{i}]"
                raise ValueError(
                    f"{label} has {len(y)} steps; seasonal_mode='difference' with period "
                    f"{self.period_} needs at least {self._offset + 2}"
                )
            t = self._targets(u)[:-1]
            inputs.append(u[:-1].astype(np.float32))
            targets.append(t.reshape(len(t), -1).astype(np.float32))
        return inputs, targets

    def _decode(self, y: np.ndarray, scale: np.ndarray, u: np.ndarray, out: np.ndarray,
                rows: np.ndarray) -> np.ndarray:  # fmt: skip
        """Network outputs ``out`` (one row per entry of ``rows``, the rows of ``u`` they
        were computed at) -> forecasts ``(len(rows), h, F)`` in the original units of
        the series ``y`` (row k forecasts the steps after step ``k + offset`` of y)."""
        h, m = self.horizon, self.period_
        out = out.reshape(len(rows), h, -1).astype(np.float64)
        if self.seasonal_mode == "naive-residual":
            out = out + u[seasonal_naive_index(len(u), h, m)[rows]]
        z = self._denorm(out)
        if self.seasonal_mode == "difference":
            s = y.astype(np.float64) / scale
            ends = rows + m  # index in s of each row's last known step
            for j in range(1, h + 1):  # integrate: s[t + j] = z + s[t + j - m]
                back = z[:, j - 1 - m] if j > m else s[ends + j - m]
                z[:, j - 1] = z[:, j - 1] + back
        return z * scale

    # ----------------------------------------------------------------------- fit
    def fit(
        self,
        series: Any,
        y: Any = None,
        *,
        sample_weight: Any = None,
        validation_data: Any = None,
        resume_from: str | None = None,
    ):
        """Train on one series ``(T,)``/``(T, F)`` or several (one global model).

        Args:
            series: one series or a list of series (see :func:`lstmkit.data.as_series`).
            y: ignored (present for scikit-learn's API; the targets are the series
                itself, ahead).
            sample_weight: must be None (every step of every series counts alike).
            validation_data: series to validate on; if None, ``validation_fraction``
                decides what is held out.
            resume_from: a Lightning checkpoint of an earlier fit with the same
                parameters and data (``<run_dir>/checkpoints/last.ckpt``) to continue from.

        Returns:
            self.

        Raises:
            ValueError / TypeError: bad parameters or series (naming them), before any
                training.
        """
        options = self._check_params()
        refuse_sample_weight(self, sample_weight, "every step of every series counts alike")
        all_series = as_series(series, name="series")
        features = all_series[0].shape[1]
        val_series: list[np.ndarray] = []
        if validation_data is not None:
            val_series = as_series(validation_data, name="validation_data", num_features=features)
            train_series = all_series
        elif self.validation_fraction > 0 and len(all_series) > 1:
            train_idx, val_idx = validation_split(
                len(all_series), self.validation_fraction, options.seed
            )
            train_series = [all_series[i] for i in train_idx]
            val_series = [all_series[i] for i in val_idx]
        elif self.validation_fraction > 0:
            s = all_series[0]
            n_val = max(2, round(len(s) * self.validation_fraction))
            if len(s) - n_val < 2:
                raise ValueError(
                    f"series has {len(s)} steps, too few to hold out "
                    f"validation_fraction={self.validation_fraction} of them; pass "
                    f"validation_fraction=0"
                )
            train_series, val_series = [s[: len(s) - n_val]], [s[len(s) - n_val :]]
        else:
            train_series = all_series
        if self.training_options is None or options.adapt_to_data:  # the data's rule
            longest = max(len(s) for s in train_series)
            rule = default_forecast_options(len(train_series), longest, seed=options.seed)
            options = fill_unset(options, **{k: getattr(rule, k) for k in _RULE_FIELDS})
            self.training_options_ = options
        refuse_plateau_without_validation(
            options,
            bool(val_series),
            f"pass validation_data (series) or a validation_fraction > 0 "
            f"(it is {self.validation_fraction})",
        )

        if self.seasonality == "auto":
            self.period_ = detect_period(train_series)
        else:
            self.period_ = 1 if self.seasonality is None else int(self.seasonality)
        self.n_features_in_ = features
        # step 3's statistics: of the scaled (and differenced) training series
        short = [i for i, s in enumerate(train_series) if len(s) < self._offset + 2]
        if short:
            label = "series" if len(train_series) == 1 else f"series[{short[0]}]"
            raise ValueError(
                f"{label} has {len(train_series[short[0]])} steps; seasonal_mode="
                f"'difference' with period {self.period_} needs at least {self._offset + 2}"
            )
        self.normalizer_ = Normalizer(self.normalization).fit(
            [self._differenced(s.astype(np.float64) / self._scale_of(s)) for s in train_series]
        )
        inputs, targets = self._pairs(train_series, "series")
        val = self._pairs(val_series, "validation_data") if val_series else None
        out_size = features * int(self.horizon)
        self.network_ = self._build_network(features, out_size, options)
        self._train((inputs, targets), val, options, resume_from=resume_from)
        self.state_ = None
        return self

    # ---------------------------------------------------------------- prediction
    def _histories(self, series: Any, name: str) -> tuple[list[np.ndarray], bool]:
        """Validated raw ``(T, F)`` series, and whether one series (not a list) was given."""
        self._check_fitted()
        single = isinstance(series, np.ndarray | torch.Tensor) and series.ndim in (1, 2)
        single = single or (
            isinstance(series, list | tuple) and bool(series) and np.ndim(series[0]) == 0
        )
        seqs = as_series(series, name=name, num_features=self.n_features_in_)
        return [s.astype(np.float64) for s in seqs], single

    def _run(self, u: np.ndarray) -> np.ndarray:
        """The network's outputs ``(T_u, h * F)`` over model inputs ``u``."""
        return self._outputs([u.astype(np.float32)])[0]

    def predict(self, series: Any) -> np.ndarray | list[np.ndarray]:
        """One-step-ahead (open-loop) predictions, in the series' original units.

        Args:
            series: one series ``(T,)``/``(T, F)`` or several.

        Returns:
            For one series a ``(T, F)`` array whose row t predicts step ``t + 1`` from
            the true values up to step t (the last row forecasts the step after the
            series; with ``seasonal_mode="difference"`` the first m rows are NaN); for
            several series a list of such arrays.
        """
        raw, single = self._histories(series, "series")
        results = []
        for y in raw:
            out = np.full(y.shape, np.nan)
            scale = self._scale_of(y)
            u = self._model_inputs(y, scale)
            if len(u):
                rows = np.arange(len(u))
                out[self._offset :] = self._decode(y, scale, u, self._run(u), rows)[:, 0]
            results.append(out.astype(np.float32))
        return results[0] if single else results

    def score(self, series: Any, y: Any = None, sample_weight: Any = None) -> float:
        """Negative RMSE of the one-step-ahead predictions, in original units.

        scikit-learn maximises scores, so higher is better: 0 is a perfect forecaster.
        Every step from the second on counts (with ``seasonal_mode="difference"``,
        from step m + 1 on), across all series and features.

        Args:
            series: one series or several (each at least 2 steps).
            y: ignored (scikit-learn's API).
            sample_weight: one weight per series, given to each of its errors; None
                weighs all alike.

        Returns:
            ``-sqrt(mean((predict(series)[t] - series[t + 1])^2))`` (a weighted mean
            with ``sample_weight``).
        """
        predicted = self.predict(series)
        truth = as_series(series, name="series", num_features=self.n_features_in_)
        if isinstance(predicted, np.ndarray):
            predicted = [predicted]
        errors = []
        for p, s in zip(predicted, truth, strict=True):
            e = (p[:-1] - s[1:]).ravel()
            errors.append(e[np.isfinite(e)])
        weights = weights_per_step(sample_weight, [len(e) for e in errors])
        squared = np.concatenate(errors).astype(np.float64) ** 2
        return -float(np.sqrt(np.average(squared, weights=weights)))

    # ------------------------------------------------------------- closed loop
    def forecast(self, history: Any, steps: int) -> np.ndarray | list[np.ndarray]:
        """Forecast ``steps`` values after the end of each history.

        Up to ``horizon`` steps come from one pass over the history (direct
        multi-step); beyond that, each block of ``horizon`` forecasts is appended to
        the history and the network runs again (its state after the history is the
        same as a streaming one's, so a network without ``step`` works alike). A
        history's per-series scale is taken from the history itself.

        Args:
            history: one series ``(T,)``/``(T, F)`` (or several) to start from.
            steps: how many steps to forecast after the end of ``history``.

        Returns:
            For one series a ``(steps, F)`` array in original units; for several, a
            list of such arrays.
        """
        check_int("steps", steps, 1)
        raw, single = self._histories(history, "history")
        short = [i for i, y in enumerate(raw) if len(y) <= self._offset]
        if short:
            raise ValueError(
                f"history{'' if single else f'[{short[0]}]'} has {len(raw[short[0]])} "
                f"steps; seasonal_mode='difference' with period {self.period_} needs more "
                f"than {self._offset}"
            )
        results = []
        for y in raw:
            scale = self._scale_of(y)  # the history's own, kept for the whole forecast
            known = y
            while len(known) < len(y) + steps:
                u = self._model_inputs(known, scale)
                last = np.array([len(u) - 1])
                block = self._decode(known, scale, u, self._run(u)[last], last)[0]
                known = np.concatenate([known, block[: len(y) + steps - len(known)]])
            results.append(known[len(y) :].astype(np.float32))
        return results[0] if single else results

    # --------------------------------------------------------------- streaming
    def reset_state(self) -> Forecaster:
        """Forget the streaming state; the next :meth:`update_state` starts afresh."""
        self.state_ = None
        return self

    def update_state(self, x_t: Any) -> np.ndarray:
        """Feed observed value(s) to the network and predict the next step (streaming).

        Like MATLAB's ``predictAndUpdateState``: the recurrent state is kept in
        ``state_`` between calls, so a stream can be processed as it arrives. With
        ``scaling="per-series"`` the stream's scale is fixed by the first call after
        :meth:`reset_state` (its steps' mean absolute value), so start a stream with a
        chunk of history; streaming a whole series in one call equals
        :meth:`predict`, as does streaming step by step with ``scaling="global"``.

        Args:
            x_t: one step, a number or an ``(F,)`` array; or several consecutive steps
                as a ``(k, F)`` array.

        Returns:
            The prediction of the following step, ``(F,)`` (or ``(k, F)``, one per
            step given), in original units (NaN while a differenced stream has seen
            fewer than m steps).

        Raises:
            TypeError: ``x_t`` does not hold real numbers (text, None, complex, bool).
            ValueError: the wrong number of features, no step, or a value that is not
                finite or too large for float32 (naming the step and feature); or a
                network that cannot step (``streamable`` False). The streaming state
                is left as it was.
        """
        self._check_fitted()
        if not getattr(self.network_, "streamable", True):
            raise ValueError(
                "update_state needs a network that runs one step at a time; this "
                "Forecaster's architecture is not streamable: call predict or forecast "
                "with the whole history instead"
            )
        f = self.n_features_in_
        expected = (
            f"one step of {f} feature(s) (a number or an ({f},) array) or a (k, {f}) array of steps"
        )
        try:
            raw = x_t.detach().cpu().double() if isinstance(x_t, torch.Tensor) else x_t
            raw = np.asarray(raw)
        except (ValueError, TypeError):  # e.g. rows of different lengths
            raise ValueError(f"x_t must be {expected}; received {describe(x_t)}") from None
        if raw.dtype.kind not in "iuf":  # bool, complex, text, None, other objects
            raise TypeError(f"x_t must hold real numbers, {expected}; received {describe(x_t)}")
        array = raw.astype(np.float64)
        one = array.ndim <= 1
        steps = array.reshape(1, -1) if one else array
        if steps.ndim != 2 or steps.shape[1] != f:
            raise ValueError(f"x_t must be {expected}; received shape {array.shape}")
        if len(steps) == 0:
            raise ValueError(f"x_t must hold at least one step; received shape {array.shape}")
        bad = ~np.isfinite(steps) | (np.abs(steps) > np.finfo(np.float32).max)
        if bad.any():
            step, feature = (int(i) for i in np.argwhere(bad)[0])
            value = steps[step, feature].item()
            what = "too large for float32" if np.isfinite(value) else "not finite"
            where = f"feature {feature}" if one else f"step {step}, feature {feature}"
            raise ValueError(
                f"x_t must hold finite float32 numbers; received {value!r} ({what}) at {where}"
            )
        stream = getattr(self, "state_", None) or {
            "scale": self._scale_of(steps),
            "recurrent": None,
            "recent": np.zeros((0, f)),  # the last raw steps that the bases need
        }
        scale, state = stream["scale"], stream["recurrent"]
        known = np.concatenate([stream["recent"], steps])
        keep = self._offset + self.period_ + 1
        first = len(stream["recent"])
        u = self._model_inputs(known, scale)
        outputs = np.full((len(steps), f), np.nan)
        self.network_.eval()
        with torch.no_grad():
            for i in range(len(steps)):
                k = first + i - self._offset  # the row of u for this step
                if k < 0:  # a differenced stream has no input before step m
                    continue
                row = torch.as_tensor(u[k], dtype=torch.float32)[None]
                y, state = self.network_.step(row, state)
                outputs[i] = self._decode(known, scale, u, y.numpy(), np.array([k]))[0, 0]
        self.state_ = {"scale": scale, "recurrent": state, "recent": known[-keep:]}
        return outputs[0] if one else outputs

    # ---------------------------------------------------------------- save/load
    def _extra_config(self) -> dict[str, Any]:
        return {"period_": int(self.period_)}

    def _restore_extra(self, config: dict[str, Any]) -> None:
        params = config.get("params", {})
        if "horizon" not in params:
            # a model saved before multi-step forecasting: one step, global scaling,
            # raw targets (what it was trained with), whatever today's defaults are
            self.scaling, self.seasonal_mode, self.loss = "global", "none", "mse"
        self.period_ = int(config.get("period_", 1))
        self.state_ = None
