"""Fixtures and helpers shared by the test modules."""

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
