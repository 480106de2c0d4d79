"""TreeSynthesizer and TreeOverSampler: what users rely on."""

import warnings
from collections import Counter

import numpy as np
import pandas as pd
import pytest
from conftest import novelty_kept_mass
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import GridSearchCV

from sksynth import TreeOverSampler, TreeSynthesizer
from sksynth.metrics import TSTRScorer


def _binomial_tolerance(p, n, z=4.0):
    return z * np.sqrt(p * (1 - p) / n)


@pytest.fixture
def frame():
    rng = np.random.RandomState(0)
    n = 3000
    colour = rng.choice(["red", "green", "blue"], n, p=[0.5, 0.3, 0.2])
    shift = pd.Series(colour).map({"red": 0.0, "green": 3.0, "blue": 6.0}).to_numpy()
    amount = np.where(rng.rand(n) < 0.3, 0.0, rng.lognormal(2 + shift / 3, 0.4))
    score = shift + rng.normal(0, 1, n)
    score[rng.rand(n) < np.where(colour == "blue", 0.4, 0.05)] = np.nan
    return pd.DataFrame(
        {
            "colour": pd.Categorical(colour),
            "amount": amount,
            "count": rng.poisson(5 + shift, n).astype("int64"),
            "flag": rng.rand(n) < 0.2 + 0.1 * shift,
            "score": score,
        }
    )


def test_nonlinear_dependence_is_kept():
    rng = np.random.RandomState(0)
    x = rng.uniform(0, 10, 4000)
    X = np.column_stack([x, np.sin(x) + rng.normal(0, 0.1, 4000)])
    X_new = TreeSynthesizer(random_state=0).fit(X).sample(4000)
    residual = X_new[:, 1] - np.sin(X_new[:, 0])
    # The noise has sd 0.1; leaves of a few rows add little to it.
    assert np.std(residual) < 0.2
    assert X_new[:, 0].min() >= x.min() and X_new[:, 0].max() <= x.max()


def test_mixed_frame_round_trip(frame):
    synth = TreeSynthesizer(random_state=0).fit(frame)
    new = synth.sample(3000)
    assert list(new.columns) == list(frame.columns)
    assert (new.dtypes == frame.dtypes).all()
    assert set(new["colour"].cat.categories) == set(frame["colour"].cat.categories)
    assert (new["amount"] >= 0).all() and (new["amount"] <= frame["amount"].max()).all()
    # The spike at zero is drawn as it is, with its share.
    share = (frame["amount"] == 0).mean()
    assert abs((new["amount"] == 0).mean() - share) < _binomial_tolerance(share, 3000)
    # Missing values depend on the colour, and keep doing so.
    for colour in ["red", "blue"]:
        real = frame.loc[frame["colour"] == colour, "score"].isna().mean()
        rows = new["colour"] == colour
        fake = new.loc[rows, "score"].isna().mean()
        assert abs(fake - real) < _binomial_tolerance(real, rows.sum()) + 0.02
    # Means within each colour (the trees' main job).
    for colour in ["red", "green", "blue"]:
        real = frame.loc[frame["colour"] == colour, "count"].mean()
        fake = new.loc[new["colour"] == colour, "count"].mean()
        assert abs(fake - real) < 0.5


def test_fitted_attributes(frame):
    synth = TreeSynthesizer(min_samples_leaf=50, random_state=0).fit(frame)
    assert sorted(synth.visit_order_) == sorted(frame.columns)
    assert set(synth.n_leaves_) == set(frame.columns)
    assert synth.n_leaves_[synth.visit_order_[0]] == 1
    assert all(n <= len(frame) // 50 for n in synth.n_leaves_.values())


def test_visit_order_given_and_errors(frame):
    order = ["flag", "count", "colour", "score", "amount"]
    synth = TreeSynthesizer(visit_order=order, random_state=0).fit(frame)
    assert synth.visit_order_ == order
    with pytest.raises(ValueError, match="'size', which is not a column"):
        TreeSynthesizer(visit_order=["size", *order[1:]]).fit(frame)
    with pytest.raises(
        ValueError, match=r"every column of X exactly once .*missing \[.amount.\]"
    ):
        TreeSynthesizer(visit_order=order[:-1]).fit(frame)


def test_smoothing_does_not_copy_rare_values():
    rng = np.random.RandomState(0)
    X = rng.gamma(2.0, 3.0, size=(1000, 2))
    smoothed = TreeSynthesizer(random_state=0).fit(X).sample(1000)
    raw = TreeSynthesizer(smoothing=False, random_state=0).fit(X).sample(1000)
    assert np.isin(raw, X).all()
    assert np.isin(smoothed, X).mean() < 0.01
    assert (smoothed >= X.min(axis=0)).all() and (smoothed <= X.max(axis=0)).all()


def test_common_values_are_drawn_as_they_are():
    # Heaping at round numbers (hours worked) is kept; rare values smoothed.
    rng = np.random.RandomState(0)
    hours = np.where(rng.rand(5000) < 0.6, 10 * rng.randint(2, 6, 5000), 0)
    hours = np.where(hours == 0, rng.randint(1, 99, 5000), hours)
    X = pd.DataFrame({"hours": hours.astype("int64"), "z": rng.normal(size=5000)})
    new = TreeSynthesizer(random_state=0).fit(X).sample(5000)
    assert new["hours"].dtype == np.int64
    for value in (20, 30, 40, 50):
        real = (X["hours"] == value).mean()
        fake = (new["hours"] == value).mean()
        assert abs(fake - real) < _binomial_tolerance(real, 5000)


def test_classification_target_is_last_and_kept():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(4000, 3))
    y = np.where(X[:, 0] + X[:, 1] ** 2 > 1, "yes", "no")
    synth = TreeSynthesizer(random_state=0).fit(X, y)
    assert synth.visit_order_[-1] == "y"
    assert synth.target_type_ == "classification"
    assert list(synth.classes_) == ["no", "yes"]
    X_new, y_new = synth.sample(4000)
    assert y_new.dtype == y.dtype
    agree = np.mean((X_new[:, 0] + X_new[:, 1] ** 2 > 1) == (y_new == "yes"))
    assert agree > 0.9


def test_regression_target():
    rng = np.random.RandomState(0)
    X = rng.uniform(-2, 2, size=(3000, 2))
    y = pd.Series(X[:, 0] * X[:, 1] + rng.normal(0, 0.1, 3000), name="price")
    synth = TreeSynthesizer(random_state=0).fit(X, y)
    assert synth.target_type_ == "regression"
    X_new, y_new = synth.sample(3000)
    assert y_new.name == "price"
    assert np.corrcoef(y_new, X_new[:, 0] * X_new[:, 1])[0, 1] > 0.9


def test_discrete_score_sums_to_one():
    rng = np.random.RandomState(0)
    a = rng.randint(0, 3, 500)
    b = (a + rng.randint(0, 2, 500)) % 4
    X = np.column_stack([a, b]).astype(float)
    synth = TreeSynthesizer(random_state=0).fit(X)
    grid = np.array([[i, j] for i in range(3) for j in range(4)], dtype=float)
    seen = np.exp(synth.score_samples(grid)).sum()
    assert seen == pytest.approx(novelty_kept_mass(500, 2))
    # The first column's probability is its share among the rows.
    X1 = X[:, :1]
    single = TreeSynthesizer(random_state=0).fit(X1)
    shares = np.bincount(a, minlength=3) / 500 * novelty_kept_mass(500, 1)
    assert np.exp(single.score_samples(np.arange(3.0)[:, None])) == pytest.approx(
        shares
    )


def test_continuous_score_integrates_to_one():
    rng = np.random.RandomState(0)
    X = rng.exponential(1.0, size=(300, 1))
    synth = TreeSynthesizer(random_state=0).fit(X)
    grid = np.linspace(X.min(), X.max(), 20001)
    density = np.exp(synth.score_samples(grid[:, None]))
    assert np.trapezoid(density, grid) == pytest.approx(1.0, abs=0.01)
    # Beyond the training range the score stays finite.
    assert np.isfinite(synth.score_samples(np.array([[X.max() + 0.01]]))).all()


def test_conditions_on_a_column_and_the_target(frame):
    y = pd.Series(np.where(frame["count"] > 8, "many", "few"), name="size")
    synth = TreeSynthesizer(random_state=0).fit(frame, y)
    X_new, y_new = synth.sample(2000, conditions={"colour": "blue"})
    assert (X_new["colour"] == "blue").all()
    real = frame.loc[frame["colour"] == "blue", "count"].mean()
    assert abs(X_new["count"].mean() - real) < 0.5
    X_new, y_new = synth.sample(1000, conditions={"size": "many"})
    assert (y_new == "many").all()
    assert X_new["count"].mean() > frame["count"].mean()


def test_tstr_grid_search_over_leaf_size():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(600, 3))
    y = (X[:, 0] - X[:, 2] > 0).astype(int)
    search = GridSearchCV(
        TreeSynthesizer(random_state=0),
        {"min_samples_leaf": [5, 50]},
        scoring=TSTRScorer(HistGradientBoostingClassifier(max_iter=20)),
        cv=2,
    ).fit(X, y)
    assert search.best_params_["min_samples_leaf"] in (5, 50)
    assert np.all(search.cv_results_["mean_test_score"] > 0.7)


def test_tree_over_sampler_on_mixed_data(frame):
    y = np.where(frame["colour"] == "blue", 1, 0)
    y[np.flatnonzero(y == 1)[200:]] = 0
    X = frame.drop(columns="colour")
    X_res, y_res = TreeOverSampler(random_state=0).fit_resample(X, y)
    counts = Counter(y_res)
    assert counts[0] == counts[1]
    assert (X_res.dtypes == X.dtypes).all()
    new = X_res.iloc[len(X) :]
    minority = X[y == 1]
    assert new["count"].between(minority["count"].min(), minority["count"].max()).all()


def test_tree_over_sampler_tiny_class():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(52, 2))
    y = np.r_[np.zeros(50, dtype=int), np.ones(2, dtype=int)]
    X_res, y_res = TreeOverSampler(random_state=0).fit_resample(X, y)
    assert Counter(y_res)[1] == 50
    new = X_res[52:]
    assert (new >= X[50:].min(axis=0)).all() and (new <= X[50:].max(axis=0)).all()


def test_many_level_category_gets_a_classification_tree():
    # A categorical column with more than 20 levels is still a set of outcomes
    # (a classification tree), not numbers to regress on.
    from sklearn.tree import DecisionTreeClassifier

    rng = np.random.RandomState(0)
    x = rng.uniform(0, 30, 3000)
    X = pd.DataFrame({"x": x, "level": pd.Categorical([f"l{int(v)}" for v in x])})
    synth = TreeSynthesizer(visit_order=["x", "level"], random_state=0).fit(X)
    step = synth._models[0].steps[-1]
    assert isinstance(step.tree, DecisionTreeClassifier)
    new = synth.sample(2000)
    codes = new["level"].astype(str).str[1:].astype(int)
    assert np.mean(codes == np.floor(new["x"]).astype(int)) > 0.8


@pytest.fixture
def half_missing():
    rng = np.random.RandomState(0)
    n = 400
    f = np.where(rng.rand(n) < 0.5, np.nan, rng.gamma(2, size=n))
    level = np.where(rng.rand(n) < 0.3, None, rng.choice(["u", "v"], n))
    return pd.DataFrame({"a": rng.normal(size=n), "f": f, "g": level})


def test_no_row_reaches_a_column_step(half_missing):
    # Regression: a step no drawn row reaches (one row, missing) crashed.
    y = pd.Series(half_missing["a"] > 0, name="t")
    for target in (None, y):
        synth = TreeSynthesizer(random_state=0).fit(half_missing, target)
        for seed in range(30):
            synth.sample(1, random_state=seed)
        new = synth.sample(20, conditions={"f": None})
        new = new[0] if isinstance(new, tuple) else new
        assert new["f"].isna().all()
        new = synth.sample(20, conditions={"g": None, "f": None})
        new = new[0] if isinstance(new, tuple) else new
        assert new["g"].isna().all() and new["f"].isna().all()
        # Scoring rows that are all missing where a step could be empty.
        rows = half_missing[half_missing["f"].isna()].iloc[:1]
        assert np.isfinite(synth.score_samples(rows)).all()


def test_conditional_rows_are_distinct_and_follow_the_model():
    # Regression: resampling with replacement repeated rows of a rare class.
    rng = np.random.RandomState(0)
    n = 5000
    X = pd.DataFrame({"a": rng.normal(size=n), "c": rng.choice(list("pqrs"), n)})
    rare = rng.rand(n) < np.where(X["a"] > 1, 0.04, 0.002)
    y = pd.Series(np.where(rare, "rare", "common"), name="t")
    synth = TreeSynthesizer(random_state=0).fit(X, y)
    X_new, y_new = synth.sample(2000, conditions={"t": "rare"})
    assert (y_new == "rare").all()
    assert len(X_new.drop_duplicates()) == 2000
    # Same distribution as the model's unconditional rows of that class.
    X_all, y_all = synth.sample(100_000, random_state=1)
    reference = X_all.loc[y_all == "rare", "a"]
    share = (reference > 1).mean()
    tolerance = _binomial_tolerance(share, 2000) + _binomial_tolerance(
        share, len(reference)
    )
    assert abs((X_new["a"] > 1).mean() - share) < tolerance


def test_conditions_too_rare_for_the_budget(monkeypatch):
    import sksynth._tree as tree_module

    monkeypatch.setattr(tree_module, "_MIN_CANDIDATES", 1000)
    monkeypatch.setattr(tree_module, "_MAX_CANDIDATES_PER_ROW", 1)
    rng = np.random.RandomState(0)
    X = pd.DataFrame({"a": rng.normal(size=3000)})
    y = pd.Series(np.where(rng.rand(3000) < 0.01, "rare", "common"), name="t")
    synth = TreeSynthesizer(random_state=0).fit(X, y)
    X_new, y_new = synth.sample(500, conditions={"t": "rare"})
    assert len(X_new) == 500 and (y_new == "rare").all()


def test_held_out_score_is_finite_and_tunes_leaf_size():
    # Regression: a level or a missing value absent from a leaf gave -inf.
    rng = np.random.RandomState(0)
    n = 400
    X = pd.DataFrame(
        {
            "a": rng.normal(size=n),
            "b": rng.randint(0, 5, n),
            "c": rng.choice(["x", "y", "z"], n),
            "d": rng.rand(n) < 0.5,
            "f": np.where(rng.rand(n) < 0.2, np.nan, rng.gamma(2, size=n)),
        }
    )
    synth = TreeSynthesizer(random_state=0).fit(X.iloc[:300])
    assert np.isfinite(synth.score_samples(X.iloc[300:])).all()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        search = GridSearchCV(
            TreeSynthesizer(random_state=0), {"min_samples_leaf": [5, 50]}, cv=3
        ).fit(X)
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()


def test_impossible_condition_names_the_column():
    rng = np.random.RandomState(0)
    X = pd.DataFrame({"a": rng.normal(size=400), "b": rng.randint(0, 5, 400)})
    synth = TreeSynthesizer(random_state=0).fit(X)
    with pytest.raises(ValueError, match=r"column 'b' the value 2\.5.*0, 1, 2, 3, 4"):
        synth.sample(5, conditions={"b": 2.5})


def _pairwise_dependence_order(codes):
    """Mutual information and greedy visit order computed pair by pair, as
    before the joint counts were vectorised (issue 15, wide tables)."""
    n, d = codes.shape

    def plogp(counts):
        p = counts / n
        return (p * np.log(p)).sum()

    information = np.zeros((d, d))
    for a in range(d):
        for b in range(a + 1, d):
            joint = codes[:, a] * (codes[:, b].max() + 1) + codes[:, b]
            information[a, b] = information[b, a] = (
                plogp(np.unique(joint, return_counts=True)[1])
                - plogp(np.unique(codes[:, a], return_counts=True)[1])
                - plogp(np.unique(codes[:, b], return_counts=True)[1])
            )
    order = [int(np.argmax(information.sum(axis=1)))]
    remaining = [j for j in range(d) if j != order[0]]
    while remaining:
        gain = information[np.ix_(remaining, order)].sum(axis=1)
        order.append(remaining.pop(int(np.argmax(gain))))
    return information, order


def _order_tables():
    rng = np.random.RandomState(1)
    n = 300
    z = rng.normal(size=(n, 3))
    mixed = pd.DataFrame(
        {
            "a": z[:, 0],
            "b": z[:, 0] + rng.normal(size=n),
            "c": pd.Categorical(rng.choice(list("xyz"), n)),
            "d": np.where(rng.rand(n) < 0.2, np.nan, z[:, 1]),
            "e": rng.poisson(2, n),
            "f": rng.rand(n) < 0.3,
            "g": np.where(z[:, 1] > 0, "p", "q"),
            "h": np.exp(z[:, 2]),
            # More levels than the order's codes keep apart, some missing.
            "many": pd.Categorical(
                np.where(rng.rand(n) < 0.1, None, rng.randint(0, 60, n).astype(str))
            ),
        }
    )
    factors = rng.normal(size=(150, 4))
    numeric = factors @ rng.uniform(0, 1, (4, 40)) + rng.normal(size=(150, 40))
    return [mixed, numeric]


@pytest.mark.parametrize("table", range(2))
def test_visit_order_is_the_pairwise_greedy_order(table):
    # Issue 15: the joint counts of all column pairs are computed at once
    # (200 x 2,000 columns took minutes pair by pair); same order as before.
    from sksynth._data import TableSchema
    from sksynth._tree import _binned_codes, _mutual_information

    X = _order_tables()[table]
    schema = TableSchema.from_data(X)
    codes = _binned_codes(schema.encode(X), schema.columns, None)
    information, order = _pairwise_dependence_order(codes)
    np.testing.assert_allclose(_mutual_information(codes), information, atol=1e-12)
    synth = TreeSynthesizer(random_state=0).fit(X)
    assert synth.visit_order_ == [schema.columns[j].name for j in order]


def test_max_predictors_keeps_the_most_associated_earlier_columns():
    # Issue 15: on 200 rows x 2,000 columns the trees took minutes; each tree
    # now sees at most max_predictors earlier columns, the most associated.
    rng = np.random.RandomState(0)
    n, d = 300, 12
    base = rng.normal(size=n)
    X = np.column_stack([base + rng.normal(scale=0.1 + k, size=n) for k in range(d)])
    y = (base > 0).astype(int)
    synth = TreeSynthesizer(max_predictors=3, random_state=0).fit(X, y)
    model = synth._models[0]
    steps = [step for step in model.steps if step.role == "value"]
    for step in steps[:-1]:
        assert step.predictors.size <= 3
    # The target's tree uses every column.
    assert steps[-1].column == d and steps[-1].predictors.size == d
    # The noisiest columns (last ones) are seldom chosen over the cleanest.
    chosen = np.concatenate([step.predictors for step in steps[4:-1]])
    assert np.mean(chosen < d // 2) > 0.6
    full = TreeSynthesizer(max_predictors=None, random_state=0).fit(X, y)
    sizes = [s.predictors.size for s in full._models[0].steps if s.role == "value"]
    assert sizes == list(range(d + 1))


def test_kernel_log_density_matches_the_density_in_any_blocks(monkeypatch):
    # The log-space kernel mixture (for values where the kernels underflow)
    # is the kernel density, and neither depends on how the pairs of rows and
    # donors are split into blocks.
    import sksynth._tree as tree_module

    rng = np.random.RandomState(0)
    X = np.column_stack([rng.lognormal(2, 1, 2000), rng.normal(size=2000)])
    synth = TreeSynthesizer(random_state=0).fit(X)
    pools = [step.pool for step in synth._models[0].steps if step.pool.smoothed]
    assert pools
    for pool in pools:
        leaf = rng.randint(0, pool.n_leaves + 1, 400)
        # Beyond the training range, where the density is unreflected.
        spread = pool.high - pool.low
        x = np.where(
            rng.rand(400) < 0.5,
            pool.low - rng.uniform(0, spread, 400),
            pool.high + rng.uniform(0, spread, 400),
        )
        density = pool._kernel_density(leaf, x)
        log_density = pool._kernel_log_density(leaf, x)
        positive = density > 1e-250
        assert positive.sum() > 50
        np.testing.assert_allclose(
            np.exp(log_density[positive]), density[positive], rtol=1e-9
        )
        monkeypatch.setattr(tree_module, "_PAIR_BLOCK", 700)
        np.testing.assert_array_equal(pool._kernel_density(leaf, x), density)
        np.testing.assert_array_equal(pool._kernel_log_density(leaf, x), log_density)
        monkeypatch.undo()


def test_many_valued_text_column_fits_without_sklearn_warning():
    # A user test: "The number of unique classes is greater than 50%" leaked
    # from the trees of a text column with a value in most rows.
    rng = np.random.RandomState(0)
    X = pd.DataFrame(
        {
            "city": [f"town {i}" for i in rng.randint(0, 80, 100)],
            "size": rng.normal(size=100),
        }
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        synth = TreeSynthesizer(
            visit_order=["size", "city"], id_columns=None, random_state=0
        ).fit(X)
    assert set(synth.sample(50, random_state=0)["city"]) <= set(X["city"])
