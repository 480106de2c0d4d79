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
    Returns the best ``(multiplier, t)`` pair.
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
                atom_log_kernel(z_low, z_high, centre_scores, h),
                nan=0.0,
                neginf=-np.inf,
            )
        return out + self.mask


def with_bandwidth(model, bandwidth, lambdas):
    """A copy of ``model`` with other kernel widths."""
    return KDEModel(**{**vars(model), "bandwidth": bandwidth, "lambdas": lambdas})


def _only(model, role):
    """The same model seen through its numeric or its categorical columns only."""
    if role == "numeric":
        return KDEModel(
            **{
                **vars(model),
                "categorical": [],
                "codes": model.codes[:, :0],
                "n_levels": model.n_levels[:0],
                "lambdas": model.lambdas[:0],
            }
        )
    return KDEModel(
        **{
            **vars(model),
            "numeric": [],
            "maps": [],
            "scores": model.scores[:, :0],
            "spread": model.spread[:0],
            "bandwidth": model.bandwidth[:0],
        }
    )
