"""The distribution of one column: the column model every estimator shares.

:class:`ColumnMargin` is the distribution of a numeric column: point masses
(*atoms*: every value of a discrete column, or the spikes of a many-valued
one such as zeros or a cap) plus, for many-valued columns, a continuous part
(a parametric family, a kernel-smoothed or a piecewise-linear empirical
distribution). :class:`LevelMargin` is that of a categorical or boolean
column. Both know which values the fitted model cannot produce (*novel*
values: a value of a discrete column, or a category, not seen in ``fit``; a
missing value in a column that had none) and the small probability
``score_samples`` gives them (see :meth:`ColumnMargin.novelty`).
"""

import numpy as np
from scipy import stats

from .._data import is_discrete_column, is_spike
from ._families import select_continuous, tail_parameters
from ._linear import LinearMargin, weighted_mean_std

_EPS = 1e-12
# A column with fewer distinct non-spike values than this has no continuous
# part: its values are atoms.
_MIN_CONTINUOUS_VALUES = 3


def _clip_unit(u):
    return np.clip(u, _EPS, 1.0 - _EPS)


def novelty_share(n_rows):
    """Probability ``1 / (n + 1)`` of a novel outcome after ``n`` rows (the
    add-one rule of succession)."""
    return 1.0 / (n_rows + 1.0)


class ColumnMargin:
    """Distribution of a numeric column: atoms plus an optional continuous part.

    ``cdf_bounds`` and ``log_density`` describe the untruncated margin;
    ``ppf`` draws from it truncated to ``[low, high]`` by rescaling ``u``
    into ``[F(low-), F(high)]``, so no mass piles up at the bounds.

    Parameters
    ----------
    atoms : ndarray of shape (n_atoms,)
        Sorted values carrying a point mass.
    atom_probs : ndarray of shape (n_atoms,)
        Mass of each atom.
    continuous : ParametricMargin, EmpiricalMargin, LinearMargin or None
        Distribution of the remaining mass, ``1 - atom_probs.sum()``.
    low, high : float, default=-inf, inf
        Support the margin is truncated to when sampling.
    tail : tuple of (float, float, float), default=None
        ``(loc, scale, weight)`` of a wide normal mixed into the continuous
        density by ``log_density`` only, so that values a little outside the
        training range keep a finite density under bounded families.
    discrete : bool, default=False
        Whether the column takes only its atoms (values seen in ``fit``).
    n_rows : int, default=0
        Rows the margin was fitted on, missing values included.
    missing_rate : float, default=0.0
        Share of those rows that were missing.
    novelty : tuple of (float, float), default=None
        ``(loc, scale)`` of the normal density of novel values; by default
        the mean and three times the standard deviation of the atoms
        (``(0, 1)`` without atoms).
    bounded : bool, default=False
        Whether the model has no density outside ``[low, high]`` (values
        there are novel), as a model that only draws inside it.
    """

    def __init__(
        self,
        atoms,
        atom_probs,
        continuous=None,
        low=-np.inf,
        high=np.inf,
        tail=None,
        discrete=False,
        n_rows=0,
        missing_rate=0.0,
        novelty=None,
        bounded=False,
    ):
        self.atoms = np.asarray(atoms, dtype=float)
        self.atom_probs = np.asarray(atom_probs, dtype=float)
        self.continuous = continuous
        self.low = low
        self.high = high
        self.tail = tail
        self.discrete = discrete
        self.n_rows = n_rows
        self.missing_rate = missing_rate
        self.bounded = bounded
        if novelty is None and self.atoms.size:
            novelty = _novelty_of(self.atoms, self.atom_probs)
        self._novelty = (0.0, 1.0) if novelty is None else novelty
        self.continuous_prob = (
            0.0 if continuous is None else max(1.0 - self.atom_probs.sum(), 0.0)
        )
        self._mass_below = np.concatenate([[0.0], np.cumsum(self.atom_probs)])
        # Index -1 (no atom) reads the trailing zero.
        self._probs_or_zero = np.append(self.atom_probs, 0.0)
        # Clipped: the cumulative sums of the shares can pass 1 by a rounding.
        self._atom_lower = np.clip(
            self._continuous_cdf(self.atoms) + self._mass_below[:-1], 0.0, 1.0
        )
        self._atom_upper = np.clip(self._atom_lower + self.atom_probs, 0.0, 1.0)
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

    def atom_index(self, x, position=None):
        """Index of the atom equal to each value, -1 where there is none.

        ``position``: ``np.searchsorted(self.atoms, x)``, when already known.
        """
        if self.atoms.size == 0:
            return np.full(np.shape(x), -1)
        if position is None:
            position = np.searchsorted(self.atoms, x)
        index = np.minimum(position, self.atoms.size - 1)
        return np.where(self.atoms[index] == x, index, -1)

    def cdf_bounds(self, x):
        """``F(x-)`` and ``F(x)`` of each value.

        Equal for a continuous value, a jump of ``P(X = x)`` at an atom. A
        discrete margin gives NaN for values that are not atoms.
        """
        x = np.asarray(x, dtype=float)
        position = np.searchsorted(self.atoms, x, side="left")
        lower = self._continuous_cdf(x) + self._mass_below[position]
        index = self.atom_index(x, position)
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
        index = self.atom_index(x)
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
        with np.errstate(divide="ignore"):
            continuous = continuous + np.log(self.continuous_prob)
        return np.where(index >= 0, atom_part, continuous)

    def novelty(self, x):
        """Which values the fitted model cannot produce, and the log factor
        ``score_samples`` gives each value for it.

        A novel value (a value of a discrete margin that is not an atom, a
        number where the continuous part has no density, a missing value
        where the rows had none) is scored as drawn, with probability
        ``e = 1 / (n + 1)``, from a wide normal (numbers; its density) or as
        the one outcome "missing"; the model then leaves the column out of
        that row. The other values of a discrete margin (and the present
        values of a column without missing ones) get the factor ``1 - e``,
        so the distribution still sums to one.

        Parameters
        ----------
        x : ndarray of shape (n_samples,)
            Encoded values, NaN for missing.

        Returns
        -------
        novel : ndarray of bool of shape (n_samples,)
        log_factor : ndarray of shape (n_samples,)
        """
        x = np.asarray(x, dtype=float)
        share = novelty_share(self.n_rows)
        missing = np.isnan(x)
        novel, log_factor = _missing_novelty(missing, self.missing_rate, share)
        present = ~missing
        if self.discrete:
            unseen = present & (self.atom_index(np.where(missing, 0.0, x)) < 0)
        elif self.bounded:
            with np.errstate(invalid="ignore"):
                unseen = present & ((x < self.low) | (x > self.high))
        elif self.continuous is not None:
            with np.errstate(invalid="ignore"):
                density = self.log_density(np.where(missing, 0.0, x))
            unseen = present & ~np.isfinite(density)
        else:
            unseen = np.zeros(x.shape, dtype=bool)
        if unseen.any():
            loc, scale = self._novelty
            log_factor[unseen] += np.log(share) + stats.norm.logpdf(
                x[unseen], loc, scale
            )
        if self.discrete or self.bounded:
            log_factor[present & ~unseen] += np.log1p(-share)
        return novel | unseen, log_factor

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
        return f"ColumnMargin({self.describe()})"


class LevelMargin:
    """Distribution of a categorical or boolean column over its codes.

    Parameters
    ----------
    counts : ndarray of shape (n_levels,)
        Rows holding each level.
    n_rows : int
        Rows the margin was fitted on, missing values included.
    missing_rate : float
        Share of those rows that were missing.
    """

    def __init__(self, counts, n_rows, missing_rate=0.0):
        self.counts = np.asarray(counts, dtype=float)
        self.n_rows = n_rows
        self.missing_rate = missing_rate
        total = self.counts.sum()
        self.probs = self.counts / total if total > 0 else self.counts

    def novelty(self, codes):
        """As :meth:`ColumnMargin.novelty`: a category not seen in ``fit`` (or
        not among these rows) is novel; it counts as the one outcome
        "unseen", of probability ``1 / (n + 1)``."""
        codes = np.asarray(codes, dtype=float)
        share = novelty_share(self.n_rows)
        missing = np.isnan(codes)
        novel, log_factor = _missing_novelty(missing, self.missing_rate, share)
        present = ~missing
        index = np.where(present, codes, -1).astype(np.int64)
        known = (index >= 0) & (index < self.counts.size)
        seen = known.copy()
        seen[known] = self.counts[index[known]] > 0
        unseen = present & ~seen
        log_factor[unseen] += np.log(share)
        log_factor[present & seen] += np.log1p(-share)
        return novel | unseen, log_factor


def _missing_novelty(missing, missing_rate, share):
    """Novelty of missing values in a column whose rows had none."""
    novel = np.zeros(missing.shape, dtype=bool)
    log_factor = np.zeros(missing.shape)
    if missing_rate == 0:
        novel[missing] = True
        log_factor[missing] = np.log(share)
        log_factor[~missing] = np.log1p(-share)
    return novel, log_factor


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


def fit_margin(
    x,
    spec=None,
    *,
    family="auto",
    low=-np.inf,
    high=np.inf,
    rng=None,
    ties=None,
    n_rows=None,
    weights=None,
    linear=None,
):
    """Fit the margin of one numeric column: the column model's one entry point.

    A column is discrete (its values are atoms) when its spec says so, or,
    unless the user declared it continuous, when the values of this fit are
    discrete by the data layer's rule (a class of the target holding a few
    of a column's values, each on several rows); otherwise values holding a
    large share of the rows are atoms (spikes,
    see :func:`~sksynth._data.is_spike`) and the rest gets a continuous part:
    a family or a kernel-smoothed empirical distribution chosen by
    :func:`select_continuous` (``family``), or a piecewise-linear CDF
    (``family="linear"``, with ``linear`` its settings), or none
    (``family=None``: spikes only, the estimator handles the rest).

    Parameters
    ----------
    x : ndarray of shape (n_observed,)
        Observed (non-missing) values.
    spec : ColumnSpec, default=None
        The column; None for a many-valued numeric column.
    family : str or None, default="auto"
        "auto", "empirical", a family name, "linear", "discrete" or None.
    low, high : float
        Support to truncate the margin to when sampling.
    rng : RandomState
        Used to subsample large columns for the family selection.
    ties : Ties, default=None
        Distinct values of ``x`` and their counts, when already computed.
    n_rows : int, default=None
        Rows of the column, missing values included (default: ``x.size``).
    weights : ndarray of shape (n_observed,), default=None
        Rows each value stands for, when ``x`` is a weighted sample: they
        weigh the atoms and the piecewise-linear CDF; a family or the
        kernel-smoothed distribution is fitted to the values unweighted.
    linear : dict, default=None
        ``max_knots``, ``min_weight_per_knot`` and ``tail_mass`` of a
        piecewise-linear continuous part.

    Returns
    -------
    margin : ColumnMargin
    """
    n_rows = x.size if n_rows is None else n_rows
    ties = Ties.of(x) if ties is None else ties
    values = ties.values
    if weights is None:
        counts = ties.counts.astype(float)
    else:
        counts = np.bincount(ties.inverse, weights=weights, minlength=values.size)
    total = counts.sum()
    shares = counts / total if total > 0 else counts
    common = {
        "low": low,
        "high": high,
        "n_rows": n_rows,
        "missing_rate": 1.0 - x.size / n_rows if n_rows else 0.0,
    }
    # Whether values repeat is a property of the rows seen, not of the rows
    # they stand for: weighted rows of a sample are not repeated values.
    is_atom = None if _all_atoms(ties.counts, spec, family) else is_spike(shares)
    if is_atom is None or values.size - is_atom.sum() < _MIN_CONTINUOUS_VALUES:
        return ColumnMargin(values, shares, discrete=True, **common)
    novelty = _novelty_of(values, counts)
    if family is None:
        # The estimator draws the values between the spikes itself, inside
        # [low, high] when they are finite.
        bounded = bool(np.isfinite(low) and np.isfinite(high))
        return ColumnMargin(
            values[is_atom], shares[is_atom], novelty=novelty, bounded=bounded, **common
        )
    if family == "linear":
        rest_values, rest_counts = values[~is_atom], counts[~is_atom]
        continuous = LinearMargin.fit(rest_values, rest_counts, **(linear or {}))
        tail = None
    else:
        rest = x[~is_atom[ties.inverse]] if is_atom.any() else x
        continuous = select_continuous(rest, family, rng)
        tail = tail_parameters(rest)
    return ColumnMargin(
        values[is_atom],
        shares[is_atom],
        continuous,
        tail=tail,
        novelty=novelty,
        **common,
    )


def _all_atoms(counts, spec, family):
    """Whether a column is discrete (its values are all atoms): by its spec or
    ``family``, or, unless the user declared it continuous, by the rule of
    the data layer on the values of this fit (a class of the target holding
    a few values of a column, each on several rows)."""
    if (
        counts.size == 0
        or family == "discrete"
        or spec is not None
        and spec.is_discrete
    ):
        return True
    if spec is not None and spec.support is not None and spec.support.declared:
        return False
    return is_discrete_column(counts)


def _novelty_of(values, weights):
    """``(loc, scale)`` of the density of novel values: the weighted mean of
    ``values`` and three times their spread (or the mean's magnitude, at
    least 1, when they do not spread)."""
    mean, spread = weighted_mean_std(values, weights)
    return mean, (3 * spread if spread > 0 else max(abs(mean), 1.0))


def fit_level_margin(codes, n_levels, n_rows=None):
    """Margin of a categorical or boolean column from its codes (NaN missing)."""
    codes = np.asarray(codes, dtype=float)
    n_rows = codes.size if n_rows is None else n_rows
    present = codes[~np.isnan(codes)]
    counts = np.bincount(present[present >= 0].astype(np.int64), minlength=n_levels)
    missing_rate = 1.0 - present.size / n_rows if n_rows else 0.0
    return LevelMargin(counts, n_rows, missing_rate)


def column_novelty(margins, values, columns):
    """Novel entries of encoded ``values`` over ``columns``, and the summed log
    factors of each row (see :meth:`ColumnMargin.novelty`).

    Parameters
    ----------
    margins : list of ColumnMargin, LevelMargin or None
        One per column of ``values`` (None: no novelty for that column).
    values : ndarray of shape (n_samples, n_columns)
    columns : iterable of int
        Columns scored.

    Returns
    -------
    novel : ndarray of bool of shape (n_samples, n_columns)
        Entries to leave out of the model's density.
    log_factor : ndarray of shape (n_samples,)
    """
    novel = np.zeros(values.shape, dtype=bool)
    log_factor = np.zeros(values.shape[0])
    for j in columns:
        if margins[j] is None:
            continue
        novel[:, j], factor = margins[j].novelty(values[:, j])
        log_factor += factor
    return novel, log_factor
