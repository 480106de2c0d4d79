"""Adversarial random forest synthesizer: the leaves of a forest that cannot
tell real rows from synthetic ones, split further where their rows depend on
a column (see _leaf_splits), columns nearly independent inside each leaf."""

import numbers
import warnings
from dataclasses import dataclass
from itertools import combinations

import numpy as np
from scipy import special
from sklearn.utils._param_validation import Interval, StrOptions

from ._base import BaseSynthesizer, impossible_conditions_error
from ._data import MAX_DISCRETE_LEVELS, is_spike
from ._data._schema import caller_stacklevel
from ._docstring import synthesizer_docstring
from ._leaf_splits import SplitColumns, TreeArrays, float32_floor, split_leaves
from ._progress import Progress
from ._support import PairSupport
from ._tree import _binned_codes, _column_margin, _mutual_information
from .constraints._linked import LINKED_COLUMNS_PARAMETER, RULED_OUT_SHARE, ruled_out

# Pseudo-rows of a leaf spread as the column's overall distribution inside the
# leaf's bounds (additive smoothing): every value the bounds allow keeps a
# positive probability, so held-out rows get a finite score. Draws follow the
# smoothed leaves too, so each pseudo-row is independence noise: half a row
# (as TreeSynthesizer scores with) made detection AUC worse than a twentieth
# (Adult 0.658 against 0.638, diamonds 0.805 against 0.776, breast cancer
# 0.843 against 0.800; California housing 0.887 against 0.886), though not on
# the two smallest tables (German credit 0.569 against 0.618, penguins 0.530
# against 0.576, one seed on 500 and 172 rows).
_PRIOR_WEIGHT = 0.05
# An outcome (a category, a value of a discrete column, a spike, "missing")
# held by fewer rows of a leaf than this is not stored with the leaf: those
# rows join the pseudo-rows, and the outcome is drawn at its overall rate
# inside the leaf's bounds. So is the continuous part of a leaf with fewer
# continuous values than this (no mean or spread of one or two rows is kept).
_MIN_COUNT = 3
# ... unless it is held by at least this many training rows in all: such a
# value does not single out a row (as in TreeSynthesizer).
_COMMON_COUNT = 10
# Knots of the overall piecewise-linear distribution of a continuous column:
# at most this many, each between two order statistics at least this many
# rows apart (never a training value, except the range's ends).
_MAX_KNOTS = 256
_ROWS_PER_KNOT = 10
# A gap between two values of at least this share of a column's range, to
# which the knots give at least this many rows, is a hole (see _hole_knots).
_HOLE_SHARE = 0.05
_HOLE_ROWS = 3
# Columns of at most this many outcomes are tested for one-to-one links, on
# the first _LINK_PROBE_ROWS rows before all of them.
_MAX_LINK_OUTCOMES = 1000
_LINK_PROBE_ROWS = 2000
# Row-leaf pairs evaluated at once when scoring.
_PAIR_BLOCK = 2_000_000
# Support of pairs of numeric columns (see sksynth._support): pairs kept at
# most by default, model draws it is fitted on (twice the rows, within these
# bounds), and rounds of redraws of the rows outside it.
SUPPORT_PAIRS_DEFAULT = 10
_SUPPORT_MIN_DRAWS, _SUPPORT_DRAWS = 2_000, 50_000
_SUPPORT_ROUNDS = 100
# n_estimators="auto": trees for this many rows over the rows learnt from,
# between _MIN_AUTO_TREES and _MAX_AUTO_TREES. Trees of few rows hold few
# leaves: on the benchmark's tables of 172 to 515 rows, 30 trees against 10
# (seeds 0 to 2) took TSTR on the penguins from 0.950 to 0.979 and R^2 on
# concrete from 0.750 to 0.788 (0.763 with its 29 trees of "auto"); the
# detection AUC against held-out rows went from 0.612 to 0.595 on German
# credit, 0.602 to 0.594 on breast cancer, 0.734 to 0.721 on concrete, and
# up from 0.583 to 0.601 on the penguins. On California housing (10,320
# rows) 30 trees were easier to detect (0.636 against 0.607) and three
# times slower. On 1,500 rows of Adult (classes of about 1,140 and 360
# rows: 13 and 30 trees) TSTR rose from 0.889 to 0.893 and the DCR share
# from 0.585 to 0.601; on 600 rows (30 trees per class) detection against
# held-out rows fell from 0.693 to 0.664 and the DCR share from 0.614 to
# 0.604.
_AUTO_TREE_ROWS = 15_000
# With min_samples_leaf="auto" and leaf_split_rows="auto", the forests of a
# table of fewer than _SMALL_ROWS rows grow leaves of _SMALL_LEAF rows and no
# density splits: on breast cancer (284 training rows, classes of about 100
# and 180) leaves of 10 rows and parts of 5 put synthetic rows closer to the
# training rows than to held-out ones in 0.68 of cases, against 0.59 (see the
# user guide). A class's rows do not count: German credit's 150 bad risks (of
# 500 rows) were easier to detect in leaves of 20.
_SMALL_ROWS = 300
_SMALL_LEAF = 20
# ... and of larger tables, the leaves and the parts of density splits.
_LEAF, _SPLIT_ROWS = 10, 5
_MIN_AUTO_TREES, _MAX_AUTO_TREES = 10, 30
_LOG_SQRT_2PI = 0.5 * np.log(2.0 * np.pi)
# Normal scores of a leaf's copula stay within this many standard deviations
# (a value at the edge of a leaf would be infinitely far).
_MAX_SCORE = 8.0
# A leaf's correlation is shrunk toward the pooled one with this many
# pseudo-rows, and kept at least this far from singular.
_CORRELATION_PRIOR = 10.0
# Rows drawn at a time: their leaves sorted, then shuffled (see _draw_block).
_DRAW_BLOCK = 65_536
# Discrete columns of at most _MAX_GROUP_OUTCOMES outcomes are drawn together
# inside a leaf, in groups of at most _MAX_GROUP_SIZE, when their mutual
# information given the leaf, less its chance level, is at least
# _GROUP_MIN_INFORMATION nats; with _GROUP_CONTINUOUS, numeric columns with
# spikes too (the continuous part one more outcome): computer activity 0.954
# against 0.964, TSTR 0.949 against 0.934; California housing 0.813 against
# 0.806. The information is taken less its chance level (see _column_groups),
# on the leaves of the first trees (about _GROUP_ENTRIES row-leaf pairs):
# fitted on all of Adult with random_state 0 to 2, new rows with a workclass
# missing and an occupation fell from 1.4 % to 0.6 % (none in the data),
# Husband with Female from 0.69 % to 0.15 %. Mean of benchmark seeds 0 to 2:
# detection AUC fell on every table with groups (Adult 0.560 against 0.570,
# German credit 0.539 against 0.565, diamonds 0.727 against 0.742), TSTR by
# at most 0.015 (computer activity 0.932 against 0.941, concrete 0.633
# against 0.648), and the DCR share rose on most (diamonds 0.585 against
# 0.567, penguins 0.589 against 0.560; German credit 0.597 against 0.619):
# the groups hold more combinations of rows.
_MAX_GROUP_OUTCOMES = 100
_MAX_GROUP_SIZE = 3
_GROUP_MIN_INFORMATION = 0.01
_GROUP_ENTRIES = 100_000
_GROUP_CONTINUOUS = True
# A group of discrete columns draws the rows of a leaf outside its stored
# combinations (the rest) from its members' own distributions in the leaf,
# with the combinations the data rule out left out (see
# sksynth.constraints._linked.ruled_out: held by at most 1/100 of the rows
# that independent columns would give them, when that is at least 10 rows),
# or holding a pair of outcomes so ruled out (Husband with Female on Adult;
# a combination merely rare in a small table is kept; groups of more than
# _MAX_EXCLUDED such combinations are left as they were). A share _RARE_REST
# of the rest still draws every combination (each keeps a positive density),
# and so does a leaf whose members' distributions put more than
# 1 - _MIN_ALLOWED on the excluded ones. Rejected draws are drawn again up to
# _MAX_REDRAWS times, then from the enumerated combinations; groups of more
# than _MAX_COMBINATIONS possible combinations are left as they were.
_RARE_REST = 0.01
_MIN_ALLOWED = 0.05
_MAX_REDRAWS = 20
_MAX_COMBINATIONS = 1_000_000
_MAX_EXCLUDED = 2000
_MIN_EIGENVALUE = 0.02
# A discrete column of more than MAX_DISCRETE_LEVELS values is smoothed when
# its values fill at least this share of their grid between the quantiles
# _GRID_TAIL and 1 - _GRID_TAIL of its rows (see _fills_grid).
_MIN_GRID_FILL = 0.2
_GRID_TAIL = 0.05
# The cell of a spike of a smoothed column (a point of the model) spans
# scores of this share of the rows: distinct on the trees' float32 axis, and
# the leaves' normals send a continuous draw into it about once in ten
# thousand. A cell of the spike's own share sent them there often: a
# top-coded age of 52 on 6.0 % of California's rows came back on 11.5 %.
_SPIKE_CELL = 1e-4
# ... and this many times an average value's share at an end of the range.
_CENSORED_RATIO = 3.0
# Knots of a column's distribution closer to an end than the tail's half a
# row keep apart on the axis, this fraction of their distance to the end
# inside the tail's score (see _Axis).
_END_SPREAD = 1e-3
# A discrete numeric column of at least this many values whose values do not
# fill their grid, tied more to a number than to any other column, is
# smoothed too: the leaves drew its values independently of the numbers, and
# a model trained on concrete rows lost the strength's rise with the age in
# days (14 values; seeds 0 to 2, TSTR R^2 0.668 against 0.761 smoothed).
_MIN_SMOOTHED = 3
# The scores of the rows spread over their cells stay within this probability
# of the ends of the axis.
_SPREAD_TAIL = 1e-12
# A value of a column's continuous part held by _COMMON_COUNT rows or more is
# a heap (the value of a cell, see _heaped_knots) when it holds at least
# _HEAP_RATIO times the rows of an average point of the column's grid within
# _HEAP_WINDOW points of it.
_HEAP_RATIO = 3.0
_HEAP_WINDOW = 5
# ... in a column whose heaps hold at least this share of its continuous
# part (a column recorded on a coarser grid than its decimals, mostly).
_HEAP_MIN_SHARE = 0.3


class _Column:
    """One column of the forest model, and its overall distribution.

    The column lives on one axis for the trees: its encoded values, a missing
    value at ``sentinel`` below all of them. Its outcomes are points on that
    axis (levels, values of a discrete column, spikes, "missing"), and, for a
    many-valued numeric column, a continuous part between ``low`` and
    ``high`` with a piecewise-linear distribution through ``knots``.
    """

    def __init__(self, spec, x, points=None, holes=True):
        # The overall margin, for the values the model never produces; a
        # column given its ``points`` (on the trees' axis) has none.
        self.margin = _column_margin(spec, x, True) if points is None else None
        self.is_levels = spec.is_levels
        missing = np.isnan(x)
        observed = x[~missing]
        if spec.is_levels:
            points = np.arange(len(spec.categories), dtype=float)
            counts = np.bincount(
                observed.astype(np.int64), minlength=points.size
            ).astype(float)
        else:
            if points is None:
                points = np.asarray(self.margin.atoms, dtype=float)
            found = _lookup(points, observed)
            counts = np.bincount(found[found >= 0], minlength=points.size).astype(float)
        lowest = points[0] if points.size else 0.0
        if observed.size:
            lowest = min(lowest, observed.min())
            span = observed.max() - lowest
        else:
            span = 0.0
        self.sentinel = -1.0 if spec.is_levels else lowest - 1.0 - abs(span)
        self.has_missing = bool(missing.any())
        if self.has_missing:
            points = np.r_[self.sentinel, points]
            counts = np.r_[missing.sum(), counts]
        self.points = points
        self.points32 = points.astype(np.float32)
        rest = observed[_lookup(points, observed) < 0] if observed.size else observed
        total = max(x.size, 1)
        self.counts = counts
        self.shares = counts / total
        self.n_continuous = rest.size
        # The cells of values of the continuous part that the model gives a
        # probability rather than a density (see _Axis), or None.
        self.cells = None
        self.continuous_share = rest.size / total
        self.cumulative = np.r_[0.0, np.cumsum(self.shares)]
        self.has_continuous = rest.size > 0
        if self.has_continuous:
            # The continuous part spans the column's range, spikes included:
            # the margin scores values in that range as the model's own.
            self.low, self.high = float(observed.min()), float(observed.max())
            self.knots_x, self.knots_u = _knots(
                np.sort(rest), self.low, self.high, holes
            )
            self.slopes = np.diff(self.knots_u) / np.diff(self.knots_x)
        else:
            self.low = self.high = np.nan

    @property
    def n_points(self):
        return self.points.size

    def feature(self, x):
        """The column as the trees see it: missing at the sentinel."""
        return np.where(np.isnan(x), self.sentinel, x)

    def point_index(self, feature):
        """Index of the point outcome at each value, -1 where there is none."""
        return _lookup(self.points, feature)

    def prior_masses(self, low, high):
        """Overall mass of the points and of the continuous part in the
        bounds ``(low, high]`` of each leaf."""
        first, last = self._point_range(low, high)
        points = self.cumulative[last] - self.cumulative[first]
        if not self.has_continuous:
            return points, np.zeros(points.size)
        a, b = self._continuous_range(low, high)
        continuous = self.continuous_share * np.maximum(
            self._cdf(b) - self._cdf(a), 0.0
        )
        return points, continuous

    def _point_range(self, low, high):
        first = np.searchsorted(self.points32, low, side="right")
        last = np.searchsorted(self.points32, high, side="right")
        return first, last

    def _continuous_range(self, low, high):
        """The numbers of the column's range a leaf of float32 bounds
        ``(low, high]`` holds: those whose float32 rounding (what the trees
        compare) is inside them."""
        a = np.clip(_rounding_edge(low), self.low, self.high)
        b = np.clip(_rounding_edge(high), self.low, self.high)
        return a, b

    def _cdf(self, x):
        return np.interp(x, self.knots_x, self.knots_u)

    def _log_pdf(self, x):
        knot = np.clip(
            np.searchsorted(self.knots_x, x, side="right") - 1, 0, self.slopes.size - 1
        )
        with np.errstate(divide="ignore"):
            return np.log(self.slopes[knot])

    def cell_within(self, x, a, b):
        """Which values ``x`` are in a cell, and the edges of their cells cut
        to the bounds ``[a, b]`` (those of others are meaningless)."""
        inside, k = self.cells.find(x)
        cells = self.cells
        return inside, np.maximum(cells.low[k], a), np.minimum(cells.high[k], b)

    def draw_prior(self, low, high, rng):
        """Values from the overall distribution inside ``(low, high]``."""
        points, continuous = self.prior_masses(low, high)
        u = rng.random_sample(low.size) * (points + continuous)
        on_point = u < points
        first, last = self._point_range(low, high)
        target = self.cumulative[first] + u
        index = np.searchsorted(self.cumulative, target, side="right") - 1
        index = np.clip(index, first, np.maximum(last - 1, first))
        values = (
            self.points[np.minimum(index, self.n_points - 1)] if self.n_points else u
        )
        if self.has_continuous:
            rest = np.flatnonzero(~on_point)
            a, b = self._continuous_range(low[rest], high[rest])
            v = self._cdf(a) + (u[rest] - points[rest]) / self.continuous_share
            v = np.clip(v, self._cdf(a), self._cdf(b))
            values = values.astype(float)
            values[rest] = np.interp(v, self.knots_u, self.knots_x)
        return self.decode_points(values)

    def decode_points(self, values):
        if self.has_missing:
            values = np.where(values == self.sentinel, np.nan, values)
        return values


def _rounding_edge(bound):
    """Largest float64 whose float32 rounding is at most the float32
    ``bound``: halfway to the next float32."""
    bound = np.asarray(bound, dtype=np.float32)
    above = np.nextafter(bound, np.float32(np.inf)).astype(float)
    edge = bound.astype(float)
    finite = np.isfinite(above) & np.isfinite(edge)
    edge[finite] += (above[finite] - edge[finite]) / 2
    return edge


def _lookup(points, x):
    """Index of the entry of sorted ``points`` equal to each ``x``, or -1."""
    if points.size == 0:
        return np.full(np.shape(x), -1)
    index = np.minimum(np.searchsorted(points, x), points.size - 1)
    return np.where(points[index] == x, index, -1)


class _Cells:
    """Intervals ``[low[k], high[k]]`` of an axis, sorted and disjoint but
    for shared edges, each holding one value: the model gives that value
    the interval's probability, not a density. ``centres``: where each
    value lies on the axis (the scores of the values, on the axis of
    scores), when given."""

    def __init__(self, low, high, values, centres=None):
        full = high > low
        self.low, self.high, self.values = low[full], high[full], values[full]
        self.centres = None if centres is None else centres[full]

    def find(self, x):
        """Whether each ``x`` is in a cell, and the index of that cell (of
        the nearest one below, or the first, when it is not)."""
        k = np.clip(np.searchsorted(self.low, x, side="right") - 1, 0, None)
        with np.errstate(invalid="ignore"):
            inside = (x >= self.low[k]) & (x <= self.high[k])
        return inside, k


def _knots(sorted_values, low, high, holes=True):
    """Knots ``(x, u)`` of a piecewise-linear CDF of sorted values: the ends of
    the range ``[low, high]`` and midpoints between order statistics at least
    _ROWS_PER_KNOT rows apart, with their shares of the rows below; with
    ``holes``, knots around the gaps no row fills (see :func:`_hole_knots`)."""
    n = sorted_values.size
    if high <= low:
        # One value: a narrow uniform around it, for a density.
        width = max(abs(low), 1.0) * 1e-6
        return np.array([low - width, high + width]), np.array([0.0, 1.0])
    n_inner = int(min(_MAX_KNOTS, n // _ROWS_PER_KNOT)) - 1
    positions = np.linspace(0, n - 2, n_inner + 2)[1:-1].astype(np.int64)
    inner = 0.5 * (sorted_values[positions] + sorted_values[positions + 1])
    x = np.r_[low, inner, high]
    u = np.r_[0.0, (positions + 1) / n, 1.0]
    x, first = np.unique(x, return_index=True)
    u = u[first]
    keep = np.r_[True, np.diff(u) > 0]
    x, u = x[keep], u[keep]
    u[-1] = 1.0
    if x[-1] < high:
        x, u = np.r_[x[:-1], high], np.r_[u[:-1], 1.0]
    return _hole_knots(sorted_values, x, u) if holes else (x, u)


def _hole_knots(sorted_values, x, u):
    """The knots ``(x, u)`` of sorted values, with knots added around their
    holes: gaps between two values of at least _HOLE_SHARE of the range,
    with _ROWS_PER_KNOT rows or more within that width on either side, to
    which the knots' straight lines give _HOLE_ROWS rows or more. The knots
    added are the midpoints on either side of the two values at the gap's
    edges, so that the gap shares the mass of those two rows.

    Computer activity's free swap blocks: 3.7 % of the rows below 20, the
    others above 940,000; a knot's straight line across the gap sent 0.32 %
    of the forest's draws between 100 and 900,000, where no row is."""
    n = sorted_values.size
    values, first = np.unique(sorted_values, return_index=True)
    if values.size < 4:
        return x, u
    gaps = np.diff(values)
    rows_up_to = np.r_[first[1:], n]  # rows at or below each value
    assigned = n * (np.interp(values[1:], x, u) - np.interp(values[:-1], x, u))
    near_below = rows_up_to[:-1] - np.searchsorted(
        sorted_values, values[:-1] - gaps, side="left"
    )
    near_above = (
        np.searchsorted(sorted_values, values[1:] + gaps, side="right")
        - (rows_up_to[:-1])
    )
    hole = (
        (gaps >= _HOLE_SHARE * (values[-1] - values[0]))
        & (assigned >= _HOLE_ROWS)
        & (near_below >= _ROWS_PER_KNOT)
        & (near_above >= _ROWS_PER_KNOT)
    )
    k = np.flatnonzero(hole)
    k = k[(k >= 1) & (k + 2 < values.size)]
    k = k[np.r_[True, np.diff(k) > 2]] if k.size else k  # apart
    if not k.size:
        return x, u
    added_x = np.r_[
        0.5 * (values[k - 1] + values[k]), 0.5 * (values[k + 1] + values[k + 2])
    ]
    added_u = np.r_[rows_up_to[k - 1], rows_up_to[k + 1]] / n
    # The added knots replace those between them (across the gap).
    across = np.zeros(x.size, dtype=bool)
    for a, b in zip(added_x[: k.size], added_x[k.size :], strict=True):
        across |= (x >= a) & (x <= b)
    x, u = np.r_[x[~across], added_x], np.r_[u[~across], added_u]
    order = np.argsort(x, kind="stable")
    x, u = x[order], u[order]
    keep = np.r_[True, (np.diff(x) > 0) & (np.diff(u) > 0)]
    return x[keep], u[keep]


class _Axis:
    """The axis on which the forest models a numeric column with a continuous
    part: its normal scores under the column's overall distribution, a map
    linear between knots ``(knots_x, knots_u)``: by default those of the
    piecewise-linear distribution of its continuous part (``_Column.knots_*``).

    Trees split the same way on either axis; what changes is the leaves'
    normals, fitted to normal scores rather than raw values: a skewed or
    many-peaked column is nearly normal on this axis, and a normal of a
    wide leaf puts no mass in the gaps between the column's values.

    ``cells`` (``(low, high, values)`` on the column's scale, see
    :func:`_smoothed_knots` and :func:`_heaped_knots`) are intervals each
    standing for one value, whose scores span a width of its share of the
    rows (so that heaped values keep their shares): a score in a cell gives
    the cell's value, and the model gives that value the cell's probability
    (``_Column.cells``), not a density. Points (spikes) stay points.
    """

    def __init__(self, column, knots=None, cells=None):
        knots_x, knots_u = (column.knots_x, column.knots_u) if knots is None else knots
        self.knots_x = knots_x
        # The ends of the range take the scores of half a row in the tails.
        # Knots closer to an end than that stay apart, a little inside it:
        # clipped to it, the cells of two rare values at an end of a
        # smoothed column shared one score, and each value was given the
        # probability of both.
        tail = 0.5 / (column.n_continuous + 1)
        u = np.clip(knots_u, tail, 1.0 - tail)
        u = np.where(knots_u < tail, tail + _END_SPREAD * knots_u, u)
        u = np.where(
            knots_u > 1.0 - tail, 1.0 - tail - _END_SPREAD * (1.0 - knots_u), u
        )
        self.knots_s = special.ndtri(np.maximum.accumulate(u))
        with np.errstate(divide="ignore"):
            # Cells of spikes and of values this fit never saw are empty.
            width = np.diff(self.knots_s)
            self.log_slopes = np.log(width / np.diff(knots_x))
        self.cells = self.scored_cells = None
        if cells is not None:
            low, high, values = cells
            scored = _Cells(
                self.forward(low), self.forward(high), values, self.forward(values)
            )
            if scored.values.size:
                self.cells, self.scored_cells = _Cells(low, high, values), scored
        points = column.points
        if column.has_missing:
            points = points[1:]
        self.points_x = points
        self.points_s = self.forward(points)

    def forward(self, x):
        """Scores of values ``x`` (NaN stays NaN)."""
        # Values beyond the range are beyond every leaf: zero density.
        return np.interp(x, self.knots_x, self.knots_s, left=-np.inf, right=np.inf)

    def inverse(self, s):
        """Values of scores ``s``: a point's score gives the point exactly,
        and a score in a cell the cell's value."""
        x = np.interp(s, self.knots_s, self.knots_x)
        if self.scored_cells is not None:
            inside, k = self.scored_cells.find(s)
            x[inside] = self.scored_cells.values[k[inside]]
        index = _lookup(self.points_s, s)
        on_point = index >= 0
        x[on_point] = self.points_x[index[on_point]]
        return x

    def log_jacobian(self, x):
        """Log of what the density of a score gains in turning into that of
        the value ``x`` of the continuous part: the map's slope (nothing for
        a value of a cell, whose probability the model gives)."""
        segment = np.clip(
            np.searchsorted(self.knots_x, x, side="right") - 1,
            0,
            self.log_slopes.size - 1,
        )
        out = self.log_slopes[segment]
        if self.cells is not None:
            out[self.cells.find(x)[0]] = 0.0
        return out


def _smoothed_knots(support, counts):
    """Knots and cells of a smoothed discrete column (``support``: its
    values; ``counts``: the rows each stands for): each value the centre of
    a cell reaching halfway to its neighbours, the knots the cells' edges
    with the rows below them."""
    # The end values at the centres of their cells too: at the ends of the
    # axis, the rows of a top-coded value (an age of 52 on 6.0 % of
    # California's rows) sat far from the others, and the normals of the
    # leaves between sent 11.5 % of draws there.
    middle = 0.5 * (support[1:] + support[:-1])
    ends = 2 * support[[0, -1]] - middle[[0, -1]]
    knots_x = np.r_[ends[0], middle, ends[1]]
    knots_u = np.r_[0.0, np.cumsum(counts)] / counts.sum()
    return (knots_x, knots_u), (knots_x[:-1], knots_x[1:], support)


def _stands_out(values, counts, step):
    """Whether each value holds at least _HEAP_RATIO times the rows of an
    average point of the grid of ``step`` within _HEAP_WINDOW steps of it
    (itself left out): a heap of a coarser grid, not a value in a dense
    part of a column."""
    cumulative = np.r_[0, np.cumsum(counts)]
    width = _HEAP_WINDOW * step
    first = np.searchsorted(values, values - width * (1 + 1e-9), side="left")
    last = np.searchsorted(values, values + width * (1 + 1e-9), side="right")
    around = cumulative[last] - cumulative[first] - counts
    return counts >= _HEAP_RATIO * around / (2 * _HEAP_WINDOW)


def _heaped_knots(column, x):
    """Knots and cells of a many-valued column whose continuous part has
    heaps: values held by at least _COMMON_COUNT rows that stand out from
    the grid around them (see :func:`_stands_out`), but for the ends of the
    range (whose cells of scores would reach the ends of the axis), when
    they hold at least _HEAP_MIN_SHARE of the continuous part; else None.

    Each heap is the centre of a cell of half the smallest gap between the
    column's values either way, spanning its rows; the knots between the
    cells are those of the other values (see :func:`_knots`), with the rows
    of the heaps below added. Measurements recorded to a coarser grid than
    their decimals (computer activity's ``exec``, multiples of 0.2 on 87 %
    of its rows though it has two decimals) keep their values' shares
    instead of spreading them over the values in between.
    """
    observed = x[~np.isnan(x)]
    values, counts = np.unique(observed, return_counts=True)
    if values.size < 3:
        return None
    rest = column.point_index(values) < 0
    half = np.diff(values).min() / 2
    heap = rest & (counts >= _COMMON_COUNT) & _stands_out(values, counts, 2 * half)
    heap[[0, -1]] = False
    if counts[heap].sum() < _HEAP_MIN_SHARE * counts[rest].sum():
        return None
    centre, held = values[heap], counts[heap].astype(float)
    other = rest & ~heap
    sparse = np.repeat(values[other], counts[other])
    if sparse.size >= 2:
        sparse_x, sparse_u = _knots(sparse, column.low, column.high)
    else:
        sparse_x, sparse_u = np.array([column.low, column.high]), np.array([0.0, 1.0])
    low, high = centre - half, centre + half
    outside = np.searchsorted(high, sparse_x, side="left") == np.searchsorted(
        low, sparse_x, side="right"
    )
    sparse_x, sparse_u = sparse_x[outside], sparse_u[outside]
    below = np.r_[0.0, np.cumsum(held)]
    knots_x = np.r_[sparse_x, low, high]
    rows_below = np.r_[
        sparse.size * sparse_u + below[np.searchsorted(centre, sparse_x)],
        sparse.size * np.interp(low, sparse_x, sparse_u) + below[:-1],
        sparse.size * np.interp(high, sparse_x, sparse_u) + below[1:],
    ]
    knots_x, first = np.unique(knots_x, return_index=True)
    knots_u = rows_below[first] / (sparse.size + held.sum())
    return (knots_x, np.maximum.accumulate(knots_u)), (low, high, centre)


def _fills_grid(values, counts):
    """Whether the distinct ``values`` of a column (held by ``counts`` rows)
    fill their grid: at least _MIN_GRID_FILL of the multiples of their
    smallest gap between the values at the 5th and 95th percentiles of the
    rows are values. Measurements rounded to a grid fill it (carats, ages,
    coordinates); amounts of a few rows each do not (capital gains)."""
    share = np.cumsum(counts) / counts.sum()
    low, high = np.searchsorted(share, [_GRID_TAIL, 1.0 - _GRID_TAIL])
    high = min(high, values.size - 1)
    if high <= low:
        return False
    step = np.diff(values).min()
    n_grid = round((values[high] - values[low]) / step) + 1
    return high - low + 1 >= _MIN_GRID_FILL * n_grid


def _tied_to_numbers(values, columns):
    """Positions of the discrete numeric columns of at least _MIN_SMOOTHED
    values whose strongest tie is to a numeric column of more than
    MAX_DISCRETE_LEVELS values rather than to a category or a few-valued
    column.

    The ties are mutual information on coarse codes of a subsample (see
    ``_binned_codes``), less its bias ``(a - 1)(b - 1) / 2n`` for columns of
    ``a`` and ``b`` codes. Smoothed, such a column joins the leaves' copula
    of the numbers (see :func:`_forest_column`); as outcomes, its values
    join the groups of discrete columns instead (see :func:`_column_groups`).
    """
    candidates = [
        j
        for j, spec in enumerate(columns)
        if spec.is_numeric
        and spec.is_discrete
        and spec.support.values.size >= _MIN_SMOOTHED
    ]
    if not candidates:
        return set()
    codes = _binned_codes(values, columns, np.random.RandomState(0))
    n_codes = np.array([np.unique(c).size for c in codes.T])
    information = _mutual_information(codes)
    information -= np.outer(n_codes - 1, n_codes - 1) / (2 * codes.shape[0])
    np.fill_diagonal(information, -np.inf)
    numbers = np.array(
        [
            spec.is_numeric
            and not (
                spec.is_discrete and spec.support.values.size <= MAX_DISCRETE_LEVELS
            )
            for spec in columns
        ]
    )
    tied = set()
    for j in candidates:
        to_numbers = information[j, numbers].max(initial=-np.inf)
        if to_numbers > max(information[j, ~numbers].max(initial=-np.inf), 0.0):
            tied.add(j)
    return tied


def _forest_column(spec, column, x, tied_to_numbers=True):
    """The column as the forest models it (``column``: its points are all
    its outcomes), and its axis: a many-valued numeric column is modelled on
    the axis of its normal scores (see ``_Axis``), its spikes points of that
    axis. A discrete one of at least _MIN_SMOOTHED values is smoothed
    rather than modelled as that many outcomes, which the leaves drew
    independently of the other columns: one of more than
    MAX_DISCRETE_LEVELS values when they fill their grid or it is
    ``tied_to_numbers`` (see :func:`_tied_to_numbers`), its spikes points
    (diamonds' carat and its dimensions, California's longitude and
    latitude, computer activity's forks per second); one of fewer when it
    is ``tied_to_numbers``, its values held by fewer than _COMMON_COUNT rows
    points (concrete's age in days)."""
    knots = None
    if (
        spec.is_numeric
        and spec.is_discrete
        and spec.support.values.size >= _MIN_SMOOTHED
    ):
        observed = x[~np.isnan(x)]
        values, seen = np.unique(observed, return_counts=True)
        cell = _lookup(spec.support.values, values)
        spikes = None
        smoothed = values.size >= _MIN_SMOOTHED and (cell >= 0).all()
        few = values.size <= MAX_DISCRETE_LEVELS
        if smoothed and not few and (tied_to_numbers or _fills_grid(values, seen)):
            share = seen / observed.size
            spikes = is_spike(share)
            # A value heaped at an end of the range (a top code: ages of 52
            # and over recorded as 52) is a point too: the end cell of its
            # scores reaches the end of the axis, and the leaves' normals
            # sent 8.0 % of California's draws to an age of 52 held by 6.0 %.
            spikes[[0, -1]] |= share[[0, -1]] >= _CENSORED_RATIO / values.size
        elif smoothed and few and tied_to_numbers:
            # A value held by fewer than _COMMON_COUNT rows (concrete's age
            # of one day, in one row) stays an outcome, stored with a leaf
            # only where 3 of its rows hold it, like a rare category.
            spikes = seen < _COMMON_COUNT
            if spikes.all():
                spikes = None
        if spikes is not None:
            column = _Column(spec, x, points=values[spikes])
            support = spec.support.values
            counts = np.zeros(support.size)
            counts[cell] = np.where(spikes, _SPIKE_CELL * observed.size, seen)
            knots = _smoothed_knots(support, counts)
    if not column.has_continuous:
        return column, None
    if knots is None and spec.is_numeric:
        knots = _heaped_knots(column, x)
    axis = _Axis(column, *(knots or ()))
    # On the axis of scores, the holes of the values are narrow already.
    scored = _Column(spec, axis.forward(x), points=axis.points_s, holes=False)
    scored.cells = axis.scored_cells
    if scored.cells is not None:
        _cells_distribution(scored, axis)
    return scored, axis


def _cells_distribution(scored, axis):
    """Give the continuous part of a column with cells, on its axis of
    scores, the axis's own distribution: each cell its rows' share, over
    the whole axis (the end cells' outer halves included)."""
    u = special.ndtr(axis.knots_s)
    u = (u - u[0]) / (u[-1] - u[0])
    keep = np.r_[True, np.diff(axis.knots_s) > 0]
    scored.knots_x, scored.knots_u = axis.knots_s[keep], u[keep]
    scored.slopes = np.diff(scored.knots_u) / np.diff(scored.knots_x)
    scored.low, scored.high = float(scored.knots_x[0]), float(scored.knots_x[-1])


class _Link:
    """A column ``b`` that is a one-to-one function of another, ``a`` (a code
    and its label), in the training rows: not modelled by the forest, but as
    ``p(b | a) = (1 - e) [b = g(a)] + e p(b)``, with ``e = 1 / (n + 1)`` so
    that rows breaking the link keep a finite score. Independence inside the
    leaves would otherwise pair codes and labels at random."""

    def __init__(self, column, parent, a, b, a_index, b_index, n_rows):
        self.column, self.parent = column, parent
        self.a, self.b = a, b
        self.to_b = np.full(a.n_points, -1)
        self.to_b[a_index] = b_index
        self.to_a = np.full(b.n_points, -1)
        self.to_a[b_index] = a_index
        self.share = 1.0 / (n_rows + 1)
        self.b_cumulative = np.cumsum(b.shares) / b.shares.sum()

    def _index(self, column, x):
        return column.point_index(column.feature(x))

    def log_share(self, x_b):
        index = self._index(self.b, x_b)
        with np.errstate(divide="ignore"):
            return np.where(index >= 0, np.log(self.b.shares[index]), -np.inf)

    def log_conditional(self, x_a, x_b):
        """``log p(b | a)``."""
        a, b = self._index(self.a, x_a), self._index(self.b, x_b)
        match = (a >= 0) & (b >= 0) & (self.to_b[a] == b)
        share = np.where(b >= 0, self.b.shares[b], 0.0)
        with np.errstate(divide="ignore"):
            return np.log((1 - self.share) * match + self.share * share)

    def draw(self, x_a, rng):
        """``b`` given drawn values of ``a``."""
        b = self.to_b[self._index(self.a, x_a)]
        other = rng.random_sample(x_a.size) < self.share
        b[other] = np.searchsorted(
            self.b_cumulative, rng.random_sample(int(other.sum())), side="right"
        )
        b = np.minimum(b, self.b.n_points - 1)
        return self.b.decode_points(self.b.points[b])

    def inverse_all(self, x_b):
        """The value of ``a`` each value of ``b`` maps back to, and whether
        there is one."""
        b = self._index(self.b, x_b)
        a = np.where(b >= 0, self.to_a[b], -1)
        found = a >= 0
        values = self.a.decode_points(self.a.points[np.maximum(a, 0)])
        return np.where(found, values, np.nan), found

    def inverse(self, value):
        values, found = self.inverse_all(np.full(1, value))
        return values[0] if found[0] else None


def _find_links(columns, values):
    """Pairs of discrete columns in one-to-one correspondence in the training
    rows, with at least two outcomes held by _COMMON_COUNT rows or more; a
    column takes part in one pair at most.

    The link maps every outcome, the rare ones too (held by fewer than
    _COMMON_COUNT rows, such as the one "Preschool" row among Adult's
    incomes above 50K): dropping the link for them left both columns to the
    forest, which gave a code another level's label on 15 % of the rows a
    forest over-sampled. The mapping singles out no row: the parent's rare
    outcomes follow the rule of every column (kept with a leaf only when 3
    of its rows hold them, else drawn at their overall rate inside the
    leaf's bounds), and the linked column, a relabelling of the parent,
    adds nothing a row holds beyond the parent's value. Common outcomes are
    required so that the correspondence is seen on many rows, not met by
    chance between columns of values held by a row or two each (names and
    phone numbers), whose pairs would copy rows.
    """
    codes, sizes = {}, {}
    for j, column in enumerate(columns):
        if column.has_continuous or not 2 <= column.n_points <= _MAX_LINK_OUTCOMES:
            continue
        index = column.point_index(column.feature(values[:, j]))
        counts = np.bincount(index[index >= 0], minlength=column.n_points)
        seen = counts[counts > 0]
        if (index < 0).any() or (seen >= _COMMON_COUNT).sum() < 2:
            continue
        codes[j], sizes[j] = index, seen.size
    links, used = [], set()
    probe = slice(0, _LINK_PROBE_ROWS)
    for a in codes:
        for b in codes:
            if b <= a or sizes[a] != sizes[b] or {a, b} & used:
                continue
            width = columns[b].n_points
            if np.unique(codes[a][probe] * width + codes[b][probe]).size > sizes[a]:
                continue
            pairs = np.unique(codes[a] * width + codes[b])
            if pairs.size == sizes[a]:
                links.append(
                    _Link(
                        b,
                        a,
                        columns[a],
                        columns[b],
                        pairs // width,
                        pairs % width,
                        values.shape[0],
                    )
                )
                used |= {a, b}
    return links


@dataclass(eq=False)
class _Tree(TreeArrays):
    """The arrays of one fitted tree, density splits included, and the
    model's index of each of its leaves (-1: no training row)."""

    leaf_index: np.ndarray

    def pairs(self, features, free):
        """Each row with every leaf it can reach: the leaf it falls in, or,
        where ``free`` marks a column as marginalised out, every leaf on both
        sides of splits on it. Returns (rows, model leaf indices)."""
        rows = np.arange(features.shape[0])
        node = np.zeros(rows.size, dtype=np.int64)
        found_rows, found_nodes = [], []
        while rows.size:
            leaf = self.children_left[node] == -1
            found_rows.append(rows[leaf])
            found_nodes.append(node[leaf])
            rows, node = rows[~leaf], node[~leaf]
            column = self.feature[node]
            goes_left = features[rows, column] <= self.threshold[node]
            both = free[rows, column]
            left, right = self.children_left, self.children_right
            step = np.where(goes_left, left[node], right[node])
            rows = np.r_[rows[~both], rows[both], rows[both]]
            node = np.r_[step[~both], left[node[both]], right[node[both]]]
        rows = np.concatenate(found_rows)
        leaves = self.leaf_index[np.concatenate(found_nodes)]
        covered = leaves >= 0
        return rows[covered], leaves[covered]


@dataclass(eq=False)
class _LeafColumn:
    """What the leaves say of one column: outcome counts (common outcomes,
    and rare ones held by at least _MIN_COUNT rows of a leaf), the continuous
    part's normal, and the overall masses inside each leaf's bounds."""

    keys: np.ndarray  # leaf * (n_points + 1) + outcome, sorted; continuous last
    counts: np.ndarray
    cumulative: np.ndarray  # of counts, to draw an entry
    start: np.ndarray  # cumulative count before each leaf's entries
    kept: np.ndarray  # rows of each leaf whose outcome is stored
    mean: np.ndarray | None
    sd: np.ndarray | None
    point_mass: np.ndarray  # overall masses inside each leaf's bounds
    continuous_mass: np.ndarray
    normal: np.ndarray | None  # leaves whose continuous part is a normal
    rows: np.ndarray  # rows of each leaf the counts come from


@dataclass(eq=False)
class _Group:
    """Discrete columns drawn together inside a leaf: the combinations of
    their outcomes held by at least _MIN_COUNT of a leaf's rows, counted,
    and for the leaf's other rows the columns' own distributions (their
    ``leaf_columns``, counted over those rows only), without the
    combinations the data rule out (see _RARE_REST)."""

    members: np.ndarray  # indices into the model's columns
    outcomes: np.ndarray  # (n_leaves + 1, n_slots, n_members) point indices
    counts: np.ndarray  # (n_leaves + 1, n_slots), 0 for an empty slot
    rest: np.ndarray  # rows of each leaf outside the stored combinations
    # (n_excluded, n_members) point indices of the combinations the data
    # rule out (see _exclude_combinations), or None: the rest of a leaf is
    # then drawn from the members' own distributions alone.
    excluded: np.ndarray | None = None
    excluded_keys: np.ndarray | None = None  # their mixed-radix keys, sorted
    widths: np.ndarray | None = None  # the radix of each member

    def _key(self, indices):
        """Mixed-radix key of each row of member outcomes; -1 for a row with
        an outcome the data never show (no such combination is excluded)."""
        key = np.zeros(indices.shape[0], dtype=np.int64)
        for m in range(indices.shape[1]):
            key = key * self.widths[m] + indices[:, m]
        unseen = ((indices < 0) | (indices >= self.widths)).any(axis=1)
        return np.where(unseen, -1, key)

    def _excluded_shares(self, model, leaves):
        """Probability of each excluded combination in each leaf ``leaves``
        under the members' own distributions, shape (leaves.size,
        n_excluded)."""
        unique, inverse = np.unique(leaves, return_inverse=True)
        shares = np.ones((unique.size, self.excluded.shape[0]))
        for m in range(len(self.members)):
            log_p = self._outcome_log_probabilities(model, m, unique)
            shares *= np.exp(log_p)[:, self.excluded[:, m]]
        return shares[inverse.ravel()]

    def _outcome_log_probabilities(self, model, m, leaves):
        """Log probability of every outcome of member ``m`` in each leaf
        ``leaves`` under its own distribution, shape (leaves.size, n_points)."""
        j = self.members[m]
        column = model.columns[j]
        points = column.decode_points(column.points)
        log_p = model.log_probability(
            j, np.repeat(leaves, points.size), np.tile(points, leaves.size)
        )
        return log_p.reshape(leaves.size, points.size)

    def _rest_masses(self, model, leaves, indices, given, log_independent):
        """What the rest of the leaves ``leaves`` gives the outcomes
        ``indices`` of the members ``given`` (a mask per row): their
        probability under the members' own distributions, and under those
        distributions with the excluded combinations left out (renormalised;
        NaN in a leaf that barely holds anything else)."""
        independent = np.exp(log_independent)
        total, matched = np.empty(leaves.size), np.empty(leaves.size)
        step = max(_PAIR_BLOCK // self.excluded.shape[0], 1)
        for start in range(0, leaves.size, step):
            block = slice(start, start + step)
            shares = self._excluded_shares(model, leaves[block])
            total[block] = shares.sum(axis=1)
            match = np.ones(shares.shape, dtype=bool)
            for m in range(len(self.members)):
                match &= ~given[block, m, None] | (
                    self.excluded[None, :, m] == indices[block, m, None]
                )
            matched[block] = np.sum(shares * match, axis=1)
        allowed = np.maximum(independent - matched, 0.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            restricted = np.where(
                total <= 1 - _MIN_ALLOWED, allowed / (1 - total), np.nan
            )
        return independent, restricted

    def _log_rest(self, model, indices, given, leaves, log_independent):
        """Log probability of the rest of the leaves ``leaves`` at the
        members' outcomes ``indices`` (only the ``given`` ones count), given
        their log probability ``log_independent`` under the members' own
        distributions: a share _RARE_REST of it, and the rest without the
        excluded combinations."""
        if self.excluded is None:
            return log_independent
        masses = self._rest_masses(model, leaves, indices, given, log_independent)
        return _mixed_log_rest(*masses, log_independent)

    def _draw_rest(self, model, values, rows, leaves, indices, given, masses, rng):
        """Redraw the members of the rows ``rows`` (in the rest of the
        leaves ``leaves``) that fell on an excluded combination, but for a
        share of them (see _RARE_REST); members ``given`` keep their
        outcomes ``indices``, whose :meth:`_rest_masses` are ``masses``."""
        if not rows.size:
            return
        independent, restricted = masses
        # The rows of the restricted part, by its share of the rest.
        with np.errstate(divide="ignore", invalid="ignore"):
            part = (1 - _RARE_REST) * restricted
            chance = part / (part + _RARE_REST * independent)
        keep = ~np.isnan(restricted)
        keep &= rng.random_sample(rows.size) < np.where(keep, chance, 0.0)
        pending = np.flatnonzero(keep)
        free = [m for m in range(len(self.members)) if not given[m]]
        codes = indices.copy()
        for _ in range(_MAX_REDRAWS):
            # Rejection: the members' own draws until their combination is
            # not excluded.
            for m in free:
                j = self.members[m]
                x = values[rows[pending], j]
                codes[pending, m] = _group_code(model, j, leaves[pending], x)[0]
            hit = np.isin(self._key(codes[pending]), self.excluded_keys)
            pending = pending[hit]
            if not pending.size:
                return
            for m in free:
                j = self.members[m]
                values[rows[pending], j] = model.draw(j, leaves[pending], rng)
        # Rows whose conditions leave few combinations: drawn from all the
        # combinations of their free members, the excluded ones left out.
        self._draw_enumerated(
            model, values, rows[pending], leaves[pending], codes[pending], free, rng
        )

    def _draw_enumerated(self, model, values, rows, leaves, codes, free, rng):
        """Draw the ``free`` members of the rows ``rows`` from every
        combination of their outcomes, the excluded ones left out (the other
        members keep their outcomes ``codes``)."""
        grid = _product_grid([model.columns[self.members[m]].n_points for m in free])
        step = max(_PAIR_BLOCK // grid.shape[0], 1)
        for start in range(0, rows.size, step):
            block = slice(start, start + step)
            leaf, n = leaves[block], leaves[block].size
            log_p = np.zeros((n, grid.shape[0]))
            full = np.repeat(codes[block, None, :], grid.shape[0], axis=1)
            for i, m in enumerate(free):
                log_m = self._outcome_log_probabilities(model, m, leaf)
                log_p += log_m[:, grid[:, i]]
                full[:, :, m] = grid[None, :, i]
            excluded = np.isin(
                self._key(full.reshape(-1, len(self.members))), self.excluded_keys
            ).reshape(n, grid.shape[0])
            weight = np.where(excluded, 0.0, np.exp(log_p))
            cumulative = np.cumsum(weight, axis=1)
            u = rng.random_sample(n) * cumulative[:, -1]
            pick = np.minimum(
                np.sum(cumulative <= u[:, None], axis=1), grid.shape[0] - 1
            )
            for i, m in enumerate(free):
                j = self.members[m]
                column = model.columns[j]
                values[rows[block], j] = column.decode_points(
                    column.points[grid[pick, i]]
                )

    def log_density(self, model, values, rows, leaves, use, log_independent):
        """Log probability of the used members' values of the rows ``rows``
        in the leaves ``leaves``, given the log probability of the same
        values under the members' own distributions."""
        match = np.ones(self.counts[leaves].shape, dtype=bool)
        log_continuous = np.zeros(rows.size)
        indices = np.empty((rows.size, len(self.members)), dtype=np.int64)
        for m, j in enumerate(self.members):
            x = values[rows, j]
            index, continuous = _group_code(model, j, leaves, x)
            indices[:, m] = index
            match &= ~use[rows, j, None] | (
                self.outcomes[leaves, :, m] == index[:, None]
            )
            # A stored combination gives a continuous value the density of
            # the leaf's normal.
            on = np.flatnonzero(continuous & use[rows, j])
            if on.size:
                log_continuous[on] += model.log_normal(j, leaves[on], x[on])
        joint = np.sum(self.counts[leaves] * match, axis=1)
        log_rest = self._log_rest(
            model, indices, use[rows][:, self.members], leaves, log_independent
        )
        with np.errstate(divide="ignore"):
            log_joint = np.logaddexp(
                np.where(joint > 0, np.log(joint) + log_continuous, -np.inf),
                np.log(self.rest[leaves] + _PRIOR_WEIGHT) + log_rest,
            )
        return log_joint - np.log(model.n_rows[leaves] + _PRIOR_WEIGHT)

    def draw(self, model, values, leaves, rng, conditions, scores):
        """Replace the members' independent draws ``values`` (columns in
        model order) by a stored combination where the leaf picks one, and
        elsewhere those that fall on a combination the data rule out (see
        :meth:`_draw_rest`); conditioned members (``conditions``: index ->
        value) must match. Continuous values are drawn from the leaf's
        normal at the normal scores ``scores`` (index -> scores) when given."""
        weight = self.counts[leaves].copy()
        log_independent = np.zeros(leaves.size)
        given = np.array([j in conditions for j in self.members])
        indices = np.full((leaves.size, len(self.members)), -1, dtype=np.int64)
        for m, j in enumerate(self.members):
            if j in conditions:
                x = np.full(leaves.size, conditions[j])
                index, continuous = _group_code(model, j, leaves, x)
                indices[:, m] = index
                weight *= self.outcomes[leaves, :, m] == index[:, None]
                log_independent += model.log_probability(j, leaves, x)
                on = np.flatnonzero(continuous)
                if on.size:
                    weight[on] *= np.exp(model.log_normal(j, leaves[on], x[on]))[
                        :, None
                    ]
        given_rows = np.broadcast_to(given, indices.shape)
        log_rest = np.log(self.rest[leaves] + _PRIOR_WEIGHT)
        masses = None
        if given.any() and self.excluded is not None:
            # Once for all the rows: the rest's weight needs them, and the
            # rows drawn from it below.
            masses = self._rest_masses(
                model, leaves, indices, given_rows, log_independent
            )
            log_rest += _mixed_log_rest(*masses, log_independent)
        elif given.any():
            log_rest += log_independent
        cumulative = np.cumsum(np.c_[weight, np.exp(log_rest)], axis=1)
        u = rng.random_sample(leaves.size) * cumulative[:, -1]
        slot = np.sum(cumulative <= u[:, None], axis=1)
        if self.excluded is not None:
            rest = np.flatnonzero(slot == weight.shape[1])
            if masses is None:
                masses = self._rest_masses(
                    model,
                    leaves[rest],
                    indices[rest],
                    given_rows[rest],
                    log_independent[rest],
                )
            else:
                masses = tuple(mass[rest] for mass in masses)
            self._draw_rest(
                model, values, rest, leaves[rest], indices[rest], given, masses, rng
            )
        rows = np.flatnonzero(slot < weight.shape[1])
        for m, j in enumerate(self.members):
            if j not in conditions and rows.size:
                column = model.columns[j]
                index = self.outcomes[leaves[rows], slot[rows], m]
                on_point = index < column.n_points
                values[rows[on_point], j] = column.decode_points(
                    column.points[index[on_point]]
                )
                rest = rows[~on_point]
                if rest.size:
                    z = scores.get(j)
                    z = rng.standard_normal(rest.size) if z is None else z[rest]
                    values[rest, j] = model.normal_quantile(j, leaves[rest], z)
        return values


@dataclass(eq=False)
class _ForestModel:
    columns: list  # _Column of each column the forest models
    trees: list
    low: np.ndarray  # (n_leaves + 1, n_columns) float32 bounds, open below
    high: np.ndarray
    n_rows: np.ndarray  # training rows of each leaf
    log_weight: np.ndarray
    leaf_columns: list
    oob_accuracy: list

    all_columns: list = None  # _Column of every column, linked ones too
    kept: np.ndarray = None  # the columns the forest models
    links: list = None  # the other columns, each a function of one kept
    # The Gaussian copula of each leaf: its columns with a continuous part
    # (indices into ``columns``), their correlation and its Cholesky factor.
    continuous: np.ndarray = None
    correlation: np.ndarray = None
    cholesky: np.ndarray = None
    groups: list = None  # _Group of discrete columns drawn together
    axes: list = None  # _Axis of each column the forest models, or None
    support: PairSupport = None  # the support of pairs its draws keep to

    def __getstate__(self):
        state = self.__dict__.copy()
        state.pop("_ranges", None)  # a cache, rebuilt when needed
        return state

    def continuous_range(self, j, leaf):
        """The bounds ``[a, b]`` of column ``j``'s continuous part in the
        leaves ``leaf`` (see :meth:`_Column._continuous_range`), computed
        once for all the leaves."""
        ranges = self.__dict__.setdefault("_ranges", {})
        if j not in ranges:
            ranges[j] = self.columns[j]._continuous_range(
                self.low[:, j], self.high[:, j]
            )
        a, b = ranges[j]
        return a[leaf], b[leaf]

    def describe(self, names):
        """The fitted attributes of ForestSynthesizer that describe this
        forest, ``{attribute: value}``; ``names``: the modelled columns'."""
        pairs = [] if self.support is None else self.support.pairs
        return {
            "oob_accuracy_": [float(a) for a in self.oob_accuracy],
            "n_rounds_": len(self.oob_accuracy) - 1,
            "n_leaves_": int(self.n_leaves),
            "linked_features_": {
                names[link.column]: names[link.parent] for link in self.links
            },
            "grouped_features_": [
                [names[self.kept[j]] for j in group.members] for group in self.groups
            ],
            "support_features_": [[names[j] for j in pair] for pair in pairs],
        }

    def log_terms(self, values, rows, leaves, use):
        """Log density of the used columns (``use``) of the rows ``rows`` in
        the leaves ``leaves``."""
        total = np.zeros(rows.size)
        grouped = {j: g for g, group in enumerate(self.groups) for j in group.members}
        independent = np.zeros((len(self.groups), rows.size))
        for j in range(values.shape[1]):
            used = use[rows, j]
            if used.any():
                log_p = self.log_probability(j, leaves[used], values[rows[used], j])
                if j in grouped:
                    independent[grouped[j], used] += log_p
                else:
                    total[used] += log_p
        for group, log_independent in zip(self.groups, independent, strict=True):
            total += group.log_density(self, values, rows, leaves, use, log_independent)
        if self.coupled:
            z, present = self.scores(values, rows, leaves, use)
            total += self.copula_log_density(z, present, leaves)
        return total

    @property
    def coupled(self):
        return self.continuous is not None and self.continuous.size >= 2

    @property
    def margins(self):
        return [column.margin for column in self.all_columns]

    @property
    def n_leaves(self):
        return self.n_rows.size - 1

    def on_axes(self, values, free):
        """``values`` (of the columns the forest models) on the trees' axes,
        and the log Jacobian of each row: what the densities of the used
        (not ``free``) values of continuous parts gain in going back."""
        scores = values.copy()
        log_jacobian = np.zeros(values.shape[0])
        for j, axis in enumerate(self.axes):
            if axis is None:
                continue
            x = values[:, j]
            column = self.columns[j]
            scores[:, j] = s = axis.forward(x)
            with np.errstate(invalid="ignore"):
                rest = (
                    ~free[:, j]
                    & (column.point_index(column.feature(s)) < 0)
                    & (x >= axis.knots_x[0])
                    & (x <= axis.knots_x[-1])
                )
            log_jacobian[rest] += axis.log_jacobian(x[rest])
        return scores, log_jacobian

    def features(self, values):
        return np.column_stack(
            [c.feature(values[:, j]) for j, c in enumerate(self.columns)]
        ).astype(np.float32)

    def log_normal(self, j, leaf, x):
        """Log density of the leaves' truncated normals of column ``j``."""
        column, stats = self.columns[j], self.leaf_columns[j]
        a, b = self.continuous_range(j, leaf)
        mean, sd = stats.mean[leaf], stats.sd[leaf]
        with np.errstate(invalid="ignore", divide="ignore"):
            log_pdf = _truncnorm_logpdf(x, mean, sd, a, b)
            if column.cells is not None:
                inside, low, high = column.cell_within(x, a, b)
                k = np.flatnonzero(inside)
                m, s = mean[k], sd[k]
                log_pdf[k] = np.where(
                    high[k] > low[k],
                    _log_normal_mass((low[k] - m) / s, (high[k] - m) / s)
                    - _log_normal_mass((a[k] - m) / s, (b[k] - m) / s),
                    -np.inf,
                )
        return np.where(stats.normal[leaf], log_pdf, -np.inf)

    def normal_quantile(self, j, leaf, z):
        """Values of the leaves' truncated normals of column ``j`` at the
        normal scores ``z``."""
        stats = self.leaf_columns[j]
        a, b = self.continuous_range(j, leaf)
        return _truncnorm_quantile(stats.mean[leaf], stats.sd[leaf], a, b, z)

    def scores(self, values, rows, leaves, use):
        """Normal scores of the values of the rows ``rows`` in the leaves
        ``leaves``, one column per continuous column, and where they are
        coupled: values of the continuous part, used (``use``), inside the
        bounds of a leaf with a normal for the column. Zero elsewhere."""
        z = np.zeros((rows.size, self.continuous.size))
        present = np.zeros(z.shape, dtype=bool)
        for c, j in enumerate(self.continuous):
            column, stats = self.columns[j], self.leaf_columns[j]
            x = values[rows, j]
            with np.errstate(invalid="ignore"):
                candidate = (
                    use[rows, j]
                    & stats.normal[leaves]
                    & (x >= column.low)
                    & (x <= column.high)
                )
            index = np.flatnonzero(candidate)
            index = index[column.point_index(column.feature(x[index])) < 0]
            lr = leaves[index]
            a, b = self.continuous_range(j, lr)
            inside = (x[index] >= a) & (x[index] <= b)
            index, lr, a, b = index[inside], lr[inside], a[inside], b[inside]
            z[index, c] = _truncnorm_score(x[index], stats.mean[lr], stats.sd[lr], a, b)
            present[index, c] = True
        return z, present

    def copula_log_density(self, z, present, leaves):
        """Log density of the copula of each leaf ``leaves`` at the normal
        scores ``z``, over the columns ``present`` (the marginal copula of a
        subset is the normal of the sub-matrix of its correlation)."""
        out = np.zeros(leaves.size)
        if not self.coupled:
            return out
        n_continuous = self.continuous.size
        index = np.flatnonzero(present.sum(axis=1) >= 2)
        step = max(_PAIR_BLOCK // n_continuous**2, 1)
        for start in range(0, index.size, step):
            rows = index[start : start + step]
            matrix = _masked(self.correlation[leaves[rows]], present[rows])
            _, log_det = np.linalg.slogdet(matrix)
            scores = z[rows]
            solved = np.linalg.solve(matrix, scores[..., None])[..., 0]
            quadratic = np.einsum("ij,ij->i", scores, solved - scores)
            out[rows] = -0.5 * (log_det + quadratic)
        return out

    def draw_scores(self, leaves, rng, given=None, given_present=None):
        """Normal scores of rows drawn from the copulas of the leaves
        ``leaves``; given the scores ``given`` of conditioned columns in each
        leaf of the model (where ``given_present``), from the conditional
        normal."""
        unique, inverse = np.unique(leaves, return_inverse=True)
        if given is None or not given_present.any():
            mean = np.zeros((unique.size, self.continuous.size))
            factor = self.cholesky[unique]
        else:
            mean, factor = _conditional_normal(
                self.correlation[unique], given[unique], given_present[unique]
            )
        noise = rng.standard_normal((leaves.size, self.continuous.size))
        z = np.empty_like(noise)
        step = max(_PAIR_BLOCK // self.continuous.size**2, 1)
        for start in range(0, leaves.size, step):
            block = slice(start, start + step)
            k = inverse[block]
            z[block] = mean[k] + np.einsum("nij,nj->ni", factor[k], noise[block])
        return z

    def log_probability(self, j, leaf, x):
        """Log probability (outcomes) or log density (continuous part) of the
        values ``x`` of column ``j`` in the leaves ``leaf``."""
        column, stats = self.columns[j], self.leaf_columns[j]
        feature = column.feature(x)
        inside = (self.low[leaf, j] < feature.astype(np.float32)) & (
            feature.astype(np.float32) <= self.high[leaf, j]
        )
        n_outcomes = column.n_points + 1
        index = column.point_index(feature)
        on_point = index >= 0
        outcome = np.where(on_point, index, column.n_points)
        own = _count(stats, leaf.astype(np.int64) * n_outcomes + outcome)
        prior_mass = stats.point_mass[leaf] + stats.continuous_mass[leaf]
        pseudo = _PRIOR_WEIGHT + stats.rows[leaf] - stats.kept[leaf]
        prior = np.zeros(x.size)
        prior[on_point] = column.shares[index[on_point]]
        if column.has_continuous:
            rest = ~on_point & (x >= column.low) & (x <= column.high)
            density = np.exp(column._log_pdf(x[rest]))
            if column.cells is not None:
                # The overall mass of a value's cell inside the bounds.
                a, b = self.continuous_range(j, leaf[rest])
                in_cell, low, high = column.cell_within(x[rest], a, b)
                density[in_cell] = np.maximum(
                    column._cdf(high[in_cell]) - column._cdf(low[in_cell]), 0.0
                )
            prior[rest] = column.continuous_share * density
            own = own.astype(float)
            # In a leaf with a normal, the pseudo-rows' share of the
            # continuous part follows the normal too: one distribution per
            # leaf, which the copula of the leaf couples to the others.
            normal = np.flatnonzero(rest & stats.normal[leaf])
            if normal.size:
                lr = leaf[normal]
                a, b = self.continuous_range(j, lr)
                with np.errstate(invalid="ignore", divide="ignore"):
                    share = np.where(
                        prior_mass[normal] > 0,
                        stats.continuous_mass[lr] / prior_mass[normal],
                        0.0,
                    )
                own[normal] = (own[normal] + pseudo[normal] * share) * np.exp(
                    self.log_normal(j, lr, x[normal])
                )
                prior[normal] = 0.0
            own[~on_point & ~rest] = 0.0
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where(prior_mass > 0, prior / prior_mass, 0.0)
            log_p = np.log(own + pseudo * share) - np.log(
                stats.rows[leaf] + _PRIOR_WEIGHT
            )
        return np.where(inside, log_p, -np.inf)

    def draw(self, j, leaf, rng, score=None):
        """Values of column ``j`` from the leaves ``leaf``; the continuous
        draws from a normal are its quantiles at the normal scores ``score``
        (independent draws when None)."""
        column, stats = self.columns[j], self.leaf_columns[j]
        total = stats.rows[leaf] + _PRIOR_WEIGHT
        u = rng.random_sample(leaf.size) * total
        own = u < stats.kept[leaf]
        values = np.empty(leaf.size)
        prior = np.flatnonzero(~own)
        values[prior] = column.draw_prior(
            self.low[leaf[prior], j], self.high[leaf[prior], j], rng
        )
        continuous = np.zeros(leaf.size, dtype=bool)
        if column.has_continuous:
            continuous[prior] = column.point_index(column.feature(values[prior])) < 0
        rows = np.flatnonzero(own)
        if rows.size:
            entry = np.searchsorted(
                stats.cumulative, stats.start[leaf[rows]] + u[rows], side="right"
            )
            entry = np.minimum(entry, stats.keys.size - 1)
            outcome = stats.keys[entry] % (column.n_points + 1)
            on_point = outcome < column.n_points
            points = rows[on_point]
            values[points] = column.decode_points(column.points[outcome[on_point]])
            continuous[rows[~on_point]] = True
        if column.has_continuous:
            rest = np.flatnonzero(continuous & stats.normal[leaf])
            if rest.size:
                lr = leaf[rest]
                a, b = self.continuous_range(j, lr)
                z = rng.standard_normal(rest.size) if score is None else score[rest]
                values[rest] = _truncnorm_quantile(
                    stats.mean[lr], stats.sd[lr], a, b, z
                )
        return values


def _mixed_log_rest(independent, restricted, log_independent):
    """Log probability of a group's rest (see _RARE_REST) from the masses
    of :meth:`_Group._rest_masses`."""
    mixed = (1 - _RARE_REST) * restricted + _RARE_REST * independent
    with np.errstate(divide="ignore"):
        return np.where(np.isnan(restricted), log_independent, np.log(mixed))


def _product_grid(sizes):
    """Every combination of outcomes of columns of ``sizes`` outcomes, one
    per row (the last column varying fastest)."""
    n = int(np.prod(sizes))
    return np.stack(np.unravel_index(np.arange(n), tuple(sizes)), axis=1).reshape(
        n, len(sizes)
    )


def _group_code(model, j, leaves, x):
    """Outcome code of the values ``x`` of column ``j`` in a group (a point,
    or n_points for the continuous part; -1 for a value the leaves never
    hold), and whether each is in the continuous part."""
    column = model.columns[j]
    index = column.point_index(column.feature(x))
    if not column.has_continuous:
        return index, np.zeros(x.size, dtype=bool)
    with np.errstate(invalid="ignore"):
        continuous = (index < 0) & (x >= column.low) & (x <= column.high)
    return np.where(continuous, column.n_points, index), continuous


def _masked(correlation, present):
    """The correlation matrices over the columns ``present``, the identity
    on the others: their determinants and inverses are those of the
    sub-matrices."""
    on = present.astype(float)
    return correlation * on[:, :, None] * on[:, None, :] + np.eye(present.shape[1]) * (
        1.0 - on[:, None, :]
    )


def _conditional_normal(correlation, given, present):
    """Mean and Cholesky factor of standard normals of correlations
    ``correlation`` given the values ``given`` of the columns ``present``
    (drawn around those values with unit variance, to be ignored)."""
    on = present.astype(float)
    inverse = np.linalg.inv(_masked(correlation, present))
    gain = correlation @ (inverse * on[:, :, None] * on[:, None, :])
    mean = np.einsum("uij,uj->ui", gain, np.where(present, given, 0.0))
    covariance = correlation - gain @ correlation
    covariance = 0.5 * (covariance + covariance.transpose(0, 2, 1))
    covariance = covariance * (1 - on[:, :, None]) * (1 - on[:, None, :])
    covariance += np.eye(present.shape[1]) * on[:, None, :]
    covariance += np.eye(present.shape[1]) * 1e-12
    return mean, np.linalg.cholesky(covariance)


def _count(stats, keys):
    """Stored count of each (leaf, outcome) key, 0 where there is none."""
    if stats.keys.size == 0:
        return np.zeros(keys.size)
    index = np.minimum(np.searchsorted(stats.keys, keys), stats.keys.size - 1)
    return np.where(stats.keys[index] == keys, stats.counts[index], 0.0)


def _truncnorm_logpdf(x, mean, sd, a, b):
    alpha, beta, z = (a - mean) / sd, (b - mean) / sd, (x - mean) / sd
    log_mass = _log_normal_mass(alpha, beta)
    out = -0.5 * z**2 - _LOG_SQRT_2PI - np.log(sd) - log_mass
    return np.where((x >= a) & (x <= b), out, -np.inf)


def _log_normal_mass(alpha, beta):
    """``log(Phi(beta) - Phi(alpha))``, accurate in either tail."""
    # By symmetry, work where the interval is not far in the upper tail.
    flip = alpha > 0
    lo = np.where(flip, -beta, alpha)
    hi = np.where(flip, -alpha, beta)
    log_hi, log_lo = special.log_ndtr(hi), special.log_ndtr(lo)
    with np.errstate(divide="ignore"):
        return log_hi + np.log(-np.expm1(np.minimum(log_lo - log_hi, -1e-300)))


def _flipped(mean, sd, a, b):
    """Standardised bounds of a truncated normal, mirrored when the interval
    lies above the mean, so that its tail probabilities are accurate."""
    alpha, beta = (a - mean) / sd, (b - mean) / sd
    flip = alpha > 0
    lo = np.where(flip, -beta, alpha)
    hi = np.where(flip, -alpha, beta)
    return alpha, beta, flip, lo, hi


def _truncnorm_quantile(mean, sd, a, b, score):
    """The value of the normal truncated to ``[a, b]`` whose CDF is that of
    the standard normal at ``score``: standard normal scores give its draws,
    scores of a copula dependent ones."""
    alpha, beta, flip, lo, hi = _flipped(mean, sd, a, b)
    p_lo, p_hi = special.ndtr(lo), special.ndtr(hi)
    u = p_lo + special.ndtr(np.where(flip, -score, score)) * (p_hi - p_lo)
    z = special.ndtri(np.clip(u, 1e-300, 1.0))
    z = np.clip(np.where(flip, -z, z), alpha, beta)
    return np.clip(mean + sd * z, a, b)


def _truncnorm_score(x, mean, sd, a, b):
    """Normal score ``Phi^-1(F(x))`` of ``x`` under the normal truncated to
    ``[a, b]``, clipped to ``+-_MAX_SCORE``; the inverse of
    ``_truncnorm_quantile``."""
    _, _, flip, lo, hi = _flipped(mean, sd, a, b)
    z = np.where(flip, mean - x, x - mean) / sd
    p_lo, p_hi, p = special.ndtr(lo), special.ndtr(hi), special.ndtr(z)
    with np.errstate(invalid="ignore", divide="ignore"):
        below = np.clip((p - p_lo) / (p_hi - p_lo), 0.0, 1.0)
        above = np.clip((p_hi - p) / (p_hi - p_lo), 0.0, 1.0)
    score = np.where(below < 0.5, special.ndtri(below), -special.ndtri(above))
    score = np.clip(np.nan_to_num(score), -_MAX_SCORE, _MAX_SCORE)
    return np.where(flip, -score, score)


@synthesizer_docstring
class ForestSynthesizer(BaseSynthesizer):
    """Synthetic rows from an adversarial random forest.

    A random forest learns to tell the training rows from synthetic ones,
    first drawn from the product of the columns' distributions (each column
    shuffled on its own). Rows are then redrawn from the forest's leaves,
    each column independently from the training rows of a leaf, and the
    forest refitted, until it cannot tell them apart (out-of-bag accuracy at
    most ``0.5 + delta``). The leaves of that last forest are split further
    where the other columns of their training rows depend on one (density
    splits). Inside a leaf the columns are then nearly independent: each
    leaf keeps a distribution per column
    (outcome counts, and a truncated normal for numbers), and what
    dependence is left by a Gaussian copula of its numeric columns and the
    combinations of its dependent discrete columns. A row is drawn by
    picking a tree, a leaf in proportion to its training rows, then the
    columns from the leaf. The likelihood is exact, so the model is also a
    density estimator.

    Parameters
    ----------
    n_estimators : "auto" or int, default="auto"
        Number of trees of the forest; each leaf is a component of the
        mixture. More trees give smoother, slower models. "auto" takes 10
        trees for 1,500 rows or more and more on fewer rows, whose trees
        hold few leaves each: ``15,000 / n`` for ``n`` rows, up to 30 (500
        rows or fewer; the rows of a class with ``class_conditional``).
    min_samples_leaf : "auto" or int, default="auto"
        Smallest number of rows (training and synthetic) in a leaf of each
        tree. Smaller leaves are more faithful and less private. "auto"
        takes 10, and 20 on tables of fewer than 300 rows (whatever the rows
        of each class with ``class_conditional``), whose leaves of 10 rows
        hold statistics of a handful of rows each.
    leaf_split_rows : "auto", int or None, default="auto"
        The leaves of the kept forest are split further on the training rows
        alone where the other columns of a leaf's rows depend on one (rows
        of two separate clusters, which the leaf's normals would join):
        density splits (see Notes), into parts of at least this many
        training rows. Smaller parts are more faithful and less private;
        None keeps the forest's leaves. "auto" takes 5, and None on tables
        of fewer than 300 rows, as ``min_samples_leaf``.
    max_rounds : int, default=10
        Largest number of adversarial rounds: each redraws the synthetic
        rows from the forest's leaves and refits the forest. 0 fits one
        forest against the shuffled columns.
    delta : float, default=0.0
        The rounds stop once the forest's out-of-bag accuracy is at most
        ``0.5 + delta``, or when a round does not lower it; the forest of
        lowest accuracy is kept.
    leaf_density : {"normal", "margin"}, default="normal"
        Distribution of a many-valued numeric column inside a leaf: "normal"
        is a normal distribution of the leaf's mean and spread, truncated to
        its bounds; "margin" is the column's overall distribution restricted
        to the bounds (no statistic of the leaf's values is kept).
    leaf_dependence : {"joint", "independent"}, default="joint"
        Dependence of the columns inside a leaf: "joint" couples the normals
        of the numeric columns by a Gaussian copula and draws groups of
        dependent discrete columns together (see Notes; with
        ``leaf_density="margin"`` there is no normal to couple);
        "independent" draws each column on its own.
    support_pairs : int, default=10
        Largest number of pairs of many-valued numeric columns whose support
        the draws keep to: where the leaves' draws fall outside the cells of
        the pair's plane that the training rows hold (at least two of them)
        far more often than fresh rows would (places in the sea, page-ins
        above page faults), a draw outside is kept only with the chance
        that brings that rate down to the fresh rows' (see Notes). A
        category over such a pair counts as a pair too (houses "near the
        bay" by the bay, not inland). 0 keeps every draw.
    class_conditional : bool, default=True
        With a classification target, fit one forest per class, on the rows
        of that class alone: every column keeps its dependence on the class,
        even where the trees would rarely split on it (many weak predictors,
        as in credit scoring), and ``conditions`` on the class are exact.
        False models the class as one more categorical column of a single
        forest, which learns from all rows at once (better for many small
        classes).
    splitter : {"best", "random"}, default="best"
        How the trees split: the best threshold of each candidate column (a
        random forest) or a random one (extremely randomized trees, about
        three times faster to fit, with more leaves).
    max_features : {"sqrt", "log2"}, int, float or None, default="sqrt"
        Candidate columns of each split, as in
        :class:`~sklearn.ensemble.RandomForestClassifier`.
    max_samples : int, default=100_000
        The forests learn on a random subsample of this many training rows
        (and as many synthetic ones), so that large tables fit in bounded
        time; the leaves' distributions then come from all the rows. On a
        million rows, leaves of ``min_samples_leaf`` rows of the subsample
        hold about ten times more training rows.
    %(categorical_features)s
    %(column_options)s
    %(linked_amounts)s
    enforce_range : bool, default=True
        Whether sampled numeric values stay inside the range seen in ``fit``.
        The model never draws outside it; this also clips what the data
        layer decodes.
    target_type : {"auto", "classification", "regression"}, default="auto"
        How ``y`` passed to ``fit`` is modelled: as one more column in any
        case, categorical for a classification target. "auto" takes strings,
        booleans, categories and whole numbers with at most 20 distinct
        values for classes.
    random_state : int, RandomState instance or None, default=None
        Controls the shuffles, the forests and, through ``random_state_``,
        the draws of ``sample``. Pass an int for reproducible output across
        calls.
    %(verbose)s

    Attributes
    ----------
    n_rounds_ : int or dict
        Adversarial rounds run (forests fitted, minus one).
    oob_accuracy_ : list of float or dict
        Out-of-bag accuracy of each forest fitted; the forest of the lowest
        is kept.
    n_leaves_ : int or dict
        Leaves of the kept forest that hold training rows.
    linked_features_ : dict
        Columns in one-to-one correspondence with another in the training
        rows (a code and its label), ``{column: other}``: the forest models
        the other, and the column follows it (see Notes).
    grouped_features_ : list of list or dict
        Groups of discrete columns drawn together inside a leaf, with
        ``leaf_dependence="joint"`` (see Notes).
    support_features_ : list of list or dict
        Pairs of columns (and triples: a pair and a category) whose support
        the draws keep to (see ``support_pairs`` and Notes), empty when
        none.

    With a classification target and ``class_conditional=True``, each of
    these is a dict ``{class: value}``, one forest per class.
    %(synthesizer_attributes)s

    See Also
    --------
    TreeSynthesizer : Sequential decision trees, one column after another.
    MixtureSynthesizer : Latent-class mixture, columns independent in each
        component.

    Notes
    -----
    With :math:`T` trees, a leaf :math:`\\ell` of :math:`n_\\ell` of the
    :math:`n` training rows, and bounds :math:`B_\\ell` (the box its splits
    cut), the density is

    .. math::

        p(x) = \\frac{1 - \\varepsilon}{T} \\sum_\\ell \\frac{n_\\ell}{n}
        f_\\ell(x) + \\varepsilon \\prod_j f_j(x_j),

    where :math:`f_\\ell` is the leaf's distribution, with
    ``leaf_dependence="independent"`` :math:`f_\\ell(x) = \\prod_j
    f_{\\ell j}(x_j)`: :math:`f_{\\ell j}` is column :math:`j`'s distribution
    in the leaf,
    zero outside its bounds, and :math:`f_j` the column's overall
    distribution (a piecewise-linear one for numbers, shares of the
    outcomes otherwise), of weight :math:`\\varepsilon = 1 / (n + 1)`, so that
    rows in leaves without training rows keep a finite score. As the leaves
    of a tree partition the space, a row meets one leaf per tree:
    ``score_samples`` routes it down each tree (marginalising a column out
    means following both branches of its splits). :math:`f_{\\ell j}` gives
    each outcome (a category, a value of a discrete column, a spike,
    "missing") its count among the leaf's rows, and the continuous part of a
    numeric column its count times a normal density truncated to the bounds,
    of the mean and variance of the leaf's values, or of its nearest
    ancestor's when the leaf holds fewer than 3 of them; a twentieth of a
    pseudo-row is spread as the column's overall distribution restricted to
    the bounds (its share of the continuous part as the normal). An outcome
    held
    by fewer than 10 training rows in all (a rare category or value, which
    could single out a row) is stored with a leaf only when at least 3 of
    the leaf's rows hold it; otherwise those rows join the pseudo-row.

    The forest's leaves stop at ``min_samples_leaf`` rows, real and
    synthetic, whatever their training rows look like: a leaf may hold rows
    around two cities, and its normals put rows between them. With
    ``leaf_split_rows`` (the default on tables of 300 rows or more), each
    leaf of at least twice that many training rows (of the forest's
    subsample) is cut on the column and value
    where the log-likelihood of the other columns gains most, a normal per
    numeric column (on its axis, see below) and outcome shares per
    categorical one fitted to each side against the leaf's, when the gain
    beats the Bayesian information criterion's price of a part's
    parameters; the parts are cut again the same way, each holding at least
    ``leaf_split_rows`` of those rows. The cut column's own gain does not count (its
    normal truncated to each side fits it already), so a leaf whose columns
    are independent stays whole. Benchmark seeds 0 to 2, gradient-boosting
    detection AUC against the forest's leaves alone: California housing
    0.696 against 0.753, computer activity 0.805 against 0.875 (models
    trained on its rows: R^2 0.944 against 0.911), concrete 0.579 against
    0.667, power plant 0.502 against 0.526, diamonds and Adult within 0.01.
    The share of synthetic rows closer to a training row than to a held-out
    one rose by 0.02 to 0.07 on California housing, computer activity,
    concrete, power plant and breast cancer, and by at most 0.011 on the
    others (smaller leaves, less privacy; see the user guide).

    The values of a numeric column's continuous part are, for the trees and
    the leaves, their normal scores :math:`\\Phi^{-1}(F_j(x))` under the
    column's overall piecewise-linear distribution :math:`F_j` (the ends of
    the range at the scores of half a row in the tails): the leaves' normals
    are normals of scores, and a density of :math:`x` is the density of its
    score times the map's slope. A skewed or many-peaked column is nearly
    normal on that axis, and a leaf spanning two peaks puts no mass between
    them. A discrete column of more than 20 values that fill their grid
    (at least a fifth of the multiples of their smallest gap between the
    5th and 95th percentiles of the rows: carats, ages, coordinates; not
    amounts held by a few rows each) is smoothed rather than modelled as
    that many outcomes, which a leaf would draw independently of the other
    columns: each value is the centre of a cell reaching halfway to its
    neighbours, spanning scores in proportion to its rows; a draw is the
    value of its cell, and a value's probability is its cell's mass. Its
    spikes, and a value heaped at an end of its range (a top code), stay
    outcomes. A discrete numeric column whose strongest tie is to a numeric
    column of more than 20 values (mutual information on coarse codes of up
    to 5,000 rows, less its bias) is smoothed too when its values do not
    fill their grid: one of more than 20 values the same way (forks per
    second in multiples of 0.2, a few 0.01 below), one of 3 to 20 (an age in
    days, a count, a rating) with each value held by at least 10 rows a cell
    (a rarer one stays an outcome). Drawn as outcomes, such values kept no
    tie to the numbers inside a leaf: a model trained on concrete's rows
    lost most of the strength's rise with the age (benchmark seeds 0 to 2,
    TSTR R^2 0.668 against 0.761, detection AUC 0.582 against 0.567), and
    computer activity's page faults lost their forks (detection 0.813
    against 0.748, seeds 0 to 5). Tied more to a category (Adult's years of
    education follow the occupation), it stays outcomes, which join the
    groups below. A many-valued column recorded mostly on a coarser grid
    than its decimals (rates in multiples of 0.2 with two decimals) keeps
    its heaps the same way: a value held by at least 10 rows, and by 3 times
    the rows of an average point of the column's grid within 5 points of it,
    is the centre of a cell of half the column's smallest gap either way,
    spanning scores in proportion to its rows, when such heaps hold at least
    three tenths of the column's continuous part. A tree's cut on a column
    with cells moves to the edge of the cell it falls in (the training
    values stay on their sides), so that a leaf holds whole cells, and the
    leaves' normals of such a column are fitted to its rows each at a random
    score of its cell, uniform in probability, rather than at its centre
    (which gave wide cells too much).

    With ``leaf_dependence="joint"`` (the default), two things are added.
    The continuous parts of the numeric columns are coupled by a Gaussian
    copula: with :math:`z_j = \\Phi^{-1}(F_{\\ell j}(x_j))` the normal score
    of :math:`x_j` under the leaf's truncated normal, :math:`f_\\ell` is
    multiplied by

    .. math::

        c_\\ell(z) = |R_S|^{-1/2}
        \\exp\\left(-\\tfrac12 z_S^\\top (R_S^{-1} - I) z_S\\right)

    over the columns :math:`S` whose values are in their continuous part (a
    spike or a missing value stays independent), :math:`R_S` the rows and
    columns :math:`S` of the leaf's correlation :math:`R_\\ell`, that of the
    normal scores of its rows shrunk toward the one pooled over all leaves
    with 10 pseudo-rows (a pair seen together in fewer than 3 of its rows
    takes the pooled one). Marginalising columns out keeps the sub-matrix.
    The cell of a smoothed discrete value takes the copula's density at the
    value's score (the midpoint rule over the cell).
    And discrete columns, and numeric columns with spikes (their outcome: a
    spike, or the continuous part), are grouped, at most 3 to a group, the
    most dependent pairs first, while their mutual information given the
    leaf, less its chance level (the same with one column shuffled inside
    the leaves), is at least 0.01 nats; a group :math:`G` has in each leaf
    the distribution

    .. math::

        f_{\\ell G}(x_G) = \\frac{\\sum_c n_{\\ell c} [x_G = c] +
        (n'_\\ell + 0.05)\\, r_{\\ell G}(x_G)}{n_\\ell + 0.05},

    the sum over the combinations :math:`c` of the members' outcomes stored
    with the leaf (held by :math:`n_{\\ell c}` of its rows, at least 3;
    a continuous part in a combination has the density of the leaf's
    normal), and :math:`r_{\\ell G}` the distribution of its
    :math:`n'_\\ell` other rows: the product :math:`p_\\ell(x_G) =
    \\prod_{j \\in G} f'_{\\ell j}(x_j)` of the members' distributions over
    those rows. For a group of discrete columns, the combinations the data
    rule out, the set :math:`E` of those held by at most a hundredth of the
    rows that independent members would give them when that is at least 10
    rows, or holding a pair of outcomes so ruled out (``relationship``
    "Husband" with ``sex`` "Female" on Adult; with a class target, also
    those the whole table so rules out, unless the class's rows hold more
    than a hundredth of what independence gives them there), are left out
    of all but a hundredth of it:

    .. math::

        r_{\\ell G}(x_G) = 0.99\\, \\frac{[x_G \\notin E]\\, p_\\ell(x_G)}
        {1 - \\sum_{c \\in E} p_\\ell(c)} + 0.01\\, p_\\ell(x_G),

    so that such a combination keeps a small, positive density (a leaf
    whose :math:`p_\\ell` puts more than 0.95 on :math:`E` keeps
    :math:`p_\\ell`). New rows are drawn from it by rejection.

    So the model stores no training row: counts, means, variances and
    correlations of at least 3 rows, and quantiles of the columns (midpoints
    between order statistics) for their overall distributions. This is the
    adversarial random forest of [1]_ (FORGE and FORDE), with these changes:
    the forest of lowest out-of-bag accuracy is kept, its leaves are split
    further where their rows depend on a column, the leaf densities are
    smoothed and pooled as above, and the copula and the groups keep some
    dependence inside the leaves.

    Two columns in one-to-one correspondence in the training rows (a code
    and its label; at least two values held by 10 rows or more, so that the
    correspondence is no chance of values held by a row or two) would be
    paired at random inside a leaf: the forest models one of them,
    :math:`a`, and the other follows it, rare values too,
    :math:`p(b \\mid a) = (1 - \\varepsilon) [b = g(a)] + \\varepsilon
    f_b(b)` (``linked_features_``). Marginals and conditions sum
    over :math:`a` exactly, through :math:`g^{-1}(b)`.

    The leaves' normals fill the box of a leaf, while the rows of some
    pairs of columns fill only part of their plane: California's block
    groups are on land, not in the sea beside them, and a detector that
    looks at longitude and latitude together spots draws in the sea. The
    plane of two many-valued numeric columns :math:`(a, b)` (of the first 30
    of a table of at least 1,000 rows) is cut into
    cells of equal shares of each column's values (about 2.5 rows per cell,
    8 to 64 per axis); its support :math:`S` is the cells that at least two
    training rows hold. A fresh row falls outside it at the rate :math:`g`
    of training rows whose cell the other rows hold fewer than twice; the
    leaves' draws (twice the rows, 2,000 to 50,000) at a rate :math:`m`.
    Where :math:`m - g > 0.02` and :math:`m > 2 g`, the draws outside are
    kept with probability :math:`\\rho = g (1 - m) / (m (1 - g))`, which
    brings the share of kept draws outside down to :math:`g`, for the pair
    where :math:`m - g` is largest, then again on the draws so reweighted,
    for at most ``support_pairs`` pairs. A category of 2 to 20 levels over
    a pair of the first ten such columns is a candidate too, on a coarser
    grid (about 2.5 rows per cell and level) whose cells are split by
    level. Those weights shift the columns'
    margins; factors :math:`v_c` of the cells of each of those columns (10 passes
    of iterative proportional fitting on the draws, each factor within 0.1
    and 10) give the weighted draws the training rows' share of every cell
    again. A draw is kept with probability :math:`W(x) / C`, where
    :math:`W(x) = \\prod_j w_j(x) \\prod_c v_c(x_c)`, with :math:`w_j = 1`
    inside the support of pair :math:`j` and :math:`\\rho_j` outside, and
    :math:`C` the 99th percentile of :math:`W` over the draws (a larger
    weight counts as :math:`C`): rejection sampling. The density is the
    forest's times :math:`\\min(W, C) / Z`, :math:`Z` the mean of
    :math:`\\min(W, C)` over the draws; a pair with a value missing or
    marginalised counts with the mean weight of the draws in the cell of its
    other value, a column's factor with its mean (an approximation). The
    model stores which cells hold two rows or more, and the factors, no
    row.

    Each change was kept for what it bought in
    ``benchmarks/bench_synthesizers.py`` (gradient-boosting detection ROC
    AUC, 0.5 is best; see the user guide for the table): the stopping rule,
    the rare-value rule and the ancestors' normals took Adult from 0.78 to
    0.76 and California housing from 0.93 to 0.89, the one-to-one links
    Adult to 0.66, and less smoothing to 0.64. :class:`TreeSynthesizer` does
    better on both (about 0.54 and 0.68): columns independent inside a leaf
    lose dependence finer than the leaves.

    ``sample(conditions=...)`` reweights the leaves by the probability of
    the conditioned values (Bayes' rule) and draws the other columns from
    the chosen leaves, keeping to the support of pairs as above: exact
    conditional sampling.

    References
    ----------
    .. [1] D. S. Watson, K. Blesch, J. Kapar and M. N. Wright, "Adversarial
       random forests for density estimation and generative modeling",
       AISTATS 2023.

    Examples
    --------
    >>> import numpy as np
    >>> from sksynth import ForestSynthesizer
    >>> rng = np.random.RandomState(0)
    >>> x = rng.uniform(0, 10, 2000)
    >>> X = np.column_stack([x, np.sin(x) + rng.normal(0, 0.1, 2000)])
    >>> synth = ForestSynthesizer(random_state=0).fit(X)
    >>> X_new = synth.sample(1000)
    >>> X_new.shape
    (1000, 2)
    >>> error = X_new[:, 1] - np.sin(X_new[:, 0])
    >>> bool(np.abs(error).mean() < 0.3)
    True

    The draws keep to the places of the plane the rows hold (the curve):

    >>> synth.support_features_
    [[0, 1]]
    """

    # Its leaves leave out the combinations of few-valued columns the data
    # rule out: linking keeps amounts apart and merges no column.
    _merges_linked_columns = False

    _parameter_constraints: dict = {
        **BaseSynthesizer._parameter_constraints,
        "linked_columns": LINKED_COLUMNS_PARAMETER,
        "n_estimators": [
            StrOptions({"auto"}),
            Interval(numbers.Integral, 1, None, closed="left"),
        ],
        "min_samples_leaf": [
            StrOptions({"auto"}),
            Interval(numbers.Integral, 1, None, closed="left"),
        ],
        "leaf_split_rows": [
            StrOptions({"auto"}),
            Interval(numbers.Integral, 1, None, closed="left"),
            None,
        ],
        "max_rounds": [Interval(numbers.Integral, 0, None, closed="left")],
        "delta": [Interval(numbers.Real, 0, 0.5, closed="both")],
        "leaf_density": [StrOptions({"normal", "margin"})],
        "leaf_dependence": [StrOptions({"joint", "independent"})],
        "support_pairs": [Interval(numbers.Integral, 0, None, closed="left")],
        "class_conditional": ["boolean"],
        "splitter": [StrOptions({"best", "random"})],
        "max_samples": [Interval(numbers.Integral, 1, None, closed="left")],
        "max_features": [
            StrOptions({"sqrt", "log2"}),
            Interval(numbers.Integral, 1, None, closed="left"),
            Interval(numbers.Real, 0, 1, closed="right"),
            None,
        ],
    }

    def __init__(
        self,
        *,
        n_estimators="auto",
        min_samples_leaf="auto",
        leaf_split_rows="auto",
        max_rounds=10,
        delta=0.0,
        leaf_density="normal",
        leaf_dependence="joint",
        support_pairs=SUPPORT_PAIRS_DEFAULT,
        class_conditional=True,
        splitter="best",
        max_features="sqrt",
        max_samples=100_000,
        categorical_features="from_dtype",
        id_columns="auto",
        discrete_features="auto",
        constraints=None,
        linked_columns="auto",
        enforce_range=True,
        target_type="auto",
        random_state=None,
        verbose=0,
    ):
        self.n_estimators = n_estimators
        self.min_samples_leaf = min_samples_leaf
        self.leaf_split_rows = leaf_split_rows
        self.max_rounds = max_rounds
        self.delta = delta
        self.leaf_density = leaf_density
        self.leaf_dependence = leaf_dependence
        self.support_pairs = support_pairs
        self.class_conditional = class_conditional
        self.splitter = splitter
        self.max_features = max_features
        self.max_samples = max_samples
        self.categorical_features = categorical_features
        self.id_columns = id_columns
        self.discrete_features = discrete_features
        self.constraints = constraints
        self.linked_columns = linked_columns
        self.enforce_range = enforce_range
        self.target_type = target_type
        self.random_state = random_state
        self.verbose = verbose

    @property
    def _target_as_column(self):
        return not self.class_conditional

    def _describe_fit(self):
        names = self._modelled_names()
        # Models compare (and hash) by identity.
        described = {model: model.describe(names) for model in self._models}
        for name in described[self._models[0]]:
            setattr(self, name, self._per_class(lambda m: described[m][name]))

    # -- fit ---------------------------------------------------------------

    def _fit_table(self, values, layout, rng):
        progress = Progress.of(self)
        table = values
        all_columns = [
            _Column(spec, values[:, j]) for j, spec in enumerate(layout.columns)
        ]
        links = _find_links(all_columns, values)
        linked = {link.column for link in links}
        if links:
            names = ", ".join(
                f"{layout.columns[k.column].label} of {layout.columns[k.parent].label}"
                for k in links
            )
            progress.lap(f"one-to-one columns: {names}", 2)
        kept = np.array([j for j in range(values.shape[1]) if j not in linked])
        parents = {link.parent for link in links}
        tied = _tied_to_numbers(values, layout.columns)
        values = values[:, kept]
        columns, axes = [], []
        for k, j in enumerate(kept):
            column, axis = all_columns[j], None
            if j not in parents:
                column, axis = _forest_column(
                    layout.columns[j], column, values[:, k], j in tied
                )
                if axis is not None:
                    values[:, k] = axis.forward(values[:, k])
            columns.append(column)
            axes.append(axis)
        smoothed = [
            layout.columns[j].label
            for j, column in zip(kept, columns, strict=True)
            if layout.columns[j].is_discrete and column.cells is not None
        ]
        if smoothed:
            names = ", ".join(smoothed)
            progress.lap(f"discrete columns drawn with the numbers: {names}", 2)
        features = np.column_stack(
            [c.feature(values[:, j]) for j, c in enumerate(columns)]
        ).astype(np.float32)
        # The forests learn on a subsample of large tables; the leaves then
        # describe all the rows.
        sample = features
        if features.shape[0] > self.max_samples:
            rows = rng.choice(features.shape[0], self.max_samples, replace=False)
            sample = features[np.sort(rows)]
        synthetic = np.column_stack(
            [rng.permutation(sample[:, j]) for j in range(sample.shape[1])]
        )
        # The table's rows, not a class's: German credit's 150 bad risks
        # were easier to detect in leaves of 20 (see _SMALL_ROWS).
        min_samples_leaf, split_rows = _leaf_sizes(
            self.min_samples_leaf, self.leaf_split_rows, self.n_samples_fit_
        )
        accuracy, best = [], None
        while True:
            forest = self._fit_forest(sample, synthetic, min_samples_leaf, rng)
            accuracy.append(forest.oob_score_)
            if best is None or accuracy[-1] < best.oob_score_:
                best = forest
            progress.lap(
                f"forest {len(accuracy)}: out-of-bag accuracy {accuracy[-1]:.3f}", 2
            )
            if (
                accuracy[-1] <= 0.5 + self.delta
                or len(accuracy) > self.max_rounds
                or len(accuracy) > 1
                and accuracy[-1] >= accuracy[-2]
            ):
                break
            synthetic = _redraw(forest.apply(sample), sample, rng)
        progress.lap(
            f"{len(accuracy)} forests of {len(best.estimators_)} trees on "
            f"{values.shape[0]} rows: out-of-bag accuracy {best.oob_score_:.3f}"
        )
        model = _leaf_model(
            best,
            features,
            values,
            columns,
            self.leaf_density == "normal",
            self.leaf_dependence == "joint",
            rng,
            {int(np.flatnonzero(kept == link.parent)[0]) for link in links},
            split_rows,
            sample,
            layout.table,
            kept,
        )
        model.oob_accuracy = accuracy
        model.all_columns, model.kept, model.links = all_columns, kept, links
        model.axes = axes
        progress.lap(f"leaf densities of {model.n_leaves} leaves")
        model.support = self._fit_support(model, table, layout, linked, rng)
        if model.support is not None:
            names = ", ".join(
                " x ".join(layout.columns[j].label for j in pair)
                for pair in model.support.pairs
            )
            progress.lap(f"support of pairs: {names}")
        return model

    def _fit_support(self, model, values, layout, linked, rng):
        """The support of the pairs of many-valued numeric columns, alone or
        with a category, whose draws fall outside it too often (see
        :class:`PairSupport`), or None."""
        candidates, categories = [], {}
        for j, spec in enumerate(layout.columns):
            if j in linked:
                continue
            if spec.is_levels:
                categories[j] = len(spec.categories)
                continue
            observed = values[~np.isnan(values[:, j]), j]
            if np.unique(observed).size > MAX_DISCRETE_LEVELS:
                candidates.append(j)
        if not PairSupport.applies(values.shape[0], candidates, self.support_pairs):
            return None
        n_draws = int(np.clip(2 * values.shape[0], _SUPPORT_MIN_DRAWS, _SUPPORT_DRAWS))
        draws = self._draw_table(model, n_draws, rng, {})
        return PairSupport.fit(
            values, candidates, draws, self.support_pairs, categories
        )

    def _fit_forest(self, features, synthetic, min_samples_leaf, rng):
        # Imported here: sklearn.ensemble loads much of scikit-learn, which
        # would slow `import sksynth`.
        from sklearn.ensemble import ExtraTreesClassifier, RandomForestClassifier

        n_samples = features.shape[0]
        Forest = (
            RandomForestClassifier if self.splitter == "best" else ExtraTreesClassifier
        )
        forest = Forest(
            n_estimators=_n_trees(self.n_estimators, n_samples),
            min_samples_leaf=min_samples_leaf,
            max_features=self.max_features,
            bootstrap=True,
            oob_score=True,
            random_state=rng.randint(np.iinfo(np.int32).max),
        )
        X = np.vstack([features, synthetic])
        y = np.r_[np.ones(n_samples), np.zeros(synthetic.shape[0])]
        with warnings.catch_warnings():
            # Few rows: some are in every bootstrap sample, without an
            # out-of-bag prediction; the accuracy is that of the others.
            warnings.filterwarnings("ignore", "Some inputs do not have OOB scores")
            warnings.filterwarnings("ignore", "invalid value encountered")
            forest.fit(X, y)
        if not np.isfinite(forest.oob_score_):
            forest.oob_score_ = 0.5
        return forest

    # -- sample ------------------------------------------------------------

    def _sample_table(self, model, n_samples, rng, conditions):
        values = self._draw_table(model, n_samples, rng, conditions)
        support = model.support
        if support is None:
            return values
        # Rejection sampling: a draw outside the support of a pair is kept
        # with its weight, the others drawn again (at most _SUPPORT_ROUNDS
        # times; the few draws left after them are kept).
        redraw = np.flatnonzero(~support.accept(values, rng))
        for _ in range(_SUPPORT_ROUNDS):
            if not redraw.size:
                break
            values[redraw] = self._draw_table(model, redraw.size, rng, conditions)
            redraw = redraw[~support.accept(values[redraw], rng)]
        return values

    def _draw_table(self, model, n_samples, rng, conditions):
        """Rows drawn from the forest's leaves (before the support of pairs),
        _DRAW_BLOCK at a time."""
        inner = {j: k for k, j in enumerate(model.kept)}
        # The conditions as the forest sees them: on the columns' axes.
        on_axes = {
            j: value
            if j not in inner or model.axes[inner[j]] is None
            else float(model.axes[inner[j]].forward(np.float64(value)))
            for j, value in conditions.items()
        }
        log_weight = model.log_weight
        if conditions:
            self._warn_ruled_out(model, on_axes)
            log_weight = log_weight + self._condition_log_likelihood(model, on_axes)
        weight = np.exp(log_weight - log_weight.max())
        cumulative = np.cumsum(weight)
        given_scores = None
        if model.coupled:
            given_scores = self._condition_scores(model, on_axes)
        values = np.empty((n_samples, len(model.all_columns)))
        for start in range(0, n_samples, _DRAW_BLOCK):
            stop = min(start + _DRAW_BLOCK, n_samples)
            block = self._draw_block(
                model, stop - start, rng, conditions, on_axes, cumulative, given_scores
            )
            # Drawn in the order of their leaves (see _draw_block).
            values[start:stop] = block[rng.permutation(stop - start)]
        return values

    def _draw_block(
        self, model, n_samples, rng, conditions, on_axes, cumulative, given_scores
    ):
        """Rows drawn from the leaves of weights ``cumulative`` (summed), in
        the order of their leaves: each column's arrays (bounds, outcome
        tables, normals) are then read in order: 500,000 rows of California
        housing took 8.2 s against 12.4 s in random order."""
        inner = {j: k for k, j in enumerate(model.kept)}
        u = np.sort(rng.random_sample(n_samples))
        leaf = np.searchsorted(cumulative, u * cumulative[-1], side="right")
        leaf = np.minimum(leaf, model.n_leaves)
        values = np.empty((n_samples, len(model.all_columns)))
        scores = {}
        if model.coupled:
            z = model.draw_scores(leaf, rng, *given_scores)
            scores = {k: z[:, c] for c, k in enumerate(model.continuous)}
        drawn = np.empty((n_samples, len(model.columns)))
        for j, k in inner.items():
            if j in on_axes:
                drawn[:, k] = on_axes[j]
            else:
                drawn[:, k] = model.draw(k, leaf, rng, scores.get(k))
        given = {inner[j]: value for j, value in on_axes.items() if j in inner}
        for group in model.groups:
            drawn = group.draw(model, drawn, leaf, rng, given, scores)
        for k, axis in enumerate(model.axes):
            if axis is not None:
                drawn[:, k] = axis.inverse(drawn[:, k])
        values[:, model.kept] = drawn
        # Exactly as given (a value and back need not round-trip).
        for j, value in conditions.items():
            values[:, j] = value
        for link in model.links:
            a, b = link.parent, link.column
            if b in conditions:
                values[:, b] = conditions[b]
                if a not in conditions:
                    # The parent given the leaf and b (Bayes' rule): the value
                    # b maps back to, else a draw of the leaf as it stands.
                    parent = link.inverse(conditions[b])
                    if parent is not None:
                        log_match = model.log_probability(
                            inner[a], leaf, np.full(n_samples, parent)
                        ) + np.log1p(-link.share)
                        log_other = np.log(link.share) + link.log_share(
                            np.full(1, conditions[b])
                        )
                        match = rng.random_sample(n_samples) < np.exp(
                            log_match - np.logaddexp(log_match, log_other)
                        )
                        values[match, a] = parent
            else:
                values[:, b] = link.draw(values[:, a], rng)
        return values

    def _warn_ruled_out(self, model, conditions):
        """Warn when ``conditions`` (on the columns' axes) give members of a
        group outcomes that every combination of its other members makes one
        the data rule out: such rows come from the small density the model
        keeps for those combinations."""
        for group in model.groups:
            if group.excluded is None:
                continue
            columns = [model.kept[k] for k in group.members]
            given = np.array([j in conditions for j in columns])
            if not given.any():
                continue
            codes = np.zeros(len(columns), dtype=np.int64)
            for m in np.flatnonzero(given):
                x = np.array([conditions[columns[m]]], dtype=float)
                codes[m] = _group_code(model, group.members[m], None, x)[0][0]
            free = np.flatnonzero(~given)
            grid = _product_grid(group.widths[free])
            combinations = np.tile(codes, (grid.shape[0], 1))
            combinations[:, free] = grid
            if np.isin(group._key(combinations), group.excluded_keys).all():
                names = self._modelled_names()
                named = [names[columns[m]] for m in np.flatnonzero(given)]
                warnings.warn(
                    f"`conditions` give columns {named} "
                    "a combination the data rule out (held by at most a "
                    "hundredth of the rows independent columns would give "
                    "it): the rows drawn come from the small density the "
                    "model keeps for it. Condition on combinations seen in "
                    "fit.",
                    UserWarning,
                    stacklevel=caller_stacklevel(),
                )

    def _condition_scores(self, model, conditions):
        """Normal scores of the conditioned values in every leaf, and where
        they are coupled."""
        leaves = np.arange(model.n_leaves + 1)
        row = np.full((1, len(model.columns)), np.nan)
        use = np.zeros(row.shape, dtype=bool)
        for k, j in enumerate(model.kept):
            if j in conditions:
                row[0, k], use[0, k] = conditions[j], True
        return model.scores(row, np.zeros(leaves.size, dtype=np.int64), leaves, use)

    def _condition_log_likelihood(self, model, conditions):
        leaves = np.arange(model.n_leaves + 1)
        inner = {j: k for k, j in enumerate(model.kept)}
        links = {link.column: link for link in model.links}

        def log_likelihood(columns):
            row = np.full((1, len(model.columns)), np.nan)
            use = np.zeros(row.shape, dtype=bool)
            for j in columns:
                if j in inner:
                    row[0, inner[j]], use[0, inner[j]] = conditions[j], True
            total = model.log_terms(
                row, np.zeros(leaves.size, dtype=np.int64), leaves, use
            )
            for j in columns:
                if j in inner:
                    continue
                link = links[j]
                x_b = np.full(1, conditions[j])
                if link.parent in conditions:
                    x_a = np.full(1, conditions[link.parent])
                    total += link.log_conditional(x_a, x_b)[0]
                    continue
                # Summed over the parent: it matches b, or b is the rare
                # draw of its own.
                log_other = np.log(link.share) + link.log_share(x_b)[0]
                parent = link.inverse(conditions[j])
                if parent is None:
                    total += log_other
                    continue
                log_match = np.log1p(-link.share) + model.log_probability(
                    inner[link.parent], leaves, np.full(leaves.size, parent)
                )
                total += np.logaddexp(log_match, log_other)
            return total

        total = log_likelihood(sorted(conditions))
        if not np.isfinite(total).any():
            names = self._modelled_names()
            raise impossible_conditions_error(
                names,
                sorted(conditions),
                lambda j: np.isfinite(log_likelihood([j])).any(),
                "this model never produces; pick values seen in fit.",
            )
        return total

    def _log_density(self, model, values, columns, ignore=None):
        n_samples, n_columns = values.shape
        free = np.ones((n_samples, n_columns), dtype=bool)
        free[:, list(columns)] = False
        if ignore is not None:
            free |= ignore
        log_density = self._linked_log_density(model, values, free, list(model.links))
        if model.support is not None:
            log_density += model.support.log_factor(values, ~free)
        return log_density

    def _linked_log_density(self, model, values, free, links):
        """Log density of the rows with the columns linked one-to-one to a
        parent: the forest's density of the other columns times
        ``p(b | a)``; where the parent is left out but not ``b``, summed over
        the parent (its value that b maps back to, or any value)."""
        if not links:
            return self._forest_log_density(
                model, values[:, model.kept], free[:, model.kept]
            )
        link, rest = links[0], links[1:]
        a, b = link.parent, link.column
        log_density = self._linked_log_density(model, values, free, rest)
        both = ~free[:, b] & ~free[:, a]
        log_density[both] += link.log_conditional(values[both, a], values[both, b])
        only = np.flatnonzero(~free[:, b] & free[:, a])
        if only.size:
            x_b = values[only, b]
            log_other = np.log(link.share) + link.log_share(x_b)
            parent, found = link.inverse_all(x_b)
            found = np.flatnonzero(found)
            log_density[only] += log_other
            if found.size:
                rows = only[found]
                matched_values = values[rows].copy()
                matched_values[:, a] = parent[found]
                matched_free = free[rows].copy()
                matched_free[:, a] = False
                log_match = np.log1p(-link.share) + self._linked_log_density(
                    model, matched_values, matched_free, rest
                )
                log_density[rows] = np.logaddexp(log_density[rows], log_match)
        return log_density

    def _forest_log_density(self, model, values, free):
        values, log_jacobian = model.on_axes(values, free)
        return log_jacobian + self._axes_log_density(model, values, free)

    def _axes_log_density(self, model, values, free):
        n_samples = values.shape[0]
        features = model.features(values)
        log_density = self._pair_log_terms(
            model,
            values,
            free,
            np.arange(n_samples),
            np.full(n_samples, model.n_leaves),
        )
        for tree in model.trees:
            rows, leaves = tree.pairs(features, free)
            log_density = np.logaddexp(
                log_density,
                _group_logsumexp(
                    rows,
                    self._pair_log_terms(model, values, free, rows, leaves),
                    n_samples,
                ),
            )
        return log_density

    def _pair_log_terms(self, model, values, free, rows, leaves):
        """``log w + log f(x)`` of each (row, leaf) pair, in blocks."""
        out = np.empty(rows.size)
        width = max(
            values.shape[1],
            *(group.counts.shape[1] for group in model.groups),
            *(
                group.excluded.shape[0]
                for group in model.groups
                if group.excluded is not None
            ),
            1,
        )
        step = max(_PAIR_BLOCK // width, 1)
        for start in range(0, rows.size, step):
            block = slice(start, start + step)
            r, leaf = rows[block], leaves[block]
            out[block] = model.log_weight[leaf] + model.log_terms(
                values, r, leaf, ~free
            )
        return out


def _group_logsumexp(rows, terms, n_samples):
    top = np.full(n_samples, -np.inf)
    np.maximum.at(top, rows, terms)
    shift = np.where(np.isfinite(top), top, 0.0)
    total = np.bincount(rows, np.exp(terms - shift[rows]), minlength=n_samples)
    with np.errstate(divide="ignore"):
        return np.log(total) + shift


def _redraw(nodes, features, rng):
    """Synthetic rows from the leaves of a forest: a tree at random, a leaf in
    proportion to its training rows (the leaf of a random training row), then
    each column from a random training row of that leaf."""
    n_samples, n_trees = nodes.shape
    keys = (np.arange(n_trees) * (nodes.max() + 1) + nodes).ravel()
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    picked = keys[rng.randint(n_samples * n_trees, size=n_samples)]
    first = np.searchsorted(sorted_keys, picked, side="left")
    size = np.searchsorted(sorted_keys, picked, side="right") - first
    synthetic = np.empty_like(features)
    for j in range(features.shape[1]):
        offset = (rng.random_sample(n_samples) * size).astype(np.int64)
        donor = order[first + np.minimum(offset, size - 1)] // n_trees
        synthetic[:, j] = features[donor, j]
    return synthetic


def _spread_over_cells(column, x, rng):
    """The values ``x`` of a column, each value of a cell (a smoothed
    discrete value, see ``_Axis``) moved to a random score of its cell,
    uniform in probability (the distributional transform), for the means
    and variances of the leaves' normals; ``x`` itself for a column without
    cells.

    At the cells' centres, the rows of a few values fitted normals that
    gave wide cells too much: fitted on concrete, whose lowest common age
    in days (3) holds a wide cell at the end of the axis, the forest drew
    that age on 18.0 % of its rows against 13.0 % of the real ones (seed 0).
    """
    cells = column.cells
    if cells is None:
        return x
    inside, k = cells.find(x)
    inside &= ~np.isnan(x)
    if not inside.any():
        return x
    low = special.ndtr(cells.low[k[inside]])
    high = special.ndtr(cells.high[k[inside]])
    u = low + rng.random_sample(low.size) * (high - low)
    spread = x.copy()
    spread[inside] = special.ndtri(np.clip(u, _SPREAD_TAIL, 1 - _SPREAD_TAIL))
    return spread


def _leaf_sizes(min_samples_leaf, leaf_split_rows, n_rows):
    """The smallest leaf of the trees and of the density splits (None: no
    splits) of a forest learning from ``n_rows`` rows."""
    small = n_rows < _SMALL_ROWS
    if min_samples_leaf == "auto":
        min_samples_leaf = _SMALL_LEAF if small else _LEAF
    if leaf_split_rows == "auto":
        leaf_split_rows = None if small else _SPLIT_ROWS
    return min_samples_leaf, leaf_split_rows


def _n_trees(n_estimators, n_rows):
    """The number of trees of a forest learning from ``n_rows`` rows."""
    if n_estimators != "auto":
        return n_estimators
    trees = round(_AUTO_TREE_ROWS / max(n_rows, 1))
    return int(np.clip(trees, _MIN_AUTO_TREES, _MAX_AUTO_TREES))


def _snap_to_cells(tree, columns):
    """Move each split of ``tree`` on a column with cells to the edge of the
    cell its threshold falls in, on the side of the training values it
    parts (which the move leaves on their sides): a leaf then holds whole
    cells. Cut inside a cell, a leaf drew values of a cell whose value its
    density did not count (the values of a column of nine summed to 0.976)."""
    split = np.flatnonzero(tree.children_left != -1)
    for j, column in enumerate(columns):
        cells = column.cells
        if cells is None:
            continue
        nodes = split[tree.feature[split] == j]
        if not nodes.size:
            continue
        threshold = tree.threshold[nodes].astype(float)
        inside, k = cells.find(threshold)
        edge = np.where(threshold < cells.centres[k], cells.low[k], cells.high[k])
        tree.threshold[nodes[inside]] = float32_floor(edge[inside])


def _leaf_model(
    forest,
    features,
    values,
    columns,
    normal,
    copula,
    rng,
    excluded=(),
    split_rows=None,
    sample=None,
    table=None,
    table_columns=None,
):
    """The leaves of ``forest`` holding training rows, their bounds and the
    distribution of each column in each, from the training rows; with
    ``split_rows``, the leaves split further on the rows ``sample`` (the
    forest's own, by default all) into parts of at least that many (see
    :mod:`sksynth._leaf_splits`). The combinations of discrete columns the
    data rule out are those of the training rows and, given the rows
    ``table`` of every class (see :class:`~sksynth._base.Layout`; the
    columns modelled are its ``table_columns``), those of the whole
    table."""
    n_samples, n_columns = values.shape
    nodes = forest.apply(features)
    if split_rows is not None:
        sample = features if sample is None else sample
        sample_nodes = nodes if sample is features else forest.apply(sample)
        split_columns = SplitColumns.of(
            sample,
            [c.is_levels for c in columns],
            [c.n_points - c.has_missing if c.is_levels else 0 for c in columns],
        )
    trees, lows, highs, leaf_of_row = [], [], [], []
    # The values of the continuous part of each column, NaN elsewhere.
    continuous = [j for j, c in enumerate(columns) if c.has_continuous]
    rest = (
        np.column_stack(
            [
                np.where(
                    columns[j].point_index(columns[j].feature(values[:, j])) < 0,
                    _spread_over_cells(columns[j], values[:, j], rng),
                    np.nan,
                )
                for j in continuous
            ]
        )
        if continuous
        else np.empty((n_samples, 0))
    )
    moments = []
    offset = 0
    for t, estimator in enumerate(forest.estimators_):
        structure = TreeArrays.of(estimator.tree_)
        if split_rows is not None:
            split_leaves(
                structure, sample, sample_nodes[:, t], split_columns, split_rows
            )
            nodes[:, t] = structure.descend(features, nodes[:, t])
        _snap_to_cells(structure, columns)
        counts = np.bincount(nodes[:, t], minlength=structure.node_count)
        covered = (structure.children_left == -1) & (counts > 0)
        leaf_index = np.full(structure.node_count, -1, dtype=np.int64)
        leaf_index[covered] = offset + np.arange(int(covered.sum()))
        low, high = _node_bounds(structure, n_columns)
        lows.append(low[covered])
        highs.append(high[covered])
        trees.append(_Tree(**vars(structure), leaf_index=leaf_index))
        leaf_of_row.append(leaf_index[nodes[:, t]])
        offset += int(covered.sum())
        moments.append(_leaf_moments(structure, nodes[:, t], rest, covered))
    n_leaves = offset
    unbounded = np.full((1, n_columns), np.inf, dtype=np.float32)
    low = np.vstack([*lows, -unbounded])
    high = np.vstack([*highs, unbounded])
    leaf = np.concatenate(leaf_of_row)
    n_rows = np.append(np.bincount(leaf, minlength=n_leaves), 0).astype(float)
    n_trees = len(trees)
    share = 1.0 / (n_samples + 1)
    with np.errstate(divide="ignore"):
        log_weight = np.log(n_rows * (1 - share) / (n_samples * n_trees))
    log_weight[-1] = np.log(share)
    mean = np.vstack([m for m, _ in moments] + [np.full((1, len(continuous)), np.nan)])
    variance = np.vstack([v for _, v in moments] + [np.zeros((1, len(continuous)))])
    position = {j: k for k, j in enumerate(continuous)}

    def column_density(j, exclude=None):
        """Leaf density of column ``j``, without the rows of ``exclude``."""
        return _leaf_column(
            columns[j],
            values[:, j],
            leaf,
            n_leaves,
            low[:, j],
            high[:, j],
            normal,
            None if j not in position else mean[:, position[j]],
            None if j not in position else variance[:, position[j]],
            exclude,
        )

    leaf_columns = [column_density(j) for j in range(len(columns))]
    model = _ForestModel(
        columns, trees, low, high, n_rows, log_weight, leaf_columns, []
    )
    model.groups = []
    if copula:
        # The outcome of each row in each groupable column: its point, or
        # the continuous part (code n_points) of a column with a normal in
        # every leaf (a spike and the values around it).
        codes = {}
        for j, column in enumerate(columns):
            n_codes = column.n_points + column.has_continuous
            groupable = not column.has_continuous or (
                _GROUP_CONTINUOUS and leaf_columns[j].normal[:-1].all()
            )
            if groupable and 2 <= n_codes <= _MAX_GROUP_OUTCOMES and j not in excluded:
                index = column.point_index(column.feature(values[:, j]))
                codes[j] = np.where(index >= 0, index, column.n_points)
        # The first trees, about _GROUP_ENTRIES row-leaf pairs: the first
        # tree alone, whose leaves may split on sex everywhere, left sex out
        # of Adult's groups on some seeds (its rows then broke Husband and
        # Female on 1.6 % against 0.14 %).
        n_trees = min(leaf.size, max(_GROUP_ENTRIES, n_samples)) // n_samples
        for members in _column_groups(codes, leaf[: n_trees * n_samples], rng):
            group, exclude = _group(members, codes, leaf, n_leaves)
            if not any(columns[j].has_continuous for j in members):
                whole = None
                if table is not None:
                    whole = [
                        columns[j].point_index(
                            columns[j].feature(table[:, table_columns[j]])
                        )
                        for j in members
                    ]
                _exclude_combinations(group, [codes[j] for j in members], whole)
            model.groups.append(group)
            for j in members:
                # The same normals as the leaf's: only the counts change.
                leaf_columns[j] = column_density(j, exclude)
    model.continuous = np.array(
        [j for j in continuous if leaf_columns[j].normal.any()] if copula else [],
        dtype=np.int64,
    )
    model.correlation = _leaf_correlations(model, values, leaf)
    model.cholesky = np.linalg.cholesky(model.correlation)
    return model


def _column_groups(codes, leaf, rng):
    """Groups of discrete columns (``codes``: point index of each row, by
    column) to draw together inside the leaves: pairs merged greedily, the
    most dependent first, while their mutual information given the leaf
    (``leaf``: each row's leaf in one or more trees, one tree after
    another), less its chance level, is at least _GROUP_MIN_INFORMATION nats
    and the group has at most _MAX_GROUP_SIZE columns.

    The plug-in estimate of the information counts the chance pairings of
    the few rows of a leaf as dependence, the more so the more outcomes the
    columns have: on Adult, in the leaves of one tree, age and hours per
    week (a few rows per value in a leaf) scored 0.78 nats and age and
    occupation 0.51, all of it chance, while workclass and occupation,
    missing together, scored 0.15 and were not grouped together. The chance
    level of a pair is the estimate with the second column shuffled inside
    the leaves (same counts, no dependence); what is left ranks the pairs by
    the dependence the leaves hold (0.04 nats for workclass and occupation,
    0.00 for age and hours).
    """
    if _MAX_GROUP_SIZE < 2 or len(codes) < 2:
        return []
    n_trees = leaf.size // next(iter(codes.values())).size
    codes = {j: np.tile(code, n_trees) for j, code in codes.items()}
    _, leaf = np.unique(leaf, return_inverse=True)
    size = np.bincount(leaf)[leaf]
    # Row ``by_leaf[p]`` takes the code of row ``shuffled[p]``, of the same
    # leaf since both orders sort the rows by leaf.
    by_leaf = np.argsort(leaf, kind="stable")
    shuffled = np.lexsort((rng.random_sample(leaf.size), leaf))
    source = np.empty_like(by_leaf)
    source[by_leaf] = shuffled
    width = {j: int(code.max()) + 1 for j, code in codes.items()}
    with_leaf = {j: _counted(leaf * width[j] + code) for j, code in codes.items()}

    def information(a, b, code_b, with_leaf_b):
        joint = _counted((leaf * width[a] + codes[a]) * width[b] + code_b)
        return np.mean(np.log(joint * size / (with_leaf[a] * with_leaf_b)))

    dependence = []
    for a, b in combinations(sorted(codes), 2):
        value = information(a, b, codes[b], with_leaf[b]) - information(
            a, b, codes[b][source], with_leaf[b][source]
        )
        if value >= _GROUP_MIN_INFORMATION:
            dependence.append((value, a, b))
    group_of = {j: [j] for j in codes}
    for _, a, b in sorted(dependence, reverse=True):
        if group_of[a] is group_of[b]:
            continue
        merged = group_of[a] + group_of[b]
        if len(merged) <= _MAX_GROUP_SIZE:
            for j in merged:
                group_of[j] = merged
    groups = {id(g): sorted(g) for g in group_of.values() if len(g) > 1}
    return sorted(groups.values())


def _counted(key):
    """How many entries share each entry's key."""
    _, inverse, counts = np.unique(key, return_inverse=True, return_counts=True)
    return counts[inverse.ravel()]


def _group(members, codes, leaf, n_leaves):
    """The combinations of the members' outcomes stored in each leaf (those
    held by at least _MIN_COUNT of its rows), and which entries of ``leaf``
    (rows in trees) they hold."""
    n_rows = codes[members[0]].size
    n_trees = leaf.size // n_rows
    # Mixed-radix codes of the combinations (at most _MAX_GROUP_OUTCOMES **
    # _MAX_GROUP_SIZE of them): one integer per row.
    widths = [int(codes[j].max()) + 1 for j in members]
    packed = np.zeros(n_rows, dtype=np.int64)
    for j, width in zip(members, widths, strict=True):
        packed = packed * width + codes[j]
    unique, combo = np.unique(packed, return_inverse=True)
    combos = np.empty((unique.size, len(members)), dtype=np.int64)
    for m in reversed(range(len(members))):
        unique, combos[:, m] = np.divmod(unique, widths[m])
    key = leaf * combos.shape[0] + np.tile(combo.ravel(), n_trees)
    keys, inverse, counts = np.unique(key, return_inverse=True, return_counts=True)
    # Unlike one column's outcomes, a combination is kept only with
    # _MIN_COUNT rows of the leaf, however common: keeping those of at least
    # _COMMON_COUNT rows in all with any count copied the combination of
    # single rows of small leaves (DCR share on diamonds 0.664 against
    # 0.576).
    stored = counts >= _MIN_COUNT
    exclude = stored[inverse.ravel()]
    keys, counts = keys[stored], counts[stored]
    entry_leaf = keys // combos.shape[0]
    first = np.searchsorted(entry_leaf, entry_leaf, side="left")
    slot = np.arange(keys.size) - first
    n_slots = max(int(slot.max()) + 1 if slot.size else 0, 1)
    outcomes = np.full((n_leaves + 1, n_slots, len(members)), -1, dtype=np.int64)
    outcomes[entry_leaf, slot] = combos[keys % combos.shape[0]]
    table = np.zeros((n_leaves + 1, n_slots))
    table[entry_leaf, slot] = counts
    rest = np.bincount(leaf[~exclude], minlength=n_leaves + 1).astype(float)
    return _Group(np.array(members), outcomes, table, rest), exclude


def _exclude_combinations(group, codes, table_codes=None):
    """Set the combinations of a group's outcomes (``codes`` of its rows,
    member by member) that the data rule out: those of a sub-combination
    (all the members, or a pair of them) that
    :func:`~sksynth.constraints._linked.ruled_out` rules out. A pair ruled
    out (a wife who is divorced) rules out its combinations with every
    outcome of the other members, however few rows independence gives
    each.

    Given ``table_codes``, the members' outcomes in the rows of the whole
    table (-1 for a value the group's rows never hold), a sub-combination
    the whole table rules out is ruled out too where the group's rows hold
    at most RULED_OUT_SHARE of what independence gives them there: Adult's
    7,841 high earners hold 191 missing workclasses, too few for their
    own rows to rule out a missing workclass with a technician, which no
    row of the table holds.
    """
    widths = [int(code.max()) + 1 for code in codes]
    n_combinations = int(np.prod(widths))
    if n_combinations > _MAX_COMBINATIONS:
        return
    if table_codes is not None:
        # The outcomes the group's rows never hold: one more outcome each.
        table_codes = [
            np.where((code >= 0) & (code < width), code, width)
            for code, width in zip(table_codes, widths, strict=True)
        ]

    def ruled_out_of(members):
        sizes = [widths[m] for m in members]
        observed, expected = _contingency([codes[m] for m in members], sizes)
        out = ruled_out(observed, expected)
        if table_codes is not None:
            whole = ruled_out(
                *_contingency(
                    [table_codes[m] for m in members], [size + 1 for size in sizes]
                )
            )
            whole = whole.reshape([size + 1 for size in sizes])
            whole = whole[tuple(slice(size) for size in sizes)].ravel()
            out |= whole & (observed <= RULED_OUT_SHARE * expected)
        # As an array over the outcomes of all the members, 1 along the others.
        shape = [widths[m] if m in members else 1 for m in range(len(widths))]
        return out.reshape(shape)

    mask = ruled_out_of(range(len(widths)))
    if len(widths) > 2:
        for pair in combinations(range(len(widths)), 2):
            mask = mask | ruled_out_of(pair)
    keys = np.flatnonzero(mask.ravel())
    if not 0 < keys.size <= _MAX_EXCLUDED:
        return
    group.excluded = np.stack(np.unravel_index(keys, widths), axis=1)
    group.excluded_keys = keys
    group.widths = np.asarray(widths, dtype=np.int64)


def _contingency(codes, widths):
    """Rows holding each combination of the outcomes ``codes`` (of widths
    ``widths``), flattened, and those that independent columns with the
    same margins would give it."""
    n_rows = codes[0].size
    key = np.zeros(n_rows, dtype=np.int64)
    expected = np.full(1, float(n_rows))
    for code, width in zip(codes, widths, strict=True):
        key = key * width + code
        share = np.bincount(code, minlength=width) / n_rows
        expected = np.multiply.outer(expected, share).ravel()
    return np.bincount(key, minlength=expected.size), expected


def _leaf_correlations(model, values, leaf):
    """Correlation of the normal scores of the continuous columns in each
    leaf (``leaf``: the leaf of each training row in each tree), shrunk
    toward their correlation pooled over all leaves by _CORRELATION_PRIOR
    pseudo-rows. A pair of columns seen together in fewer than _MIN_COUNT
    rows of a leaf takes the pooled correlation."""
    n_leaves, n_continuous = model.n_leaves, model.continuous.size
    eye = np.eye(n_continuous)
    correlation = np.repeat(eye[None], n_leaves + 1, axis=0)
    if n_continuous < 2:
        return correlation
    pairs = np.triu_indices(n_continuous, 1)
    # Sums over the rows of each leaf, per pair: rows seen together, the
    # products of their scores and their squares; in blocks of (row, tree)
    # entries, so that large tables do not hold all their scores at once.
    sums = np.zeros((4, pairs[0].size, n_leaves + 1))
    use = np.ones(values.shape, dtype=bool)
    step = max(_PAIR_BLOCK // n_continuous, 1)
    for start in range(0, leaf.size, step):
        entries = np.arange(start, min(start + step, leaf.size))
        z, present = model.scores(values, entries % values.shape[0], leaf[entries], use)
        for k, (c, d) in enumerate(zip(*pairs, strict=True)):
            both = (present[:, c] & present[:, d]).astype(float)
            products = (1.0, z[:, c] * z[:, d], z[:, c] ** 2, z[:, d] ** 2)
            for which, product in enumerate(products):
                sums[which, k] += np.bincount(
                    leaf[entries], both * product, minlength=n_leaves + 1
                )
    for k, (c, d) in enumerate(zip(*pairs, strict=True)):
        count, cross, square_c, square_d = sums[:, k]
        pooled_scale = np.sqrt(square_c.sum() * square_d.sum())
        pooled = cross.sum() / pooled_scale if pooled_scale > 0 else 0.0
        with np.errstate(invalid="ignore", divide="ignore"):
            local = cross / np.sqrt(square_c * square_d)
        weight = np.where(
            (count >= _MIN_COUNT) & np.isfinite(local),
            count / (count + _CORRELATION_PRIOR),
            0.0,
        )
        shrunk = weight * np.nan_to_num(local) + (1 - weight) * pooled
        correlation[:, c, d] = correlation[:, d, c] = shrunk
    correlation[-1] = eye
    # The nearest matrix with eigenvalues of at least _MIN_EIGENVALUE and a
    # unit diagonal: pairwise estimates need not make a correlation matrix.
    eigenvalues, vectors = np.linalg.eigh(correlation)
    eigenvalues = np.maximum(eigenvalues, _MIN_EIGENVALUE)
    correlation = (vectors * eigenvalues[:, None, :]) @ vectors.transpose(0, 2, 1)
    scale = np.sqrt(np.diagonal(correlation, axis1=1, axis2=2))
    return correlation / scale[:, :, None] / scale[:, None, :]


def _node_bounds(structure, n_columns):
    """Bounds ``(low, high]`` of every node on every column, from the root
    down, one depth at a time."""
    n_nodes = structure.node_count
    low = np.full((n_nodes, n_columns), -np.inf, dtype=np.float32)
    high = np.full((n_nodes, n_columns), np.inf, dtype=np.float32)
    left, right = structure.children_left, structure.children_right
    parents = np.array([0])
    while parents.size:
        parents = parents[left[parents] != -1]
        column = structure.feature[parents]
        for children, bound in ((left[parents], high), (right[parents], low)):
            low[children] = low[parents]
            high[children] = high[parents]
            bound[children, column] = structure.threshold[parents]
        parents = np.r_[left[parents], right[parents]]
    return low, high


def _leaf_moments(structure, node_of_row, rest, covered):
    """Mean and variance of the continuous values of each column (``rest``,
    NaN elsewhere) in each covered leaf of one tree: those of the leaf when it
    holds at least _MIN_COUNT of them, else of its nearest ancestor that
    does (a wider box around it)."""
    n_nodes = structure.node_count
    left, right = structure.children_left, structure.children_right
    parent = np.zeros(n_nodes, dtype=np.int64)
    inner = np.flatnonzero(left != -1)
    parent[left[inner]] = inner
    parent[right[inner]] = inner
    present = ~np.isnan(rest)
    filled = np.where(present, rest, 0.0)
    width = rest.shape[1]
    stats = np.zeros((n_nodes, 3 * width))
    for k, weights in enumerate((present.astype(float), filled, filled**2)):
        for c in range(width):
            stats[:, k * width + c] = np.bincount(
                node_of_row, weights[:, c], minlength=n_nodes
            )
    # Children have larger ids than their parent: add each depth to the one
    # above, from the deepest up.
    levels, level = [], np.array([0])
    while level.size:
        levels.append(level)
        level = level[left[level] != -1]
        level = np.r_[left[level], right[level]]
    for level in reversed(levels[1:]):
        np.add.at(stats, parent[level], stats[level])
    count = stats[:, :width]
    node = np.repeat(np.flatnonzero(covered)[:, None], width, axis=1)
    columns = np.broadcast_to(np.arange(width), node.shape)
    while True:
        small = (count[node, columns] < _MIN_COUNT) & (node != 0)
        if not small.any():
            break
        node[small] = parent[node[small]]
    m = count[node, columns]
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = stats[:, width : 2 * width][node, columns] / m
        variance = stats[:, 2 * width :][node, columns] / m - mean**2
    mean = np.where(m >= _MIN_COUNT, mean, np.nan)
    return mean, np.maximum(np.nan_to_num(variance), 0.0)


def _leaf_column(
    column, x, leaf, n_leaves, low, high, normal, mean, variance, exclude=None
):
    """Counts of one column's outcomes in every leaf (``leaf``: the leaf of
    each training row in each tree, trees one after another; the entries
    ``exclude`` left out), and the normal of its continuous part (``mean``,
    ``variance``)."""
    n_trees = leaf.size // x.size
    feature = column.feature(x)
    index = np.tile(column.point_index(feature), n_trees)
    n_outcomes = column.n_points + 1
    outcome = np.where(index >= 0, index, column.n_points)
    if exclude is not None:
        leaf, outcome = leaf[~exclude], outcome[~exclude]
    rows = np.bincount(leaf, minlength=n_leaves + 1).astype(float)
    keys, counts = np.unique(leaf * n_outcomes + outcome, return_counts=True)
    # Outcomes held by at least _COMMON_COUNT training rows are kept as
    # counted; rarer ones only with _MIN_COUNT rows in the leaf.
    n_continuous = x.size * column.continuous_share
    common = np.r_[column.counts, n_continuous][keys % n_outcomes] >= _COMMON_COUNT
    stored = common | (counts >= _MIN_COUNT)
    sd = None
    has_normal = np.zeros(n_leaves + 1, dtype=bool)
    if column.has_continuous:
        has_normal[:] = normal & ~np.isnan(mean)
        is_continuous = keys % n_outcomes == column.n_points
        # Without a normal (too few values even at the root), or with
        # leaf_density="margin", the continuous part follows the overall
        # distribution inside the leaf's bounds.
        usable = normal & ~np.isnan(mean[keys // n_outcomes])
        stored &= ~is_continuous | usable
        # No kernel bandwidth is added: the leaf's own spread did better
        # (detection AUC on power plant 0.609 against 0.668, diamonds 0.737
        # against 0.779, concrete 0.792 against 0.826).
        sd = np.sqrt(variance)
        sd = np.where(sd > 0, sd, max(column.high - column.low, 1.0) * 1e-3)
    keys, counts = keys[stored], counts[stored].astype(float)
    cumulative = np.cumsum(counts)
    entry_leaf = keys // n_outcomes
    kept = np.bincount(entry_leaf, counts, minlength=n_leaves + 1)
    first = np.searchsorted(entry_leaf, np.arange(n_leaves + 1))
    start = np.r_[0.0, cumulative][first]
    point_mass, continuous_mass = column.prior_masses(low, high)
    return _LeafColumn(
        keys,
        counts,
        cumulative,
        start,
        kept,
        mean,
        sd,
        point_mass,
        continuous_mass,
        has_normal,
        rows,
    )
