"""One-dimensional distributions of single columns, and their selection.

A margin maps values to the unit interval and back:

- ``cdf_bounds(x)`` gives ``F(x-)`` and ``F(x)`` (equal for continuous values,
  a jump of height ``P(X = x)`` at an atom);
- ``ppf(u)`` is the quantile function (the inverse of the CDF);
- ``log_density(x)`` is the log density of a continuous value, or the log
  probability of an atom.

:class:`MixedMargin` is the one margin every numeric column gets: point masses
(*atoms*: the levels of a discrete column, or the spikes of a numeric one such
as zeros or a cap) plus, where the column has many distinct values, a
continuous part. The continuous part is a parametric family
(:class:`ParametricMargin`) or a kernel-smoothed empirical distribution
(:class:`EmpiricalMargin`), chosen by :func:`select_continuous`.
"""

import numpy as np
from scipy import optimize, signal, stats
from scipy.special import gammaln, logsumexp, ndtr, ndtri

#: Families ``marginals="auto"`` chooses among, simplest first.
FAMILIES = (
    "normal",
    "uniform",
    "exponential",
    "lognormal",
    "gamma",
    "beta",
    "truncnorm",
    "student_t",
)
EMPIRICAL = "empirical"

# A numeric column with at most this many distinct values, each held by two
# rows or more on average, gets a discrete margin made of atoms only.
MAX_DISCRETE_LEVELS = 20
# A value is a spike (atom) of a column with many distinct values when it
# holds at least this share of the rows ...
_ATOM_MIN_SHARE = 0.01
# ... and at least this many times the average share of a distinct value.
_ATOM_MIN_RATIO = 10.0
# Number of values used to choose a family, and of knots of an empirical margin.
_SELECTION_SIZE = 5_000
_N_KNOTS = 1000
_GRID_SIZE = 2048
# Quantile functions are tabulated for calls on more values than this, on
# normal scores within +-_TABLE_SCORE (u from 1e-15 to 1 - 1e-15).
_TABULATE_ABOVE = 20_000
_TABLE_SCORE = 7.9
# Two families whose held-out log-likelihoods differ by less than this many
# nats per value describe the data equally well.
_EQUIVALENT_NATS = 0.005
_EPS = 1e-12


def _clip_unit(u):
    return np.clip(u, _EPS, 1.0 - _EPS)


class ParametricMargin:
    """A scipy.stats family with fitted parameters.

    Parameters
    ----------
    family : str
        Name of the family, one of :data:`FAMILIES`.
    params : dict
        Fitted parameters, as scipy.stats names them.
    """

    def __init__(self, family, params):
        self.family = family
        self.params = params
        self._dist = _FROZEN[family](**params)
        self._ppf_table = None

    def cdf(self, x):
        return self._dist.cdf(x)

    def ppf(self, u):
        u = np.asarray(u, dtype=float)
        if u.size < _TABULATE_ABOVE:
            return self._dist.ppf(u)
        # Special-function quantiles (gamma, beta, t) cost ~1 s per million
        # values: tabulate them once on a grid of normal scores, where they
        # are smooth, and interpolate.
        if self._ppf_table is None:
            scores = np.linspace(-_TABLE_SCORE, _TABLE_SCORE, _GRID_SIZE * 2 + 1)
            self._ppf_table = (scores, self._dist.ppf(ndtr(scores)))
        scores, table = self._ppf_table
        return np.interp(ndtri(u), scores, table)

    def log_density(self, x):
        return self._dist.logpdf(x)

    def __repr__(self):
        params = ", ".join(f"{k}={v:.4g}" for k, v in self.params.items())
        return f"{self.family}({params})"


class EmpiricalMargin:
    """Kernel-smoothed empirical distribution.

    A Gaussian kernel density on (at most 1000) quantiles of the data. The
    density and the CDF are tabulated on a grid by binning the knots and
    convolving with the kernel (the classic fast KDE), so evaluation and the
    quantile function are vectorised interpolations whatever the data size.

    Parameters
    ----------
    knots : ndarray of shape (n_knots,)
        Sorted kernel centres.
    bandwidth : float
        Kernel standard deviation.
    """

    family = EMPIRICAL

    def __init__(self, knots, bandwidth):
        self.knots = knots
        self.bandwidth = bandwidth
        self.params = {"n_knots": knots.size, "bandwidth": bandwidth}
        low = knots[0] - 5 * bandwidth
        high = knots[-1] + 5 * bandwidth
        self._grid = np.linspace(low, high, _GRID_SIZE)
        step = self._grid[1] - self._grid[0]
        weights = _linear_binning(knots, low, step, _GRID_SIZE)
        half_width = int(np.ceil(5 * bandwidth / step))
        offsets = np.arange(-half_width, half_width + 1) * step
        kernel = np.exp(-0.5 * (offsets / bandwidth) ** 2)
        density = signal.fftconvolve(weights, kernel / kernel.sum(), mode="same")
        density = np.maximum(density, 0.0) / step
        cdf = np.concatenate([[0.0], np.cumsum((density[1:] + density[:-1]) / 2)])
        cdf /= cdf[-1]
        self._density = density
        # Strictly increasing so that interpolation inverts it.
        self._grid_cdf = cdf + np.arange(_GRID_SIZE) * 1e-13

    @classmethod
    def fit(cls, x, bandwidth_factor=1.0):
        """Knots at quantiles of ``x``; Silverman's bandwidth times a factor."""
        return cls.from_knots(*_knots_and_bandwidth(x), bandwidth_factor)

    @classmethod
    def from_knots(cls, knots, bandwidth, floor, bandwidth_factor=1.0):
        """Margin on ``knots`` with ``bandwidth`` times a factor, at least ``floor``."""
        return cls(knots, max(bandwidth_factor * bandwidth, floor))

    def cdf(self, x):
        return np.interp(x, self._grid, self._grid_cdf, left=0.0, right=1.0)

    def ppf(self, u):
        return np.interp(u, self._grid_cdf, self._grid)

    def log_density(self, x):
        x = np.asarray(x, dtype=float)
        with np.errstate(divide="ignore"):
            out = np.log(np.interp(x, self._grid, self._density))
        outside = (x <= self._grid[0]) | (x >= self._grid[-1]) | ~np.isfinite(out)
        if outside.any():
            out[outside] = self._exact_log_density(x[outside])
        return out

    def _exact_log_density(self, x):
        z = (x[:, None] - self.knots) / self.bandwidth
        return (
            logsumexp(-0.5 * z**2, axis=1)
            - np.log(self.knots.size)
            - np.log(self.bandwidth * np.sqrt(2 * np.pi))
        )

    def __repr__(self):
        return f"empirical(n_knots={self.knots.size}, bandwidth={self.bandwidth:.4g})"


def _knots_and_bandwidth(x):
    """Knots, Silverman's bandwidth and the bandwidth floor of values ``x``.

    Knots are quantiles from the minimum to the maximum, so the tails keep
    kernels of their own; the floor is the knot spacing, below which the
    density would be a comb of spikes at the knots.
    """
    x = np.sort(x)
    n_knots = min(x.size, _N_KNOTS)
    knots = _sorted_quantiles(x, np.linspace(0.0, 1.0, n_knots))
    return knots, silverman_bandwidth(x), (knots[-1] - knots[0]) / n_knots


def silverman_bandwidth(x):
    """Silverman's rule of thumb for a Gaussian kernel on values ``x``.

    ``0.9 * min(sd, IQR / 1.349) * n ** (-1/5)``; the standard deviation alone
    when the interquartile range is zero, and a tiny positive width (relative
    to the values' magnitude) when the values do not spread at all.
    """
    if x.size == 0:
        return 1e-6
    spread = np.std(x)
    q25, q75 = np.percentile(x, [25, 75])
    iqr = (q75 - q25) / 1.349
    scale = min(spread, iqr) if iqr > 0 else spread
    if not scale > 0:
        scale = max(abs(np.min(x)), 1.0) * 1e-6
    return 0.9 * scale * x.size ** (-0.2)


def _sorted_quantiles(ordered, q):
    """Quantiles of sorted values (numpy's default, linear interpolation)."""
    return np.interp(q * (ordered.size - 1), np.arange(ordered.size), ordered)


def _linear_binning(points, low, step, size):
    """Weights of ``points`` on a regular grid, each split between its two
    neighbouring grid points (they sum to one)."""
    position = (points - low) / step
    left = np.clip(np.floor(position).astype(int), 0, size - 2)
    right_share = np.clip(position - left, 0.0, 1.0)
    weights = np.bincount(left, 1 - right_share, minlength=size)
    weights += np.bincount(left + 1, right_share, minlength=size)
    return weights / points.size


class MixedMargin:
    """Atoms (point masses) plus an optional continuous part.

    ``cdf_bounds`` and ``log_density`` describe the untruncated margin;
    ``ppf`` draws from it truncated to ``[low, high]`` by rescaling ``u``
    into ``[F(low-), F(high)]``, so no mass piles up at the bounds.

    Parameters
    ----------
    atoms : ndarray of shape (n_atoms,)
        Sorted values carrying a point mass.
    atom_probs : ndarray of shape (n_atoms,)
        Mass of each atom.
    continuous : ParametricMargin, EmpiricalMargin or None
        Distribution of the remaining mass, ``1 - atom_probs.sum()``.
    low, high : float
        Support the margin is truncated to when sampling (±inf for none).
    tail : tuple of (float, float, float), default=None
        ``(loc, scale, weight)`` of a wide normal mixed into the continuous
        density by ``log_density`` only, so that values a little outside the
        training range (held-out rows) keep a finite density under bounded
        families.
    """

    def __init__(
        self, atoms, atom_probs, continuous=None, low=-np.inf, high=np.inf, tail=None
    ):
        self.atoms = np.asarray(atoms, dtype=float)
        self.tail = tail
        self.atom_probs = np.asarray(atom_probs, dtype=float)
        self.continuous = continuous
        self.continuous_prob = (
            0.0 if continuous is None else max(1.0 - self.atom_probs.sum(), 0.0)
        )
        self.low = low
        self.high = high
        self._mass_below = np.concatenate([[0.0], np.cumsum(self.atom_probs)])
        # Index -1 (no atom) reads the trailing zero.
        self._probs_or_zero = np.append(self.atom_probs, 0.0)
        self._atom_lower = self._continuous_cdf(self.atoms) + self._mass_below[:-1]
        self._atom_upper = self._atom_lower + self.atom_probs
        self._u_low, self._u_high = 0.0, 1.0
        if continuous is not None:
            self._u_low = self.cdf_bounds(np.array([low]))[0][0]
            self._u_high = self.cdf_bounds(np.array([high]))[1][0]
            if not self._u_high > self._u_low:
                self._u_low, self._u_high = 0.0, 1.0

    def _continuous_cdf(self, x):
        if self.continuous is None:
            return np.zeros(np.shape(x))
        return self.continuous_prob * self.continuous.cdf(x)

    def _atom_index(self, x):
        """Index of the atom equal to each value, -1 where there is none."""
        if self.atoms.size == 0:
            return np.full(np.shape(x), -1)
        index = np.minimum(np.searchsorted(self.atoms, x), self.atoms.size - 1)
        return np.where(self.atoms[index] == x, index, -1)

    def cdf_bounds(self, x):
        """``F(x-)`` and ``F(x)`` of each value.

        Equal for a continuous value, a jump of ``P(X = x)`` at an atom. A
        discrete margin gives NaN for values that are not atoms.
        """
        x = np.asarray(x, dtype=float)
        below = self._mass_below[np.searchsorted(self.atoms, x, side="left")]
        lower = self._continuous_cdf(x) + below
        index = self._atom_index(x)
        upper = lower + self._probs_or_zero[index]
        if self.continuous is None:
            lower = np.where(index >= 0, lower, np.nan)
            upper = np.where(index >= 0, upper, np.nan)
        return lower, upper

    def to_sampling_scale(self, u):
        """Map CDF values to the ``u`` scale of :meth:`ppf` (undo the truncation)."""
        return np.clip((u - self._u_low) / (self._u_high - self._u_low), 0.0, 1.0)

    def ppf(self, u):
        """Quantile function of the margin truncated to ``[low, high]``."""
        u = self._u_low + np.asarray(u, dtype=float) * (self._u_high - self._u_low)
        n_atoms = self.atoms.size
        # Atom j owns [lower_j, upper_j); elsewhere u is continuous mass.
        index = np.searchsorted(self._atom_upper, u, side="right")
        candidate = np.minimum(index, max(n_atoms - 1, 0))
        if self.continuous is None:
            return self.atoms[candidate]
        on_atom = np.zeros(u.shape, dtype=bool)
        if n_atoms:
            on_atom = (index < n_atoms) & (u >= self._atom_lower[candidate])
        continuous_u = (u - self._mass_below[index]) / self.continuous_prob
        out = self.continuous.ppf(_clip_unit(continuous_u))
        if n_atoms:
            out = np.where(on_atom, self.atoms[candidate], out)
        return np.clip(out, self.low, self.high)

    def log_density(self, x):
        """Log density of continuous values, log probability of atoms.

        Values off the support of a discrete margin get ``-inf``.
        """
        x = np.asarray(x, dtype=float)
        index = self._atom_index(x)
        with np.errstate(divide="ignore"):
            atom_part = np.log(self._probs_or_zero[index])
            if self.continuous is None:
                return atom_part
            continuous = self.continuous.log_density(x)
        if self.tail is not None:
            loc, scale, weight = self.tail
            continuous = np.logaddexp(
                np.log1p(-weight) + continuous,
                np.log(weight) + stats.norm.logpdf(x, loc, scale),
            )
        continuous = continuous + np.log(self.continuous_prob)
        return np.where(index >= 0, atom_part, continuous)

    def describe(self):
        """Readable summary: family, parameters and atoms."""
        parts = []
        if self.continuous is not None:
            parts.append(repr(self.continuous))
        if self.atoms.size:
            shown = ", ".join(
                f"{a:.6g}: {p:.3f}"
                for a, p in zip(self.atoms[:5], self.atom_probs[:5], strict=False)
            )
            more = ", ..." if self.atoms.size > 5 else ""
            parts.append(f"atoms {{{shown}{more}}}")
        return " + ".join(parts)

    def __repr__(self):
        return f"MixedMargin({self.describe()})"


def is_few_valued(n_distinct, n_observed, max_levels=MAX_DISCRETE_LEVELS):
    """Whether a numeric column's values are levels to draw as they are.

    At most ``max_levels`` distinct values, each held by two rows or more on
    average. Twenty distinct values in twenty rows (a small class of a
    continuous feature) are points of a continuous distribution, not levels;
    one or two distinct values are levels in any case (no continuous shape
    can be drawn from them).

    Parameters
    ----------
    n_distinct : int
        Number of distinct non-missing values.
    n_observed : int
        Number of non-missing values.
    max_levels : int, default=MAX_DISCRETE_LEVELS
        Most distinct values a few-valued column has.

    Returns
    -------
    few_valued : bool
    """
    return n_distinct < 3 or (n_distinct <= max_levels and 2 * n_distinct <= n_observed)


def is_spike(shares):
    """Which distinct values of a many-valued column are spikes (atoms).

    A spike holds at least 1% of the rows and at least ten times the share of
    an average distinct value, such as the zeros of an amount or a cap.

    Parameters
    ----------
    shares : ndarray of shape (n_distinct,)
        Share of the rows holding each distinct value.

    Returns
    -------
    is_spike : ndarray of bool of shape (n_distinct,)
    """
    return (shares >= _ATOM_MIN_SHARE) & (shares >= _ATOM_MIN_RATIO / shares.size)


def fit_margin(x, family="auto", low=-np.inf, high=np.inf, rng=None, ties=None):
    """Fit the margin of one numeric column.

    Parameters
    ----------
    x : ndarray of shape (n_samples,)
        Observed (non-missing) values.
    family : str, default="auto"
        "auto", "empirical", "discrete" or a family of :data:`FAMILIES`.
    low, high : float
        Support to truncate the margin to when sampling.
    rng : RandomState
        Used to subsample large columns for the family selection.
    ties : Ties, default=None
        Distinct values of ``x`` and their counts, when already computed.

    Returns
    -------
    margin : MixedMargin
    """
    ties = Ties.of(x) if ties is None else ties
    values, shares = ties.values, ties.counts / x.size
    if family == "discrete" or is_few_valued(values.size, x.size):
        return MixedMargin(values, shares, low=low, high=high)
    is_atom = is_spike(shares)
    rest = x[~is_atom[ties.inverse]] if is_atom.any() else x
    if values.size - is_atom.sum() < 3:
        return MixedMargin(values, shares, low=low, high=high)
    continuous = select_continuous(rest, family, rng)
    return MixedMargin(
        values[is_atom], shares[is_atom], continuous, low, high, tail_parameters(rest)
    )


def select_continuous(x, family="auto", rng=None):
    """Fit a continuous distribution to ``x``, choosing the family if asked.

    With ``family="auto"`` every family of :data:`FAMILIES` whose support
    holds the data, and the kernel-smoothed empirical distribution, is fitted
    on one half of (a subsample of) the data and scored by its log-likelihood
    on the other half, and the other way round. Held-out likelihood penalises
    the flexibility of the empirical margin by itself; on top of it the
    empirical margin is chosen only when it beats the best family by more than
    two standard errors of the paired per-value difference. So a family that
    describes the data wins, and skewed or multimodal data that no family
    describes get the empirical margin.

    Parameters
    ----------
    x : ndarray of shape (n_samples,)
        Values, at least three distinct.
    family : str, default="auto"
        "auto", "empirical" or a family name.
    rng : RandomState
        Used to subsample and split.

    Returns
    -------
    margin : ParametricMargin or EmpiricalMargin
    """
    # Families are fitted to x / scale and scaled back, so that magnitudes
    # from 1e-12 to 1e12 meet the same numerics.
    scale = np.max(np.abs(x))
    scale = scale if scale > 0 else 1.0
    x = x / scale
    bounds = (x.min(), x.max())
    sample = x if x.size <= _SELECTION_SIZE else x[_subsample(x.size, rng)]
    folds = np.array_split(rng.permutation(sample), 2)
    if family == EMPIRICAL:
        return _rescale(_fit_empirical(x, folds)[0], scale)
    if family != "auto":
        params = _FITTERS[family](x, *bounds)
        if params is None:
            raise ValueError(
                f"The {family!r} family does not fit values in "
                f"[{bounds[0] * scale:.6g}, {bounds[1] * scale:.6g}]: "
                f"{_SUPPORT_HINT[family]}"
            )
        return _rescale(ParametricMargin(family, params), scale)
    scores = {}
    for name in _candidate_families(x, bounds):
        held_out = _held_out_loglik(name, folds, bounds)
        if held_out is not None and np.all(np.isfinite(held_out)):
            scores[name] = held_out
    empirical, empirical_scores = _fit_empirical(x, folds)
    best = _simplest_close_to_best(scores)
    if best is not None:
        gain = empirical_scores - scores[best]
        standard_error = gain.std() / np.sqrt(gain.size)
        params = _FITTERS[best](x, *bounds)
        # A family can fit both halves and still fail on the whole column (the
        # truncated normal's moment equations); the empirical margin then wins.
        if gain.mean() <= 2 * standard_error and params is not None:
            return _rescale(ParametricMargin(best, params), scale)
    return _rescale(empirical, scale)


def _candidate_families(x, bounds):
    """Families worth a held-out fit. The truncated normal differs from the
    normal only when the normal puts visible mass outside the observed range."""
    params = _fit_normal(x, *bounds)
    outside = stats.norm.cdf(bounds[0], **params) + stats.norm.sf(bounds[1], **params)
    if outside < 0.01:
        return [name for name in FAMILIES if name != "truncnorm"]
    return list(FAMILIES)


def _simplest_close_to_best(scores):
    """The first family (simplest first) whose held-out log-likelihood is
    within one standard error (plus a practical-equivalence margin) of the
    best one's: the one-standard-error rule."""
    if not scores:
        return None
    best = max(scores, key=lambda k: scores[k].mean())
    for name, held_out in scores.items():
        gap = scores[best] - held_out
        if gap.mean() <= gap.std() / np.sqrt(gap.size) + _EQUIVALENT_NATS:
            return name
    return best


def _rescale(margin, scale):
    """The margin of ``scale * X`` from the margin of ``X``."""
    if isinstance(margin, EmpiricalMargin):
        return EmpiricalMargin(margin.knots * scale, margin.bandwidth * scale)
    params = dict(margin.params)
    params["loc"] = params["loc"] * scale
    params["scale"] = params["scale"] * scale
    return ParametricMargin(margin.family, params)


def _held_out_loglik(name, folds, bounds):
    """Per-value held-out log-likelihood of two-fold cross-fitting."""
    pieces = []
    for train, test in (folds, folds[::-1]):
        params = _FITTERS[name](train, *bounds)
        if params is None:
            return None
        with np.errstate(all="ignore"):
            pieces.append(_with_tail(_FROZEN[name].logpdf(test, **params), test, train))
    return np.concatenate(pieces)


def tail_parameters(x):
    """``(loc, scale, weight)`` of the wide normal mixed into a fitted density
    when it scores values (see ``MixedMargin``)."""
    return x.mean(), 3 * x.std(), 1 / (x.size + 1)


def _with_tail(log_density, test, train):
    """Held-out log densities with the wide normal of the final margin mixed
    in, so candidates are compared as they will score: one held-out value far
    beyond a fold's range does not sink a kernel density."""
    loc, scale, weight = tail_parameters(train)
    # A fold of one distinct value has no spread: values elsewhere get -inf.
    with np.errstate(over="ignore"):
        tail = stats.norm.logpdf(test, loc, max(scale, 1e-300))
    return np.logaddexp(np.log1p(-weight) + log_density, np.log(weight) + tail)


_BANDWIDTH_FACTORS = (0.2, 0.45, 1.0)


def _fit_empirical(x, folds):
    """Empirical margin with the bandwidth factor of best held-out likelihood,
    and its per-value held-out log-likelihood."""
    splits = [
        (_knots_and_bandwidth(train), train, test)
        for train, test in (folds, folds[::-1])
    ]
    best_scores, best_factor = None, 1.0
    for factor in _BANDWIDTH_FACTORS:
        held_out = np.concatenate(
            [
                _with_tail(
                    EmpiricalMargin.from_knots(*fitted, factor).log_density(test),
                    test,
                    train,
                )
                for fitted, train, test in splits
            ]
        )
        if best_scores is None or held_out.mean() > best_scores.mean():
            best_scores, best_factor = held_out, factor
    return EmpiricalMargin.fit(x, best_factor), best_scores


# -- family fits: closed form, moments, or a small fixed-size search ----------
# Each takes the values and the range of the whole column (the support of the
# bounded families), and returns scipy.stats parameters or None when the
# family's support cannot hold the data.


def _padded(low, high, n):
    pad = (high - low) / max(n, 1)
    return low - pad, high + pad


def _fit_normal(x, low, high):
    return {"loc": x.mean(), "scale": max(x.std(), 1e-12)}


def _fit_uniform(x, low, high):
    low, high = _padded(low, high, x.size)
    return {"loc": low, "scale": high - low}


def _fit_exponential(x, low, high):
    if low < 0:
        return None
    return {"loc": 0.0, "scale": max(x.mean(), 1e-12)}


def _fit_lognormal(x, low, high):
    if low <= 0:
        return None
    logs = np.log(x)
    return {"s": max(logs.std(), 1e-6), "loc": 0.0, "scale": np.exp(logs.mean())}


def _fit_gamma(x, low, high):
    if low <= 0:
        return None
    mean = x.mean()
    s = np.log(mean) - np.log(x).mean()
    if not s > 0:
        return None
    # Minka's closed-form approximation of the shape's maximum likelihood.
    shape = (3 - s + np.sqrt((s - 3) ** 2 + 24 * s)) / (12 * s)
    return {"a": shape, "loc": 0.0, "scale": mean / shape}


def _fit_beta(x, low, high):
    low, high = _padded(low, high, x.size)
    y = (x - low) / (high - low)
    mean, var = y.mean(), y.var()
    common = mean * (1 - mean) / var - 1 if var > 0 else -1
    if not common > 0:
        return None
    a, b = mean * common, (1 - mean) * common
    return {"a": a, "b": b, "loc": low, "scale": high - low}


def _truncated_moments(loc, scale, low, high):
    alpha, beta = (low - loc) / scale, (high - loc) / scale
    mass = ndtr(beta) - ndtr(alpha)
    pdf_alpha = np.exp(-0.5 * alpha**2) / np.sqrt(2 * np.pi)
    pdf_beta = np.exp(-0.5 * beta**2) / np.sqrt(2 * np.pi)
    shift = (pdf_alpha - pdf_beta) / mass
    spread = 1 + (alpha * pdf_alpha - beta * pdf_beta) / mass - shift**2
    return loc + scale * shift, scale * np.sqrt(max(spread, 0.0))


def _fit_truncnorm(x, low, high):
    low, high = _padded(low, high, x.size)
    mean, std = x.mean(), x.std()
    if not std > 0:
        return None

    def moment_gap(theta):
        loc, log_scale = theta
        with np.errstate(all="ignore"):
            m, s = _truncated_moments(loc, np.exp(log_scale), low, high)
        gap = np.array([(m - mean) / std, (s - std) / std])
        return gap if np.all(np.isfinite(gap)) else np.array([1e3, 1e3])

    # Matching the two moments of the truncated law: a 2-equation solve on
    # summary statistics, independent of the number of rows.
    solution = optimize.least_squares(
        moment_gap,
        [mean, np.log(std)],
        bounds=([low - 10 * std, np.log(std) - 3], [high + 10 * std, np.log(std) + 5]),
        max_nfev=100,
    )
    if np.max(np.abs(solution.fun)) > 1e-3:
        return None
    loc, scale = solution.x[0], float(np.exp(solution.x[1]))
    return {
        "a": (low - loc) / scale,
        "b": (high - loc) / scale,
        "loc": loc,
        "scale": scale,
    }


_T_DEGREES = np.array([1.0, 1.5, 2.0, 3.0, 4.0, 6.0, 10.0, 20.0, 50.0])


def _fit_student_t(x, low, high):
    loc = np.median(x)
    iqr = np.subtract(*np.quantile(x, [0.75, 0.25]))
    if not iqr > 0:
        return None
    z = (x[:_SELECTION_SIZE] - loc) / iqr
    half_iqr_quantile = stats.t.ppf(0.75, _T_DEGREES)
    scales = 1 / (2 * half_iqr_quantile)
    df = _T_DEGREES[:, None]
    t = z[None, :] / scales[:, None]
    loglik = (
        gammaln((df + 1) / 2)
        - gammaln(df / 2)
        - 0.5 * np.log(df)
        - np.log(scales[:, None])
        - (df + 1) / 2 * np.log1p(t**2 / df)
    ).sum(axis=1)
    best = int(np.argmax(loglik))
    return {"df": _T_DEGREES[best], "loc": loc, "scale": iqr * scales[best]}


_FITTERS = {
    "normal": _fit_normal,
    "uniform": _fit_uniform,
    "exponential": _fit_exponential,
    "lognormal": _fit_lognormal,
    "gamma": _fit_gamma,
    "beta": _fit_beta,
    "truncnorm": _fit_truncnorm,
    "student_t": _fit_student_t,
}
_FROZEN = {
    "normal": stats.norm,
    "uniform": stats.uniform,
    "exponential": stats.expon,
    "lognormal": stats.lognorm,
    "gamma": stats.gamma,
    "beta": stats.beta,
    "truncnorm": stats.truncnorm,
    "student_t": stats.t,
}
_SUPPORT_HINT = {
    "exponential": "it needs values >= 0.",
    "lognormal": "it needs values > 0.",
    "gamma": "it needs values > 0 that are not all equal.",
    "beta": "it needs values whose variance is below the maximum for their range.",
    "truncnorm": "it needs values that are not all equal.",
    "student_t": "it needs values with a positive interquartile range.",
}


class Ties:
    """Distinct values of a column, their counts, and each row's value index.

    One sort of the column serves both the margin (which values are spikes)
    and the normal scores (the CDF jump of each row).
    """

    def __init__(self, values, counts, inverse):
        self.values = values
        self.counts = counts
        self.inverse = inverse

    @classmethod
    def of(cls, x):
        values, inverse, counts = np.unique(x, return_inverse=True, return_counts=True)
        return cls(values, counts, inverse.ravel())

    @classmethod
    def of_codes(cls, codes, n_levels):
        """Ties of small non-negative integer codes, without sorting."""
        counts = np.bincount(codes, minlength=n_levels)
        return cls(np.arange(n_levels, dtype=float), counts, codes)


def normal_scores(ties, rng):
    """Normal scores of the values' ranks, ties broken at random.

    Breaking ties at random is the distributional transform: each row draws
    its CDF value uniformly inside the jump of its value, ``[F(x-), F(x)]``,
    which makes the scores standard normal for discrete columns too.
    """
    n = ties.inverse.size
    below = np.concatenate([[0], np.cumsum(ties.counts)[:-1]])
    u = (below[ties.inverse] + rng.random_sample(n) * ties.counts[ties.inverse]) / n
    return ndtri(np.clip(u, 0.5 / n, 1 - 0.5 / n))


def _subsample(n, rng, size=_SELECTION_SIZE):
    """About ``size`` distinct row indices out of ``n``, in O(size) time."""
    return np.unique(rng.randint(0, n, size))
