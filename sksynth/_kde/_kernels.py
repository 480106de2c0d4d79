"""The kernel density model: kernels on normal scores, density and sampling.

Each training row is a kernel centre. Numeric columns live on their normal
scores (``sksynth._margins.NormalScores``), where the kernel is Gaussian and
the atoms of discrete columns and spikes own intervals; categorical columns
have a kernel that keeps the centre's level or redraws it from the level
shares. Missing values are copied from the centre.
"""

from dataclasses import dataclass

import numpy as np
from scipy.special import logsumexp, ndtr

from .._margins import NormalScores, fit_level_margin, fit_margin
from ._neighbors import Reference, split_embed, wide_columns

_N_KNOTS = 2000
# Entries of one (query x centre) block of ``score_samples``.
_BLOCK_ENTRIES = 2**21
# Draws closer than ``min_distance`` to a training row are drawn again, this
# many times at most; a perturbation shorter than the floor is stretched to
# this many times it.
_MIN_DISTANCE_REDRAWS = 20
_PUSH_MARGIN = 1.25
_LOG_SQRT_2PI = 0.5 * np.log(2 * np.pi)
# Rows used to record the distance-to-closest-record behaviour.
_DCR_ROWS = 500
# Points of an atom's score interval its kernel centres take (see
# encode_centres): enough to spread them as the normal density does, few
# enough that an atom's kernel masses are computed once per distinct centre.
ATOM_POSITIONS = 32


@dataclass(eq=False)
class KDEModel:
    """Fitted kernel density of one table (one class of the target).

    ``scores`` holds the kernel centres of the numeric columns on the
    normal-score axis, ``codes`` those of the categorical columns; NaN marks a
    missing value, whose missingness every kernel draw copies. A draw keeps
    each numeric column's mean and variance on that axis: the centre plus
    noise is shrunk towards the centres' mean ``centre_mean`` by ``shrink``
    (the shrunk smoothed bootstrap), so no column is wider than the data.
    ``margins``
    holds the column model of every column (novel values when scoring);
    ``reference`` the training rows in the kernel space, which
    ``min_distance`` keeps draws away from.
    """

    maps: list
    numeric: list
    categorical: list
    n_levels: np.ndarray
    scores: np.ndarray
    codes: np.ndarray
    spread: np.ndarray
    centre_mean: np.ndarray
    bandwidth: np.ndarray
    lambdas: np.ndarray
    n_columns: int
    margins: list | None = None
    reference: Reference | None = None
    dcr_ratio: float = np.nan

    @property
    def n_centres(self):
        return self.scores.shape[0]

    @property
    def shrink(self):
        """``sqrt(1 + (h / sigma)^2)`` per numeric column: a draw ``c + e``
        (centre ``c`` of spread ``sigma``, noise ``e`` of scale ``h``) is
        scaled back by it around the centres' mean, to their variance."""
        spread = np.where(self.spread > 0, self.spread, 1.0)
        return np.sqrt(1.0 + (self.bandwidth / spread) ** 2)


def _logsumexp_rows(a):
    """``logsumexp(a, axis=1)``, faster than scipy's on large blocks."""
    top = np.max(a, axis=1)
    top = np.where(np.isfinite(top), top, 0.0)
    with np.errstate(divide="ignore"):
        return np.log(np.sum(np.exp(a - top[:, None]), axis=1)) + top


def _numeric_log_kernel(
    score_map, x, centres, h, flip=0.0, shrink=1.0, mean=0.0, centre_levels=None
):
    """Log kernel of query values ``x`` against centre scores: (n_x, n_centres).

    ``flip``: probability that a draw's missingness differs from its centre's
    (see :func:`_missing_patterns`); ``shrink`` and ``mean``: the draws'
    scaling towards the centres' mean (see :class:`KDEModel`), undone on the
    query scores; ``centre_levels``: ``np.unique(centres, return_inverse=True)``
    when the caller has it (see :func:`atom_log_kernel`).
    """
    missing = np.isnan(x)
    observed = np.flatnonzero(~missing)
    query = None
    if observed.size and (h > 0 or flip > 0):
        query = score_map.query(x[observed])
    if observed.size and h > 0:
        block = _smooth_log_kernel(query, centres, h, shrink, mean, centre_levels)
    elif observed.size:
        z = score_map.to_scores(x[observed])
        block = np.where(z[:, None] == centres[None, :], 0.0, -np.inf)
    if observed.size and observed.size == x.size:
        out = block
    else:
        out = np.zeros((x.size, centres.size))
        if observed.size:
            out[observed] = block
    marginal = None
    if flip > 0:
        # The score's own distribution: standard normal on the score axis
        # (an atom's interval mass), the Jacobian being added by the caller.
        marginal = np.zeros(x.size)
        if observed.size:
            z, is_atom, z_low, z_high, _ = query
            log_density = -0.5 * z**2 - _LOG_SQRT_2PI
            log_density[is_atom] = _log_interval_mass(z_low[is_atom], z_high[is_atom])
            marginal[observed] = log_density
    return _missing_patterns(out, missing, np.isnan(centres), flip, marginal)


def _smooth_log_kernel(query, centres, h, shrink, mean, centre_levels=None):
    """Log kernel of observed query values (their ``NormalScores.query``)
    against centre scores: a Gaussian density for values on the continuous
    part, the kernel mass of its score interval for an atom."""
    z, is_atom, z_low, z_high, _ = query
    z = mean + shrink * (z - mean)
    if is_atom.any():
        atoms = atom_log_kernel(
            mean + shrink * (z_low[is_atom] - mean),
            mean + shrink * (z_high[is_atom] - mean),
            centres,
            h,
            centre_levels,
        )
        if is_atom.all():
            return atoms
    smooth = ~is_atom
    gaussian = z[smooth, None] - centres[None, :]
    gaussian /= h
    gaussian *= gaussian
    gaussian *= -0.5
    gaussian -= np.log(h) + _LOG_SQRT_2PI - np.log(shrink)
    if not is_atom.any():
        return gaussian
    block = np.empty((z.size, centres.size))
    block[smooth] = gaussian
    block[is_atom] = atoms
    return block


def atom_log_kernel(z_low, z_high, centres, h, centre_levels=None):
    """Log kernel mass of atoms' score intervals ``[z_low, z_high]`` around
    each centre: (n_atoms, n_centres).

    A discrete column's atoms and centres each take few distinct values (the
    centres sit at the atoms' midpoints): the masses are computed once per
    distinct (atom, centre) pair and gathered, since the normal CDF is the
    bulk of the cost. ``centre_levels``: ``np.unique(centres,
    return_inverse=True)``, when the caller has it.
    """
    atoms, atom_index = np.unique(z_low, return_index=True, return_inverse=True)[1:]
    if centre_levels is None:
        centre_levels = np.unique(centres, return_inverse=True)
    distinct, centre_index = centre_levels
    n_pairs = atoms.size * distinct.size
    if n_pairs >= 0.5 * z_low.size * centres.size:
        return _log_interval_mass(
            (z_low[:, None] - centres[None, :]) / h,
            (z_high[:, None] - centres[None, :]) / h,
        )
    table = _log_interval_mass(
        (z_low[atoms, None] - distinct[None, :]) / h,
        (z_high[atoms, None] - distinct[None, :]) / h,
    )
    return table[atom_index.ravel()][:, centre_index.ravel()]


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


def _categorical_log_kernel(codes, centres, lam, shares, flip=0.0):
    """Log kernel of a categorical column: the centre's level kept w.p. ``1 - lam``,
    else a level drawn from the centres' level ``shares``."""
    missing = np.isnan(codes)
    index = np.where(missing | (codes < 0), 0, codes).astype(np.int64)
    # A column missing in every training row has no level to share.
    share = shares[index] if shares.size else np.zeros(codes.shape)
    with np.errstate(divide="ignore"):
        log_move = np.log(lam * share)
        log_keep = np.log1p(-lam + lam * share)
    # The log kernel of each query row for each level (and last, for a
    # missing centre), gathered per centre: cheaper than comparing every
    # (query, centre) pair.
    n_levels = shares.size
    centre_missing = np.isnan(centres)
    levels = np.arange(n_levels + 1)
    table = np.where(codes[:, None] == levels, log_keep[:, None], log_move[:, None])
    out = table[:, np.where(centre_missing, n_levels, centres).astype(np.intp)]
    out[codes < 0] = -np.inf
    with np.errstate(divide="ignore"):
        marginal = np.where(codes >= 0, np.log(share), -np.inf) if flip > 0 else None
    return _missing_patterns(out, missing, centre_missing, flip, marginal)


def _missing_patterns(out, query_missing, centre_missing, flip=0.0, marginal=None):
    """A kernel draw copies its centre's missingness.

    With ``flip`` > 0 (scoring: the probability ``1 / (n + 1)`` of a
    novel outcome), a draw's missingness differs from its centre's with that
    probability, a present value then following the column's own distribution
    (``marginal``, the log density of each query value): rows with a pattern
    of missing values no training row has keep a finite density.
    """
    if not (query_missing.any() or centre_missing.any()):
        return out
    # Set by blocks of rows and of centres, without (query x centre) masks.
    missing_rows = np.flatnonzero(query_missing)
    present_rows = np.flatnonzero(~query_missing)
    present_x_missing = np.ix_(present_rows, np.flatnonzero(centre_missing))
    # Without missing centres a missing query is a novel value, which the
    # caller leaves out.
    if flip == 0 or not centre_missing.any():
        out[missing_rows] = np.where(centre_missing, 0.0, -np.inf)
        out[present_x_missing] = -np.inf
        return out
    log_flip, log_keep = np.log(flip), np.log1p(-flip)
    out += log_keep
    out[missing_rows] = np.where(centre_missing, log_keep, log_flip)
    out[present_x_missing] = (log_flip + marginal[present_rows])[:, None]
    return out


def log_kernel_matrix(
    model,
    values,
    columns,
    rows=slice(None),
    ignore=None,
    flip=0.0,
    centre_levels=None,
):
    """Summed log kernel of encoded query rows over ``columns``, per centre;
    entries ``ignore`` marks count for nothing (marginalised), and ``flip``
    smooths the copy of missingness (see :func:`_missing_patterns`).
    ``centre_levels``: :func:`_centre_levels` of the model, when all its
    centres are used."""
    out = np.zeros((values.shape[0], model.scores[rows].shape[0]))

    def add(j, block):
        if ignore is not None and ignore[:, j].any():
            block[ignore[:, j]] = 0.0
        out.__iadd__(block)

    for k, j in enumerate(model.numeric):
        if j not in columns:
            continue
        if model.maps[k] is not None:
            block = _numeric_log_kernel(
                model.maps[k],
                values[:, j],
                model.scores[rows, k],
                model.bandwidth[k],
                flip,
                model.shrink[k],
                model.centre_mean[k],
                None if centre_levels is None else centre_levels[k],
            )
        else:
            block = _missing_patterns(
                np.zeros_like(out),
                np.isnan(values[:, j]),
                np.isnan(model.scores[rows, k]),
            )
        add(j, block)
    for k, j in enumerate(model.categorical):
        if j in columns:
            block = _categorical_log_kernel(
                values[:, j],
                model.codes[rows, k],
                model.lambdas[k],
                level_shares(model.codes[:, k], model.n_levels[k]),
                flip,
            )
            add(j, block)
    return out


def _log_jacobian(model, values, columns, ignore=None):
    """Sum over numeric columns of ``log dz/dx`` (0 for atoms and missing)."""
    total = np.zeros(values.shape[0])
    for k, j in enumerate(model.numeric):
        x = values[:, j]
        observed = ~np.isnan(x)
        if ignore is not None:
            observed &= ~ignore[:, j]
        if j in columns and model.maps[k] is not None and observed.any():
            if model.bandwidth[k] > 0:
                total[observed] += model.maps[k].query(x[observed])[4]
    return total


def kde_log_density(model, values, columns, ignore=None, flip=None):
    """Log density of encoded rows over ``columns``, in blocks of rows.

    Missingness is copied from the centres, but for a share ``flip`` (by
    default ``1 / (n + 1)`` when scoring rows, ``ignore`` given; 0 for the
    exact density of conditions).
    """
    if flip is None:
        flip = 0.0 if ignore is None else 1.0 / (model.n_centres + 1.0)
    columns = set(columns)
    block = max(1, _BLOCK_ENTRIES // max(model.n_centres, 1))
    centre_levels = _centre_levels(model)
    out = np.empty(values.shape[0])
    for start in range(0, values.shape[0], block):
        rows = values[start : start + block]
        part = None if ignore is None else ignore[start : start + block]
        out[start : start + block] = _logsumexp_rows(
            log_kernel_matrix(
                model,
                rows,
                columns,
                ignore=part,
                flip=flip,
                centre_levels=centre_levels,
            )
        )
    out -= np.log(model.n_centres)
    return out + _log_jacobian(model, values, columns, ignore)


def _centre_levels(model):
    """``np.unique(scores, return_inverse=True)`` of each numeric column's
    centres, computed once for all the blocks of query rows."""
    return [
        np.unique(model.scores[:, k], return_inverse=True)
        for k in range(len(model.numeric))
    ]


def fit_score_maps(values, columns, numeric, weights=None, n_rows=None):
    """One :class:`~sksynth._margins.NormalScores` per numeric column (None
    when all missing), through a margin with atoms for discrete values and
    spikes and a piecewise-linear CDF through (at most 2000) quantiles.

    ``weights``: how many rows each row of ``values`` stands for, when it is
    a sample of a larger table (``n_rows`` of them).
    """
    maps = []
    for j in numeric:
        x = values[:, j]
        observed = ~np.isnan(x)
        if not observed.any():
            maps.append(None)
            continue
        w = None if weights is None else weights[observed]
        total = float(observed.sum() if w is None else w.sum())
        margin = fit_margin(
            x[observed],
            columns[j],
            family="linear",
            weights=w,
            n_rows=x.size if n_rows is None else n_rows,
            linear={"max_knots": _N_KNOTS, "tail_mass": 0.25 / (total + 1)},
        )
        maps.append(NormalScores(margin))
    return maps


def column_margins(maps, values, columns, numeric, categorical, n_levels):
    """The column model of every column of a KDE model, for novel values."""
    margins = [None] * len(columns)
    n_rows = values.shape[0]
    for k, j in enumerate(numeric):
        if maps[k] is not None:
            margins[j] = maps[k].margin
        else:
            margins[j] = fit_margin(np.zeros(0), columns[j], n_rows=n_rows)
    for k, j in enumerate(categorical):
        margins[j] = fit_level_margin(values[:, j], n_levels[k], n_rows)
    return margins


def encode_centres(maps, values, numeric, categorical, rng=None):
    """Numeric scores and categorical codes of encoded rows.

    With ``rng``, the scores of kernel centres: a value at an atom takes one
    of ``ATOM_POSITIONS`` points of the atom's score interval (see
    ``NormalScores.centre_scores``), unless the rows hold one value of the
    column (their spread, and so their kernel's, stays 0: a class that holds
    one level of a discrete column only draws that level); without, the
    scores of query rows (an atom's at the middle of its interval).
    """
    scores = np.full((values.shape[0], len(numeric)), np.nan)
    for k, (j, score_map) in enumerate(zip(numeric, maps, strict=True)):
        if score_map is None:
            continue
        x = values[:, j]
        present = x[~np.isnan(x)]
        if rng is None or not present.size or present.min() == present.max():
            scores[:, k] = score_map.to_scores(values[:, j])
        else:
            scores[:, k] = score_map.centre_scores(values[:, j], rng, ATOM_POSITIONS)
    return scores, values[:, categorical].reshape(values.shape[0], len(categorical))


def query_scores(model, scores=None):
    """The centres' scores (or ``scores`` of centres) as query rows are
    encoded: atoms at their middles. Distances between training and drawn
    rows compare rows encoded alike."""
    scores = model.scores if scores is None else scores
    out = scores.copy()
    for k, score_map in enumerate(model.maps):
        if score_map is not None:
            out[:, k] = score_map.atom_middles(scores[:, k])
    return out


def score_mean(scores):
    """Mean of each column's scores (0 where undefined)."""
    present = ~np.isnan(scores)
    total = np.where(present, scores, 0.0).sum(axis=0)
    return total / np.maximum(present.sum(axis=0), 1)


def score_spread(scores):
    """Standard deviation of each column's scores (1 where undefined)."""
    spread = np.ones(scores.shape[1])
    for k in range(scores.shape[1]):
        z = scores[:, k]
        z = z[~np.isnan(z)]
        if z.size > 1:
            spread[k] = np.std(z)
    return spread


def generator_from(rng):
    """A ``Generator`` seeded by ``rng`` (a ``RandomState``; a ``Generator``
    is returned as is).

    ``RandomState.standard_normal`` (polar method) costs about three times
    the ziggurat of ``Generator``, and ``RandomState.choice`` without
    replacement permutes its whole population; seeding a ``Generator`` from
    ``rng`` keeps the draws reproducible from ``random_state``.
    """
    if isinstance(rng, np.random.RandomState):
        return np.random.default_rng(rng.randint(0, 2**32, size=4, dtype=np.uint64))
    return rng


def sample_model(model, n_samples, rng, enforce_range, min_distance=0.0, weights=None):
    """Draw encoded rows; return them and the index of each kernel centre.

    With ``min_distance``, every draw is at least that far from every row of
    ``model.reference`` (the training rows) in the kernel space: draws that
    land closer are drawn again.
    """
    values, centre = _draw(model, n_samples, rng, enforce_range, min_distance, weights)
    if min_distance > 0 and model.reference is not None:
        close = np.flatnonzero(_closest_distance(model, values) < min_distance)
        for _ in range(_MIN_DISTANCE_REDRAWS):
            if not close.size:
                break
            redrawn, redrawn_centre = _draw(
                model, close.size, rng, enforce_range, min_distance, weights
            )
            values[close], centre[close] = redrawn, redrawn_centre
            close = close[_closest_distance(model, redrawn) < min_distance]
        if close.size:
            raise ValueError(
                f"`min_distance`={min_distance:g}: {close.size} of {n_samples} draws "
                f"stayed closer than that to a training row after "
                f"{_MIN_DISTANCE_REDRAWS} redraws. Lower `min_distance` or widen "
                "`bandwidth`."
            )
    return values, centre


def _closest_distance(model, values):
    """Distance of encoded rows to their closest reference row."""
    query = _kernel_space(model, *_encode(model, values))
    return model.reference.nearest(*query, return_distance=True)[1]


def training_reference(model, values=None):
    """The rows of ``values`` (encoded; by default the kernel centres) in the
    model's kernel space, for closest-record look-ups."""
    if values is None:
        return Reference(*_kernel_space(model, query_scores(model), model.codes))
    return Reference(*_kernel_space(model, *_encode(model, values)))


def _encode(model, values):
    """Numeric scores and categorical codes of encoded rows."""
    return encode_centres(model.maps, values, model.numeric, model.categorical)


def _kernel_space(model, scores, codes):
    """Rows in the model's kernel space, as :class:`Reference` compares them."""
    wide = wide_columns(model.n_levels)
    return split_embed(model.spread, model.n_levels, wide, scores, codes)


def _draw(model, n_samples, rng, enforce_range, min_distance, weights):
    if weights is None:
        centre = rng.randint(0, model.n_centres, size=n_samples)
    else:
        centre = rng.choice(model.n_centres, size=n_samples, p=weights)
    generator = generator_from(rng)
    # A draw c + e is scaled back to the centres' variance around their mean
    # (the shrunk smoothed bootstrap): (c - mean) / shrink + mean + e / shrink.
    shrink, mean = model.shrink, model.centre_mean
    scale = model.bandwidth / shrink
    noise = None
    if min_distance > 0 and len(model.numeric):
        # All columns at once, column-major (the same numbers as drawn column
        # by column below): the push acts on whole rows.
        noise = generator.standard_normal((len(model.numeric), n_samples))
        noise *= model.bandwidth[:, None]
        _push_out(noise.T, model, min_distance)
        noise /= shrink[:, None]
    buffer = np.empty(n_samples) if noise is None else None
    values = np.empty((model.n_columns, n_samples))
    centre_scores = model.scores.T
    shrunk = n_samples >= model.n_centres
    if shrunk:
        # More draws than centres: the centres shrunk once, column by column
        # (each column's look-ups then stay in cache).
        centre_scores = (centre_scores - mean[:, None]) / shrink[:, None]
        centre_scores += mean[:, None]
    for k, j in enumerate(model.numeric):
        if model.maps[k] is None:
            values[j] = np.nan
            continue
        if noise is not None:
            scores = noise[k]
        else:
            # One column's draws at a time: they stay in cache until mapped.
            scores = generator.standard_normal(n_samples, out=buffer)
            scores *= scale[k]
        centres = centre_scores[k].take(centre, mode="clip")
        if not shrunk:
            centres -= mean[k]
            centres /= shrink[k]
            centres += mean[k]
        scores += centres
        model.maps[k].from_scores(scores, enforce_range, out=values[j])
    for k, j in enumerate(model.categorical):
        codes = model.codes[:, k].take(centre)
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


def _push_out(noise, model, min_distance):
    """Stretch perturbations shorter than the floor to a little more than it,
    in place, so that a draw starts beyond ``min_distance`` from its own
    centre once shrunk (see :class:`KDEModel`) and decoded (rounding to a
    column's decimals moves it a little)."""
    spread = np.where(model.spread > 0, model.spread, 1.0)
    length = np.sqrt(np.sum((noise / spread) ** 2, axis=1))
    target = _PUSH_MARGIN * min_distance
    short = np.flatnonzero(length < target)
    if not short.size:
        return noise
    direction = noise[short] / spread
    norm = length[short, None]
    direction = np.where(norm > 0, direction / np.maximum(norm, 1e-300), 1.0)
    direction /= np.sqrt(np.sum(direction**2, axis=1, keepdims=True))
    noise[short] = direction * target * spread * model.shrink
    return noise


def conditional_weights(model, conditions):
    """Probability of each kernel centre given the conditioned columns."""
    row = np.full((1, model.n_columns), np.nan)
    for j, value in conditions.items():
        row[0, j] = value
    log_weights = log_kernel_matrix(model, row, set(conditions))[0]
    if not np.isfinite(log_weights).any():
        raise ValueError(
            "No training row is compatible with `conditions`: the kernel density "
            "is zero there. Condition on values (and missingness) seen in fit."
        )
    weights = np.exp(log_weights - logsumexp(log_weights))
    return weights / weights.sum()


def dcr_ratio(model, rng, enforce_range, min_distance=0.0):
    """Median distance of draws to their closest training row, relative to the
    median distance of training rows to their closest other training row."""
    if model.n_centres < 2:
        return np.nan
    n = min(_DCR_ROWS, model.n_centres)
    rows = rng.choice(model.n_centres, n, replace=False)
    values, _ = sample_model(model, n, rng, enforce_range, min_distance)
    dense, wide_codes = _kernel_space(model, query_scores(model), model.codes)
    training = Reference(dense, wide_codes)
    _, synthetic_distance = training.nearest(
        *_kernel_space(model, *_encode(model, values)), return_distance=True
    )
    _, training_distance = training.nearest(
        dense[rows], wide_codes[rows], exclude=rows, return_distance=True
    )
    reference = np.median(training_distance)
    if reference == 0:
        return np.inf if np.median(synthetic_distance) > 0 else 1.0
    return float(np.median(synthetic_distance) / reference)
