"""Tests of MixtureSynthesizer."""

import numpy as np
import pandas as pd
import pytest
from conftest import novelty_kept_mass
from sklearn.utils._param_validation import InvalidParameterError

from sksynth import MixtureSynthesizer


def _groups_frame(n=2000, weights=(0.5, 0.3, 0.2), seed=0):
    """Three groups: a colour, a normal number and a count per group."""
    rng = np.random.RandomState(seed)
    group = rng.choice(len(weights), size=n, p=weights)
    colours = np.array(["red", "green", "blue"])
    noisy = np.where(rng.rand(n) < 0.1, rng.randint(3, size=n), group)
    return pd.DataFrame(
        {
            "colour": pd.Categorical(colours[noisy]),
            "value": rng.normal(np.array([0.0, 6.0, 12.0])[group], 1.0),
            "count": rng.poisson(np.array([2, 10, 25])[group]).astype("int64"),
        }
    ), group


def _tolerance(p, n):
    """Four standard errors of a share ``p`` estimated from ``n`` rows."""
    return 4 * np.sqrt(p * (1 - p) / n)


def test_recovers_component_weights():
    X, group = _groups_frame()
    synth = MixtureSynthesizer(n_components=3, random_state=0).fit(X)
    expected = np.sort(np.bincount(group) / group.size)
    assert synth.n_components_ == 3
    assert synth.weights_.sum() == pytest.approx(1.0)
    np.testing.assert_allclose(
        np.sort(synth.weights_), expected, atol=_tolerance(0.5, len(X))
    )
    assert synth.converged_
    assert 1 <= synth.n_iter_ <= synth.max_iter
    assert np.isfinite(synth.lower_bound_)


def test_auto_finds_the_number_of_groups():
    rng = np.random.RandomState(1)
    n, n_groups = 4000, 4
    group = rng.randint(n_groups, size=n)
    X = np.column_stack(
        [rng.normal(8.0 * group, 1.0), rng.normal(-8.0 * group, 1.0)]
        + [(group + (rng.rand(n) < 0.1)) % n_groups for _ in range(3)]
    )
    synth = MixtureSynthesizer(categorical_features=[2, 3, 4], random_state=0).fit(X)
    assert synth.n_components_ == n_groups


def test_keeps_dependence_between_category_and_number():
    X, _ = _groups_frame()
    X_new = MixtureSynthesizer(n_components=3, random_state=0).fit(X).sample(4000)
    real = X.groupby("colour", observed=True)["value"].mean()
    synthetic = X_new.groupby("colour", observed=True)["value"].mean()
    # Group means 6 apart; 10% of colours are noise: a one-unit tolerance
    # separates kept from lost dependence.
    np.testing.assert_allclose(synthetic[real.index], real, atol=1.0)


def test_spikes_integers_bounds_and_missing_values():
    rng = np.random.RandomState(0)
    n = 3000
    amount = np.where(rng.rand(n) < 0.3, 0.0, rng.lognormal(3, 1, n))
    score = np.where(rng.rand(n) < 0.15, np.nan, rng.normal(50, 10, n))
    X = pd.DataFrame(
        {
            "amount": amount,
            "visits": rng.poisson(40, n).astype("int64"),
            "score": score,
        }
    )
    X_new = MixtureSynthesizer(n_components=4, random_state=0).fit(X).sample(n)
    zeros = (X_new["amount"] == 0).mean()
    assert zeros == pytest.approx(0.3, abs=2 * _tolerance(0.3, n))
    missing = X_new["score"].isna().mean()
    assert missing == pytest.approx(0.15, abs=2 * _tolerance(0.15, n))
    assert X_new["visits"].dtype == np.int64
    for name in X.columns:
        observed = X_new[name].dropna()
        assert observed.min() >= X[name].min()
        assert observed.max() <= X[name].max()
    # Integer values with many levels keep their training frequencies.
    real = X["visits"].value_counts(normalize=True)
    synthetic = X_new["visits"].value_counts(normalize=True)
    assert set(synthetic.index) <= set(range(X["visits"].min(), X["visits"].max() + 1))
    assert real.get(40) == pytest.approx(synthetic.get(40), abs=2 * _tolerance(0.06, n))


def test_score_samples_sums_to_one_on_discrete_data():
    rng = np.random.RandomState(0)
    X = np.column_stack([rng.randint(5, size=400), rng.randint(3, size=400)])
    X[:, 1] = (X[:, 1] + X[:, 0]) % 3
    synth = MixtureSynthesizer(n_components=4, random_state=0).fit(X)
    grid = np.array([[a, b] for a in range(5) for b in range(3)])
    seen = np.exp(synth.score_samples(grid)).sum()
    assert seen == pytest.approx(novelty_kept_mass(400, 2))
    # A value never seen in fit is a novel outcome, of probability 1 / (n + 1)
    # times the density of a wide normal; the row is scored on b alone.
    novel = synth.score_samples(np.array([[7, 0]]))[0]
    assert np.isfinite(novel) and novel < np.log(1 / 401)


def test_score_samples_integrates_to_one_on_continuous_data():
    rng = np.random.RandomState(0)
    X = np.where(rng.rand(500, 1) < 0.2, 0.0, rng.gamma(2.0, 1.0, (500, 1)))
    synth = MixtureSynthesizer(n_components=2, random_state=0).fit(X)
    grid = np.linspace(-30, 60, 200_001)
    density = np.exp(synth.score_samples(grid[:, None]))
    on_grid = density[grid != 0]
    spike = np.exp(synth.score_samples(np.array([[0.0]])))[0]
    integral = np.trapezoid(on_grid, grid[grid != 0]) + spike
    assert spike == pytest.approx(0.2, abs=2 * _tolerance(0.2, 500))
    # All but the share of a missing value, novel in a column without any.
    assert integral == pytest.approx(novelty_kept_mass(500, 1, 0), abs=1e-3)
    # Values a little outside the training range keep a density.
    assert np.isfinite(synth.score_samples(np.array([[X.max() + 1.0]])))[0]


def test_one_component_is_the_product_of_the_margins():
    rng = np.random.RandomState(0)
    X = pd.DataFrame(
        {
            "a": rng.choice(["x", "y", "z"], 300, p=[0.5, 0.3, 0.2]),
            "b": rng.choice(["u", "v"], 300),
        }
    )
    synth = MixtureSynthesizer(n_components=1, random_state=0).fit(X)
    shares_a = X["a"].value_counts(normalize=True)
    shares_b = X["b"].value_counts(normalize=True)
    expected = np.log(shares_a[X["a"]].to_numpy() * shares_b[X["b"]].to_numpy())
    expected += np.log(novelty_kept_mass(300, 2))
    np.testing.assert_allclose(synth.score_samples(X), expected)
    assert synth.score(X) == pytest.approx(expected.sum())


def test_conditions_on_a_category():
    X, _ = _groups_frame()
    synth = MixtureSynthesizer(n_components=3, random_state=0).fit(X)
    X_new = synth.sample(2000, conditions={"colour": "green"})
    assert (X_new["colour"] == "green").all()
    real = X.loc[X["colour"] == "green", "value"].mean()
    assert X_new["value"].mean() == pytest.approx(real, abs=1.0)


def test_conditions_on_the_target():
    X, group = _groups_frame()
    y = pd.Series(np.where(group == 2, "top", "rest"), name="tier")
    synth = MixtureSynthesizer(n_components=4, random_state=0).fit(X, y)
    X_new, y_new = synth.sample(1000, conditions={"tier": "top"})
    assert (y_new == "top").all()
    assert X_new["value"].mean() == pytest.approx(12.0, abs=1.0)
    # Without conditions the class shares and the dependence are kept.
    X_new, y_new = synth.sample(4000)
    assert (y_new == "top").mean() == pytest.approx(
        (y == "top").mean(), abs=_tolerance(0.2, 4000) + _tolerance(0.2, len(y))
    )
    top = X_new.loc[y_new == "top", "value"].mean()
    assert top == pytest.approx(12.0, abs=1.0)


def test_continuous_target_keeps_dependence():
    rng = np.random.RandomState(0)
    group = rng.randint(2, size=1500)
    X = np.column_stack([rng.normal(5.0 * group, 1.0)])
    y = rng.normal(10.0 * group, 1.0)
    synth = MixtureSynthesizer(n_components=2, random_state=0).fit(X, y)
    assert synth.target_type_ == "regression"
    X_new, y_new = synth.sample(2000)
    assert np.corrcoef(X_new[:, 0], y_new)[0, 1] > 0.8


def test_subsampled_em_with_full_passes():
    X, _ = _groups_frame(n=3000)
    synth = MixtureSynthesizer(n_components=3, max_samples=500, random_state=0)
    synth.fit(X)
    assert np.isfinite(synth.lower_bound_)
    np.testing.assert_allclose(
        np.sort(synth.weights_), [0.2, 0.3, 0.5], atol=_tolerance(0.5, 500)
    )


def test_fit_is_reproducible():
    X, _ = _groups_frame(n=500)
    first = MixtureSynthesizer(random_state=3).fit(X)
    second = MixtureSynthesizer(random_state=3).fit(X)
    np.testing.assert_array_equal(first.weights_, second.weights_)
    pd.testing.assert_frame_equal(first.sample(30), second.sample(30))


def test_condition_the_model_cannot_produce():
    rng = np.random.RandomState(0)
    X = rng.randint(4, size=(200, 2)).astype(float)
    synth = MixtureSynthesizer(n_components=2, random_state=0).fit(X)
    with pytest.raises(
        ValueError, match=r"gives column 0 the value 1\.5, which this model never"
    ):
        synth.sample(5, conditions={0: 1.5})


@pytest.mark.parametrize(
    "params, match",
    [
        ({"n_components": 0}, "n_components"),
        ({"n_components": "many"}, "n_components"),
        ({"n_bins": 1}, "n_bins"),
        ({"smoothing": -1.0}, "smoothing"),
    ],
)
def test_invalid_parameters(params, match):
    X, _ = _groups_frame(n=100)
    with pytest.raises(InvalidParameterError, match=match):
        MixtureSynthesizer(**params).fit(X)


def test_more_components_than_rows_is_an_error():
    X = np.arange(50.0)[:, None]
    with pytest.raises(ValueError, match="n_components=100 is more than the 50 rows"):
        MixtureSynthesizer(n_components=100).fit(X)
