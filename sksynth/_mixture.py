"""Latent-class mixture synthesizer: many simple components, columns independent
inside each."""

from dataclasses import dataclass
from numbers import Integral, Real

import numpy as np
from scipy import sparse
from sklearn.utils._param_validation import Interval, StrOptions

from ._base import BaseSynthesizer, impossible_conditions_error
from ._data import INTEGER, MAX_DISCRETE_LEVELS, is_spike
from ._docstring import synthesizer_docstring
from ._margins import Ties, fit_level_margin, fit_margin
from ._progress import Progress
from .constraints._linked import LINKED_COLUMNS_PARAMETER

# An integer column with more distinct values than this, or with values that
# repeat less than twice on average, is binned as a continuous one (and
# rounded back by the data layer).
_MAX_INTEGER_LEVELS = 1000
# Knots of the piecewise-linear CDF of the continuous part of a column: at
# most this many, about one per this many rows.
_N_KNOTS = 1000
_ROWS_PER_KNOT = 10
# Held-out rows of the search over ``n_components="auto"``, at most.
_VALIDATION_SHARE = 0.2
_MAX_VALIDATION_ROWS = 10_000
_MAX_AUTO_COMPONENTS = 512
# Noise (on the log scale) that sets the two halves of a split component apart.
_SPLIT_NOISE = 0.5
# Floor of a component's expected row count in its weight, so that no weight
# is exactly zero.
_WEIGHT_FLOOR = 1e-3
# Rows per block of the E-step over the whole data after subsampled EM.
_CHUNK_ROWS = 65_536
_FULL_PASSES = 2


# -- columns as categorical outcomes ------------------------------------------
# Every column becomes a categorical variable inside the model: categories,
# levels of discrete numbers, bins of the others (spikes in bins of their
# own), plus "missing". A coder maps observed values to these outcome codes
# and gives the log density of the value inside its outcome, which is the
# same for every component; ``sample`` draws values inside outcomes.


class _LevelCoder:
    """Categories, booleans and numbers with few distinct values: one outcome
    per level, values off the levels have no outcome."""

    def __init__(self, levels):
        self.levels = np.asarray(levels, dtype=float)
        self.n_outcomes = self.levels.size
        # Categorical codes are their own outcomes.
        self._are_codes = np.array_equal(self.levels, np.arange(self.levels.size))

    def encode(self, x):
        if self._are_codes:
            index = x.astype(np.int64)
            found = (index >= 0) & (index < self.levels.size) & (index == x)
        elif self.levels.size:
            index = np.searchsorted(self.levels, x).clip(0, self.levels.size - 1)
            found = self.levels[index] == x
        else:
            found = np.zeros(x.shape, dtype=bool)
            index = found.astype(np.int64)
        return np.where(found, index, -1), np.where(found, 0.0, -np.inf)

    def sample(self, codes, rng):
        return self.levels[codes]


class _BinnedValuesCoder:
    """A column of many distinct values on a grid: bins of consecutive values.

    Inside a bin, values keep their training frequencies. For an integer
    column (``uniform=True``) they are mixed with a uniform share
    ``1 / (n_bin + 1)`` over the whole numbers the bin spans, so that whole
    numbers not seen in ``fit`` keep a positive probability, and values
    outside the training range get a geometric tail (see ``_Tails``); a
    discrete column (``uniform=False``) draws only its values.
    """

    def __init__(self, values, counts, n_bins, uniform=True):
        shares = counts / counts.sum()
        spike = is_spike(shares)
        bins = _contiguous_bins(shares, spike, n_bins)
        starts = np.flatnonzero(np.r_[True, np.diff(bins) > 0])
        self.values = values
        self.low = values[starts]
        self.high = np.r_[self.low[1:] - 1, values[-1]]
        bin_counts = np.add.reduceat(counts, starts)
        self.bin_start = np.r_[0.0, np.cumsum(counts)][starts]
        self.bin_counts = bin_counts
        self.cum_counts = np.cumsum(counts)
        self.counts = counts
        width = self.high - self.low + 1
        n_distinct = np.diff(np.r_[starts, values.size])
        self.uniform_share = np.where(
            uniform & (width > n_distinct), 1 / (bin_counts + 1), 0.0
        )
        self.width = width
        self.n_outcomes = starts.size
        self.tails = _Tails(values, counts, integer=True)

    def encode(self, x):
        in_range = (x >= self.values[0]) & (x <= self.values[-1])
        inside = np.where(in_range, x, self.values[0])
        codes = np.searchsorted(self.low, inside, side="right") - 1
        index = np.minimum(np.searchsorted(self.values, inside), self.values.size - 1)
        seen = self.values[index] == inside
        observed_share = (
            np.where(seen, self.counts[index], 0.0) / self.bin_counts[codes]
        )
        share = self.uniform_share[codes]
        with np.errstate(divide="ignore"):
            log_within = np.log(
                (1 - share) * observed_share + share / self.width[codes]
            )
        return self.tails.apply(x, in_range, codes, log_within)

    def sample(self, codes, rng):
        u = rng.random_sample(codes.size)
        position = self.bin_start[codes] + u * self.bin_counts[codes]
        index = np.minimum(
            np.searchsorted(self.cum_counts, position, side="right"),
            self.values.size - 1,
        )
        uniform = self.low[codes] + np.floor(
            rng.random_sample(codes.size) * self.width[codes]
        )
        return np.where(
            rng.random_sample(codes.size) < self.uniform_share[codes],
            uniform,
            self.values[index],
        )


class _ContinuousCoder:
    """Numbers with many distinct values: spikes, and quantile bins of the rest.

    The column's margin (see ``sksynth._margins``) holds the spikes (values
    held by many rows, such as zeros or a cap), outcomes of their own, and a
    piecewise-linear CDF ``H`` of the other values through some of their
    quantiles (one per ten rows, at most 1000), with exponential tails. The
    bins are ``n_bins`` intervals of equal mass under ``H``; inside a bin the
    density is ``H``'s, times the number of bins. Values outside the range of
    ``H`` have no outcome: they get the tail's density, the same under every
    component. Sampling stays inside the range.
    """

    def __init__(self, margin, n_bins):
        self.margin = margin
        self.spikes = margin.atoms
        self.linear = margin.continuous
        self.n_bins = int(min(n_bins, self.linear.knots_x.size - 1))
        self.n_outcomes = self.spikes.size + self.n_bins
        self._log_inside = np.log1p(-2 * self.linear.tail_mass)

    def encode(self, x):
        linear = self.linear
        in_range = (x >= linear.low) & (x <= linear.high)
        inside = np.where(in_range, x, linear.low)
        u = linear.inner_cdf(inside)
        codes = self.spikes.size + np.minimum(
            (u * self.n_bins).astype(int), self.n_bins - 1
        )
        log_within = linear.inner_log_density(inside) + np.log(self.n_bins)
        if self.spikes.size:
            index = self.margin.atom_index(x)
            on_spike = index >= 0
            codes = np.where(on_spike, index, codes)
            log_within = np.where(on_spike, 0.0, log_within)
            in_range |= on_spike
        log_within = np.where(in_range, log_within + self._log_inside, 0.0)
        outside = ~in_range
        log_within[outside] = linear.log_density(x[outside])
        return np.where(in_range, codes, -1), log_within

    def sample(self, codes, rng):
        n_spikes = self.spikes.size
        bins = np.maximum(codes - n_spikes, 0)
        u = (bins + rng.random_sample(codes.size)) / self.n_bins
        values = np.interp(u, self.linear.knots_u, self.linear.knots_x)
        if n_spikes:
            values = np.where(
                codes < n_spikes, self.spikes[np.minimum(codes, n_spikes - 1)], values
            )
        return values


class _Tails:
    """Density of values outside the training range, used by ``score_samples``.

    Each side holds a share ``1 / (n + 1)`` of the column's mass, decaying
    exponentially (geometrically for integers) with the column's standard
    deviation as scale; values in the range lose that share. Such values have
    no outcome in the components: the tail is the same for all of them.
    Sampling stays inside the range.
    """

    def __init__(self, values, counts, integer):
        n = counts.sum()
        mean = np.sum(values * counts) / n
        spread = np.sqrt(np.sum(counts * (values - mean) ** 2) / n)
        self.scale = spread if spread > 0 else max(abs(values[0]), 1.0) * 1e-3
        self.low, self.high = values[0], values[-1]
        self.log_share = -np.log(n + 1)
        self.integer = integer

    def apply(self, x, in_range, codes, log_within):
        log_within = log_within + np.log1p(-2 * np.exp(self.log_share))
        outside = np.flatnonzero(~in_range)
        if outside.size:
            log_within[outside] = self.log_share + self._log_tail(x[outside])
        return np.where(in_range, codes, -1), log_within

    def _log_tail(self, x):
        distance = np.where(x < self.low, self.low - x, x - self.high)
        if not self.integer:
            return -np.log(self.scale) - distance / self.scale
        log_tail = np.log(-np.expm1(-1 / self.scale)) - (distance - 1) / self.scale
        return np.where(x == np.round(x), log_tail, -np.inf)


def _contiguous_bins(shares, spike, n_bins):
    """Bin index of each sorted value: spikes alone, the others in runs of
    about equal mass, never across a spike."""
    rest = np.where(spike, 0.0, shares)
    total = rest.sum()
    mid = (np.cumsum(rest) - rest / 2) / (total if total > 0 else 1.0)
    group = np.minimum((mid * n_bins).astype(int), n_bins - 1)
    new_bin = np.r_[True, (group[1:] != group[:-1]) | spike[1:] | spike[:-1]]
    return np.cumsum(new_bin) - 1


@dataclass(eq=False)
class _Column:
    """One column of the model: its coder, the code of "missing", and its
    margin (the column model, for novel values)."""

    coder: object
    missing_code: int  # -1 when the column had no missing values in fit
    margin: object = None

    @property
    def n_outcomes(self):
        return self.coder.n_outcomes + (self.missing_code >= 0)

    def encode(self, x):
        """Outcome codes (-1: none) and log densities inside the outcomes."""
        missing = np.isnan(x)
        codes = np.full(x.shape, -1)
        log_within = np.zeros(x.shape)
        observed = ~missing
        codes[observed], log_within[observed] = self.coder.encode(x[observed])
        if self.missing_code >= 0:
            codes[missing] = self.missing_code
        else:
            log_within[missing] = -np.inf
        return codes, log_within

    def sample(self, codes, rng):
        values = np.full(codes.shape, np.nan)
        observed = codes != self.missing_code
        values[observed] = self.coder.sample(codes[observed], rng)
        return values


def _condition_table(model, conditions):
    """Log-likelihood of ``{column: encoded value}`` under each component,
    or None when no component produces those values."""
    columns = sorted(conditions)
    row = np.full((1, len(model.columns)), np.nan)
    for j in columns:
        row[0, j] = conditions[j]
    index, log_within = model.encode(row, columns)
    log_likelihood = model.log_tables[index[0]].sum(axis=0)
    if not np.isfinite(log_within[0]) or not np.isfinite(log_likelihood).any():
        return None
    return log_likelihood


def _make_column(spec, x, n_bins, full=None):
    """Coder of one encoded column, from the values seen in ``fit``; out of
    core, from what all the rows say of it (``full``, a ColumnSummary)."""
    missing = np.isnan(x)
    observed = x[~missing]
    n_rows = x.size
    family = "linear"
    if full is not None:
        if full.n_missing:
            missing = np.ones(1, dtype=bool)  # the column has missing values
        if not spec.is_levels and full.n_observed:
            observed, discrete, n_rows = full.margin_inputs(spec)
            family = discrete or family
    if spec.is_levels:
        n_levels = len(spec.categories)
        margin = fit_level_margin(x, n_levels, n_rows)
        if full is not None:
            margin = full.level_margin(n_levels)
        coder = _LevelCoder(np.arange(n_levels))
    elif observed.size == 0:
        margin = fit_margin(observed, spec, n_rows=n_rows)
        coder = _LevelCoder([])
    else:
        ties = Ties.of(observed)
        margin = fit_margin(
            observed,
            spec,
            family=family,
            ties=ties,
            n_rows=n_rows,
            linear={"max_knots": _N_KNOTS, "min_weight_per_knot": _ROWS_PER_KNOT},
        )
        coder = _numeric_coder(spec, margin, ties, n_bins)
        if full is not None:
            full.restate(margin)
    missing_code = coder.n_outcomes if missing.any() else -1
    return _Column(coder, missing_code, margin)


def _numeric_coder(spec, margin, ties, n_bins):
    values, counts = ties.values, ties.counts.astype(float)
    if margin.discrete:
        if values.size <= max(MAX_DISCRETE_LEVELS, n_bins):
            return _LevelCoder(values)
        return _BinnedValuesCoder(values, counts, n_bins, uniform=False)
    if spec.kind == INTEGER and 2 * values.size <= min(
        2 * _MAX_INTEGER_LEVELS, counts.sum()
    ):
        return _BinnedValuesCoder(values, counts, n_bins)
    return _ContinuousCoder(margin, n_bins)


# -- the mixture ---------------------------------------------------------------


@dataclass(eq=False)
class _MixtureModel:
    """Fitted mixture: outcome tables of all columns stacked, one column of
    ``log_tables`` per component."""

    columns: list
    offsets: np.ndarray
    n_outcomes: int
    log_tables: np.ndarray  # (n_outcomes_total + 1, n_components); last row 0
    log_weights: np.ndarray
    n_iter: int
    converged: bool
    lower_bound: float

    @property
    def margins(self):
        return [column.margin for column in self.columns]

    def encode(self, values, columns, ignore=None):
        """Stacked outcome indices of ``values`` over ``columns`` (the zero
        row where a value has no outcome, or ``ignore`` marks it) and the
        summed log densities inside the outcomes."""
        n_samples = values.shape[0]
        index = np.empty((n_samples, len(columns)), dtype=np.int64)
        log_within = np.zeros(n_samples)
        empty = self.n_outcomes
        for i, j in enumerate(columns):
            codes, within = self.columns[j].encode(values[:, j])
            if ignore is not None:
                codes = np.where(ignore[:, j], -1, codes)
                within = np.where(ignore[:, j], 0.0, within)
            index[:, i] = np.where(codes >= 0, codes + self.offsets[j], empty)
            log_within += within
        return index, log_within

    def log_joint(self, index):
        """``log w_k + log p_k(outcomes)`` of each row and component."""
        return _log_joint(
            _one_hot(index, self.n_outcomes + 1), self.log_tables, self.log_weights
        )


def _log_joint(one_hot, log_tables, log_weights):
    """``log w_k + log p_k(outcomes)``, a float32 array of (rows, components)."""
    log_joint = one_hot @ log_tables.astype(np.float32)
    log_joint += log_weights.astype(np.float32)
    return log_joint


def _one_hot(index, n_outcomes):
    """Sparse indicator matrix of the stacked outcome indices of each row."""
    n_samples, n_columns = index.shape
    return sparse.csr_matrix(
        (
            np.ones(index.size, dtype=np.float32),
            index.ravel(),
            np.arange(0, index.size + 1, n_columns),
        ),
        shape=(n_samples, n_outcomes),
    )


def _log_normalise(log_joint):
    """Row log-likelihoods, and responsibilities computed in place.

    The E-step runs in float32: responsibilities need no more precision, and
    the exponentials of an (n_samples, n_components) array are the bulk of
    the cost of an iteration.
    """
    top = np.max(log_joint, axis=1, keepdims=True)
    top[~np.isfinite(top)] = 0.0
    log_joint -= top
    resp = np.exp(log_joint, out=log_joint)
    total = resp.sum(axis=1, keepdims=True, dtype=np.float64)
    with np.errstate(divide="ignore"):
        log_likelihood = np.log(total[:, 0]) + top[:, 0]
    resp /= np.where(total > 0, total, 1.0).astype(np.float32)
    return log_likelihood, resp


class _EM:
    """EM for a latent-class model on stacked outcome indices.

    The M-step is the posterior mode under a Dirichlet prior on each
    component's table of each column: ``smoothing`` pseudo-rows spread as the
    column's overall shares, so small components are shrunk towards the
    marginal distribution.
    """

    def __init__(self, prior, blocks, smoothing, max_iter, tol):
        self.prior = prior  # overall share of each outcome (sum 1 per column)
        self.blocks = blocks  # column of each outcome
        self.smoothing = smoothing  # pseudo-rows of each column
        self.max_iter = max_iter
        self.tol = tol

    def m_step(self, counts, weights_sum):
        """Log tables and log weights from expected counts."""
        n_components = weights_sum.size
        smoothing = self.smoothing[self.blocks][:, None]
        tables = counts + smoothing * self.prior[:, None]
        tables /= np.maximum(weights_sum + smoothing, 1e-12)
        with np.errstate(divide="ignore"):
            log_tables = np.log(tables)
        log_tables = np.vstack([log_tables, np.zeros((1, n_components))])
        weights = weights_sum + _WEIGHT_FLOOR
        return log_tables, np.log(weights / weights.sum())

    def statistics(self, one_hot, log_tables, log_weights):
        """E-step: summed row log-likelihood, expected outcome counts and
        expected rows per component."""
        log_likelihood, resp = _log_normalise(
            _log_joint(one_hot, log_tables, log_weights)
        )
        counts = (one_hot.T @ resp)[:-1].astype(np.float64)
        return log_likelihood.sum(), counts, resp.sum(axis=0, dtype=np.float64)

    def run(self, one_hot, log_tables, log_weights, max_iter=None):
        """Iterate EM to convergence; returns the parameters, the mean
        log-likelihood, the number of iterations and whether it converged."""
        n_samples = one_hot.shape[0]
        max_iter = self.max_iter if max_iter is None else max_iter
        previous, converged, n_iter = -np.inf, False, 0
        for n_iter in range(1, max_iter + 1):
            total, counts, weights_sum = self.statistics(
                one_hot, log_tables, log_weights
            )
            log_tables, log_weights = self.m_step(counts, weights_sum)
            mean = total / n_samples
            if abs(mean - previous) < self.tol:
                converged = True
                break
            previous = mean
        return log_tables, log_weights, mean, n_iter, converged


def _split(log_tables, log_weights, n_target, blocks, rng):
    """Split the heaviest components in two, up to ``n_target`` components.

    The halves get the parent's tables perturbed in opposite directions (then
    renormalised per column), and half its weight each; EM pulls them apart.
    """
    n_components = log_weights.size
    n_new = min(n_target - n_components, n_components)
    parents = np.argsort(-log_weights, kind="stable")[:n_new]
    tables = log_tables[:-1]
    noise = _SPLIT_NOISE * rng.standard_normal((tables.shape[0], n_new))
    children = np.hstack([tables[:, parents] + noise, tables[:, parents] - noise])
    children = _normalise_blocks(children, blocks)
    others = np.setdiff1d(np.arange(n_components), parents)
    new_tables = np.hstack([tables[:, others], children])
    half = log_weights[parents] - np.log(2)
    new_weights = np.r_[log_weights[others], half, half]
    new_tables = np.vstack([new_tables, np.zeros((1, new_weights.size))])
    return new_tables, new_weights


def _normalise_blocks(log_tables, blocks):
    """Renormalise log tables so each column's outcomes sum to one."""
    finite = np.isfinite(log_tables)
    top = np.max(np.where(finite, log_tables, -np.inf), axis=0, keepdims=True)
    probs = np.where(finite, np.exp(log_tables - top), 0.0)
    n_blocks = blocks.max() + 1
    sums = np.zeros((n_blocks, probs.shape[1]))
    np.add.at(sums, blocks, probs)
    with np.errstate(divide="ignore"):
        return np.log(probs / sums[blocks])


@synthesizer_docstring
class MixtureSynthesizer(BaseSynthesizer):
    """Synthetic rows from a latent-class mixture of simple components.

    The table is modelled as a mixture of many simple components. Inside a
    component every column is independent: categories, booleans and numbers
    with few distinct values follow a categorical distribution; other numbers
    are cut into quantile bins (spikes such as zeros or a cap in bins of their
    own) with a categorical distribution over the bins, and the shape of the
    column inside each bin, shared by all components; missing values are one
    more outcome. A row is drawn by picking a component, then each column
    from the component's distribution. The likelihood is exact, so the model
    is also a density estimator.

    Parameters
    ----------
    n_components : int or "auto", default="auto"
        Number of mixture components. "auto" doubles the components (from
        one, or one per class of a classification target, up to 512) while
        the log-likelihood of held-out rows (a fifth of the rows, at most
        10,000) grows, and keeps the best number (attribute
        ``n_components_``).
    n_bins : int, default=10
        Number of quantile bins of a numeric column with many distinct values
        (spikes come on top). Discrete columns (see ``discrete_features``)
        keep one outcome per value up to ``max(20, n_bins)`` values, and
        bins of consecutive values beyond.
    smoothing : float, default=2.0
        Pseudo-rows of the Dirichlet prior on each component's distribution
        of each column, spread as the column's overall distribution. Larger
        values shrink small components towards the marginal distributions.
    max_iter : int, default=100
        Largest number of EM iterations (per doubling with
        ``n_components="auto"``).
    tol : float, default=1e-3
        EM stops when the mean log-likelihood per row changes by less than
        this.
    max_samples : int, default=100_000
        EM iterates on a random subsample of this many rows, then makes two
        passes over all rows (in blocks), so that large tables fit in bounded
        time and memory.
    %(categorical_features)s
    %(column_options)s
    %(linked_columns)s
    enforce_range : bool, default=True
        Whether sampled numeric values stay inside the range seen in ``fit``.
        The model never draws outside it; this also clips what the data layer
        decodes.
    target_type : {"auto", "classification", "regression"}, default="auto"
        How ``y`` passed to ``fit`` is modelled: as one more column in any
        case, categorical for a classification target. "auto" takes strings,
        booleans, categories and whole numbers with at most 20 distinct
        values for classes.
    random_state : int, RandomState instance or None, default=None
        Controls the subsamples and splits of ``fit`` and, through
        ``random_state_``, the draws of ``sample``. Pass an int for
        reproducible output across calls.
    %(verbose)s

    Attributes
    ----------
    n_components_ : int
        Number of components, as given or chosen by ``n_components="auto"``.
    weights_ : ndarray of shape (n_components,)
        Weight of each component.
    converged_ : bool
        Whether the last EM run met ``tol`` within ``max_iter`` iterations.
    n_iter_ : int
        Number of iterations of the last EM run, and of the two passes over
        all rows when they exceed ``max_samples``.
    lower_bound_ : float
        Mean log-likelihood per row of the outcomes (bins, levels, missing)
        at the last iteration: of the last pass over all rows when they
        exceed ``max_samples``, else on the rows EM iterated on.
    %(synthesizer_attributes)s

    See Also
    --------
    GaussianCopulaSynthesizer : Fitted margins tied by a Gaussian copula.
    KDESynthesizer : Kernel density estimate for mixed data.
    sklearn.mixture.GaussianMixture : Mixture of Gaussians for numeric data.

    Notes
    -----
    With components :math:`k = 1, \\dots, K` of weights :math:`w_k`, a row
    :math:`x` whose column :math:`j` falls in outcome :math:`b_j(x_j)` has
    the density

    .. math::

        p(x) = \\sum_{k=1}^K w_k \\prod_j \\theta_{kj}(b_j(x_j))\\,
        g_j(x_j \\mid b_j(x_j)),

    where :math:`\\theta_{kj}` is component :math:`k`'s distribution over
    the outcomes of column :math:`j` and :math:`g_j` the density of the
    column inside an outcome (1 for a category, a spike or a level; the
    column's piecewise-linear density rescaled to the bin otherwise). This is
    the latent class model [1]_ on binned columns. It is fitted by EM [2]_,
    in log space, with the outcome indicators as a sparse matrix so that
    both steps are sparse matrix products. Each table's M-step is the
    posterior mode under a Dirichlet prior of ``smoothing`` pseudo-rows
    spread as the column's overall distribution. Components are grown by
    splitting the heaviest ones in two (1, 2, 4, ... components), with EM
    between splits.

    ``sample(conditions=...)`` reweights the components by the probability
    of the conditioned values' outcomes (Bayes' rule) and draws the other
    columns from the chosen components. ``score_samples`` is the exact log
    density: a probability for categories, spikes and discrete numbers, a
    density for continuous values. Values outside the training range keep a
    small tail density; values no outcome holds (a category or a value of a
    discrete column not seen in ``fit``) are novel outcomes of probability
    ``1 / (n + 1)`` (see :meth:`score_samples`).

    References
    ----------
    .. [1] P. F. Lazarsfeld and N. W. Henry, "Latent Structure Analysis",
       Houghton Mifflin, 1968.
    .. [2] A. P. Dempster, N. M. Laird and D. B. Rubin, "Maximum likelihood
       from incomplete data via the EM algorithm", Journal of the Royal
       Statistical Society B 39(1), 1977.

    Examples
    --------
    >>> import numpy as np
    >>> from sksynth import MixtureSynthesizer
    >>> rng = np.random.RandomState(0)
    >>> group = rng.randint(2, size=600)
    >>> X = np.column_stack([rng.normal(5 * group, 1), rng.poisson(2 + 6 * group)])
    >>> synth = MixtureSynthesizer(random_state=0).fit(X)
    >>> synth.n_components_
    2
    >>> synth.weights_.round(1)
    array([0.5, 0.5])
    >>> X_new = synth.sample(1000)
    >>> X_new.shape
    (1000, 2)
    >>> high = X_new[:, 0] > 2.5
    >>> round(float(X_new[high, 1].mean())), round(float(X_new[~high, 1].mean()))
    (8, 2)
    """

    _target_as_column = True

    # Out of core, its margins come from statistics of all rows.
    _merges_statistics = True

    _parameter_constraints: dict = {
        **BaseSynthesizer._parameter_constraints,
        "linked_columns": LINKED_COLUMNS_PARAMETER,
        "n_components": [
            Interval(Integral, 1, None, closed="left"),
            StrOptions({"auto"}),
        ],
        "n_bins": [Interval(Integral, 2, None, closed="left")],
        "smoothing": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "max_samples": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(
        self,
        *,
        n_components="auto",
        n_bins=10,
        smoothing=2.0,
        max_iter=100,
        tol=1e-3,
        max_samples=100_000,
        categorical_features="from_dtype",
        id_columns="auto",
        discrete_features="auto",
        constraints=None,
        linked_columns="auto",
        enforce_range=True,
        target_type="auto",
        random_state=None,
        verbose=0,
    ):
        self.n_components = n_components
        self.n_bins = n_bins
        self.smoothing = smoothing
        self.max_iter = max_iter
        self.tol = tol
        self.max_samples = max_samples
        self.categorical_features = categorical_features
        self.id_columns = id_columns
        self.discrete_features = discrete_features
        self.constraints = constraints
        self.linked_columns = linked_columns
        self.enforce_range = enforce_range
        self.target_type = target_type
        self.random_state = random_state
        self.verbose = verbose

    def _describe_fit(self):
        model = self._models[0]
        self.n_components_ = int(model.log_weights.size)
        self.weights_ = np.exp(model.log_weights)
        self.converged_ = bool(model.converged)
        self.n_iter_ = int(model.n_iter)
        self.lower_bound_ = float(model.lower_bound)

    def _fit_table(self, values, layout, rng):
        progress = Progress.of(self)
        columns = layout.columns
        if self.n_components != "auto" and self.n_components > values.shape[0]:
            raise ValueError(
                f"n_components={self.n_components} is more than the "
                f"{values.shape[0]} rows of X: a component needs rows to describe. "
                'Use fewer components, or n_components="auto".'
            )
        full = layout.summaries or [None] * len(columns)
        model_columns = [
            _make_column(spec, values[:, j], self.n_bins, full[j])
            for j, spec in enumerate(columns)
        ]
        sizes = np.array([c.n_outcomes for c in model_columns])
        offsets = np.r_[0, np.cumsum(sizes)[:-1]]
        n_outcomes = int(sizes.sum())
        model = _MixtureModel(
            model_columns, offsets, n_outcomes, None, None, 0, False, np.nan
        )
        index, _ = model.encode(values, range(len(columns)))
        prior = np.bincount(index.ravel(), minlength=n_outcomes) / values.shape[0]
        progress.lap(f"bins of {len(columns)} columns: {n_outcomes} outcomes")
        smoothing = np.full(len(columns), float(self.smoothing))
        classes = None
        if layout.target_type == "classification":
            # Components of one class each: the class target is not smoothed,
            # and EM keeps every component's class table pure.
            smoothing[layout.target] = 0.0
            classes = values[:, layout.target].astype(int)
        em = _EM(
            prior,
            np.repeat(np.arange(sizes.size), sizes),
            smoothing,
            self.max_iter,
            self.tol,
        )
        rows = rng.permutation(values.shape[0])[: self.max_samples]
        one_hot = _one_hot(index[rows], n_outcomes + 1)
        start = _start(em, one_hot, None if classes is None else classes[rows])
        fitted = self._grow(em, one_hot, start, rng)
        log_tables, log_weights, lower_bound, n_iter, converged = fitted
        progress.lap(f"EM on {len(rows)} rows: {log_weights.size} components")
        if values.shape[0] > self.max_samples:
            log_tables, log_weights, lower_bound = _full_passes(
                em, index, n_outcomes, log_tables, log_weights
            )
            n_iter += _FULL_PASSES
            progress.lap(f"{_FULL_PASSES} EM passes over {values.shape[0]} rows")
        model.log_tables, model.log_weights = log_tables, log_weights
        model.n_iter, model.converged = n_iter, converged
        model.lower_bound = lower_bound
        model.em = em
        return model

    def _refine_on_partitions(self, summary, parts_X, parts_y):
        """Out of core on Dask: the last EM passes over all rows, each E-step
        on the workers (partition by partition), the M-step on the summed
        expected counts."""
        import dask

        from .dask._fit import compute, reduce_delayed, summary_context

        progress = Progress.of(self)
        model = self._models[0]
        context = summary_context(summary)
        for k in range(_FULL_PASSES):
            state = dask.delayed((context, self._target, model), pure=True)
            parts = [
                dask.delayed(_partition_statistics)(xp, yp, state)
                for xp, yp in zip(parts_X, parts_y, strict=True)
            ]
            total, counts, weights_sum = compute(
                reduce_delayed(parts, _sum_statistics), progress
            )
            progress.lap(f"EM pass {k + 1} of {_FULL_PASSES} over all partitions")
            model.log_tables, model.log_weights = model.em.m_step(counts, weights_sum)
        model.lower_bound = total / summary.n_rows
        model.n_iter += _FULL_PASSES
        self._describe_fit()

    def _grow(self, em, one_hot, start, rng):
        """EM from the starting components, splitting up to ``n_components``
        (or, for "auto", while held-out likelihood grows)."""
        if self.n_components != "auto":
            return self._grow_to(em, one_hot, start, self.n_components, rng)
        n_valid = min(int(_VALIDATION_SHARE * one_hot.shape[0]), _MAX_VALIDATION_ROWS)
        if n_valid < 1:
            return self._grow_to(em, one_hot, start, 1, rng)
        valid, train = one_hot[:n_valid], one_hot[n_valid:]
        best, best_score = None, -np.inf
        log_tables, log_weights = start
        progress = Progress.of(self)
        n_components = log_weights.size
        while True:
            fitted = em.run(train, log_tables, log_weights)
            score = np.mean(_log_normalise(_log_joint(valid, *fitted[:2]))[0])
            progress.lap(
                f"{n_components} components: held-out log-likelihood {score:.4f}", 2
            )
            if best is not None and score <= best_score:
                break
            best, best_score = fitted, score
            if n_components >= min(_MAX_AUTO_COMPONENTS, train.shape[0]):
                break
            n_components *= 2
            log_tables, log_weights = _split(
                fitted[0], fitted[1], n_components, em.blocks, rng
            )
        return em.run(one_hot, best[0], best[1])

    def _grow_to(self, em, one_hot, start, n_components, rng):
        log_tables, log_weights = start
        current = log_weights.size
        while current < n_components:
            current = min(2 * current, n_components)
            fitted = em.run(one_hot, log_tables, log_weights, max_iter=10)
            log_tables, log_weights = _split(
                fitted[0], fitted[1], current, em.blocks, rng
            )
        return em.run(one_hot, log_tables, log_weights)

    def _sample_table(self, model, n_samples, rng, conditions):
        log_weights = model.log_weights.copy()
        if conditions:
            log_weights += self._condition_log_likelihood(model, conditions)
        probs = np.exp(log_weights - log_weights.max())
        components = rng.choice(probs.size, size=n_samples, p=probs / probs.sum())
        values = np.empty((n_samples, len(model.columns)))
        for j, column in enumerate(model.columns):
            if j in conditions:
                values[:, j] = conditions[j]
                continue
            size = column.n_outcomes
            tables = np.exp(
                model.log_tables[model.offsets[j] : model.offsets[j] + size]
            )
            codes = _draw_categorical(tables.T, components, rng)
            values[:, j] = column.sample(codes, rng)
        return values

    def _condition_log_likelihood(self, model, conditions):
        log_likelihood = _condition_table(model, conditions)
        if log_likelihood is None:
            names = self._modelled_names()
            raise impossible_conditions_error(
                names,
                sorted(conditions),
                lambda j: _condition_table(model, {j: conditions[j]}) is not None,
                "this model never produces; pick values seen in fit.",
            )
        return log_likelihood

    def _log_density(self, model, values, columns, ignore=None):
        index, log_within = model.encode(values, list(columns), ignore)
        log_likelihood = np.empty(values.shape[0])
        for start in range(0, values.shape[0], _CHUNK_ROWS):
            block = slice(start, start + _CHUNK_ROWS)
            log_likelihood[block] = _log_normalise(model.log_joint(index[block]))[0]
        return log_likelihood + log_within


def _start(em, one_hot, classes):
    """Starting parameters: one component, or one per class of the target."""
    n_samples = one_hot.shape[0]
    if classes is None:
        resp = np.ones((n_samples, 1))
    else:
        resp = (classes[:, None] == np.arange(classes.max() + 1)).astype(float)
    counts = (one_hot.T @ resp)[:-1]
    return em.m_step(counts, resp.sum(axis=0))


def _full_passes(em, index, n_outcomes, log_tables, log_weights):
    """EM iterations over all rows, in blocks of rows."""
    for _ in range(_FULL_PASSES):
        total, counts, weights_sum = 0.0, 0.0, 0.0
        for start in range(0, index.shape[0], _CHUNK_ROWS):
            one_hot = _one_hot(index[start : start + _CHUNK_ROWS], n_outcomes + 1)
            part = em.statistics(one_hot, log_tables, log_weights)
            total, counts, weights_sum = (
                total + part[0],
                counts + part[1],
                weights_sum + part[2],
            )
        log_tables, log_weights = em.m_step(counts, weights_sum)
    return log_tables, log_weights, total / index.shape[0]


def _partition_statistics(X, y, state):
    """E-step statistics of one partition (rows encoded as in ``fit``)."""
    summary, target, model = state
    if summary.rules is not None:
        X = summary.rules.transform(X)
    values = summary.schema.encode(X)
    if target is not None:
        values = np.column_stack([values, target.encode(y)])
    index, _ = model.encode(values, range(values.shape[1]))
    total, counts, weights_sum = 0.0, 0.0, 0.0
    for start in range(0, index.shape[0], _CHUNK_ROWS):
        one_hot = _one_hot(index[start : start + _CHUNK_ROWS], model.n_outcomes + 1)
        part = model.em.statistics(one_hot, model.log_tables, model.log_weights)
        total, counts, weights_sum = (
            total + part[0],
            counts + part[1],
            weights_sum + part[2],
        )
    return total, counts, weights_sum


def _sum_statistics(*parts):
    return tuple(sum(values) for values in zip(*parts, strict=True))


def _draw_categorical(tables, rows, rng):
    """One outcome per row from ``tables[rows[i]]`` (rows of probabilities).

    Each table's CDF is shifted by its row number so that all of them form
    one increasing sequence; one ``searchsorted`` then inverts them all.
    """
    n_tables, n_outcomes = tables.shape
    cdf = np.cumsum(tables, axis=1)
    cdf /= cdf[:, -1:]
    shifted = (cdf + np.arange(n_tables)[:, None]).ravel()
    u = rows + rng.random_sample(rows.size)
    flat = np.searchsorted(shifted, u, side="right")
    return np.minimum(flat - rows * n_outcomes, n_outcomes - 1)
