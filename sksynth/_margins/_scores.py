"""Columns on the normal-score axis, through their margins.

``normal_scores`` gives the rows of a column the normal scores of their ranks
(ties broken at random: the copula's latent scores). :class:`NormalScores`
maps a column to ``z = Phi^-1(F(x))`` and back through its fitted margin (the
kernel density's axis): atoms own an interval of ``z``, the continuous part
is a piecewise-linear CDF, and beyond the observed range the margin's
exponential tails keep every number a finite score.
"""

import numpy as np
from scipy.special import ndtr, ndtri, ndtri_exp

from ._linear import interp

_LOG_SQRT_2PI = 0.5 * np.log(2 * np.pi)


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

    def from_scores(self, z, enforce_range):
        """Values of normal scores; within the observed range if asked."""
        missing = np.isnan(z)
        if missing.any():
            x = np.full(z.shape, np.nan)
            x[~missing] = self.from_scores(z[~missing], enforce_range)
            return x
        u = ndtr(z)
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
