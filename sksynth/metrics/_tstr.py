"""Utility: train on synthetic rows, test on real ones (TSTR)."""

import copy
import numbers

import numpy as np
from scipy import stats
from sklearn.base import clone, is_classifier
from sklearn.inspection import permutation_importance
from sklearn.metrics import check_scoring
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from .._data import take_rows
from ._fidelity import ks_statistic
from ._tables import check_unique_columns

# Held-out rows used for the permutation importances of `evaluate`.
_IMPORTANCE_ROWS = 2000


class TSTRScorer:
    """Scorer of a synthesizer by the real-data score of a model trained on its samples.

    Train on synthetic, test on real (TSTR): called as
    ``scorer(synthesizer, X, y)``, it draws ``(X_synth, y_synth)`` from a
    synthesizer fitted with a target, fits a clone of ``estimator`` on them
    and returns its score on the real ``(X, y)``. Greater is better, and the
    synthesizer is left unchanged, so ``GridSearchCV(synthesizer, grid,
    scoring=TSTRScorer(...))`` tunes a synthesizer for downstream utility.

    Parameters
    ----------
    estimator : estimator object
        Model trained on the synthetic rows (cloned at each call).
    scoring : str, callable or None, default=None
        How the model is scored on the real rows: a scikit-learn scoring
        name (e.g. ``"roc_auc"``), a scorer callable ``scorer(estimator, X,
        y)``, or None for the estimator's own ``score``.
    n_samples : int or None, default=None
        Number of synthetic rows to draw; None draws as many as the
        synthesizer was fitted on (``n_samples_fit_``).
    random_state : int, RandomState instance or None, default=None
        Seed of the synthetic draw. None draws from a copy of the
        synthesizer's own generator, so repeated calls on the same fitted
        synthesizer agree and the synthesizer's state is not consumed.

    See Also
    --------
    sksynth.metrics.evaluate_synthetic : Fidelity, detection, privacy and
        utility in one report.

    Notes
    -----
    A synthesizer can match every margin and every pairwise correlation and
    still lose what a model needs (interactions with the target); and it can
    look coarse yet keep what matters for prediction. Training the model of
    interest on synthetic data and testing it on real data measures the
    latter directly [1]_.

    References
    ----------
    .. [1] C. Esteban, S. L. Hyland, G. Rätsch, "Real-valued (medical) time
       series generation with recurrent conditional GANs", arXiv:1706.02633,
       2017.

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sksynth import GaussianCopulaSynthesizer
    >>> from sksynth.metrics import TSTRScorer
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> synth = GaussianCopulaSynthesizer(random_state=0).fit(X[:400], y[:400])
    >>> model = make_pipeline(StandardScaler(), LogisticRegression())
    >>> scorer = TSTRScorer(model, scoring="roc_auc", random_state=0)
    >>> round(scorer(synth, X[400:], y[400:]), 2)
    1.0
    """

    def __init__(self, estimator, scoring=None, n_samples=None, random_state=None):
        self.estimator = estimator
        self.scoring = scoring
        self.n_samples = n_samples
        self.random_state = random_state

    def __call__(self, synthesizer, X, y=None):
        """Score ``synthesizer`` by the real-data score of a model trained on its rows.

        Parameters
        ----------
        synthesizer : fitted synthesizer
            Fitted with a target, so that ``sample`` returns ``(X, y)``.
        X : {array-like, DataFrame} of shape (n_samples, n_features)
            Real rows to score the model on.
        y : array-like of shape (n_samples,)
            Their targets.

        Returns
        -------
        score : float
            Score of the synthetic-trained model on ``(X, y)``.
        """
        if y is None:
            raise ValueError(
                "TSTRScorer scores a model on real (X, y): pass y. In GridSearchCV, "
                "call fit(X, y) so that the folds carry the target."
            )
        check_unique_columns(X, "X")
        X_synth, y_synth = self._sample(synthesizer)
        model = self._fit(X_synth, y_synth)
        return float(check_scoring(model, scoring=self.scoring)(model, X, y))

    def _sample(self, synthesizer):
        check_is_fitted(synthesizer)
        if getattr(synthesizer, "target_type_", None) is None:
            raise ValueError(
                f"TSTRScorer needs a synthesizer fitted with a target; "
                f"{type(synthesizer).__name__} was fitted on X alone. Call "
                "fit(X, y)."
            )
        n_samples = self.n_samples
        if n_samples is None:
            n_samples = synthesizer.n_samples_fit_
        elif not isinstance(n_samples, numbers.Integral) or n_samples < 1:
            raise ValueError(
                f"TSTRScorer's n_samples must be None or an integer >= 1; got "
                f"{n_samples!r}."
            )
        if self.random_state is None:
            rng = copy.deepcopy(synthesizer.random_state_)
        else:
            rng = check_random_state(self.random_state)
        return synthesizer.sample(n_samples, random_state=rng)

    def _fit(self, X, y):
        if is_classifier(self.estimator) and np.unique(np.asarray(y)).size < 2:
            raise ValueError(
                "The synthetic sample holds a single class, so the classifier cannot "
                "be trained. Draw more rows (n_samples) or give the minority class "
                "more rows in the training data."
            )
        return clone(self.estimator).fit(X, y)

    def evaluate(self, X_train, y_train, X_synth, y_synth, X_test, y_test):
        """Compare a model trained on synthetic rows with one trained on real rows.

        Both models are scored on the held-out real rows ``(X_test, y_test)``.

        Parameters
        ----------
        X_train : {array-like, DataFrame} of shape (n_train, n_features)
            Real rows the synthesizer was fitted on.
        y_train : array-like of shape (n_train,)
            Their targets.
        X_synth : {array-like, DataFrame} of shape (n_synthetic, n_features)
            Synthetic rows.
        y_synth : array-like of shape (n_synthetic,)
            Their targets.
        X_test : {array-like, DataFrame} of shape (n_test, n_features)
            Real rows neither saw.
        y_test : array-like of shape (n_test,)
            Their targets.

        Returns
        -------
        result : dict
            - ``"tstr"``, ``"trtr"``: scores of the synthetic- and the
              real-trained model on the test rows, and ``"ratio"``
              (tstr / trtr);
            - ``"agreement"``: share of test rows where the two models predict
              the same class (classifiers), or the correlation of their
              predictions (regressors), and ``"agreement_reference"``, the
              same between the real-trained model and a model trained on
              fresh real rows (one half of the test rows, scored on the
              other half, both ways: what a synthetic table as good as real
              rows gives);
            - ``"output_correlation"``: correlation of the two models'
              predicted probabilities of the positive class (binary
              classifiers with ``predict_proba``) or predictions;
            - ``"output_ks"``: Kolmogorov-Smirnov distance between the
              real-trained model's outputs on the synthetic rows and on the
              test rows (0: distributed alike), and
              ``"output_ks_reference"``, the same between two random halves
              of the test rows (what sampling noise alone gives);
            - ``"importance_correlation"``: Spearman correlation of the
              permutation importances of the features in the two models.
        """
        for X, what in ((X_train, "X_train"), (X_synth, "X_synth"), (X_test, "X_test")):
            check_unique_columns(X, what)
        result, real_model, synthetic_model, scorer = self._compare(
            X_train, y_train, X_synth, y_synth, X_test, y_test
        )
        result["importance_correlation"] = _importance_correlation(
            real_model, synthetic_model, X_test, y_test, scorer, self.random_state
        )
        return result

    def _compare(self, X_train, y_train, X_synth, y_synth, X_test, y_test):
        """:meth:`evaluate` without the importances; also the models and scorer."""
        real_model = clone(self.estimator).fit(X_train, y_train)
        synthetic_model = self._fit(X_synth, y_synth)
        scorer = check_scoring(real_model, scoring=self.scoring)
        tstr = float(scorer(synthetic_model, X_test, y_test))
        trtr = float(scorer(real_model, X_test, y_test))
        real_pred = real_model.predict(X_test)
        agreement = _agreement(real_model, real_pred, synthetic_model.predict(X_test))
        real_output = _output(real_model, X_test)
        halves = check_random_state(self.random_state).permutation(real_output.size)
        halves = np.array_split(halves, 2)
        result = {
            "tstr": tstr,
            "trtr": trtr,
            "ratio": tstr / trtr if trtr != 0 else float("nan"),
            "agreement": agreement,
            "agreement_reference": self._agreement_reference(
                real_model, real_pred, X_test, y_test, halves
            ),
            "output_correlation": _correlation(
                real_output, _output(synthetic_model, X_test)
            ),
            "output_ks": ks_statistic(_output(real_model, X_synth), real_output),
            "output_ks_reference": ks_statistic(
                real_output[halves[0]], real_output[halves[1]]
            ),
        }
        return result, real_model, synthetic_model, scorer

    def _agreement_reference(self, real_model, real_pred, X_test, y_test, halves):
        """The agreement of the real-trained model with models trained on
        fresh real rows: the ceiling of ``"agreement"``.

        Cross-fitted on the two ``halves`` of the test rows: a clone of the
        estimator fitted on one half (real rows that the real-trained model
        did not see, in place of the synthetic rows) predicts the other half,
        and the two agreements are averaged. NaN when no half can train a
        model (fewer than 2 rows, or a single class).
        """
        agreements = []
        for train, test in (halves, halves[::-1]):
            y_train = take_rows(y_test, train)
            if train.size < 2 or test.size < 1:
                continue
            if is_classifier(real_model) and np.unique(np.asarray(y_train)).size < 2:
                continue
            fresh_model = clone(self.estimator).fit(take_rows(X_test, train), y_train)
            fresh_pred = fresh_model.predict(take_rows(X_test, test))
            agreements.append(_agreement(real_model, real_pred[test], fresh_pred))
        return float(np.mean(agreements)) if agreements else float("nan")

    def __repr__(self):
        return (
            f"TSTRScorer(estimator={self.estimator!r}, scoring={self.scoring!r}, "
            f"n_samples={self.n_samples!r}, random_state={self.random_state!r})"
        )


def _output(model, X):
    """A model's output on X, as numbers.

    Classifiers: the positive-class probability (binary) or the highest class
    probability; without probabilities, the decision function (its highest
    value for several classes); without either, the position of the predicted
    class among ``classes_``. Regressors: their predictions.
    """
    if not is_classifier(model):
        return np.asarray(model.predict(X), dtype=float)
    if hasattr(model, "predict_proba"):
        proba = model.predict_proba(X)
        return proba[:, 1] if proba.shape[1] == 2 else proba.max(axis=1)
    if hasattr(model, "decision_function"):
        scores = np.asarray(model.decision_function(X), dtype=float)
        return scores if scores.ndim == 1 else scores.max(axis=1)
    return np.searchsorted(model.classes_, model.predict(X)).astype(float)


def _agreement(real_model, real_pred, other_pred):
    """Share of equal predictions (classifiers), or their correlation."""
    if is_classifier(real_model):
        return float(np.mean(np.asarray(real_pred) == np.asarray(other_pred)))
    return _correlation(real_pred, other_pred)


def _correlation(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if np.ptp(a) == 0 or np.ptp(b) == 0:
        return float("nan")
    return float(np.corrcoef(a, b)[0, 1])


def _importance_correlation(real_model, synthetic_model, X, y, scorer, random_state):
    rng = check_random_state(random_state)
    n_rows = len(y)
    rows = np.sort(rng.choice(n_rows, min(n_rows, _IMPORTANCE_ROWS), replace=False))
    X_rows, y_rows = take_rows(X, rows), take_rows(y, rows)
    seed = rng.randint(np.iinfo(np.int32).max)
    importances = [
        permutation_importance(
            model, X_rows, y_rows, scoring=scorer, n_repeats=3, random_state=seed
        ).importances_mean
        for model in (real_model, synthetic_model)
    ]
    if np.ptp(importances[0]) == 0 or np.ptp(importances[1]) == 0:
        return float("nan")
    return float(stats.spearmanr(*importances).statistic)
