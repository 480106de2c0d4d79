"""A piecewise-linear CDF through quantiles of a column, with exponential tails.

The empirical distribution of a column, smoothed only by linear
interpolation between (at most a thousand or two) of its quantiles, inside
the observed range; beyond it, a small share of mass decays exponentially, so
that every number has a positive, finite density. The kernel density
synthesizer maps columns to normal scores through it, and the mixture cuts
it into bins of equal mass.
"""

import numpy as np

# Table look-ups of at least this many values go through equal-width cells
# (this many per knot) instead of a binary search per value.
_CELL_LOOKUP_MIN_VALUES = 20_000
_CELLS_PER_KNOT = 64


class CellInterp:
    """``np.interp(x, xp, fp)`` for many values, with increasing ``xp``.

    The range of ``xp`` is cut into equal-width cells; a value in a cell that
    holds no knot gets its segment from one look-up, the others (about one in
    ``_CELLS_PER_KNOT``) by binary search. Outside ``xp`` the ends are held,
    as in ``np.interp``.
    """

    def __init__(self, xp, fp):
        self.xp, self.fp = xp, fp
        self.last = xp.size - 2
        self.n_cells = _CELLS_PER_KNOT * xp.size
        self.width = (xp[-1] - xp[0]) / self.n_cells
        n_edges = self.n_cells + 1
        # The first edge at or above each knot (edge e at xp[0] + width * e),
        # from its estimate, corrected by a step where rounding misplaced it.
        first_edge = np.clip(np.ceil((xp - xp[0]) / self.width), 0, n_edges)
        first_edge = first_edge.astype(np.intp)
        first_edge += xp[0] + self.width * first_edge < xp
        first_edge -= (first_edge > 0) & (xp[0] + self.width * (first_edge - 1) >= xp)
        np.minimum(first_edge, n_edges, out=first_edge)
        # Each edge's segment: the knots at or below it, less one (clipped),
        # constant between consecutive first edges.
        dtype = np.int16 if xp.size < 2**15 else np.intp
        value = np.clip(np.arange(-1, xp.size), 0, self.last).astype(dtype)
        segment = np.repeat(value, np.diff(np.r_[0, first_edge, n_edges]))
        # -1 marks a cell with a knot inside (its segment changes at its top
        # edge): its values need the search. So do the two cells past the
        # last edge, where the top value (or one a rounding above it) falls.
        cell_segment = np.empty(self.n_cells + 2, dtype=dtype)
        cell_segment[: self.n_cells] = segment[:-1]
        cell_segment[self.n_cells :] = -1
        # (first_edge is sorted: its distinct values start its runs.)
        top = first_edge[np.r_[True, first_edge[1:] != first_edge[:-1]]]
        top = top[(top > 0) & (top < n_edges)]
        cell_segment[top[segment[top] != segment[top - 1]] - 1] = -1
        self.cell_segment = cell_segment
        step = np.diff(xp)
        self.slope = np.divide(
            np.diff(fp), step, out=np.zeros(step.size), where=step > 0
        )
        # A value clipped to a repeated end knot (an atom at an end of the
        # normal scores' table) lands on the zero-width segment, not on the
        # end value np.interp holds: those ends are set apart.
        self.repeated_ends = bool(xp[1] == xp[0] or xp[-2] == xp[-1])

    def __call__(self, x):
        xp = self.xp
        if self.repeated_ends:
            below, above = x < xp[0], x > xp[-1]
        x = np.clip(x, xp[0], xp[-1])
        segment = self.segments(x)
        x -= xp.take(segment)
        x *= self.slope.take(segment)
        x += self.fp.take(segment)
        if self.repeated_ends:
            x[below], x[above] = self.fp[0], self.fp[-1]
        return x

    def segments(self, x):
        """Segment of each value, ``i`` with ``xp[i] <= x < xp[i + 1]`` (the
        last of equal knots), for values inside ``[xp[0], xp[-1]]``."""
        cell = x - self.xp[0]
        cell /= self.width
        cell = cell.astype(np.intp)
        # take gathers faster than indexing with an array; the cells are
        # valid indices (mode="clip" skips the bounds check).
        segment = self.cell_segment.take(cell, mode="clip").astype(np.intp)
        unsure = np.flatnonzero(segment < 0)
        segment[unsure] = np.clip(
            np.searchsorted(self.xp, x[unsure], side="right") - 1, 0, self.last
        )
        return segment


def interp(x, xp, fp, cache=None, key=None):
    """``np.interp(x, xp, fp)``, through :class:`CellInterp` for many ``x``.

    The cell index is kept in ``cache[key]`` when a dict is given.
    """
    if x.size < _CELL_LOOKUP_MIN_VALUES or xp.size < 2 or not xp[-1] > xp[0]:
        return np.interp(x, xp, fp)
    if cache is None:
        return CellInterp(xp, fp)(x)
    if key not in cache:
        cache[key] = CellInterp(xp, fp)
    return cache[key](x)


def weighted_mean_std(values, weights):
    """Mean and standard deviation of ``values`` held by ``weights`` rows
    (0 and 0 when the weights are all zero)."""
    total = max(weights.sum(), 1e-12)
    mean = float(weights @ values) / total
    return mean, float(np.sqrt(weights @ (values - mean) ** 2 / total))


class LinearMargin:
    """Piecewise-linear CDF through knots, with exponential tails.

    Inside ``[knots_x[0], knots_x[-1]]`` the CDF runs linearly between the
    knots from ``tail_mass`` to ``1 - tail_mass``; beyond, each side holds
    ``tail_mass``, decaying exponentially with scale ``tail_scale``.

    Parameters
    ----------
    knots_x : ndarray of shape (n_knots,)
        Increasing values.
    knots_u : ndarray of shape (n_knots,)
        Inner CDF at the knots, increasing from 0 to 1.
    tail_mass : float
        Mass beyond each end of the range.
    tail_scale : float
        Scale of the exponential tails.
    """

    def __init__(self, knots_x, knots_u, tail_mass, tail_scale):
        self.knots_x = np.asarray(knots_x, dtype=float)
        self.knots_u = np.asarray(knots_u, dtype=float)
        self.tail_mass = float(tail_mass)
        self.tail_scale = float(tail_scale)
        self.low, self.high = float(self.knots_x[0]), float(self.knots_x[-1])
        step = np.diff(self.knots_x)
        self._slope = np.divide(
            np.diff(self.knots_u), step, out=np.zeros(step.size), where=step > 0
        )
        self._lookups = {}

    def __getstate__(self):
        # The look-up cells are rebuilt when needed, not stored.
        return {**self.__dict__, "_lookups": {}}

    @classmethod
    def fit(
        cls, values, weights, max_knots=1000, min_weight_per_knot=1.0, tail_mass=None
    ):
        """Knots at quantiles of sorted distinct ``values`` of total ``weights``.

        Each distinct value sits at the middle of its share of the CDF, the
        extreme ones at 0 and 1; at most ``max_knots`` knots, and about one
        per ``min_weight_per_knot`` of weight, so that the density does not
        spike between close values. ``tail_mass`` defaults to ``1 / (n +
        1)`` for a total weight ``n``.
        """
        values = np.asarray(values, dtype=float)
        weights = np.asarray(weights, dtype=float)
        total = float(weights.sum())
        cumulative = np.cumsum(weights)
        mid = (cumulative - weights / 2) / total
        n_knots = int(np.clip(total / min_weight_per_knot, 2, max_knots))
        if values.size <= n_knots:
            keep = np.arange(values.size)
        else:
            keep = np.unique(
                np.searchsorted(mid, np.linspace(0, 1, n_knots)).clip(
                    0, values.size - 1
                )
            )
            keep = np.unique(np.r_[0, keep, values.size - 1])
        knots_x, knots_u = values[keep], mid[keep]
        knots_u[0], knots_u[-1] = 0.0, 1.0
        spread = weighted_mean_std(values, weights)[1]
        scale = spread if spread > 0 else max(abs(values[0]), 1.0) * 1e-3
        if tail_mass is None:
            tail_mass = 1.0 / (total + 1.0)
        return cls(knots_x, knots_u, tail_mass, scale)

    def inner_cdf(self, x):
        """CDF inside the range, from 0 to 1 (held at the ends beyond it)."""
        return interp(x, self.knots_x, self.knots_u, self._lookups, "inner")

    def inner_log_density(self, x):
        """Log density of the inner CDF (``-inf`` beyond the range)."""
        x = np.asarray(x, dtype=float)
        segment = np.clip(
            np.searchsorted(self.knots_x, x, side="right") - 1, 0, self._slope.size - 1
        )
        with np.errstate(divide="ignore"):
            log_slope = np.log(self._slope[segment]) if self._slope.size else x * 0
        return np.where((x < self.low) | (x > self.high), -np.inf, log_slope)

    def cdf(self, x):
        x = np.asarray(x, dtype=float)
        t = self.tail_mass
        u = t + (1 - 2 * t) * self.inner_cdf(x)
        with np.errstate(over="ignore", under="ignore"):
            below = x < self.low
            above = x > self.high
            u = np.where(below, t * np.exp((x - self.low) / self.tail_scale), u)
            u = np.where(above, 1 - t * np.exp((self.high - x) / self.tail_scale), u)
        return u

    def log_cdf(self, x):
        """``log F(x)``, exact far in the lower tail (no underflow)."""
        x = np.asarray(x, dtype=float)
        with np.errstate(divide="ignore"):
            out = np.log(self.cdf(x))
        below = x < self.low
        out[below] = np.log(self.tail_mass) + (x[below] - self.low) / self.tail_scale
        return out

    def log_sf(self, x):
        """``log (1 - F(x))``, exact far in the upper tail."""
        x = np.asarray(x, dtype=float)
        with np.errstate(divide="ignore"):
            out = np.log1p(-self.cdf(x))
        above = x > self.high
        out[above] = np.log(self.tail_mass) + (self.high - x[above]) / self.tail_scale
        return out

    def ppf(self, u):
        u = np.asarray(u, dtype=float)
        t = self.tail_mass
        inner = np.clip((u - t) / (1 - 2 * t), 0.0, 1.0)
        x = interp(inner, self.knots_u, self.knots_x, self._lookups, "inverse")
        with np.errstate(divide="ignore", invalid="ignore"):
            below = u < t
            above = u > 1 - t
            x = np.where(below, self.low + self.tail_scale * np.log(u / t), x)
            x = np.where(above, self.high - self.tail_scale * np.log((1 - u) / t), x)
        return x

    def log_density(self, x):
        x = np.asarray(x, dtype=float)
        t = self.tail_mass
        out = np.log1p(-2 * t) + self.inner_log_density(x)
        distance = np.where(x < self.low, self.low - x, x - self.high)
        tail = np.log(t) - np.log(self.tail_scale) - distance / self.tail_scale
        return np.where((x < self.low) | (x > self.high), tail, out)

    def __repr__(self):
        return f"linear(n_knots={self.knots_x.size})"
