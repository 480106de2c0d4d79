"""Common checks: scikit-learn's estimator checks, imbalanced-learn's for the
resamplers, and sksynth's own for ``sample``, the column model (dates,
identifiers, discrete columns) and held-out scores, over every public
estimator (discovered from ``sksynth.__all__``)."""

import datetime
import inspect
import warnings

import numpy as np
import pandas as pd
import pytest
from imblearn.over_sampling.base import BaseOverSampler
from imblearn.utils.estimator_checks import estimator_checks_generator
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.utils.estimator_checks import (
    _get_check_estimator_ids,
    parametrize_with_checks,
)

import sksynth
from sksynth import KDESynthesizer, SynthesizerOverSampler
from sksynth._base import BaseSynthesizer


def all_estimators(base):
    """Public sksynth estimators that are subclasses of ``base``, by name."""
    found = []
    for name in sorted(sksynth.__all__):
        candidate = getattr(sksynth, name)
        if inspect.isclass(candidate) and issubclass(candidate, base):
            found.append(candidate)
    return found


# Settings some estimators need to be tested (the others: random_state only).
SETTINGS = {SynthesizerOverSampler: {"synthesizer": KDESynthesizer(bandwidth="scott")}}


def _instances(base):
    return [
        cls(**SETTINGS.get(cls, {}), random_state=0) for cls in all_estimators(base)
    ]


SYNTHESIZERS = _instances(BaseSynthesizer)
RESAMPLERS = _instances(BaseOverSampler)


def test_every_public_estimator_is_checked():
    public = {
        name for name in sksynth.__all__ if inspect.isclass(getattr(sksynth, name))
    }
    checked = {type(e).__name__ for e in SYNTHESIZERS + RESAMPLERS}
    assert checked == public
    assert len(SYNTHESIZERS) >= 4 and len(RESAMPLERS) >= 5


# Checks that do not apply, each with its reason (run as expected failures).
# None so far. scikit-learn's own check_array_api_input skips itself unless
# SCIPY_ARRAY_API is set: sksynth works on numpy arrays and pandas frames only.
EXPECTED_FAILED_CHECKS = {}

# A small grid per synthesizer for the GridSearchCV checks; a synthesizer not
# listed is searched over ``enforce_range``.
PARAM_GRIDS = {
    "ForestSynthesizer": {"min_samples_leaf": [5, 20]},
    "GaussianCopulaSynthesizer": {"copula": ["gaussian", "t"]},
    "KDESynthesizer": {"bandwidth": ["scott", "silverman", 0.3]},
    "MixtureSynthesizer": {"n_components": [1, 3, "auto"]},
    "TreeSynthesizer": {"min_samples_leaf": [5, 20]},
}


def _grid(synthesizer):
    return PARAM_GRIDS.get(type(synthesizer).__name__, {"enforce_range": [True, False]})


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
    assert fitted.discrete_features_ == ["count"]
    assert fitted.id_columns_ == []


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
    grid = _grid(synthesizer)
    search = GridSearchCV(clone(synthesizer), grid, cv=3).fit(X)
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))
    assert search.best_estimator_.sample(5).shape == (5, 2)


# -- resamplers ---------------------------------------------------------------

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


# -- the column model, through every estimator ---------------------------------


def real_table(n, seed=0):
    """A table like real ones: a key, dates (naive, UTC, date objects, first of
    the month), a duration, a rate grid, a count, prices in cents, a float,
    a category and a flag, with missing values."""
    rng = np.random.RandomState(seed)
    frame = pd.DataFrame(
        {
            "customer_id": [f"C{v:06d}" for v in rng.choice(10**6, n, replace=False)],
            "signup": pd.Timestamp("2024-01-01")
            + pd.to_timedelta(rng.randint(0, 365, n), unit="D"),
            "last_seen": pd.Timestamp("2024-01-01", tz="UTC")
            + pd.to_timedelta(rng.randint(0, 10**6, n), unit="s"),
            "period": pd.to_datetime(
                [f"2020-{m:02d}-01" for m in rng.randint(1, 13, n)]
            ),
            "birthday": [
                datetime.date(1970, 1, 1) + datetime.timedelta(days=int(d))
                for d in rng.randint(0, 15_000, n)
            ],
            "wait": pd.to_timedelta(rng.randint(1, 240, n), unit="m"),
            "rate": rng.choice(np.round(np.linspace(5, 25, 30), 2), n),
            "visits": rng.poisson(3, n),
            "price": np.round(rng.lognormal(3, 1, n), 2),
            "score": rng.normal(size=n),
            "plan": rng.choice(["basic", "plus", "pro"], n),
            "active": rng.rand(n) < 0.6,
        }
    )
    for name in ["signup", "rate", "score", "plan"]:
        frame[name] = frame[name].where(rng.rand(n) > 0.1)
    return frame


DISCRETE = ["period", "rate", "visits"]


@pytest.fixture(scope="module")
def real():
    return real_table(600)


def _check_real_rows(X_new, X):
    """What a user sees at a glance in synthetic rows of ``real_table``."""
    pd.testing.assert_series_equal(X_new.dtypes, X.dtypes)
    keys = X_new["customer_id"]
    assert not keys.isin(X["customer_id"]).any()
    assert keys.is_unique
    assert keys.str.fullmatch(r"C\d{6}").all()
    for name in DISCRETE:
        assert set(X_new[name].dropna()) <= set(X[name].dropna()), name
    signup = X_new["signup"].dropna()
    assert (signup == signup.dt.normalize()).all()
    assert (X_new["period"].dt.day == 1).all()
    assert (X_new["last_seen"].dt.microsecond == 0).all()
    assert (X_new["wait"] % pd.Timedelta(minutes=1) == pd.Timedelta(0)).all()
    for name in ["signup", "last_seen", "birthday", "wait", "price"]:
        values, new = X[name].dropna(), X_new[name].dropna()
        assert values.min() <= new.min() and new.max() <= values.max(), name
    assert (X_new["price"] == X_new["price"].round(2)).all()
    assert X_new["signup"].isna().any() and not X_new["active"].isna().any()


@pytest.mark.parametrize("synthesizer", SYNTHESIZERS, ids=_ids)
def test_real_table_round_trips(synthesizer, real):
    with pytest.warns(UserWarning, match=r"\['customer_id'\] for identifiers"):
        fitted = clone(synthesizer).fit(real)
    assert fitted.column_kinds_["customer_id"] == "identifier"
    assert fitted.column_kinds_["signup"] == "datetime"
    assert fitted.column_kinds_["wait"] == "timedelta"
    assert set(DISCRETE) <= set(fitted.discrete_features_)
    assert fitted.id_columns_ == ["customer_id"]
    _check_real_rows(fitted.sample(1000), real)


@pytest.mark.parametrize("resampler", RESAMPLERS, ids=_ids)
def test_real_table_round_trips_through_resamplers(resampler, real):
    y = np.where(real["visits"] > 4, "many", "few")
    resampler = clone(resampler).set_params(id_columns=["customer_id"])
    X_resampled, y_resampled = resampler.fit_resample(real, y)
    X_new = X_resampled.iloc[len(real) :].reset_index(drop=True)
    assert len(X_new) > 0 and len(y_resampled) == len(X_resampled)
    _check_real_rows(X_new, real)


@pytest.mark.parametrize("synthesizer", SYNTHESIZERS, ids=_ids)
def test_held_out_rows_score_finite(synthesizer):
    # Issue 12: values unseen in a training fold (a rate, a count, a date, a
    # category, a missing value) and values beyond its range.
    X = real_table(450, seed=1)
    scores = np.empty(len(X))
    folds = KFold(3, shuffle=True, random_state=0)
    for train, test in folds.split(X):
        fitted = clone(synthesizer).set_params(id_columns=["customer_id"])
        fitted.fit(X.iloc[train])
        scores[test] = fitted.score_samples(X.iloc[test])
    assert np.isfinite(scores).all()
    far = X.iloc[:3].copy()
    far["score"] = [1e6, -1e9, 50.0]
    far["visits"] = [10**6, -5, 99]
    far["plan"] = ["enterprise", None, "basic"]
    assert np.isfinite(fitted.score_samples(far)).all()


@pytest.mark.parametrize("synthesizer", SYNTHESIZERS, ids=_ids)
def test_column_missing_in_every_row(synthesizer):
    # A text column of None only (an empty export field) crashed every
    # synthesizer with an IndexError: a margin with no level.
    rng = np.random.RandomState(0)
    X = pd.DataFrame(
        {
            "amount": rng.normal(size=60),
            "comment": [None] * 60,
            "code": pd.Series([np.nan] * 60, dtype=object),
        }
    )
    fitted = clone(synthesizer).fit(X)
    X_new = fitted.sample(20, random_state=0)
    assert list(X_new.columns) == list(X.columns)
    assert X_new[["comment", "code"]].isna().all().all()
    assert X_new["amount"].notna().all()
    scores = fitted.score_samples(X.head(5))
    assert np.isfinite(scores).all()
    # A value where training had none is a novel one, not an error.
    seen_value = X.head(2).assign(comment=["late", "early"])
    assert np.isfinite(fitted.score_samples(seen_value)).all()


@pytest.mark.parametrize("synthesizer", SYNTHESIZERS, ids=_ids)
def test_class_of_one_row_is_named(synthesizer):
    # A user test: the rows the copula and the KDE drew for a class of one
    # training row were copies of it (10 of 10), without a word.
    rng = np.random.RandomState(0)
    X = pd.DataFrame({"x": rng.normal(size=60), "k": rng.choice(["a", "b"], 60)})
    y = np.array(["common"] * 50 + ["uncommon"] * 9 + ["rare"])
    fitted = clone(synthesizer)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fitted.fit(X, y)
    messages = [
        str(w.message) for w in caught if "single training row" in str(w.message)
    ]
    if fitted._one_model_per_class():
        assert len(messages) == 1
        assert "class(es) 'rare' of y have a single training row" in messages[0]
        X_rare, _ = fitted.sample(5, random_state=0, conditions={"y": "rare"})
        assert (X_rare["x"] == X["x"].iloc[-1]).all()
    else:
        assert messages == []


@pytest.mark.parametrize("synthesizer", SYNTHESIZERS, ids=_ids)
def test_grid_search_picks_by_finite_scores_on_a_real_table(synthesizer):
    X = real_table(300, seed=2)
    search = GridSearchCV(
        clone(synthesizer).set_params(id_columns=["customer_id"]),
        _grid(synthesizer),
        cv=3,
    )
    search.fit(X)
    scores = search.cv_results_["mean_test_score"]
    assert np.isfinite(scores).all()
    assert search.best_index_ == np.argmax(scores)


@pytest.mark.parametrize("synthesizer", SYNTHESIZERS, ids=_ids)
def test_discrete_column_densities_sum_to_one(synthesizer):
    # Over the values seen in fit and the novel outcomes (a value not seen,
    # a missing value), each of probability 1 / (n + 1).
    rng = np.random.RandomState(0)
    n = 400
    X = rng.choice([1.0, 2.5, 4.0, 7.0], size=(n, 1), p=[0.4, 0.3, 0.2, 0.1])
    fitted = clone(synthesizer).fit(X)
    seen = np.exp(fitted.score_samples(np.array([[1.0], [2.5], [4.0], [7.0]])))
    share = 1 / (n + 1)
    assert seen.sum() == pytest.approx((1 - share) ** 2)
    assert np.exp(fitted.score_samples(np.array([[np.nan]])))[0] == pytest.approx(share)


@pytest.mark.parametrize("synthesizer", SYNTHESIZERS, ids=_ids)
def test_continuous_column_density_integrates_to_one(synthesizer):
    rng = np.random.RandomState(0)
    n = 300
    X = rng.gamma(2.0, 1.0, size=(n, 1))
    fitted = clone(synthesizer).fit(X)
    grid = np.linspace(-20.0, 40.0, 60_001)
    density = np.exp(fitted.score_samples(grid[:, None]))
    # All but the share of a missing value, novel in a column without any.
    total = np.trapezoid(density, grid)
    assert total == pytest.approx(1 - 1 / (n + 1), abs=5e-3)


@pytest.mark.parametrize("synthesizer", SYNTHESIZERS, ids=_ids)
def test_condition_on_a_number_an_integer_column_never_takes(synthesizer):
    # Issue 15: conditions={"visits": 7.5} was silently rounded to 8.
    rng = np.random.RandomState(0)
    X = pd.DataFrame({"visits": rng.randint(0, 400, 300), "x": rng.normal(size=300)})
    fitted = clone(synthesizer).fit(X)
    with pytest.raises(ValueError, match="column 'visits' the value 7.5, which is not"):
        fitted.sample(5, conditions={"visits": 7.5})
    X_new = fitted.sample(5, conditions={"visits": 7})
    assert (X_new["visits"] == 7).all()


@pytest.mark.parametrize("synthesizer", SYNTHESIZERS, ids=_ids)
def test_conditions_on_dates(synthesizer, real):
    fitted = clone(synthesizer).set_params(id_columns=["customer_id"]).fit(real)
    day = real["signup"].dropna().iloc[0]
    for value in [day, day.to_pydatetime(), str(day.date()), day.to_datetime64()]:
        X_new = fitted.sample(4, conditions={"signup": value})
        assert (X_new["signup"] == day).all()
    with pytest.raises(
        ValueError, match="column 'signup' the value .* not a whole day"
    ):
        fitted.sample(4, conditions={"signup": day + pd.Timedelta(hours=5)})
    with pytest.raises(ValueError, match="'customer_id', an identifier"):
        fitted.sample(4, conditions={"customer_id": "C000001"})


@pytest.mark.parametrize("synthesizer", SYNTHESIZERS, ids=_ids)
def test_sample_too_large_for_memory_says_what_to_do(synthesizer):
    # Issue 15: sample(10**12) failed inside numpy (30 TiB).
    fitted = clone(synthesizer).fit(_numeric_data())
    with pytest.raises(ValueError, match=r"need about .* TiB .*Draw them in chunks"):
        fitted.sample(10**12)
