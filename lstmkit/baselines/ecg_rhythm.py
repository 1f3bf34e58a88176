"""A classical AF detector: RR-interval irregularity from R peaks, and logistic regression.

Atrial fibrillation's hallmark is an *irregularly irregular* ventricular rhythm: RR
intervals that vary a lot and carry no memory of the previous one. Classical
detectors (e.g. Tateno & Glass 2001; Lake & Moorman 2011, "coefficient of sample
entropy") threshold statistics of the RR series. This baseline:

1. finds R peaks with neurokit2 (``ecg_clean`` then ``ecg_peaks``, its default
   QRS-slope method) -- :func:`detect_r_peaks`;
2. summarises the RR series in :data:`RR_FEATURES` -- :func:`rr_features`:
   mean RR (s); coefficient of variation (SDNN / mean); normalised RMSSD (RMSSD /
   mean); pNN50 (share of successive differences > 50 ms); lag-1 autocorrelation;
   sample entropy (m = 2, r = 0.2 SD, neurokit2); Poincare SD1/SD2;
3. standardises them and fits a logistic regression (scikit-learn; class weights
   ``"balanced"`` by default, for the ~1:7 AF:normal imbalance) --
   :class:`RRIrregularityClassifier`.

It sees only the ECG signal, like the LSTMs it is compared with.

Example:
    >>> from lstmkit.baselines.ecg_rhythm import RR_FEATURES
    >>> RR_FEATURES[:3]
    ('mean_rr', 'cv_rr', 'nrmssd')
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import check_is_fitted

from lstmkit._checks import describe

__all__ = ["RR_FEATURES", "RRIrregularityClassifier", "detect_r_peaks", "rr_feature_matrix",
           "rr_features"]  # fmt: skip

RR_FEATURES = (
    "mean_rr",
    "cv_rr",
    "nrmssd",
    "pnn50",
    "rr_autocorrelation",
    "sample_entropy",
    "sd1_sd2",
)


def _check_fs(fs: Any) -> float:
    if isinstance(fs, bool) or not isinstance(fs, int | float | np.integer | np.floating):
        raise TypeError(f"fs must be a positive number (Hz); received {describe(fs)}")
    if not np.isfinite(fs) or fs <= 0:
        raise ValueError(f"fs must be a positive number (Hz); received {fs}")
    return float(fs)


def detect_r_peaks(signal: Any, fs: float) -> np.ndarray:
    """R-peak sample indices of one ECG signal (neurokit2's cleaning and QRS detector).

    Args:
        signal: ``(T,)`` or ``(T, 1)`` ECG samples (any unit).
        fs: sampling frequency, Hz (>= 100 recommended).

    Returns:
        A sorted int64 array of sample indices (empty if none were found).

    Example:
        >>> from lstmkit.baselines.ecg_rhythm import detect_r_peaks
        >>> from lstmkit.datasets.ecg import simulate_ecg
        >>> ecg = simulate_ecg(1, 0, duration=10.0, seed=0)
        >>> peaks = detect_r_peaks(ecg.signals[0], 300)
        >>> len(peaks) == len(ecg.r_times[0])
        True
    """
    import neurokit2 as nk

    fs = _check_fs(fs)
    x = np.asarray(signal, dtype=np.float64)
    if x.ndim == 2 and x.shape[1] == 1:
        x = x[:, 0]
    if x.ndim != 1 or len(x) < int(2 * fs):
        raise ValueError(
            f"signal must be 1-D (T,) or (T, 1) with at least 2 s of samples; received "
            f"{describe(signal)}"
        )
    if not np.isfinite(x).all():
        raise ValueError("signal must hold finite numbers; received NaN or inf")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # neurokit2 warns on very short or flat input
        cleaned = nk.ecg_clean(x, sampling_rate=fs)
        _, info = nk.ecg_peaks(cleaned, sampling_rate=fs)
    return np.asarray(info["ECG_R_Peaks"], dtype=np.int64)


def rr_features(r_peaks: Any, fs: float) -> np.ndarray:
    """RR-irregularity features (:data:`RR_FEATURES`) of one record's R peaks.

    With fewer than 4 peaks the RR statistics are undefined; the record then gets
    the values of a perfectly regular rhythm at the record's length (mean RR = the
    span, all variability 0, autocorrelation 1), so it is never mistaken for AF.

    Args:
        r_peaks: R-peak sample indices (sorted).
        fs: sampling frequency, Hz.

    Returns:
        A float64 array of ``len(RR_FEATURES)`` values.

    Example:
        >>> import numpy as np
        >>> from lstmkit.baselines.ecg_rhythm import RR_FEATURES, rr_features
        >>> regular = rr_features(np.arange(0, 9000, 300), 300)  # 60 bpm, no variation
        >>> dict(zip(RR_FEATURES[:4], regular[:4].round(3).tolist()))
        {'mean_rr': 1.0, 'cv_rr': 0.0, 'nrmssd': 0.0, 'pnn50': 0.0}
    """
    import neurokit2 as nk

    fs = _check_fs(fs)
    peaks = np.asarray(r_peaks, dtype=np.float64).ravel()
    if len(peaks) < 4:
        span = (peaks[-1] - peaks[0]) / fs if len(peaks) > 1 else 1.0
        return np.array([span, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0])
    rr = np.diff(peaks) / fs
    mean = rr.mean()
    diffs = np.diff(rr)
    sd = rr.std()
    centred = rr - mean
    autocorrelation = float((centred[1:] * centred[:-1]).mean() / sd**2) if sd > 0 else 1.0
    # Sample entropy is undefined (inf) when no template of length m + 1 matches;
    # ln of the number of template pairs is the largest finite value it can take.
    n = len(rr)
    cap = float(np.log((n - 2) * (n - 3) / 2)) if n > 4 else 0.0
    if sd > 0:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            entropy, _ = nk.entropy_sample(rr, dimension=2, tolerance=0.2 * sd)
        entropy = float(entropy) if np.isfinite(entropy) else cap
    else:
        entropy = 0.0
    # Poincare plot: SD1 (short-term, across the identity line) over SD2 (long-term).
    sd1 = np.std((rr[1:] - rr[:-1]) / np.sqrt(2))
    sd2 = np.std((rr[1:] + rr[:-1]) / np.sqrt(2))
    return np.array([
        mean,
        sd / mean,
        np.sqrt(np.mean(diffs**2)) / mean,
        float(np.mean(np.abs(diffs) > 0.05)),
        autocorrelation,
        min(entropy, cap),
        sd1 / sd2 if sd2 > 0 else 0.0,
    ])  # fmt: skip


def _signals(X: Any) -> list[np.ndarray]:
    if isinstance(X, np.ndarray) and X.ndim in (2, 3):
        rows = list(X)
    elif isinstance(X, list | tuple) and X:
        rows = list(X)
    else:
        raise ValueError(
            f"X must be ECG signals: (N, T), (N, T, 1) or a non-empty list of (T,) / (T, 1) "
            f"arrays; received {describe(X)}"
        )
    return rows


def rr_feature_matrix(X: Any, fs: float) -> np.ndarray:
    """R peaks and :func:`rr_features` of every signal in ``X``.

    Args:
        X: ECG signals: ``(N, T)``, ``(N, T, 1)`` or a list of ``(T,)``/``(T, 1)``.
        fs: sampling frequency, Hz.

    Returns:
        ``(N, len(RR_FEATURES))`` float64.

    Example:
        >>> from lstmkit.baselines.ecg_rhythm import rr_feature_matrix
        >>> from lstmkit.datasets.ecg import simulate_ecg
        >>> ecg = simulate_ecg(1, 1, duration=20.0, seed=1)
        >>> F = rr_feature_matrix(ecg.signals, 300)
        >>> F.shape, bool(F[1, 1] > F[0, 1])  # AF's RR varies more than sinus rhythm's
        ((2, 7), True)
    """
    fs = _check_fs(fs)
    return np.stack([rr_features(detect_r_peaks(x, fs), fs) for x in _signals(X)])


class RRIrregularityClassifier(ClassifierMixin, BaseEstimator):
    """Normal vs AF from RR-interval irregularity: R peaks, RR features, logistic regression.

    Args:
        fs: sampling frequency of the signals, Hz.
        C: inverse regularisation strength of the logistic regression.
        class_weight: ``"balanced"`` (weights inversely proportional to class counts;
            default, for imbalanced data) or None.

    Returns:
        After ``fit``: ``classes_``, ``pipeline_`` (scaler + logistic regression) and
        ``n_features_in_`` (``len(RR_FEATURES)``). ``fit``, ``predict`` and
        ``predict_proba`` also accept precomputed features via ``features=``.

    Example:
        >>> from lstmkit.baselines.ecg_rhythm import RRIrregularityClassifier
        >>> from lstmkit.datasets.ecg import simulate_ecg
        >>> ecg = simulate_ecg(12, 12, duration=20.0, seed=0)
        >>> model = RRIrregularityClassifier().fit(ecg.signals, ecg.labels)
        >>> model.score(ecg.signals, ecg.labels) > 0.9
        True
    """

    def __init__(self, fs: float = 300.0, C: float = 1.0, class_weight: str | None = "balanced"):
        self.fs = fs
        self.C = C
        self.class_weight = class_weight

    def _features(self, X: Any, features: Any) -> np.ndarray:
        if features is not None:
            values = np.asarray(features, dtype=np.float64)
            if values.ndim != 2 or values.shape[1] != len(RR_FEATURES):
                raise ValueError(
                    f"features must be (N, {len(RR_FEATURES)}) from rr_feature_matrix; "
                    f"received {describe(features)}"
                )
            return values
        return rr_feature_matrix(X, self.fs)

    def fit(self, X: Any, y: Any, *, features: Any = None) -> RRIrregularityClassifier:
        """Detect R peaks in ``X`` (or take ``features``), fit the logistic regression.

        Args:
            X: ECG signals (ignored when ``features`` is given; may then be None).
            y: one label per signal.
            features: precomputed ``rr_feature_matrix(X, fs)``, to reuse peaks.

        Returns:
            self.
        """
        _check_fs(self.fs)
        if self.class_weight not in (None, "balanced"):
            raise ValueError(
                f"class_weight must be None or 'balanced'; received {self.class_weight!r}"
            )
        values = self._features(X, features)
        labels = np.asarray(y)
        if labels.shape != (len(values),):
            raise ValueError(
                f"y must hold one label per signal ({len(values)}); received {describe(y)}"
            )
        self.pipeline_ = make_pipeline(
            StandardScaler(),
            LogisticRegression(C=self.C, class_weight=self.class_weight, max_iter=1000),
        ).fit(values, labels)
        self.classes_ = self.pipeline_.classes_
        self.n_features_in_ = values.shape[1]
        return self

    def predict_proba(self, X: Any, *, features: Any = None) -> np.ndarray:
        """Class probabilities ``(N, n_classes)``, columns in ``classes_`` order."""
        check_is_fitted(self, "pipeline_")
        return self.pipeline_.predict_proba(self._features(X, features))

    def predict(self, X: Any, *, features: Any = None) -> np.ndarray:
        """The predicted label of every signal."""
        check_is_fitted(self, "pipeline_")
        return self.pipeline_.predict(self._features(X, features))
