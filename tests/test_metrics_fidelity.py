"""Tests of sksynth.metrics fidelity metrics (sksynth/metrics/_fidelity.py)."""

import warnings

import numpy as np
import pandas as pd
import pytest

from sksynth.metrics import (
    contingency_similarity,
    correlation_similarity,
    ks_complement,
    missing_similarity,
    tv_complement,
)


@pytest.mark.parametrize(
    "metric",
    [
        ks_complement,
        tv_complement,
        missing_similarity,
        correlation_similarity,
        contingency_similarity,
    ],
)
def test_identical_data_scores_one(metrics_table, metric):
    assert metric(metrics_table, metrics_table) == pytest.approx(1.0)
    per_column = metric(metrics_table, metrics_table, aggregate=False)
    assert per_column and all(v == pytest.approx(1.0) for v in per_column.values())


def test_per_column_scores_name_the_columns(metrics_table):
    assert set(ks_complement(metrics_table, metrics_table, aggregate=False)) == {
        "a",
        "b",
        "w",
    }
    assert set(tv_complement(metrics_table, metrics_table, aggregate=False)) == {
        "group",
        "flag",
    }
    assert set(missing_similarity(metrics_table, metrics_table, aggregate=False)) == {
        "w"
    }
    assert set(
        correlation_similarity(metrics_table, metrics_table, aggregate=False)
    ) == {
        ("a", "b"),
        ("a", "w"),
        ("b", "w"),
    }


def test_independent_margins_keep_margins_but_lose_pairs(
    metrics_independent_margins, metrics_table
):
    shuffled = metrics_independent_margins(metrics_table)
    assert ks_complement(metrics_table, shuffled) == pytest.approx(1.0)
    assert tv_complement(metrics_table, shuffled) == pytest.approx(1.0)
    pairs = correlation_similarity(metrics_table, shuffled, aggregate=False)
    # The a-b correlation of about 0.8 (Pearson on exp(b) a bit less) is gone.
    assert pairs[("a", "b")] < 0.75
    contingency = contingency_similarity(metrics_table, shuffled, aggregate=False)
    assert contingency[("a", "group")] < 0.8


def test_known_values():
    real = np.array([["x"], ["x"], ["y"], ["y"]], dtype=object)
    assert (
        tv_complement(real, np.array([["x"], ["x"], ["x"], ["x"]], dtype=object)) == 0.5
    )
    disjoint = ks_complement(np.arange(10.0)[:, None], np.arange(20.0, 30.0)[:, None])
    assert disjoint == 0.0
    assert (
        missing_similarity(np.array([[np.nan], [1.0]]), np.array([[1.0], [1.0]])) == 0.5
    )
    opposite = correlation_similarity(
        np.column_stack([np.arange(10.0), np.arange(10.0)]),
        np.column_stack([np.arange(10.0), -np.arange(10.0)]),
    )
    assert opposite == pytest.approx(0.0)


@pytest.mark.parametrize("method", ["pearson", "spearman"])
def test_correlations_over_the_rows_where_both_columns_are_present(method):
    rng = np.random.RandomState(0)
    cov = 0.6 * np.ones((4, 4)) + 0.4 * np.eye(4)
    real, synthetic = (
        pd.DataFrame(rng.multivariate_normal(np.zeros(4), cov, 300) * 1e3 + 1e5)
        .mask(rng.rand(300, 4) < share)
        .add_prefix("x")
        for share in (0.2, 0.0)
    )
    scores = correlation_similarity(real, synthetic, method=method, aggregate=False)
    expected = 1 - (real.corr(method) - synthetic.corr(method)).abs() / 2
    for (a, b), score in scores.items():
        assert score == pytest.approx(expected.loc[a, b], abs=1e-12)


def test_ks_statistic_is_scipys():
    from scipy import stats

    from sksynth.metrics._fidelity import ks_statistic

    rng = np.random.RandomState(0)
    for n, m in [(2, 3), (50, 20), (200, 300)]:
        # Ties within and between the samples, and continuous values.
        for a, b in [
            (rng.randint(0, 4, n).astype(float), rng.randint(0, 5, m).astype(float)),
            (rng.normal(size=n), rng.normal(0.5, 1, m)),
        ]:
            expected = stats.ks_2samp(a, b, method="asymp").statistic
            assert ks_statistic(a, b) == pytest.approx(expected, abs=1e-15)
    assert np.isnan(ks_statistic(np.array([]), np.array([1.0])))


@pytest.mark.parametrize("n_real, n_synthetic", [(1, 1), (1, 5), (5, 1)])
def test_ks_complement_of_one_row_warns_nothing(n_real, n_synthetic):
    # Issue 15: 4-8 scipy divide-by-zero warnings from a p-value never used.
    rng = np.random.RandomState(0)
    real, synthetic = rng.normal(size=(n_real, 2)), rng.normal(size=(n_synthetic, 2))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert 0 <= ks_complement(real, synthetic) <= 1
        assert ks_complement(real, real) == 1.0


@pytest.mark.parametrize("high", [1, 4])
def test_contingency_of_a_number_with_few_values(high):
    # Quantile bins put the two largest values of a numeric column in one bin:
    # a 0/1 column was one bin, and its pairs scored 1 whatever the synthetic
    # rows did with them.
    rng = np.random.RandomState(0)
    x = rng.randint(0, high + 1, 1000)
    real = pd.DataFrame({"x": x, "g": np.where(x == high, "top", "rest")})
    moved = real.assign(g=np.where(x == high - 1, "top", "rest"))
    share_moved = np.mean((x == high) | (x == high - 1))
    assert contingency_similarity(real, moved) == pytest.approx(1 - share_moved)
    assert contingency_similarity(real, real) == 1.0
