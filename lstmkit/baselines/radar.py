"""Classical baselines for radar target classification: wavelet and statistical features.

MATLAB's radar example compares its LSTM with wavelet-scattering features and a support
vector machine. Here the classical side is :class:`RCSFeatures` (a scikit-learn
transformer: statistics of the whole sweep and of its parts, plus the energies and
spreads of a discrete wavelet decomposition, PyWavelets) feeding either an RBF support
vector machine or gradient-boosted trees (:class:`RCSFeatureClassifier`). Both see the
same RCS sequences as the LSTM and nothing else.

Example:
    >>> import numpy as np
    >>> from lstmkit.baselines.radar import RCSFeatures
    >>> X = np.random.default_rng(0).normal(size=(3, 181))
    >>> RCSFeatures().fit(X).transform(X).shape
    (3, 64)
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from scipy import stats
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from lstmkit._checks import describe

__all__ = ["MODELS", "RCSFeatureClassifier", "RCSFeatures", "rcs_features"]

MODELS = ("svm", "gbt")


def _as_matrix(X: Any) -> np.ndarray:
    """(N, T) float64 from a (N, T) / (N, T, 1) array or a list of (T,) / (T, 1) arrays."""
    if isinstance(X, list | tuple):
        rows = [np.asarray(x, dtype=np.float64) for x in X]
        if not rows:
            raise ValueError("X must hold at least one sequence; received an empty list")
        rows = [r[:, 0] if r.ndim == 2 and r.shape[1] == 1 else r for r in rows]
        if any(r.ndim != 1 for r in rows) or len({len(r) for r in rows}) != 1:
            raise ValueError(
                "X must be sequences of one feature and equal length, (T,) or (T, 1) each; "
                f"received shapes {sorted({r.shape for r in rows})[:3]}"
            )
        X = np.stack(rows)
    array = np.asarray(X, dtype=np.float64)
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[:, :, 0]
    if array.ndim != 2:
        raise ValueError(f"X must have shape (N, T) or (N, T, 1); received {describe(X)}")
    if not np.isfinite(array).all():
        raise ValueError("X must hold finite numbers; received NaN or inf")
    return array


def _summary(values: np.ndarray) -> list[np.ndarray]:
    """Nine order-free statistics per row: moments and quantiles."""
    q = np.quantile(values, [0.1, 0.5, 0.9], axis=1)
    return [
        values.mean(axis=1),
        values.std(axis=1),
        values.min(axis=1),
        values.max(axis=1),
        *q,
        stats.skew(values, axis=1),
        stats.kurtosis(values, axis=1),
    ]


def rcs_features(X: Any, *, wavelet: str = "db4", level: int = 4, segments: int = 4) -> np.ndarray:
    """Statistical and wavelet features of each RCS sequence.

    Per sequence: nine statistics (mean, std, min, max, 10/50/90% quantiles, skewness,
    kurtosis) of the whole sweep and of each of ``segments`` equal parts (the parts keep
    coarse *where* information, e.g. strong ends against a strong middle); the
    autocorrelation at lags 1, 2, 4 and 8 of the mean-removed sweep; and for each of the
    ``level + 1`` subbands of a ``wavelet`` decomposition (PyWavelets ``wavedec``,
    periodization) its log energy, std, and max absolute coefficient.

    Args:
        X: sequences of one feature and equal length: ``(N, T)``, ``(N, T, 1)`` or a
            list of ``(T,)`` / ``(T, 1)`` arrays.
        wavelet: a PyWavelets discrete wavelet name.
        level: decomposition levels (>= 1).
        segments: equal parts of the sweep summarised separately (>= 1).

    Returns:
        A float64 array ``(N, 9 * (1 + segments) + 4 + 3 * (level + 1))``.

    Example:
        >>> import numpy as np
        >>> from lstmkit.baselines.radar import rcs_features
        >>> rcs_features(np.ones((2, 128)) * np.arange(128)).shape
        (2, 64)
    """
    import pywt

    values = _as_matrix(X)
    if isinstance(level, bool) or not isinstance(level, int) or level < 1:
        raise ValueError(f"level must be an int >= 1; received {describe(level)}")
    if isinstance(segments, bool) or not isinstance(segments, int) or segments < 1:
        raise ValueError(f"segments must be an int >= 1; received {describe(segments)}")
    if values.shape[1] < 2 * segments:
        raise ValueError(
            f"X must have at least 2 * segments = {2 * segments} steps; received {values.shape[1]}"
        )
    columns = _summary(values)
    for part in np.array_split(values, segments, axis=1):
        columns += _summary(part)
    centred = values - values.mean(axis=1, keepdims=True)
    variance = (centred**2).mean(axis=1) + 1e-12
    for lag in (1, 2, 4, 8):
        lagged = (centred[:, lag:] * centred[:, :-lag]).mean(axis=1) if lag < values.shape[1] else 0
        columns.append(lagged / variance)
    for band in pywt.wavedec(values, wavelet, level=level, mode="periodization", axis=1):
        columns += [
            np.log((band**2).mean(axis=1) + 1e-12),
            band.std(axis=1),
            np.abs(band).max(axis=1),
        ]
    features = np.column_stack(columns)
    # constant sequences give NaN skewness/kurtosis; 0 is their natural value
    return np.nan_to_num(features, nan=0.0, posinf=0.0, neginf=0.0)


class RCSFeatures(TransformerMixin, BaseEstimator):
    """scikit-learn transformer wrapping :func:`rcs_features` (stateless).

    Args:
        wavelet: a PyWavelets discrete wavelet name.
        level: wavelet decomposition levels.
        segments: equal parts of the sweep summarised separately.

    Returns:
        A transformer; ``fit`` records ``n_features_in_`` (the sequence length).

    Example:
        >>> import numpy as np
        >>> from lstmkit.baselines.radar import RCSFeatures
        >>> RCSFeatures(segments=2).fit_transform(np.zeros((4, 128))).shape
        (4, 46)
    """

    def __init__(self, wavelet: str = "db4", level: int = 4, segments: int = 4) -> None:
        self.wavelet = wavelet
        self.level = level
        self.segments = segments

    def fit(self, X: Any, y: Any = None) -> RCSFeatures:
        """Check ``X`` and record its sequence length; returns self."""
        self.n_features_in_ = _as_matrix(X).shape[1]
        return self

    def transform(self, X: Any) -> np.ndarray:
        """The feature matrix of ``X`` (see :func:`rcs_features`)."""
        check_is_fitted(self, "n_features_in_")
        values = _as_matrix(X)
        if values.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X must have sequences of {self.n_features_in_} steps (as in fit); "
                f"received {values.shape[1]}"
            )
        return rcs_features(values, wavelet=self.wavelet, level=self.level, segments=self.segments)


class RCSFeatureClassifier(ClassifierMixin, BaseEstimator):
    """Wavelet/statistical features + an RBF SVM or gradient-boosted trees.

    ``model="svm"``: standardised features into ``sklearn.svm.SVC`` (RBF kernel), with
    ``C`` and ``gamma`` chosen by stratified ``cv``-fold cross-validation on the
    training data (grid :attr:`SVM_GRID`). ``model="gbt"``: scikit-learn's
    ``HistGradientBoostingClassifier`` with early stopping on a 10% split of the
    training data. Neither sees anything but the training sequences.

    Args:
        model: ``"svm"`` or ``"gbt"``.
        wavelet, level, segments: the feature options (:class:`RCSFeatures`).
        cv: cross-validation folds for the SVM's grid search (>= 2).
        random_state: seeds the folds and the trees.

    Returns:
        After ``fit``: ``classes_``, ``pipeline_`` (the fitted scikit-learn pipeline),
        ``best_params_`` (the SVM's chosen ``C``/``gamma``, or ``{}``) and
        ``n_features_in_``.

    Example:
        >>> import numpy as np
        >>> from lstmkit.baselines.radar import RCSFeatureClassifier
        >>> rng = np.random.default_rng(0)
        >>> X = rng.normal(size=(40, 128)) + np.repeat([0.0, 1.0], 20)[:, None]
        >>> y = np.repeat(["a", "b"], 20)
        >>> RCSFeatureClassifier(model="svm", cv=2).fit(X, y).score(X, y) > 0.9
        True
    """

    SVM_GRID: ClassVar[dict[str, list]] = {
        "svc__C": [1.0, 10.0, 100.0],
        "svc__gamma": ["scale", 0.003, 0.03],
    }

    def __init__(
        self,
        model: str = "svm",
        wavelet: str = "db4",
        level: int = 4,
        segments: int = 4,
        cv: int = 5,
        random_state: int = 0,
    ) -> None:
        self.model = model
        self.wavelet = wavelet
        self.level = level
        self.segments = segments
        self.cv = cv
        self.random_state = random_state

    def fit(self, X: Any, y: Any) -> RCSFeatureClassifier:
        """Extract features from the training sequences and fit the classifier; returns self."""
        from sklearn.ensemble import HistGradientBoostingClassifier
        from sklearn.model_selection import GridSearchCV, StratifiedKFold
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler
        from sklearn.svm import SVC

        if self.model not in MODELS:
            raise ValueError(f"model must be one of {MODELS}; received {describe(self.model)}")
        if isinstance(self.cv, bool) or not isinstance(self.cv, int) or self.cv < 2:
            raise ValueError(f"cv must be an int >= 2; received {describe(self.cv)}")
        values = _as_matrix(X)
        labels = np.asarray(y)
        if labels.ndim != 1 or len(labels) != len(values):
            raise ValueError(
                f"y must be 1-D with one label per sequence ({len(values)}); "
                f"received {describe(labels)}"
            )
        features = RCSFeatures(self.wavelet, self.level, self.segments)
        if self.model == "svm":
            pipeline = make_pipeline(features, StandardScaler(), SVC(kernel="rbf"))
            folds = StratifiedKFold(self.cv, shuffle=True, random_state=self.random_state)
            search = GridSearchCV(pipeline, self.SVM_GRID, cv=folds, n_jobs=1)
            search.fit(values, labels)
            self.pipeline_ = search.best_estimator_
            self.best_params_ = {k.removeprefix("svc__"): v for k, v in search.best_params_.items()}
        else:
            trees = HistGradientBoostingClassifier(
                early_stopping=True, validation_fraction=0.1, random_state=self.random_state
            )
            self.pipeline_ = make_pipeline(features, trees).fit(values, labels)
            self.best_params_ = {}
        self.classes_ = self.pipeline_.classes_
        self.n_features_in_ = values.shape[1]
        return self

    def predict(self, X: Any) -> np.ndarray:
        """The predicted class of every sequence."""
        check_is_fitted(self, "pipeline_")
        return self.pipeline_.predict(_as_matrix(X))
