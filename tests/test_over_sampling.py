"""Tests of the over-samplers: class-aware bandwidth, containers, pipelines."""

import warnings
from collections import Counter

import numpy as np
import pandas as pd
import pytest
from imblearn.pipeline import make_pipeline
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.preprocessing import StandardScaler

from sksynth import (
    CopulaOverSampler,
    KDEOverSampler,
    KDESynthesizer,
    MixtureSynthesizer,
    NoiseAugmenter,
    SynthesizerOverSampler,
    TreeOverSampler,
    TreeSynthesizer,
)

SAMPLERS = [
    KDEOverSampler(random_state=0),
    CopulaOverSampler(random_state=0),
    SynthesizerOverSampler(KDESynthesizer(bandwidth="scott"), random_state=0),
    NoiseAugmenter(random_state=0),
]


def _ids(sampler):
    return type(sampler).__name__


@pytest.fixture
def mixed_frame():
    rng = np.random.RandomState(0)
    n = 300
    y = pd.Series(np.where(rng.rand(n) < 0.15, "rare", "common"), name="label")
    frame = pd.DataFrame(
        {
            "amount": rng.lognormal(3, 1, n) * np.where(y == "rare", 2, 1),
            "count": rng.poisson(5, n).astype("int64"),
            "flag": rng.rand(n) < 0.3,
            "colour": pd.Categorical(rng.choice(["red", "green", "blue"], n)),
            "score": np.where(rng.rand(n) < 0.1, np.nan, rng.normal(50, 10, n)),
        }
    )
    return frame, y


@pytest.mark.parametrize("sampler", SAMPLERS, ids=_ids)
def test_dataframe_round_trip(sampler, mixed_frame):
    X, y = mixed_frame
    X_res, y_res = sampler.fit_resample(X, y)
    assert isinstance(X_res, pd.DataFrame) and isinstance(y_res, pd.Series)
    pd.testing.assert_series_equal(X_res.dtypes, X.dtypes)
    assert X_res["colour"].cat.categories.equals(X["colour"].cat.categories)
    assert y_res.name == "label"
    counts = Counter(y_res)
    assert counts["rare"] == counts["common"] == (y == "common").sum()
    # The original rows come first, unchanged.
    pd.testing.assert_frame_equal(X_res.iloc[: len(X)], X)
    new = X_res.iloc[len(X) :]
    assert new["amount"].between(X["amount"].min(), X["amount"].max()).all()
    assert set(new["count"]) <= set(range(X["count"].min(), X["count"].max() + 1))


@pytest.mark.parametrize("sampler", SAMPLERS, ids=_ids)
@pytest.mark.parametrize("n_rare", [1, 2, 5])
def test_tiny_classes(sampler, n_rare):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60 + n_rare, 3))
    y = np.r_[np.zeros(60, dtype=int), np.ones(n_rare, dtype=int)]
    X_res, y_res = sampler.fit_resample(X, y)
    assert np.bincount(y_res).tolist() == [60, 60]
    assert np.all(np.isfinite(X_res))


@pytest.mark.parametrize("sampler", SAMPLERS, ids=_ids)
def test_pipeline_and_grid_search(sampler):
    X, y = make_classification(n_samples=300, weights=[0.85], random_state=0)
    pipeline = make_pipeline(StandardScaler(), sampler, LogisticRegression())
    grid = GridSearchCV(
        pipeline,
        {f"{type(sampler).__name__.lower()}__sampling_strategy": [0.5, "auto"]},
        scoring="roc_auc",
        cv=3,
    ).fit(X, y)
    assert grid.best_score_ > 0.8


@pytest.mark.parametrize(
    "strategy, expected",
    [
        (0.5, {0: 200, 1: 100, 2: 30}),
        ("minority", {0: 200, 1: 60, 2: 200}),
        ("not majority", {0: 200, 1: 200, 2: 200}),
        ({2: 90}, {0: 200, 1: 60, 2: 90}),
        (lambda y: {1: 70}, {0: 200, 1: 70, 2: 30}),
    ],
)
def test_sampling_strategy_as_imblearn_defines_it(strategy, expected):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(290, 2))
    y = np.repeat([0, 1, 2], [200, 60, 30])
    if isinstance(strategy, float):
        keep = y != 2
        X, y = X[keep], y[keep]
        expected = {0: 200, 1: 100}
    X_res, y_res = KDEOverSampler(
        sampling_strategy=strategy, random_state=0
    ).fit_resample(X, y)
    assert dict(Counter(y_res.tolist())) == expected


def test_class_aware_bandwidth_narrows_for_a_class_inside_another():
    rng = np.random.RandomState(0)
    # 30 rows in 9 dimensions: separated from the majority, or inside it.
    majority = rng.normal(size=(1000, 9))
    far = rng.normal(size=(30, 9)) * 0.5 + 4
    inside = rng.normal(size=(30, 9))
    y = np.r_[np.zeros(1000, dtype=int), np.ones(30, dtype=int)]
    far_sampler = KDEOverSampler(random_state=0).fit(np.r_[majority, far], y)
    inside_sampler = KDEOverSampler(random_state=0).fit(np.r_[majority, inside], y)
    scott = 30 ** (-1 / 13)
    assert far_sampler.bandwidth_[1] == pytest.approx(scott)
    assert inside_sampler.bandwidth_[1] < far_sampler.bandwidth_[1]


def test_sample_indices_point_at_kernel_centres():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(100, 2))
    y = np.repeat([0, 1], [80, 20])
    sampler = KDEOverSampler(bandwidth=1e-3, random_state=0)
    X_res, _ = sampler.fit_resample(X, y)
    np.testing.assert_array_equal(sampler.sample_indices_[:100], np.arange(100))
    centres = sampler.sample_indices_[100:]
    assert np.all(y[centres] == 1)
    np.testing.assert_allclose(X_res[100:], X[centres], atol=0.05)


def test_categorical_levels_change_as_often_as_a_one_spread_numeric_move():
    from scipy.stats import norm

    rng = np.random.RandomState(0)
    n = 2000
    y = np.repeat([0, 1], [1800, 200])
    X = pd.DataFrame(
        {
            "x": rng.normal(size=n) + 5 * y,
            "level": pd.Categorical(rng.choice(list("abcdefghij"), n)),
        }
    )
    sampler = KDEOverSampler(random_state=0)
    X_res, _ = sampler.fit_resample(X, y)
    h = sampler.bandwidth_[1]
    lam = sampler.categorical_bandwidth_[1]
    assert lam == pytest.approx(2 * norm.cdf(-1 / h))
    centres = sampler.sample_indices_[n:]
    moved = np.mean(X_res["level"].to_numpy()[n:] != X["level"].to_numpy()[centres])
    # 1600 new rows: within 4 binomial standard errors.
    assert moved == pytest.approx(lam, abs=4 * np.sqrt(lam * (1 - lam) / 1600))


def test_large_numeric_arrays_are_resampled_in_blocks(monkeypatch):
    import sksynth.over_sampling._kde as kde

    rng = np.random.RandomState(0)
    X = rng.normal(size=(3000, 3)).astype(np.float32)
    y = np.repeat([0, 1, 2], [2000, 700, 300])
    whole = KDEOverSampler(random_state=0)
    X_whole, y_whole = whole.fit_resample(X, y)
    monkeypatch.setattr(kde, "_BLOCK_ROWS", 128)
    monkeypatch.setattr(kde, "_MAP_ROWS", 1000)
    blocks = KDEOverSampler(random_state=0)
    X_res, y_res = blocks.fit_resample(X, y)
    assert X_res.dtype == np.float32 and X_res.shape == X_whole.shape
    np.testing.assert_array_equal(X_res[:3000], X)
    np.testing.assert_array_equal(y_res, y_whole)
    assert np.all(y_res[blocks.sample_indices_] == y_res)
    # Same distribution: new rows of each class keep its mean, within
    # 5 standard errors.
    for klass, n_new in [(1, 1300), (2, 1700)]:
        new = X_res[3000:][y_res[3000:] == klass]
        assert new.shape[0] == n_new
        error = 5 * X[y == klass].std(axis=0) / np.sqrt(y.tolist().count(klass))
        assert np.all(np.abs(new.mean(axis=0) - X[y == klass].mean(axis=0)) < error)


def test_noise_augmenter_n_copies_wins_and_respects_bounds():
    rng = np.random.RandomState(0)
    X = pd.DataFrame(
        {
            "share": rng.beta(1, 1, 100),
            "n": rng.poisson(2, 100),
            "c": rng.choice(["a", "b"], 100),
        }
    )
    y = np.repeat([0, 1], [70, 30])
    augmenter = NoiseAugmenter(
        n_copies=2,
        sampling_strategy="minority",
        noise_level=0.5,
        multiplicative_noise=0.2,
        swap_probability=0.5,
        random_state=0,
    )
    X_res, y_res = augmenter.fit_resample(X, y)
    assert np.bincount(y_res).tolist() == [210, 90]
    assert augmenter.sampling_strategy_ == {0: 140, 1: 60}
    new = X_res.iloc[100:]
    assert new["share"].between(X["share"].min(), X["share"].max()).all()
    assert new["n"].dtype == X["n"].dtype and (new["n"] >= 0).all()
    assert set(new["c"]) <= {"a", "b"}
    # With swaps, some categorical values differ from their copied row.
    copied = augmenter.sample_indices_[100:]
    assert (new["c"].to_numpy() != X["c"].to_numpy()[copied]).mean() > 0.1


def test_noise_augmenter_copies_spikes_and_perturbs_the_rest():
    # An amount that is zero in 60 % of the rows keeps its zeros: noise would
    # make them small amounts no row holds. Its other values, and a count
    # (discrete: its values move between the count's values), get noise.
    rng = np.random.RandomState(0)
    n = 2000
    X = pd.DataFrame(
        {
            "amount": np.where(rng.rand(n) < 0.6, 0.0, rng.gamma(2.0, 100.0, n)),
            "count": rng.poisson(3, n),
            # Discrete (a grid of 50 round values) and 80 % zeros: a spike.
            "bonus": np.where(rng.rand(n) < 0.8, 0, 100 * rng.randint(1, 51, n)),
        }
    )
    y = np.repeat([0, 1], [1500, 500])
    augmenter = NoiseAugmenter(random_state=0, noise_level=0.3)
    X_res, _ = augmenter.fit_resample(X, y)
    new = X_res.iloc[n:]
    copied = X.iloc[augmenter.sample_indices_[n:]].reset_index(drop=True)
    new = new.reset_index(drop=True)
    zero = copied["amount"] == 0
    assert (new.loc[zero, "amount"] == 0).all()
    assert (new.loc[~zero, "amount"] != copied.loc[~zero, "amount"]).all()
    assert (new["count"] != copied["count"]).mean() > 0.1
    zero = copied["bonus"] == 0
    assert (new.loc[zero, "bonus"] == 0).all()
    assert (new.loc[~zero, "bonus"] != copied.loc[~zero, "bonus"]).mean() > 0.5


def test_errors():
    X, y = np.ones((10, 2)), np.repeat([0, 1], 5)
    from scipy import sparse

    with pytest.raises(TypeError, match="do not accept sparse input"):
        KDEOverSampler().fit_resample(sparse.csr_matrix(X), y)
    with pytest.raises(ValueError, match="The 'synthesizer' parameter"):
        SynthesizerOverSampler(synthesizer="copula").fit_resample(X, y)
    with pytest.raises(ValueError, match="The 'n_copies' parameter"):
        NoiseAugmenter(n_copies=0).fit_resample(X, y)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        KDEOverSampler().fit_resample(X, y[:-1])
    # The wrapped synthesizer is the user's: its parameters are checked too.
    with pytest.raises(ValueError, match="The 'min_samples_leaf' parameter"):
        SynthesizerOverSampler(TreeSynthesizer(min_samples_leaf=-3)).fit_resample(
            X, np.r_[np.zeros(7), np.ones(3)]
        )


def test_scikit_learn_density_estimators_as_synthesizers():
    from sklearn.mixture import GaussianMixture
    from sklearn.neighbors import KernelDensity

    X, y = make_classification(n_samples=300, weights=[0.85], random_state=0)
    for synthesizer in (KernelDensity(bandwidth=0.5), GaussianMixture(2)):
        sampler = SynthesizerOverSampler(synthesizer, random_state=0)
        X_res, y_res = sampler.fit_resample(X, y)
        again, _ = clone(sampler).fit_resample(X, y)
        assert X_res.shape == (2 * Counter(y)[0], X.shape[1])
        np.testing.assert_array_equal(X_res, again)


@pytest.mark.parametrize("n_rare", [8, 20])
def test_small_classes_of_continuous_features_get_new_values(n_rare):
    """A class with as many distinct values as rows is not few-valued."""
    rng = np.random.RandomState(0)
    X = rng.normal(size=(300, 3))
    y = np.r_[np.zeros(300 - n_rare, int), np.ones(n_rare, int)]
    for sampler in (
        CopulaOverSampler(random_state=0),
        TreeOverSampler(random_state=0),
        SynthesizerOverSampler(MixtureSynthesizer(), random_state=0),
    ):
        X_res, _ = sampler.fit_resample(X, y)
        new = X_res[300:]
        assert not np.isin(new, X[y == 1]).any(), sampler


def test_no_warnings_on_constant_or_empty_columns():
    rng = np.random.RandomState(0)
    frame = pd.DataFrame(
        {
            "x": rng.normal(size=60),
            "constant": 1.0,
            "empty": np.nan,
            "level": pd.Categorical(rng.choice(["a", "b", "c"], 60)),
        }
    )
    y = np.r_[np.zeros(50, int), np.ones(10, int)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for sampler in (
            TreeOverSampler(random_state=0),
            NoiseAugmenter(random_state=0),
        ):
            X_res, _ = sampler.fit_resample(frame, y)
            assert X_res["empty"].isna().all()
            assert (X_res["constant"] == 1.0).all()


ALL_SAMPLERS = [*SAMPLERS, TreeOverSampler(random_state=0)]


@pytest.mark.parametrize("sampler", ALL_SAMPLERS, ids=_ids)
@pytest.mark.parametrize("missing", [None, np.nan])
def test_labels_with_missing_values_are_named(sampler, missing):
    # Issue 15: numpy's "'<' not supported between instances of 'float' and
    # 'str'" (or scikit-learn's "Input y contains NaN").
    rng = np.random.RandomState(0)
    X = pd.DataFrame({"a": rng.normal(size=40), "b": rng.normal(size=40)})
    labels = ["x"] * 30 + ["y"] * 8 if missing is None else [0.0] * 30 + [1.0] * 8
    y = pd.Series(
        [*labels, missing, missing], dtype=object if missing is None else float
    )
    with pytest.raises(ValueError, match="y has 2 missing value"):
        clone(sampler).fit_resample(X, y)


@pytest.mark.parametrize("sampler", ALL_SAMPLERS, ids=_ids)
def test_labels_with_pandas_na_are_named(sampler):
    # pandas.NA in a string or object Series: its truth value is ambiguous,
    # which must not surface as a TypeError.
    rng = np.random.RandomState(0)
    X = pd.DataFrame({"a": rng.normal(size=40), "b": rng.normal(size=40)})
    labels = ["x"] * 30 + ["y"] * 8 + [pd.NA] * 2
    for dtype in ["string", object]:
        y = pd.Series(labels, dtype=dtype)
        with pytest.raises(ValueError, match="y has 2 missing value"):
            clone(sampler).fit_resample(X, y)


@pytest.mark.parametrize("sampler", ALL_SAMPLERS, ids=_ids)
def test_duplicated_column_names_and_infinite_values_are_named(sampler):
    # Issue 15: a third-party DuplicateError; and every resampler counts the
    # infinite values of a column alike (all of X, not a class or a sample).
    rng = np.random.RandomState(0)
    X = pd.DataFrame(rng.normal(size=(40, 3)), columns=["a", "b", "a"])
    y = np.r_[np.zeros(30), np.ones(10)]
    with pytest.raises(ValueError, match=r"X has duplicated column names \['a'\]"):
        clone(sampler).fit_resample(X, y)
    X.columns = ["a", "b", "c"]
    X.iloc[[3, 5, 35], 1] = np.inf
    with pytest.raises(ValueError, match="Column 'b' contains 3 infinite value"):
        clone(sampler).fit_resample(X, y)


@pytest.mark.parametrize("seed", range(30))
def test_copula_over_sampler_on_tiny_classes_of_few_values(seed):
    # Issue 15: a 6-row class whose columns hold 2-4 distinct values, some a
    # rounding apart (as standardised features), crashed (OverflowError: a
    # kernel margin on identical knots with a bandwidth below the values'
    # rounding; its grid step was 0); 16 of these 60 seeds failed.
    rng = np.random.RandomState(seed)
    n_common, n_rare = 60, 6
    common = rng.normal(size=(n_common, 4))
    base = rng.normal(size=2)
    values = np.r_[base, np.nextafter(base, np.inf)]
    rare = values[rng.randint(0, 4, size=(n_rare, 4))]
    X = np.vstack([common, rare])
    y = np.r_[np.zeros(n_common), np.ones(n_rare)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        X_res, y_res = CopulaOverSampler(random_state=seed).fit_resample(X, y)
    new = X_res[y_res == 1][n_rare:]
    assert np.isfinite(new).all() and len(new) == n_common - n_rare
    assert new.min() >= values.min() and new.max() <= values.max()
