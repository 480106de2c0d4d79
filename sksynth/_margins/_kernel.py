"""Kernel-smoothed empirical distribution of one column.

A Gaussian kernel density on (at most 1000) quantiles of the data, its
density and CDF tabulated once so that evaluation and the quantile function
are vectorised interpolations whatever the data size. The knots of the bulk
of the data are binned on a regular grid and convolved with the kernel (the
classic fast kernel density); the knots of long tails, which would stretch
that grid beyond what resolves the kernel, are added exactly. So heavy-tailed
columns keep a narrow kernel where their data are, and ties, tiny classes
and bandwidths below the values' rounding resolution stay well defined.
"""

import numpy as np
from scipy.special import ndtr

_N_KNOTS = 1000
_GRID_SIZE = 2048
_MAX_GRID_SIZE = 32_768
# The bulk's grid has at least this many points per bandwidth ...
_POINTS_PER_BANDWIDTH = 2.0
# ... and leaves out at most this share of the knots at each end (the tails,
# added exactly), trying these shares in turn.
_TAIL_SHARES = (0.0, 0.001, 0.005, 0.01, 0.02, 0.05, 0.1)
# Where the exact tail kernels are tabulated, in bandwidths from their knot.
_TAIL_OFFSETS = np.array([-6, -4, -3, -2, -1.5, -1, -0.5, 0, 0.5, 1, 1.5, 2, 3, 4, 6])
# Kernels reach this many bandwidths.
_REACH = 5.0
# Smallest bandwidth, relative to the knots' magnitude: below it, the steps of
# the grid round to nothing in float64.
_RESOLUTION = 4096 * np.finfo(float).eps
_LOG_SQRT_2PI = 0.5 * np.log(2 * np.pi)


class EmpiricalMargin:
    """Kernel-smoothed empirical distribution.

    Parameters
    ----------
    knots : ndarray of shape (n_knots,)
        Sorted kernel centres.
    bandwidth : float
        Kernel standard deviation (raised to the knots' float resolution).
    tabulate : bool, default=True
        Whether to tabulate the density and the CDF (False: only
        :meth:`exact_log_density` works, for scoring a few values).
    """

    def __init__(self, knots, bandwidth, tabulate=True):
        knots = np.sort(np.asarray(knots, dtype=float))
        magnitude = float(np.max(np.abs(knots))) if knots.size else 1.0
        floor = max(_RESOLUTION * magnitude, np.finfo(float).tiny * 1e8)
        self.knots = knots
        self.bandwidth = float(max(bandwidth, floor)) if bandwidth > 0 else floor
        if tabulate:
            self._tabulate()

    @classmethod
    def fit(cls, x, bandwidth_factor=1.0):
        """Knots at quantiles of ``x``; Silverman's bandwidth times a factor."""
        return cls.from_knots(*knots_and_bandwidth(x), bandwidth_factor)

    @classmethod
    def from_knots(cls, knots, bandwidth, bandwidth_factor=1.0, tabulate=True):
        """Margin on ``knots`` with ``bandwidth`` times a factor."""
        return cls(knots, bandwidth_factor * bandwidth, tabulate)

    def exact_log_density(self, x):
        """Log density as the exact kernel sum (one term per knot and value)."""
        return _exact_log_density(
            np.asarray(x, dtype=float), self.knots, self.bandwidth
        )

    def _tabulate(self):
        knots, h = self.knots, self.bandwidth
        bulk, tails = _split_bulk(knots, h)
        share = bulk.size / knots.size
        low, high = bulk[0] - _REACH * h, bulk[-1] + _REACH * h
        size = int(np.clip(_POINTS_PER_BANDWIDTH * (high - low) / h, 2, _MAX_GRID_SIZE))
        size = max(size, _GRID_SIZE)
        grid = np.linspace(low, high, size)
        step = grid[1] - grid[0]
        density = _binned_density(bulk, low, step, size, h) * share
        cdf = np.concatenate([[0.0], np.cumsum((density[1:] + density[:-1]) / 2)])
        cdf *= share / cdf[-1] if cdf[-1] > 0 else 0.0
        if tails.size:
            extra = (tails[:, None] + h * _TAIL_OFFSETS).ravel()
            points = np.unique(np.concatenate([grid, extra]))
            density = np.interp(points, grid, density, left=0.0, right=0.0)
            below = np.interp(points, grid, cdf, left=0.0, right=share)
            weight = tails.size / knots.size
            density = density + weight * _exact_density(points, tails, h)
            cdf = below + weight * _exact_cdf(points, tails, h)
            grid = points
        self._grid = grid
        self._density = density
        # Strictly increasing so that interpolation inverts it ...
        cdf = np.maximum.accumulate(cdf) + np.arange(grid.size) * 1e-13
        # ... and meeting at both ends the exact CDF that ``cdf`` uses beyond
        # the table (the tabulated kernels stop at _REACH bandwidths), so the
        # CDF stays monotone and within [0, 1] across the ends.
        start, end = _exact_cdf(grid[[0, -1]], knots, h)
        self._grid_cdf = start + (end - start) * cdf / cdf[-1]

    def cdf(self, x):
        x = np.asarray(x, dtype=float)
        out = np.interp(x, self._grid, self._grid_cdf)
        outside = (x < self._grid[0]) | (x > self._grid[-1])
        if outside.any():
            out[outside] = _exact_cdf(x[outside], self.knots, self.bandwidth)
        return out

    def ppf(self, u):
        return np.interp(u, self._grid_cdf, self._grid)

    def log_density(self, x):
        x = np.asarray(x, dtype=float)
        with np.errstate(divide="ignore"):
            out = np.log(np.interp(x, self._grid, self._density))
        outside = (x <= self._grid[0]) | (x >= self._grid[-1]) | ~np.isfinite(out)
        if outside.any():
            out[outside] = _exact_log_density(x[outside], self.knots, self.bandwidth)
        return out

    def __repr__(self):
        return f"empirical(n_knots={self.knots.size}, bandwidth={self.bandwidth:.4g})"


def _split_bulk(knots, h):
    """The knots a regular grid resolving ``h`` can hold, and the others."""
    n = knots.size
    for share in _TAIL_SHARES:
        cut = int(np.floor(share * n))
        bulk = knots[cut : n - cut]
        if (
            bulk.size
            and (bulk[-1] - bulk[0] + 2 * _REACH * h) * (_POINTS_PER_BANDWIDTH / h)
            <= _MAX_GRID_SIZE
        ):
            return bulk, np.concatenate([knots[:cut], knots[n - cut :]])
    return bulk, np.concatenate([knots[:cut], knots[n - cut :]])


def _binned_density(points, low, step, size, h):
    """Kernel density of ``points`` on a regular grid (linear binning, FFT)."""
    weights = _linear_binning(points, low, step, size)
    # At most as long as the grid, as a "same" convolution needs.
    half_width = min(int(np.ceil(_REACH * h / step)), (size - 1) // 2)
    offsets = np.arange(-half_width, half_width + 1) * step
    kernel = np.exp(-0.5 * (offsets / h) ** 2)
    # A direct convolution: the kernel spans a few bandwidths of the grid, and
    # numpy's is as fast here as an FFT (whose module costs its import time).
    density = np.convolve(weights, kernel / kernel.sum(), mode="same")
    return np.maximum(density, 0.0) / step


def _linear_binning(points, low, step, size):
    """Weights of ``points`` on a regular grid, each split between its two
    neighbouring grid points (they sum to one)."""
    position = (points - low) / step
    left = np.clip(np.floor(position).astype(int), 0, size - 2)
    right_share = np.clip(position - left, 0.0, 1.0)
    weights = np.bincount(left, 1 - right_share, minlength=size)
    weights += np.bincount(left + 1, right_share, minlength=size)
    return weights / points.size


def _exact_density(x, knots, h):
    z = (x[:, None] - knots) / h
    return np.exp(-0.5 * z**2).sum(axis=1) / (knots.size * h * np.sqrt(2 * np.pi))


def _exact_cdf(x, knots, h):
    return ndtr((x[:, None] - knots) / h).mean(axis=1)


def _exact_log_density(x, knots, h):
    z = (x[:, None] - knots) / h
    log_kernel = -0.5 * z**2
    top = log_kernel.max(axis=1, initial=-np.inf)
    top = np.where(np.isfinite(top), top, 0.0)
    with np.errstate(divide="ignore"):
        log_sum = np.log(np.exp(log_kernel - top[:, None]).sum(axis=1)) + top
    return log_sum - np.log(knots.size) - np.log(h) - _LOG_SQRT_2PI


def knots_and_bandwidth(x):
    """Knots and Silverman's bandwidth of values ``x``.

    Knots are quantiles from the minimum to the maximum, so the tails keep
    kernels of their own.
    """
    x = np.sort(x)
    n_knots = min(x.size, _N_KNOTS)
    knots = _sorted_quantiles(x, np.linspace(0.0, 1.0, n_knots))
    return knots, silverman_bandwidth(x)


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
