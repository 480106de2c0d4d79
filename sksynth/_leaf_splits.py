"""Density splits: the leaves of a fitted tree split further on the training
rows alone, where the other columns of a leaf's rows depend on one of them.

A tree that tells real rows from synthetic ones stops splitting once its
leaves hold ``min_samples_leaf`` rows of both kinds; a leaf of twenty
training rows may then hold ten around Los Angeles and ten around San
Francisco, and normals of their means and spreads put the leaf's rows
between the two. Each leaf of at least twice ``min_rows`` training rows is
cut, on the column and value where the log-likelihood of the other columns
gains most (a normal per numeric column, outcome shares per categorical one,
fitted to each side against the leaf's), when that gain beats the Bayesian
information criterion's price of the parameters a part adds; the parts are
cut again the same way. The cut column's own gain is left out: a column
independent of the others is not cut, as its normal truncated to each side
already fits it.
"""

from dataclasses import dataclass

import numpy as np

# The parts of a leaf are cut again at most this many times.
_MAX_PASSES = 8
# A numeric column's variance in a part is floored at this share of its
# variance over all rows (a part whose values are all equal would gain
# without bound).
_VARIANCE_FLOOR = 1e-3
# Values (rows times columns) of one block of numeric columns whose sums a
# cut's gain reads at once.
_BLOCK_ENTRIES = 1_000_000


@dataclass(eq=False)
class TreeArrays:
    """The nodes of a tree (as ``sklearn.tree._tree.Tree`` holds them), with
    the density splits below its leaves added after them (children always
    come after their parent). A row goes left when its float32 value is at
    most the node's float32 threshold."""

    children_left: np.ndarray
    children_right: np.ndarray
    feature: np.ndarray
    threshold: np.ndarray

    @classmethod
    def of(cls, structure):
        """The arrays of a fitted ``sklearn`` tree."""
        return cls(
            structure.children_left.astype(np.int64),
            structure.children_right.astype(np.int64),
            np.maximum(structure.feature, 0).astype(np.int64),
            float32_floor(structure.threshold),
        )

    @property
    def node_count(self):
        return self.children_left.size

    def descend(self, features, node):
        """The leaf each row reaches from ``node`` (an array, a node per row)
        down the density splits."""
        node = node.astype(np.int64)
        rows = np.flatnonzero(self.children_left[node] != -1)
        while rows.size:
            at = node[rows]
            goes_left = features[rows, self.feature[at]] <= self.threshold[at]
            node[rows] = np.where(
                goes_left, self.children_left[at], self.children_right[at]
            )
            rows = rows[self.children_left[node[rows]] != -1]
        return node

    def add_splits(self, parents, feature, threshold):
        """Two children below each leaf of ``parents``."""
        n_new = 2 * parents.size
        first = self.node_count
        self.children_left = np.r_[self.children_left, np.full(n_new, -1)]
        self.children_right = np.r_[self.children_right, np.full(n_new, -1)]
        self.feature = np.r_[self.feature, np.zeros(n_new, dtype=np.int64)]
        self.threshold = np.r_[self.threshold, np.full(n_new, -2.0, np.float32)]
        self.children_left[parents] = first + 2 * np.arange(parents.size)
        self.children_right[parents] = first + 2 * np.arange(parents.size) + 1
        self.feature[parents] = feature
        self.threshold[parents] = threshold


@dataclass(eq=False)
class SplitColumns:
    """How the density splits see the columns of the rows ``features``
    (those of every tree): numeric columns by their mean and variance
    (``floors``: the smallest variance a part may have), categorical ones
    (codes ``0 .. n_levels - 1``, missing below) by their outcome shares;
    ``ranks`` holds each value's rank in its column (equal values, equal
    ranks), so that a leaf's rows sort by one integer key."""

    numeric: np.ndarray
    floors: np.ndarray
    categorical: np.ndarray
    n_levels: np.ndarray
    ranks: np.ndarray

    @classmethod
    def of(cls, features, is_levels, n_levels):
        is_levels = np.asarray(is_levels, dtype=bool)
        numeric = np.flatnonzero(~is_levels)
        variance = features[:, numeric].astype(np.float64).var(axis=0)
        floors = np.maximum(_VARIANCE_FLOOR * variance, np.finfo(float).tiny)
        categorical = np.flatnonzero(is_levels)
        ranks = np.column_stack(
            [np.unique(column, return_inverse=True)[1] for column in features.T]
        ).astype(np.int64)
        return cls(
            numeric, floors, categorical, np.asarray(n_levels)[categorical], ranks
        )

    @property
    def n_parameters(self):
        """Parameters of one part: a mean and a variance per numeric column,
        the free shares of each categorical one (missing an outcome more)."""
        return 2 * self.numeric.size + int(self.n_levels.sum())


def split_leaves(tree, features, node, columns, min_rows):
    """Cut the leaves of ``tree`` (a :class:`TreeArrays`) on the training
    rows ``features`` (``node``: the leaf of each; ``columns``: a
    :class:`SplitColumns` of those rows), in place; returns the leaf of each
    row after the cuts."""
    node = node.astype(np.int64)
    # A leaf left whole in one pass would be left whole in the next: each
    # pass looks at the parts the last one cut.
    fresh = np.ones(tree.node_count, dtype=bool)
    for _ in range(_MAX_PASSES):
        counts = np.bincount(node, minlength=tree.node_count)
        splittable = fresh & (tree.children_left == -1) & (counts >= 2 * min_rows)
        rows = np.flatnonzero(splittable[node])
        if not rows.size:
            break
        parents, feature, threshold = _best_splits(
            features[rows], columns.ranks[rows], node[rows], columns, min_rows
        )
        if not parents.size:
            break
        first = tree.node_count
        tree.add_splits(parents, feature, threshold)
        fresh = np.arange(tree.node_count) >= first
        node[rows] = tree.descend(features[rows], node[rows])
    return node


def float32_floor(threshold):
    """Largest float32 at most ``threshold``: a tree sends ``x`` (a float32)
    left when ``x <= threshold``, which is ``x <= float32_floor(threshold)``,
    so the bounds of a leaf are exact in float32."""
    rounded = threshold.astype(np.float32)
    above = rounded.astype(np.float64) > threshold
    rounded[above] = np.nextafter(rounded[above], np.float32(-np.inf))
    return rounded


def _xlogx(n):
    n = np.asarray(n, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(n > 0, n * np.log(n), 0.0)


def _within(cumulative, start, size):
    """Sums within segments from a cumulative sum over rows sorted by
    segment (along the first axis, of one column or several): the total of
    each segment, and the function giving the sum of its rows up to (and
    with) row ``i`` of segment ``s``."""
    first = np.zeros((1, *cumulative.shape[1:]))
    base = np.concatenate([first, cumulative[start[1:] - 1]])
    total = cumulative[start + size - 1] - base
    return total, lambda i, s: cumulative[i] - base[s]


def _numeric_loss(numeric, order, columns, j, start, size, cut, s):
    """Minus the log-likelihood of the numeric columns but ``j`` on both
    sides of each cut (rows ``cut`` of the order ``order``, in leaves
    ``s``), each side a normal of its own mean and variance: summed over
    the columns, a block of them at a time (at most _BLOCK_ENTRIES values
    of the rows), not one by one in Python: the forest's fit on 300 rows of
    300 correlated numbers took 46 s, 15 s in blocks (the same cuts)."""
    keep = columns.numeric != j
    wanted, floors = np.flatnonzero(keep), columns.floors[keep]
    left = (cut - start[s] + 1).astype(float)[:, None]
    right = size[s][:, None] - left
    loss = np.zeros(cut.size)
    block = max(1, _BLOCK_ENTRIES // max(order.size, 1))
    for first in range(0, wanted.size, block):
        part = wanted[first : first + block]
        values = numeric[np.ix_(order, part)]
        total_1, left_1 = _within(np.cumsum(values, axis=0), start, size)
        total_2, left_2 = _within(np.cumsum(values * values, axis=0), start, size)
        sum_1, sum_2 = left_1(cut, s), left_2(cut, s)
        for n, m1, m2 in (
            (left, sum_1 / left, sum_2 / left),
            (right, (total_1[s] - sum_1) / right, (total_2[s] - sum_2) / right),
        ):
            variance = np.maximum(m2 - m1**2, 0.0) + floors[first : first + block]
            loss += 0.5 * (n * np.log(variance)).sum(axis=1)
    return loss


def _best_splits(features, ranks, node, columns, min_rows):
    """The best cut of each leaf of ``node`` whose gain beats its price:
    ``(leaves, columns, thresholds)``, a row going left when its value is at
    most the threshold (a float32 between two values of the rows)."""
    leaves, leaf, size = np.unique(node, return_inverse=True, return_counts=True)
    start = np.r_[0, np.cumsum(size)[:-1]]
    numeric = features[:, columns.numeric].astype(np.float64)
    codes = [
        np.where(code < 0, n, code)
        for code, n in zip(
            features[:, columns.categorical].astype(np.int64).T, columns.n_levels
        )
    ]
    # f(r) - f(r - 1) for f(r) = r log r: the change of a part's sum of
    # n_c log n_c when its n_c-th row of outcome c joins it.
    step = np.diff(_xlogx(np.arange(size.max() + 1)), prepend=0.0)
    # The log-likelihood of each leaf's rows, column by column.
    whole = np.zeros((features.shape[1], leaves.size))
    for j, x, floor in zip(columns.numeric, numeric.T, columns.floors):
        mean = np.bincount(leaf, x) / size
        variance = np.maximum(np.bincount(leaf, x * x) / size - mean**2, 0.0)
        whole[j] = -0.5 * size * np.log(variance + floor)
    outcomes = []
    for j, code, n in zip(columns.categorical, codes, columns.n_levels):
        counts = np.bincount(leaf * (n + 1) + code, minlength=leaves.size * (n + 1))
        whole_sum = _xlogx(counts).reshape(leaves.size, n + 1).sum(axis=1)
        outcomes.append((counts, whole_sum))
        whole[j] = whole_sum - _xlogx(size)
    whole_total = whole.sum(axis=0)
    gains, leaf_of, feature_of, threshold_of = [], [], [], []
    positions = np.arange(node.size)
    for j in range(features.shape[1]):
        order = np.argsort(leaf * (ranks[:, j].max() + 1) + ranks[:, j])
        sorted_leaf, x = leaf[order], features[order, j]
        n_left = positions - start[sorted_leaf] + 1
        n_right = size[sorted_leaf] - n_left
        cut = (n_left >= min_rows) & (n_right >= min_rows)
        cut[:-1] &= x[:-1] < x[1:]
        cut[-1] = False
        cut = np.flatnonzero(cut)
        if not cut.size:
            continue
        s = sorted_leaf[cut]
        left, right = n_left[cut].astype(float), n_right[cut].astype(float)
        # The cut column's own gain is left out: the leaf's normal truncated
        # to each side fits it as well as the part's would (and a cut of
        # codes makes their shares pure anyway).
        gain = whole[j, s] - whole_total[s]
        gain -= _numeric_loss(numeric, order, columns, j, start, size, cut, s)
        for k, code, n, (counts, whole_sum) in zip(
            columns.categorical, codes, columns.n_levels, outcomes
        ):
            if k == j:
                continue
            key = sorted_leaf * (n + 1) + code[order]
            # The rank of each row among the rows of its leaf and outcome, in
            # the order of column j.
            by_key = np.argsort(key, kind="stable")
            sorted_key = key[by_key]
            first = np.r_[True, sorted_key[1:] != sorted_key[:-1]]
            run_start = np.flatnonzero(first)[np.cumsum(first) - 1]
            rank = np.empty(key.size, dtype=np.int64)
            rank[by_key] = positions - run_start + 1
            _, left_sum = _within(np.cumsum(step[rank]), start, size)
            held = counts[key]
            _, moved = _within(np.cumsum(-step[held - rank + 1]), start, size)
            gain += left_sum(cut, s) - _xlogx(left)
            gain += whole_sum[s] + moved(cut, s) - _xlogx(right)
        gains.append(gain)
        leaf_of.append(s)
        feature_of.append(np.full(cut.size, j))
        # Halfway to the next value, as a fitted tree cuts: no training value
        # is stored (the float32 at most the midpoint, which the value below
        # does not exceed).
        threshold_of.append(float32_floor((x[cut] + x[cut + 1].astype(float)) / 2))
    if not gains:
        return (
            np.empty(0, dtype=np.int64),
            np.empty(0, dtype=np.int64),
            np.empty(0, np.float32),
        )
    gain, s = np.concatenate(gains), np.concatenate(leaf_of)
    order = np.lexsort((-gain, s))
    best = order[np.r_[True, s[order][1:] != s[order][:-1]]]
    price = 0.5 * columns.n_parameters * np.log(size[s[best]])
    best = best[gain[best] > price]
    return (
        leaves[s[best]],
        np.concatenate(feature_of)[best],
        np.concatenate(threshold_of)[best],
    )
