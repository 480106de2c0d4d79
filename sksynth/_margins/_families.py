"""Parametric families of one column, and the choice among them.

``select_continuous`` fits every family whose support holds the values, and a
kernel-smoothed empirical distribution, on one half of (a subsample of) the
values, scores each by its log-likelihood on the other half and the other
way round, and keeps the simplest family close to the best, or the empirical
distribution when it clearly beats every family.
"""

import math

import numpy as np
from scipy import stats
from scipy.special import betaln, gammaln, ndtr, ndtri
from sklearn.utils import check_random_state

from ._kernel import EmpiricalMargin, knots_and_bandwidth

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

# Number of values used to choose a family.
SELECTION_SIZE = 5_000
_GRID_SIZE = 2048
# Quantile functions are tabulated for calls on more values than this, on
# normal scores within +-_TABLE_SCORE (u from 1e-15 to 1 - 1e-15).
_TABULATE_ABOVE = 20_000
_TABLE_SCORE = 7.9
# Two families whose held-out log-likelihoods differ by less than this many
# nats per value describe the data equally well.
_EQUIVALENT_NATS = 0.005
_LOG_SQRT_2PI = 0.5 * np.log(2 * np.pi)
_SQRT_2 = math.sqrt(2.0)
_SQRT_2PI = math.sqrt(2.0 * math.pi)
# Held-out scores of the empirical margin are exact kernel sums when a fold's
# (train x test) pairs are at most this many: cheaper than tabulating.
_EXACT_PAIRS = 250_000


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
        # The unfrozen distribution with the parameters at each call: freezing
        # one costs a millisecond (scipy builds its docstring), a column's
        # whole fit on small tables.
        self._dist = _FROZEN[family]
        self._ppf_table = None

    def cdf(self, x):
        return self._dist.cdf(x, **self.params)

    def ppf(self, u):
        u = np.asarray(u, dtype=float)
        if u.size < _TABULATE_ABOVE:
            return self._dist.ppf(u, **self.params)
        # Special-function quantiles (gamma, beta, t) cost ~1 s per million
        # values: tabulate them once on a grid of normal scores, where they
        # are smooth, and interpolate.
        if self._ppf_table is None:
            scores = np.linspace(-_TABLE_SCORE, _TABLE_SCORE, _GRID_SIZE * 2 + 1)
            self._ppf_table = (scores, self._dist.ppf(ndtr(scores), **self.params))
        scores, table = self._ppf_table
        return np.interp(ndtri(u), scores, table)

    def log_density(self, x):
        return self._dist.logpdf(x, **self.params)

    def __repr__(self):
        params = ", ".join(f"{k}={v:.4g}" for k, v in self.params.items())
        return f"{self.family}({params})"


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
    rng : int, RandomState instance or None, default=None
        Used to subsample and split.

    Returns
    -------
    margin : ParametricMargin or EmpiricalMargin
    """
    rng = check_random_state(rng)
    # Families are fitted to x / scale and scaled back, so that magnitudes
    # from 1e-12 to 1e12 meet the same numerics.
    scale = np.max(np.abs(x))
    scale = scale if scale > 0 else 1.0
    x = x / scale
    bounds = (x.min(), x.max())
    sample = x if x.size <= SELECTION_SIZE else x[subsample(x.size, rng)]
    halves = np.array_split(rng.permutation(sample), 2)
    folds = [_Fold(*halves), _Fold(*halves[::-1])]
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
    for fold in folds:
        params = _FITTERS[name](fold.train, *bounds)
        if params is None:
            return None
        with np.errstate(all="ignore"):
            pieces.append(fold.with_tail(_LOGPDF[name](fold.test, **params)))
    return np.concatenate(pieces)


def tail_parameters(x):
    """``(loc, scale, weight)`` of the wide normal mixed into a fitted density
    when it scores values (see ``ColumnMargin.log_density``)."""
    return x.mean(), 3 * x.std(), 1 / (x.size + 1)


class _Fold:
    """One way round of the two-fold cross-fitting: the values fitted, the
    values scored, and the wide-normal tail of the final margin on the scored
    values (computed once: every candidate is scored with it)."""

    def __init__(self, train, test):
        self.train, self.test = train, test
        loc, scale, weight = tail_parameters(train)
        # A fold of one distinct value has no spread: values elsewhere get -inf.
        scale = max(scale, 1e-300)
        with np.errstate(over="ignore"):
            tail = _normal_logpdf(test, loc, scale)
        self.log_keep = np.log1p(-weight)
        self.log_tail = np.log(weight) + tail

    def with_tail(self, log_density):
        """Held-out log densities with the wide normal of the final margin
        mixed in, so candidates are compared as they will score: one held-out
        value far beyond a fold's range does not sink a kernel density."""
        return np.logaddexp(self.log_keep + log_density, self.log_tail)


_BANDWIDTH_FACTORS = (0.2, 0.45, 1.0)


def _fit_empirical(x, folds):
    """Empirical margin with the bandwidth factor of best held-out likelihood,
    and its per-value held-out log-likelihood."""
    splits = [(knots_and_bandwidth(fold.train), fold) for fold in folds]
    best_scores, best_factor = None, 1.0
    for factor in _BANDWIDTH_FACTORS:
        held_out = np.concatenate(
            [
                fold.with_tail(_empirical_log_density(*fitted, factor, fold.test))
                for fitted, fold in splits
            ]
        )
        if best_scores is None or held_out.mean() > best_scores.mean():
            best_scores, best_factor = held_out, factor
    return EmpiricalMargin.fit(x, best_factor), best_scores


def _empirical_log_density(knots, bandwidth, factor, test):
    """Held-out log density of the empirical margin on ``knots``."""
    if knots.size * test.size > _EXACT_PAIRS:
        return EmpiricalMargin.from_knots(knots, bandwidth, factor).log_density(test)
    # The margin's bandwidth (raised to the knots' resolution) without its
    # tables: the exact kernel sum.
    margin = EmpiricalMargin.from_knots(knots, bandwidth, factor, tabulate=False)
    return margin.exact_log_density(test)


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
    """Mean and standard deviation of a normal truncated to ``[low, high]``
    (scalars, with the math module: the solve calls it a few dozen times)."""
    alpha, beta = (low - loc) / scale, (high - loc) / scale
    mass = 0.5 * (math.erfc(-beta / _SQRT_2) - math.erfc(-alpha / _SQRT_2))
    pdf_alpha = math.exp(-0.5 * alpha**2) / _SQRT_2PI
    pdf_beta = math.exp(-0.5 * beta**2) / _SQRT_2PI
    shift = (pdf_alpha - pdf_beta) / mass
    spread = 1 + (alpha * pdf_alpha - beta * pdf_beta) / mass - shift**2
    return loc + scale * shift, scale * math.sqrt(max(spread, 0.0))


def _fit_truncnorm(x, low, high):
    low, high = _padded(low, high, x.size)
    mean, std = x.mean(), x.std()
    if not std > 0:
        return None

    def moment_gap(theta):
        loc, log_scale = theta
        try:
            m, s = _truncated_moments(loc, math.exp(log_scale), low, high)
        except (ZeroDivisionError, OverflowError, ValueError):
            return np.array([1e3, 1e3])
        gap = np.array([(m - mean) / std, (s - std) / std])
        return gap if np.all(np.isfinite(gap)) else np.array([1e3, 1e3])

    # Matching the two moments of the truncated law: a 2-equation solve on
    # summary statistics, independent of the number of rows.
    bounds = (
        np.array([low - 10 * std, np.log(std) - 3]),
        np.array([high + 10 * std, np.log(std) + 5]),
    )
    theta, gap = _newton(moment_gap, np.array([mean, np.log(std)]), bounds)
    if np.max(np.abs(gap)) > 1e-3:
        return None
    loc, scale = theta[0], float(np.exp(theta[1]))
    return {
        "a": (low - loc) / scale,
        "b": (high - loc) / scale,
        "loc": loc,
        "scale": scale,
    }


def _newton(equations, theta, bounds, max_iter=50, tol=1e-10):
    """Damped Newton steps on a small square system inside box ``bounds``,
    with a forward-difference Jacobian; returns the point and its residual."""
    gap = equations(theta)
    for _ in range(max_iter):
        if np.max(np.abs(gap)) < tol:
            break
        step = 1e-7 * np.maximum(np.abs(theta), 1.0)
        jacobian = np.column_stack(
            [
                (equations(theta + step[k] * np.eye(theta.size)[k]) - gap) / step[k]
                for k in range(theta.size)
            ]
        )
        try:
            move = np.linalg.solve(jacobian, -gap)
        except np.linalg.LinAlgError:
            break
        # Halve the step until the residual shrinks (at most ten times).
        for _ in range(10):
            candidate = np.clip(theta + move, *bounds)
            candidate_gap = equations(candidate)
            if np.sum(candidate_gap**2) < np.sum(gap**2):
                break
            move = move / 2
        else:
            break
        theta, gap = candidate, candidate_gap
    return theta, gap


_T_DEGREES = np.array([1.0, 1.5, 2.0, 3.0, 4.0, 6.0, 10.0, 20.0, 50.0])


def _fit_student_t(x, low, high):
    loc = np.median(x)
    iqr = np.subtract(*np.quantile(x, [0.75, 0.25]))
    if not iqr > 0:
        return None
    z = (x[:SELECTION_SIZE] - loc) / iqr
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
# Log densities of the families in closed form, as scipy.stats parametrises
# them: the same values as its logpdf, without its argument checks, which cost
# ten times the arithmetic on the small folds of the family selection.


def _inside(condition, values):
    return np.where(condition, values, -np.inf)


def _normal_logpdf(x, loc, scale):
    return -0.5 * ((x - loc) / scale) ** 2 - np.log(scale) - _LOG_SQRT_2PI


def _uniform_logpdf(x, loc, scale):
    return _inside(
        (x >= loc) & (x <= loc + scale), np.full(np.shape(x), -np.log(scale))
    )


def _exponential_logpdf(x, loc, scale):
    return _inside(x >= loc, -(x - loc) / scale - np.log(scale))


def _lognormal_logpdf(x, s, loc, scale):
    y = (x - loc) / scale
    with np.errstate(divide="ignore", invalid="ignore"):
        log_y = np.log(y)
        values = -0.5 * (log_y / s) ** 2 - log_y - np.log(s) - _LOG_SQRT_2PI
    return _inside(y > 0, values - np.log(scale))


def _gamma_logpdf(x, a, loc, scale):
    y = (x - loc) / scale
    with np.errstate(divide="ignore", invalid="ignore"):
        values = (a - 1) * np.log(y) - y - gammaln(a)
    return _inside(y > 0, values - np.log(scale))


def _beta_logpdf(x, a, b, loc, scale):
    y = (x - loc) / scale
    with np.errstate(divide="ignore", invalid="ignore"):
        values = (a - 1) * np.log(y) + (b - 1) * np.log1p(-y) - betaln(a, b)
    return _inside((y > 0) & (y < 1), values - np.log(scale))


def _truncnorm_logpdf(x, a, b, loc, scale):
    z = (x - loc) / scale
    log_mass = np.log(ndtr(b) - ndtr(a))
    values = -0.5 * z**2 - _LOG_SQRT_2PI - log_mass - np.log(scale)
    return _inside((z >= a) & (z <= b), values)


def _student_t_logpdf(x, df, loc, scale):
    z = (x - loc) / scale
    return (
        gammaln((df + 1) / 2)
        - gammaln(df / 2)
        - 0.5 * np.log(df * np.pi)
        - np.log(scale)
        - (df + 1) / 2 * np.log1p(z**2 / df)
    )


_LOGPDF = {
    "normal": _normal_logpdf,
    "uniform": _uniform_logpdf,
    "exponential": _exponential_logpdf,
    "lognormal": _lognormal_logpdf,
    "gamma": _gamma_logpdf,
    "beta": _beta_logpdf,
    "truncnorm": _truncnorm_logpdf,
    "student_t": _student_t_logpdf,
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


def subsample(n, rng, size=SELECTION_SIZE):
    """About ``size`` distinct row indices out of ``n``, in O(size) time."""
    return np.unique(rng.randint(0, n, size))
