"""Fixtures and helpers shared by the test modules (the metrics fixtures are
named ``metrics_*``)."""

import numpy as np
import pandas as pd
import pytest


def novelty_kept_mass(n_rows, n_columns, discrete_columns=None):
    """Mass the synthesizers keep for values seen in fit, out of 1.

    ``score_samples`` gives a novel outcome of each column probability
    ``1 / (n + 1)``: a missing value in a column without any, and (discrete
    and categorical columns) a value not seen in fit. The values seen in fit
    share the rest.
    """
    discrete = n_columns if discrete_columns is None else discrete_columns
    return (1 - 1 / (n_rows + 1)) ** (n_columns + discrete)


@pytest.fixture
def mixed_frame():
    """300 rows of mixed columns: amounts, counts, flags, categories, missing."""
    rng = np.random.RandomState(0)
    n = 300
    return pd.DataFrame(
        {
            "amount": rng.lognormal(3, 1, n),
            "count": rng.poisson(30, n).astype("int64"),
            "flag": rng.rand(n) < 0.3,
            "colour": pd.Categorical(rng.choice(["red", "green", "blue"], n)),
            "city": rng.choice(["Oslo", "Lima", "Pune", "Kyiv"], n).astype(object),
            "score": np.where(rng.rand(n) < 0.1, np.nan, rng.normal(50, 10, n)),
        }
    )


@pytest.fixture
def metrics_table():
    """1,500 rows: two correlated numbers (one log-normal), a category that
    follows the first, a boolean and a number with 10 % missing values."""
    rng = np.random.RandomState(0)
    n = 1500
    z = rng.multivariate_normal([0, 0], [[1, 0.8], [0.8, 1]], size=n)
    group = np.where(z[:, 0] + rng.normal(0, 0.5, n) > 0, "up", "down")
    return pd.DataFrame(
        {
            "a": z[:, 0],
            "b": np.exp(z[:, 1]),
            "group": group,
            "flag": rng.rand(n) < 0.3,
            "w": np.where(rng.rand(n) < 0.1, np.nan, rng.normal(size=n)),
        }
    )


@pytest.fixture
def metrics_independent_margins():
    """A function shuffling each column of a frame on its own: same margins, no
    dependence."""

    def shuffle(frame, seed=0):
        rng = np.random.RandomState(seed)
        return pd.DataFrame(
            {c: frame[c].to_numpy()[rng.permutation(len(frame))] for c in frame.columns}
        )

    return shuffle


@pytest.fixture(scope="session")
def dask_cluster():
    """One local Dask cluster of 2 single-threaded workers for the session
    (threads, not processes: quick to start)."""
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0"
    ) as cluster:
        yield cluster


def compute_synchronously(*collections):
    """``dask.compute`` on the synchronous scheduler (one thread)."""
    import dask

    with dask.config.set(scheduler="synchronous"):
        return dask.compute(*collections)
