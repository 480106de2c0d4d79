"""What an out-of-core fit keeps of a table it sees in parts.

``partial_fit`` on chunks and ``fit`` on a Dask DataFrame never hold the whole
table. Of each part they keep two mergeable summaries:

- a **row sample**: each row gets a random key from a stream seeded by the
  estimator's seed and the part's number, and a sample keeps the rows of
  smallest keys, at most ``capacity`` per class of the target. Keeping the
  smallest keys of two samples is the sample of both parts, whatever the
  order of the merges, so the sample depends on the seed and the parts only
  (never on the number of workers), and it is uniform over all rows even when
  the parts arrive in order (one file per month): the dependence between
  columns is estimated from it;
- **column statistics** per class of the target: row and missing counts,
  exact counts of categories and of numeric columns with few distinct values,
  and a t-digest (a mergeable quantile summary) of the other numeric columns.
  The margins come from them, so rare categories and the tails of a column
  are those of the whole table, not of the sample.
"""

import numpy as np

from ._data import (
    MAX_CLASSES,
    MIN_ROWS_PER_DISCRETE_VALUE,
    concat_tables,
    import_fastdigest,
    is_dataframe,
    is_series,
    take_rows,
)
from ._data._columns import LATTICE
from ._margins import LevelMargin

#: Rows the sample keeps per class of the target (or in all, without classes).
DEFAULT_SAMPLE_ROWS = 200_000
# Distinct values of a numeric column counted exactly; above, a t-digest.
_EXACT_VALUES = 1000
# Centroids of each t-digest. Measured on 2,000,000 normal and lognormal
# values, 40 digests merged: rank error at most 0.0007 (at the median), at
# most 0.00005 below the 1% and above the 99% quantiles; one digest of all
# values, 0.00004.
_DIGEST_CENTROIDS = 2000
#: Rank error the digests' quantiles are documented to stay within.
DIGEST_RANK_ERROR = 0.001
# Values of a many-valued numeric column held by this share of the rows of a
# part or more are counted exactly, out of its digest (a spike in a digest is
# smeared into its neighbours); candidates come from a subsample of this many
# rows, and at most ``_MAX_HEAVY`` values are kept in all.
_HEAVY_SHARE = 0.001
_HEAVY_PROBE = 20_000
_MAX_HEAVY = 2000
# Values standing for a numeric column when its margin is fitted: its
# quantiles at evenly spaced probabilities; a column counted exactly is
# repeated in proportion to its counts, in at most ``_EXACT_POINTS`` values
# (each distinct value at least once: its shares within 0.1%).
_MARGIN_POINTS = 20_000
_LATTICE_POINTS = 200_000
_EXACT_POINTS = 1_000_000


def row_keys(seed, part, n_rows):
    """Random keys of the ``n_rows`` rows of part number ``part``: the same
    for the same seed and part, whatever process draws them."""
    return np.random.default_rng([seed, part]).random(n_rows)


def _labels(y):
    """Distinct values of a target and each row's index among them."""
    if is_series(y):
        import pandas as pd

        codes, uniques = pd.factorize(y, sort=False, use_na_sentinel=False)
        return [_key(u) for u in uniques], codes
    values = np.asarray(y)
    if values.dtype.kind == "O":
        import pandas as pd

        codes, uniques = pd.factorize(values, sort=False, use_na_sentinel=False)
        return list(uniques), codes
    uniques, codes = np.unique(values, return_inverse=True)
    return uniques.tolist(), codes.ravel()


def _concat(blocks):
    """Rows of several parts in one table; a categorical column keeps its
    dtype, with the union of the parts' categories."""
    if not all(is_dataframe(b) for b in blocks):
        return concat_tables(blocks)
    import pandas as pd

    first = blocks[0]
    categorical = [
        c for c in first.columns if isinstance(first[c].dtype, pd.CategoricalDtype)
    ]
    if categorical:
        blocks = [b.copy() for b in blocks]
        for c in categorical:
            dtypes = [b[c].dtype for b in blocks]
            union = list(dict.fromkeys(v for d in dtypes for v in d.categories))
            dtype = pd.CategoricalDtype(union, ordered=dtypes[0].ordered)
            for b in blocks:
                b[c] = b[c].astype(dtype)
    return pd.concat(blocks, ignore_index=True)


def _concat_target(parts):
    if all(is_series(p) for p in parts):
        import pandas as pd

        return pd.concat(parts, ignore_index=True)
    return np.concatenate([np.asarray(p) for p in parts])


class RowSample:
    """Rows of smallest random keys: at most ``capacity`` per stratum (a class
    of the target), or ``capacity`` in all.

    Parameters
    ----------
    capacity : int
        Rows kept per stratum.
    max_strata : int or float
        Strata kept apart at most; with more distinct target values, the
        target is continuous and the sample is one stratum.
    """

    def __init__(self, capacity, max_strata=MAX_CLASSES):
        self.capacity = capacity
        self.max_strata = max_strata
        self.strata = {}  # label -> (keys, X rows, y rows or None)

    @classmethod
    def of(cls, X, y, keys, capacity, max_strata=MAX_CLASSES):
        """The sample of one part ``X`` (target ``y``, row keys ``keys``)."""
        sample = cls(capacity, max_strata)
        if y is None or max_strata <= 1:
            sample.strata[None] = sample._smallest(keys, X, y)
            return sample
        labels, codes = _labels(y)
        if len(labels) > max_strata:
            sample.strata[None] = sample._smallest(keys, X, y)
            return sample
        order = np.argsort(codes, kind="stable")
        bounds = np.searchsorted(codes[order], np.arange(len(labels) + 1))
        for i, label in enumerate(labels):
            rows = order[bounds[i] : bounds[i + 1]]
            sample.strata[label] = sample._smallest(
                keys[rows], take_rows(X, rows), take_rows(y, rows)
            )
        return sample

    def _smallest(self, keys, X, y):
        if keys.size <= self.capacity:
            order = np.argsort(keys, kind="stable")
        else:
            order = np.argpartition(keys, self.capacity)[: self.capacity]
            order = order[np.argsort(keys[order], kind="stable")]
        return (
            keys[order],
            take_rows(X, order),
            None if y is None else take_rows(y, order),
        )

    def merge(self, other):
        """The sample of both parts."""
        merged = RowSample(self.capacity, self.max_strata)
        labels = list(dict.fromkeys([*self.strata, *other.strata]))
        if None in labels or len(labels) > self.max_strata:
            parts = [*self.strata.values(), *other.strata.values()]
            merged.strata[None] = merged._combine(parts)
            return merged
        for label in labels:
            parts = [s.strata[label] for s in (self, other) if label in s.strata]
            merged.strata[label] = merged._combine(parts)
        return merged

    def _combine(self, parts):
        """The smallest keys of several samples of one stratum: chosen on the
        keys first, so that only the rows kept are copied."""
        if len(parts) == 1:
            return parts[0]
        keys = np.concatenate([p[0] for p in parts])
        part_of = np.repeat(np.arange(len(parts)), [p[0].size for p in parts])
        kept = np.argsort(keys, kind="stable")[: self.capacity]
        starts = np.cumsum([0] + [p[0].size for p in parts])
        taken = [
            np.sort(kept[part_of[kept] == i]) - starts[i] for i in range(len(parts))
        ]
        pieces = [(p, rows) for p, rows in zip(parts, taken, strict=True) if rows.size]
        X = _concat([take_rows(p[1], rows) for p, rows in pieces])
        y = None
        if parts[0][2] is not None:
            y = _concat_target([take_rows(p[2], rows) for p, rows in pieces])
        keys = np.concatenate([p[0][rows] for p, rows in pieces])
        return self._smallest(keys, X, y)  # in the order of the keys

    @property
    def n_rows(self):
        return sum(p[0].size for p in self.strata.values())

    def rows(self, uniform=False):
        """The sampled rows ``(X, y)``: every stratum's, or with ``uniform``
        a uniform sample of the whole table (the rows whose key is below a
        threshold that every full stratum's sample reaches)."""
        parts = list(self.strata.values())
        if uniform and len(parts) > 1:
            full = [p[0][-1] for p in parts if p[0].size >= self.capacity]
            keys = np.sort(np.concatenate([p[0] for p in parts]))
            threshold = keys[min(self.capacity, keys.size) - 1]
            if full:
                threshold = min(threshold, min(full))
            parts = [self._below(p, threshold) for p in parts]
            parts = [p for p in parts if p[0].size] or parts[:1]
        X = _concat([p[1] for p in parts]) if len(parts) > 1 else parts[0][1]
        if parts[0][2] is None:
            return X, None
        y = _concat_target([p[2] for p in parts]) if len(parts) > 1 else parts[0][2]
        return X, y

    @staticmethod
    def _below(part, threshold):
        keep = np.flatnonzero(part[0] <= threshold)
        y = None if part[2] is None else take_rows(part[2], keep)
        return part[0][keep], take_rows(part[1], keep), y


class ColumnStats:
    """Mergeable statistics of the encoded columns of one group of rows.

    Parameters
    ----------
    level_columns : dict
        ``{position: n_levels}`` of the categorical and boolean columns.
    """

    def __init__(self, n_columns, level_columns):
        self.n_rows = 0
        self.n_missing = np.zeros(n_columns, dtype=np.int64)
        self.levels = {k: np.zeros(n, dtype=np.int64) for k, n in level_columns.items()}
        self.exact = {}  # position -> (values, counts), or None when many-valued
        self.heavy = {}  # position -> (values, counts) of its frequent values
        self.digests = {}  # position -> t-digest of the other observed values

    @classmethod
    def of(cls, values, level_columns):
        """Statistics of the encoded rows ``values``."""
        stats = cls(values.shape[1], level_columns)
        stats.n_rows = values.shape[0]
        missing = np.isnan(values)
        stats.n_missing = missing.sum(axis=0)
        fastdigest = import_fastdigest("Fitting out of core")
        for k in range(values.shape[1]):
            observed = values[~missing[:, k], k]
            if k in level_columns:
                codes = observed[observed >= 0].astype(np.int64)
                stats.levels[k] = np.bincount(codes, minlength=level_columns[k])
                continue
            stats.exact[k] = _exact_counts(observed)
            stats.heavy[k], is_heavy = _heavy_values(observed)
            stats.digests[k] = fastdigest.TDigest.from_values(
                observed[~is_heavy], max_centroids=_DIGEST_CENTROIDS
            )
        return stats

    def merge(self, other):
        """Statistics of both groups of rows."""
        merged = ColumnStats(self.n_missing.size, {})
        merged.n_rows = self.n_rows + other.n_rows
        merged.n_missing = self.n_missing + other.n_missing
        for k in {*self.levels, *other.levels}:
            a = self.levels.get(k, np.zeros(0, dtype=np.int64))
            b = other.levels.get(k, np.zeros(0, dtype=np.int64))
            n = max(a.size, b.size)
            merged.levels[k] = np.pad(a, (0, n - a.size)) + np.pad(b, (0, n - b.size))
        for k in {*self.digests, *other.digests}:
            if k not in self.digests or k not in other.digests:
                source = self if k in self.digests else other
                merged.digests[k], merged.exact[k] = source.digests[k], source.exact[k]
                merged.heavy[k] = source.heavy[k]
                continue
            merged.exact[k] = _merge_exact(self.exact[k], other.exact[k])
            merged.heavy[k], dropped = _merge_heavy(self.heavy[k], other.heavy[k])
            digest = self.digests[k].merge(other.digests[k])
            if dropped[0].size:
                digest = digest.merge(_digest_of_counts(*dropped))
            merged.digests[k] = digest
        return merged

    def column(self, k):
        """The statistics of column ``k`` (see :class:`ColumnSummary`)."""
        return ColumnSummary(
            n_rows=self.n_rows,
            n_missing=int(self.n_missing[k]),
            counts=self.levels.get(k),
            exact=self.exact.get(k),
            digest=self.digests.get(k),
            heavy=self.heavy.get(k),
        )


def _heavy_values(observed):
    """The values of a column held by ``_HEAVY_SHARE`` of its rows or more
    (spikes, such as the zeros of an amount) with their counts, and which
    rows hold them. Candidates come from a systematic subsample, their
    counts from all rows."""
    none = (np.zeros(0), np.zeros(0, dtype=np.int64))
    if observed.size == 0:
        return none, np.zeros(0, dtype=bool)
    probe = observed[:: max(1, observed.size // _HEAVY_PROBE)]
    values, counts = np.unique(probe, return_counts=True)
    candidates = values[counts >= max(2, _HEAVY_SHARE * probe.size / 2)]
    if candidates.size == 0:
        return none, np.zeros(observed.size, dtype=bool)
    index = np.minimum(np.searchsorted(candidates, observed), candidates.size - 1)
    hit = candidates[index] == observed
    counts = np.bincount(index[hit], minlength=candidates.size)
    keep = counts >= _HEAVY_SHARE * observed.size
    return (candidates[keep], counts[keep]), hit & keep[index]


def _merge_heavy(a, b):
    """Frequent values of two groups of rows (counts summed), at most
    ``_MAX_HEAVY`` of them, and those dropped beyond (for the digest)."""
    distinct, inverse = np.unique(np.concatenate([a[0], b[0]]), return_inverse=True)
    counts = np.bincount(inverse, weights=np.concatenate([a[1], b[1]]))
    counts = counts.astype(np.int64)
    keep = np.zeros(distinct.size, dtype=bool)
    keep[np.argsort(-counts, kind="stable")[:_MAX_HEAVY]] = True
    return (distinct[keep], counts[keep]), (distinct[~keep], counts[~keep])


def _digest_of_counts(values, counts):
    """A t-digest of ``values``, each held by ``counts`` rows (a centroid
    each), to merge into another digest."""
    fastdigest = import_fastdigest("Fitting out of core")
    centroids = [
        {"m": v, "c": c} for v, c in zip(values.tolist(), counts.tolist(), strict=True)
    ]
    return fastdigest.TDigest.from_dict(
        {
            "max_centroids": _DIGEST_CENTROIDS,
            "mass": float(counts.sum()),
            "sum": float(values @ counts),
            "min": float(values.min()),
            "max": float(values.max()),
            "n_values": int(counts.sum()),
            "centroids": centroids,
        }
    )


def _digest_points(digest, m):
    """``m`` quantiles of a t-digest at evenly spaced probabilities, its
    smallest and largest values at the ends.

    A value held by several centroids is a repeated value: the probabilities
    of its ranks get the value itself, not values interpolated towards the
    neighbouring centroids.
    """
    probs = (np.arange(m) + 0.5) / m
    points = np.asarray(digest.quantile_vec(probs), dtype=float)
    centroids = np.asarray(digest.centroids, dtype=float).reshape(-1, 2)
    order = np.argsort(centroids[:, 0], kind="stable")
    means, weights = centroids[order, 0], centroids[order, 1]
    _, inverse, counts = np.unique(means, return_inverse=True, return_counts=True)
    shared = counts[inverse] > 1
    if shared.any():
        upper = np.cumsum(weights) / weights.sum()
        index = np.minimum(np.searchsorted(upper, probs, side="right"), means.size - 1)
        repeated = shared[index]
        points[repeated] = means[index[repeated]]
    points[0], points[-1] = digest.min(), digest.max()
    return np.sort(points)


def _exact_counts(observed):
    """Distinct values and counts of a column with at most ``_EXACT_VALUES``
    of them, else None (told from a prefix when it already holds more)."""
    probe = observed[: 20 * _EXACT_VALUES]
    if probe.size < observed.size and np.unique(probe).size > _EXACT_VALUES:
        return None
    distinct, counts = np.unique(observed, return_counts=True)
    return (distinct, counts) if distinct.size <= _EXACT_VALUES else None


def _merge_exact(a, b):
    if a is None or b is None:
        return None
    values = np.concatenate([a[0], b[0]])
    distinct, inverse = np.unique(values, return_inverse=True)
    if distinct.size > _EXACT_VALUES:
        return None
    counts = np.bincount(inverse, weights=np.concatenate([a[1], b[1]]))
    return distinct, counts.astype(np.int64)


class ColumnSummary:
    """What the whole table says about one encoded column (of one class).

    Attributes
    ----------
    n_rows, n_missing : int
        Rows, and missing values among them.
    counts : ndarray or None
        Rows per code of a categorical or boolean column.
    exact : tuple or None
        ``(values, counts)`` of a numeric column with few distinct values.
    digest : TDigest or None
        Quantile summary of a numeric column's observed values but its
        frequent ones.
    heavy : tuple or None
        ``(values, counts)`` of those frequent values (spikes).
    """

    def __init__(
        self, n_rows, n_missing, counts=None, exact=None, digest=None, heavy=None
    ):
        self.n_rows = n_rows
        self.n_missing = n_missing
        self.counts = counts
        self.exact = exact
        self.digest = digest
        self.heavy = heavy

    @property
    def n_observed(self):
        return self.n_rows - self.n_missing

    @property
    def missing_rate(self):
        return self.n_missing / self.n_rows if self.n_rows else 0.0

    def level_margin(self, n_levels):
        """The margin of a categorical or boolean column over all rows."""
        return LevelMargin(self.level_counts(n_levels), self.n_rows, self.missing_rate)

    def margin_inputs(self, spec):
        """``(points, family, n_rows)`` to fit a numeric column's margin as on
        all rows: :meth:`margin_points`, and the rows the points stand for
        (so that the margin's missing share is that of all rows)."""
        points, family = self.margin_points(spec)
        return points, family, round(points.size * self.n_rows / self.n_observed)

    def restate(self, margin):
        """``margin``, fitted on :meth:`margin_inputs`, with the row count
        and missing share of all rows."""
        margin.n_rows = self.n_rows
        margin.missing_rate = self.missing_rate
        return margin

    def level_counts(self, n_levels):
        counts = np.zeros(n_levels, dtype=np.int64)
        counts[: min(n_levels, self.counts.size)] = self.counts[:n_levels]
        return counts

    def on_a_dense_lattice(self, spec):
        """Whether a numeric column whose values are multiples of
        ``10 ** -decimals`` (its schema, learnt on a sample) is discrete by
        the data layer's rule on all its rows: it is when its rows other than
        frequent values are at least ``MIN_ROWS_PER_DISCRETE_VALUE`` times as
        many as the multiples in its range (so each value repeats that often
        on average). A sample may hold too few rows to see it; the margin of
        such a column is then made of its values, as in memory."""
        support = spec.support
        if self.digest is None or support is None or support.kind != LATTICE:
            return False
        if support.declared:
            return False
        grid = round((spec.high - spec.low) * 10.0**support.decimals) + 1
        rest = self.n_observed - (self.heavy[1].sum() if self.heavy else 0)
        return rest >= MIN_ROWS_PER_DISCRETE_VALUE * grid

    def margin_points(self, spec):
        """``(points, family)`` for the margin fit of a numeric column: its
        :meth:`points`, and None (the estimator's family); for a discrete
        column of many values (a finite support, or a lattice dense enough
        on all rows, see :meth:`on_a_dense_lattice`), more points snapped to
        the column's values, and "discrete"."""
        if self.exact is not None:
            return self.points(), None
        if spec.is_discrete or self.on_a_dense_lattice(spec):
            return spec.support.snap(self.points(_LATTICE_POINTS)), "discrete"
        return self.points(), None

    def points(self, max_points=_MARGIN_POINTS):
        """Values standing for the column's observed values in a margin fit:
        its quantiles at evenly spaced probabilities (with its smallest and
        largest value), every distinct value at least once when there are
        few of them."""
        n = self.n_observed
        if n == 0:
            return np.zeros(0)
        if self.exact is not None:
            values, counts = self.exact
            m = int(min(n, _EXACT_POINTS))
            if m == n:
                return np.repeat(values, counts)
            # Largest remainder: m points in all, each value at least once.
            share = counts / counts.sum() * (m - values.size)
            repeats = 1 + np.floor(share).astype(np.int64)
            short = m - repeats.sum()
            if short > 0:
                repeats[np.argsort(share - np.floor(share))[::-1][:short]] += 1
            return np.repeat(values, repeats)
        m = int(min(n, max_points))
        values, counts = self.heavy
        repeats = np.maximum(np.round(m * counts / n), 1).astype(np.int64)
        points = [np.repeat(values, repeats)]
        rest = m - repeats.sum()
        if rest > 0 and self.digest.n_values:
            points.append(_digest_points(self.digest, rest))
        return np.sort(np.concatenate(points))


class TableSummary:
    """The state of an out-of-core fit: the table's schema (widened by every
    part), its fitted rules, a row sample and column statistics per class.

    Parameters
    ----------
    seed : int
        Seeds the row keys of every part.
    schema : TableSchema
        Learnt on the first part (or on a sample), widened by the others.
    rules : RuleSet or None
        Fitted rules; parts are transformed by them before anything else.
    target : TargetSchema or None
        Whether the target holds classes, decided on the first part.
    capacity : int, default=None
        Rows the sample keeps per class (or in all); None for
        ``DEFAULT_SAMPLE_ROWS``.
    """

    def __init__(self, seed, schema, rules, target, capacity=None):
        self.seed = seed
        self.schema = schema
        self.rules = rules
        self.target = target
        self.capacity = DEFAULT_SAMPLE_ROWS if capacity is None else capacity
        self.sample = RowSample(self.capacity, self.max_strata)
        self.stats = {}  # class label (None without classes) -> ColumnStats
        self.n_parts = 0
        self.n_rows = 0

    @property
    def classification(self):
        return self.target is not None and self.target.is_classification

    @property
    def max_strata(self):
        return np.inf if self.classification else 1

    def level_columns(self):
        """``{position: n_levels}`` of the encoded categorical and boolean
        columns."""
        return {
            k: len(spec.categories)
            for k, spec in enumerate(self.schema.modelled_columns)
            if spec.is_levels
        }

    def part_stats(self, values, y):
        """Column statistics of the encoded rows ``values`` of one part, per
        class of ``y`` (a continuous target is one more column)."""
        levels = self.level_columns()
        if self.target is None:
            return {None: ColumnStats.of(values, levels)}
        if not self.classification:
            joint = np.column_stack([values, self.target.encode(y)])
            return {None: ColumnStats.of(joint, levels)}
        labels, codes = _labels(y)
        return {
            _key(label): ColumnStats.of(values[codes == i], levels)
            for i, label in enumerate(labels)
        }

    def add_stats(self, stats):
        for label, part in stats.items():
            old = self.stats.get(label)
            self.stats[label] = part if old is None else old.merge(part)

    def add(self, X, y, part=None):
        """Take in one part (already transformed by the rules): widen the
        schema, then count its columns and sample its rows."""
        from ._data._widening import widen, widening_of

        part = self.n_parts if part is None else part
        widening, values = widening_of(self.schema, X)
        if widening.levels:
            self.schema = widen(self.schema, widening)
            values = self.schema.encode(X)
        else:
            self.schema = widen(self.schema, widening)
        self.add_stats(self.part_stats(values, y))
        keys = row_keys(self.seed, part, values.shape[0])
        self.sample = self.sample.merge(
            RowSample.of(X, y, keys, self.capacity, self.max_strata)
        )
        self.n_parts += 1
        self.n_rows += values.shape[0]

    def class_counts(self, classes):
        """Rows of each class label of ``classes``, in that order."""
        return np.array(
            [
                self.stats[_key(c)].n_rows if _key(c) in self.stats else 0
                for c in classes
            ]
        )

    def summaries(self, label=..., n_columns=None):
        """One :class:`ColumnSummary` per encoded column of the rows of class
        ``label`` (``...``: all rows), the continuous target last."""
        groups = (
            list(self.stats.values()) if label is ... else [self.stats[_key(label)]]
        )
        merged = groups[0]
        for other in groups[1:]:
            merged = merged.merge(other)
        n_columns = merged.n_missing.size if n_columns is None else n_columns
        return [merged.column(k) for k in range(n_columns)]


def _key(label):
    """A class label as a dictionary key (numpy scalars as Python ones)."""
    return label.item() if isinstance(label, np.generic) else label
