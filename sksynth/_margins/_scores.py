"""Columns on the normal-score axis, through their margins.

``normal_scores`` gives the rows of a column the normal scores of their ranks
(ties broken at random: the copula's latent scores). :class:`NormalScores`
maps a column to ``z = Phi^-1(F(x))`` and back through its fitted margin (the
kernel density's axis): atoms own an interval of ``z``, the continuous part
is a piecewise-linear CDF, and beyond the observed range the margin's
exponential tails keep every number a finite score.
"""

import math

import numpy as np
from scipy.special import ndtr, ndtri, ndtri_exp

from ._linear import CellInterp, interp

_LOG_SQRT_2PI = 0.5 * np.log(2 * np.pi)
# Many scores map to values through polynomial pieces of the score axis
# (:class:`_ScorePieces`): degree and bound on the Taylor remainder, as a
# share of a piece's probability.
_PIECE_DEGREE = 5
_PIECE_TOLERANCE = 1e-14


def normal_scores(ties, rng, method="random"):
    """Normal scores of the values' ranks.

    ``method="random"`` breaks ties at random: the distributional transform,
    each row draws its CDF value uniformly inside the jump of its value,
    ``[F(x-), F(x)]``, which makes the scores standard normal for discrete
    columns too. ``method="average"`` gives tied rows their mean rank ``r``
    and the score ``Phi^-1(r / (n + 1))``: no randomness, and the scores of a
    discrete column are its values' own (fewer distinct scores, variance
    below 1).
    """
    n = ties.inverse.size
    below = np.concatenate([[0], np.cumsum(ties.counts)[:-1]])
    if method == "average":
        mean_rank = below[ties.inverse] + (ties.counts[ties.inverse] + 1) / 2
        return ndtri(mean_rank / (n + 1))
    u = (below[ties.inverse] + rng.random_sample(n) * ties.counts[ties.inverse]) / n
    return ndtri(np.clip(u, 0.5 / n, 1 - 0.5 / n))


class NormalScores:
    """Monotone map between a numeric column and the normal-score axis.

    Parameters
    ----------
    margin : ColumnMargin
        The column's margin: atoms, and a :class:`LinearMargin` continuous
        part or none.
    """

    def __init__(self, margin):
        self.margin = margin
        self.linear = margin.continuous
        self.c = margin.continuous_prob
        atoms = margin.atoms
        points = [atoms] if self.linear is None else [atoms, self.linear.knots_x]
        values = np.concatenate(points)
        self.low, self.high = float(values.min()), float(values.max())
        lower, upper = margin.cdf_bounds(atoms)
        table_x, table_u = [atoms, atoms], [lower, upper]
        if self.linear is not None:
            knots = self.linear.knots_x
            knots = knots[margin.atom_index(knots) < 0]
            table_x.append(knots)
            table_u.append(margin.cdf_bounds(knots)[0])
        table_x = np.concatenate(table_x)
        table_u = np.concatenate(table_u)
        order = np.lexsort((table_u, table_x))
        self.table_x, self.table_u = table_x[order], table_u[order]
        self.u_low, self.u_high = float(self.table_u[0]), float(self.table_u[-1])
        # A trailing pad: index -1 (no atom) reads it.
        self._atom_lower = np.r_[margin._atom_lower, 0.5]
        self._atom_upper = np.r_[margin._atom_upper, 0.5]
        self._lookups = {}

    def __getstate__(self):
        # The look-up cells are rebuilt when needed, not stored.
        return {**self.__dict__, "_lookups": {}}

    def cdf(self, x):
        """CDF of values, the middle of an atom's jump at an atom."""
        margin = self.margin
        position = np.searchsorted(margin.atoms, x, side="left")
        index = margin.atom_index(x, position)
        if self.linear is None:
            u = interp(x, self.table_x, self.table_u, self._lookups, "cdf")
        else:
            u = self.c * self.linear.cdf(x) + margin._mass_below[position]
        on_atom = index >= 0
        u[on_atom] = (
            margin._atom_lower[index[on_atom]] + margin._atom_upper[index[on_atom]]
        ) / 2
        return u

    def to_scores(self, x):
        """Normal scores of values (NaN stays NaN)."""
        z = np.full(x.shape, np.nan)
        observed = ~np.isnan(x)
        z[observed] = ndtri(np.clip(self.cdf(x[observed]), 1e-300, 1.0))
        return z

    def centre_scores(self, x, rng, positions):
        """Scores of kernel centres at values ``x``: :meth:`to_scores`, but a
        value at an atom takes one of ``positions`` evenly spaced points of
        the atom's CDF jump, picked at random, instead of its middle.

        Centres then spread over the atom's score interval as the normal
        density does, and their scores are standard normal whatever the
        ties: a kernel around them keeps the margin. At the middle, an atom
        that holds many rows (the zeros of an amount) keeps its centres far
        from its edges while neighbouring centres spill into it, and grows.
        A few positions keep the distinct centres few (see
        ``atom_log_kernel``).
        """
        z = self.to_scores(x)
        observed = np.flatnonzero(~np.isnan(x))
        index = self.margin.atom_index(x[observed])
        at, index = observed[index >= 0], index[index >= 0]
        if at.size:
            lower, upper = self._atom_lower[index], self._atom_upper[index]
            step = (rng.randint(positions, size=at.size) + 0.5) / positions
            z[at] = ndtri(np.clip(lower + step * (upper - lower), 1e-300, 1.0))
        return z

    def atom_middles(self, z):
        """Scores ``z`` with those inside an atom's score interval moved to
        its middle: :meth:`to_scores` of the values they stand for (how
        query rows are encoded), from :meth:`centre_scores`."""
        margin = self.margin
        if margin.atoms.size == 0:
            return z
        with np.errstate(divide="ignore"):
            upper = ndtri(margin._atom_upper)
            middle = ndtri((margin._atom_lower + margin._atom_upper) / 2)
        # Atoms are in increasing order, and so are their score intervals.
        index = np.clip(np.searchsorted(upper, z), 0, upper.size - 1)
        with np.errstate(divide="ignore"):
            lower = ndtri(margin._atom_lower[index])
        inside = (z >= lower) & (z <= upper[index]) & (upper[index] > lower)
        return np.where(inside, middle[index], z)

    def from_scores(self, z, enforce_range, out=None):
        """Values of normal scores; within the observed range if asked.

        ``out``, an array of ``z``'s shape, receives the values when given.
        """
        if z.size:
            low, high = z.min(), z.max()
            pieces = self._pieces()
            # (NaN compares false: scores with missing values go the long way.)
            if pieces is not None and low >= pieces.low and high <= pieces.high:
                return pieces(z, out)
        x = self._from_some_scores(z, enforce_range)
        if out is None:
            return x
        out[...] = x
        return out

    def _from_some_scores(self, z, enforce_range):
        """:meth:`from_scores` of scores that may be missing or beyond the
        pieces of the score axis."""
        missing = np.isnan(z)
        if missing.any():
            x = np.full(z.shape, np.nan)
            x[~missing] = self.from_scores(z[~missing], enforce_range)
            return x
        pieces = self._pieces()
        if pieces is None:
            return self._from_cdf(ndtr(z), enforce_range)
        # Scores beyond the table's: the normal CDF, then the tails.
        inside = (z >= pieces.low) & (z <= pieces.high)
        x = np.empty(z.shape)
        x[inside] = pieces(z[inside])
        x[~inside] = self._from_cdf(ndtr(z[~inside]), enforce_range)
        return x

    def _pieces(self):
        """The polynomial pieces of the score axis (built once, when first
        needed; None when the table spans less than two finite scores)."""
        if "pieces" not in self._lookups:
            self._lookups["pieces"] = _ScorePieces.of(self.table_u, self.table_x)
        return self._lookups["pieces"]

    def _from_cdf(self, u, enforce_range):
        """Values of CDF values ``u`` (overwritten)."""
        if enforce_range or self.linear is None:
            # The tails beyond the range, reflected back inside, neither leak
            # nor pile up at the bounds.
            low = np.flatnonzero(u < self.u_low)
            u[low] = 2 * self.u_low - u[low]
            high = np.flatnonzero(u > self.u_high)
            u[high] = 2 * self.u_high - u[high]
            return interp(u, self.table_u, self.table_x, self._lookups, "inverse")
        x = interp(u, self.table_u, self.table_x, self._lookups, "inverse")
        # Beyond the range the continuous part's exponential tails.
        below, above = u < self.u_low, u > self.u_high
        linear = self.linear
        with np.errstate(divide="ignore"):
            x[below] = linear.low + linear.tail_scale * np.log(
                u[below] / (self.c * linear.tail_mass)
            )
            x[above] = linear.high - linear.tail_scale * np.log(
                (1 - u[above]) / (self.c * linear.tail_mass)
            )
        return x

    def query(self, x):
        """What the kernel needs of observed query values.

        Returns the score of each value, whether it is an atom, the score
        bounds of the atoms and the log Jacobian ``log dz/dx`` of the others,
        in log space far beyond the range (finite for every number).
        """
        margin = self.margin
        index = margin.atom_index(x)
        is_atom = index >= 0
        u = self.cdf(x)
        z = ndtri(np.clip(u, 0.0, 1.0))
        z_low = np.where(is_atom, ndtri(self._atom_lower[index]), np.nan)
        z_high = np.where(is_atom, ndtri(self._atom_upper[index]), np.nan)
        log_jacobian = np.zeros(x.shape)
        if self.linear is not None:
            log_c = np.log(self.c)
            below = ~is_atom & (x < self.low)
            above = ~is_atom & (x > self.high)
            z[below] = ndtri_exp(log_c + self.linear.log_cdf(x[below]))
            z[above] = -ndtri_exp(log_c + self.linear.log_sf(x[above]))
            free = ~is_atom
            log_jacobian[free] = (
                log_c
                + self.linear.log_density(x[free])
                + 0.5 * z[free] ** 2
                + _LOG_SQRT_2PI
            )
            log_jacobian = np.where(np.isfinite(log_jacobian), log_jacobian, 0.0)
        return z, is_atom, z_low, z_high, log_jacobian


class _ScorePieces:
    """``np.interp(ndtr(z), table_u, table_x)`` for many scores inside the
    table, without the normal CDF of each score.

    Between two knots of the table, at scores ``z_i = Phi^-1(u_i)``, the map
    is ``x_i + s_i (Phi(z) - u_i)``: smooth in ``z``. The score axis is cut
    there, and further into pieces so narrow that the degree-5 Taylor
    polynomial of ``Phi`` about a piece's midpoint is off by less than
    ``_PIECE_TOLERANCE`` of the piece's probability. A score then costs a
    look-up of its piece and the polynomial's few products, the same values
    as the normal CDF and the table up to rounding (a relative ``1e-14`` of
    the segment's width, below the CDF's own rounding in the tails), at a
    fraction of the cost.

    The remainder after degree 5 is ``Phi^(6)(xi) t^6 / 6!`` with
    ``Phi^(6) = -He_5 phi`` (``He_5``: the probabilists' Hermite polynomial),
    ``|t| <= w / 2`` on a piece of width ``w``; ``|He_5(z)| <= r^5 + 10 r^3 +
    15 r`` for ``|z| <= r``, and ``phi`` varies by less than a factor of two
    across a piece no wider than ``log(2) / r``, so the remainder is below the
    tolerance times the piece's probability, at least ``w phi / 2``.
    """

    def __init__(self, breaks, mid, coefficients):
        self.low, self.high = float(breaks[0]), float(breaks[-1])
        self.lookup = CellInterp(breaks, np.zeros(breaks.size))
        self.mid = mid
        # Highest degree first, as Horner's scheme reads them.
        self.coefficients = coefficients[::-1]

    @classmethod
    def of(cls, table_u, table_x):
        with np.errstate(divide="ignore"):
            z = ndtri(table_u)
        finite = np.flatnonzero(np.isfinite(z))
        if finite.size < 2 or not z[finite[-1]] > z[finite[0]]:
            return None
        knots = slice(finite[0], finite[-1] + 1)
        z, u, x = z[knots], table_u[knots], table_x[knots]
        width, du = np.diff(z), np.diff(u)
        slope = np.divide(np.diff(x), du, out=np.zeros(du.size), where=du > 0)
        n = _PIECE_DEGREE
        r = np.maximum(np.abs(z[:-1]), np.abs(z[1:]))
        # |He_n(z)| <= A_n(r) on |z| <= r: He_n's coefficients made positive,
        # A_(k+1) = r A_k + k A_(k-1).
        bound = [np.ones(r.size), r]
        for k in range(1, n):
            bound.append(r * bound[-1] + k * bound[-2])
        # 2 A_n (w / 2)^(n+1) / (n+1)! <= tolerance * w, and w <= log(2) / r.
        with np.errstate(divide="ignore"):
            allowed = np.minimum(
                (_PIECE_TOLERANCE * math.factorial(n + 1) * 2.0**n / bound[n])
                ** (1 / n),
                np.log(2) / r,
            )
        # A flat segment (an atom's value) is one piece whatever its width.
        n_cuts = np.where(
            slope == 0, 1, np.maximum(np.ceil(width / allowed), 1)
        ).astype(np.intp)
        segment = np.repeat(np.arange(width.size), n_cuts)
        first = np.repeat(np.cumsum(n_cuts) - n_cuts, n_cuts)
        step = (np.arange(segment.size) - first) / n_cuts[segment]
        breaks = np.r_[z[segment] + step * width[segment], z[-1]]
        mid = (breaks[:-1] + breaks[1:]) / 2
        # Derivatives of Phi at the midpoints: Phi^(k) = (-1)^(k-1) He_(k-1) phi.
        phi = np.exp(-0.5 * mid**2 - _LOG_SQRT_2PI)
        hermite = [np.ones(mid.size), mid]
        for k in range(2, _PIECE_DEGREE):
            hermite.append(mid * hermite[-1] - (k - 1) * hermite[-2])
        s = slope[segment]
        # Phi(mid) - u_i; above the median as (1 - u_i) - Phi(-mid), whose
        # terms keep their digits where Phi(mid) and u_i are both near 1.
        upper = mid > 0
        gap = np.where(
            upper, (1 - u[segment]) - ndtr(-np.abs(mid)), ndtr(mid) - u[segment]
        )
        coefficients = [x[segment] + s * gap]
        factorial = 1.0
        for k in range(1, _PIECE_DEGREE + 1):
            factorial *= k
            sign = 1.0 if k % 2 else -1.0
            coefficients.append(s * sign * hermite[k - 1] * phi / factorial)
        return cls(breaks, mid, coefficients)

    def __call__(self, z, out=None):
        """Values of scores inside ``[low, high]`` (into ``out`` if given)."""
        piece = self.lookup.segments(z)
        # Pieces are valid indices: mode="clip" skips the bounds check and
        # the buffering of ``out``.
        t = self.mid.take(piece, mode="clip")
        np.subtract(z, t, out=t)
        x = self.coefficients[0].take(piece, out=out, mode="clip")
        term = np.empty(z.shape)
        for coefficient in self.coefficients[1:]:
            x *= t
            x += coefficient.take(piece, out=term, mode="clip")
        return x
