"""``LSTMSearchCV``: :func:`~lstmkit.experiments.tune` as a scikit-learn meta-estimator.

Like scikit-learn's ``RandomizedSearchCV``, but Optuna's TPE sampler proposes the
configurations and bad ones are pruned while they train. ``fit`` returns ``self`` and
sets ``best_params_``, ``best_score_``, ``best_estimator_`` (refitted on all the data),
``cv_results_`` and ``study_``; ``predict``, ``predict_proba`` and ``score`` go to the
best estimator; ``get_params``/``set_params``/``clone`` work as for any estimator.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, MetaEstimatorMixin

__all__ = ["LSTMSearchCV"]


class LSTMSearchCV(MetaEstimatorMixin, BaseEstimator):
    """Search an lstmkit estimator's parameters with Optuna, scikit-learn style.

    Args:
        estimator: an unfitted lstmkit sequence estimator; every trial starts from its
            parameters.
        param_distributions: the search space (a dict, a
            :class:`~lstmkit.experiments.SearchSpace` or a YAML/JSON file path; see
            :mod:`lstmkit.experiments.space`).
        n_trials: trials to run (the study's total).
        cv: folds (stratified for a classifier, time-ordered for a forecaster) or a
            scikit-learn splitter.
        timeout_minutes: also stop starting trials after this many minutes.
        seed: seeds the sampler, the folds and the training of every trial.
        storage, study_name: where the study is kept (None: in memory); see :func:`tune`.
        n_jobs: trials at once (threads).
        pruning: prune trials on their validation loss.
        refit: refit the best configuration on all the data (``predict`` needs it).

    Returns:
        An unfitted search; ``fit`` sets the attributes below.

    Attributes:
        best_params_: the best configuration (space keys -> values).
        best_score_: its mean cross-validated score.
        best_estimator_: the estimator with those parameters, fitted on all the data.
        cv_results_: a dict of arrays as scikit-learn's searches give:
            ``params``, ``mean_test_score``, ``std_test_score``, ``split<k>_test_score``,
            ``rank_test_score`` (completed trials only), plus ``state`` of each.
        study_: the ``optuna.Study``. result_: the :class:`~lstmkit.experiments.TuneResult`.

    Example:
        >>> from lstmkit.tasks import SequenceClassifier
        >>> search = LSTMSearchCV(SequenceClassifier(),
        ...                       {"hidden_size": {"type": "int", "low": 8, "high": 32}},
        ...                       n_trials=5)
        >>> search.get_params()["n_trials"]
        5
        >>> search.fit(X, y).best_params_  # doctest: +SKIP
    """

    def __init__(
        self,
        estimator: Any,
        param_distributions: Any,
        *,
        n_trials: int = 10,
        cv: Any = 3,
        timeout_minutes: float | None = None,
        seed: int = 0,
        storage: Any = None,
        study_name: str | None = None,
        n_jobs: int = 1,
        pruning: bool = True,
        refit: bool = True,
    ) -> None:
        self.estimator = estimator
        self.param_distributions = param_distributions
        self.n_trials = n_trials
        self.cv = cv
        self.timeout_minutes = timeout_minutes
        self.seed = seed
        self.storage = storage
        self.study_name = study_name
        self.n_jobs = n_jobs
        self.pruning = pruning
        self.refit = refit

    def fit(self, X: Any, y: Any = None) -> LSTMSearchCV:
        """Run the search on ``(X, y)`` (training data only) and refit the best.

        Args:
            X: the training sequences (a forecaster: series).
            y: their targets (None for a forecaster).

        Returns:
            self.

        Example:
            >>> LSTMSearchCV(None, {}).fit([], [])  # doctest: +IGNORE_EXCEPTION_DETAIL
            Traceback (most recent call last):
            TypeError: estimator must be a sequence estimator of lstmkit.tasks ...
        """
        from lstmkit.experiments.study import tune

        result = tune(
            self.estimator, X, y, space=self.param_distributions, n_trials=self.n_trials,
            timeout_minutes=self.timeout_minutes, cv=self.cv, seed=self.seed,
            storage=self.storage, study_name=self.study_name, n_jobs=self.n_jobs,
            pruning=self.pruning, refit=self.refit,
        )  # fmt: skip
        self.result_ = result
        self.study_ = result.study
        self.best_params_ = result.best_params
        self.best_score_ = result.best_score
        if self.refit:
            self.best_estimator_ = result.best_estimator
        self.cv_results_ = _cv_results(result.trials, result.study)
        self.n_splits_ = int(result.summary.get("folds", 0))
        return self

    def _best(self) -> Any:
        from sklearn.exceptions import NotFittedError

        if not hasattr(self, "best_estimator_"):
            raise NotFittedError(
                "this LSTMSearchCV has no refitted estimator; call fit(X, y) first "
                "(with refit=True)"
            )
        return self.best_estimator_

    def predict(self, X: Any) -> Any:
        """Predict with the best estimator.

        Args:
            X: sequences (a forecaster: series).

        Returns:
            What the best estimator's ``predict`` returns.

        Example:
            >>> search.predict(X_test)  # doctest: +SKIP
        """
        return self._best().predict(X)

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities of the best estimator (classifiers only).

        Args:
            X: sequences.

        Returns:
            ``(N, n_classes)`` probabilities.

        Example:
            >>> search.predict_proba(X_test)  # doctest: +SKIP
        """
        return self._best().predict_proba(X)

    def score(self, X: Any, y: Any = None) -> float:
        """The best estimator's score on ``(X, y)``.

        Args:
            X: sequences (a forecaster: series).
            y: targets (None for a forecaster).

        Returns:
            Accuracy, R² or negative RMSE, as the estimator scores.

        Example:
            >>> search.score(X_test, y_test)  # doctest: +SKIP
        """
        best = self._best()
        return float(best.score(X) if y is None else best.score(X, y))

    @property
    def classes_(self) -> Any:
        """The best classifier's labels."""
        return self._best().classes_


def _config(trial: Any) -> dict[str, Any]:
    return dict(trial.user_attrs.get("config", trial.params))


def _cv_results(trials: Any, study: Any) -> dict[str, Any]:
    """scikit-learn's ``cv_results_`` layout from the trials table (completed trials)."""
    done = trials[trials["state"] == "COMPLETE"].reset_index(drop=True)
    by_number = {t.number: t for t in study.trials}
    folds = sorted(c for c in done.columns if c.startswith("value_fold_"))
    results: dict[str, Any] = {
        "number": done["number"].to_numpy(),
        "state": done["state"].to_numpy(),
        "params": [_config(by_number[n]) for n in done["number"]],
        "mean_test_score": done["value"].to_numpy(dtype=float),
        "std_test_score": done["value_std"].to_numpy(dtype=float),
        "mean_fit_time": done["seconds"].to_numpy(dtype=float),
    }
    for column in folds:
        results[f"split{column.removeprefix('value_fold_')}_test_score"] = done[column].to_numpy(
            dtype=float
        )
    scores = results["mean_test_score"]
    # rank 1 is best; ties share the better rank, as scikit-learn does
    results["rank_test_score"] = np.array(
        [1 + int(np.sum(scores > s)) for s in scores], dtype=np.int32
    )
    return results
