"""Classical keyword-spotting baselines on MFCC frames: a frame-wise MLP and DTW templates.

Both take the same per-frame features as the LSTM spotters (``(frames, 39)`` MFCC +
deltas + delta-deltas, computed by the caller: this package sits beside
:mod:`lstmkit.audio` and never imports it) and give a keyword **posterior per frame**,
so that the same detector (smoothing, threshold, refractory period) and the same
metrics apply to every model:

* :class:`FramewiseMLP`: a scikit-learn multilayer perceptron on single z-scored
  frames. It sees no more context than the deltas carry (about +-4 frames), so it
  tells what a frame sounds like, not where it sits in a word -- the memory the LSTM
  adds is what it lacks.
* :class:`DTWTemplateMatcher`: the pre-neural way, and what a user with a handful of
  recordings can do: keep a few enrolment examples of the keyword (templates) and
  slide each one over the audio, scoring every window by its dynamic-time-warping
  distance (aeon's numba DTW with a Sakoe-Chiba band) to the template. A frame's
  distance is the best of all windows (and templates) covering it; a logistic fit
  on training clips maps it to a 0..1 posterior, so thresholds mean about the same
  as for the other models.

Example:
    >>> import numpy as np
    >>> from lstmkit.baselines.keyword import FramewiseMLP
    >>> rng = np.random.default_rng(0)
    >>> X = [rng.normal(size=(50, 4)) + np.where(np.arange(50)[:, None] >= 25, 2.0, 0.0)
    ...      for _ in range(6)]
    >>> masks = [np.arange(50) >= 25] * 6
    >>> mlp = FramewiseMLP(hidden_layer_sizes=(8,), max_iter=50).fit(X, masks)
    >>> float(mlp.frame_posteriors(X[0])[30:].mean()) > 0.5
    True
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lstmkit._checks import check_float, check_int, describe

__all__ = ["DTWTemplateMatcher", "FramewiseMLP", "keyword_segments"]


# ------------------------------------------------------------------------- checking
def _frames(features: Any, name: str, n_features: int | None = None) -> np.ndarray:
    x = np.asarray(features, dtype=np.float64)
    if x.ndim != 2 or x.shape[0] < 1:
        raise ValueError(
            f"{name} must be a (frames, features) array; received {describe(features)}"
        )
    if n_features is not None and x.shape[1] != n_features:
        raise ValueError(
            f"{name} must have {n_features} features per frame (as in fit); received {x.shape[1]}"
        )
    if not np.isfinite(x).all():
        raise ValueError(f"{name} must be finite; received NaN or inf")
    return x


def _training_data(features: Any, masks: Any) -> tuple[list[np.ndarray], list[np.ndarray]]:
    if isinstance(features, np.ndarray) and features.ndim == 2:
        raise ValueError(
            "features must be a list of (frames, features) arrays, one per "
            "clip; received one 2-D array -- wrap it in a list"
        )
    if isinstance(features, str) or not isinstance(features, Sequence | np.ndarray):
        raise TypeError(
            f"features must be a list of (frames, features) arrays; received {describe(features)}"
        )
    X = [_frames(x, f"features[{i}]") for i, x in enumerate(features)]
    if not X:
        raise ValueError("features is empty; expected at least one clip")
    widths = {x.shape[1] for x in X}
    if len(widths) != 1:
        raise ValueError(
            f"features must all have the same number of columns; received {sorted(widths)}"
        )
    if (
        isinstance(masks, str)
        or not isinstance(masks, Sequence | np.ndarray)
        or len(masks) != len(X)
    ):
        raise ValueError(
            f"masks must give one (frames,) bool mask per clip ({len(X)}); "
            f"received {describe(masks)}"
        )
    M = []
    for i, (x, m) in enumerate(zip(X, masks, strict=True)):
        mask = np.asarray(m).reshape(-1)
        if mask.shape[0] != x.shape[0]:
            raise ValueError(
                f"masks[{i}] has {mask.shape[0]} frames; features[{i}] has {x.shape[0]}"
            )
        M.append(mask.astype(bool))
    if not any(m.any() for m in M) or all(m.all() for m in M):
        raise ValueError("masks must mark some keyword frames and some other frames")
    return X, M


def keyword_segments(mask: Any) -> list[tuple[int, int]]:
    """The runs of True in a frame mask, as ``(first, stop)`` frame pairs.

    Args:
        mask: ``(frames,)`` bools.

    Returns:
        ``[(first, stop), ...]`` with ``stop`` exclusive, in order.

    Example:
        >>> keyword_segments([0, 1, 1, 0, 0, 1])
        [(1, 3), (5, 6)]
    """
    m = np.asarray(mask).reshape(-1).astype(bool)
    edges = np.diff(np.concatenate([[0], m.view(np.int8), [0]]))
    return list(
        zip(np.flatnonzero(edges == 1).tolist(), np.flatnonzero(edges == -1).tolist(), strict=True)
    )


def _check_fitted(model: Any) -> None:
    if not hasattr(model, "n_features_in_"):
        raise RuntimeError(
            f"this {type(model).__name__} is not fitted yet; call fit(features, masks) first"
        )


# ------------------------------------------------------------------- frame-wise MLP
@dataclass(eq=False)
class FramewiseMLP:
    """A frame classifier with no memory: scikit-learn's MLP on single z-scored frames.

    Args:
        hidden_layer_sizes: the MLP's hidden layers.
        alpha: L2 penalty.
        learning_rate_init: Adam's step size.
        max_iter: epochs at most (early stopping on a 10% validation split ends sooner).
        max_frames: train on at most this many frames, drawn at random (seeded) from
            all clips' frames (a corpus holds millions; a few hundred thousand suffice
            for a small MLP).
        balanced: correct the posterior for the keyword's share of frames, as if both
            classes were equally frequent (what the LSTM's balanced class weights give),
            so a threshold means the same for both.
        random_state: seeds the frame sample, the split and the weights.

    Returns:
        An unfitted model; ``fit`` sets ``mean_``, ``scale_``, ``mlp_``,
        ``keyword_share_``, ``n_features_in_`` and ``fit_seconds_``.

    Example:
        >>> import numpy as np
        >>> X = [np.r_[np.zeros((20, 3)), np.ones((10, 3))] for _ in range(4)]
        >>> masks = [np.arange(30) >= 20] * 4
        >>> m = FramewiseMLP(hidden_layer_sizes=(4,), max_iter=100).fit(X, masks)
        >>> m.frame_posteriors(X[0]).shape
        (30,)
    """

    hidden_layer_sizes: tuple[int, ...] = (128, 64)
    alpha: float = 1e-4
    learning_rate_init: float = 1e-3
    max_iter: int = 40
    max_frames: int = 300_000
    balanced: bool = True
    random_state: int = 0

    def fit(self, features: Any, masks: Any) -> FramewiseMLP:
        """Learn keyword vs not from every clip's frames.

        Args:
            features: per clip, ``(frames, n_features)`` arrays.
            masks: per clip, ``(frames,)`` bools (True: keyword frame).

        Returns:
            self.
        """
        from sklearn.neural_network import MLPClassifier

        check_int("max_iter", self.max_iter, 1)
        check_int("max_frames", self.max_frames, 10)
        X, M = _training_data(features, masks)
        started = time.perf_counter()
        frames = np.concatenate(X)
        labels = np.concatenate(M)
        rng = np.random.default_rng(self.random_state)
        if len(frames) > self.max_frames:
            keep = rng.choice(len(frames), self.max_frames, replace=False)
            frames, labels = frames[keep], labels[keep]
        self.mean_ = frames.mean(axis=0)
        self.scale_ = np.where(frames.std(axis=0) > 1e-8, frames.std(axis=0), 1.0)
        self.keyword_share_ = float(labels.mean())
        self.mlp_ = MLPClassifier(
            hidden_layer_sizes=tuple(self.hidden_layer_sizes),
            alpha=self.alpha,
            learning_rate_init=self.learning_rate_init,
            max_iter=self.max_iter,
            early_stopping=len(frames) >= 100,
            n_iter_no_change=5,
            random_state=self.random_state,
        )
        with _quiet_convergence():
            self.mlp_.fit((frames - self.mean_) / self.scale_, labels)
        self.n_features_in_ = frames.shape[1]
        self.fit_seconds_ = time.perf_counter() - started
        return self

    def frame_posteriors(self, features: Any) -> np.ndarray:
        """The keyword posterior of every frame of one recording.

        Args:
            features: ``(frames, n_features)``.

        Returns:
            ``(frames,)`` float64 in [0, 1].
        """
        _check_fitted(self)
        x = _frames(features, "features", self.n_features_in_)
        p = self.mlp_.predict_proba((x - self.mean_) / self.scale_)
        p = p[:, list(self.mlp_.classes_).index(True)]
        if not self.balanced:
            return p
        # Bayes' rule with equal priors: p/pi1 : (1-p)/pi0, renormalised
        pi1 = min(max(self.keyword_share_, 1e-6), 1 - 1e-6)
        up, down = p / pi1, (1.0 - p) / (1.0 - pi1)
        return up / (up + down)


@contextlib.contextmanager
def _quiet_convergence() -> Iterator[None]:
    import warnings

    from sklearn.exceptions import ConvergenceWarning

    with warnings.catch_warnings():
        # a capped number of epochs is a choice here, not a fault
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


# ------------------------------------------------------------ DTW template matching
@contextlib.contextmanager
def _numba_threads(count: int) -> Iterator[None]:
    import numba
    from threadpoolctl import threadpool_info, threadpool_limits

    openmp = [i["num_threads"] for i in threadpool_info() if i["user_api"] == "openmp"]
    before = numba.get_num_threads()
    numba.set_num_threads(max(1, min(count, numba.config.NUMBA_NUM_THREADS)))
    try:
        yield
    finally:
        numba.set_num_threads(before)
        # numba's OpenMP threading layer sets the process's OpenMP pool to its own size
        # when it starts -- the pool torch runs on too (a caller limited to one thread
        # found two afterwards): put back what the caller had
        if openmp:
            threadpool_limits(limits=min(openmp), user_api="openmp")


@dataclass(eq=False)
class DTWTemplateMatcher:
    """Keyword spotting by dynamic time warping against a few enrolment examples.

    Each template is one keyword occurrence's frames (from training clips). Every
    template slides over the audio (windows of the template's own length, every
    ``stride`` frames); a window's score is its DTW distance to the template (squared
    Euclidean frame cost, Sakoe-Chiba band of ``window`` x length, divided by the
    length so that long and short templates compare). A frame's distance is the
    smallest over the windows and templates that cover it; a logistic regression on
    the log distance, fitted on training clips that gave no template, turns it into a
    keyword posterior.

    Args:
        n_templates: enrolment examples to keep.
        channels: feature columns to match (the first ``channels``: 13 = the static
            MFCCs; deltas add little to DTW, which models the dynamics itself).
        downsample: average this many consecutive frames first (2: 16 ms frames, 4x
            less DTW work; a keyword is still ~20-40 frames).
        stride: frames (before downsampling) between window starts.
        window: the Sakoe-Chiba band as a fraction of the template length.
        calibration_clips: training clips (at most) to fit the calibration on.
        n_jobs: numba threads for the DTW.
        random_state: seeds which keyword occurrences become templates and which clips
            calibrate.
        min_template_frames: shortest template, in frames after downsampling (a
            clipped occurrence at a clip's edge is no enrolment example).

    Returns:
        An unfitted matcher; ``fit`` sets ``templates_`` (each ``(channels, length)``),
        ``template_sources_`` (clip, first frame, stop), ``mean_``, ``scale_``,
        ``calibration_`` (the logistic regression), ``far_distance_``,
        ``n_features_in_`` and ``fit_seconds_``.

    Example:
        >>> import numpy as np
        >>> rng = np.random.default_rng(0)
        >>> word = np.sin(np.linspace(0, 3, 24))[:, None] * np.ones((1, 3))
        >>> def clip(k):
        ...     x = 0.1 * rng.normal(size=(80, 3))
        ...     if k % 2:
        ...         x[30:54] += word
        ...     return x, (np.arange(80) >= 30) & (np.arange(80) < 54) & bool(k % 2)
        >>> data = [clip(k) for k in range(12)]
        >>> dtw = DTWTemplateMatcher(n_templates=2, channels=3, downsample=1, stride=2)
        >>> dtw = dtw.fit([x for x, _ in data], [m for _, m in data])
        >>> p = dtw.frame_posteriors(data[1][0])
        >>> bool(p[35:50].mean() > p[:20].mean())
        True
    """

    n_templates: int = 10
    channels: int = 13
    downsample: int = 2
    stride: int = 4
    window: float = 0.1
    calibration_clips: int = 300
    n_jobs: int = 1
    random_state: int = 0
    min_template_frames: int = field(default=8, repr=False)

    def _check(self) -> None:
        check_int("n_templates", self.n_templates, 1)
        check_int("channels", self.channels, 1)
        check_int("downsample", self.downsample, 1)
        check_int("stride", self.stride, 1)
        check_float("window", self.window, 0.0)
        if not 0.0 <= self.window <= 1.0:
            raise ValueError(f"window must be in [0, 1]; received {self.window}")
        check_int("calibration_clips", self.calibration_clips, 1)
        check_int("n_jobs", self.n_jobs, 1)

    def _prepare(self, x: np.ndarray) -> np.ndarray:
        """(frames, F) -> (channels, frames // downsample) z-scored, averaged frames."""
        z = (x[:, : self.channels] - self.mean_) / self.scale_
        k = self.downsample
        n = max(1, z.shape[0] // k)
        if z.shape[0] >= k:
            z = z[: n * k].reshape(n, k, -1).mean(axis=1)
        return np.ascontiguousarray(z.T)

    def fit(
        self, features: Any, masks: Any, *, template_candidates: Sequence[int] | None = None
    ) -> DTWTemplateMatcher:
        """Pick templates among the keyword occurrences, then calibrate the score.

        Args:
            features: per clip, ``(frames, n_features)`` arrays.
            masks: per clip, ``(frames,)`` bools (True: keyword frame).
            template_candidates: indices of the clips templates may come from (e.g.
                clean recordings, like an enrolment); None: any clip.

        Returns:
            self.
        """
        from sklearn.linear_model import LogisticRegression

        self._check()
        X, M = _training_data(features, masks)
        if X[0].shape[1] < self.channels:
            raise ValueError(
                f"channels={self.channels} but the features have only {X[0].shape[1]} columns"
            )
        started = time.perf_counter()
        candidates = range(len(X)) if template_candidates is None else template_candidates
        occurrences = []
        for i in candidates:
            if isinstance(i, bool) or not isinstance(i, int | np.integer) or not 0 <= i < len(X):
                raise ValueError(
                    f"template_candidates must hold clip indices in 0..{len(X) - 1}; "
                    f"received {describe(i)}"
                )
            for a, b in keyword_segments(M[i]):
                if b - a >= self.min_template_frames * self.downsample:
                    occurrences.append((int(i), a, b))
        if not occurrences:
            raise ValueError(
                "no keyword occurrence long enough for a template among the candidate clips"
            )
        rng = np.random.default_rng(self.random_state)
        chosen = rng.choice(
            len(occurrences), min(self.n_templates, len(occurrences)), replace=False
        )
        self.template_sources_ = [occurrences[j] for j in sorted(chosen.tolist())]
        frames = np.concatenate(X)[:, : self.channels]
        self.mean_ = frames.mean(axis=0)
        std = frames.std(axis=0)
        self.scale_ = np.where(std > 1e-8, std, 1.0)
        self.n_features_in_ = X[0].shape[1]
        self.templates_ = [self._prepare(X[i][a:b]) for i, a, b in self.template_sources_]
        # calibrate on clips that gave no template (a template matches itself perfectly)
        used = {i for i, _, _ in self.template_sources_}
        pool = [i for i in range(len(X)) if i not in used]
        if not pool:
            pool = list(range(len(X)))
        pick = rng.choice(len(pool), min(self.calibration_clips, len(pool)), replace=False)
        rows = [pool[j] for j in sorted(pick.tolist())]
        self.far_distance_ = np.inf
        raw = [self._raw_distance(X[i]) for i in rows]
        finite = np.concatenate([r[np.isfinite(r)] for r in raw])
        self.far_distance_ = float(finite.max()) if finite.size else 1e6
        distance = np.concatenate([np.where(np.isfinite(r), r, self.far_distance_) for r in raw])
        labels = np.concatenate([M[i] for i in rows])
        if labels.all() or not labels.any():
            raise ValueError("the calibration clips must hold keyword and other frames")
        self.calibration_ = LogisticRegression(class_weight="balanced").fit(
            np.log(distance + 1e-6)[:, None], labels
        )
        self.fit_seconds_ = time.perf_counter() - started
        return self

    def _raw_distance(self, features: np.ndarray) -> np.ndarray:
        """Per original frame: the smallest normalised DTW distance covering it."""
        from aeon.distances import dtw_pairwise_distance

        series = self._prepare(features)  # (channels, n)
        n = series.shape[1]
        step = max(1, self.stride // self.downsample)
        best = np.full(n, np.inf)
        with _numba_threads(self.n_jobs):
            for template in self.templates_:
                length = template.shape[1]
                if n < length:
                    continue
                views = np.lib.stride_tricks.sliding_window_view(series, length, axis=1)
                starts = np.arange(0, n - length + 1, step)
                windows = np.ascontiguousarray(views[:, starts].transpose(1, 0, 2))
                scores = np.empty(len(starts))
                for k in range(0, len(starts), 20_000):  # bounded memory per call
                    part = windows[k : k + 20_000]
                    scores[k : k + len(part)] = dtw_pairwise_distance(
                        part, template[None], window=self.window
                    )[:, 0]
                scores /= length
                # a frame is covered by the windows starting in (f - length, f]:
                # place each window's score at its start, then a running minimum
                placed = np.full(n, np.inf)
                placed[starts] = scores
                padded = np.concatenate([np.full(length - 1, np.inf), placed])
                covered = padded[length - 1 :].copy()
                for j in range(length - 1):
                    np.minimum(covered, padded[j : j + n], out=covered)
                np.minimum(best, covered, out=best)
        # back to the original frame rate (each averaged frame covers `downsample`)
        index = np.minimum(np.arange(features.shape[0]) // self.downsample, n - 1)
        return best[index]

    def frame_distances(self, features: Any) -> np.ndarray:
        """The smallest length-normalised DTW distance to a template, per frame.

        Args:
            features: ``(frames, n_features)`` of one recording.

        Returns:
            ``(frames,)`` distances (a recording shorter than every template gets the
            largest distance seen in calibration).
        """
        _check_fitted(self)
        x = _frames(features, "features", self.n_features_in_)
        raw = self._raw_distance(x)
        return np.where(np.isfinite(raw), raw, self.far_distance_)

    def frame_posteriors(self, features: Any) -> np.ndarray:
        """The keyword posterior of every frame of one recording.

        Args:
            features: ``(frames, n_features)``.

        Returns:
            ``(frames,)`` float64 in [0, 1] (the calibrated distance).
        """
        distance = self.frame_distances(features)
        p = self.calibration_.predict_proba(np.log(distance + 1e-6)[:, None])
        return p[:, list(self.calibration_.classes_).index(True)]
