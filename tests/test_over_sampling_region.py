"""Tests of ``region`` (new rows inside their class's region) and of
CopulaOverSampler's margins for small classes."""

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_classification

from sksynth.over_sampling import (
    CopulaOverSampler,
    ForestOverSampler,
    KDEOverSampler,
    TreeOverSampler,
)

INSIDE_SAMPLERS = [
    KDEOverSampler,
    CopulaOverSampler,
    TreeOverSampler,
    ForestOverSampler,
]


def _interleaved(seed=0):
    """One column: 200 rows of class 0 on [0, 10], and 30 of class 1 in three
    clusters, with class-0 rows between them."""
    rng = np.random.RandomState(seed)
    majority = rng.uniform(0, 10, 200)
    minority = np.concatenate([rng.normal(c, 0.15, 10) for c in (2.0, 5.0, 8.0)])
    X = np.concatenate([majority, minority])[:, None]
    y = np.repeat([0, 1], [200, 30])
    return X, y


def _share_outside(X, y, X_new, klass):
    """Share of new rows of ``klass`` whose two neighbours among the sorted
    rows of ``X`` are both of another class: on one column, those rows are
    nearer a row of another class in any monotone transformation of it."""
    order = np.argsort(X[:, 0], kind="stable")
    values, labels = X[order, 0], y[order]
    position = np.searchsorted(values, X_new[:, 0])
    below = labels[np.clip(position - 1, 0, values.size - 1)]
    above = labels[np.clip(position, 0, values.size - 1)]
    # A new row equal to a row of X (a copy) is inside.
    exact = np.isin(X_new[:, 0], values[labels == klass])
    return np.mean((below != klass) & (above != klass) & ~exact)


@pytest.mark.parametrize("Sampler", INSIDE_SAMPLERS, ids=lambda c: c.__name__)
def test_region_nearest_keeps_new_rows_in_the_class_region(Sampler):
    X, y = _interleaved()
    n = y.size
    X_free, _ = Sampler(random_state=0).fit_resample(X, y)
    X_kept, y_kept = Sampler(region="nearest", random_state=0).fit_resample(X, y)
    assert np.array_equal(np.bincount(y_kept), [200, 200])
    assert np.array_equal(X_kept[:n], X)
    # Without the check a share of the 170 new rows lands among class 0.
    assert _share_outside(X, y, X_free[n:], 1) > 0.05
    assert _share_outside(X, y, X_kept[n:], 1) == 0


def test_region_copies_rows_of_a_class_engulfed_by_another():
    # Each row of class 1 sits between two rows of class 0 at 1e-3: with
    # wide kernels few draws land that close, and the rows still outside
    # after the redraws are copies.
    rng = np.random.RandomState(0)
    centres = np.linspace(1, 9, 5)
    majority = np.concatenate([rng.uniform(0, 10, 300), centres - 1e-3, centres + 1e-3])
    X = np.concatenate([majority, centres])[:, None]
    y = np.repeat([0, 1], [majority.size, centres.size])
    sampler = KDEOverSampler(region="nearest", bandwidth=1.0, random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    new = X_res[y.size :, 0]
    assert new.size == majority.size - centres.size
    assert _share_outside(X, y, X_res[y.size :], 1) == 0
    assert np.isin(new, centres).mean() > 0.1
    # The centre of a copy is the row it copies.
    copies = np.isin(new, centres)
    assert np.array_equal(new[copies], X[sampler.sample_indices_[y.size :], 0][copies])


@pytest.mark.parametrize("rule", ["nearest", "balanced"])
def test_region_on_a_mixed_frame_with_identifiers(rule):
    rng = np.random.RandomState(0)
    n = 400
    y = pd.Series(np.where(rng.rand(n) < 0.1, "rare", "common"))
    X = pd.DataFrame(
        {
            "customer_id": np.arange(1000, 1000 + n),
            "amount": rng.lognormal(3, 1, n) + 20 * (y == "rare"),
            "colour": pd.Categorical(rng.choice(["red", "green"], n)),
        }
    )
    for Sampler in INSIDE_SAMPLERS:
        sampler = Sampler(region=rule, id_columns=["customer_id"], random_state=0)
        X_res, y_res = sampler.fit_resample(X, y)
        assert list(X_res.dtypes) == list(X.dtypes)
        assert X_res["customer_id"].is_unique
        assert (y_res == "rare").sum() == (y_res == "common").sum()


def test_region_balanced_drops_new_rows_deep_among_other_classes():
    X, y = _interleaved()
    n = y.size
    centres = np.array([2.0, 5.0, 8.0])

    def share_far(X_new):
        # 1.2 from every centre (rows of class 1 lie within 0.45 of theirs),
        # a new row has about 15 rows of class 0 on each side before a row of
        # class 1 (20 per unit): its 10 nearest rows are all of class 0.
        return np.mean(np.min(np.abs(X_new[:, :1] - centres), axis=1) > 1.2)

    free = KDEOverSampler(bandwidth=4.0, random_state=0).fit_resample(X, y)[0]
    kept, y_kept = KDEOverSampler(
        bandwidth=1.0, region="balanced", random_state=0
    ).fit_resample(X, y)
    assert np.array_equal(np.bincount(y_kept), [200, 200])
    assert share_far(free[n:]) > 0.05
    assert share_far(kept[n:]) == 0
    # Rows near the clusters but nearer a row of class 0 stay: "balanced"
    # keeps more of the class's surroundings than "nearest".
    assert _share_outside(X, y, kept[n:], 1) > 0


def test_region_is_reproducible():
    X, y = _interleaved()
    first = CopulaOverSampler(region="nearest", random_state=3).fit_resample(X, y)
    second = CopulaOverSampler(region="nearest", random_state=3).fit_resample(X, y)
    assert np.array_equal(first[0], second[0])


def _skewed_classes(n_minority, seed=0):
    X, y = make_classification(
        n_samples=n_minority * 20,
        n_features=3,
        n_informative=3,
        n_redundant=0,
        weights=[0.95],
        random_state=seed,
    )
    return np.exp(X), y


@pytest.mark.parametrize(
    "n_rows, expected", [(40, "empirical"), (1000, "auto")], ids=["small", "large"]
)
def test_copula_auto_margins_are_empirical_for_small_classes(n_rows, expected):
    rng = np.random.RandomState(0)
    X = np.exp(rng.normal(size=(n_rows + 2000, 2)))
    y = np.repeat([1, 0], [n_rows, 2000])
    sampler = CopulaOverSampler(random_state=0).fit(X, y)
    assert sampler.synthesizers_[1].marginals == expected


def test_copula_margins_given_by_the_user_are_kept_for_small_classes():
    X, y = _skewed_classes(30)
    sampler = CopulaOverSampler(marginals="lognormal", random_state=0).fit(X, y)
    assert sampler.synthesizers_[1].marginals == "lognormal"


def test_copula_small_class_new_values_follow_the_class_quantiles():
    # A class of 40 rows with a bimodal column: a normal margin (what the
    # family selection keeps on so few rows) puts many new values in the
    # empty middle, the empirical one few.
    rng = np.random.RandomState(0)
    minority = np.concatenate([rng.normal(0, 0.2, 20), rng.normal(6, 0.2, 20)])
    X = np.concatenate([rng.normal(3, 3, 2000), minority])[:, None]
    y = np.repeat([0, 1], [2000, 40])
    X_res, _ = CopulaOverSampler(random_state=0).fit_resample(X, y)
    new = X_res[y.size :, 0]
    middle = np.mean((new > 1.5) & (new < 4.5))
    # The class has no row there; with 1,960 draws a share of 0.05 is more
    # than 10 standard errors above what the kernels' tails put there.
    assert middle < 0.05


@pytest.mark.parametrize(
    "n_rows, expected", [(40, "average"), (1000, "random")], ids=["small", "large"]
)
def test_copula_auto_ties_are_averaged_for_small_classes(n_rows, expected):
    rng = np.random.RandomState(0)
    X = rng.poisson(2.0, size=(n_rows + 2000, 2)).astype(float)
    y = np.repeat([1, 0], [n_rows, 2000])
    sampler = CopulaOverSampler(random_state=0).fit(X, y)
    assert sampler.synthesizers_[1].ties == expected
    given = CopulaOverSampler(ties="random", random_state=0).fit(X, y)
    assert given.synthesizers_[1].ties == "random"
