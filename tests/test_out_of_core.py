"""Out-of-core fitting: partial_fit on chunks, fit on Dask DataFrames, and the
mergeable summaries under them (row sample, column statistics, widening)."""

import subprocess
import sys

import dask
import dask.dataframe as dd
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

import sksynth.dask
from sksynth import (
    GaussianCopulaSynthesizer,
    KDESynthesizer,
    MixtureSynthesizer,
    TreeSynthesizer,
)
from sksynth._data import TableSchema
from sksynth._data._widening import widen, widening_of
from sksynth._summary import DIGEST_RANK_ERROR, ColumnStats, RowSample, row_keys
from sksynth.constraints import FixedCombinations, Inequality

SYNTHESIZERS = [
    GaussianCopulaSynthesizer,
    KDESynthesizer,
    MixtureSynthesizer,
    TreeSynthesizer,
]


def _gaussian_table(n, rho=0.7, seed=0):
    """Two correlated continuous columns with a lognormal margin, sorted by
    the first: chunks in order drift (each holds one slice of ``a``)."""
    rng = np.random.RandomState(seed)
    z = rng.multivariate_normal([0, 0], [[1, rho], [rho, 1]], size=n)
    frame = pd.DataFrame({"a": z[:, 0], "b": np.exp(z[:, 1])})
    return frame.sort_values("a", ignore_index=True)


def _mixed_table(n, seed=0):
    rng = np.random.RandomState(seed)
    x = rng.normal(size=n)
    return pd.DataFrame(
        {
            "x": x,
            "count": rng.poisson(3, n),
            "colour": pd.Categorical(
                np.where(x > 0.5, "red", np.where(x < -0.5, "blue", "green"))
            ),
            "flag": x + rng.normal(size=n) > 0,
            "amount": np.where(rng.rand(n) < 0.3, np.nan, np.exp(x + 3)),
        }
    )


def _latent_correlation(X):
    """Correlation of the normal scores of the columns of X."""
    ranks = stats.rankdata(X, axis=0) / (X.shape[0] + 1)
    return np.corrcoef(stats.norm.ppf(ranks), rowvar=False)


# -- the summaries -------------------------------------------------------------


def test_row_keys_depend_on_seed_and_part_only():
    assert np.array_equal(row_keys(3, 5, 10), row_keys(3, 5, 10))
    assert not np.array_equal(row_keys(3, 5, 10), row_keys(3, 6, 10))
    assert not np.array_equal(row_keys(3, 5, 10), row_keys(4, 5, 10))


@settings(max_examples=25, deadline=None)
@given(
    sizes=st.lists(st.integers(0, 40), min_size=1, max_size=5),
    capacity=st.integers(1, 30),
    order=st.randoms(use_true_random=False),
)
def test_row_sample_merges_in_any_order_to_the_smallest_keys(sizes, capacity, order):
    X = np.arange(sum(sizes), dtype=float)[:, None]
    y = np.arange(X.shape[0]) % 3
    bounds = np.cumsum([0, *sizes])
    parts = [
        RowSample.of(
            X[lo:hi], y[lo:hi], row_keys(0, i, hi - lo), capacity, max_strata=3
        )
        for i, (lo, hi) in enumerate(zip(bounds[:-1], bounds[1:], strict=True))
    ]
    keys = np.concatenate([row_keys(0, i, n) for i, n in enumerate(sizes)])

    def merged(sequence):
        result = sequence[0]
        for part in sequence[1:]:
            result = result.merge(part)
        return result

    shuffled = list(parts)
    order.shuffle(shuffled)
    for sample in (merged(parts), merged(shuffled)):
        for label in range(3):
            expected = np.flatnonzero(y == label)
            expected = expected[np.argsort(keys[expected])][:capacity]
            if expected.size == 0:
                assert label not in sample.strata
                continue
            kept_keys, kept_X, kept_y = sample.strata[label]
            assert np.array_equal(kept_X[:, 0], expected)
            assert np.all(kept_y == label)
            assert np.array_equal(kept_keys, keys[expected])


def test_row_sample_uniform_rows_keep_class_shares():
    n = 200_000
    rng = np.random.RandomState(0)
    y = (rng.rand(n) < 0.1).astype(int)
    X = np.arange(n, dtype=float)[:, None]
    sample = RowSample.of(X, y, row_keys(1, 0, n), 5_000, max_strata=2)
    _, y_all = sample.rows()
    assert np.bincount(y_all).tolist() == [5_000, 5_000]
    _, y_uniform = sample.rows(uniform=True)
    share = y_uniform.mean()
    # A uniform sample of ~5,000 rows: the share within 4 standard errors.
    assert abs(share - 0.1) < 4 * np.sqrt(0.1 * 0.9 / y_uniform.size)


def test_row_sample_of_a_continuous_target_is_one_stratum():
    X = np.arange(100, dtype=float)[:, None]
    y = np.linspace(0, 1, 100)
    sample = RowSample.of(X, y, row_keys(0, 0, 100), 10, max_strata=20)
    assert list(sample.strata) == [None]
    assert sample.n_rows == 10


def test_column_stats_merge_like_the_whole_table():
    rng = np.random.RandomState(0)
    values = np.column_stack(
        [
            rng.lognormal(size=30_000),
            rng.randint(0, 4, 30_000).astype(float),
            rng.poisson(2, 30_000).astype(float),
        ]
    )
    values[rng.rand(30_000) < 0.1, 0] = np.nan
    levels = {1: 4}
    whole = ColumnStats.of(values, levels)
    parts = [ColumnStats.of(block, levels) for block in np.array_split(values, 7)]
    merged = parts[0]
    for part in parts[1:]:
        merged = merged.merge(part)
    assert merged.n_rows == whole.n_rows
    assert np.array_equal(merged.n_missing, whole.n_missing)
    assert np.array_equal(merged.levels[1], whole.levels[1])
    assert np.array_equal(merged.exact[2][1], whole.exact[2][1])
    assert merged.exact[0] is None  # many-valued: a digest
    points = merged.column(0).points()
    observed = values[~np.isnan(values[:, 0]), 0]
    # The digest's points follow the column: KS distance far below the
    # sampling noise of 20,000 rows.
    assert stats.ks_2samp(points, observed).statistic < 0.005
    assert points.min() == observed.min() and points.max() == observed.max()


def test_widening_appends_categories_and_widens_ranges():
    first = pd.DataFrame(
        {
            "colour": pd.Series(["red", "blue"] * 5, dtype="category"),
            "text": ["a", "b"] * 5,
            "count": [1, 2] * 5,
            "price": np.linspace(1.25, 3.5, 10),
        }
    )
    schema = TableSchema.from_data(first)
    later = pd.DataFrame(
        {
            "colour": pd.Series(["green", "red"], dtype="category"),
            "text": ["c", "a"],
            "count": [7, 1],
            "price": [0.125, 9.0],
        }
    )
    widening, _ = widening_of(schema, later)
    wide = widen(schema, widening)
    colour, text, count, price = wide.columns
    assert list(colour.categories) == ["blue", "red", "green"]
    assert list(colour.dtype.categories) == ["blue", "red", "green"]
    assert list(text.categories) == ["a", "b", "c"]
    assert count.support.values.tolist() == [1.0, 2.0, 7.0]
    assert (price.low, price.high) == (0.125, 9.0)
    assert price.support.decimals == 3  # 0.125 needs three decimals
    # Codes of the first chunk's categories do not move.
    assert np.array_equal(schema.encode(first), wide.encode(first))
    assert wide.encode(later)[:, 0].tolist() == [2.0, 1.0]
    # The schema widened is a copy.
    assert list(schema.columns[0].categories) == ["blue", "red"]


@settings(max_examples=30, deadline=None)
@given(
    labels=st.lists(st.sampled_from(list("abcdefg")), min_size=4, max_size=60),
    numbers=st.lists(st.integers(-50, 50), min_size=60, max_size=60),
    cuts=st.lists(st.integers(1, 59), max_size=4),
)
def test_widening_in_any_chunks_covers_every_value(labels, numbers, cuts):
    n = len(labels)
    frame = pd.DataFrame({"label": labels, "number": numbers[:n]})
    bounds = sorted({0, n, *[c for c in cuts if c < n]})
    chunks = [frame.iloc[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
    schema = TableSchema.from_data(chunks[0])
    for chunk in chunks[1:]:
        schema = widen(schema, widening_of(schema, chunk)[0])
    label, number = schema.columns
    assert set(label.categories) == set(labels)
    # Categories of the first chunk keep their codes; the others follow.
    first = list(TableSchema.from_data(chunks[0]).columns[0].categories)
    assert list(label.categories[: len(first)]) == first
    assert (number.low, number.high) == (min(numbers[:n]), max(numbers[:n]))
    encoded = schema.encode(frame)
    assert (encoded[:, 0] >= 0).all()
    decoded = schema.decode(encoded)
    assert np.array_equal(decoded["label"].to_numpy(), frame["label"])
    assert np.array_equal(decoded["number"].to_numpy(), frame["number"])


def test_widening_by_known_values_keeps_a_discrete_column():
    # 2,000 values, each on 20 rows: discrete; the same rows again add nothing
    # (a column of more than 1,000 values was once made continuous here).
    values = np.repeat(np.round(np.linspace(1, 300, 2_000), 2), 20)
    frame = pd.DataFrame({"price": values})
    schema = TableSchema.from_data(frame)
    assert schema.columns[0].is_discrete
    wide = widen(schema, widening_of(schema, frame)[0])
    assert wide.columns[0].support.values.size == 2_000
    # Many new values of two decimals: a lattice of two decimals.
    later = pd.DataFrame({"price": np.round(np.linspace(400, 500, 3_000), 2)})
    wide = widen(schema, widening_of(schema, later)[0])
    assert (wide.columns[0].support.kind, wide.columns[0].support.decimals) == (
        "lattice",
        2,
    )


# -- partial_fit ---------------------------------------------------------------


def test_partial_fit_on_drifting_chunks_recovers_the_dependence():
    n = 60_000
    X = _gaussian_table(n)
    full = GaussianCopulaSynthesizer(random_state=0).fit(X)
    chunked = GaussianCopulaSynthesizer(random_state=0)
    for block in np.array_split(np.arange(n), 12):  # each chunk one slice of a
        chunked.partial_fit(X.iloc[block])
    assert chunked.n_samples_fit_ == n
    # Standard error of a correlation estimate near 0.7 from n rows is
    # (1 - rho^2) / sqrt(n): both fits within 4 of them of the truth.
    tolerance = 4 * (1 - 0.7**2) / np.sqrt(n)
    for model in (full, chunked):
        assert abs(model.correlation_[0, 1] - 0.7) < tolerance
    X_new = chunked.sample(20_000, random_state=1)
    assert stats.ks_2samp(X_new["a"], X["a"]).statistic < 0.02
    assert stats.ks_2samp(np.log(X_new["b"]), np.log(X["b"])).statistic < 0.02
    assert abs(_latent_correlation(X_new.to_numpy())[0, 1] - 0.7) < 0.03


def test_partial_fit_margins_match_fit_on_all_rows():
    X = _mixed_table(40_000)
    full = GaussianCopulaSynthesizer(random_state=0).fit(X)
    chunked = GaussianCopulaSynthesizer(random_state=0)
    for block in np.array_split(np.arange(len(X)), 5):
        chunked.partial_fit(X.iloc[block])
    for name in ("count", "colour", "flag"):
        assert chunked.marginals_[name] == full.marginals_[name]
    a = full.sample(20_000, random_state=2)
    b = chunked.sample(20_000, random_state=2)
    assert a.dtypes.equals(b.dtypes)
    for name in ("x", "amount"):
        assert stats.ks_2samp(a[name].dropna(), b[name].dropna()).statistic < 0.03
    assert abs(a["amount"].isna().mean() - b["amount"].isna().mean()) < 0.02
    shares = pd.crosstab(b["colour"], b["flag"], normalize=True)
    real = pd.crosstab(X["colour"], X["flag"], normalize=True)
    assert np.abs(shares - real).to_numpy().max() < 0.03


def test_partial_fit_keeps_a_bounded_uniform_sample(monkeypatch):
    monkeypatch.setattr("sksynth._summary.DEFAULT_SAMPLE_ROWS", 1_000)
    X = _gaussian_table(12_000)  # sorted by a
    synth = GaussianCopulaSynthesizer(random_state=0)
    for block in np.array_split(np.arange(12_000), 6):
        synth.partial_fit(X.iloc[block])
    kept, _ = synth._summary.sample.rows()
    assert len(kept) == 1_000
    assert synth.n_samples_fit_ == 12_000
    # Uniform over all chunks, not the last ones: the kept rows' a spreads
    # like the table's.
    assert stats.ks_2samp(kept["a"], X["a"]).pvalue > 0.001


def test_partial_fit_adds_categories_of_later_chunks():
    X = _mixed_table(3_000)
    X["colour"] = X["colour"].astype(str)
    first, later = X.iloc[:2_000].copy(), X.iloc[2_000:].copy()
    first.loc[first["colour"] == "green", "colour"] = "red"
    later.loc[later.index[:300], "colour"] = "purple"
    synth = GaussianCopulaSynthesizer(random_state=0).partial_fit(first)
    assert "purple" not in synth.sample(2_000)["colour"].unique()
    synth.partial_fit(later)
    drawn = synth.sample(20_000, random_state=0)["colour"].value_counts(normalize=True)
    assert abs(drawn["purple"] - 300 / 3_000) < 0.02
    assert abs(drawn["green"] - (later["colour"] == "green").sum() / 3_000) < 0.02


@pytest.mark.parametrize("Synth", SYNTHESIZERS)
def test_partial_fit_of_every_synthesizer_with_a_class_target(Synth):
    X = _mixed_table(3_000)
    y = pd.Series(np.where(X["x"] > 1, "rare", "common"), name="label")
    synth = Synth(random_state=0)
    for block in np.array_split(np.arange(len(X)), 3):
        synth.partial_fit(X.iloc[block], y.iloc[block])
    assert synth.n_samples_fit_ == 3_000
    shares = [(y == label).mean() for label in synth.classes_]
    assert synth.class_prior_ == pytest.approx(shares)
    X_new, y_new = synth.sample(500, random_state=0)
    assert X_new.dtypes.equals(X.dtypes)
    assert set(y_new) <= {"rare", "common"}
    assert np.isfinite(synth.score_samples(X.iloc[:100])).all()


def test_partial_fit_with_a_continuous_target_widens_its_range():
    X = _gaussian_table(4_000)
    y = pd.Series(X.pop("b"), name="price")
    synth = GaussianCopulaSynthesizer(random_state=0)
    first = X["a"] < 0  # the chunks are sorted: the largest prices come last
    synth.partial_fit(X[first], y[first]).partial_fit(X[~first], y[~first])
    assert synth.target_type_ == "regression"
    assert synth._target.spec.high == y.max()
    _, y_new = synth.sample(5_000, random_state=0)
    assert y_new.max() > y[first].max()


def test_partial_fit_keeps_rules():
    rng = np.random.RandomState(0)
    low = rng.normal(size=2_000)
    X = pd.DataFrame({"low": low, "high": low + rng.gamma(2, size=2_000)})
    synth = GaussianCopulaSynthesizer(
        random_state=0, constraints=[Inequality("low", "high")]
    )
    synth.partial_fit(X.iloc[:1_000]).partial_fit(X.iloc[1_000:])
    X_new = synth.sample(2_000)
    assert (X_new["low"] <= X_new["high"]).all()


def _education_table(n, seed=0):
    rng = np.random.RandomState(seed)
    education = rng.choice(["HS", "BSc", "MSc", "PhD"], n, p=[0.5, 0.3, 0.19, 0.01])
    years = pd.Series(education).map({"HS": 9, "BSc": 13, "MSc": 14, "PhD": 16})
    return pd.DataFrame(
        {"education": education, "years": years, "x": rng.normal(size=n)}
    )


def test_partial_fit_takes_combinations_of_later_chunks():
    X = _education_table(3_000)
    rule = FixedCombinations(["education", "years"])
    synth = GaussianCopulaSynthesizer(random_state=0, constraints=[rule])
    synth.partial_fit(X[X["education"] != "MSc"]).partial_fit(
        X[X["education"] == "MSc"]
    )
    drawn = synth.sample(6_000, random_state=0)
    pairs = drawn.groupby(["education", "years"]).size() / len(drawn)
    assert set(pairs.index) == {("HS", 9), ("BSc", 13), ("MSc", 14), ("PhD", 16)}
    assert abs(pairs[("MSc", 14)] - (X["education"] == "MSc").mean()) < 0.02


def test_dask_fit_takes_combinations_the_sample_missed():
    X = _education_table(20_000)
    ddf = dd.from_pandas(X, npartitions=4)
    rule = FixedCombinations(["education", "years"])
    with dask.config.set(scheduler="synchronous"):
        synth = sksynth.dask.fit(
            GaussianCopulaSynthesizer(random_state=1, constraints=[rule]),
            ddf,
            sample_size=50,  # with this seed, the 50 rows hold no PhD (1%)
        )
    drawn = synth.sample(20_000, random_state=0)
    shares = drawn["education"].value_counts(normalize=True)
    assert abs(shares["PhD"] - 0.01) < 0.005
    assert (
        drawn["years"]
        == drawn["education"].map({"HS": 9, "BSc": 13, "MSc": 14, "PhD": 16})
    ).all()


def test_partial_fit_errors_name_the_way_out():
    X = _gaussian_table(500)
    with pytest.raises(ValueError, match="detect_constraints"):
        GaussianCopulaSynthesizer(constraints="auto").partial_fit(X)
    synth = GaussianCopulaSynthesizer().partial_fit(X)
    with pytest.raises(ValueError, match="with every chunk or with none"):
        synth.partial_fit(X, np.zeros(500))
    with pytest.raises(ValueError, match="feature names"):
        synth.partial_fit(X.rename(columns={"a": "c"}))
    with pytest.raises(TypeError, match="pass a Dask DataFrame to fit"):
        synth.partial_fit(dd.from_pandas(X, npartitions=2))
    with_y = GaussianCopulaSynthesizer().partial_fit(X, np.arange(500) % 2)
    with pytest.raises(ValueError, match="with every chunk or with none"):
        with_y.partial_fit(X)


def test_fit_after_partial_fit_starts_afresh():
    X = _gaussian_table(2_000)
    synth = GaussianCopulaSynthesizer(random_state=0).partial_fit(X)
    synth.partial_fit(X)
    assert synth.n_samples_fit_ == 4_000
    synth.fit(X.iloc[:500])
    assert synth.n_samples_fit_ == 500
    assert synth.partial_fit(X.iloc[:100]).n_samples_fit_ == 100


# -- fit on Dask ---------------------------------------------------------------


@pytest.fixture
def client(dask_cluster):
    from distributed import Client

    with Client(dask_cluster) as client:
        yield client


def test_dask_fit_is_the_same_on_workers_and_synchronously(client):
    frame = _mixed_table(6_000)
    frame["label"] = np.where(frame["x"] > 0.8, "a", "b")
    ddf = dd.from_pandas(frame, npartitions=5)
    X, y = ddf.drop(columns="label"), ddf["label"]
    on_workers = GaussianCopulaSynthesizer(random_state=0).fit(X, y)
    with dask.config.set(scheduler="synchronous"):
        synchronous = GaussianCopulaSynthesizer(random_state=0).fit(X, y)
    for label in on_workers.classes_:
        assert np.array_equal(
            on_workers.correlation_[label], synchronous.correlation_[label]
        )
    a = on_workers.sample(300, random_state=0)
    b = synchronous.sample(300, random_state=0)
    pd.testing.assert_frame_equal(a[0], b[0])
    pd.testing.assert_series_equal(a[1], b[1])


def test_dask_fit_matches_the_in_memory_fit():
    n = 50_000
    frame = _gaussian_table(n)  # sorted: partitions drift
    ddf = dd.from_pandas(frame, npartitions=8, sort=False)
    with dask.config.set(scheduler="synchronous"):
        synth = GaussianCopulaSynthesizer(random_state=0).fit(ddf)
    full = GaussianCopulaSynthesizer(random_state=0).fit(frame)
    assert synth.n_samples_fit_ == n
    assert synth.marginals_["b"].split("(")[0] == full.marginals_["b"].split("(")[0]
    tolerance = 4 * (1 - 0.7**2) / np.sqrt(n)
    assert abs(synth.correlation_[0, 1] - full.correlation_[0, 1]) < 2 * tolerance
    X_new = synth.sample(20_000, random_state=0)
    assert stats.ks_2samp(X_new["a"], frame["a"]).statistic < 0.02


@pytest.mark.parametrize("marginals", ["empirical", "auto"])
def test_dask_fit_margins_within_the_digest_error(marginals):
    n = 200_000
    rng = np.random.RandomState(0)
    amount = np.where(rng.rand(n) < 0.3, 0.0, rng.lognormal(3, 1, n))
    frame = pd.DataFrame({"amount": amount, "score": rng.normal(size=n)})
    frame = frame.sort_values("score", ignore_index=True)  # partitions drift
    ddf = dd.from_pandas(frame, npartitions=16, sort=False)
    settings = {"marginals": marginals, "random_state": 0}
    with dask.config.set(scheduler="synchronous"):
        out_of_core = GaussianCopulaSynthesizer(**settings).fit(ddf)
    memory = GaussianCopulaSynthesizer(**settings).fit(frame)
    for j, name in enumerate(frame.columns):
        grid = np.quantile(frame[name], np.linspace(0.001, 0.999, 201))
        a = out_of_core._models[0].margins[j].cdf_bounds(grid)[1]
        b = memory._models[0].margins[j].cdf_bounds(grid)[1]
        # The digest's rank error, and the smoothing of the continuous part
        # fitted on 20,000 quantiles rather than on the rows.
        assert np.abs(a - b).max() < DIGEST_RANK_ERROR + 1 / np.sqrt(20_000), name


def test_dask_fit_with_a_class_target_counts_every_row(capsys):
    frame = _mixed_table(20_000)
    frame["label"] = np.where(frame["x"] > 2.3, "rare", "common")  # ~1%
    ddf = dd.from_pandas(frame, npartitions=4)
    X, y = ddf.drop(columns="label"), ddf["label"]
    with dask.config.set(scheduler="synchronous"):
        synth = sksynth.dask.fit(
            GaussianCopulaSynthesizer(random_state=0, verbose=1),
            X,
            y,
            sample_size=2_000,
        )
    expected = frame["label"].value_counts(normalize=True)
    assert synth.class_prior_ == pytest.approx(expected[synth.classes_].to_numpy())
    # Every row of the rare class is in its stratum of the sample, 2,000 of
    # the common one.
    rare = (frame["label"] == "rare").sum()
    assert (
        f"sample of {2_000 + rare:,} rows from 4 partitions" in capsys.readouterr().out
    )
    # The sample is not kept (it holds real rows).
    assert not hasattr(synth, "_summary")


@pytest.mark.parametrize("Synth", SYNTHESIZERS)
def test_dask_fit_of_every_synthesizer(Synth):
    frame = _mixed_table(2_000)
    ddf = dd.from_pandas(frame, npartitions=3)
    with dask.config.set(scheduler="synchronous"):
        synth = Synth(random_state=0).fit(ddf)
    X_new = synth.sample(200, random_state=0)
    assert X_new.dtypes.equals(frame.dtypes)
    assert list(X_new.columns) == list(frame.columns)
    assert synth.feature_names_in_.tolist() == list(frame.columns)


@pytest.mark.parametrize("Synth", [KDESynthesizer, TreeSynthesizer])
def test_dask_fit_of_a_model_that_does_not_merge_says_it_sampled(Synth):
    ddf = dd.from_pandas(_mixed_table(3_000), npartitions=3)
    with (
        dask.config.set(scheduler="synchronous"),
        pytest.warns(UserWarning, match="from a sample of at most 1,000 rows"),
    ):
        sksynth.dask.fit(Synth(random_state=0), ddf, sample_size=1_000)


def test_dask_fit_of_the_mixture_runs_em_over_all_rows():
    frame = _mixed_table(4_000)
    ddf = dd.from_pandas(frame, npartitions=4)
    with dask.config.set(scheduler="synchronous"):
        synth = MixtureSynthesizer(n_components=4, random_state=0).fit(ddf)
    memory = MixtureSynthesizer(n_components=4, random_state=0).fit(frame)
    # Two EM passes over the partitions after EM on the sample.
    assert synth.n_iter_ >= 2
    assert synth.score(frame) / len(frame) == pytest.approx(
        memory.score(frame) / len(frame), abs=0.1
    )


def test_dask_fit_detects_rules_on_the_sample():
    rng = np.random.RandomState(0)
    low = rng.normal(size=3_000)
    frame = pd.DataFrame({"low": low, "high": low + rng.gamma(2, size=3_000)})
    ddf = dd.from_pandas(frame, npartitions=3)
    with dask.config.set(scheduler="synchronous"):
        synth = GaussianCopulaSynthesizer(constraints="auto", random_state=0).fit(ddf)
    assert "low < high" in synth.describe_constraints()
    X_new = synth.sample(1_000)
    assert (X_new["low"] <= X_new["high"]).all()


def test_dask_fit_errors():
    frame = _gaussian_table(100)
    ddf = dd.from_pandas(frame, npartitions=2)
    with pytest.raises(TypeError, match="pass y as a Dask Series"):
        GaussianCopulaSynthesizer().fit(ddf, np.zeros(100))
    with pytest.raises(ValueError, match="sample_size"):
        sksynth.dask.fit(GaussianCopulaSynthesizer(), ddf, sample_size=0)


def test_dask_fit_of_a_dask_array():
    import dask.array as da

    X = _gaussian_table(3_000).to_numpy()
    with dask.config.set(scheduler="synchronous"):
        synth = GaussianCopulaSynthesizer(random_state=0).fit(
            da.from_array(X, chunks=(1_000, 1))
        )
    X_new = synth.sample(10)
    assert isinstance(X_new, np.ndarray) and X_new.shape == (10, 2)
    assert synth.n_samples_fit_ == 3_000


def test_import_sksynth_does_not_import_dask():
    code = (
        "import sys, sksynth; from sksynth import GaussianCopulaSynthesizer; "
        "print('dask' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"


def test_partial_fit_and_dask_fit_report_progress(capsys, client):
    X = _gaussian_table(1_000)
    GaussianCopulaSynthesizer(verbose=1).partial_fit(X).partial_fit(X)
    out = capsys.readouterr().out
    assert "chunk 2: 1,000 rows, 2,000 in all, sample of 2,000" in out
    ddf = dd.from_pandas(X, npartitions=2)
    MixtureSynthesizer(n_components=2, verbose=1).fit(ddf)  # on the workers
    out = capsys.readouterr().out
    for line in (
        "pass 1 of 3, sample of 1,000 rows from 2 partitions",
        "pass 3 of 3, statistics of 1,000 rows",
        "EM pass 2 of 2 over all partitions",
    ):
        assert line in out
    with dask.config.set(scheduler="synchronous"):
        GaussianCopulaSynthesizer(verbose=1).fit(ddf)
        assert "Completed" not in capsys.readouterr().out
        GaussianCopulaSynthesizer(verbose=2).fit(ddf)
    assert "Completed" in capsys.readouterr().out  # the local progress bar
    GaussianCopulaSynthesizer().fit(X)
    assert capsys.readouterr().out == ""


def test_dask_fit_lines_up_y_partitioned_unlike_x(tmp_path):
    # Reading fewer columns, Dask groups the files of a Parquet folder into
    # fewer partitions: y = frame[target] is split unlike frame.drop(target).
    for part in range(6):
        frame = _mixed_table(2_000, seed=part)
        frame["label"] = np.where(frame["x"] > 1, "high", "low")
        frame.to_parquet(tmp_path / f"part-{part}.parquet")
    table = dd.read_parquet(tmp_path)
    X, y = table.drop(columns="label"), table["label"]
    assert len(X.to_delayed()) != len(y.to_delayed())
    with dask.config.set(scheduler="synchronous"):
        synth = GaussianCopulaSynthesizer(random_state=0).fit(X, y)
        frame = table.compute()
    expected = (frame["label"] == "high").mean()
    assert synth.class_prior_[list(synth.classes_).index("high")] == expected
    # Rows of "high" have x > 1: the target stayed with its rows.
    X_new, y_new = synth.sample(2_000, random_state=0)
    assert (X_new.loc[y_new == "high", "x"] > 0.9).mean() > 0.95


def test_out_of_core_margin_of_a_dense_grid_is_discrete(monkeypatch):
    # An amount of one decimal with a spike at zero: 2,450 multiples of 0.1
    # in its range, 70,000 rows off the spike, so each value repeats ~28 times
    # (discrete in memory); a sample of 5,000 rows cannot see it.
    monkeypatch.setattr("sksynth._summary.DEFAULT_SAMPLE_ROWS", 5_000)
    rng = np.random.RandomState(0)
    latent = rng.normal(size=100_000)
    amount = np.clip(np.round(np.exp(3 + 0.5 * latent), 1), 15, 260)
    frame = pd.DataFrame({"amount": np.where(latent < -0.52, 0.0, amount)})
    memory = GaussianCopulaSynthesizer(random_state=0).fit(frame)
    chunked = GaussianCopulaSynthesizer(random_state=0)
    for block in np.array_split(np.arange(len(frame)), 4):
        chunked.partial_fit(frame.iloc[block])
    assert memory.marginals_["amount"].startswith("atoms")
    assert chunked.marginals_["amount"].startswith("atoms")
    drawn = chunked.sample(50_000, random_state=0)["amount"]
    assert stats.ks_2samp(drawn, frame["amount"]).statistic < 0.015
    assert abs((drawn == 0).mean() - (frame["amount"] == 0).mean()) < 0.01


def test_partial_fit_takes_a_class_first_seen_in_a_later_chunk():
    rng = np.random.RandomState(0)
    X = pd.DataFrame(rng.normal(size=(3_000, 2)), columns=["a", "b"])
    y = pd.Series(
        np.where(X["a"] > 1, "hi", np.where(X["a"] < -1, "lo", "mid")), name="label"
    )
    synth = GaussianCopulaSynthesizer(random_state=0)
    synth.partial_fit(X[y != "hi"], y[y != "hi"]).partial_fit(
        X[y == "hi"], y[y == "hi"]
    )
    assert list(synth.classes_) == ["hi", "lo", "mid"]
    shares = y.value_counts(normalize=True)[synth.classes_].to_numpy()
    assert synth.class_prior_ == pytest.approx(shares)
    X_new, y_new = synth.sample(3_000, random_state=0)
    assert X_new.loc[y_new == "hi", "a"].min() > 0.9


@pytest.mark.parametrize("how", ["partial_fit", "dask"])
def test_inequality_learns_the_range_of_every_part(how):
    # Sorted by the gap: the first part holds the smallest gaps only. The
    # range of high (where the rule clips rebuilt values) must be that of all
    # rows, not of the first part (the gap's upper decile fell from 3.8 to 3.2).
    rng = np.random.RandomState(0)
    low, gap = rng.normal(size=4_000), rng.gamma(2, size=4_000)
    X = pd.DataFrame({"low": low, "high": low + gap}).iloc[np.argsort(gap)]
    synth = GaussianCopulaSynthesizer(
        random_state=0, constraints=[Inequality("low", "high")]
    )
    if how == "partial_fit":
        for block in np.array_split(np.arange(len(X)), 4):
            synth.partial_fit(X.iloc[block])
    else:
        ddf = dd.from_pandas(X.reset_index(drop=True), npartitions=4, sort=False)
        with dask.config.set(scheduler="synchronous"):
            sksynth.dask.fit(synth, ddf, sample_size=500)  # the sample: 1/8
    X_new = synth.sample(20_000, random_state=0)
    drawn = X_new["high"] - X_new["low"]
    assert (drawn >= 0).all()
    assert abs(np.quantile(drawn, 0.9) - np.quantile(gap, 0.9)) < 0.2
    assert X_new["high"].max() > np.quantile(X["high"], 0.999)
