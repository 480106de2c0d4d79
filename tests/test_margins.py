"""Tests of the column model (``sksynth._margins``): each margin is a
distribution (it sums or integrates to one, novel outcomes included), samples
what it fitted, and survives ties, tiny columns and extreme magnitudes."""

import re

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy import stats
from scipy.special import ndtr

from sksynth._data._encoding import numeric_spec
from sksynth._margins import (
    EMPIRICAL,
    FAMILIES,
    EmpiricalMargin,
    LinearMargin,
    NormalScores,
    Ties,
    column_novelty,
    fit_level_margin,
    fit_margin,
    interp,
    normal_scores,
    novelty_share,
    select_continuous,
)
from sksynth._margins._linear import CellInterp
from sksynth._margins._scores import _ScorePieces

# The column model must not warn, whatever the column: every estimator calls it.
pytestmark = pytest.mark.filterwarnings("error")

# Derandomized: the same examples on every run, like a fixed seed.
PROPERTY_SETTINGS = settings(
    max_examples=50, deadline=None, derandomize=True, database=None
)
# Every option of ``fit_margin(family=...)`` that yields a whole distribution.
FAMILY_OPTIONS = ["auto", EMPIRICAL, *FAMILIES, "linear", "discrete"]
# Two-sided Kolmogorov-Smirnov critical value at level 1%, times sqrt(n).
KS_CRITICAL_1PC = np.sqrt(-np.log(0.01 / 2) / 2)


def _check_distribution(margin, x):
    """A fitted margin samples finite, ordered values, gives every training
    value a finite (log) density and an ordered CDF, and none of them is novel."""
    u = np.linspace(0.0, 1.0, 201)
    draws = margin.ppf(u)
    assert np.all(np.isfinite(draws))
    assert np.all(np.diff(draws) >= 0)
    if margin.discrete:
        assert np.isin(draws, x).all()
    assert np.all(np.isfinite(margin.log_density(x)))
    lower, upper = margin.cdf_bounds(np.sort(x))
    assert np.all((lower >= 0) & (lower <= upper) & (upper <= 1 + 1e-12))
    assert np.all(np.diff(lower) >= 0) and np.all(np.diff(upper) >= 0)
    novel, log_factor = margin.novelty(x)
    assert not novel.any()
    assert np.all(np.isfinite(log_factor))


# -- ties, tiny bandwidths and tiny columns (issue 15) -------------------------


def _check_kernel_margin(margin, knots):
    """Finite, monotone CDF and quantile function, within the kernels' reach."""
    h = margin.bandwidth
    assert np.isfinite(h) and h > 0
    # Kernels are tabulated to 6 bandwidths beyond the outermost knots.
    low, high = knots.min() - 6 * h, knots.max() + 6 * h
    draws = margin.ppf(np.linspace(0.0, 1.0, 1001))
    assert np.all(np.isfinite(draws))
    assert np.all(np.diff(draws) >= 0)
    assert np.all((draws >= low) & (draws <= high))
    x = np.sort(np.r_[np.linspace(low - h, high + h, 1001), knots])
    cdf = margin.cdf(x)
    assert np.all(np.isfinite(cdf))
    assert np.all(np.diff(cdf) >= 0)
    assert cdf[0] >= 0 and cdf[-1] <= 1 + 1e-12
    assert cdf[0] < 1e-6 and cdf[-1] > 1 - 1e-6
    assert np.all(np.isfinite(margin.log_density(knots)))


@pytest.mark.parametrize(
    "knots, bandwidth",
    [
        # Issue 15: three tied knots of a standardised 6-row class.
        ([1.0, 1.0, 1.0], 1.6e-17),
        ([-0.7071067811865476] * 3, 1.6e-17),
        ([0.0, 0.0, 0.0], 0.0),
        ([0.0, 0.0, 0.0], 1e-320),
        ([1e12, 1e12, 1e12 + 1e-3], 1e-9),
        ([-1e12, 0.0, 1e12], 1e-6),
        ([1.0, 1.0 + 2e-16, 1.0 + 4e-16], 1e-30),
        ([1e-12, 2e-12, 3e-12], 1e-310),
        ([2.5], 0.1),
    ],
)
def test_empirical_margin_survives_ties_and_tiny_bandwidths(knots, bandwidth):
    knots = np.array(knots)
    margin = EmpiricalMargin.from_knots(knots, bandwidth)

    _check_kernel_margin(margin, knots)


@pytest.mark.parametrize("n_knots", [1, 3, 50])
def test_empirical_cdf_stays_monotone_across_its_table_ends(n_knots):
    # Beyond its table the CDF is the exact kernel CDF. The table started at
    # 0 and ended at 1 + 2e-10 (its kernels stop at 5 bandwidths), so the CDF
    # fell by up to ndtr(-5) = 2.9e-7 when crossing either end.
    knots = np.random.RandomState(0).normal(size=n_knots)
    margin = EmpiricalMargin.from_knots(knots, 0.3)
    start, end = margin.ppf(np.array([0.0, 1.0]))
    step = 1e-9 * margin.bandwidth
    x = np.array([start - step, start, start + step, end - step, end, end + step])

    cdf = margin.cdf(x)

    assert np.all(np.diff(cdf) >= 0)
    assert np.all((cdf > 0) & (cdf < 1))


@PROPERTY_SETTINGS
@given(
    centre=st.sampled_from([0.0, 1.0, -0.7071067811865476, 3.25e-7, 1e12, -1e12]),
    offsets=st.lists(st.integers(-3, 3), min_size=1, max_size=8),
    spacing=st.sampled_from([0.0, 1e-300, 1e-16, 1e-9, 1e-3, 1.0]),
    bandwidth=st.sampled_from([0.0, 1e-320, 1e-300, 1.6e-17, 1e-9, 1e-3, 0.3]),
)
def test_property_empirical_margin_on_near_ties(centre, offsets, spacing, bandwidth):
    knots = np.sort(centre + spacing * np.array(offsets, dtype=float))
    margin = EmpiricalMargin.from_knots(knots, bandwidth)

    _check_kernel_margin(margin, knots)


@PROPERTY_SETTINGS
@given(
    distinct=st.lists(st.integers(-50, 50), min_size=2, max_size=4, unique=True),
    picks=st.lists(st.integers(0, 3), min_size=1, max_size=6),
    standardise=st.booleans(),
    magnitude=st.sampled_from([1e-12, 1.0, 1e12]),
)
def test_property_tiny_columns_fit_every_family(
    distinct, picks, standardise, magnitude
):
    # Issue 15: a 6-row minority class whose standardised columns hold 2-4
    # distinct values crashed the held-out choice of margin.
    values = np.array(distinct, dtype=float) / 7
    x = values[np.array(picks) % values.size]
    if standardise and x.std() > 0:
        x = (x - x.mean()) / x.std()
    x = x * magnitude
    for family in FAMILY_OPTIONS:
        try:
            margin = fit_margin(x, family=family, rng=np.random.RandomState(0))
        except ValueError as exc:
            assert family in FAMILIES and "family does not fit" in str(exc)
            continue
        _check_distribution(margin, x)
    if np.unique(x).size < 3:
        return
    for family in ["auto", EMPIRICAL, *FAMILIES]:
        try:
            continuous = select_continuous(x, family, np.random.RandomState(0))
        except ValueError as exc:
            assert family in FAMILIES and "family does not fit" in str(exc)
            continue
        assert np.all(np.isfinite(continuous.log_density(x)))
        assert np.all(np.isfinite(continuous.ppf(np.linspace(0.01, 0.99, 99))))


def test_named_family_that_cannot_hold_the_values_says_so():
    x = np.array([-2.0, -1.0, 0.5, 3.0])

    with pytest.raises(ValueError, match="'lognormal' family does not fit .* > 0"):
        fit_margin(x, family="lognormal", rng=np.random.RandomState(0))


def test_fit_margin_and_select_continuous_work_with_the_default_rng():
    # Issue 15: both crashed with rng=None.
    x = np.random.RandomState(0).normal(size=300)

    assert fit_margin(x).continuous is not None
    assert select_continuous(x) is not None


@pytest.mark.parametrize("seed", [0, 10])
def test_empirical_margin_does_not_oversmooth_heavy_tails(seed):
    # Issue 15: a Student-t(3) column of 200k rows got bandwidth 0.89 and its
    # 1% / 99% quantiles at +-4.88 against +-4.54 (the bandwidth floor was
    # the knots' range over their number, which the extremes widen).
    rng = np.random.RandomState(seed)
    n = 200_000
    x = rng.standard_t(3, n)

    margin = select_continuous(x, EMPIRICAL, rng)
    draws = margin.ppf(rng.random_sample(n))

    assert margin.bandwidth < 0.2
    # Twice the two-sample critical value at 1% (n = m): about 0.0103.
    assert stats.ks_2samp(x, draws).statistic < 2 * KS_CRITICAL_1PC * np.sqrt(2 / n)
    for p in (0.01, 0.99):
        quantile = np.quantile(x, p)
        # Standard error of a sample quantile, for the difference of two.
        se = np.sqrt(2 * p * (1 - p) / n) / stats.t.pdf(quantile, 3)
        assert abs(np.quantile(draws, p) - quantile) < 4 * se


# -- a margin is a distribution ------------------------------------------------


def _spiked_column(rng, n=2000):
    """Zeros (15%) and a cap at 5 (5%) over a gamma-distributed rest."""
    rest = rng.gamma(2.0, 1.5, n)
    kind = rng.choice(3, n, p=[0.15, 0.05, 0.8])
    return np.where(kind == 0, 0.0, np.where(kind == 1, 5.0, rest))


def _midpoint_integral(log_density, grid):
    """Integral of a density by the midpoint rule: exact on a piecewise
    constant density whose breaks are in ``grid``."""
    grid = np.unique(grid)
    mid = (grid[1:] + grid[:-1]) / 2
    return np.sum(np.exp(log_density(mid)) * np.diff(grid)), mid


def _integration_grid(x, continuous, wide):
    """Fine inside the values' range, geometric out to ``wide`` beyond it,
    with the breaks of the continuous density (bounded supports, knots)."""
    low, high = x.min(), x.max()
    offsets = np.geomspace(1e-6, wide, 1001)
    breaks = continuous.ppf(np.array([0.0, 1.0]))
    if isinstance(continuous, LinearMargin):
        breaks = np.r_[breaks, continuous.knots_x]
    return np.r_[
        np.linspace(low, high, 100_001),
        low - offsets,
        high + offsets,
        breaks[np.isfinite(breaks)],
    ]


@pytest.mark.parametrize("family", FAMILY_OPTIONS)
def test_atoms_and_continuous_density_sum_to_one(family):
    rng = np.random.RandomState(0)
    x = _spiked_column(rng)

    margin = fit_margin(x, family=family, rng=rng)

    if family == "discrete":
        assert margin.continuous is None
        np.testing.assert_allclose(margin.atom_probs.sum(), 1.0, rtol=1e-12)
        # No density off the atoms.
        assert np.all(margin.log_density(np.array([0.5, -1.0, 1e3])) == -np.inf)
        return
    np.testing.assert_array_equal(margin.atoms, [0.0, 5.0])
    # Each spike gets its share of the rows.
    expected = [np.mean(x == 0), np.mean(x == 5)]
    np.testing.assert_allclose(margin.atom_probs, expected, rtol=1e-12)
    grid = _integration_grid(x, margin.continuous, wide=60 * x.std())
    integral, mid = _midpoint_integral(margin.log_density, grid)
    assert (margin.atom_index(mid) < 0).all()
    # The rule errs by ~2e-6 on the coarse steps of the tails; the wide normal
    # mixed into the density for scoring weighs 1 / (n + 1) = 6e-4.
    np.testing.assert_allclose(margin.atom_probs.sum() + integral, 1.0, atol=1e-5)


@pytest.mark.parametrize("family", ["auto", EMPIRICAL, "normal", "linear"])
def test_draws_keep_spike_shares_and_invert_the_cdf(family):
    rng = np.random.RandomState(0)
    x = _spiked_column(rng)
    margin = fit_margin(x, family=family, rng=rng)
    m = 100_000
    u = rng.random_sample(m)

    draws = margin.ppf(u)

    for atom, prob in zip(margin.atoms, margin.atom_probs, strict=True):
        se = np.sqrt(prob * (1 - prob) / m)
        assert abs(np.mean(draws == atom) - prob) < 4 * se
    # Each draw's CDF jump holds its u (the quantile function inverts F).
    lower, upper = margin.cdf_bounds(draws)
    assert np.all((lower <= u + 1e-6) & (u <= upper + 1e-6))


@pytest.mark.parametrize("family", ["normal", EMPIRICAL, "linear"])
def test_truncated_margin_draws_inside_the_range_without_pile_up(family):
    # What the copula's enforce_range does: u is rescaled into [F(low-),
    # F(high)], so no draw is clipped to a bound.
    rng = np.random.RandomState(0)
    x = rng.normal(size=1000)
    low, high = x.min(), x.max()
    margin = fit_margin(x, family=family, low=low, high=high, rng=rng)
    m = 100_000

    draws = margin.ppf(rng.random_sample(m))

    assert np.all((draws >= low) & (draws <= high))
    assert np.sum(draws == low) + np.sum(draws == high) <= 4


def test_discrete_spec_keeps_the_support_whatever_the_family():
    # A rate grid (issue 12): 8 values in 400 rows is a discrete column, so
    # its margin draws only values seen in fit.
    rng = np.random.RandomState(0)
    x = rng.choice(np.round(np.linspace(5.0, 12.5, 8), 2), 400)
    spec = numeric_spec("rate", np.dtype(float), x)
    assert spec.is_discrete

    for family in ["auto", EMPIRICAL, "normal", "linear"]:
        margin = fit_margin(x, spec, family=family, rng=rng)
        draws = margin.ppf(rng.random_sample(1000))
        assert margin.discrete and margin.continuous is None
        assert set(np.unique(draws)) <= set(np.unique(x))


@pytest.mark.parametrize("family", ["auto", "normal", "linear"])
def test_weighted_values_have_the_margin_of_their_repeats(family):
    # Weights count rows: spikes and their shares are those of the repeated
    # values, whatever the family of the rest (the piecewise-linear CDF, which
    # weights its knots, is the whole margin of the repeats).
    rng = np.random.RandomState(0)
    x = np.r_[0.0, np.round(rng.lognormal(size=300), 3)]
    weights = rng.randint(1, 4, x.size).astype(float)
    weights[0] = 400.0
    repeated = np.repeat(x, weights.astype(int))
    weighted = fit_margin(x, family=family, weights=weights, rng=0)
    plain = fit_margin(repeated, family=family, rng=0)
    np.testing.assert_array_equal(weighted.atoms, [0.0])
    np.testing.assert_allclose(weighted.atom_probs, plain.atom_probs)
    if family == "linear":
        grid = np.linspace(-1.0, repeated.max() + 1.0, 200)
        np.testing.assert_allclose(
            weighted.cdf_bounds(grid)[0], plain.cdf_bounds(grid)[0]
        )


@pytest.mark.parametrize("family", ["auto", "linear"])
def test_heavily_weighted_distinct_values_stay_continuous(family):
    # A sample of a large table weighs each row by the rows it stands for;
    # distinct values each seen once are a continuous column however large
    # their weights (taken for repeats, they became thousands of atoms and
    # made the KDE over-sampler's sampling four times slower at 1M rows).
    rng = np.random.RandomState(0)
    x = rng.normal(size=5000)
    weights = np.where(rng.rand(x.size) < 0.2, 1.0, 20.0)
    margin = fit_margin(x, family=family, weights=weights, rng=0)
    assert not margin.discrete
    assert margin.atoms.size == 0
    assert margin.continuous is not None


def _linear_margin(rng, n=500):
    x = rng.lognormal(0.0, 0.7, n)
    values, counts = np.unique(x, return_counts=True)
    return x, LinearMargin.fit(values, counts, max_knots=200)


def test_linear_margin_density_integrates_to_one_with_its_tails():
    rng = np.random.RandomState(0)
    x, linear = _linear_margin(rng)
    wide = 80 * linear.tail_scale

    integral, _ = _midpoint_integral(
        linear.log_density, _integration_grid(x, linear, wide)
    )

    np.testing.assert_allclose(integral, 1.0, atol=1e-8)
    np.testing.assert_allclose(
        linear.cdf(np.array([-np.inf, linear.low, linear.high, np.inf])),
        [0.0, linear.tail_mass, 1 - linear.tail_mass, 1.0],
        rtol=1e-12,
    )


def test_linear_margin_quantile_function_inverts_its_cdf():
    rng = np.random.RandomState(0)
    x, linear = _linear_margin(rng)
    inside = np.r_[x, rng.uniform(linear.low, linear.high, 1000)]
    beyond = np.r_[linear.low - rng.exponential(1.0, 100), linear.high + 10.0]

    for values in (inside, beyond):
        np.testing.assert_allclose(linear.ppf(linear.cdf(values)), values, rtol=1e-9)
    u = np.linspace(0.0, 1.0, 1001)[1:-1]
    np.testing.assert_allclose(linear.cdf(linear.ppf(u)), u, atol=1e-12)


def test_linear_margin_log_tails_are_finite_far_out():
    rng = np.random.RandomState(0)
    _, linear = _linear_margin(rng)
    far = np.array([-1e6, 1e6])

    assert np.all(np.isfinite(linear.log_cdf(far)))
    assert np.all(np.isfinite(linear.log_sf(far)))
    assert np.all(np.isfinite(linear.log_density(far)))
    # Exact exponential tails: log F decays linearly, at rate 1 / tail_scale.
    np.testing.assert_allclose(
        linear.log_cdf(far[:1]),
        np.log(linear.tail_mass) + (-1e6 - linear.low) / linear.tail_scale,
    )
    x = np.r_[np.linspace(linear.low - 5, linear.high + 5, 1001)]
    cdf = linear.cdf(x)
    fine = (cdf > 1e-300) & (cdf < 1 - 1e-12)
    np.testing.assert_allclose(linear.log_cdf(x)[fine], np.log(cdf[fine]), rtol=1e-9)
    np.testing.assert_allclose(
        linear.log_sf(x)[fine], np.log1p(-cdf[fine]), rtol=1e-9, atol=1e-12
    )


# -- novelty: values the model cannot produce ---------------------------------


def _total_mass(outcomes, log_factor_of, missing_rate):
    """Probability of every outcome of a column, novel ones included.

    ``outcomes``: (value, model probability) of the seen values; the novel
    numbers' mass is integrated by the caller. A column with missing values
    models them itself (factor 1), one without gives them the novel share.
    """
    values, probs = outcomes
    present = np.sum(probs * np.exp(log_factor_of(values)))
    missing = np.exp(log_factor_of(np.array([np.nan])))[0]
    return present, missing_rate * missing if missing_rate > 0 else missing


@pytest.mark.parametrize("n_missing", [0, 7])
def test_discrete_margin_novelty_factors_sum_to_one(n_missing):
    rng = np.random.RandomState(0)
    x = rng.poisson(4.0, 60).astype(float)
    n_rows = x.size + n_missing
    margin = fit_margin(x, family="discrete", n_rows=n_rows)
    e = 1 / (n_rows + 1)
    present_factor = np.log1p(-e) if n_missing == 0 else 0.0

    novel, log_factor = margin.novelty(margin.atoms)
    assert not novel.any()
    np.testing.assert_allclose(log_factor, np.log1p(-e) + present_factor)

    unseen = np.array([-3.0, 0.5, np.max(x) + 1.5, 1e3])
    novel, log_factor = margin.novelty(unseen)
    assert novel.all()
    # Drawn, with probability e, from a normal of the atoms' mean and three
    # times their standard deviation.
    expected = np.log(e) + stats.norm.logpdf(unseen, x.mean(), 3 * x.std())
    np.testing.assert_allclose(log_factor, expected + present_factor)

    novel, log_factor = margin.novelty(np.array([np.nan]))
    assert novel[0] == (n_missing == 0)
    np.testing.assert_allclose(log_factor, np.log(e) if n_missing == 0 else 0.0)

    def factor(v):
        return margin.novelty(v)[1]

    seen, missing = _total_mass(
        (margin.atoms, margin.atom_probs), factor, margin.missing_rate
    )
    grid = np.linspace(-200.0, 200.0, 400_001) + np.pi / 1000
    novel_mass, mid = _midpoint_integral(factor, grid)
    assert (margin.atom_index(mid) < 0).all()
    total = missing + (1 - margin.missing_rate) * (seen + novel_mass)
    np.testing.assert_allclose(total, 1.0, atol=1e-9)


@pytest.mark.parametrize("n_missing", [0, 7])
def test_continuous_margin_present_values_are_never_novel(n_missing):
    rng = np.random.RandomState(0)
    x = rng.normal(size=200)
    n_rows = x.size + n_missing
    margin = fit_margin(x, n_rows=n_rows, rng=rng)
    e = novelty_share(n_rows)
    values = np.r_[x, np.linspace(-50, 50, 101), np.nan]

    novel, log_factor = margin.novelty(values)

    # Present values keep the continuous density (tails included); only a
    # missing value of a column without any is novel.
    assert novel.tolist() == [False] * (values.size - 1) + [n_missing == 0]
    expected = np.log1p(-e) if n_missing == 0 else 0.0
    np.testing.assert_allclose(log_factor[:-1], expected)
    np.testing.assert_allclose(log_factor[-1], np.log(e) if n_missing == 0 else 0.0)


@pytest.mark.parametrize("n_missing", [0, 4])
def test_level_margin_novelty_factors_sum_to_one(n_missing):
    rng = np.random.RandomState(0)
    # Four levels, the last never seen in these rows.
    codes = np.r_[rng.randint(0, 3, 40).astype(float), np.full(n_missing, np.nan)]
    margin = fit_level_margin(codes, 4)
    e = 1 / (codes.size + 1)
    present_factor = np.log1p(-e) if n_missing == 0 else 0.0

    novel, log_factor = margin.novelty(np.array([0.0, 1.0, 2.0]))
    assert not novel.any()
    np.testing.assert_allclose(log_factor, np.log1p(-e) + present_factor)
    # An unseen category (-1), a level absent from the rows, a code beyond.
    novel, log_factor = margin.novelty(np.array([-1.0, 3.0, 9.0]))
    assert novel.all()
    np.testing.assert_allclose(log_factor, np.log(e) + present_factor)

    def factor(v):
        return margin.novelty(v)[1]

    seen, missing = _total_mass(
        (np.arange(4.0), margin.probs), factor, margin.missing_rate
    )
    unseen = np.exp(factor(np.array([-1.0])))[0]
    total = missing + (1 - margin.missing_rate) * (seen + unseen)
    np.testing.assert_allclose(total, 1.0, rtol=1e-12)


def test_column_novelty_combines_the_columns():
    rng = np.random.RandomState(0)
    n = 30
    counts = rng.poisson(2.0, n).astype(float)
    codes = rng.randint(0, 2, n).astype(float)
    margins = [
        fit_margin(counts, family="discrete"),
        None,
        fit_level_margin(codes, 3),
    ]
    values = np.array(
        [
            [counts[0], 0.5, codes[0]],  # seen everywhere
            [100.0, 0.5, codes[0]],  # unseen count
            [counts[0], np.nan, 2.0],  # level never seen
            [np.nan, 0.5, np.nan],  # missing where there were none
        ]
    )

    novel, log_factor = column_novelty(margins, values, [0, 1, 2])

    expected_novel = np.array(
        [[False] * 3, [True, False, False], [False, False, True], [True, False, True]]
    )
    np.testing.assert_array_equal(novel, expected_novel)
    expected = margins[0].novelty(values[:, 0])[1] + margins[2].novelty(values[:, 2])[1]
    np.testing.assert_allclose(log_factor, expected)
    # Columns left out of ``columns`` are not scored.
    novel, log_factor = column_novelty(margins, values, [0])
    assert not novel[:, 2].any()
    np.testing.assert_allclose(log_factor, margins[0].novelty(values[:, 0])[1])


# -- normal scores ---------------------------------------------------------------


def _score_map(kind, rng, n=3000):
    """A column and its map to normal scores, fitted as the kernel density does."""
    if kind == "continuous":
        x = rng.normal(10.0, 3.0, n)
    elif kind == "spiked":
        # Zeros at the minimum, a cap at the maximum.
        x = np.minimum(np.where(rng.rand(n) < 0.3, 0.0, rng.exponential(2.0, n)), 6.0)
    else:
        x = rng.poisson(3.0, n).astype(float)
    family = "discrete" if kind == "discrete" else "linear"
    linear = {"max_knots": 2000, "tail_mass": 0.25 / (n + 1)}
    return x, NormalScores(fit_margin(x, family=family, linear=linear))


@pytest.mark.parametrize("kind", ["continuous", "spiked", "discrete"])
@pytest.mark.parametrize("enforce_range", [False, True])
def test_normal_scores_round_trip_training_values(kind, enforce_range):
    rng = np.random.RandomState(0)
    x, score_map = _score_map(kind, rng)
    x = np.r_[x, np.nan]

    back = score_map.from_scores(score_map.to_scores(x), enforce_range)

    atom = score_map.margin.atom_index(x) >= 0
    np.testing.assert_array_equal(back[atom], x[atom])
    np.testing.assert_allclose(back[:-1], x[:-1], rtol=1e-9)
    assert np.isnan(back[-1])


@pytest.mark.parametrize("kind", ["continuous", "spiked", "discrete"])
def test_normal_scores_enforce_range_without_pile_up_at_the_bounds(kind):
    rng = np.random.RandomState(0)
    x, score_map = _score_map(kind, rng)
    margin = score_map.margin
    m = 200_000

    draws = score_map.from_scores(rng.standard_normal(m), enforce_range=True)

    assert np.all((draws >= x.min()) & (draws <= x.max()))
    for bound in (x.min(), x.max()):
        index = margin.atom_index(np.array([bound]))[0]
        prob = margin.atom_probs[index] if index >= 0 else 0.0
        tolerance = 4 * np.sqrt(max(prob * (1 - prob), 1 / m) / m)
        assert abs(np.mean(draws == bound) - prob) <= tolerance


@pytest.mark.parametrize("kind", ["continuous", "spiked"])
def test_normal_scores_query_is_a_density_finite_far_out(kind):
    rng = np.random.RandomState(0)
    x, score_map = _score_map(kind, rng)
    margin = score_map.margin

    z, is_atom, _, _, log_jacobian = score_map.query(np.array([-1e9, 1e9]))
    assert not is_atom.any()
    assert np.all(np.isfinite(z)) and z[0] < z[1]
    assert np.all(np.isfinite(log_jacobian))

    def log_density(v):
        z, _, _, _, log_jacobian = score_map.query(v)
        return stats.norm.logpdf(z) + log_jacobian

    wide = 80 * margin.continuous.tail_scale
    integral, mid = _midpoint_integral(
        log_density, _integration_grid(x, margin.continuous, wide)
    )
    assert (margin.atom_index(mid) < 0).all()
    np.testing.assert_allclose(integral, margin.continuous_prob, atol=1e-6)


@pytest.mark.parametrize("kind", ["spiked", "discrete"])
def test_normal_scores_atom_intervals_hold_their_probability(kind):
    rng = np.random.RandomState(0)
    _, score_map = _score_map(kind, rng)
    margin = score_map.margin

    z, is_atom, z_low, z_high, log_jacobian = score_map.query(margin.atoms)

    assert is_atom.all()
    assert np.all((z_low <= z) & (z <= z_high))
    np.testing.assert_allclose(ndtr(z_high) - ndtr(z_low), margin.atom_probs)
    np.testing.assert_array_equal(log_jacobian, 0.0)


@pytest.mark.parametrize("kind", ["continuous", "spiked", "discrete"])
def test_centre_scores_spread_atoms_and_keep_their_values(kind):
    rng = np.random.RandomState(0)
    x, score_map = _score_map(kind, rng)
    x = np.r_[x, np.nan]
    z = score_map.to_scores(x)

    centres = score_map.centre_scores(x, np.random.RandomState(1), 8)

    atom = score_map.margin.atom_index(x) >= 0
    # Values off the atoms, and missing ones, keep their scores; an atom's
    # centres take at most 8 points inside its interval and decode to it.
    np.testing.assert_array_equal(centres[~atom], z[~atom])
    if atom.any():
        assert not np.array_equal(centres[atom], z[atom])
        for value in np.unique(x[atom]):
            assert np.unique(centres[x == value]).size <= 8
    np.testing.assert_array_equal(score_map.from_scores(centres, True)[atom], x[atom])
    # Query rows are encoded with atoms at their middles.
    np.testing.assert_allclose(score_map.atom_middles(centres), z, equal_nan=True)
    # Spread, the scores of a column of ties are standard normal (the middle
    # of a large atom is not).
    observed = centres[~np.isnan(centres)]
    assert abs(observed.mean()) < 4 / np.sqrt(observed.size)
    assert abs(observed.std() - 1) < 0.05


def test_normal_scores_beyond_a_discrete_range_do_not_depend_on_the_batch_size():
    # Batches of 20,000 values and more take the cell look-up, which clipped
    # values beyond the table onto the zero-width segment of its end atom:
    # 20,000 copies of a value above the range scored 2.88, one copy +inf.
    x = np.random.RandomState(0).poisson(3.0, 500).astype(float)
    score_map = NormalScores(fit_margin(x, family="discrete"))
    values = np.array([-5.0, 100.0])

    few = score_map.to_scores(values)
    many = score_map.to_scores(np.repeat(values, 10_000))

    np.testing.assert_array_equal(many[[0, -1]], few)


@pytest.mark.parametrize(
    "draw",
    [
        lambda rng, n: rng.poisson(2.0, n),
        lambda rng, n: rng.rand(n) < 0.2,
        lambda rng, n: rng.choice([-1.5, 0.0, 7.0], n, p=[0.6, 0.3, 0.1]),
        lambda rng, n: rng.normal(size=n),
    ],
    ids=["poisson", "binary", "three-values", "continuous"],
)
def test_normal_scores_of_ties_are_standard_normal_and_keep_the_order(draw):
    rng = np.random.RandomState(0)
    n = 5000
    x = draw(rng, n).astype(float)
    ties = Ties.of(x)

    z = normal_scores(ties, rng)

    assert abs(z.mean()) < 4 / np.sqrt(n)
    assert abs(z.std() - 1) < 4 / np.sqrt(2 * n)
    assert stats.kstest(z, "norm").statistic < KS_CRITICAL_1PC / np.sqrt(n)
    # Every score of a value lies below every score of a larger value.
    order = np.argsort(x, kind="stable")
    starts = np.r_[0, np.cumsum(ties.counts)[:-1]]
    low = np.minimum.reduceat(z[order], starts)
    high = np.maximum.reduceat(z[order], starts)
    assert np.all(high[:-1] < low[1:])


# -- table look-ups ----------------------------------------------------------------


def _increments(high, max_size):
    """Steps of an increasing table: zero (a repeated knot) or 1e-9 to ``high``."""
    return st.lists(
        st.just(0.0) | st.floats(1e-9, high, allow_subnormal=False),
        min_size=1,
        max_size=max_size,
    )


@PROPERTY_SETTINGS
@given(
    steps=_increments(1e3, 40),
    start=st.floats(-1e6, 1e6),
    fp=st.lists(st.floats(-1e6, 1e6), min_size=41, max_size=41),
    seed=st.integers(0, 2**16),
)
def test_property_cell_interp_equals_np_interp(steps, start, fp, seed):
    # Increasing tables, with repeated knots (an atom's two ends in the normal
    # scores' table); many values take the cell look-up.
    xp = start + np.r_[0.0, np.cumsum(steps)]
    assume(xp[-1] > xp[0])
    fp = np.array(fp[: xp.size])
    rng = np.random.RandomState(seed)
    span = xp[-1] - xp[0]
    # Values inside, on the knots, and beyond each end.
    x = np.r_[
        rng.uniform(xp[0] - span, xp[-1] + span, 20_000),
        xp,
        xp[0] - 1e9,
        xp[-1] + 1e9,
    ]
    # np.interp picks either side of a jump at a repeated knot.
    x = x[~np.isin(x, xp[1:][np.diff(xp) == 0])]
    expected = np.interp(x, xp, fp)
    tolerance = 1e-9 * max(np.max(np.abs(fp)), 1.0)

    np.testing.assert_allclose(CellInterp(xp, fp)(x.copy()), expected, atol=tolerance)
    cache = {}
    np.testing.assert_allclose(interp(x, xp, fp, cache, "k"), expected, atol=tolerance)
    assert isinstance(cache["k"], CellInterp)
    np.testing.assert_allclose(interp(x, xp, fp, cache, "k"), expected, atol=tolerance)
    np.testing.assert_array_equal(interp(x[:100], xp, fp), expected[:100])


# A margin in plain words (the demo's printout)


def _parametric(family, **params):
    from sksynth._margins import ColumnMargin, ParametricMargin

    return ColumnMargin([], [], ParametricMargin(family, params))


@pytest.mark.parametrize(
    "value, text",
    [
        (925.4321, "925.4"),
        (36940.2, "36,940"),
        (0.012891, "0.01289"),
        (17.0, "17"),
        (-3.5, "-3.5"),
        (0.0, "0"),
        (2.5e-7, "2.5e-07"),
        (3.1e12, "3.1e+12"),
    ],
)
def test_plain_number(value, text):
    from sksynth._margins import plain_number

    assert plain_number(value) == text


def test_plain_words_of_a_normal_margin_name_mean_and_spread():
    from sksynth._margins import plain_words

    text = plain_words(_parametric("normal", loc=21.29, scale=3.808))
    assert text == (
        "symmetric bell curve around 21.29; two thirds of the values within "
        "±3.808 of it (17.48 to 25.1)"
    )


def test_plain_words_of_a_lognormal_margin_name_median_and_factor():
    from sksynth._margins import plain_words

    text = plain_words(_parametric("lognormal", s=0.3742, loc=0.0, scale=925.4))
    # exp(0.3742) = 1.4538: two thirds between 925.4 / 1.4538 and 925.4 * 1.4538.
    assert text == (
        "skewed to the right, median 925.4; two thirds of the values within a "
        "factor 1.45 of it (636.5 to 1,345)"
    )


@pytest.mark.parametrize(
    "family, params",
    [
        ("normal", {"loc": 5.0, "scale": 2.0}),
        ("lognormal", {"s": 0.6, "loc": 0.0, "scale": 40.0}),
    ],
)
def test_plain_words_two_thirds_hold_two_thirds_of_the_draws(family, params):
    """The interval the words give holds about 68 % of the margin's draws."""
    from sksynth._margins import plain_words

    margin = _parametric(family, **params)
    low, high = (
        float(value.replace(",", ""))
        for value in re.search(
            r"\(([-\d.,]+) to ([-\d.,]+)\)", plain_words(margin)
        ).groups()
    )
    n_draws = 20_000
    draws = margin.ppf(np.random.RandomState(0).uniform(size=n_draws))
    inside = np.mean((draws >= low) & (draws <= high))
    expected = ndtr(1.0) - ndtr(-1.0)
    # Four significant digits in the words, and four binomial standard errors.
    assert (
        abs(inside - expected) < 4 * np.sqrt(expected * (1 - expected) / n_draws) + 0.01
    )


def test_plain_words_of_other_shapes():
    from sksynth._margins import plain_words

    assert plain_words(_parametric("uniform", loc=18.0, scale=61.0)) == (
        "spread evenly between 18 and 79"
    )
    assert plain_words(_parametric("exponential", loc=0.0, scale=3.0)) == (
        "most values near 0, fewer and fewer above: mean 3"
    )
    gamma = plain_words(_parametric("gamma", a=4.0, loc=0.0, scale=0.5))
    median = stats.gamma(4.0, scale=0.5).median()
    assert gamma.startswith(
        f"skewed to the right: median {median:.4g}, the middle half"
    )
    beta = plain_words(_parametric("beta", a=5.0, b=1.5, loc=0.0, scale=10.0))
    assert beta.startswith("between 0 and 10, skewed to the left: median")
    heavy = plain_words(_parametric("student_t", df=3.0, loc=1.0, scale=1.0))
    assert heavy.startswith("symmetric, with more extreme values than a bell curve")


def test_plain_words_of_spikes_discrete_values_and_missing_values():
    from sksynth._margins import plain_words

    rng = np.random.RandomState(0)
    x = rng.lognormal(10, 0.5, 1000)
    x[:105] = 0.0  # a spike at zero: 10.5 % of the rows
    spiked = fit_margin(x, rng=rng)
    assert spiked.atoms.tolist() == [0.0]
    assert plain_words(spiked).endswith("; spikes: 10.5 % exactly 0")

    grades = fit_margin(np.repeat([1.0, 2.0, 3.0], [500, 300, 200]), rng=rng)
    assert plain_words(grades) == (
        "only the 3 values seen in fit, from 1 to 3; most common 1 (50 %), "
        "2 (30 %), 3 (20 %)"
    )
    spiked.missing_rate = 0.05
    assert plain_words(spiked).endswith("; 5 % missing")


def test_plain_words_of_an_empirical_margin_say_there_is_no_formula():
    from sksynth._margins import plain_words

    rng = np.random.RandomState(0)
    bimodal = np.concatenate([rng.normal(-4, 1, 500), rng.normal(4, 1, 500)])
    margin = fit_margin(bimodal, family=EMPIRICAL, rng=rng)
    text = plain_words(margin)
    assert text.startswith("shape taken from the data (no formula): median ")
    quartiles = np.percentile(bimodal, [25, 75])
    low, high = (
        float(v) for v in re.search(r"between ([-\d.]+) and ([-\d.]+)", text).groups()
    )
    # Quartiles of 1000 values: within a few tenths of the data's.
    assert abs(low - quartiles[0]) < 0.3 and abs(high - quartiles[1]) < 0.3


def test_average_normal_scores_share_one_score_per_value_in_rank_order():
    rng = np.random.RandomState(0)
    x = np.array([3.0, 1.0, 1.0, 2.0, 3.0, 3.0, 0.5])
    ties = Ties.of(x)

    z = normal_scores(ties, rng, "average")

    # Mean ranks among 7 rows: 0.5 -> 1, 1 -> 2.5, 2 -> 4, 3 -> 6.
    ranks = {0.5: 1.0, 1.0: 2.5, 2.0: 4.0, 3.0: 6.0}
    expected = stats.norm.ppf([ranks[v] / 8 for v in x])
    np.testing.assert_allclose(z, expected)
    # No randomness: another generator gives the same scores.
    np.testing.assert_array_equal(
        z, normal_scores(ties, np.random.RandomState(1), "average")
    )


def _exact_score_map(z, u, x):
    """``np.interp(Phi(z), u, x)``, above the median through ``1 - u`` and
    ``Phi(-z)``: near 1 the CDF's rounding, times a steep table's slope,
    would be the error measured."""
    upper = z > 0
    out = np.interp(ndtr(z), u, x)
    out[upper] = np.interp(ndtr(-z[upper]), (1 - u)[::-1], x[::-1])
    return out


@PROPERTY_SETTINGS
@given(
    du=_increments(1.0, 60),
    dx=st.lists(st.just(0.0) | st.floats(0.0, 1e3), min_size=60, max_size=60),
    ends=st.tuples(
        st.sampled_from([0.0, 1e-15, 1e-9, 1e-4]),
        st.sampled_from([0.0, 1e-15, 1e-9, 1e-4]),
    ),
    seed=st.integers(0, 2**16),
)
def test_property_score_pieces_equal_the_normal_cdf_and_table(du, dx, ends, seed):
    # Tables as the normal scores build them: increasing CDF values (repeated
    # at an atom's value) from near 0 to near 1, non-decreasing values (flat
    # on an atom). The pieces give the values of the normal CDF and the
    # table up to rounding: within 1e-12 of the table's span.
    u = np.cumsum(np.r_[0.0, du])
    u = ends[0] + (1 - ends[0] - ends[1]) * u / max(u[-1], 1e-300)
    assume(u[-1] > u[0])
    x = np.cumsum(np.r_[0.0, dx[: u.size - 1]])
    pieces = _ScorePieces.of(u, x)
    if pieces is None:
        # Fewer than two distinct finite scores: CDF values of 0 and 1 and
        # at most one other.
        assert np.unique(u[(u > 0) & (u < 1)]).size < 2
        return
    rng = np.random.RandomState(seed)
    z = np.r_[
        rng.uniform(pieces.low, pieces.high, 20_000),
        rng.normal(size=20_000).clip(pieces.low, pieces.high),
        pieces.low,
        pieces.high,
    ]
    expected = _exact_score_map(z, u, x)
    span = max(x[-1] - x[0], 1e-300)
    # A value at a jump of the table (repeated CDF values) may take either
    # side, and so may one a rounding away from it.
    jumps = u[1:][np.diff(u) == 0]
    jump = np.isclose(ndtr(z)[:, None], jumps, rtol=1e-12, atol=0).any(axis=1)
    # Both carry the rounding of a CDF value (an ulp of 1/2 at the median),
    # times the table's slope.
    rising = np.diff(u) > 0
    steep = np.max(np.diff(x)[rising] / np.diff(u)[rising], initial=0.0)
    tolerance = 1e-12 * span + 4 * np.spacing(0.5) * steep
    np.testing.assert_allclose(
        pieces(z)[~jump], expected[~jump], rtol=0, atol=tolerance
    )
    assert np.all(np.diff(pieces(np.sort(z))) >= -tolerance)


def test_score_pieces_keep_tail_values_to_rounding():
    # The widest pieces and the largest Taylor remainders are far in the
    # tails: a table of a million rows reaches beyond z = 5.
    u = np.r_[5e-7, np.linspace(1e-3, 1 - 1e-3, 999), 1 - 5e-7]
    x = stats.lognorm.ppf(u, 1.0)
    pieces = _ScorePieces.of(u, x)
    z = np.linspace(pieces.low, pieces.high, 200_001)
    expected = _exact_score_map(z, u, x)
    np.testing.assert_allclose(pieces(z), expected, rtol=0, atol=1e-12 * np.ptp(x))
    # Every piece is at most as wide as the rule allows, so tails hold many.
    assert np.diff(pieces.lookup.xp).max() < 0.1
