"""ForestSynthesizer and ForestOverSampler: what users rely on."""

import dataclasses
import warnings
from collections import Counter
from itertools import combinations, product

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from sksynth import ForestOverSampler, ForestSynthesizer, _forest
from sksynth._forest import _leaf_sizes
from sksynth.constraints._linked import ruled_out
from sksynth.metrics import close_record_share, dcr_share


def _binomial_tolerance(p, n, z=4.0):
    return z * np.sqrt(p * (1 - p) / n)


def _mass(synth, column, values, n_columns):
    """The probability the fitted forest gives ``values`` of one column
    (marginalising the others out), summed."""
    rows = np.zeros((len(values), n_columns))
    rows[:, column] = values
    return np.exp(synth._log_density(synth._models[0], rows, [column])).sum()


@pytest.fixture(scope="module")
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


@pytest.fixture(scope="module")
def fitted(frame):
    return ForestSynthesizer(random_state=0).fit(frame)


def test_round_trip_and_margins(frame, fitted):
    new = fitted.sample(len(frame))
    pd.testing.assert_series_equal(new.dtypes, frame.dtypes)
    assert new["colour"].cat.categories.equals(frame["colour"].cat.categories)
    n = len(frame)
    for value in ["red", "green", "blue"]:
        p = (frame["colour"] == value).mean()
        assert abs((new["colour"] == value).mean() - p) < _binomial_tolerance(p, n)
    # The spike at zero keeps its share; missing values keep theirs.
    p = (frame["amount"] == 0).mean()
    assert abs((new["amount"] == 0).mean() - p) < _binomial_tolerance(p, n)
    p = frame["score"].isna().mean()
    assert abs(new["score"].isna().mean() - p) < _binomial_tolerance(p, n)
    # Means within four standard errors (the two samples are independent).
    for name in ["amount", "count", "score"]:
        real, synthetic = frame[name].dropna(), new[name].dropna()
        error = np.sqrt(real.var() / len(real) + synthetic.var() / len(synthetic))
        assert abs(real.mean() - synthetic.mean()) < 4 * error, name
    for name in ["amount", "score"]:
        values = frame[name].dropna()
        drawn = new[name].dropna()
        assert values.min() <= drawn.min() and drawn.max() <= values.max()


def test_dependence_between_columns_is_kept(frame, fitted):
    new = fitted.sample(len(frame))
    # score is colour's shift plus unit noise: the mean per colour is kept.
    for colour, shift in [("red", 0.0), ("green", 3.0), ("blue", 6.0)]:
        drawn = new.loc[new["colour"] == colour, "score"].dropna()
        assert abs(drawn.mean() - shift) < 0.4, colour
    # Blue rows miss their score far more often.
    missing = new["score"].isna().groupby(new["colour"], observed=True).mean()
    assert missing["blue"] > 3 * missing["red"]
    real_corr = frame[["score", "count"]].corr().iloc[0, 1]
    new_corr = new[["score", "count"]].corr().iloc[0, 1]
    assert abs(new_corr - real_corr) < 0.1


def test_nonlinear_dependence_is_kept():
    rng = np.random.RandomState(0)
    x = rng.uniform(0, 10, 4000)
    X = np.column_stack([x, np.sin(x) + rng.normal(0, 0.1, 4000)])
    X_new = ForestSynthesizer(random_state=0).fit(X).sample(4000)
    residual = X_new[:, 1] - np.sin(X_new[:, 0])
    # The noise has sd 0.1; independence inside the leaves' boxes adds some,
    # far less than independent columns would (sd 1.0).
    assert np.std(residual) < 0.4


def test_discrete_values_stay_on_the_training_grid():
    rng = np.random.RandomState(0)
    n = 2000
    grid = np.round(np.linspace(0.5, 12.0, 47), 2)
    X = pd.DataFrame(
        {
            "rate": rng.choice(grid, n),
            "visits": rng.poisson(30, n),
            "x": rng.normal(size=n),
        }
    )
    X["visits"] = X["visits"].where(rng.rand(n) > 0.1)
    synth = ForestSynthesizer(random_state=0).fit(X)
    assert {"rate", "visits"} <= set(synth.discrete_features_)
    new = synth.sample(20_000)
    assert set(new["rate"]) <= set(X["rate"])
    assert set(new["visits"].dropna()) <= set(X["visits"].dropna())


def _floats(obj, seen=None):
    """Every float held by the arrays and numbers of a fitted model."""
    seen = set() if seen is None else seen
    if id(obj) in seen:
        return []
    seen.add(id(obj))
    if isinstance(obj, np.ndarray):
        return [obj.ravel().astype(float)] if obj.dtype.kind == "f" else []
    if isinstance(obj, float):
        return [np.array([obj])]
    if isinstance(obj, list | tuple):
        return [a for item in obj for a in _floats(item, seen)]
    if dataclasses.is_dataclass(obj) or hasattr(obj, "__dict__"):
        return [a for value in vars(obj).values() for a in _floats(value, seen)]
    return []


def test_model_holds_no_training_value():
    rng = np.random.RandomState(0)
    n = 1000
    X = np.column_stack([rng.normal(size=n), rng.gamma(2.0, size=n)])
    X[:, 1] += X[:, 0]
    synth = ForestSynthesizer(random_state=0).fit(X)
    model = synth._models[0]
    stored = np.concatenate(_floats(model))
    for j in range(X.shape[1]):
        held = np.intersect1d(stored, X[:, j])
        # The range's ends only, as every synthesizer's enforce_range keeps.
        assert set(held) <= {X[:, j].min(), X[:, j].max()}, j
    # A rare outcome (held by fewer than 10 rows) is stored with a leaf only
    # when at least 3 of the leaf's rows hold it.
    for column, stats in zip(model.columns, model.leaf_columns, strict=True):
        n_outcomes = column.n_points + 1
        totals = np.r_[column.counts, column.continuous_share * n]
        rare = totals[stats.keys % n_outcomes] < 10
        assert (stats.counts[rare] >= 3).all()


def test_rare_categories_are_not_tied_to_their_leaf():
    # A category held by 2 of 3000 rows, both with x near 10: no leaf stores
    # it, so it is drawn at most at its overall rate, anywhere.
    rng = np.random.RandomState(0)
    n = 3000
    x = rng.normal(size=n)
    kind = rng.choice(["a", "b"], n).astype(object)
    x[:2], kind[:2] = 10.0 + rng.normal(0, 0.01, 2), "rare"
    X = pd.DataFrame({"x": x, "kind": kind})
    synth = ForestSynthesizer(random_state=0).fit(X)
    model = synth._models[0]
    column, stats = model.columns[1], model.leaf_columns[1]
    rare = list(pd.Categorical(kind).categories).index("rare")
    assert not np.any(stats.keys % (column.n_points + 1) == rare)
    new = synth.sample(30_000)
    assert (new["kind"] == "rare").mean() <= 2 / n
    near = new["x"] > 9
    assert not (new.loc[near, "kind"] == "rare").any()


def test_rare_values_of_a_few_valued_column_are_not_tied_to_their_leaf():
    # A grade of 1 to 5, smoothed (cells of normal scores), and a grade of 9
    # held by 2 of 3000 rows, both with x near 10: it stays an outcome that
    # no leaf stores, as a rare category does.
    rng = np.random.RandomState(0)
    n = 3000
    x = rng.normal(size=n)
    grade = np.clip(np.round(3 + x + rng.normal(0, 0.5, n)), 1, 5)
    x[:2], grade[:2] = 10.0 + rng.normal(0, 0.01, 2), 9.0
    X = pd.DataFrame({"x": x, "grade": grade})
    synth = ForestSynthesizer(random_state=0).fit(X)
    assert synth.discrete_features_ == ["grade"]
    model = synth._models[0]
    column, stats = model.columns[1], model.leaf_columns[1]
    assert column.has_continuous and column.cells is not None
    rare = column.point_index(model.axes[1].forward(np.array([9.0])))[0]
    assert rare >= 0
    assert not np.any(stats.keys % (column.n_points + 1) == rare)
    new = synth.sample(30_000)
    assert set(new["grade"]) <= set(grade)
    assert (new["grade"] == 9).mean() <= 2 / n
    assert not (new.loc[new["x"] > 9, "grade"] == 9).any()


def test_leaf_density_margin_keeps_no_leaf_statistic():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(500, 2))
    synth = ForestSynthesizer(leaf_density="margin", random_state=0).fit(X)
    model = synth._models[0]
    n_outcomes = [c.n_points + 1 for c in model.columns]
    for stats, size in zip(model.leaf_columns, n_outcomes, strict=True):
        assert not np.any(stats.keys % size == size - 1)
    X_new = synth.sample(500)
    assert np.isfinite(X_new).all()
    assert np.isfinite(synth.score_samples(X)).all()


def test_discrete_densities_sum_to_one_over_the_table():
    # Over every combination of values seen in fit, leaves of all trees and
    # marginalised outcomes included; each column gives up its novel
    # outcomes (an unseen value, a missing value), 1 / (n + 1) each.
    rng = np.random.RandomState(0)
    n = 600
    colour = rng.choice(["a", "b", "c"], n)
    level = np.where(colour == "a", rng.choice([1, 2], n), rng.choice([2, 5, 9], n))
    X = pd.DataFrame({"colour": colour, "level": level.astype(float)})
    synth = ForestSynthesizer(random_state=0).fit(X)
    grid = pd.DataFrame(
        list(product(["a", "b", "c"], [1.0, 2.0, 5.0, 9.0])),
        columns=["colour", "level"],
    )
    total = np.exp(synth.score_samples(grid)).sum()
    share = 1 / (n + 1)
    assert total == pytest.approx((1 - share) ** 4, rel=1e-9)


@pytest.mark.parametrize("class_conditional", [True, False])
def test_marginal_density_sums_the_joint_over_the_target(class_conditional):
    rng = np.random.RandomState(0)
    n = 800
    X = pd.DataFrame({"x": rng.normal(size=n), "k": rng.choice(["u", "v"], n)})
    y = pd.Series(np.where(X["x"] + rng.normal(0, 0.5, n) > 0, "hi", "lo"))
    synth = ForestSynthesizer(class_conditional=class_conditional, random_state=0)
    synth.fit(X, y)
    rows = X.iloc[:5]
    joint = np.array(
        [
            [synth.score(rows.iloc[[i]], pd.Series([c])) for c in ["hi", "lo"]]
            for i in range(len(rows))
        ]
    )
    marginal = synth.score_samples(rows)
    # One forest per class sums exactly; the target as a column also gives
    # up its two novel outcomes (an unseen class, a missing one).
    kept = 0.0 if class_conditional else 2 * np.log1p(-1 / (n + 1))
    np.testing.assert_allclose(np.log(np.exp(joint).sum(axis=1)) - kept, marginal)


def test_held_out_rows_score_finite(frame):
    train, test = frame.iloc[:2000], frame.iloc[2000:]
    synth = ForestSynthesizer(random_state=0).fit(train)
    assert np.isfinite(synth.score_samples(test)).all()
    # Held-out rows are likelier than the same rows with shuffled columns.
    rng = np.random.RandomState(1)
    shuffled = test.apply(lambda c: c.sample(frac=1, random_state=rng).to_numpy())
    shuffled["colour"] = pd.Categorical(
        shuffled["colour"], categories=frame["colour"].cat.categories
    )
    assert synth.score(test) > synth.score(shuffled)


def test_conditions_are_exact(frame, fitted):
    conditioned = fitted.sample(4000, conditions={"colour": "blue"})
    assert (conditioned["colour"] == "blue").all()
    # The same model's rows with colour blue, drawn without conditions.
    free = fitted.sample(30_000, random_state=1)
    blue = free[free["colour"] == "blue"]
    for name in ["amount", "count"]:
        error = np.sqrt(
            blue[name].var() / len(blue) + conditioned[name].var() / len(conditioned)
        )
        assert abs(blue[name].mean() - conditioned[name].mean()) < 4 * error, name
    p = blue["score"].isna().mean()
    assert abs(conditioned["score"].isna().mean() - p) < _binomial_tolerance(
        p, len(conditioned)
    ) + _binomial_tolerance(p, len(blue))
    # A number, and a missing value, as conditions.
    rows = fitted.sample(50, conditions={"count": 7, "score": np.nan})
    assert (rows["count"] == 7).all() and rows["score"].isna().all()
    with pytest.raises(ValueError, match="not a column seen in fit"):
        fitted.sample(5, conditions={"nope": 1})


def test_target_is_modelled_as_a_column(frame):
    X, y = frame.drop(columns="flag"), frame["flag"].rename("flag")
    synth = ForestSynthesizer(random_state=0).fit(X, y)
    assert synth.target_type_ == "classification"
    X_new, y_new = synth.sample(len(frame))
    p = y.mean()
    assert abs(y_new.mean() - p) < _binomial_tolerance(p, len(frame))
    X_true, y_true = synth.sample(200, conditions={"flag": True})
    assert y_true.all()


def test_reproducible_and_rounds():
    rng = np.random.RandomState(0)
    X = rng.multivariate_normal([0, 0], [[1, 0.8], [0.8, 1]], size=500)
    first = ForestSynthesizer(random_state=3).fit(X)
    second = ForestSynthesizer(random_state=3).fit(X)
    np.testing.assert_array_equal(first.sample(50), second.sample(50))
    np.testing.assert_array_equal(first.score_samples(X), second.score_samples(X))
    assert first.n_rounds_ == len(first.oob_accuracy_) - 1
    assert first.n_leaves_ > 0
    single = ForestSynthesizer(max_rounds=0, random_state=3).fit(X)
    assert single.n_rounds_ == 0 and len(single.oob_accuracy_) == 1
    # The rounds stop at the first forest that no longer tells the rows apart.
    accuracy = np.array(first.oob_accuracy_)
    assert (accuracy[:-1] > 0.5).all()


def test_bad_parameters_are_named():
    X = np.random.RandomState(0).normal(size=(50, 2))
    with pytest.raises(ValueError, match="leaf_density"):
        ForestSynthesizer(leaf_density="kernel").fit(X)
    with pytest.raises(ValueError, match="delta"):
        ForestSynthesizer(delta=0.7).fit(X)
    with pytest.raises(ValueError, match="leaf_split_rows"):
        ForestSynthesizer(leaf_split_rows=0).fit(X)
    with pytest.raises(ValueError, match="leaf_split_rows"):
        ForestOverSampler(leaf_split_rows=2.5).fit_resample(X, np.arange(50) % 2)


def test_over_sampler_balances_classes(frame):
    X = frame.drop(columns="flag")
    y = frame["flag"].to_numpy()
    X_res, y_res = ForestOverSampler(random_state=0).fit_resample(X, y)
    counts = Counter(y_res)
    assert counts[True] == counts[False] == Counter(y)[False]
    new = X_res.iloc[len(X) :]
    pd.testing.assert_series_equal(new.dtypes, X.dtypes)
    assert set(new["count"]) <= set(X.loc[y, "count"])


@pytest.fixture(scope="module")
def coded():
    """A code and its label (one-to-one), and a number that depends on both."""
    rng = np.random.RandomState(0)
    n = 3000
    code = rng.choice([1, 2, 3, 4, 5, 6], n, p=[0.3, 0.2, 0.2, 0.1, 0.1, 0.1])
    labels = np.array(["", "one", "two", "three", "four", "five", "six"])
    return pd.DataFrame(
        {
            "code": code.astype(float),
            "label": labels[code],
            "x": code + rng.normal(0, 0.5, n),
            "flag": rng.rand(n) < 0.5,
        }
    )


def test_one_to_one_columns_stay_paired(coded):
    synth = ForestSynthesizer(random_state=0).fit(coded)
    assert synth.linked_features_ == {"label": "code"}
    new = synth.sample(20_000)
    pairs = set(zip(coded["code"], coded["label"], strict=True))
    paired = [p in pairs for p in zip(new["code"], new["label"], strict=True)]
    # Broken only by the rare draw of 1 / (n + 1).
    assert np.mean(paired) > 1 - 5 / len(coded)
    # Conditions on the label give its code, and the number that goes with it.
    rows = synth.sample(2000, conditions={"label": "four"})
    assert (rows["label"] == "four").all()
    assert (rows["code"] == 4).mean() > 0.99
    assert abs(rows["x"].mean() - 4) < 0.3


def test_one_to_one_densities_sum_to_one(coded):
    synth = ForestSynthesizer(random_state=0).fit(coded[["code", "label", "flag"]])
    grid = pd.DataFrame(
        list(
            product(
                [1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
                ["five", "four", "one", "six", "three", "two"],
                [False, True],
            )
        ),
        columns=["code", "label", "flag"],
    )
    total = np.exp(synth.score_samples(grid)).sum()
    share = 1 / (len(coded) + 1)
    assert total == pytest.approx((1 - share) ** 6, rel=1e-9)
    # An unseen code is a novel value: the model sums the label over the codes
    # it may go with, so over labels and flags the rows' densities add up to
    # the novel code's own factor (the other columns keep theirs).
    unseen = grid.drop(columns="code").drop_duplicates().assign(code=7.0)
    total = np.exp(synth.score_samples(unseen[["code", "label", "flag"]])).sum()
    _, log_factor = synth._models[0].margins[0].novelty(np.array([7.0]))
    assert total == pytest.approx(np.exp(log_factor[0]) * (1 - share) ** 4, rel=1e-9)


def _coded_with_rare(rng, n, n_codes, rare_rows):
    """A code and its label (one-to-one), the code ``n_codes + 1`` on
    ``rare_rows`` rows, all with x near 10."""
    code = rng.choice(np.arange(1, n_codes + 1), n)
    code[:rare_rows] = n_codes + 1
    labels = np.array([f"label {k}" for k in range(n_codes + 2)])
    x = rng.normal(size=n)
    x[:rare_rows] = 10.0 + rng.normal(0, 0.01, rare_rows)
    return pd.DataFrame({"code": code.astype(float), "label": labels[code], "x": x})


def _paired(new, X):
    pairs = set(zip(X["code"], X["label"], strict=True))
    return np.mean([p in pairs for p in zip(new["code"], new["label"], strict=True)])


def test_links_map_rare_outcomes_without_copying_their_rows():
    # The code 7 is held by 2 rows: the link still holds it (dropping the
    # link drew codes and labels apart), and it is drawn at most at its
    # overall rate, anywhere, not with the x of its rows.
    rng = np.random.RandomState(0)
    n = 3000
    X = _coded_with_rare(rng, n, 6, 2)
    synth = ForestSynthesizer(random_state=0).fit(X)
    assert synth.linked_features_ == {"label": "code"}
    new = synth.sample(30_000)
    assert _paired(new, X) > 1 - 5 / n
    rare = new["code"] == 7
    assert rare.mean() <= 2 / n + _binomial_tolerance(2 / n, len(new))
    assert not rare[new["x"] > 9].any()
    rows = synth.sample(1000, conditions={"code": 7.0})
    assert (rows["label"] == "label 7").mean() > 1 - 5 / n


def test_over_sampler_keeps_links_of_outcomes_rare_in_a_class():
    # A code held by 3 rows of the minority class (about 300 rows): its model
    # still links codes and labels, which were paired at random on a
    # quarter of the new rows when the rare code dropped the link.
    rng = np.random.RandomState(0)
    n = 3000
    X = _coded_with_rare(rng, n, 12, 3)
    y = np.where(np.arange(n) < 3, 1, (rng.rand(n) < 0.1).astype(int))
    X_res, _ = ForestOverSampler(random_state=0).fit_resample(X, y)
    new = X_res.iloc[n:]
    assert len(new) == 2 * (y == 0).sum() - n
    assert _paired(new, X) > 1 - 5 / (y == 1).sum()


def test_columns_of_rare_values_are_not_linked():
    # Names and phone numbers, each held by the 2 rows of a household: one to
    # one, but by chance of values held by few rows, and pairing them would
    # copy rows.
    rng = np.random.RandomState(0)
    household = np.repeat(np.arange(100), 2)
    X = pd.DataFrame(
        {
            "name": np.array([f"name {k}" for k in rng.permutation(100)])[household],
            "phone": rng.permutation(100)[household] + 5550000,
            "x": rng.normal(size=household.size),
        }
    )
    synth = ForestSynthesizer(id_columns=None, random_state=0).fit(X)
    assert synth.linked_features_ == {}


def test_leaves_hold_their_rows_at_float32_precision():
    # The trees compare float32 values: a number within half a float32 step
    # above a leaf's bound still falls in the leaf, and must keep a density
    # there (timestamps in seconds are 128 s apart in float32).
    rng = np.random.RandomState(0)
    n = 3000
    t = 1.7e9 + rng.uniform(0, 2e4, n)
    X = np.column_stack([t, rng.normal(size=n) + (t - 1.7e9) / 1e4])
    synth = ForestSynthesizer(discrete_features=[], random_state=0).fit(X)
    model = synth._models[0]
    free = np.zeros(X.shape, dtype=bool)
    values, _ = model.on_axes(synth._schema.encode(X), free)
    features = model.features(values)
    for tree in model.trees:
        rows, leaves = tree.pairs(features, free)
        assert np.array_equal(np.sort(rows), np.arange(n))
        terms = synth._pair_log_terms(model, values, free, rows, leaves)
        assert np.isfinite(terms).all()


def test_forests_learn_on_a_subsample_of_large_tables():
    rng = np.random.RandomState(0)
    n = 4000
    x = rng.normal(size=n)
    X = np.column_stack([x, x + rng.normal(0, 0.3, n)])
    synth = ForestSynthesizer(max_samples=1000, random_state=0).fit(X)
    model = synth._models[0]
    # Every training row is in a leaf of every tree.
    n_trees = len(model.trees)
    assert model.n_rows.sum() == n * n_trees
    X_new = synth.sample(n)
    assert np.corrcoef(X_new.T)[0, 1] > 0.8
    assert np.isfinite(synth.score_samples(X)).all()


def _gaussian(rho, n, seed=0):
    rng = np.random.RandomState(seed)
    return rng.multivariate_normal([0, 0], [[1, rho], [rho, 1]], size=n)


def test_copula_keeps_the_correlation_inside_leaves():
    # Few large leaves (not split further): the dependence left inside them
    # is most of it, and only the copula keeps it.
    rho, n = 0.9, 3000
    X = _gaussian(rho, n)
    params = {
        "min_samples_leaf": 1000,
        "leaf_split_rows": None,
        "max_rounds": 0,
        # The leaves alone: the support of the pair would keep the
        # independent draws off the corners of the leaves' boxes.
        "support_pairs": 0,
        "random_state": 0,
    }
    coupled = ForestSynthesizer(**params).fit(X)
    independent = ForestSynthesizer(leaf_dependence="independent", **params).fit(X)
    # Standard error of a sample correlation: (1 - rho^2) / sqrt(n).
    tolerance = 4 * (1 - rho**2) / np.sqrt(n)
    real = np.corrcoef(X.T)[0, 1]
    drawn = np.corrcoef(coupled.sample(n).T)[0, 1]
    assert abs(drawn - real) < tolerance + 0.02
    assert np.corrcoef(independent.sample(n).T)[0, 1] < real - 10 * tolerance
    # The leaves' correlations, of their rows' normal scores, are positive
    # and strong on average (weaker in boxes cut across the diagonal).
    model = coupled._models[0]
    correlation = model.correlation[:-1, 0, 1]
    assert (correlation > 0).all()
    assert np.average(correlation, weights=model.n_rows[:-1]) > 0.5
    assert coupled.score(X) > independent.score(X)


def test_copula_density_integrates_to_one():
    X = _gaussian(0.8, 1000)
    synth = ForestSynthesizer(target_type="regression", random_state=0)
    synth.fit(X[:, :1], X[:, 1])
    model = synth._models[0]
    assert model.coupled
    # The joint density of (x, y), summed over a fine grid of y, gives the
    # density of x with y marginalised out (its copula's sub-matrix).
    y = np.linspace(X[:, 1].min(), X[:, 1].max(), 20_001)
    for x in [-1.3, 0.1, 0.77, 2.0]:
        values = np.column_stack([np.full(y.size, x), y])
        joint = synth._log_density(model, values, [0, 1])
        marginal = synth._log_density(model, values[:1], [0])[0]
        total = np.exp(joint - marginal).sum() * (y[1] - y[0])
        assert total == pytest.approx(1.0, abs=1e-3), x
    # Held-out rows of the same distribution score finite.
    held_out = _gaussian(0.8, 500, seed=1)
    assert np.isfinite(synth.score_samples(held_out[:, :1])).all()
    assert np.isfinite(synth.score(held_out[:, :1], held_out[:, 1]))


def test_copula_conditions_are_exact():
    X = _gaussian(0.9, 3000)
    synth = ForestSynthesizer(random_state=0).fit(X)
    value = 1.0
    conditioned = synth.sample(3000, conditions={0: value})
    assert (conditioned[:, 0] == value).all()
    # The same model's rows with the first column near the value.
    free = synth.sample(200_000, random_state=1)
    near = free[np.abs(free[:, 0] - value) < 0.02, 1]
    error = np.sqrt(near.var() / near.size + conditioned[:, 1].var() / 3000)
    assert abs(near.mean() - conditioned[:, 1].mean()) < 4 * error
    assert near.mean() > 0.6


@pytest.fixture(scope="module")
def household():
    """Relationship, sex and marital status as in census data: a husband is a
    married man, a wife a married woman, a child never married."""
    rng = np.random.RandomState(0)
    n = 4000
    relationship = rng.choice(
        ["husband", "wife", "child", "alone"], n, p=[0.4, 0.1, 0.2, 0.3]
    )
    sex = np.where(
        relationship == "husband",
        "male",
        np.where(relationship == "wife", "female", rng.choice(["male", "female"], n)),
    )
    married = np.isin(relationship, ["husband", "wife"])
    single = rng.choice(["never", "divorced"], n)
    marital = np.where(
        married, "married", np.where(relationship == "child", "never", single)
    )
    age = np.where(relationship == "child", 20, 45) + rng.normal(0, 8, n)
    frame = pd.DataFrame(
        {"relationship": relationship, "sex": sex, "marital": marital, "age": age}
    )
    # Columns of their own, as a census has many: the forest splits on them
    # too, and leaves mix relationships.
    for k in range(6):
        frame[f"other_{k}"] = rng.normal(size=n)
    return frame


def _broken_pairs(frame):
    husband = frame["relationship"] == "husband"
    wife = frame["relationship"] == "wife"
    return np.mean(
        (husband & (frame["sex"] == "female"))
        | (wife & (frame["sex"] == "male"))
        | ((husband | wife) & (frame["marital"] != "married"))
    )


def test_dependent_categories_are_drawn_together(household):
    synth = ForestSynthesizer(random_state=0).fit(household)
    model = synth._models[0]
    groups = [set(group) for group in synth.grouped_features_]
    assert {"relationship", "sex", "marital"} in groups
    # A combination is stored with a leaf only when 3 of its rows hold it.
    for group in model.groups:
        stored = group.counts[group.counts > 0]
        assert stored.size and (stored >= 3).all()
    new = synth.sample(len(household))
    independent = ForestSynthesizer(leaf_dependence="independent", random_state=0)
    old = independent.fit(household).sample(len(household))
    # No row of the data breaks the pairs. Independent columns in the leaves
    # break about a fifth of them. The groups draw the rows of combinations
    # held by fewer than 3 rows of a leaf from the combinations common in
    # the data, but for 1 % of them (drawn member by member).
    assert _broken_pairs(household) == 0
    assert _broken_pairs(old) > 0.15
    assert _broken_pairs(new) < 0.002
    # So do conditions on one member: wives (a tenth of the rows) are seldom
    # 3 to a leaf.
    wife = {"relationship": "wife"}
    rows = synth.sample(2000, conditions=wife)
    old_rows = independent.sample(2000, conditions=wife)
    assert (rows["relationship"] == "wife").all()
    assert _broken_pairs(old_rows) > 0.2
    assert _broken_pairs(rows) < 0.01


def _jobs(n, rng):
    """Ages, hours, and a workclass and an occupation missing together on 5 %
    of the rows, otherwise independent; and which rows miss them."""
    missing = rng.rand(n) < 0.05
    workclass = rng.choice([f"w{k}" for k in range(7)], n).astype(object)
    occupation = rng.choice([f"o{k}" for k in range(14)], n).astype(object)
    workclass[missing] = occupation[missing] = None
    X = pd.DataFrame(
        {
            "age": rng.randint(17, 91, n),
            "hours": rng.randint(1, 100, n),
            "workclass": workclass,
            "occupation": occupation,
        }
    )
    return X, missing


def test_groups_rank_dependence_above_chance():
    # Workclass and occupation are missing together, and otherwise
    # independent of each other and of the age and the hours, integers of
    # many values: a few rows per value in a leaf pair them by chance, which
    # the plug-in information counted as dependence and ranked above the
    # shared missing values (the group was age, hours and occupation, and
    # new rows had a workclass missing with an occupation on half of them).
    rng = np.random.RandomState(0)
    n = 3000
    X, missing = _jobs(n, rng)
    X["income"] = rng.normal(size=n)
    synth = ForestSynthesizer(random_state=0).fit(X)
    assert synth.grouped_features_ == [["workclass", "occupation"]]
    new = synth.sample(n)
    broken = np.mean(new["workclass"].isna() & new["occupation"].notna())
    # Combinations held by fewer than 3 rows of a leaf are drawn from those
    # common in the data but for 1 % of them: few rows break the pair.
    missing_share = new["workclass"].isna().mean()
    assert abs(missing_share - missing.mean()) < _binomial_tolerance(0.05, n)
    assert broken < missing_share / 20


def test_only_combinations_the_data_rule_out_are_excluded():
    # 2,000 rows: a husband (0, a third of the rows) is never a woman (1,
    # half of the rows), where independent columns would give 333 such
    # rows; a wife (1) is a man on 30 rows (a tenth of what independence
    # gives: kept). The last level of the third column is rare (1 %).
    rng = np.random.RandomState(0)
    n = 2000
    relationship = rng.choice(3, n, p=[1 / 3, 1 / 3, 1 / 3])
    sex = np.where(relationship == 0, 0, rng.randint(0, 2, n))
    wives = np.flatnonzero(relationship == 1)
    sex[wives] = 1
    sex[wives[:30]] = 0
    third = np.where(rng.rand(n) < 0.01, 2, rng.randint(0, 2, n))
    group = _forest._Group(np.arange(3), None, None, None)
    _forest._exclude_combinations(group, [relationship, sex, third])
    excluded = {tuple(row) for row in group.excluded}
    # The pair rules out its combinations with every level of the third
    # column, the rare one too (fewer than 10 rows expected of each).
    assert excluded == {(0, 1, 0), (0, 1, 1), (0, 1, 2)}
    # A wife who is a man is merely rarer than chance; so is any combination
    # with the rare level, which independence gives a handful of rows.
    group = _forest._Group(np.arange(3), None, None, None)
    sex[relationship == 0] = rng.randint(0, 2, (relationship == 0).sum())
    _forest._exclude_combinations(group, [relationship, sex, third])
    assert group.excluded is None


def test_a_class_keeps_the_combinations_the_whole_table_rules_out():
    # The whole table (40,000 rows): the first outcome of a column never
    # meets the first of the other, and meets the second on 20 rows, where
    # independence gives thousands: both ruled out. A class of 100 rows,
    # too few to rule anything out alone, keeps the first rule; it holds
    # all 20 rows of the second pair, though: a combination of its own,
    # which it keeps.
    rng = np.random.RandomState(0)
    n = 40_000
    a, b = rng.randint(0, 2, n), rng.randint(0, 4, n)
    a[(a == 0) & (b <= 1)] = 1
    rows = np.arange(100)
    a[rows[:20]], b[rows[:20]] = 0, 1
    observed, expected = _forest._contingency([a, b], [2, 4])
    assert ruled_out(observed, expected)[:2].all()
    group = _forest._Group(np.arange(2), None, None, None)
    _forest._exclude_combinations(group, [a[rows], b[rows]])
    assert group.excluded is None
    _forest._exclude_combinations(group, [a[rows], b[rows]], [a, b])
    assert {tuple(row) for row in group.excluded} == {(0, 0)}
    # Outcomes the class never holds (-1) are one more outcome of the whole
    # table, never excluded.
    c = np.where(rng.rand(n) < 0.3, -1, b)
    c[rows] = b[rows]
    group = _forest._Group(np.arange(2), None, None, None)
    _forest._exclude_combinations(group, [a[rows], b[rows]], [a, c])
    assert {tuple(row) for row in group.excluded} == {(0, 0)}


def test_class_models_keep_the_rules_of_the_whole_table():
    # Workclass and occupation are missing together on 5 % of the rows.
    # The rich class (10 %) holds about 60 such rows: each pair of a missing
    # workclass with an occupation expects 4 of its rows, too few to rule
    # out alone (1.0 % to 1.7 % of its new rows broke the pair, random_state
    # 0 to 4); the whole table rules them out.
    rng = np.random.RandomState(0)
    n = 12_000
    X, _ = _jobs(n, rng)
    y = np.where(rng.rand(n) < 0.1, "rich", "poor")
    synth = ForestSynthesizer(random_state=0).fit(X, y)
    assert synth.grouped_features_["rich"] == [["workclass", "occupation"]]
    new, label = synth.sample(20_000, random_state=1)
    rich = new[label == "rich"]
    broken = rich["workclass"].isna() != rich["occupation"].isna()
    # Drawn only from the rest's 1 % share that keeps every combination.
    assert broken.mean() < 0.002
    assert abs(rich["workclass"].isna().mean() - 0.05) < _binomial_tolerance(0.05, 1200)


@settings(max_examples=60, deadline=None)
@given(
    widths=st.lists(st.integers(1, 5), min_size=2, max_size=3),
    n_rows=st.integers(20, 3000),
    zeros=st.integers(0, 3),
    seed=st.integers(0, 2**31 - 1),
)
def test_excluded_combinations_are_exactly_the_ruled_out_ones(
    widths, n_rows, zeros, seed
):
    # Random outcomes, some pairs of outcomes never together: a combination
    # is excluded exactly when it, or a pair of its outcomes, is held by at
    # most a hundredth of the rows independence gives it, that being at
    # least 10 rows.
    rng = np.random.RandomState(seed)
    codes = [rng.randint(0, w, n_rows) for w in widths]
    for _ in range(zeros):
        a, b = rng.choice(len(widths), 2, replace=False)
        value_a, value_b = rng.randint(widths[a]), rng.randint(widths[b])
        both = (codes[a] == value_a) & (codes[b] == value_b)
        codes[b][both] = (value_b + 1) % widths[b]
    group = _forest._Group(np.arange(len(widths)), None, None, None)
    _forest._exclude_combinations(group, codes)
    excluded = set() if group.excluded is None else set(map(tuple, group.excluded))

    def ruled_out(members, combination):
        held = np.ones(n_rows, dtype=bool)
        expected = float(n_rows)
        for m in members:
            held &= codes[m] == combination[m]
            expected *= np.mean(codes[m] == combination[m])
        return expected >= 10 and held.sum() <= 0.01 * expected

    for combination in product(*(range(w) for w in widths)):
        subsets = [range(len(widths))]
        if len(widths) > 2:
            subsets += list(combinations(range(len(widths)), 2))
        expected = any(ruled_out(members, combination) for members in subsets)
        assert (combination in excluded) == expected, combination
    if group.excluded is not None:
        keys = group._key(group.excluded)
        assert np.array_equal(keys, group.excluded_keys)


def test_excluded_combinations_keep_a_finite_density(household):
    synth = ForestSynthesizer(random_state=0).fit(household)
    assert any(group.excluded is not None for group in synth._models[0].groups)
    rows = household.iloc[:50].copy()
    husbands = rows["relationship"] == "husband"
    rows.loc[husbands, "sex"] = "female"
    scores = synth.score_samples(rows)
    assert np.isfinite(scores).all()
    # A husband who is a woman is far less likely than a husband.
    original = synth.score_samples(household.iloc[:50])
    assert (scores[husbands] < original[husbands] - 3).all()
    assert np.allclose(scores[~husbands], original[~husbands])


def test_conditions_on_a_ruled_out_combination_warn(household):
    synth = ForestSynthesizer(random_state=0).fit(household)
    with pytest.warns(UserWarning, match=r"\['relationship', 'sex'\].*rule out"):
        rows = synth.sample(
            200, conditions={"relationship": "husband", "sex": "female"}
        )
    assert len(rows) == 200
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        synth.sample(200, conditions={"relationship": "wife", "sex": "female"})
        synth.sample(200, conditions={"sex": "female"})


@pytest.mark.parametrize("redraws", [20, 0])
def test_grouped_conditions_are_exact(household, monkeypatch, redraws):
    # Leaves of 100 rows mix relationships: many combinations are not stored
    # with a leaf and come from its members' own distributions, the excluded
    # ones left out (by rejection, or, with no redraws, from the enumerated
    # combinations). Rows drawn given the sex follow the model's own
    # conditional distribution, the ratio of its densities.
    monkeypatch.setattr(_forest, "_MAX_REDRAWS", redraws)
    data, age = household[["relationship", "sex", "marital"]], household["age"]
    synth = ForestSynthesizer(
        min_samples_leaf=100, leaf_split_rows=None, random_state=0
    ).fit(data, age)
    assert any(group.excluded is not None for group in synth._models[0].groups)
    levels = {
        "relationship": ["alone", "child", "husband", "wife"],
        "marital": ["divorced", "married", "never"],
    }
    grid = pd.DataFrame(
        list(product(levels["relationship"], ["female"], levels["marital"])),
        columns=data.columns,
    )
    density = np.exp(synth.score_samples(grid))
    n = 20_000
    rows, _ = synth.sample(n, random_state=1, conditions={"sex": "female"})
    assert (rows["sex"] == "female").all()
    for column in levels:
        expected = pd.Series(density).groupby(grid[column].to_numpy()).sum()
        expected /= density.sum()
        drawn = rows[column].value_counts(normalize=True)
        for level, p in expected.items():
            assert abs(drawn.get(level, 0.0) - p) < _binomial_tolerance(p, n)
    # Wives and husbands are married, and no husband is a woman.
    assert ((rows["relationship"] == "husband").mean()) < 0.002
    wives = rows[rows["relationship"] == "wife"]
    assert (wives["marital"] == "married").mean() > 0.99


def test_grouped_densities_sum_to_one(household):
    # The age is the target: score_samples sums it out. Leaves of 100 rows,
    # not split further, mix relationships (smaller ones split on the three
    # columns until they hold no dependence left to group).
    data, age = household[["relationship", "sex", "marital"]], household["age"]
    synth = ForestSynthesizer(
        min_samples_leaf=100, leaf_split_rows=None, random_state=0
    ).fit(data, age)
    assert synth.grouped_features_
    # Husbands who are women, and spouses not married, are ruled out.
    assert any(group.excluded is not None for group in synth._models[0].groups)
    grid = pd.DataFrame(
        list(
            product(
                ["alone", "child", "husband", "wife"],
                ["female", "male"],
                ["divorced", "married", "never"],
            )
        ),
        columns=data.columns,
    )
    total = np.exp(synth.score_samples(grid)).sum()
    share = 1 / (len(data) + 1)
    assert total == pytest.approx((1 - share) ** 6, rel=1e-9)
    # A member left out is summed over: the marginal of two columns is the
    # sum of the joint over the third.
    # (The target as a column of the one forest, grouped with the others.)
    X, y = household.drop(columns="sex"), household["sex"]
    synth = ForestSynthesizer(class_conditional=False, random_state=0).fit(X, y)
    assert any("sex" in group for group in synth.grouped_features_)
    rows = X.iloc[:20]
    joint = np.array(
        [
            [synth.score(rows.iloc[[i]], pd.Series([c])) for c in ["female", "male"]]
            for i in range(len(rows))
        ]
    )
    kept = 2 * np.log1p(-share)
    np.testing.assert_allclose(
        np.log(np.exp(joint).sum(axis=1)) - kept, synth.score_samples(rows)
    )


def test_spikes_are_grouped_and_densities_stay_exact():
    # b is zero exactly when a is: the spikes of the two columns go together,
    # and their continuous parts keep the leaves' normals.
    rng = np.random.RandomState(0)
    n = 3000
    zero = rng.rand(n) < 0.4
    a = np.where(zero, 0.0, rng.lognormal(1, 0.5, n))
    b = np.where(zero, 0.0, 2 * a + rng.normal(0, 0.5, n))
    X = np.column_stack([a, rng.normal(size=(n, 3))])
    # Without the support of pairs, whose weights make marginals approximate
    # (see test_support).
    synth = ForestSynthesizer(
        target_type="regression", support_pairs=0, random_state=0
    ).fit(X, b)
    assert [0, "y"] in synth.grouped_features_
    X_new, b_new = synth.sample(n)
    independent = ForestSynthesizer(
        leaf_dependence="independent", target_type="regression", random_state=0
    ).fit(X, b)
    X_old, b_old = independent.sample(n)
    broken = np.mean((X_new[:, 0] == 0) != (b_new == 0))
    assert broken < np.mean((X_old[:, 0] == 0) != (b_old == 0)) / 3
    # Summed over b (its spike, and its continuous part on a fine grid), the
    # joint density gives the density of the other columns.
    model = synth._models[0]
    grid = np.linspace(b[b != 0].min(), b.max(), 20_001)
    for x in [0.0, 2.5]:
        row = np.r_[x, 0.1, -0.2, 0.3]
        values = np.column_stack([np.tile(row, (grid.size, 1)), grid])
        columns = [0, 1, 2, 3, 4]
        marginal = synth._log_density(model, values[:1], columns[:-1])[0]
        joint = synth._log_density(model, values, columns) - marginal
        spike = synth._log_density(model, np.r_[row, 0.0][None], columns)[0]
        total = np.exp(joint).sum() * (grid[1] - grid[0]) + np.exp(spike - marginal)
        assert total == pytest.approx(1.0, abs=2e-3), x


def test_many_valued_discrete_columns_are_coupled_to_the_others():
    # Carats on a grid of 0.01 (a discrete column of many values) and a
    # dimension that follows them: the leaves smooth the carats and couple
    # them to the dimension by their copula, rather than drawing them as
    # outcomes independent of it.
    rng = np.random.RandomState(0)
    n = 3000
    carat = np.round(rng.lognormal(-0.3, 0.4, n), 2)
    x = np.round(6.5 * np.cbrt(carat) + rng.normal(0, 0.03, n), 2)
    X = pd.DataFrame({"carat": carat, "x": x, "noise": rng.normal(size=n)})
    # Without the support of pairs, whose weights make marginals approximate
    # (see test_support).
    synth = ForestSynthesizer(support_pairs=0, random_state=0).fit(X)
    assert synth.discrete_features_ == ["carat"]
    new = synth.sample(n)
    assert set(new["carat"]) <= set(X["carat"])
    residual = new["x"] - 6.5 * np.cbrt(new["carat"])
    # 0.074 against 0.226 with carats as independent outcomes; 0.030 real.
    assert residual.std() < 3 * (X["x"] - 6.5 * np.cbrt(X["carat"])).std()
    # The smoothed column's probabilities (density times cell) sum to one
    # over its values, up to the midpoint rule and the novel-value share.
    assert _mass(synth, 0, np.unique(carat), 3) == pytest.approx(1.0, abs=0.02)


def _fitted_among_others(X, discrete, shift, n_others, rng):
    """A forest fitted on ``X`` and ``n_others`` noise columns shifted by
    ``shift`` (more columns: coarser leaves), ``discrete`` its only
    discrete column, and 20,000 rows it draws, whose values of that column
    are values of ``X``."""
    X = X.copy()
    for k in range(n_others):
        X[f"other{k}"] = rng.normal(size=len(X)) + shift
    synth = ForestSynthesizer(random_state=0).fit(X)
    assert synth.discrete_features_ == [discrete]
    new = synth.sample(20_000, random_state=1)
    assert set(new[discrete]) <= set(X[discrete])
    return synth, new


def test_few_valued_discrete_columns_are_coupled_to_the_numbers():
    # Concrete's strength rises with its age in days, a column of a few
    # values. Drawn as outcomes, independently of the numbers inside a leaf,
    # the ages lost much of that rise; smoothed (each value a cell of normal
    # scores), the leaves' copula keeps it.
    rng = np.random.RandomState(0)
    n = 600
    ages = np.array([3, 7, 14, 28, 56, 90, 180, 365])
    age = rng.choice(ages, n, p=[0.15, 0.15, 0.1, 0.3, 0.1, 0.1, 0.05, 0.05])
    cement = rng.uniform(100, 500, n)
    strength = 8 * np.log(age) + cement / 10 + rng.normal(0, 2, n)
    X = pd.DataFrame({"cement": cement, "age": age, "strength": strength})
    synth, new = _fitted_among_others(X, "age", 0.01 * cement, 5, rng)
    for value in ages:
        real = np.mean(age == value)
        tolerance = _binomial_tolerance(real, n) + _binomial_tolerance(real, 20_000)
        assert abs(np.mean(new["age"] == value) - real) < tolerance, value

    def residual(frame):
        return frame["strength"] - 8 * np.log(frame["age"]) - frame["cement"] / 10

    # Random states 0 to 3: 6.90 to 7.03 against 8.99 to 9.60 with the ages
    # as outcomes; 1.91 real.
    assert residual(new).std() < 4 * residual(X).std()
    # The ages' probabilities (each its cell's mass) sum to one.
    assert _mass(synth, 1, ages, synth.n_features_in_) == pytest.approx(1.0, abs=0.01)


def test_few_valued_columns_tied_to_categories_stay_outcomes():
    # Adult's years of education follow the occupation more than any number:
    # as outcomes they join the groups of discrete columns (smoothed, the
    # forest was told apart at 0.548 against 0.536 on Adult without its
    # ``education`` column, seeds 0 to 2).
    rng = np.random.RandomState(0)
    n = 2000
    kind = rng.choice(list("abcd"), n)
    years = pd.Series(kind).map({"a": 9, "b": 10, "c": 13, "d": 16}).to_numpy()
    years = years + rng.choice([-1, 0, 0, 1], n)
    X = pd.DataFrame(
        {"kind": kind, "years": years, "x": rng.normal(size=n) + 0.05 * years}
    )
    synth = ForestSynthesizer(random_state=0).fit(X)
    assert synth.discrete_features_ == ["years"]
    assert not synth._models[0].columns[1].has_continuous
    # Tied to a number instead, it is smoothed.
    X["x"] = 3 * years + rng.normal(size=n)
    synth = ForestSynthesizer(random_state=0).fit(X)
    assert synth._models[0].columns[1].has_continuous


@settings(max_examples=15, deadline=None)
@given(
    n_values=st.integers(3, 20),
    tie=st.sampled_from([0.0, 0.5, 3.0]),
    seed=st.integers(0, 2**16),
)
# Its two lowest values rare (6 and 9 rows), each an outcome on a cell of
# almost no width at the end of the axis: clipped to the tail's score,
# both cells had one score, each value the probability of both (sum 1.030).
@example(n_values=18, tie=0.0, seed=4148)
def test_few_valued_columns_keep_their_values_and_their_mass(n_values, tie, seed):
    # Smoothed (tied to x) or outcomes (not), a column of a few values draws
    # only its values, and their probabilities sum to one. With the trees'
    # cuts inside cells, a leaf drew values of a cell whose value its density
    # did not count: 0.976 at worst over 80 random tables of this kind
    # (0.921 with leaf_density="margin"); cut on the cells' edges, 0.9997.
    rng = np.random.RandomState(seed)
    n = 300
    support = np.sort(rng.choice(np.arange(1, 200), n_values, replace=False))
    level = rng.choice(support.astype(float), n)
    X = pd.DataFrame(
        {
            "level": level,
            "x": tie * np.log(level) + rng.normal(size=n),
            "kind": np.where(rng.rand(n) < 0.5, "a", "b"),
        }
    )
    synth = ForestSynthesizer(n_estimators=3, random_state=0).fit(X)
    assert synth.discrete_features_ == ["level"]
    new = synth.sample(500, random_state=1)
    assert set(new["level"]) <= set(level)
    assert np.isfinite(synth.score_samples(X)).all()
    assert _mass(synth, 0, np.unique(level), 3) == pytest.approx(1.0, abs=2e-3)


def test_discrete_columns_off_their_grid_are_coupled_to_their_numbers():
    # Computer activity's forks per second: multiples of 0.2, a few at 0.01
    # below (too few to fill a grid of 0.01), and page faults nearly
    # proportional to them. Drawn as outcomes inside a leaf, the forks lost
    # the page faults; smoothed, they keep them.
    rng = np.random.RandomState(0)
    n = 3000
    fork = np.round(rng.lognormal(0, 0.6, n) / 0.2) * 0.2 + 0.2
    fork = np.round(fork - 0.01 * (rng.rand(n) < 0.02), 2)
    X = pd.DataFrame({"fork": fork, "pflt": 80 * fork + rng.normal(0, 8, n)})
    _, new = _fitted_among_others(X, "fork", 0.1 * fork, 8, rng)
    # Random states 0 to 2: 19.3 to 20.7 against 49.7 to 52.0 as outcomes;
    # 7.9 real.
    assert (new["pflt"] - 80 * new["fork"]).std() < 4 * (X["pflt"] - 80 * fork).std()


def test_heaped_values_keep_their_shares():
    # Hours worked: whole numbers heaped at 40, 50, 45 and 60. A smoothed
    # column spreads each value's rows over its cell of normal scores, so
    # the heaps come back as heaps, not smeared over their neighbours.
    rng = np.random.RandomState(1)
    n = 5000
    hours = np.clip(np.round(rng.normal(40, 12, n)), 1, 99)
    u = rng.rand(n)
    heaps = np.select([u < 0.45, u < 0.54, u < 0.60, u < 0.65], [40, 50, 45, 60], 0)
    hours = np.where(heaps > 0, heaps, hours)
    X = pd.DataFrame({"hours": hours.astype(int), "noise": rng.normal(size=n)})
    synth = ForestSynthesizer(random_state=0).fit(X)
    assert synth.discrete_features_ == ["hours"]
    new = synth.sample(20_000)
    for value in [40, 50, 45, 60, 41, 49]:
        real = np.mean(X["hours"] == value)
        tolerance = _binomial_tolerance(real, n) + _binomial_tolerance(real, 20_000)
        assert abs(np.mean(new["hours"] == value) - real) < tolerance, value


def test_gaps_between_modes_stay_empty():
    # Two modes ten apart: a normal of a leaf spanning both (on the raw
    # values) filled the gap, 2.9 % of new rows against 0.03 % of real ones;
    # on the axis of normal scores the gap has no width.
    rng = np.random.RandomState(2)
    n = 3000
    a = np.r_[rng.normal(0, 1, n // 2), rng.normal(10, 1, n // 2)]
    X = np.column_stack([a, rng.normal(size=n)])
    new = ForestSynthesizer(random_state=0).fit(X).sample(20_000)
    assert np.mean((new[:, 0] > 4) & (new[:, 0] < 6)) < 0.01


def test_grid_fill_tells_measurements_from_amounts():
    from sksynth._forest import _fills_grid

    rng = np.random.RandomState(0)
    ages = rng.randint(17, 90, 2000)
    amounts = rng.choice(np.arange(100, 30_000), 60, replace=False)
    gains = np.r_[np.zeros(1800), rng.choice(amounts, 200), 30_000, 30_001]
    grid = np.round(rng.normal(size=2000), 2)
    for x, fills in [(ages, True), (gains, False), (grid, True)]:
        values, counts = np.unique(x, return_counts=True)
        assert _fills_grid(values, counts) == fills


def test_a_top_coded_value_keeps_its_share():
    # Ages of 52 and over recorded as 52, as in California housing (6.0 % of
    # its rows, drawn on 11.5 % when the heap's cell of scores reached the
    # end of the axis): a heap at an end of a smoothed column is a point,
    # and the end values sit at the centres of their cells.
    rng = np.random.RandomState(3)
    n = 20_000
    age = np.round(rng.normal(28, 12, n))
    age = np.where((age < 1) | (age > 50), rng.randint(1, 51, n), age)
    u = rng.rand(n)
    age[u < 0.06] = 52
    age[(u >= 0.06) & (u < 0.062)] = 51
    X = pd.DataFrame(
        {
            "age": age.astype(int),
            "rooms": rng.lognormal(7 + age / 50, 0.5, n),
            "x": rng.normal(size=n) + age / 10,
        }
    )
    synth = ForestSynthesizer(random_state=0).fit(X)
    assert synth.discrete_features_ == ["age"]
    axis = synth._models[0].axes[0]
    assert axis.points_x.tolist() == [52.0]
    assert axis.knots_x[0] == 0.5 and axis.knots_x[-1] == 52.5
    new = synth.sample(50_000)
    for value in [52, 51, 50, 1]:
        real = np.mean(X["age"] == value)
        tolerance = _binomial_tolerance(real, n) + _binomial_tolerance(real, 50_000)
        assert abs(np.mean(new["age"] == value) - real) < tolerance, value


def test_heaps_of_a_coarser_grid_keep_their_shares():
    # A rate with two decimals, recorded to multiples of 0.2 on 80 % of its
    # rows (as computer activity's exec or fork): not a discrete column, yet
    # its values held by ten rows or more each get a cell of their own, and
    # come back on their share of the rows rather than spread over the
    # values around them (75 % of new rows on the coarse grid against 81 %,
    # before).
    rng = np.random.RandomState(3)
    n = 4000
    level = rng.lognormal(0, 0.6, n)
    coarse = np.round(level / 0.2) * 0.2
    fine = np.round(level * rng.lognormal(0, 0.1, n), 2)
    rate = np.round(np.where(rng.rand(n) < 0.8, coarse, fine), 2)
    X = pd.DataFrame({"rate": rate, "load": np.round(3 * level, 2)})
    synth = ForestSynthesizer(random_state=0).fit(X)
    assert synth.discrete_features_ == []
    model = synth._models[0]
    axis = model.axes[0]
    counts = X["rate"].value_counts()
    coarse_grid = np.isclose(np.round(counts.index / 0.2) * 0.2, counts.index)
    # The values of the coarse grid held by ten rows or more are spikes
    # (points) or the values of cells; values of the fine grid are not, even
    # those held by ten rows where the column is dense.
    cells = np.r_[axis.points_x, axis.cells.values]
    assert np.isin(counts.index[coarse_grid & (counts >= 10)], cells).all()
    assert not np.isin(counts.index[~coarse_grid], cells).any()
    assert (counts[~coarse_grid] >= 10).any()
    new = synth.sample(20_000)

    def on_grid(x):
        return np.mean(np.isclose(np.round(x / 0.2) * 0.2, x))

    real = on_grid(X["rate"])
    tolerance = _binomial_tolerance(real, n) + _binomial_tolerance(real, 20_000)
    assert abs(on_grid(new["rate"]) - real) < tolerance
    for value in axis.cells.values[counts[axis.cells.values] >= 50]:
        real = np.mean(X["rate"] == value)
        tolerance = _binomial_tolerance(real, n) + _binomial_tolerance(real, 20_000)
        assert abs(np.mean(new["rate"] == value) - real) < tolerance, value
    # The column's model sums to one: the probabilities of its points and
    # cells, and the density of the values between the cells (on a grid off
    # the column's own, where a leaf of rows of one value has a narrow normal).
    step = 5e-4
    grid = np.arange(X["rate"].min(), X["rate"].max(), step) + step / 2
    grid = grid[~axis.cells.find(grid)[0]]

    def marginal(x):
        values = np.zeros((x.size, 2))
        values[:, 0] = x
        return np.exp(synth._log_density(model, values, [0]))

    masses = marginal(np.r_[axis.points_x, axis.cells.values]).sum()
    assert masses + marginal(grid).sum() * step == pytest.approx(1.0, abs=0.02)


def test_a_few_heaps_in_a_continuous_column_get_no_cells():
    # Ten values of 12 rows each in a column of 4000 measurements: heaps
    # that hold 3 % of the column, not a column recorded on a coarser grid;
    # it keeps the axis of its overall distribution.
    rng = np.random.RandomState(4)
    x = np.round(rng.normal(50, 10, 4000), 2)
    x[:120] = np.repeat(np.arange(35.5, 65, 3.0), 12)
    X = pd.DataFrame({"x": x, "y": x + rng.normal(0, 5, 4000)})
    axis = ForestSynthesizer(random_state=0).fit(X)._models[0].axes[0]
    assert axis.cells is None


def test_class_conditional_keeps_weak_predictors():
    # Ten columns, each shifted by 0.3 standard deviations in one class: a
    # tree rarely splits on the class among so many columns, and the one
    # forest diluted every shift (to about 0.21). One forest per class keeps
    # them; 20,000 draws put the synthetic shifts within 0.02 of their own.
    rng = np.random.RandomState(0)
    n, p = 2000, 10
    y = rng.randint(0, 2, n)
    X = rng.normal(size=(n, p)) + 0.3 * y[:, None]
    real = X[y == 1].mean(axis=0) - X[y == 0].mean(axis=0)
    errors = {}
    for class_conditional in (True, False):
        synth = ForestSynthesizer(class_conditional=class_conditional, random_state=0)
        X_new, y_new = synth.fit(X, y).sample(20_000, random_state=1)
        shift = X_new[y_new == 1].mean(axis=0) - X_new[y_new == 0].mean(axis=0)
        errors[class_conditional] = np.abs(shift - real)
        # Class shares as in y either way (standard error 0.0035).
        assert abs(y_new.mean() - y.mean()) < 0.015
    assert errors[True].max() < 0.06
    assert errors[True].mean() < errors[False].mean()


def test_class_conditional_describes_each_forest():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(300, 3))
    y = np.where(X[:, 0] > 0, "a", "b")
    synth = ForestSynthesizer(n_estimators=3, random_state=0).fit(X, y)
    assert synth._one_model_per_class()
    for name in ("n_rounds_", "oob_accuracy_", "n_leaves_", "support_features_"):
        assert set(getattr(synth, name)) == {"a", "b"}, name
    assert all(n > 0 for n in synth.n_leaves_.values())
    joint = ForestSynthesizer(n_estimators=3, class_conditional=False, random_state=0)
    joint.fit(X, y)
    assert isinstance(joint.n_leaves_, int)
    # Conditions on the class draw from that class's forest alone.
    X_a, y_a = synth.sample(200, random_state=0, conditions={"y": "a"})
    assert (y_a == "a").all() and (X_a[:, 0] > 0).mean() > 0.95
    # The fitted forests keep their layout when the parameter changes.
    synth.set_params(class_conditional=False)
    X_new, y_new = synth.sample(100, random_state=0)
    assert X_new.shape == (100, 3) and set(y_new) <= {"a", "b"}
    assert np.isfinite(synth.score_samples(X)).all()


def test_auto_trees_grow_on_small_tables():
    # Trees of few rows hold few leaves: "auto" takes more of them on small
    # tables (15,000 / n, between 10 and 30), per class with a class target.
    rng = np.random.RandomState(0)
    for n, expected in [(300, 30), (1000, 15), (2000, 10)]:
        X = rng.normal(size=(n, 2))
        synth = ForestSynthesizer(max_rounds=0, support_pairs=0, random_state=0)
        assert len(synth.fit(X)._models[0].trees) == expected
    X = rng.normal(size=(1200, 2))
    y = np.r_[np.zeros(1000, dtype=int), np.ones(200, dtype=int)]
    synth = ForestSynthesizer(max_rounds=0, support_pairs=0, random_state=0).fit(X, y)
    assert [len(model.trees) for model in synth._models] == [15, 30]
    fixed = ForestSynthesizer(n_estimators=4, max_rounds=0, random_state=0).fit(X)
    assert len(fixed._models[0].trees) == 4


def test_auto_leaves_grow_on_small_tables():
    # On a table of fewer than 300 rows, "auto" grows leaves of 20 rows and
    # makes no density splits; from 300 rows on, leaves of 10 and parts of 5.
    assert _leaf_sizes("auto", "auto", 299) == (20, None)
    assert _leaf_sizes("auto", "auto", 300) == (10, 5)
    assert _leaf_sizes(7, 3, 100) == (7, 3)
    assert _leaf_sizes("auto", None, 1000) == (10, None)
    rng = np.random.RandomState(0)
    for n, explicit in [(299, (20, None)), (300, (10, 5))]:
        X = rng.normal(size=(n, 3))
        auto = ForestSynthesizer(random_state=0).fit(X)
        leaf, split = explicit
        same = ForestSynthesizer(
            min_samples_leaf=leaf, leaf_split_rows=split, random_state=0
        ).fit(X)
        np.testing.assert_array_equal(auto.sample(100), same.sample(100))
    # The table's rows count, not a class's: a class of 100 rows of a table
    # of 400 keeps leaves of 10 and parts of 5.
    X = rng.normal(size=(400, 3))
    y = np.r_[np.zeros(300, dtype=int), np.ones(100, dtype=int)]
    auto = ForestSynthesizer(random_state=0).fit(X, y)
    same = ForestSynthesizer(min_samples_leaf=10, leaf_split_rows=5, random_state=0)
    same.fit(X, y)
    for a, b in zip(auto.sample(100), same.sample(100), strict=True):
        np.testing.assert_array_equal(a, b)
    # The over-sampler keeps 10 and 5 by default and takes "auto" too.
    X = rng.normal(size=(200, 3))
    y = np.r_[np.zeros(150, dtype=int), np.ones(50, dtype=int)]
    sampler = ForestOverSampler(
        min_samples_leaf="auto", leaf_split_rows="auto", random_state=0
    )
    _, y_res = sampler.fit_resample(X, y)
    assert np.bincount(y_res).tolist() == [150, 150]
    assert ForestOverSampler().get_params()["min_samples_leaf"] == 10


def test_auto_leaves_keep_small_tables_private():
    # Breast cancer's halves: classes of about 100 and 180 rows of 30
    # correlated measurements. Leaves of 10 rows and parts of 5 pin their
    # rows' values: 0.67 of the synthetic rows were nearer a training row
    # than a held-out one (random_state 0 to 2). "auto" (leaves of 20, no
    # parts) brings that share down to 0.58, and the share of rows nearer a
    # training row than 95 % of held-out rows are below the held-out rows'
    # own 0.05 (0.026 against 0.073).
    from sklearn.datasets import load_breast_cancer

    X, y = load_breast_cancer(return_X_y=True)
    order = np.random.RandomState(0).permutation(len(X))
    train, holdout = order[:284], order[284:]
    real = np.column_stack([X[train], y[train]])
    fresh = np.column_stack([X[holdout], y[holdout]])
    dcr, close = {}, {}
    for name, params in {
        "auto": {},
        "small": {"min_samples_leaf": 10, "leaf_split_rows": 5},
    }.items():
        shares = []
        for seed in range(3):
            synth = ForestSynthesizer(random_state=seed, **params)
            synth.fit(X[train], y[train])
            synthetic = np.column_stack(synth.sample(284, random_state=seed))
            shares.append(
                [
                    dcr_share(real, synthetic, fresh),
                    close_record_share(real, synthetic, fresh),
                ]
            )
        dcr[name], close[name] = np.mean(shares, axis=0)
    assert dcr["auto"] < dcr["small"] - 0.05
    assert close["auto"] < close["small"]
    assert close["auto"] < 0.05 + _binomial_tolerance(0.05, 3 * 284, z=2.0)


def test_tight_orders_are_learnt_as_differences():
    # Page-outs (0 on 60 % of the rows) never exceed the pages paged out,
    # which stay within a few percent of them: independent columns would
    # break that order in about a third of the pairs of rows. Drawn again
    # when broken, the rows kept over-represented those with no page-outs
    # (0.621 against 0.600); the forest learns the difference instead.
    rng = np.random.RandomState(0)
    n = 3000
    busy = rng.rand(n) < 0.4
    low = np.where(busy, np.round(rng.lognormal(1, 1, n), 1), 0.0)
    high = np.where(busy, np.round(low * (1 + rng.exponential(0.1, n)), 1), 0.0)
    X = pd.DataFrame({"pgout": low, "ppgout": high, "other": rng.normal(size=n)})
    synth = ForestSynthesizer(random_state=0).fit(X)
    rules = synth.describe_constraints().splitlines()
    assert "pgout <= ppgout  (linked columns; models ppgout minus its lower bound)" in (
        rules
    )
    new = synth.sample(20_000, random_state=1)
    assert (new["pgout"] <= new["ppgout"]).all()
    share = (X["pgout"] == 0).mean()
    assert abs((new["pgout"] == 0).mean() - share) < _binomial_tolerance(share, 20_000)
    # An order independent columns break in an eighth of the pairs (rooms
    # three to seven times the bedrooms) stays with rejection: the forest's
    # draws rarely break it.
    bedrooms = rng.lognormal(5, 1, n).round() + 1
    X = pd.DataFrame(
        {
            "bedrooms": bedrooms,
            "rooms": (bedrooms * rng.uniform(3, 7, n)).round(),
            "age": rng.randint(1, 52, n),
        }
    )
    synth = ForestSynthesizer(random_state=0).fit(X)
    assert synth.describe_constraints() == (
        "bedrooms < rooms  (linked columns; rejection: rows that break it are "
        "drawn again)"
    )
    new = synth.sample(2000, random_state=1)
    assert (new["bedrooms"] < new["rooms"]).all()


def test_no_draws_in_the_holes_of_a_column():
    # Free swap blocks: 4 % of the rows below 20, the others above 940,000.
    # The straight line of the knot across the gap sent 0.17 % of the draws
    # into it (none of the rows is there); knots around the hole leave it
    # the mass of two rows.
    rng = np.random.RandomState(0)
    n = 4000
    idle = rng.rand(n) < 0.04
    swap = np.where(idle, rng.uniform(3, 20, n), rng.uniform(9.4e5, 1.9e6, n))
    X = pd.DataFrame({"freeswap": swap.round(1), "load": rng.gamma(2, 1, n) + 3 * idle})
    synth = ForestSynthesizer(random_state=0).fit(X)
    new = synth.sample(20_000, random_state=1)
    in_gap = (new["freeswap"] > 100) & (new["freeswap"] < 9e5)
    assert in_gap.mean() < 0.001
    share = idle.mean()
    assert abs((new["freeswap"] < 100).mean() - share) < _binomial_tolerance(share, n)
    # A value in the hole keeps a finite density.
    inside = pd.DataFrame({"freeswap": [5e5], "load": [2.0]})
    assert np.isfinite(synth.score_samples(inside)).all()


def test_hole_knots_keep_the_rows_below_each_knot():
    # Knots stay increasing, and each added one has the share of the rows
    # below it.
    values = np.sort(np.r_[np.arange(1.0, 41.0), np.arange(1000.0, 1400.0)])
    x, u = _forest._knots(values, values[0], values[-1])
    assert np.all(np.diff(x) > 0) and np.all(np.diff(u) > 0)
    below = np.searchsorted(values, x, side="right") / values.size
    inner = (x > values[0]) & (x < values[-1])
    assert np.allclose(u[inner], below[inner])
    # The gap between 40 and 1000 gets at most the mass of two rows.
    gap = np.interp(999.0, x, u) - np.interp(41.0, x, u)
    assert gap <= 2 / values.size + 1e-12
    plain_x, plain_u = _forest._knots(values, values[0], values[-1], holes=False)
    assert np.interp(999.0, plain_x, plain_u) - np.interp(41.0, plain_x, plain_u) > gap
