"""New rows kept inside their class's region (the ``region`` option)."""

import numpy as np
from sklearn.utils._param_validation import StrOptions

from .._kde import Reference

# Rows of each side (the class, the other classes) new rows are compared with.
_REGION_ROWS = 10_000
# Neighbours of the "balanced" rule.
_BALANCED_NEIGHBORS = 10
# Rounds of fresh draws for the new rows that fell outside the region.
_REDRAWS = 10
# Most draws per missing row in a round (when few draws land inside).
_MAX_DRAWS_PER_ROW = 10

# Constraint of the ``region`` parameter, shared by the over-samplers.
REGION_CONSTRAINT = [StrOptions({"nearest", "balanced"}), None]

_region_docstring = """region : {None, "nearest", "balanced"}, default=None
        Where new rows may lie. None: wherever the model of their class
        draws them. "nearest": a new row's nearest row of ``X`` must be of
        its class. "balanced": among its 10 nearest rows of ``X``, those of
        its class, each weighted by one over its class's size, must weigh at
        least half of the total (the class's side of the boundary of
        balanced classes). Distances are those of the purity rule of
        :class:`KDEOverSampler` (normal scores on all of ``X``, one-hot
        categories; at most 10,000 rows of the class and 10,000 of the
        others). A new row outside is drawn again, up to 10 times; rows
        still outside then are copies of random rows of their class. New
        rows that spill among the other classes lower the precision at the
        default threshold: "nearest" removes them all, "balanced" those deep
        among the other classes. On 106 imbalanced data sets (see
        ``benchmarks/results_oversampling_broad.md``), "nearest" raised the
        mean F1 by 0.02 to 0.025 and lowered the G-mean by about 0.01;
        "balanced" raised the F1 by 0.006 to 0.01 at the same G-mean; neither
        changed the mean ROC AUC by more than 0.002."""


class ClassRegion:
    """Check of new rows of one class against the rows of ``X``.

    Parameters
    ----------
    space : _SharedSpace
        The normal-score space of ``X`` (see :mod:`._kde`).
    y : ndarray of shape (n_samples,)
        Labels of ``X``.
    klass : object
        The class whose new rows are checked.
    rule : {"nearest", "balanced"}
        See the ``region`` parameter of the over-samplers.
    rng : RandomState
        Draws the reference rows of a large ``X``.
    """

    def __init__(self, space, y, klass, rule, rng):
        self.space, self.rule = space, rule
        own = _at_most(np.flatnonzero(y == klass), rng)
        other = _at_most(np.flatnonzero(y != klass), rng)
        rows = np.concatenate([own, other])
        self.reference = Reference(*space.embed_rows(rows))
        self.is_own = np.arange(rows.size) < own.size
        # Each reference row weighs one over its class's reference rows: the
        # classes count as balanced.
        _, inverse, counts = np.unique(y[rows], return_inverse=True, return_counts=True)
        self.weight = 1.0 / counts[inverse]

    def inside(self, values):
        """Whether each encoded row lies in the class's region."""
        if not values.shape[0]:
            return np.zeros(0, dtype=bool)
        dense, codes = self.space.embed(values)
        if self.rule == "nearest":
            return self.is_own[self.reference.nearest(dense, codes)]
        neighbors = self.reference.k_nearest(dense, codes, _BALANCED_NEIGHBORS)
        weight = self.weight[neighbors]
        own = np.sum(weight * self.is_own[neighbors], axis=1)
        return own >= 0.5 * weight.sum(axis=1)


def _at_most(rows, rng):
    if rows.size <= _REGION_ROWS:
        return rows
    return np.sort(rng.choice(rows, _REGION_ROWS, replace=False))


def draw_inside(draw, take, region, n_new):
    """New rows of a class that lie inside its region.

    ``draw(n)`` gives ``(encoded, rows)``: ``n`` new rows encoded for the
    check, and as they are kept; ``take(rows, indices)`` selects some. Each
    round draws the rows still missing, more of them when few landed inside
    in the round before. Returns the kept pieces and the number of rows still
    missing after ``_REDRAWS`` rounds of redraws.
    """
    pieces, missing, share_inside = [], n_new, 1.0
    for _ in range(1 + _REDRAWS):
        if not missing:
            break
        n_draws = int(np.ceil(missing / max(share_inside, 1 / _MAX_DRAWS_PER_ROW)))
        encoded, rows = draw(n_draws)
        inside = np.flatnonzero(region.inside(encoded))
        share_inside = inside.size / n_draws
        inside = inside[:missing]
        if inside.size:
            pieces.append(take(rows, inside))
            missing -= inside.size
    return pieces, missing
