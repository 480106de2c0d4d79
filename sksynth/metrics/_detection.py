"""Detection: can a classifier tell synthetic rows from real ones?"""

from contextlib import contextmanager
from numbers import Integral

import numpy as np
from sklearn.base import clone
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions, validate_params
from threadpoolctl import threadpool_limits

from .._data import CATEGORICAL
from ._tables import FeatureMap, encode_tables, subsample_rows

# HistGradientBoostingClassifier takes categories as codes below this number.
_MAX_HGB_CATEGORIES = 255


@validate_params(
    {
        "real": ["array-like"],
        "synthetic": ["array-like"],
        "method": [StrOptions({"gradient_boosting", "logistic"})],
        "cv": [Interval(Integral, 2, None, closed="left")],
        "max_samples": [Interval(Integral, 10, None, closed="left"), None],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def detection_auc(
    real,
    synthetic,
    *,
    method="gradient_boosting",
    cv=5,
    max_samples=10_000,
    random_state=None,
):
    """Cross-validated ROC AUC of a classifier telling synthetic rows from real.

    A classifier two-sample test: real rows are labelled 0, synthetic rows 1,
    and a classifier is scored by ROC AUC on held-out folds. 0.5 means it
    cannot tell them apart; 1.0 that it always can. A gradient-boosting
    classifier sees interactions and the shapes of margins; a logistic one
    sees little beyond shifted means, so a sampler with independent margins
    passes it. Use ``"gradient_boosting"`` for an honest test.

    Parameters
    ----------
    real : {array-like, DataFrame} of shape (n_samples, n_features)
        Real rows.
    synthetic : {array-like, DataFrame} of shape (n_synthetic, n_features)
        Synthetic rows with the same columns.
    method : {"gradient_boosting", "logistic"}, default="gradient_boosting"
        ``HistGradientBoostingClassifier`` on the encoded columns (categories
        as categories, missing values native; learning rate 0.2, at most 100
        trees, early stopping on 10 % of the training folds when they hold
        50 rows of each table or more), or a logistic
        regression on standardised numbers and one-hot categories.
    cv : int, default=5
        Number of stratified folds.
    max_samples : int or None, default=10000
        Rows drawn at random from each table beyond this size, to bound the
        time; None uses every row.
    random_state : int, RandomState instance or None, default=None
        Controls the subsampling, the folds and the classifier.

    Returns
    -------
    auc : float
        Mean ROC AUC over the folds.

    Examples
    --------
    >>> import numpy as np
    >>> from sksynth.metrics import detection_auc
    >>> rng = np.random.RandomState(0)
    >>> real = rng.normal(size=(400, 2))
    >>> round(detection_auc(real, rng.normal(size=(400, 2)), random_state=0), 1)
    0.5
    >>> round(detection_auc(real, rng.normal(3, 1, size=(400, 2)), random_state=0), 1)
    1.0
    """
    columns, (real_values, synthetic_values) = encode_tables(real, synthetic)
    return _detection_auc(
        columns, real_values, synthetic_values, method, cv, max_samples, random_state
    )


def _detection_auc(
    columns, real_values, synthetic_values, method, cv, max_samples, rng
):
    return _detection_scores(
        columns, real_values, synthetic_values, method, cv, max_samples, rng
    )[0]


def _detection_scores(
    columns, real_values, synthetic_values, method, cv, max_samples, rng
):
    """The mean ROC AUC over the folds, the labels (0 real, 1 synthetic) and
    the out-of-fold probabilities of being synthetic (for the ROC curve)."""
    features, labels, model, folds = detection_problem(
        columns, real_values, synthetic_values, method, cv, max_samples, rng
    )
    proba = np.empty(labels.size)
    aucs = []
    with detector_fitting():
        for train, test in folds.split(features, labels):
            fitted = clone(model).fit(features[train], labels[train])
            proba[test] = fitted.predict_proba(features[test])[:, 1]
            aucs.append(roc_auc_score(labels[test], proba[test]))
    return float(np.mean(aucs)), labels, proba


@contextmanager
def detector_fitting():
    """Where the detection classifiers are fitted and scored: one OpenMP and
    BLAS thread (these are small fits, and on a busy machine spinning
    threads make each one 10-40x slower), and numpy's check for invalid
    values off. An optimized BLAS kernel may raise that flag on a product
    whose result is finite (the logistic model's first step, all weights 0,
    warned "invalid value encountered in matmul" in one test run of six); a
    real NaN still fails the AUC."""
    with threadpool_limits(limits=1), np.errstate(invalid="ignore"):
        yield


def detection_problem(
    columns,
    real_values,
    synthetic_values,
    method,
    cv,
    max_samples,
    rng,
    caller="detection_auc",
):
    """The features, labels (0 real, 1 synthetic), classifier and stratified
    folds of a detection test on up to ``max_samples`` rows of each table.

    Fit the classifier inside :func:`detector_fitting`.
    """
    rng = check_random_state(rng)
    real_values = subsample_rows(real_values, max_samples, rng)
    synthetic_values = subsample_rows(synthetic_values, max_samples, rng)
    n_real, n_synthetic = real_values.shape[0], synthetic_values.shape[0]
    if min(n_real, n_synthetic) < cv:
        raise ValueError(
            f"{caller} needs at least cv={cv} rows in each table; got {n_real} "
            f"real and {n_synthetic} synthetic rows. Pass more rows or a smaller cv."
        )
    values = np.vstack([real_values, synthetic_values])
    labels = np.r_[np.zeros(n_real), np.ones(n_synthetic)]
    seed = rng.randint(np.iinfo(np.int32).max)
    if method == "gradient_boosting":
        fold_rows = min(n_real, n_synthetic) * (cv - 1) // cv
        features, model = _gradient_boosting(columns, values, seed, fold_rows)
    else:
        features = FeatureMap(columns, real_values).transform(values)
        model = LogisticRegression(max_iter=300)
    folds = StratifiedKFold(n_splits=cv, shuffle=True, random_state=seed)
    return features, labels, model, folds


def _hgb_features(columns, values):
    """Encoded values as gradient-boosting features, and which are categories.

    Unseen levels (-1) of categorical columns count as missing; columns with
    more levels than the model takes stay ordinal codes; columns missing in
    every row are constant.
    """
    features = values.copy()
    # A column missing in every row tells nothing, and histogram gradient
    # boosting cannot bin it: it becomes a constant.
    features[:, np.isnan(features).all(axis=0)] = 0.0
    is_categorical = np.zeros(len(columns), dtype=bool)
    for j, spec in enumerate(columns):
        if spec.kind == CATEGORICAL:
            codes = features[:, j]
            features[:, j] = np.where(codes < 0, np.nan, codes)
            is_categorical[j] = len(spec.categories) <= _MAX_HGB_CATEGORIES
    return features, is_categorical


# Rows of the smaller table in a training fold below which the detection
# model does not hold out an early-stopping split (it would hold a few rows).
_MIN_EARLY_STOPPING_ROWS = 50


def _gradient_boosting(columns, values, seed, fold_rows):
    """Encoded values as gradient-boosting features, and the detection model.

    ``fold_rows``: rows of the smaller table in each training fold.
    """
    features, is_categorical = _hgb_features(columns, values)
    # Early stopping on a validation split: where the tables look alike the
    # model stops after a few trees instead of fitting noise. Steps of 0.2 for
    # at most 100 trees reach the AUC of steps of 0.1 for 200 trees in half the
    # trees (Adult and copula samples of it, 3 seeds: AUCs within 0.007, the
    # size of their sampling noise).
    model = HistGradientBoostingClassifier(
        categorical_features=is_categorical if is_categorical.any() else None,
        early_stopping=fold_rows >= _MIN_EARLY_STOPPING_ROWS,
        learning_rate=0.2,
        max_iter=100,
        random_state=seed,
    )
    return features, model


# Quantile bins of a numeric column in the per-column detection test.
_COLUMN_BINS = 20


def _column_detection_aucs(columns, real_values, synthetic_values, max_samples, rng):
    """ROC AUC of telling synthetic rows from real ones by each column alone.

    For each column a histogram classifier: the column cut into levels
    (categories, or 20 quantile bins of both tables' numbers; missing values
    a level of their own), each level scored by its share of synthetic rows
    against its share of real rows, learnt on one half of the rows and scored
    on the other, both ways (the mean of the two AUCs). 0.5: the column alone
    does not tell the tables apart. Vectorised over rows; a few milliseconds
    per column on 5,000 rows of each table, against seconds for a
    gradient-boosting fit per column or for the permutation importance of the
    detection model.

    Returns
    -------
    aucs : ndarray of shape (n_columns,)
    """
    rng = check_random_state(rng)
    real_values = subsample_rows(real_values, max_samples, rng)
    synthetic_values = subsample_rows(synthetic_values, max_samples, rng)
    values = np.vstack([real_values, synthetic_values])
    labels = np.r_[np.zeros(real_values.shape[0]), np.ones(synthetic_values.shape[0])]
    # Two halves, each with half of each table's rows.
    fold = np.zeros(labels.size, dtype=bool)
    for label in (0, 1):
        rows = np.flatnonzero(labels == label)
        fold[rng.permutation(rows)[: rows.size // 2]] = True
    is_synthetic = labels == 1
    aucs = np.full(len(columns), 0.5)
    if min(real_values.shape[0], synthetic_values.shape[0]) < 2:
        return aucs
    for j, spec in enumerate(columns):
        levels, size = _column_levels(spec, values[:, j])
        scores = []
        for train in (fold, ~fold):
            test = ~train
            counts = [
                np.bincount(levels[train & (is_synthetic == s)], minlength=size) + 0.5
                for s in (False, True)
            ]
            ratio = (counts[1] / counts[1].sum()) / (counts[0] / counts[0].sum())
            if np.unique(labels[test]).size == 2:
                scores.append(roc_auc_score(labels[test], ratio[levels[test]]))
        if scores:
            aucs[j] = np.mean(scores)
    return aucs


def _column_levels(spec, x):
    """Level index of each value of one encoded column, and the number of levels."""
    missing = np.isnan(x)
    if spec.kind == CATEGORICAL or not spec.is_numeric:
        codes = np.where(missing | (x < 0), -1, x)
        size = int(np.nanmax(codes, initial=-1)) + 3
        return np.where(missing, size - 1, np.where(codes < 0, size - 2, codes)).astype(
            int
        ), size
    observed = x[~missing]
    if observed.size == 0:
        return np.zeros(x.size, dtype=int), 1
    inner = np.unique(np.quantile(observed, np.linspace(0, 1, _COLUMN_BINS + 1)))[1:-1]
    size = inner.size + 2
    return np.where(missing, size - 1, np.searchsorted(inner, x, "right")), size
