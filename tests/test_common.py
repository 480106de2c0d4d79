"""Common checks: scikit-learn's estimator checks and sksynth's own for ``sample``."""

import numpy as np
import pandas as pd
import pytest
from imblearn.utils.estimator_checks import estimator_checks_generator
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV
from sklearn.utils.estimator_checks import (
    _get_check_estimator_ids,
    parametrize_with_checks,
)

from sksynth import (
    CopulaOverSampler,
    GaussianCopulaSynthesizer,
    KDEOverSampler,
    KDESynthesizer,
    MixtureSynthesizer,
    NoiseAugmenter,
    SynthesizerOverSampler,
    TreeOverSampler,
    TreeSynthesizer,
)

SYNTHESIZERS = [
    GaussianCopulaSynthesizer(random_state=0),
    KDESynthesizer(random_state=0),
    MixtureSynthesizer(random_state=0),
    TreeSynthesizer(random_state=0),
]

# Checks that do not apply, each with its reason (run as expected failures).
# None so far. scikit-learn's own check_array_api_input skips itself unless
# SCIPY_ARRAY_API is set: sksynth works on numpy arrays and pandas frames only.
EXPECTED_FAILED_CHECKS = {}

# A small grid per synthesizer for the GridSearchCV check.
PARAM_GRIDS = {
    "GaussianCopulaSynthesizer": {"copula": ["gaussian", "t"]},
    "KDESynthesizer": {"bandwidth": ["scott", "silverman", 0.3]},
    "MixtureSynthesizer": {"n_components": [1, 3, "auto"]},
    "TreeSynthesizer": {"min_samples_leaf": [5, 20]},
}


def _expected_failed_checks(estimator):
    return EXPECTED_FAILED_CHECKS.get(type(estimator).__name__, {})


def _ids(estimator):
    return type(estimator).__name__


@parametrize_with_checks(SYNTHESIZERS, expected_failed_checks=_expected_failed_checks)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


def _numeric_data(n=200):
    rng = np.random.RandomState(0)
    return rng.multivariate_normal([0, 1], [[1, 0.5], [0.5, 2]], size=n)


@pytest.mark.parametrize("synthesizer", SYNTHESIZERS, ids=_ids)
def test_sample_shape_and_container_numpy(synthesizer):
    X = _numeric_data()
    fitted = clone(synthesizer).fit(X)
    X_new = fitted.sample(7)
    assert isinstance(X_new, np.ndarray)
    assert X_new.shape == (7, X.shape[1])
    assert X_new.dtype == X.dtype
    assert fitted.sample().shape == (1, X.shape[1])


@pytest.mark.parametrize("synthesizer", SYNTHESIZERS, ids=_ids)
def test_sample_dataframe_round_trip(synthesizer, mixed_frame):
    fitted = clone(synthesizer).fit(mixed_frame)
    X_new = fitted.sample(50)
    assert isinstance(X_new, pd.DataFrame)
    assert list(X_new.columns) == list(mixed_frame.columns)
    pd.testing.assert_series_equal(X_new.dtypes, mixed_frame.dtypes)
    assert X_new["colour"].cat.categories.equals(mixed_frame["colour"].cat.categories)
    assert set(X_new["city"].dropna()) <= set(mixed_frame["city"])


@pytest.mark.parametrize("synthesizer", SYNTHESIZERS, ids=_ids)
def test_sample_with_target_returns_pair(synthesizer, mixed_frame):
    y = pd.Series(np.where(mixed_frame["amount"] > 20, "high", "low"), name="level")
    fitted = clone(synthesizer).fit(mixed_frame.drop(columns="amount"), y)
    X_new, y_new = fitted.sample(40)
    assert X_new.shape == (40, mixed_frame.shape[1] - 1)
    assert isinstance(y_new, pd.Series)
    assert y_new.name == "level"
    assert set(y_new) <= {"high", "low"}


@pytest.mark.parametrize("synthesizer", SYNTHESIZERS, ids=_ids)
def test_sample_is_reproducible(synthesizer):
    X = _numeric_data()
    first = clone(synthesizer).set_params(random_state=3).fit(X)
    second = clone(synthesizer).set_params(random_state=3).fit(X)
    np.testing.assert_array_equal(first.sample(20), second.sample(20))
    # Successive calls draw new rows from the kept generator.
    assert not np.array_equal(first.sample(20), first.sample(20))
    # An explicit random_state overrides it and gives the same rows every time.
    np.testing.assert_array_equal(
        first.sample(20, random_state=5), first.sample(20, random_state=5)
    )


@pytest.mark.parametrize("synthesizer", SYNTHESIZERS, ids=_ids)
@pytest.mark.parametrize("n_samples", [0, -3, 2.5, "10", True, None])
def test_sample_rejects_bad_n_samples(synthesizer, n_samples):
    fitted = clone(synthesizer).fit(_numeric_data())
    with pytest.raises(ValueError, match="`n_samples` must be an integer >= 1"):
        fitted.sample(n_samples)


@pytest.mark.parametrize("synthesizer", SYNTHESIZERS, ids=_ids)
def test_sample_before_fit_raises(synthesizer):
    with pytest.raises(NotFittedError, match="not fitted yet"):
        clone(synthesizer).sample(5)


@pytest.mark.parametrize("synthesizer", SYNTHESIZERS, ids=_ids)
def test_fitted_attributes(synthesizer, mixed_frame):
    fitted = clone(synthesizer).fit(mixed_frame)
    assert fitted.n_features_in_ == mixed_frame.shape[1]
    assert list(fitted.feature_names_in_) == list(mixed_frame.columns)
    assert fitted.n_samples_fit_ == len(mixed_frame)
    assert fitted.column_kinds_ == {
        "amount": "continuous",
        "count": "integer",
        "flag": "boolean",
        "colour": "categorical",
        "city": "categorical",
        "score": "continuous",
    }


@pytest.mark.parametrize("synthesizer", SYNTHESIZERS, ids=_ids)
def test_score_is_sum_of_score_samples(synthesizer, mixed_frame):
    fitted = clone(synthesizer).fit(mixed_frame)
    log_density = fitted.score_samples(mixed_frame)
    assert log_density.shape == (len(mixed_frame),)
    assert np.all(np.isfinite(log_density))
    assert fitted.score(mixed_frame) == pytest.approx(log_density.sum())


@pytest.mark.parametrize("synthesizer", SYNTHESIZERS, ids=_ids)
def test_grid_search_without_scorer(synthesizer):
    X = _numeric_data(150)
    grid = PARAM_GRIDS[type(synthesizer).__name__]
    search = GridSearchCV(clone(synthesizer), grid, cv=3).fit(X)
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))
    assert search.best_estimator_.sample(5).shape == (5, 2)


# -- resamplers ---------------------------------------------------------------

RESAMPLERS = [
    KDEOverSampler(random_state=0),
    CopulaOverSampler(random_state=0),
    TreeOverSampler(random_state=0),
    SynthesizerOverSampler(KDESynthesizer(bandwidth="scott"), random_state=0),
    NoiseAugmenter(random_state=0),
]

# Checks that do not apply to a resampler, each with its reason.
EXPECTED_FAILED_RESAMPLER_CHECKS = {}


def _expected_failed_resampler_checks(estimator):
    return EXPECTED_FAILED_RESAMPLER_CHECKS.get(type(estimator).__name__, {})


@parametrize_with_checks(
    RESAMPLERS, expected_failed_checks=_expected_failed_resampler_checks
)
def test_sklearn_compatible_resampler(estimator, check):
    check(estimator)


def _imblearn_checks():
    for estimator in RESAMPLERS:
        yield from estimator_checks_generator(
            estimator,
            expected_failed_checks=_expected_failed_resampler_checks(estimator),
            mark="xfail",
        )


# imbalanced-learn's parametrize_with_checks hands pytest a generator, which
# pytest deprecates; the same checks, with the same xfail marks, as a list.
@pytest.mark.parametrize(
    "estimator, check", list(_imblearn_checks()), ids=_get_check_estimator_ids
)
def test_imblearn_compatible_resampler(estimator, check):
    check(estimator)
