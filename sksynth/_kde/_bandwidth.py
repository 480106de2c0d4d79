"""Bandwidths of the kernel density: the classic rules and the search by
leave-one-out likelihood on a subsample."""

import numpy as np

from ._kernels import (
    _LOG_SQRT_2PI,
    KDEModel,
    _logsumexp_rows,
    _missing_patterns,
    atom_log_kernel,
    log_kernel_matrix,
)

# Rows used to choose the bandwidth by leave-one-out likelihood: kernel centres
# and held-out queries.
SELECTION_CENTRES = 1500
_SELECTION_QUERIES = 500
BANDWIDTH_GRID = np.geomspace(0.05, 1.5, 10)
CATEGORICAL_GRID = np.array([0.005, 0.02, 0.05, 0.1, 0.2, 0.4])


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


def select_bandwidth(model, values, factor, rng, numeric_grid, categorical_grid):
    """Bandwidth multiplier and categorical share of best leave-one-out likelihood.

    ``model`` gives the kernel centres; ``factor`` (times each column's
    spread) is the bandwidth the multipliers of ``numeric_grid`` scale.
    Returns the best ``(multiplier, t)`` pair, the multiplier refined
    between grid points (see :func:`_refine`).
    """
    n = model.n_centres
    if n < 3:
        return float(numeric_grid[-1]), float(categorical_grid[-1])
    centres = rng.choice(n, min(n, SELECTION_CENTRES), replace=False)
    queries = centres[: min(centres.size, _SELECTION_QUERIES)]
    query_values = values[queries]
    columns = set(range(model.n_columns))
    numeric_log_kernel = _NumericLeaveOneOut(model, query_values, centres, factor)
    categorical_parts = [
        log_kernel_matrix(
            _categorical_only(model, categorical_lambdas(t, model.n_levels)),
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
    total = finite.sum(axis=2)
    a, b = np.unravel_index(np.argmax(total), total.shape)
    return _refine(numeric_grid, total[:, b], a), float(categorical_grid[b])


def _refine(grid, log_likelihood, best):
    """The multiplier at the vertex of the parabola through the best grid
    point and its two neighbours, in log multiplier; the grid point itself at
    an end of the grid or where the three points are not concave.

    The grid steps by about 1.5 times; the likelihood is smooth in the
    bandwidth, so the vertex lies closer to its maximum than either point.
    The best point being the highest of the three, the vertex lies within
    half a step of it (the clip only guards rounding). Uses the likelihoods
    the grid search computed: no further fit.
    """
    if best == 0 or best == len(grid) - 1:
        return float(grid[best])
    x = np.log(grid[best - 1 : best + 2])
    y = log_likelihood[best - 1 : best + 2]
    slope_left = (y[1] - y[0]) / (x[1] - x[0])
    slope_right = (y[2] - y[1]) / (x[2] - x[1])
    curvature = (slope_right - slope_left) / (x[2] - x[0])
    if not curvature < 0:
        return float(grid[best])
    vertex = 0.5 * (x[0] + x[1]) - slope_left / (2 * curvature)
    return float(np.exp(np.clip(vertex, x[0], x[2])))


class _NumericLeaveOneOut:
    """Numeric log kernel of query rows against centres, for many multipliers.

    The kernel keeps each column's variance (see ``KDEModel.shrink``): a query
    score ``z`` is compared, as ``mu + s (z - mu)``, with the centres at
    bandwidth ``h``, where ``h = m f sigma`` and ``s = sqrt(1 + (m f)^2)`` for
    the multiplier ``m``, the column's factor ``f`` and spread ``sigma``. The
    squared distances of the continuous parts are then a combination of three
    sums, computed once per group of columns sharing a factor; only atoms need
    their interval masses again for each multiplier.
    """

    def __init__(self, model, query_values, centres, factor):
        shape = (query_values.shape[0], centres.size)
        self.mask = np.zeros(shape)
        self.atoms = []
        self.groups = {}
        factor = np.broadcast_to(np.asarray(factor, dtype=float), model.spread.shape)
        for k, j in enumerate(model.numeric):
            x = query_values[:, j]
            centre_scores = model.scores[centres, k]
            self.mask = _missing_patterns(
                self.mask, np.isnan(x), np.isnan(centre_scores)
            )
            observed = np.flatnonzero(~np.isnan(x))
            sigma, mean = model.spread[k], model.centre_mean[k]
            if model.maps[k] is None or not observed.size or not factor[k] * sigma > 0:
                continue
            z, is_atom, z_low, z_high, _ = model.maps[k].query(x[observed])
            smooth = observed[~is_atom]
            group = self.groups.setdefault(float(factor[k]), _Sums(shape))
            group.add(
                smooth, (z[~is_atom] - mean) / sigma, (centre_scores - mean) / sigma
            )
            group.log_sigma[smooth] += np.log(sigma) + _LOG_SQRT_2PI
            if is_atom.any():
                self.atoms.append(
                    (
                        observed[is_atom],
                        z_low[is_atom] - mean,
                        z_high[is_atom] - mean,
                        centre_scores - mean,
                        factor[k] * sigma,
                        float(factor[k]),
                    )
                )

    def __call__(self, multiplier):
        out = self.mask.copy()
        for f, group in self.groups.items():
            width = multiplier * f
            shrink = np.sqrt(1.0 + width**2)
            out += -0.5 * group.squared(shrink) / width**2
            log_width = group.n_continuous * (np.log(width) - np.log(shrink))
            out -= (log_width + group.log_sigma)[:, None]
        for rows, z_low, z_high, centre_scores, scale, f in self.atoms:
            shrink = np.sqrt(1.0 + (multiplier * f) ** 2)
            out[rows] += np.nan_to_num(
                atom_log_kernel(
                    shrink * z_low, shrink * z_high, centre_scores, multiplier * scale
                ),
                nan=0.0,
                neginf=-np.inf,
            )
        return out


class _Sums:
    """``sum z^2``, ``sum z c`` and ``sum c^2`` over the continuous entries of
    query rows (standardised, centred scores ``z``) against centres ``c``."""

    def __init__(self, shape):
        self.query_squares = np.zeros(shape[0])
        self.cross = np.zeros(shape)
        self.centre_squares = np.zeros(shape)
        self.n_continuous = np.zeros(shape[0])
        self.log_sigma = np.zeros(shape[0])

    def add(self, rows, z, c):
        c = np.where(np.isnan(c), 0.0, c)
        self.query_squares[rows] += z**2
        self.cross[rows] += z[:, None] * c[None, :]
        self.centre_squares[rows] += (c**2)[None, :]
        self.n_continuous[rows] += 1

    def squared(self, shrink):
        """Sum over the columns of ``(shrink z - c)^2``."""
        return (
            shrink**2 * self.query_squares[:, None]
            - 2 * shrink * self.cross
            + self.centre_squares
        )


def with_bandwidth(model, bandwidth, lambdas):
    """A copy of ``model`` with other kernel widths."""
    return KDEModel(**{**vars(model), "bandwidth": bandwidth, "lambdas": lambdas})


def _categorical_only(model, lambdas):
    """The same model seen through its categorical columns only, with the
    kernel ``lambdas``."""
    return KDEModel(
        **{
            **vars(model),
            "numeric": [],
            "maps": [],
            "scores": model.scores[:, :0],
            "spread": model.spread[:0],
            "bandwidth": model.bandwidth[:0],
            "lambdas": lambdas,
        }
    )
