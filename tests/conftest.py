"""Fixtures shared by the tests of sksynth.metrics (tests/test_metrics_*.py)."""

import numpy as np
import pandas as pd
import pytest


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
