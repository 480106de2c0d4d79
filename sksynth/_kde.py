"""Kernel density synthesizer for mixed tabular data."""

from dataclasses import dataclass
from numbers import Real

import numpy as np
from scipy.special import logsumexp, ndtr, ndtri
from sklearn.utils._param_validation import Interval, StrOptions

from ._base import BaseSynthesizer
from ._data import BOOLEAN, CATEGORICAL
from ._docstring import synthesizer_docstring
from ._marginals import is_few_valued, is_spike

_N_KNOTS = 2000
# Rows used to choose the bandwidth by leave-one-out likelihood: kernel centres
# and held-out queries.
_SELECTION_CENTRES = 1500
_SELECTION_QUERIES = 500
_BANDWIDTH_GRID = np.geomspace(0.05, 1.5, 10)
_CATEGORICAL_GRID = np.array([0.005, 0.02, 0.05, 0.1, 0.2, 0.4])
# Rows used to record the distance-to-closest-record behaviour.
_DCR_ROWS = 500
# Categorical columns with more levels than this enter distances as compared
# codes rather than as one-hot blocks (where that starts to be cheaper).
ONE_HOT_MAX_LEVELS = 10
# Entries of one (query x reference) block of squared distances.
_DISTANCE_BLOCK = 2**21
# Entries of one (query x centre) block of ``score_samples``.
_BLOCK_ENTRIES = 2**21
_MIN_DISTANCE_REDRAWS = 10
_LOG_SQRT_2PI = 0.5 * np.log(2 * np.pi)
# Table look-ups of at least this many values go through equal-width cells
# (this many per knot) instead of a binary search per value.
_CELL_LOOKUP_MIN_VALUES = 20_000
_CELLS_PER_KNOT = 64


class _CellInterp:
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
        edges = xp[0] + self.width * np.arange(self.n_cells + 1)
        # Knots at or below each edge, counted from the first edge above each
        # knot (the same as searching every edge among the knots, faster).
        first_edge = np.searchsorted(edges, xp, side="left")
        at_or_below = np.cumsum(np.bincount(first_edge, minlength=edges.size + 1))
        segment = np.clip(at_or_below[: edges.size] - 1, 0, self.last)
        # -1 marks a cell with a knot inside: its values need the search.
        self.cell_segment = np.where(
            segment[1:] == segment[:-1], segment[:-1], -1
        ).astype(np.int16 if xp.size < 2**15 else np.intp)
        step = np.diff(xp)
        self.slope = np.divide(
            np.diff(fp), step, out=np.zeros(step.size), where=step > 0
        )

    def __call__(self, x):
        xp = self.xp
        x = np.clip(x, xp[0], xp[-1])
        cell = (x - xp[0]) / self.width
        cell = cell.astype(np.intp)
        np.minimum(cell, self.n_cells - 1, out=cell)
        segment = self.cell_segment[cell]
        unsure = np.flatnonzero(segment < 0)
        segment = segment.astype(np.intp)
        segment[unsure] = np.clip(
            np.searchsorted(xp, x[unsure], side="right") - 1, 0, self.last
        )
        x -= xp[segment]
        x *= self.slope[segment]
        x += self.fp[segment]
        return x


def _interp(x, xp, fp, cache=None, key=None):
    """``np.interp(x, xp, fp)``, through :class:`_CellInterp` for many ``x``.

    The cell index is kept in ``cache[key]`` when a dict is given.
    """
    if x.size < _CELL_LOOKUP_MIN_VALUES or xp.size < 2 or not xp[-1] > xp[0]:
        return np.interp(x, xp, fp)
    if cache is None:
        return _CellInterp(xp, fp)(x)
    if key not in cache:
        cache[key] = _CellInterp(xp, fp)
    return cache[key](x)


class _ScoreMap:
    """Monotone map between a numeric column and the normal-score axis.

    The column's CDF is piecewise linear between (at most ``_N_KNOTS``) of its
    distinct values; spikes and the levels of discrete columns are atoms that
    own an interval of the CDF. Inside the observed range the CDF runs over
    ``[delta, 1 - delta]``; outside it decays exponentially (scale: the
    column's standard deviation), so rows a little outside the range keep a
    finite density. Scores are ``ndtri`` of the CDF.
    """

    def __init__(self, x, weights=None):
        if weights is None:
            values, counts = np.unique(x, return_counts=True)
        else:
            # A sample of the column: each value stands for ``weights`` rows.
            values, inverse = np.unique(x, return_inverse=True)
            counts = np.bincount(inverse, weights=weights)
        n_rows = float(counts.sum())
        shares = counts / n_rows
        if is_few_valued(values.size, n_rows):
            is_atom = np.ones(values.size, dtype=bool)
        else:
            is_atom = is_spike(shares)
        upper = np.cumsum(shares)
        lower = upper - shares
        keep = is_atom.copy()
        rest = np.flatnonzero(~is_atom)
        if rest.size > _N_KNOTS:
            rest = rest[
                np.unique(np.linspace(0, rest.size - 1, _N_KNOTS).round().astype(int))
            ]
        keep[rest] = True
        keep[[0, -1]] = True
        self.delta = 0.25 / (n_rows + 1)
        self.low, self.high = float(values[0]), float(values[-1])
        if weights is None:
            spread = float(np.std(x))
        else:
            spread = float(np.sqrt(shares @ (values - shares @ values) ** 2))
        self.tail_scale = spread if spread > 0 else max(abs(self.low), 1.0) * 1e-3
        self.atoms = values[is_atom]
        scale = 1 - 2 * self.delta
        # A trailing pad: index -1 (no atom) reads it.
        self.atom_lower = np.r_[self.delta + scale * lower[is_atom], 0.5]
        self.atom_upper = np.r_[self.delta + scale * upper[is_atom], 0.5]
        # Non-atom knots sit at their mid CDF value, the extreme ones at 0 and 1
        # so that the table spans the observed range without a flat end.
        position = (lower + upper) / 2
        position[0] = 0.0 if not is_atom[0] else position[0]
        position[-1] = 1.0 if not is_atom[-1] else position[-1]
        table_x, table_u = [], []
        for v, lo, hi, mid, atom in zip(
            values[keep],
            lower[keep],
            upper[keep],
            position[keep],
            is_atom[keep],
            strict=True,
        ):
            table_x += [v, v] if atom else [v]
            table_u += [lo, hi] if atom else [mid]
        table_u = self.delta + scale * np.asarray(table_u)
        table_x = np.asarray(table_x, dtype=float)
        self.table_x, self.table_u = table_x, table_u
        self._lookups = {}

    def __getstate__(self):
        # The look-up cells are rebuilt when needed, not stored.
        return {**self.__dict__, "_lookups": {}}

    def _atom_index(self, x):
        """Index of the atom equal to each value, -1 where there is none."""
        if self.atoms.size == 0:
            return np.full(x.shape, -1)
        index = np.minimum(np.searchsorted(self.atoms, x), self.atoms.size - 1)
        return np.where(self.atoms[index] == x, index, -1)

    def cdf(self, x):
        """CDF of observed values (the mid-point of an atom's interval)."""
        u = _interp(x, self.table_x, self.table_u, self._lookups, "cdf")
        with np.errstate(over="ignore"):
            u = np.where(
                x < self.low, self.delta * np.exp((x - self.low) / self.tail_scale), u
            )
            u = np.where(
                x > self.high,
                1 - self.delta * np.exp((self.high - x) / self.tail_scale),
                u,
            )
        index = self._atom_index(x)
        on_atom = index >= 0
        u[on_atom] = (
            self.atom_lower[index[on_atom]] + self.atom_upper[index[on_atom]]
        ) / 2
        return u

    def to_scores(self, x):
        """Normal scores of values (NaN stays NaN)."""
        z = np.full(x.shape, np.nan)
        observed = ~np.isnan(x)
        z[observed] = ndtri(self.cdf(x[observed]))
        return z

    def from_scores(self, z, enforce_range):
        """Values of normal scores; within the observed range if asked."""
        missing = np.isnan(z)
        if missing.any():
            x = np.full(z.shape, np.nan)
            x[~missing] = self.from_scores(z[~missing], enforce_range)
            return x
        u = ndtr(z)
        if enforce_range:
            # The tails beyond the range hold 2 * delta of mass: reflected
            # back inside, they neither leak nor pile up at the bounds.
            low = np.flatnonzero(u < self.delta)
            u[low] = 2 * self.delta - u[low]
            high = np.flatnonzero(u > 1 - self.delta)
            u[high] = 2 * (1 - self.delta) - u[high]
            return _interp(u, self.table_u, self.table_x, self._lookups, "inverse")
        x = _interp(u, self.table_u, self.table_x, self._lookups, "inverse")
        # Beyond the range the tails decay exponentially; computed on those
        # values only.
        below = u < self.delta
        above = u > 1 - self.delta
        with np.errstate(divide="ignore"):
            x[below] = self.low + self.tail_scale * np.log(u[below] / self.delta)
            x[above] = self.high - self.tail_scale * np.log((1 - u[above]) / self.delta)
        return x

    def query(self, x):
        """What the kernel needs of observed query values.

        Returns the score of each value, whether it is an atom, the score
        bounds of the atoms and the log Jacobian ``log dz/dx`` of the others.
        """
        index = self._atom_index(x)
        is_atom = index >= 0
        z = ndtri(self.cdf(x))
        z_low = np.where(is_atom, ndtri(self.atom_lower[index]), np.nan)
        z_high = np.where(is_atom, ndtri(self.atom_upper[index]), np.nan)
        segment = np.clip(
            np.searchsorted(self.table_x, x, side="right"), 1, self.table_x.size - 1
        )
        with np.errstate(divide="ignore", invalid="ignore"):
            slope = (
                np.diff(self.table_u)[segment - 1] / np.diff(self.table_x)[segment - 1]
            )
            log_slope = np.log(slope)
            tail = (x < self.low) | (x > self.high)
            log_slope = np.where(
                tail,
                np.log(np.where(x < self.low, ndtr(z), ndtr(-z)) / self.tail_scale),
                log_slope,
            )
            log_jacobian = log_slope + 0.5 * z**2 + _LOG_SQRT_2PI
        log_jacobian = np.where(is_atom | np.isnan(log_jacobian), 0.0, log_jacobian)
        return z, is_atom, z_low, z_high, log_jacobian


@dataclass(eq=False)
class _KDEModel:
    """Fitted kernel density of one table (one class of the target).

    ``scores`` holds the kernel centres of the numeric columns on the
    normal-score axis, ``codes`` those of the categorical columns; NaN marks a
    missing value, whose missingness every kernel draw copies.
    """

    maps: list
    numeric: list
    categorical: list
    n_levels: np.ndarray
    scores: np.ndarray
    codes: np.ndarray
    spread: np.ndarray
    bandwidth: np.ndarray
    lambdas: np.ndarray
    n_columns: int
    dcr_ratio: float = np.nan

    @property
    def n_centres(self):
        return self.scores.shape[0]


def _logsumexp_rows(a):
    """``logsumexp(a, axis=1)``, faster than scipy's on large blocks."""
    top = np.max(a, axis=1)
    top = np.where(np.isfinite(top), top, 0.0)
    with np.errstate(divide="ignore"):
        return np.log(np.sum(np.exp(a - top[:, None]), axis=1)) + top


def _numeric_log_kernel(score_map, x, centres, h):
    """Log kernel of query values ``x`` against centre scores: (n_x, n_centres)."""
    missing = np.isnan(x)
    out = np.zeros((x.size, centres.size))
    observed = np.flatnonzero(~missing)
    if observed.size and h > 0:
        z, is_atom, z_low, z_high, _ = score_map.query(x[observed])
        block = -0.5 * ((z[:, None] - centres[None, :]) / h) ** 2
        block -= np.log(h) + _LOG_SQRT_2PI
        if is_atom.any():
            block[is_atom] = _log_interval_mass(
                (z_low[is_atom, None] - centres[None, :]) / h,
                (z_high[is_atom, None] - centres[None, :]) / h,
            )
        out[observed] = block
    elif observed.size:
        z = score_map.to_scores(x[observed])
        out[observed] = np.where(z[:, None] == centres[None, :], 0.0, -np.inf)
    return _missing_patterns(out, missing, np.isnan(centres))


def _log_interval_mass(a, b):
    """``log(Phi(b) - Phi(a))``, mirrored in the upper tail for precision."""
    mirror = a > 0
    upper = np.where(mirror, ndtr(-a), ndtr(b))
    lower = np.where(mirror, ndtr(-b), ndtr(a))
    with np.errstate(divide="ignore"):
        return np.log(np.maximum(upper - lower, 0.0))


def level_shares(centres, n_levels):
    """Share of each level among the kernel centres that have one."""
    present = centres[~np.isnan(centres)].astype(np.int64)
    counts = np.bincount(present, minlength=n_levels).astype(float)
    return counts / max(counts.sum(), 1.0)


def _categorical_log_kernel(codes, centres, lam, shares):
    """Log kernel of a categorical column: the centre's level kept w.p. ``1 - lam``,
    else a level drawn from the centres' level ``shares``."""
    missing = np.isnan(codes)
    share = shares[np.where(missing | (codes < 0), 0, codes).astype(np.int64)]
    with np.errstate(divide="ignore"):
        log_move = np.log(lam * share)
        log_keep = np.log1p(-lam + lam * share)
    out = np.where(
        codes[:, None] == centres[None, :], log_keep[:, None], log_move[:, None]
    )
    out[codes < 0] = -np.inf
    return _missing_patterns(out, missing, np.isnan(centres))


def _missing_patterns(out, query_missing, centre_missing):
    """A kernel draw copies its centre's missingness."""
    if query_missing.any() or centre_missing.any():
        out[np.logical_xor(query_missing[:, None], centre_missing[None, :])] = -np.inf
        out[query_missing[:, None] & centre_missing[None, :]] = 0.0
    return out


def _log_kernel_matrix(model, values, columns, rows=slice(None)):
    """Summed log kernel of encoded query rows over ``columns``, per centre."""
    out = np.zeros((values.shape[0], model.scores[rows].shape[0]))
    for k, j in enumerate(model.numeric):
        if j in columns and model.maps[k] is not None:
            out += _numeric_log_kernel(
                model.maps[k], values[:, j], model.scores[rows, k], model.bandwidth[k]
            )
        elif j in columns:
            out += _missing_patterns(
                np.zeros_like(out),
                np.isnan(values[:, j]),
                np.isnan(model.scores[rows, k]),
            )
    for k, j in enumerate(model.categorical):
        if j in columns:
            out += _categorical_log_kernel(
                values[:, j],
                model.codes[rows, k],
                model.lambdas[k],
                level_shares(model.codes[:, k], model.n_levels[k]),
            )
    return out


def _log_jacobian(model, values, columns):
    """Sum over numeric columns of ``log dz/dx`` (0 for atoms and missing)."""
    total = np.zeros(values.shape[0])
    for k, j in enumerate(model.numeric):
        x = values[:, j]
        observed = ~np.isnan(x)
        if j in columns and model.maps[k] is not None and observed.any():
            if model.bandwidth[k] > 0:
                total[observed] += model.maps[k].query(x[observed])[4]
    return total


def kde_log_density(model, values, columns):
    """Log density of encoded rows over ``columns``, in blocks of rows."""
    columns = set(columns)
    block = max(1, _BLOCK_ENTRIES // max(model.n_centres, 1))
    out = np.empty(values.shape[0])
    for start in range(0, values.shape[0], block):
        rows = values[start : start + block]
        out[start : start + block] = _logsumexp_rows(
            _log_kernel_matrix(model, rows, columns)
        )
    out -= np.log(model.n_centres)
    return out + _log_jacobian(model, values, columns)


def fit_score_maps(values, numeric, weights=None):
    """One :class:`_ScoreMap` per numeric column (None when all missing).

    ``weights``: how many rows each row of ``values`` stands for, when it is
    a sample of a larger table.
    """
    maps = []
    for j in numeric:
        x = values[:, j]
        observed = ~np.isnan(x)
        w = None if weights is None else weights[observed]
        maps.append(_ScoreMap(x[observed], w) if observed.any() else None)
    return maps


def encode_centres(maps, values, numeric, categorical):
    """Kernel centres of encoded rows: numeric scores and categorical codes."""
    scores = np.full((values.shape[0], len(numeric)), np.nan)
    for k, (j, score_map) in enumerate(zip(numeric, maps, strict=True)):
        if score_map is not None:
            scores[:, k] = score_map.to_scores(values[:, j])
    return scores, values[:, categorical].reshape(values.shape[0], len(categorical))


def column_roles(columns):
    """Indices of the numeric and of the categorical columns, and level counts."""
    categorical = [j for j, c in enumerate(columns) if c.kind in (CATEGORICAL, BOOLEAN)]
    numeric = [j for j in range(len(columns)) if j not in categorical]
    n_levels = np.array([len(columns[j].categories) for j in categorical], dtype=int)
    return numeric, categorical, n_levels


def score_spread(scores):
    """Standard deviation of each column's scores (1 where undefined)."""
    spread = np.ones(scores.shape[1])
    for k in range(scores.shape[1]):
        z = scores[:, k]
        z = z[~np.isnan(z)]
        if z.size > 1:
            spread[k] = np.std(z)
    return spread


def scott_factor(n_samples, n_dims):
    """Scott's rule ``n ** (-1 / (d + 4))``."""
    return float(max(n_samples, 1)) ** (-1.0 / (max(n_dims, 1) + 4))


def silverman_factor(n_samples, n_dims):
    """Silverman's rule ``(n (d + 2) / 4) ** (-1 / (d + 4))``."""
    d = max(n_dims, 1)
    return float(max(n_samples, 1) * (d + 2) / 4) ** (-1.0 / (d + 4))


def categorical_lambdas(t, n_levels):
    """Kernel ``lambda`` of each categorical column: ``t``, at most 1 (where a
    level is redrawn from the column's shares whatever the centre's)."""
    return np.full(len(n_levels), min(float(t), 1.0))


def _standard_normal(rng, shape):
    """Standard normal draws, from a ``Generator`` seeded by ``rng``.

    ``RandomState.standard_normal`` (polar method) costs about three times
    the ziggurat of ``Generator``; seeding one from ``rng`` keeps the draws
    reproducible from ``random_state``.
    """
    if isinstance(rng, np.random.RandomState):
        rng = np.random.default_rng(rng.randint(0, 2**32, size=4, dtype=np.uint64))
    return rng.standard_normal(shape)


def sample_model(model, n_samples, rng, enforce_range, min_distance=0.0, weights=None):
    """Draw encoded rows; return them and the index of each kernel centre."""
    if weights is None:
        centre = rng.randint(0, model.n_centres, size=n_samples)
    else:
        centre = rng.choice(model.n_centres, size=n_samples, p=weights)
    # Column-major: each column's draws are contiguous.
    noise = _standard_normal(rng, (len(model.numeric), n_samples))
    noise *= model.bandwidth[:, None]
    if min_distance > 0 and noise.shape[0]:
        _enforce_min_distance(noise.T, model, min_distance, rng)
    values = np.empty((model.n_columns, n_samples))
    for k, j in enumerate(model.numeric):
        if model.maps[k] is None:
            values[j] = np.nan
            continue
        scores = noise[k]
        scores += model.scores[centre, k]
        values[j] = model.maps[k].from_scores(scores, enforce_range)
    for k, j in enumerate(model.categorical):
        codes = model.codes[centre, k]
        if model.n_levels[k] > 1 and model.lambdas[k] > 0:
            # Redrawn levels follow the centres' shares: the margin is kept.
            cumulative = np.cumsum(level_shares(model.codes[:, k], model.n_levels[k]))
            drawn = np.searchsorted(
                cumulative, rng.random_sample(n_samples) * cumulative[-1], side="right"
            )
            move = rng.random_sample(n_samples) < model.lambdas[k]
            codes = np.where(
                move & ~np.isnan(codes), np.minimum(drawn, model.n_levels[k] - 1), codes
            )
        values[j] = codes
    return values.T, centre


def _enforce_min_distance(noise, model, min_distance, rng):
    """Redraw (then push out radially) perturbations shorter than the floor.

    Works in place on ``noise`` and returns it.
    """
    spread = np.where(model.spread > 0, model.spread, 1.0)

    def too_close(block):
        return np.sqrt(np.sum((block / spread) ** 2, axis=1)) < min_distance

    close = np.flatnonzero(too_close(noise))
    for _ in range(_MIN_DISTANCE_REDRAWS):
        if not close.size:
            return noise
        noise[close] = rng.standard_normal((close.size, noise.shape[1])) * (
            model.bandwidth
        )
        close = close[too_close(noise[close])]
    if close.size:
        direction = noise[close] / spread
        length = np.sqrt(np.sum(direction**2, axis=1, keepdims=True))
        direction = np.where(length > 0, direction / np.maximum(length, 1e-300), 1.0)
        direction /= np.sqrt(np.sum(direction**2, axis=1, keepdims=True))
        noise[close] = direction * min_distance * spread
    return noise


def embed(spread, n_levels, scores, codes):
    """Rows in the kernel space: standardised scores and one-hot categories.

    Euclidean distance there adds 1 per differing categorical column.
    """
    spread = np.where(spread > 0, spread, 1.0)
    blocks = [np.nan_to_num(scores / spread)]
    for k in range(codes.shape[1]):
        levels = np.arange(n_levels[k])
        blocks.append((codes[:, k, None] == levels).astype(float) / np.sqrt(2))
    return np.column_stack(blocks) if blocks else np.zeros((scores.shape[0], 0))


def wide_columns(n_levels):
    """Which categorical columns distances compare as codes, not one-hot blocks."""
    return np.asarray(n_levels) > ONE_HOT_MAX_LEVELS


def split_embed(spread, n_levels, wide, scores, codes):
    """Rows in the kernel space as ``(dense, codes)``: :func:`embed` of the
    numeric and narrow categorical columns, and the codes of the ``wide`` ones
    (NaN where missing or unseen), which :class:`Reference` compares."""
    narrow = ~wide
    dense = embed(spread, n_levels[narrow], scores, codes[:, narrow])
    wide_codes = codes[:, wide]
    return dense, np.where(wide_codes >= 0, wide_codes, np.nan)


def _squared_norm(dense, codes):
    """Squared norm of embedded rows; a wide code counts as a one-hot block."""
    return np.einsum("ij,ij->i", dense, dense) + 0.5 * np.sum(~np.isnan(codes), axis=1)


class Reference:
    """Reference rows for exact nearest-neighbour look-ups in the kernel space.

    The squared distance of two rows is that of their dense parts, plus, for
    each wide categorical column, 1 when both codes are present and differ,
    1/2 when one is missing and 0 otherwise: what one-hot blocks scaled by
    :math:`1/\\sqrt{2}` give, without building them. Distances are computed in
    blocks of at most ``_DISTANCE_BLOCK`` entries.
    """

    def __init__(self, dense, codes):
        self.dense, self.codes = dense, codes
        self.squared_norm = _squared_norm(dense, codes)

    def nearest(self, dense, codes, exclude=None, return_distance=False):
        """Index of the nearest reference row of each query row (and its distance).

        ``exclude`` gives, per query row, a reference row to leave out (the
        query row itself).
        """
        n_queries = dense.shape[0]
        out = np.empty(n_queries, dtype=np.intp)
        distance = np.empty(n_queries)
        query_norm = _squared_norm(dense, codes)
        block = max(1, _DISTANCE_BLOCK // max(self.dense.shape[0], 1))
        for start in range(0, n_queries, block):
            stop = min(start + block, n_queries)
            squared = dense[start:stop] @ self.dense.T
            squared *= -2
            squared += query_norm[start:stop, None]
            squared += self.squared_norm
            for k in range(codes.shape[1]):
                squared -= codes[start:stop, k, None] == self.codes[None, :, k]
            if exclude is not None:
                squared[np.arange(stop - start), exclude[start:stop]] = np.inf
            out[start:stop] = np.argmin(squared, axis=1)
            distance[start:stop] = squared[np.arange(stop - start), out[start:stop]]
        if return_distance:
            return out, np.sqrt(np.maximum(distance, 0.0))
        return out


def dcr_ratio(model, rng, enforce_range, min_distance=0.0):
    """Median distance of draws to their closest training row, relative to the
    median distance of training rows to their closest other training row."""
    if model.n_centres < 2:
        return np.nan
    n = min(_DCR_ROWS, model.n_centres)
    rows = rng.choice(model.n_centres, n, replace=False)
    values, _ = sample_model(model, n, rng, enforce_range, min_distance)
    maps_scores, codes = encode_centres(
        model.maps, values, model.numeric, model.categorical
    )
    wide = wide_columns(model.n_levels)
    dense, wide_codes = split_embed(
        model.spread, model.n_levels, wide, model.scores, model.codes
    )
    training = Reference(dense, wide_codes)
    _, synthetic_distance = training.nearest(
        *split_embed(model.spread, model.n_levels, wide, maps_scores, codes),
        return_distance=True,
    )
    _, training_distance = training.nearest(
        dense[rows], wide_codes[rows], exclude=rows, return_distance=True
    )
    reference = np.median(training_distance)
    if reference == 0:
        return np.inf if np.median(synthetic_distance) > 0 else 1.0
    return float(np.median(synthetic_distance) / reference)


def select_bandwidth(model, values, factor, rng, numeric_grid, categorical_grid):
    """Bandwidth multiplier and categorical share of best leave-one-out likelihood.

    ``model`` gives the kernel centres; ``factor`` (times each column's
    spread) is the bandwidth the multipliers of ``numeric_grid`` scale.
    Returns the best ``(multiplier, t)`` pair.
    """
    n = model.n_centres
    if n < 3:
        return float(numeric_grid[-1]), float(categorical_grid[-1])
    centres = rng.choice(n, min(n, _SELECTION_CENTRES), replace=False)
    queries = centres[: min(centres.size, _SELECTION_QUERIES)]
    query_values = values[queries]
    columns = set(range(model.n_columns))
    numeric_log_kernel = _NumericLeaveOneOut(model, query_values, centres, factor)
    categorical_parts = [
        _log_kernel_matrix(
            _only(
                with_bandwidth(
                    model, model.bandwidth, categorical_lambdas(t, model.n_levels)
                ),
                "categorical",
            ),
            query_values,
            columns,
            centres,
        )
        for t in categorical_grid
    ]
    self_match = queries[:, None] == centres[None, :]
    table = np.empty((len(numeric_grid), len(categorical_grid), queries.size))
    for a, multiplier in enumerate(numeric_grid):
        numeric_part = numeric_log_kernel(multiplier)
        numeric_part[self_match] = -np.inf
        for b, categorical_part in enumerate(categorical_parts):
            table[a, b] = _logsumexp_rows(numeric_part + categorical_part)
    usable = np.isfinite(table).any(axis=(0, 1))
    if not usable.any():
        return float(numeric_grid[-1]), float(categorical_grid[-1])
    finite = np.where(np.isfinite(table[..., usable]), table[..., usable], -1e6)
    a, b = np.unravel_index(np.argmax(finite.sum(axis=2)), finite.shape[:2])
    return float(numeric_grid[a]), float(categorical_grid[b])


class _NumericLeaveOneOut:
    """Numeric log kernel of query rows against centres, for many multipliers.

    The squared standardised distances of the continuous parts are summed
    once; only atoms need their interval masses again for each multiplier.
    """

    def __init__(self, model, query_values, centres, factor):
        shape = (query_values.shape[0], centres.size)
        self.squared = np.zeros(shape)
        self.log_scale = np.zeros(shape[0])
        self.n_continuous = np.zeros(shape[0])
        self.mask = np.zeros(shape)
        self.atoms = []
        factor = np.broadcast_to(np.asarray(factor, dtype=float), model.spread.shape)
        for k, j in enumerate(model.numeric):
            x = query_values[:, j]
            centre_scores = model.scores[centres, k]
            self.mask = _missing_patterns(
                self.mask, np.isnan(x), np.isnan(centre_scores)
            )
            observed = np.flatnonzero(~np.isnan(x))
            scale = factor[k] * model.spread[k]
            if model.maps[k] is None or not observed.size or not scale > 0:
                continue
            z, is_atom, z_low, z_high, _ = model.maps[k].query(x[observed])
            smooth = observed[~is_atom]
            self.squared[smooth] += np.nan_to_num(
                ((z[~is_atom, None] - centre_scores[None, :]) / scale) ** 2,
                nan=0.0,
                posinf=np.inf,
            )
            self.log_scale[smooth] += np.log(scale) + _LOG_SQRT_2PI
            self.n_continuous[smooth] += 1
            if is_atom.any():
                self.atoms.append(
                    (
                        observed[is_atom],
                        z_low[is_atom],
                        z_high[is_atom],
                        centre_scores,
                        scale,
                    )
                )

    def __call__(self, multiplier):
        out = -0.5 * self.squared / multiplier**2
        out -= (self.log_scale + self.n_continuous * np.log(multiplier))[:, None]
        for rows, z_low, z_high, centre_scores, scale in self.atoms:
            h = multiplier * scale
            out[rows] += np.nan_to_num(
                _log_interval_mass(
                    (z_low[:, None] - centre_scores[None, :]) / h,
                    (z_high[:, None] - centre_scores[None, :]) / h,
                ),
                nan=0.0,
                neginf=-np.inf,
            )
        return out + self.mask


def with_bandwidth(model, bandwidth, lambdas):
    """A copy of ``model`` with other kernel widths."""
    return _KDEModel(**{**vars(model), "bandwidth": bandwidth, "lambdas": lambdas})


def _only(model, role):
    """The same model seen through its numeric or its categorical columns only."""
    if role == "numeric":
        return _KDEModel(
            **{
                **vars(model),
                "categorical": [],
                "codes": model.codes[:, :0],
                "n_levels": model.n_levels[:0],
                "lambdas": model.lambdas[:0],
            }
        )
    return _KDEModel(
        **{
            **vars(model),
            "numeric": [],
            "maps": [],
            "scores": model.scores[:, :0],
            "spread": model.spread[:0],
            "bandwidth": model.bandwidth[:0],
        }
    )


def conditional_weights(model, conditions):
    """Probability of each kernel centre given the conditioned columns."""
    row = np.full((1, model.n_columns), np.nan)
    for j, value in conditions.items():
        row[0, j] = value
    log_weights = _log_kernel_matrix(model, row, set(conditions))[0]
    if not np.isfinite(log_weights).any():
        raise ValueError(
            "No training row is compatible with `conditions`: the kernel density "
            "is zero there. Condition on values (and missingness) seen in fit."
        )
    weights = np.exp(log_weights - logsumexp(log_weights))
    return weights / weights.sum()


@synthesizer_docstring
class KDESynthesizer(BaseSynthesizer):
    """Synthetic rows from a kernel density estimate of mixed data.

    Each row of the training table is a kernel centre. A new row picks a
    centre uniformly at random and perturbs it: numeric columns with Gaussian
    noise on their normal-score axis, categorical and boolean columns with a
    kernel that keeps the level with probability ``1 - lambda`` and else
    redraws it from the column's level shares (so the shares are kept
    whatever ``lambda``). Missing values are
    copied from the centre, so the share of missing values and its
    dependence on the other columns are kept.

    Parameters
    ----------
    bandwidth : {"auto", "scott", "silverman"}, float or array-like, \
            default="auto"
        Standard deviation of the Gaussian kernel of the numeric columns, in
        units of each column's spread on the normal-score axis. "scott" and
        "silverman" are the classic rules :math:`n^{-1/(d+4)}` and
        :math:`(n (d + 2) / 4)^{-1/(d+4)}` (``d`` numeric columns); "auto"
        chooses a multiple of Scott's rule by leave-one-out likelihood on a
        subsample of at most 1500 rows. A float is used as is; an array
        gives one value per column (entries of categorical columns are not
        used).
    categorical_bandwidth : "auto" or float, default="auto"
        Probability ``lambda`` that a categorical value is redrawn from the
        column's level shares, at most 1 (levels independent of the centre).
        "auto" chooses it by leave-one-out likelihood, together with
        ``bandwidth`` when that is "auto".
    min_distance : float, default=0.0
        Smallest distance between a draw and its kernel centre, over the
        numeric columns, in units of each column's spread on the normal-score
        axis. Draws that land closer are redrawn, then pushed out to this
        distance. A floor keeps synthetic rows from copying training rows.
    %(categorical_features)s
    enforce_range : bool, default=True
        Whether sampled numeric values stay inside the range seen in ``fit``.
        The kernel is then truncated to that range: no mass leaks out of it
        and none piles up at its bounds.
    target_type : {"auto", "classification", "regression"}, default="auto"
        How ``y`` passed to ``fit`` is modelled. "auto" takes strings,
        booleans, categories and whole numbers with at most 20 distinct values
        for classes (one kernel density per class), other numbers for a
        continuous target (one more column).
    random_state : int, RandomState instance or None, default=None
        Controls the subsamples of the bandwidth selection at ``fit`` and,
        through ``random_state_``, the draws of ``sample``. Pass an int for
        reproducible output across calls.

    Attributes
    ----------
    bandwidth_ : ndarray of shape (n_features,) or dict
        Kernel standard deviation of each numeric column on its normal-score
        axis (NaN for categorical columns); a dict ``{class: bandwidth}``
        with a classification target.
    categorical_bandwidth_ : ndarray of shape (n_features,) or dict
        Kernel ``lambda`` of each categorical column (NaN for
        numeric columns); per class with a classification target.
    dcr_ratio_ : float or dict
        Distance-to-closest-record ratio of the fitted density: the median
        distance from 500 draws to their closest training row, divided by the
        median distance from training rows to their closest other training
        row, both in the kernel space. Near or above 1, synthetic rows are no
        closer to the training rows than these are to each other; near 0,
        they are copies. Per class with a classification target.
    %(synthesizer_attributes)s

    See Also
    --------
    GaussianCopulaSynthesizer : Parametric margins joined by a Gaussian copula.
    sklearn.neighbors.KernelDensity : Kernel density estimate for numeric data.

    Notes
    -----
    Each numeric column ``j`` is mapped to normal scores
    :math:`z_j = \\Phi^{-1}(F_j(x_j))` through its piecewise-linear empirical
    CDF :math:`F_j`, in which spikes and the levels of few-valued columns (at
    most 20 distinct values, each held by two rows or more on average) are
    atoms owning an interval of the CDF. The density
    is the product-kernel mixture

    .. math::

        \\hat f(x) = \\frac1n \\sum_{i=1}^n \\prod_{j\\,\\mathrm{numeric}}
        \\frac{1}{h_j} \\phi\\left(\\frac{z_j - z_{ij}}{h_j}\\right)
        \\left|\\frac{dz_j}{dx_j}\\right|
        \\prod_{j\\,\\mathrm{categorical}} L_{\\lambda_j}(x_j, x_{ij}),
        \\qquad L_\\lambda(a, b) = (1 - \\lambda)\\,[a = b] + \\lambda\\,p_j(a)

    with :math:`h_j = h\\,\\hat\\sigma_j` [1]_ and, on categories, a kernel
    that shrinks towards the level shares :math:`p_j` of the training rows,
    a variant of the Aitchison-Aitken kernel [2]_ (which shrinks towards
    uniform shares and so distorts the margins); an atom contributes the
    kernel mass of its interval instead of a density. Because
    :math:`F_j^{-1}` maps the whole normal axis into the observed range,
    draws never leave it and never pile up at
    its bounds; integers stay integers. Missing values are copied from the
    centre: the density of a row is the mixture over the centres with the
    same missingness. ``score_samples`` costs one kernel evaluation per
    (row, training row) pair, computed in blocks of bounded memory.

    With ``conditions``, each centre is weighted by its kernel value at the
    conditioned columns, and the other columns are perturbed as usual: the
    exact conditional of the product-kernel density.

    A small bandwidth reproduces the training rows; ``dcr_ratio_`` measures
    this and ``min_distance`` sets a floor on the perturbation [3]_.

    References
    ----------
    .. [1] D. W. Scott, "Multivariate Density Estimation: Theory, Practice,
       and Visualization", 2nd ed., Wiley, 2015.
    .. [2] J. Aitchison and C. G. G. Aitken, "Multivariate binary
       discrimination by the kernel method", Biometrika 63(3), 1976.
    .. [3] N. Park et al., "Data synthesis based on generative adversarial
       networks", Proceedings of the VLDB Endowment 11(10), 2018 (distance to
       closest record).

    Examples
    --------
    >>> import numpy as np
    >>> from sksynth import KDESynthesizer
    >>> rng = np.random.RandomState(0)
    >>> X = np.concatenate([rng.normal(-3, 1, (300, 2)), rng.normal(3, 1, (300, 2))])
    >>> synth = KDESynthesizer(random_state=0).fit(X)
    >>> X_new = synth.sample(1000)
    >>> X_new.shape
    (1000, 2)
    >>> bool(X_new.min() >= X.min() and X_new.max() <= X.max())
    True
    >>> round(float(np.mean(X_new[:, 0] > 0)), 1)
    0.5
    """

    _parameter_constraints: dict = {
        **BaseSynthesizer._parameter_constraints,
        "bandwidth": [
            StrOptions({"auto", "scott", "silverman"}),
            Interval(Real, 0, None, closed="neither"),
            "array-like",
        ],
        "categorical_bandwidth": [
            StrOptions({"auto"}),
            Interval(Real, 0, 1, closed="both"),
        ],
        "min_distance": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(
        self,
        *,
        bandwidth="auto",
        categorical_bandwidth="auto",
        min_distance=0.0,
        categorical_features="from_dtype",
        enforce_range=True,
        target_type="auto",
        random_state=None,
    ):
        self.bandwidth = bandwidth
        self.categorical_bandwidth = categorical_bandwidth
        self.min_distance = min_distance
        self.categorical_features = categorical_features
        self.enforce_range = enforce_range
        self.target_type = target_type
        self.random_state = random_state

    def _describe_fit(self):
        def full(model, attribute, indices):
            out = np.full(model.n_columns, np.nan)
            out[indices] = getattr(model, attribute)
            return out[: self.n_features_in_]

        self.bandwidth_ = self._per_class(lambda m: full(m, "bandwidth", m.numeric))
        self.categorical_bandwidth_ = self._per_class(
            lambda m: full(m, "lambdas", m.categorical)
        )
        self.dcr_ratio_ = self._per_class(lambda m: m.dcr_ratio)

    def _check_bandwidth_array(self):
        bandwidth = np.asarray(self.bandwidth, dtype=float)
        if bandwidth.shape != (self.n_features_in_,):
            raise ValueError(
                f"`bandwidth` as an array needs one value per column "
                f"({self.n_features_in_}); got shape {bandwidth.shape}."
            )
        if not np.all(np.isfinite(bandwidth) & (bandwidth > 0)):
            raise ValueError(
                f"`bandwidth` values must be finite and > 0; got {bandwidth.tolist()}."
            )
        return bandwidth

    def _fit_table(self, values, columns, rng):
        numeric, categorical, n_levels = column_roles(columns)
        maps = fit_score_maps(values, numeric)
        scores, codes = encode_centres(maps, values, numeric, categorical)
        spread = score_spread(scores)
        n_samples = values.shape[0]
        model = _KDEModel(
            maps=maps,
            numeric=numeric,
            categorical=categorical,
            n_levels=n_levels,
            scores=scores,
            codes=codes,
            spread=spread,
            bandwidth=spread * scott_factor(n_samples, len(numeric)),
            lambdas=categorical_lambdas(0.1, n_levels),
            n_columns=len(columns),
        )
        self._set_bandwidth(model, values, rng)
        model.dcr_ratio = dcr_ratio(model, rng, self.enforce_range, self.min_distance)
        return model

    def _set_bandwidth(self, model, values, rng):
        n_samples, d = values.shape[0], len(model.numeric)
        auto = isinstance(self.bandwidth, str) and self.bandwidth == "auto"
        factor = scott_factor(n_samples, d)
        numeric_grid, categorical_grid = np.array([1.0]), _CATEGORICAL_GRID
        if isinstance(self.bandwidth, str):
            if self.bandwidth == "silverman":
                factor = silverman_factor(n_samples, d)
            elif self.bandwidth == "auto":
                numeric_grid = _BANDWIDTH_GRID
            model.bandwidth = factor * model.spread
        elif isinstance(self.bandwidth, Real):
            model.bandwidth = np.full(d, float(self.bandwidth)) * model.spread
        else:
            bandwidth = self._check_bandwidth_array()
            model.bandwidth = bandwidth[model.numeric] * model.spread
        if self.categorical_bandwidth != "auto":
            categorical_grid = np.array([float(self.categorical_bandwidth)])
            model.lambdas = categorical_lambdas(
                self.categorical_bandwidth, model.n_levels
            )
        if numeric_grid.size == 1 and categorical_grid.size == 1:
            return
        if not model.categorical:
            categorical_grid = np.array([0.1])
        if not auto or not model.numeric:
            numeric_grid = np.array([1.0])
            factor = model.bandwidth / np.where(model.spread > 0, model.spread, 1.0)
        # Selection runs on a subsample: rescale Scott's factor to its size.
        sub = min(n_samples, _SELECTION_CENTRES)
        sub_factor = factor * scott_factor(sub, d) / scott_factor(n_samples, d)
        if not auto:
            sub_factor = factor
        multiplier, t = select_bandwidth(
            model, values, sub_factor, rng, numeric_grid, categorical_grid
        )
        model.bandwidth = multiplier * factor * model.spread
        if self.categorical_bandwidth == "auto":
            model.lambdas = categorical_lambdas(t, model.n_levels)

    def _sample_table(self, model, n_samples, rng, conditions):
        weights = conditional_weights(model, conditions) if conditions else None
        values, _ = sample_model(
            model, n_samples, rng, self.enforce_range, self.min_distance, weights
        )
        for j, value in conditions.items():
            values[:, j] = value
        return values

    def _log_density(self, model, values, columns):
        return kde_log_density(model, values, columns)
