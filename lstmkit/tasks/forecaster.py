"""Forecaster: one-step-ahead LSTM forecasting, open and closed loop, and streaming.

As in MATLAB's "Time Series Forecasting Using Deep Learning": the network is trained
sequence to sequence to predict, at every step, the value one step ahead (input
``series[:-1]``, target ``series[1:]``). :meth:`Forecaster.predict` gives those
one-step (open-loop) predictions; :meth:`Forecaster.forecast` feeds each prediction
back as the next input (closed loop); :meth:`Forecaster.update_state` streams one
step at a time like ``predictAndUpdateState``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from sklearn.base import RegressorMixin

from lstmkit._checks import check_int, describe
from lstmkit.data import Normalizer, as_series, make_forecast_pairs, validation_split
from lstmkit.tasks.base import SequenceEstimator
from lstmkit.tasks.persistence import (
    refuse_plateau_without_validation,
    refuse_sample_weight,
    register,
    weights_per_step,
)
from lstmkit.training import TrainingOptions

__all__ = ["Forecaster"]


@register
@dataclass(eq=False, repr=False, kw_only=True)
class Forecaster(RegressorMixin, SequenceEstimator):
    """Forecast univariate or multivariate time series with a unidirectional LSTM or GRU.

    Args:
        layer: ``"lstm"`` or ``"gru"`` (bidirectional layers need the future, so they
            are refused).
        hidden_size, num_layers, dropout, layer_options: the network, as for
            :class:`~lstmkit.tasks.SequenceClassifier`.
        normalization: normalisation of the series (inputs and targets, with the
            statistics of the training series), ``"zscore"``, ``"rescale"``,
            ``"none"`` or None.
        training_options: a :class:`~lstmkit.training.TrainingOptions` (None: defaults).
        validation_fraction: with several series, the fraction of series held out
            (seeded); with one series, the fraction of its last steps held out (the
            network is validated on that tail, starting from a fresh state). 0 (the
            default) trains on everything.
        run_dir: folder for the training run; None: a temporary one.

    Returns:
        An unfitted estimator; ``fit`` sets the attributes below.

    Attributes:
        state_: the streaming state of :meth:`update_state` (None until it is called,
            and after :meth:`reset_state`).
        normalizer_: the :class:`~lstmkit.data.Normalizer` of the series (inputs and
            targets alike).
        network_, n_features_in_, training_options_, fit_result_, history_: as for
            :class:`~lstmkit.tasks.SequenceClassifier`.

    Example:
        >>> import numpy as np
        >>> from lstmkit.tasks import Forecaster
        >>> from lstmkit.training import TrainingOptions
        >>> t = np.arange(200)
        >>> model = Forecaster(hidden_size=16,
        ...                    training_options=TrainingOptions(max_epochs=50))
        >>> model.fit(np.sin(t / 5)).forecast(np.sin(t / 5), steps=10).shape  # doctest: +SKIP
        (10, 1)
    """

    objective = "sequence-regression"  # one step ahead, at every step

    validation_fraction: float = 0.0  # a forecaster trains on the whole series by default

    def _check_params(self) -> TrainingOptions:
        options = super()._check_params()
        if self.layer.startswith("bi"):
            raise ValueError(
                f"layer={self.layer!r} is bidirectional: it reads each series backwards "
                f"from its end, i.e. sees the future it should forecast; a Forecaster "
                f"needs 'lstm' or 'gru'"
            )
        return options

    def fit(
        self,
        series: Any,
        y: Any = None,
        *,
        sample_weight: Any = None,
        validation_data: Any = None,
        resume_from: str | None = None,
    ):
        """Train one-step-ahead on one series ``(T,)``/``(T, F)`` or several.

        Args:
            series: one series or a list of series (see :func:`lstmkit.data.as_series`).
            y: ignored (present for scikit-learn's API; the targets are the series
                itself, shifted one step).
            sample_weight: must be None (every step of every series counts alike).
            validation_data: series to validate on; if None, ``validation_fraction``
                decides what is held out.
            resume_from: a Lightning checkpoint of an earlier fit with the same
                parameters and data (``<run_dir>/checkpoints/last.ckpt``) to continue from.

        Returns:
            self.
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
        refuse_plateau_without_validation(
            options,
            bool(val_series),
            f"pass validation_data (series) or a validation_fraction > 0 "
            f"(it is {self.validation_fraction})",
        )

        self.n_features_in_ = features
        self.normalizer_ = Normalizer(self.normalization).fit(train_series)
        inputs, targets = make_forecast_pairs(self.normalizer_.transform(train_series))
        val = None
        if val_series:
            val = make_forecast_pairs(self.normalizer_.transform(val_series))
        self.network_ = self._build_network(features, features, options)
        self._train((inputs, targets), val, options, resume_from=resume_from)
        self.state_ = None
        return self

    def _series(self, series: Any, name: str) -> tuple[list[np.ndarray], bool]:
        """Validated, normalised series, and whether one series (not a list) was given."""
        self._check_fitted()
        single = isinstance(series, np.ndarray | torch.Tensor) and series.ndim in (1, 2)
        single = single or (
            isinstance(series, list | tuple) and bool(series) and np.ndim(series[0]) == 0
        )
        seqs = as_series(series, name=name, num_features=self.n_features_in_)
        return self.normalizer_.transform(seqs), single

    def predict(self, series: Any) -> np.ndarray | list[np.ndarray]:
        """One-step-ahead (open-loop) predictions, in the series' original units.

        Args:
            series: one series ``(T,)``/``(T, F)`` or several.

        Returns:
            For one series a ``(T, F)`` array whose row t predicts step ``t + 1`` from
            the true values up to step t (the last row forecasts the step after the
            series); for several series a list of such arrays.
        """
        seqs, single = self._series(series, "series")
        out = [self.normalizer_.inverse_transform(o) for o in self._outputs(seqs)]
        return out[0] if single else out

    def score(self, series: Any, y: Any = None, sample_weight: Any = None) -> float:
        """Negative RMSE of the one-step-ahead predictions, in original units.

        scikit-learn maximises scores, so higher is better: 0 is a perfect forecaster.
        Every step from the second on counts, across all series and features.

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
        errors = [(p[:-1] - s[1:]).ravel() for p, s in zip(predicted, truth, strict=True)]
        weights = weights_per_step(sample_weight, [len(e) for e in errors])
        squared = np.concatenate(errors).astype(np.float64) ** 2
        return -float(np.sqrt(np.average(squared, weights=weights)))

    # ------------------------------------------------------------- closed loop
    def forecast(self, history: Any, steps: int) -> np.ndarray | list[np.ndarray]:
        """Closed-loop forecast: each prediction becomes the next input.

        Args:
            history: one series ``(T,)``/``(T, F)`` (or several) to start from; the
                network runs over it, and its last prediction is the first forecast.
            steps: how many steps to forecast after the end of ``history``.

        Returns:
            For one series a ``(steps, F)`` array in original units; for several, a
            list of such arrays.
        """
        check_int("steps", steps, 1)
        seqs, single = self._series(history, "history")
        network = self.network_
        network.eval()
        results = []
        with torch.no_grad():
            for seq in seqs:  # one at a time: each series ends at its own last step
                out, state = network.recurrent(torch.as_tensor(seq)[None])
                y = network.head(out[:, -1])
                predictions = [y]
                for _ in range(steps - 1):
                    y, state = network.step(y, state)
                    predictions.append(y)
                values = torch.cat(predictions).numpy()
                results.append(self.normalizer_.inverse_transform(values))
        return results[0] if single else results

    # --------------------------------------------------------------- streaming
    def reset_state(self) -> Forecaster:
        """Forget the streaming state; the next :meth:`update_state` starts afresh."""
        self.state_ = None
        return self

    def update_state(self, x_t: Any) -> np.ndarray:
        """Feed observed value(s) to the network and predict the next step (streaming).

        Like MATLAB's ``predictAndUpdateState``: the recurrent state is kept in
        ``state_`` between calls, so a stream can be processed as it arrives.

        Args:
            x_t: one step, a number or an ``(F,)`` array; or several consecutive steps
                as a ``(k, F)`` array.

        Returns:
            The prediction of the following step, ``(F,)`` (or ``(k, F)``, one per
            step given), in original units.

        Raises:
            TypeError: ``x_t`` does not hold real numbers (text, None, complex, bool).
            ValueError: the wrong number of features, no step, or a value that is not
                finite or too large for float32 (naming the step and feature). The
                streaming state is left as it was.
        """
        self._check_fitted()
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
        normed = torch.as_tensor(self.normalizer_.transform([steps])[0])
        state = getattr(self, "state_", None)
        outputs = []
        self.network_.eval()
        with torch.no_grad():
            for row in normed:
                y, state = self.network_.step(row[None], state)
                outputs.append(y)
        self.state_ = state
        values = self.normalizer_.inverse_transform(torch.cat(outputs).numpy())
        return values[0] if one else values

    def _restore_extra(self, config: dict[str, Any]) -> None:
        self.state_ = None
