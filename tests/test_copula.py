"""Tests of GaussianCopulaSynthesizer: margins, dependence, conditions, errors."""

import re

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sksynth import GaussianCopulaSynthesizer


def _correlated_normal(n, rho, seed=0):
    rng = np.random.RandomState(seed)
    return rng.multivariate_normal([0, 0], [[1, rho], [rho, 1]], size=n)


def _correlation_tolerance(rho, n, n_sigma=4):
    """``n_sigma`` standard errors of a sample correlation: (1 - rho^2) / sqrt(n)."""
    return n_sigma * (1 - rho**2) / np.sqrt(n)


def test_recovers_lognormal_margin_and_correlation():
    n, rho = 4000, 0.7
    z = _correlated_normal(n, rho)
    X = np.column_stack([np.exp(1.0 + 0.5 * z[:, 0]), 3.0 + 2.0 * z[:, 1]])
    synth = GaussianCopulaSynthesizer(random_state=0).fit(X)

    assert synth.marginals_[0].startswith("lognormal")
    assert synth.marginals_[1].startswith("normal")
    assert synth.correlation_[0, 1] == pytest.approx(
        rho, abs=_correlation_tolerance(rho, n)
    )

    m = 20_000
    X_new = synth.sample(m)
    log_x = np.log(X_new[:, 0])
    # Mean and sd of log(x): 1 and 0.5, estimated from n rows then drawn m times.
    se = 0.5 * np.sqrt(1 / n + 1 / m)
    assert log_x.mean() == pytest.approx(1.0, abs=4 * se)
    assert log_x.std() == pytest.approx(0.5, abs=4 * 0.5 * np.sqrt(1 / (2 * n)) + 0.01)
    r = np.corrcoef(log_x, X_new[:, 1])[0, 1]
    assert r == pytest.approx(rho, abs=_correlation_tolerance(rho, n) * 1.5)


@pytest.mark.parametrize(
    "family, draw",
    [
        ("normal", lambda rng, n: rng.normal(5, 2, n)),
        ("lognormal", lambda rng, n: rng.lognormal(0, 0.8, n)),
        ("gamma", lambda rng, n: rng.gamma(2.0, 3.0, n)),
        ("exponential", lambda rng, n: rng.exponential(2.0, n)),
        ("uniform", lambda rng, n: rng.uniform(-1, 4, n)),
        ("beta", lambda rng, n: rng.beta(0.5, 0.5, n)),
        ("student_t", lambda rng, n: rng.standard_t(2.5, n)),
    ],
)
def test_auto_margin_picks_the_generating_family(family, draw):
    rng = np.random.RandomState(1)
    X = draw(rng, 4000)[:, None]
    synth = GaussianCopulaSynthesizer(random_state=0).fit(X)
    assert synth.marginals_[0].startswith(family)
    X_new = synth.sample(4000)
    assert stats.ks_2samp(X[:, 0], X_new[:, 0]).statistic < 0.05


def test_auto_margin_is_empirical_on_multimodal_data():
    rng = np.random.RandomState(0)
    x = np.concatenate([rng.normal(0, 1, 2000), rng.normal(7, 0.5, 2000)])
    synth = GaussianCopulaSynthesizer(random_state=0).fit(x[:, None])
    assert synth.marginals_[0].startswith("empirical")
    x_new = synth.sample(8000)[:, 0]
    # Both modes, with their weights: no mass in the trough between them.
    assert np.mean(x_new > 3.5) == pytest.approx(0.5, abs=0.03)
    assert np.mean((x_new > 3) & (x_new < 4.5)) < 0.02
    assert stats.ks_2samp(x, x_new).statistic < 0.04


def test_spike_at_zero_is_a_point_mass():
    rng = np.random.RandomState(0)
    x = np.where(rng.rand(5000) < 0.8, 0.0, rng.lognormal(7, 1, 5000))
    synth = GaussianCopulaSynthesizer(random_state=0).fit(x[:, None])
    assert "atoms {0: 0.8" in synth.marginals_[0]
    x_new = synth.sample(10_000)[:, 0]
    assert np.mean(x_new == 0) == pytest.approx(
        0.8, abs=4 * np.sqrt(0.16 / 5000) + 0.01
    )
    assert np.all(x_new >= 0)


def test_single_family_and_per_column_marginals():
    rng = np.random.RandomState(0)
    X = pd.DataFrame({"a": rng.gamma(2, 2, 500), "b": rng.normal(size=500)})
    synth = GaussianCopulaSynthesizer(marginals="empirical", random_state=0).fit(X)
    assert all(m.startswith("empirical") for m in synth.marginals_.values())
    synth = GaussianCopulaSynthesizer(marginals={"a": "gamma"}, random_state=0).fit(X)
    assert synth.marginals_["a"].startswith("gamma")


def test_marginals_errors_name_the_column():
    X = pd.DataFrame({"a": np.linspace(-1, 1, 50), "b": np.linspace(0, 1, 50)})
    with pytest.raises(ValueError, match="`marginals` names column 'zz'"):
        GaussianCopulaSynthesizer(marginals={"zz": "normal"}).fit(X)
    with pytest.raises(ValueError, match="column 'a' the family 'weibull'"):
        GaussianCopulaSynthesizer(marginals={"a": "weibull"}).fit(X)
    with pytest.raises(ValueError, match="'lognormal' family does not fit.*> 0"):
        GaussianCopulaSynthesizer(marginals={"a": "lognormal"}).fit(X)


def test_categorical_column_takes_part_in_the_dependence():
    rng = np.random.RandomState(0)
    n = 6000
    group = rng.choice(["low", "mid", "high"], n)
    shift = pd.Series(group).map({"low": -2.0, "mid": 0.0, "high": 2.0}).to_numpy()
    X = pd.DataFrame({"group": group, "value": shift + rng.normal(size=n)})
    synth = GaussianCopulaSynthesizer(random_state=0).fit(X)
    X_new = synth.sample(20_000)
    means = X_new.groupby("group")["value"].mean()
    # The copula keeps the order and most of the spread of the group means.
    assert means["low"] < means["mid"] < means["high"]
    assert means["high"] - means["low"] > 2.5
    shares = X_new["group"].value_counts(normalize=True)
    for level, share in X["group"].value_counts(normalize=True).items():
        assert shares[level] == pytest.approx(share, abs=0.02)


def test_missing_values_share_and_dependence_are_reproduced():
    rng = np.random.RandomState(0)
    n = 8000
    x = rng.normal(size=n)
    # Missing more often where x is large.
    missing = rng.rand(n) < np.where(x > 0, 0.4, 0.1)
    X = pd.DataFrame({"x": x, "w": np.where(missing, np.nan, rng.normal(size=n))})
    synth = GaussianCopulaSynthesizer(random_state=0).fit(X)
    X_new = synth.sample(20_000)
    share = X_new["w"].isna().mean()
    assert share == pytest.approx(missing.mean(), abs=4 * np.sqrt(0.06 / n) + 0.01)
    assert X_new.loc[X_new["x"] > 0, "w"].isna().mean() > 0.3
    assert X_new.loc[X_new["x"] < 0, "w"].isna().mean() < 0.18


def test_score_samples_matches_multivariate_normal():
    # A Gaussian copula with normal margins is a multivariate normal.
    n, rho = 3000, 0.6
    X = _correlated_normal(n, rho) * [1.0, 3.0] + [0.0, 10.0]
    synth = GaussianCopulaSynthesizer(marginals="normal", random_state=0).fit(X)
    rows = X[:50]
    covariance = np.outer(X.std(axis=0), X.std(axis=0)) * synth.correlation_
    expected = stats.multivariate_normal(X.mean(axis=0), covariance).logpdf(rows)
    # Up to the wide normal mixed into each margin at weight 1 / (n + 1).
    np.testing.assert_allclose(synth.score_samples(rows), expected, atol=5e-3)


def test_score_samples_of_rows_with_different_missing_columns():
    # Rows are scored in groups of the same observed columns: a row's score
    # does not depend on the other rows of the batch.
    rng = np.random.RandomState(0)
    n = 600
    X = pd.DataFrame(_correlated_normal(n, 0.5), columns=["a", "b"])
    X["c"] = rng.choice(["u", "v", "w"], n)
    X = X.mask(rng.rand(n, 3) < 0.2)
    synth = GaussianCopulaSynthesizer(random_state=0).fit(X)
    rows = X.iloc[:40]
    one_by_one = [synth.score_samples(rows.iloc[[i]])[0] for i in range(len(rows))]
    np.testing.assert_allclose(synth.score_samples(rows), one_by_one, rtol=1e-12)


def test_score_samples_of_unseen_category_is_the_novelty_share():
    X = pd.DataFrame({"c": ["a", "b"] * 50, "x": np.arange(100.0)})
    synth = GaussianCopulaSynthesizer(random_state=0).fit(X)
    rows = pd.DataFrame({"c": ["a", "zz", None], "x": [3.0, 3.0, 3.0]})
    scores = synth.score_samples(rows)
    # "zz" is the one outcome "unseen" and a missing c (none in fit) the one
    # outcome "missing", each of probability 1 / (n + 1); either row is then
    # scored on x alone, the present "zz" with the factor 1 - 1 / (n + 1).
    share = 1 / 101
    assert np.isfinite(scores).all()
    assert scores[1] == pytest.approx(scores[2] + np.log1p(-share))
    assert scores[1] < scores[0] + np.log(share) + 1


def test_conditional_sampling_continuous_is_closed_form():
    n, rho = 5000, 0.8
    X = _correlated_normal(n, rho)
    synth = GaussianCopulaSynthesizer(marginals="normal", random_state=0).fit(X)
    X_new = synth.sample(5000, conditions={0: 1.5})
    assert np.all(X_new[:, 0] == 1.5)
    # E[x2 | x1 = c] = rho * c and sd sqrt(1 - rho^2) for standard normals.
    z = (1.5 - X[:, 0].mean()) / X[:, 0].std()
    expected_mean = X[:, 1].mean() + synth.correlation_[0, 1] * z * X[:, 1].std()
    assert X_new[:, 1].mean() == pytest.approx(expected_mean, abs=0.05)
    assert X_new[:, 1].std() == pytest.approx(
        np.sqrt(1 - rho**2) * X[:, 1].std(), abs=0.05
    )


def test_conditional_sampling_on_categories_and_several_columns():
    rng = np.random.RandomState(0)
    n = 6000
    group = rng.choice(["a", "b"], n)
    value = np.where(group == "a", 0.0, 3.0) + rng.normal(size=n)
    other = value + rng.normal(size=n)
    X = pd.DataFrame({"group": group, "value": value, "other": other})
    synth = GaussianCopulaSynthesizer(random_state=0).fit(X)
    X_b = synth.sample(4000, conditions={"group": "b"})
    assert (X_b["group"] == "b").all()
    assert X_b["value"].mean() > 1.5
    X_both = synth.sample(2000, conditions={"group": "a", "value": 0.5})
    assert (X_both["value"] == 0.5).all()
    assert X_both["other"].mean() == pytest.approx(0.5, abs=0.3)


@pytest.mark.parametrize(
    "conditions, error, message",
    [
        ({"nope": 1.0}, ValueError, "`conditions` names column 'nope'"),
        (
            {"group": "zz"},
            ValueError,
            "column 'group' the value 'zz', which was not seen",
        ),
        ({"value": 1e9}, ValueError, "outside the range"),
        ({"value": "high"}, ValueError, "pass a number"),
        ({"value": None}, ValueError, "had no missing values in fit"),
        ([("value", 1.0)], TypeError, "`conditions` must be a dict"),
    ],
)
def test_conditions_errors(conditions, error, message):
    X = pd.DataFrame({"group": ["a", "b"] * 30, "value": np.linspace(0, 1, 60)})
    synth = GaussianCopulaSynthesizer(random_state=0).fit(X)
    with pytest.raises(error, match=re.escape(message) if "'" in message else message):
        synth.sample(5, conditions=conditions)


def test_t_copula_finds_tail_dependence():
    rng = np.random.RandomState(0)
    n, df = 5000, 3
    g = rng.multivariate_normal(
        [0, 0, 0], [[1, 0.5, 0.5], [0.5, 1, 0.5], [0.5, 0.5, 1]], n
    )
    t = g / np.sqrt(rng.chisquare(df, n) / df)[:, None]
    heavy = GaussianCopulaSynthesizer(copula="t", random_state=0).fit(t)
    assert heavy.df_ <= 6
    light = GaussianCopulaSynthesizer(copula="t", random_state=0).fit(g)
    assert light.df_ >= 20
    # Joint extremes are more frequent under the fitted t copula.
    X_t = heavy.sample(20_000)
    q = np.quantile(X_t, 0.99, axis=0)
    joint = np.mean((X_t[:, 0] > q[0]) & (X_t[:, 1] > q[1]))
    X_g = GaussianCopulaSynthesizer(random_state=0).fit(t).sample(20_000)
    q = np.quantile(X_g, 0.99, axis=0)
    assert joint > np.mean((X_g[:, 0] > q[0]) & (X_g[:, 1] > q[1]))
    conditioned = heavy.sample(50, conditions={0: float(np.median(t[:, 0]))})
    assert conditioned.shape == (50, 3)


def test_classification_target_fits_one_copula_per_class():
    rng = np.random.RandomState(0)
    n = 4000
    y = rng.choice(["no", "yes"], n, p=[0.8, 0.2])
    X = pd.DataFrame({"x": np.where(y == "yes", 3.0, 0.0) + rng.normal(size=n)})
    synth = GaussianCopulaSynthesizer(random_state=0).fit(
        X, pd.Series(y, name="answer")
    )
    assert synth.target_type_ == "classification"
    assert list(synth.classes_) == ["no", "yes"]
    np.testing.assert_allclose(
        synth.class_prior_, [np.mean(y == "no"), np.mean(y == "yes")]
    )
    X_new, y_new = synth.sample(10_000)
    assert y_new.name == "answer"
    assert np.mean(y_new == "yes") == pytest.approx(
        0.2, abs=4 * np.sqrt(0.16 / 10_000) + 0.01
    )
    assert X_new["x"][y_new == "yes"].mean() == pytest.approx(3.0, abs=0.15)
    assert X_new["x"][y_new == "no"].mean() == pytest.approx(0.0, abs=0.1)
    _, y_yes = synth.sample(20, conditions={"answer": "yes"})
    assert (y_yes == "yes").all()
    # Conditioning on a feature reweights the classes by Bayes' rule.
    _, y_high = synth.sample(2000, conditions={"x": 3.5})
    assert np.mean(y_high == "yes") > 0.9


def test_whole_number_target_with_many_values_is_continuous():
    rng = np.random.RandomState(0)
    n = 3000
    size = rng.lognormal(4, 0.4, n)
    price = np.round(1000 * size + rng.normal(0, 5000, n)).astype(np.int64)
    synth = GaussianCopulaSynthesizer(random_state=0).fit(size[:, None], price)
    assert synth.target_type_ == "regression"
    X_new, y_new = synth.sample(5000)
    assert y_new.dtype == np.int64
    assert y_new.min() >= price.min() and y_new.max() <= price.max()
    r_real = stats.spearmanr(size, price).statistic
    r_new = stats.spearmanr(X_new[:, 0], y_new).statistic
    assert r_new == pytest.approx(r_real, abs=0.05)
    # Few distinct whole numbers are class labels.
    labels = rng.randint(0, 3, n)
    assert GaussianCopulaSynthesizer().fit(size[:, None], labels).target_type_ == (
        "classification"
    )
    forced = GaussianCopulaSynthesizer(target_type="regression").fit(
        size[:, None], labels
    )
    assert forced.target_type_ == "regression"


def test_score_with_target_is_the_joint_log_likelihood():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(400, 2))
    y = (X[:, 0] > 0).astype(int)
    synth = GaussianCopulaSynthesizer(random_state=0).fit(X, y)
    joint = synth.score(X, y)
    marginal = synth.score(X)
    # log p(x, y) <= log p(x) for every row, so the sums too.
    assert joint < marginal
    assert np.isfinite(joint)


def test_enforce_range():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 1))
    bounded = GaussianCopulaSynthesizer(marginals="normal", random_state=0).fit(X)
    X_new = bounded.sample(5000)
    assert X_new.min() >= X.min() and X_new.max() <= X.max()
    # No pile-up at the bounds: the margin is truncated, not clipped.
    assert np.mean(X_new == X.max()) < 0.001
    free = GaussianCopulaSynthesizer(
        marginals="normal", enforce_range=False, random_state=0
    )
    X_free = free.fit(X).sample(5000)
    assert X_free.min() < X.min() or X_free.max() > X.max()


def test_collinear_and_constant_columns():
    rng = np.random.RandomState(0)
    x = rng.normal(size=300)
    X = np.column_stack([x, 2 * x, np.full(300, 7.0), x**2])
    synth = GaussianCopulaSynthesizer(random_state=0).fit(X)
    eigenvalues = np.linalg.eigvalsh(synth.correlation_)
    assert eigenvalues.min() > 0
    X_new = synth.sample(500)
    assert np.all(X_new[:, 2] == 7.0)
    assert np.corrcoef(X_new[:, 0], X_new[:, 1])[0, 1] > 0.99


@pytest.mark.parametrize(
    "X, message",
    [
        (np.array([[1.0, np.inf], [2.0, 3.0]]), "Column 1 contains 1 infinite value"),
        (
            pd.DataFrame({"p": pd.period_range("2020-01", periods=3, freq="M")}),
            "Column 'p' has dtype period",
        ),
    ],
)
def test_bad_input_errors_name_the_column(X, message):
    with pytest.raises((ValueError, TypeError), match=message):
        GaussianCopulaSynthesizer().fit(X)


def test_y_of_wrong_length():
    with pytest.raises(ValueError, match="y has 3 values but X has 4 rows"):
        GaussianCopulaSynthesizer().fit(np.ones((4, 1)), [0, 1, 0])


def test_single_row_and_numpy_object_input():
    X = np.array([["a", 1.5, True], ["b", 2.5, False], ["a", 0.5, True]], dtype=object)
    synth = GaussianCopulaSynthesizer(random_state=0).fit(X)
    X_new = synth.sample(20)
    assert X_new.dtype == object
    assert set(X_new[:, 0]) <= {"a", "b"}
    assert all(isinstance(v, bool | np.bool_) for v in X_new[:, 2])
    one = GaussianCopulaSynthesizer(random_state=0).fit(X[:1])
    assert (one.sample(3)[:, 0] == "a").all()


def test_table_of_missing_columns_only():
    # No column has an observed value: the copula has no latent dimension, so
    # rows are all missing and every row has log density 0.
    X = pd.DataFrame({"a": np.full(10, np.nan), "b": np.full(10, np.nan)})
    synth = GaussianCopulaSynthesizer(random_state=0).fit(X)
    assert synth.correlation_.shape == (0, 0)
    assert synth.sample(3).isna().all().all()
    np.testing.assert_array_equal(synth.score_samples(X), np.zeros(10))


def _two_correlated_columns(n, seed=0):
    rng = np.random.RandomState(seed)
    a = rng.normal(size=n)
    return pd.DataFrame({"a": a, "c": -0.5 * a + rng.normal(size=n)}), rng


@pytest.mark.parametrize("value", [3.5, "k", True])
def test_constant_column_carries_no_dependence(value):
    # A constant column has nothing to correlate: its correlations are 0, it
    # adds nothing to the log density and leaves the other columns alone.
    n, m = 1000, 10_000
    X, _ = _two_correlated_columns(n)
    plain = GaussianCopulaSynthesizer(random_state=0).fit(X)
    synth = GaussianCopulaSynthesizer(random_state=0).fit(X.assign(const=value))

    np.testing.assert_array_equal(synth.correlation_[-1], [0.0, 0.0, 1.0])
    np.testing.assert_allclose(synth.correlation_[:2, :2], plain.correlation_)
    # The constant column adds only its novelty terms: 1 - 1 / (n + 1) for
    # a value seen in fit, and as much for being present.
    np.testing.assert_allclose(
        synth.score_samples(X.assign(const=value)),
        plain.score_samples(X) + 2 * np.log1p(-1 / (n + 1)),
    )
    X_new = synth.sample(m, random_state=0)
    assert (X_new["const"] == value).all()
    rho = plain.correlation_[0, 1]
    # The sample correlation of m draws around the fitted one.
    assert X_new["a"].corr(X_new["c"]) == pytest.approx(
        rho, abs=_correlation_tolerance(rho, m)
    )


def test_column_constant_in_one_class_carries_no_dependence():
    n = 1000
    X, rng = _two_correlated_columns(n)
    y = np.where(rng.uniform(size=n) < 0.4, 1, 0)
    X["flag"] = np.where(y == 1, "no", rng.choice(["no", "yes"], n))
    synth = GaussianCopulaSynthesizer(random_state=0).fit(X, y)
    plain = GaussianCopulaSynthesizer(random_state=0).fit(X[["a", "c"]], y)

    np.testing.assert_array_equal(synth.correlation_[1][-1], [0.0, 0.0, 1.0])
    # The models of class 1 see different random tie-breaking (the extra column
    # of class 0 used the generator first), which moves each normal score by
    # less than one rank step: the correlation by O(1 / n_1).
    n_1 = int((y == 1).sum())
    np.testing.assert_allclose(
        synth.correlation_[1][:2, :2], plain.correlation_[1], atol=2 / n_1
    )
    # In class 1 "flag" is certain, so it adds log 1 = 0 to those rows.
    in_one = y == 1
    per_row = synth.score(X[in_one], y[in_one]) / n_1
    plain_per_row = plain.score(X.loc[in_one, ["a", "c"]], y[in_one]) / n_1
    assert per_row == pytest.approx(plain_per_row, abs=10 / n_1)


@pytest.mark.parametrize("rare_share", [0.001, 0.005])
def test_near_constant_column_leaves_other_columns_alone(rare_share):
    n = 2000
    X, rng = _two_correlated_columns(n)
    X["flag"] = np.where(rng.uniform(size=n) < rare_share, "rare", "usual")
    synth = GaussianCopulaSynthesizer(random_state=0).fit(X)
    plain = GaussianCopulaSynthesizer(random_state=0).fit(X[["a", "c"]])

    # Pairwise estimates: the (a, c) entry is untouched by the extra column
    # (no positive-definite repair was needed).
    assert synth.correlation_[0, 1] == pytest.approx(plain.correlation_[0, 1])
    # A handful of rare rows identify the latent correlation poorly: it is
    # shrunk towards 0 instead of inflated to +-1. Without dependence the raw
    # score correlation is within 4 / sqrt(n) of 0, and the shrunk, corrected
    # one stays within the prior's spread.
    assert np.abs(synth.correlation_[-1, :2]).max() < 0.5
    mean_score = synth.score_samples(X).mean()
    assert mean_score == pytest.approx(
        plain.score_samples(X[["a", "c"]]).mean(), abs=0.1
    )


def _few_valued_table_with_holes(n, seed=0):
    """16 few-valued columns (integers and categories) driven by 3 factors,
    a tenth of the values missing in 6 of them: the pairwise, attenuation-
    corrected correlation of such a table is not positive definite."""
    rng = np.random.RandomState(seed)
    z = rng.normal(size=(n, 3)) @ rng.normal(size=(3, 16))
    columns = {}
    for j in range(16):
        if j % 2:
            levels = np.digitize(z[:, j], [-1, 0, 1.5]).astype(str)
            columns[f"c{j}"] = pd.Categorical(levels)
        else:
            columns[f"c{j}"] = np.digitize(z[:, j], [-2, -0.5, 0.5, 2]).astype(float)
    X = pd.DataFrame(columns)
    for j in range(0, 16, 3):
        X.iloc[rng.rand(n) < 0.1, j] = np.nan
    return X


def test_repaired_correlation_gives_sane_held_out_scores():
    # Eigenvalues of a non-positive-definite estimate were raised only to
    # 1e-6: a made-up near-deterministic relation, and rows off it (every
    # row here) scored about -300,000. Raised to the sampling noise of a
    # correlation, the copula scores held-out rows like training rows and
    # better than independent margins do.
    X = _few_valued_table_with_holes(1000)
    train, holdout = X.iloc[:400], X.iloc[400:]
    synth = GaussianCopulaSynthesizer(random_state=0).fit(train)
    held_out = synth.score_samples(holdout)
    independent = np.zeros(len(holdout))
    for column in train.columns:
        share = train[column].astype(str).value_counts(normalize=True)
        seen = holdout[column].astype(str).map(share)
        independent += np.log(seen.fillna(1 / (len(train) + 1)).to_numpy(float))

    assert np.linalg.eigvalsh(synth.correlation_).min() > 1 / np.sqrt(400) / 2
    assert np.median(held_out) > np.median(independent)
    assert np.median(held_out) > np.median(synth.score_samples(train)) - 2.0


@pytest.mark.parametrize("with_category", [False, True])
def test_correlation_diagonal_is_exactly_one(with_category):
    X, rng = _two_correlated_columns(500)
    if with_category:
        X["group"] = rng.choice(["x", "y", "z"], 500)
    synth = GaussianCopulaSynthesizer(random_state=0).fit(X)
    np.testing.assert_array_equal(np.diag(synth.correlation_), 1.0)


def test_family_errors_name_the_column():
    rng = np.random.RandomState(0)
    X = pd.DataFrame(
        {
            "delta": rng.normal(size=100),
            "region": rng.choice(["n", "s"], 100),
        }
    )
    for marginals in ({"delta": "lognormal"}, "lognormal"):
        with pytest.raises(ValueError, match="Column 'delta': The 'lognormal' family"):
            GaussianCopulaSynthesizer(marginals=marginals).fit(X)
    with pytest.raises(
        ValueError, match="column 'region' the family 'normal'.*numeric columns only"
    ):
        GaussianCopulaSynthesizer(marginals={"region": "normal"}).fit(X)
    # "auto" for a categorical column is harmless.
    GaussianCopulaSynthesizer(marginals={"region": "auto"}).fit(X)


def test_condition_on_a_value_an_integer_column_never_takes():
    rng = np.random.RandomState(0)
    X = pd.DataFrame({"a": rng.normal(size=200), "b": rng.choice([0, 1, 2, 4], 200)})
    synth = GaussianCopulaSynthesizer(random_state=0).fit(X)
    for value, shown in [(2.5, "2.5"), (3, "3")]:
        with pytest.raises(
            ValueError,
            match=re.escape(
                f"column 'b' the value {shown}, which this model never produces: "
                "in fit that column took only the values 0, 1, 2, 4."
            ),
        ):
            synth.sample(5, conditions={"b": value})


def test_average_ties_take_the_correlation_of_discrete_columns_as_it_comes():
    # Two binary columns cut from latent normals of correlation 0.6: "random"
    # ties estimate the latent 0.6, "average" the correlation of the binary
    # values themselves (their mean-rank scores are affine in the values),
    # 2 / pi * arcsin(0.6) = 0.41 in the population.
    rng = np.random.RandomState(0)
    n = 4000
    z = rng.multivariate_normal([0, 0], [[1, 0.6], [0.6, 1]], size=n)
    X = (z > 0).astype(float)

    latent = GaussianCopulaSynthesizer(random_state=0).fit(X).correlation_[0, 1]
    averaged = [
        GaussianCopulaSynthesizer(ties="average", random_state=seed)
        .fit(X)
        .correlation_[0, 1]
        for seed in (0, 1)
    ]

    assert abs(latent - 0.6) < 4 / np.sqrt(n) / 0.6
    assert averaged[0] == pytest.approx(np.corrcoef(X, rowvar=False)[0, 1])
    assert averaged[0] == averaged[1]


def test_average_ties_leave_continuous_correlations_unchanged():
    rng = np.random.RandomState(0)
    n = 2000
    X = rng.multivariate_normal([0, 0], [[1, 0.7], [0.7, 1]], size=n)
    fits = [
        GaussianCopulaSynthesizer(ties=ties, random_state=0).fit(X).correlation_
        for ties in ("random", "average")
    ]
    # Both are the normal-score correlation, up to where a rank lands in
    # (0, 1): far below its sampling error 1 / sqrt(n).
    assert abs(fits[0][0, 1] - fits[1][0, 1]) < 0.1 / np.sqrt(n)
