"""Tests of sksynth.dask.sample: seeded parallel sampling to Dask collections."""

import dask
import dask.array as da
import dask.dataframe as dd
import numpy as np
import pandas as pd
import pytest
from conftest import compute_synchronously
from distributed import Client
from scipy.stats import ks_2samp

from sksynth import (
    GaussianCopulaSynthesizer,
    KDESynthesizer,
    MixtureSynthesizer,
    TreeSynthesizer,
)
from sksynth._data import KeyBlockRandomState
from sksynth._data._identifiers import IdentifierFormat
from sksynth.dask import sample

SYNTHESIZERS = [
    GaussianCopulaSynthesizer,
    KDESynthesizer,
    MixtureSynthesizer,
    TreeSynthesizer,
]


def compute_on(scheduler, cluster, *collections):
    """Compute on the synchronous scheduler, or on 1 or 2 workers."""
    if scheduler == "synchronous":
        with dask.config.set(scheduler="synchronous"):
            return dask.compute(*collections)
    with Client(cluster) as client:
        workers = list(client.scheduler_info()["workers"])[:scheduler]
        return client.compute(list(collections), workers=workers, sync=True)


@pytest.fixture(scope="module")
def table():
    rng = np.random.RandomState(0)
    n = 200
    X = pd.DataFrame(
        {
            "customer_id": np.arange(5000, 5000 + n),
            "code": [f"C{i:04d}" for i in rng.permutation(n)],
            "amount": rng.gamma(2.0, 10.0, n),
            "colour": pd.Categorical(rng.choice(["red", "green", "blue"], n)),
            "city": rng.choice(["Oslo", "Lima"], n),
            "when": pd.date_range("2021-03-01", periods=n, freq="D", tz="UTC"),
            "count": rng.randint(0, 6, n),
        }
    )
    y = pd.Series(rng.choice(["yes", "no"], n, p=[0.3, 0.7]), name="churn")
    return X, y


@pytest.fixture(scope="module")
def copula(table):
    X, y = table
    return GaussianCopulaSynthesizer(
        random_state=0, id_columns=["customer_id", "code"]
    ).fit(X)


def test_same_seed_same_table_on_any_scheduler(copula, dask_cluster):
    rows = sample(copula, 600, npartitions=3, random_state=7)
    (sync,) = compute_on("synchronous", dask_cluster, rows)
    (one,) = compute_on(1, dask_cluster, rows)
    (two,) = compute_on(2, dask_cluster, rows)
    pd.testing.assert_frame_equal(sync, one)
    pd.testing.assert_frame_equal(sync, two)
    (again,) = compute_synchronously(sample(copula, 600, npartitions=3, random_state=7))
    pd.testing.assert_frame_equal(sync, again)
    assert sync.index.equals(pd.RangeIndex(600))


def test_other_npartitions_other_rows_same_distribution(copula):
    three, five = compute_synchronously(
        sample(copula, 3000, npartitions=3, random_state=0),
        sample(copula, 3000, npartitions=5, random_state=0),
    )
    assert not np.allclose(three["amount"], five["amount"])
    assert ks_2samp(three["amount"], five["amount"]).pvalue > 1e-3


def test_seed_none_is_reproducible_from_the_estimator(table):
    X, _ = table

    def draw():
        synth = GaussianCopulaSynthesizer(random_state=3, id_columns=None).fit(
            X[["amount", "count"]]
        )
        return compute_synchronously(sample(synth, 100, npartitions=2))[0], synth

    first, synth = draw()
    second, _ = draw()
    pd.testing.assert_frame_equal(first, second)
    (third,) = compute_synchronously(sample(synth, 100, npartitions=2))
    assert not third.equals(first)
    state = np.random.RandomState(5)
    (fourth,) = compute_synchronously(
        sample(synth, 100, npartitions=2, random_state=state)
    )
    (fifth,) = compute_synchronously(sample(synth, 100, npartitions=2, random_state=5))
    assert not fourth.equals(fifth)


def test_dtypes_equal_those_of_synth_sample(copula):
    rows = sample(copula, 50, npartitions=2, random_state=0)
    expected = copula.sample(5, random_state=0)
    assert isinstance(rows, dd.DataFrame)
    pd.testing.assert_series_equal(rows.dtypes, expected.dtypes)
    (computed,) = compute_synchronously(rows)
    pd.testing.assert_series_equal(computed.dtypes, expected.dtypes)
    assert computed["colour"].cat.categories.equals(expected["colour"].cat.categories)


def test_identifiers_unique_across_partitions(copula):
    (rows,) = compute_synchronously(
        sample(copula, 4000, npartitions=40, random_state=0)
    )
    assert rows["customer_id"].is_unique
    assert rows["code"].is_unique


@pytest.mark.parametrize("kind", ["integer", "text"])
def test_key_blocks_never_collide(kind):
    if kind == "integer":
        values = np.arange(1, 101)
    else:
        values = np.array([f"K{i:02d}" for i in range(90)], dtype=object)
    codec = IdentifierFormat.learn("id", values, np.zeros(values.size, bool), kind)
    keys = [
        codec.generate(60, KeyBlockRandomState(seed, index, 50))
        for seed, index in zip(range(50), range(50))
    ]
    everything = np.concatenate(keys)
    assert len(set(everything.tolist())) == everything.size
    assert not set(everything.tolist()) & set(values.tolist())


def test_arrays(table):
    X, _ = table
    values = X[["amount", "count"]].to_numpy()
    synth = KDESynthesizer(random_state=0).fit(values)
    rows = sample(synth, 90, npartitions=4, random_state=0)
    assert isinstance(rows, da.Array) and rows.shape == (90, 2)
    assert rows.numblocks == (4, 1)
    (computed,) = compute_synchronously(rows)
    assert computed.shape == (90, 2) and computed.dtype == synth.sample(2).dtype


def test_arrays_with_target(table):
    X, y = table
    synth = MixtureSynthesizer(random_state=0).fit(
        X[["amount", "count"]].to_numpy(), y.to_numpy()
    )
    X_rows, y_rows = sample(synth, 80, npartitions=3, random_state=0)
    assert isinstance(X_rows, da.Array) and isinstance(y_rows, da.Array)
    X_out, y_out = compute_synchronously(X_rows, y_rows)
    assert X_out.shape == (80, 2) and y_out.shape == (80,)
    assert set(y_out) <= {"yes", "no"}


@pytest.mark.parametrize("continuous", [False, True])
def test_with_target_rows_match(table, continuous):
    X, y = table
    if continuous:
        y = pd.Series(X["amount"].to_numpy() * 2, name="price")
    features = X[["colour", "count", "amount"]]
    synth = TreeSynthesizer(random_state=0).fit(features, y)
    X_rows, y_rows = sample(synth, 300, npartitions=3, random_state=2)
    assert isinstance(y_rows, dd.Series) and y_rows.name == y.name
    X_out, y_out = compute_synchronously(X_rows, y_rows)
    # One drawn table split in two: X and y computed apart are the same rows.
    X_alone, y_alone = compute_synchronously(X_rows), compute_synchronously(y_rows)
    pd.testing.assert_frame_equal(X_out, X_alone[0])
    pd.testing.assert_series_equal(y_out, y_alone[0])
    if continuous:
        # The tree draws the target with the row: twice the amount, roughly.
        assert np.corrcoef(X_out["amount"], y_out)[0, 1] > 0.9
    else:
        assert y_out.dtype == y.dtype and set(y_out) <= {"yes", "no"}


def test_conditions_are_respected(table):
    X, y = table
    synth = GaussianCopulaSynthesizer(random_state=0).fit(
        X[["amount", "colour", "count"]], y
    )
    X_rows, y_rows = sample(
        synth,
        120,
        npartitions=3,
        random_state=0,
        conditions={"colour": "red", "churn": "yes"},
    )
    X_out, y_out = compute_synchronously(X_rows, y_rows)
    assert (X_out["colour"] == "red").all() and (y_out == "yes").all()
    with pytest.raises(ValueError, match="names column 'size'"):
        sample(synth, 10, conditions={"size": 3})


# Dask's parquet writer calls set_index(inplace=True), deprecated in pandas 3.1.
@pytest.mark.filterwarnings("ignore:The inplace keyword")
def test_to_parquet_round_trip(copula, tmp_path):
    rows = sample(copula, 300, npartitions=3, random_state=0)
    with dask.config.set(scheduler="synchronous"):
        rows.to_parquet(tmp_path / "rows")
        back = dd.read_parquet(tmp_path / "rows").compute()
    (expected,) = compute_synchronously(rows)
    assert len(back) == 300
    pd.testing.assert_frame_equal(
        back.reset_index(drop=True),
        expected.reset_index(drop=True),
        check_dtype=False,
        check_categorical=False,
    )
    assert isinstance(back["colour"].dtype, pd.CategoricalDtype)


@pytest.mark.parametrize("Synthesizer", SYNTHESIZERS)
def test_every_synthesizer(Synthesizer, table):
    X, y = table
    features = X[["amount", "colour", "when", "count"]]
    synth = Synthesizer(random_state=0).fit(features, y)
    X_rows, y_rows = sample(synth, 200, npartitions=2, random_state=0)
    X_out, y_out = compute_synchronously(X_rows, y_rows)
    expected_X, expected_y = synth.sample(3, random_state=0)
    assert X_out.shape == (200, 4) and y_out.shape == (200,)
    pd.testing.assert_series_equal(X_out.dtypes, expected_X.dtypes)
    assert y_out.dtype == expected_y.dtype


def test_graph_leaves_out_the_out_of_core_state(table):
    # The row sample kept by partial_fit is never read by sampling: the
    # graph carries a silent copy of the model without it; the model keeps it.
    from sksynth.dask._sample import _for_workers

    X, _ = table
    features = X[["amount", "colour", "count"]]
    synth = GaussianCopulaSynthesizer(random_state=0, verbose=1)
    for chunk in (features.iloc[:100], features.iloc[100:]):
        synth.partial_fit(chunk)
    light = _for_workers(synth)
    assert "_summary" in synth.__dict__ and "_summary" not in light.__dict__
    assert light.verbose == 0 and synth.verbose == 1
    pd.testing.assert_frame_equal(
        light.sample(20, random_state=0), synth.sample(20, random_state=0)
    )
    (out,) = compute_synchronously(sample(synth, 50, npartitions=2, random_state=0))
    assert out.shape == (50, 3)
    synth.partial_fit(features.iloc[:50])  # still continues
    assert synth.n_samples_fit_ == 250


def test_default_npartitions(copula):
    assert sample(copula, 10).npartitions == 1
    assert sample(copula, 2_000_001).npartitions == 3


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"n_samples": 0}, r"`n_samples` must be an integer >= 1; got 0"),
        ({"n_samples": 2.5}, r"`n_samples` must be an integer"),
        ({"n_samples": 5, "npartitions": 0}, r"`npartitions` must be between 1"),
        ({"n_samples": 5, "npartitions": 6}, r"`npartitions` must be between 1"),
        ({"n_samples": 5, "npartitions": "2"}, r"`npartitions` must be an integer"),
        ({"n_samples": 5, "random_state": -1}, r"`random_state` must be >= 0"),
        ({"n_samples": 5, "random_state": "a"}, r"`random_state` must be an int"),
    ],
)
def test_argument_errors(copula, kwargs, match):
    with pytest.raises(ValueError, match=match):
        sample(copula, **kwargs)


def test_not_fitted():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        sample(GaussianCopulaSynthesizer(), 10)
