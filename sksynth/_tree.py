"""Sequential decision-tree (CART) synthesizer."""

import numbers
import warnings
from dataclasses import dataclass

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions

from ._base import BaseSynthesizer
from ._data import CATEGORICAL, MAX_DISCRETE_LEVELS
from ._docstring import synthesizer_docstring
from ._margins import fit_level_margin, fit_margin, silverman_bandwidth
from ._progress import Progress
from .constraints._linked import LINKED_COLUMNS_PARAMETER

# A value held by at least this many training rows does not single out a row:
# it is drawn as it is, never smoothed (this keeps heaping such as round hours).
_COMMON_COUNT = 10
# Smallest leaf of min_samples_leaf="auto".
_MIN_LEAF = 5
# Leaves with more smoothed donors than this evaluate their kernel mixture on
# this many quantiles of the donors' values (score_samples and conditions).
_MAX_DENSITY_DONORS = 256
# A reflected kernel counts for points within this many bandwidths of a bound.
_REFLECT_WITHIN = 8.0
# Rows used to measure the dependence that orders the columns: at most
# _ORDER_SUBSAMPLE, and fewer (but at least _ORDER_MIN_ROWS) for tables of more
# than _ORDER_CELLS / _ORDER_SUBSAMPLE columns, which bounds the memory and
# time of the joint counts of all column pairs.
_ORDER_SUBSAMPLE = 5000
_ORDER_CELLS = 1_000_000
_ORDER_MIN_ROWS = 500
_ORDER_BINS = 10
_ORDER_MAX_LEVELS = 50
# Entries of one block of joint counts (levels x levels) of the column pairs.
_MI_BLOCK = 4_000_000
# Kernel evaluations per block when scoring.
_PAIR_BLOCK = 4_000_000
# Weight, in training rows, of the column's overall distribution in each
# leaf's distribution when scoring (additive smoothing): an outcome no row of
# a leaf holds keeps a small probability, so held-out rows get a finite score.
# Sampling draws from the leaves as they are: sending draws to the overall
# distribution cost fidelity (breast cancer, 3 seeds: GB detection 0.521 with
# leaf draws only, 0.534 / 0.548 with weights 0.05 / 0.5).
_PRIOR_WEIGHT = 0.5
# Sampling under conditions draws candidate rows in batches and accepts each
# with its probability of the conditioned values (rejection sampling); it
# stops after this many candidates per requested row (and at least
# _MIN_CANDIDATES), and resamples the rows still missing from the candidates
# in proportion to that probability.
_CONDITION_BATCH = 1000
_MAX_CANDIDATES_PER_ROW = 500
_MIN_CANDIDATES = 200_000
_MISSING = np.inf  # how a missing value is held in a pool of discrete outcomes
_SQRT_2PI = np.sqrt(2.0 * np.pi)


@dataclass(eq=False)
class _LeafPool:
    """Training values of one column grouped by tree leaf, sorted in each leaf.

    Drawing a row's value is picking a donor uniformly among the training rows
    of its leaf. Scoring mixes in, with weight ``prior_weight / (count +
    prior_weight)``, all the training rows (the last, "prior" leaf): the
    leaf's outcome shares smoothed towards the column's overall shares.
    Continuous columns also hold the smoothing kernel: per leaf bandwidths
    and the (possibly condensed) donors that are not spikes.
    """

    values: np.ndarray  # sorted by (leaf, value)
    keys: np.ndarray  # leaf * n_unique + rank of the value, sorted
    uniques: np.ndarray
    starts: np.ndarray  # per leaf
    counts: np.ndarray  # per leaf, the prior leaf last
    prior_weight: float = 0.0
    # Smoothing (continuous columns only).
    is_atom: np.ndarray | None = None  # per sorted value
    bandwidth: np.ndarray | None = None  # per leaf
    low: float = -np.inf
    high: float = np.inf
    kernel_values: np.ndarray | None = None
    kernel_weights: np.ndarray | None = None
    kernel_starts: np.ndarray | None = None
    kernel_counts: np.ndarray | None = None

    @classmethod
    def build(cls, leaf, x, n_leaves, prior_weight=0.0):
        # Every row also goes to the prior leaf, number n_leaves, whose keys
        # follow those of every other leaf: it is sorted on its own.
        uniques, rank = np.unique(x, return_inverse=True)
        keys = leaf.astype(np.int64) * len(uniques) + rank
        own = np.argsort(keys, kind="stable")
        prior = np.argsort(rank, kind="stable")
        values = np.concatenate([x[own], x[prior]])
        keys = np.concatenate([keys[own], n_leaves * len(uniques) + rank[prior]])
        counts = np.append(np.bincount(leaf, minlength=n_leaves), len(x))
        starts = np.cumsum(counts) - counts
        return cls(values, keys, uniques, starts, counts, prior_weight)

    @property
    def n_leaves(self):
        return len(self.counts) - 1

    @property
    def smoothed(self):
        return self.bandwidth is not None

    def add_smoothing(self, atoms, factor, low, high):
        """Kernel bandwidth per leaf for the donors that are not spikes."""
        self.low, self.high = low, high
        self.is_atom = np.isin(self.values, atoms)
        leaf = np.repeat(np.arange(len(self.counts)), self.counts)
        free = ~self.is_atom
        m = np.bincount(leaf[free], minlength=len(self.counts)).astype(float)
        total = np.bincount(leaf[free], self.values[free], minlength=len(m))
        square = np.bincount(leaf[free], self.values[free] ** 2, minlength=len(m))
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = total / m
            sd = np.sqrt(np.maximum(square / m - mean**2, 0.0))
            bandwidth = 0.9 * sd * m ** (-0.2)
        fallback = silverman_bandwidth(self.values[free])
        usable = (m >= 2) & (bandwidth > 0) & np.isfinite(bandwidth)
        self.bandwidth = factor * np.where(usable, bandwidth, fallback)
        self._condense(leaf[free], self.values[free], m)

    def _condense(self, leaf, values, m):
        """Donors of the kernel mixture, at most _MAX_DENSITY_DONORS per leaf."""
        counts = m.astype(int)
        big = np.flatnonzero(counts > _MAX_DENSITY_DONORS)
        weights = np.ones(len(values))
        if big.size:
            starts = np.cumsum(counts) - counts
            keep = np.ones(len(values), dtype=bool)
            extra_values, extra_leaf, extra_weights = [], [], []
            for p in big:  # only leaves larger than the cap
                segment = values[starts[p] : starts[p] + counts[p]]
                keep[starts[p] : starts[p] + counts[p]] = False
                q = (np.arange(_MAX_DENSITY_DONORS) + 0.5) / _MAX_DENSITY_DONORS
                extra_values.append(np.quantile(segment, q))
                extra_leaf.append(np.full(_MAX_DENSITY_DONORS, p))
                extra_weights.append(
                    np.full(_MAX_DENSITY_DONORS, counts[p] / _MAX_DENSITY_DONORS)
                )
            leaf = np.concatenate([leaf[keep], *extra_leaf])
            order = np.argsort(leaf, kind="stable")
            leaf = leaf[order]
            values = np.concatenate([values[keep], *extra_values])[order]
            weights = np.concatenate([weights[keep], *extra_weights])[order]
            counts = np.minimum(counts, _MAX_DENSITY_DONORS)
        self.kernel_values = values
        self.kernel_weights = weights
        self.kernel_counts = counts
        self.kernel_starts = np.cumsum(counts) - counts

    def draw(self, leaf, rng):
        """One donor value per row, from the row's leaf (then smoothed)."""
        pick = (rng.random_sample(len(leaf)) * self.counts[leaf]).astype(np.int64)
        index = self.starts[leaf] + np.minimum(pick, self.counts[leaf] - 1)
        values = self.values[index]
        if self.smoothed:
            free = ~self.is_atom[index]
            noise = rng.standard_normal(int(free.sum())) * self.bandwidth[leaf[free]]
            values[free] = _reflect(values[free] + noise, self.low, self.high)
        return values

    def log_probability(self, leaf, x):
        """Log probability (spikes, discrete values) or log density of ``x``:
        the leaf's, mixed with the prior leaf's."""
        x = np.where(np.isnan(x), _MISSING, x)
        own = self._probability(leaf, x)
        if self.prior_weight == 0:
            out = _log(own)
        else:
            size = self.counts[leaf]
            prior = self._probability(np.full(len(x), self.n_leaves), x)
            out = _log(
                (size * own + self.prior_weight * prior) / (size + self.prior_weight)
            )
        if self.smoothed:
            # Far from every donor the kernels underflow: the same mixture in
            # log space.
            lost = np.flatnonzero(np.isneginf(out) & np.isfinite(x))
            lost = lost[~np.isin(x[lost], self.values[self.is_atom])]
            if lost.size:
                out[lost] = self._log_smoothed(leaf[lost], x[lost])
        return out

    def _log_smoothed(self, leaf, x):
        """Log density of smoothed values, the leaf mixed with the prior leaf."""
        own = self._kernel_log_density(leaf, x)
        if self.prior_weight == 0:
            return own
        size = self.counts[leaf]
        prior = self._kernel_log_density(np.full(len(x), self.n_leaves), x)
        return np.logaddexp(
            np.log(size) + own, np.log(self.prior_weight) + prior
        ) - np.log(size + self.prior_weight)

    def _probability(self, leaf, x):
        point = self._point_share(leaf, x)
        if not self.smoothed:
            return point
        spike = np.isin(x, self.values[self.is_atom])
        density = np.zeros(len(x))
        free = np.flatnonzero(~spike & np.isfinite(x))
        density[free] = self._kernel_density(leaf[free], x[free])
        return np.where(spike, point, density)

    def _point_share(self, leaf, x):
        rank = np.clip(np.searchsorted(self.uniques, x), 0, len(self.uniques) - 1)
        found = self.uniques[rank] == x
        keys = leaf.astype(np.int64) * len(self.uniques) + rank
        count = np.searchsorted(self.keys, keys, "right") - np.searchsorted(
            self.keys, keys, "left"
        )
        return np.where(found, count, 0) / self.counts[leaf]

    def _kernel_pairs(self, leaf, x):
        """Each row paired with the kernel donors of its leaf, in blocks of at
        most _PAIR_BLOCK pairs (and at least one row). Yields the rows of a
        block, and for each pair its row within the block and its donor; and
        where each row's pairs start within the block."""
        sizes = self.kernel_counts[leaf]
        ends = np.cumsum(sizes)
        begin = 0
        while begin < len(x):
            stop = int(np.searchsorted(ends, ends[begin] - sizes[begin] + _PAIR_BLOCK))
            stop = max(stop, begin + 1)
            block = np.arange(begin, min(stop, len(x)))
            size = sizes[block]
            first = np.cumsum(size) - size
            row = np.repeat(np.arange(len(block)), size)
            offset = np.arange(row.size) - np.repeat(first, size)
            donor = np.repeat(self.kernel_starts[leaf[block]], size) + offset
            yield block, row, donor, first
            begin = block[-1] + 1

    def _kernel_log_density(self, leaf, x):
        """Log of :meth:`_kernel_density` without reflections, in log space
        (for values far beyond every donor, where the kernels underflow)."""
        out = np.full(len(x), -np.inf)
        rows = np.flatnonzero(self.kernel_counts[leaf] > 0)
        leaf, x = leaf[rows], x[rows]
        for block, row, donor, first in self._kernel_pairs(leaf, x):
            h = self.bandwidth[leaf[block]][row]
            z = (x[block][row] - self.kernel_values[donor]) / h
            log_kernel = (
                -0.5 * z**2 - np.log(h * _SQRT_2PI) + np.log(self.kernel_weights[donor])
            )
            top = np.maximum.reduceat(log_kernel, first)
            total = np.add.reduceat(np.exp(log_kernel - top[row]), first)
            out[rows[block]] = top + np.log(total) - np.log(self.counts[leaf[block]])
        return out

    def _kernel_density(self, leaf, x):
        """Smoothed density: kernels at the leaf's non-spike donors, reflected
        at the bounds, over all the leaf's donors. Outside the bounds (rows
        scored that lie beyond the training range) the unreflected kernels."""
        density = np.zeros(len(x))
        for block, row, donor, _ in self._kernel_pairs(leaf, x):
            h = self.bandwidth[leaf[block]][row]
            v = self.kernel_values[donor]
            y = x[block][row]
            kernel = _normal(y - v, h)
            # Reflections matter only within a few bandwidths of a bound.
            inside = (y >= self.low) & (y <= self.high)
            for bound in (self.low, self.high):
                near = np.flatnonzero(
                    inside & (np.abs(y - bound) < _REFLECT_WITHIN * h)
                )
                kernel[near] += _normal(y[near] - (2 * bound - v[near]), h[near])
            density[block] = np.bincount(
                row, self.kernel_weights[donor] * kernel, minlength=len(block)
            )
        return density / self.counts[leaf]


@dataclass(eq=False)
class _Step:
    """One column of the visit order, or whether that column is missing: its
    tree and the training values in each of the tree's leaves."""

    column: int
    role: str  # "value" or "missing"
    predictors: np.ndarray
    tree: object  # fitted decision tree, or None for the first column
    leaf_of_node: np.ndarray | None
    pool: _LeafPool
    # Position of each level of the categorical predictors on a line,
    # {index in predictors: position of each code}.
    level_positions: dict

    def features(self, values):
        """The predictors as the tree sees them: categories as positions."""
        X = values[:, self.predictors]
        for k, positions in self.level_positions.items():
            codes = X[:, k].copy()
            known = (codes >= 0) & (codes < len(positions))
            X[:, k] = np.nan
            X[known, k] = positions[codes[known].astype(np.int64)]
        return X

    def leaves(self, values):
        if self.tree is None or values.shape[0] == 0:
            return np.zeros(values.shape[0], dtype=np.int64)
        return self.leaf_of_node[self.tree.apply(self.features(values))]

    def draw(self, values, rng):
        return self.pool.draw(self.leaves(values), rng)

    def log_probability(self, values, x):
        return self.pool.log_probability(self.leaves(values), x)


@dataclass(eq=False)
class _TreeModel:
    steps: list
    order: np.ndarray
    n_columns: int
    columns: list  # ColumnSpec of each column, to name them in errors
    margins: list  # column model of each column (novel values when scoring)


@synthesizer_docstring
class TreeSynthesizer(BaseSynthesizer):
    """Synthetic rows by sequential decision trees (CART synthesis).

    Columns are generated one after another in a visit order. The first is
    drawn from its own distribution; each next column is modelled by a
    decision tree on the columns before it (a classification tree for
    categorical and few-valued columns, a regression tree otherwise). A new
    row is routed down each tree with its values so far, and the column's
    value is drawn from the training rows in the leaf it reaches. Numeric
    donors are smoothed with a kernel so real values are not copied.

    Parameters
    ----------
    visit_order : "auto" or array-like, default="auto"
        Order in which the columns are generated. "auto" starts with the
        column most associated with the others and then adds, at each step,
        the column most associated with those already chosen (mutual
        information of the binned columns on a subsample). A list gives every
        column of ``X``, by name or position. A target ``y`` is always last,
        so every column takes part in modelling it.
    max_depth : int, default=None
        Maximum depth of each tree; None grows them until the leaves reach
        ``min_samples_leaf``.
    min_samples_leaf : "auto" or int, default="auto"
        Smallest number of training rows in a leaf: the pool of donors a
        value is drawn from. Larger leaves give smoother, more private but
        less faithful data. "auto" takes ``max(5, ceil(2 * sqrt(n) / 3))`` for
        ``n`` training rows: leaves grow with the data, and so does their
        number (104 rows per leaf and at most 235 leaves for 24,000 rows).
        The tree of a target ``y`` then gets leaves four times smaller (at
        least 5 rows): the target is what a model learns from the synthetic
        rows, and its values do not single out a row.
    max_predictors : int or None, default=50
        Most earlier columns the tree of a column is fitted on: the ones most
        associated with it (mutual information of the binned columns, as for
        the visit order). None uses every earlier column. This bounds the
        time on wide tables (200 rows x 2,000 columns: about 95 s with every
        column, about 15 s with 50) and leaves tables of at most 51 columns
        unchanged; the target's tree always uses every column.
    smoothing : bool or float, default=True
        Whether to add Gaussian noise to rare donor values of numeric columns
        that are not few-valued (more than 20 distinct values, or fewer
        values than twice their number), with a bandwidth from the spread of
        the leaf (Silverman's rule on the leaf's values); integer columns are
        rounded back to whole numbers. A number scales that bandwidth. A value
        held by at least 10 training rows does not single out a row and is
        drawn as it is (so heaping such as round numbers is kept), as are
        spikes (zeros, a cap) and few-valued, boolean and categorical columns.
    %(categorical_features)s
    %(column_options)s
    %(linked_columns)s
    enforce_range : bool, default=True
        Whether sampled numeric values stay inside the range seen in ``fit``.
        Smoothed values are reflected at the bounds of that range.
    target_type : {"auto", "classification", "regression"}, default="auto"
        How ``y`` passed to ``fit`` is modelled: "auto" takes strings,
        booleans, categories and whole numbers with at most 20 distinct values
        for classes (a classification tree), other numbers for a continuous
        target (a regression tree). Either way the target is the last column.
    random_state : int, RandomState instance or None, default=None
        Controls the trees' tie-breaking and, through ``random_state_``, the
        draws of ``sample``. Pass an int for reproducible output across calls.
    %(verbose)s

    Attributes
    ----------
    visit_order_ : list
        Column names (positions for arrays) in the order they are generated,
        the target last.
    n_leaves_ : dict
        Number of leaves of the tree of each column, ``{column: n_leaves}``
        (1 for the first column).
    %(synthesizer_attributes)s

    See Also
    --------
    GaussianCopulaSynthesizer : Parametric margins and a Gaussian copula.
    KDESynthesizer : Mixed-type kernel density estimate.

    Notes
    -----
    The joint distribution is factorised in the visit order,
    :math:`p(x) = p(x_1) \\prod_j p(x_j \\mid x_1, \\dots, x_{j-1})`, and each
    conditional is the empirical distribution of the column in the leaf of a
    CART tree [1]_ fitted on the preceding columns (for continuous columns,
    smoothed by a Gaussian kernel reflected at the observed range). Missing
    values are an outcome: a categorical column draws "missing" like any
    level, a numeric column first draws whether it is missing.

    ``score_samples`` is the log of that product with additive smoothing of
    each leaf towards the column's overall distribution: a leaf of :math:`m`
    training rows weighs :math:`m / (m + 0.5)`, all the column's training rows
    the rest, as if half a row spread by the overall shares were added to
    every leaf, so every value seen in ``fit`` (a level, a spike, "missing")
    keeps a positive probability in every leaf. Sampling draws from the
    leaves as they are (drawing from the smoothed leaves made samples easier
    to tell from real rows). The score is the share of the donors holding
    the value for discrete values and spikes, the kernel mixture density for
    smoothed values (evaluated on 256 quantiles of the donors in leaves
    holding more). Values the trees never draw (beyond the range seen in
    ``fit``, a category or a value of a discrete column not seen in ``fit``,
    any new value of a numeric column with ``smoothing=False``) are novel
    outcomes of probability ``1 / (n + 1)`` (see :meth:`score_samples`), so
    held-out rows always get a finite score. With
    ``conditions``, rows are drawn with the conditioned values fixed and kept
    with a probability proportional to the (smoothed) probability of those
    values under the trees (rejection sampling), so they follow the conditional
    distribution exactly and are as distinct as unconditional ones; for
    conditions so rare that 500 candidates per requested row (at least
    200,000) do not suffice, the remaining rows are resampled from the last
    candidates in proportion to that probability, and may repeat.

    References
    ----------
    .. [1] J. P. Reiter, "Using CART to generate partially synthetic public
       use microdata", Journal of Official Statistics 21(3), 2005.

    Examples
    --------
    >>> import numpy as np
    >>> from sksynth import TreeSynthesizer
    >>> rng = np.random.RandomState(0)
    >>> x = rng.uniform(0, 10, 1000)
    >>> X = np.column_stack([x, np.sin(x) + rng.normal(0, 0.1, 1000)])
    >>> synth = TreeSynthesizer(random_state=0).fit(X)
    >>> X_new = synth.sample(1000)
    >>> X_new.shape
    (1000, 2)
    >>> error = X_new[:, 1] - np.sin(X_new[:, 0])
    >>> bool(np.abs(error).mean() < 0.2)
    True
    """

    _target_as_column = True

    _parameter_constraints: dict = {
        **BaseSynthesizer._parameter_constraints,
        "linked_columns": LINKED_COLUMNS_PARAMETER,
        "visit_order": [StrOptions({"auto"}), "array-like"],
        "max_depth": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "min_samples_leaf": [
            StrOptions({"auto"}),
            Interval(numbers.Integral, 1, None, closed="left"),
        ],
        "max_predictors": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "smoothing": ["boolean", Interval(numbers.Real, 0, None, closed="left")],
    }

    def __init__(
        self,
        *,
        visit_order="auto",
        max_depth=None,
        min_samples_leaf="auto",
        max_predictors=50,
        smoothing=True,
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
        self.visit_order = visit_order
        self.max_depth = max_depth
        self.min_samples_leaf = min_samples_leaf
        self.max_predictors = max_predictors
        self.smoothing = smoothing
        self.categorical_features = categorical_features
        self.id_columns = id_columns
        self.discrete_features = discrete_features
        self.constraints = constraints
        self.linked_columns = linked_columns
        self.enforce_range = enforce_range
        self.target_type = target_type
        self.random_state = random_state
        self.verbose = verbose

    def _describe_fit(self):
        model = self._models[0]
        names = self._modelled_names()
        self.visit_order_ = [names[j] for j in model.order]
        self.n_leaves_ = {
            names[step.column]: step.pool.n_leaves
            for step in model.steps
            if step.role == "value"
        }

    # -- fit ---------------------------------------------------------------

    def _fit_table(self, values, layout, rng):
        progress = Progress.of(self)
        columns = layout.columns
        order, information = self._visit_order(values, layout, rng)
        progress.lap(f"visit order of {len(columns)} columns")
        choose = _PredictorChoice(self.max_predictors, information, values, layout, rng)
        leaf_size = _leaf_size(self.min_samples_leaf, values.shape[0])
        n_levels = np.array(
            [len(c.categories) if c.kind == CATEGORICAL else 0 for c in columns]
        )
        factor = float(self.smoothing)
        margins = [
            _column_margin(spec, values[:, j], factor > 0)
            for j, spec in enumerate(columns)
        ]
        steps = []
        for position, j in enumerate(order):
            column_progress = Progress.of(self)
            predictors = choose(j, order[:position])
            x = values[:, j]
            missing = np.isnan(x)
            discrete = _is_discrete(columns[j], margins[j])
            step_leaf_size = leaf_size
            if j == layout.target and self.min_samples_leaf == "auto":
                # The target: finer leaves for what a model learns from the
                # synthetic rows; its labels do not single out a row.
                step_leaf_size = max(_MIN_LEAF, int(np.ceil(leaf_size / 4)))
            if missing.any() and not discrete:
                steps.append(
                    self._fit_step(
                        values,
                        j,
                        "missing",
                        predictors,
                        missing.astype(float),
                        rng,
                        discrete=True,
                        leaf_size=leaf_size,
                        n_levels=n_levels,
                    )
                )
            target = np.where(missing, _MISSING, x) if discrete else x
            steps.append(
                self._fit_step(
                    values,
                    j,
                    "value",
                    predictors,
                    target,
                    rng,
                    discrete=discrete,
                    leaf_size=step_leaf_size,
                    n_levels=n_levels,
                    rows=None if discrete or not missing.any() else ~missing,
                )
            )
            if not discrete and factor > 0 and not margins[j].discrete:
                present = x[~missing]
                steps[-1].pool.add_smoothing(
                    _atoms(present, margins[j]),
                    factor,
                    np.min(present),
                    np.max(present),
                )
            column_progress.lap(f"tree of {columns[j].label}", 2)
        progress.lap(f"trees of {len(order)} columns on {values.shape[0]} rows")
        return _TreeModel(steps, order, values.shape[1], list(columns), margins)

    def _fit_step(
        self,
        values,
        j,
        role,
        predictors,
        target,
        rng,
        *,
        discrete,
        leaf_size,
        n_levels,
        rows=None,
    ):
        """Tree of one step: a classifier for ``discrete`` outcomes (levels,
        few values, "is missing"), a regressor otherwise, with leaves of at
        least ``leaf_size`` rows, on the rows ``rows`` (None: all). ``n_levels``
        gives the number of levels of each categorical column (0 otherwise)."""
        if rows is not None:
            values, target = values[rows], target[rows]
        if predictors.size == 0 or target.size == 0:
            leaf = np.zeros(target.size, dtype=np.int64)
            pool = _LeafPool.build(leaf, target, 1)  # its own prior: no smoothing
            return _Step(j, role, predictors, None, None, pool, {})
        labels = np.unique(target, return_inverse=True)[1] if discrete else target
        many_levels = np.flatnonzero(n_levels[predictors] > 2)
        level_positions = {
            k: _level_positions(values[:, c], n_levels[c], labels, discrete)
            for k, c in zip(many_levels.tolist(), predictors[many_levels])
        }
        step = _Step(j, role, predictors, None, None, None, level_positions)
        X = step.features(values)
        # Imported here: sklearn.tree loads sklearn.neighbors, .decomposition and
        # .linear_model, which would add about a tenth to `import sksynth`.
        from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

        Tree = DecisionTreeClassifier if discrete else DecisionTreeRegressor
        tree = Tree(
            max_depth=self.max_depth,
            min_samples_leaf=leaf_size,
            random_state=rng.randint(np.iinfo(np.int32).max),
        )
        with warnings.catch_warnings():
            # A text column with many levels is a classification target by
            # design here, whatever sklearn guesses from its many classes.
            warnings.filterwarnings(
                "ignore", "The number of unique classes is greater than 50%"
            )
            tree.fit(X, labels)
        is_leaf = tree.tree_.children_left == -1
        step.tree, step.leaf_of_node = tree, np.cumsum(is_leaf) - 1
        step.pool = _LeafPool.build(
            step.leaf_of_node[tree.apply(X)], target, int(is_leaf.sum()), _PRIOR_WEIGHT
        )
        return step

    def _visit_order(self, values, layout, rng):
        n_features = layout.n_features
        columns = layout.columns
        target = [] if layout.target is None else [layout.target]
        information = None
        if isinstance(self.visit_order, str):
            features, information = _dependence_order(
                values[:, :n_features], columns[:n_features], rng
            )
        else:
            features = self._given_order(columns[:n_features])
        return np.asarray([*features, *target], dtype=np.int64), information

    def _given_order(self, columns):
        given = list(np.asarray(self.visit_order, dtype=object).ravel())
        names = self._schema.names
        modelled = {j: k for k, j in enumerate(self._schema.modelled)}
        position = {c.name: k for k, c in enumerate(columns)}
        order = []
        for key in given:
            if key in position:
                order.append(position[key])
            elif isinstance(key, numbers.Integral) and 0 <= key < len(names):
                if key in modelled:
                    order.append(modelled[int(key)])
            elif key not in names:
                raise ValueError(
                    f"`visit_order` names column {key!r}, which is not a column of "
                    f"X. Columns are {names}."
                )
        if sorted(order) != list(range(len(columns))):
            missing = [c.name for j, c in enumerate(columns) if j not in order]
            raise ValueError(
                "`visit_order` must list every column of X exactly once "
                f"(identifier columns may be left out); missing {missing}, given "
                f"{given}."
            )
        return order

    # -- sample ------------------------------------------------------------

    def _sample_table(self, model, n_samples, rng, conditions):
        if not conditions:
            return _generate(model, n_samples, rng, {})[0]
        # Rejection sampling: a candidate drawn with the conditioned values
        # fixed is kept with its probability of those values divided by the
        # largest that probability can be, which leaves kept rows distributed
        # exactly as the rows of the model that hold the conditions.
        log_bound = _condition_log_bound(model, conditions)
        budget = max(_MAX_CANDIDATES_PER_ROW * n_samples, _MIN_CANDIDATES)
        kept, n_kept, n_accepted, n_drawn = [], 0, 0, 0
        while n_kept < n_samples and n_drawn < budget:
            needed = n_samples - n_kept
            rate = n_accepted / n_drawn if n_accepted else 0.0
            size = 1.25 * needed / rate if rate else _CONDITION_BATCH * 10 ** len(kept)
            size = int(min(max(size, _CONDITION_BATCH), 100_000, budget - n_drawn))
            rows, log_weight = _generate(model, size, rng, conditions)
            accept = np.exp(np.minimum(log_weight - log_bound, 0.0))
            keep = np.flatnonzero(rng.random_sample(size) < accept)
            kept.append(rows[keep[:needed]])
            n_kept += min(keep.size, needed)
            n_accepted += keep.size
            n_drawn += size
        if n_kept < n_samples:
            # Conditions too rare for the budget: the remaining rows are
            # resampled from the last candidates in proportion to their weight.
            if not np.isfinite(log_weight).any():
                names = [model.columns[j].label for j in sorted(conditions)]
                raise ValueError(
                    f"No synthetic row is compatible with `conditions` on columns "
                    f"{', '.join(names)}: the trees give these values together "
                    "zero probability; condition on fewer columns."
                )
            weight = np.exp(log_weight - log_weight.max())
            pick = rng.choice(size, size=n_samples - n_kept, p=weight / weight.sum())
            kept.append(rows[pick])
        return np.concatenate(kept)

    def _log_density(self, model, values, columns, ignore=None):
        included = set(columns)
        order = list(model.order)
        skipped = [j for j in order if j not in included]
        if skipped and order[-len(skipped) :] != skipped:
            raise ValueError(
                "TreeSynthesizer can only marginalise out the last columns of its "
                "visit order."
            )
        log_density = np.zeros(values.shape[0])
        present = {}
        for step in model.steps:
            if step.column not in included:
                continue
            x = values[:, step.column]
            kept = (
                np.ones(x.size, dtype=bool)
                if ignore is None
                else ~ignore[:, step.column]
            )
            if step.role == "missing":
                indicator = np.isnan(x).astype(float)
                log_density[kept] += step.log_probability(values[kept], indicator[kept])
                present[step.column] = ~np.isnan(x)
                continue
            rows = kept & present.get(step.column, True)
            sub = values[rows]
            log_density[rows] += step.log_probability(sub, sub[:, step.column])
        return log_density


def _generate(model, n_samples, rng, conditions):
    """Draw rows step by step; conditioned columns are set, not drawn, and
    add the log probability of their value to each row's weight."""
    values = np.full((n_samples, model.n_columns), np.nan)
    log_weight = np.zeros(n_samples)
    present = {}
    for step in model.steps:
        j = step.column
        if j in conditions:
            fixed = conditions[j]
            if step.role == "missing":
                indicator = np.full(n_samples, float(np.isnan(fixed)))
                log_weight += step.log_probability(values, indicator)
                present[j] = indicator == 0
                continue
            rows = present.get(j, np.ones(n_samples, dtype=bool))
            values[rows, j] = fixed
            log_weight[rows] += step.log_probability(
                values[rows], np.full(int(rows.sum()), fixed)
            )
            continue
        if step.role == "missing":
            present[j] = step.draw(values, rng) == 0
            continue
        rows = present.get(j)
        if rows is None:
            drawn = step.draw(values, rng)
            values[:, j] = np.where(drawn == _MISSING, np.nan, drawn)
        else:
            values[rows, j] = step.draw(values[rows], rng)
    return values, log_weight


def _condition_log_bound(model, conditions):
    """Largest log probability the trees give the conditioned values: the sum,
    over the conditioned steps, of the largest over the leaves. Raises naming
    the columns whose value no leaf can produce."""
    log_bound, impossible = 0.0, []
    split = {step.column for step in model.steps if step.role == "missing"}
    for step in model.steps:
        j = step.column
        if j not in conditions:
            continue
        value = fixed = conditions[j]
        if step.role == "missing":
            fixed = float(np.isnan(value))
        elif j in split and np.isnan(value):
            continue  # missing: the value's step sees no row
        leaves = np.arange(step.pool.n_leaves)
        best = step.pool.log_probability(leaves, np.full(leaves.size, fixed)).max()
        if np.isfinite(best):
            log_bound += best
        else:
            impossible.append(_describe_condition(step, model.columns[j], value))
    if impossible:
        raise ValueError(
            "`conditions` asks for values this model never produces: "
            f"{'; '.join(impossible)}. Condition on a value it can produce."
        )
    return log_bound


def _describe_condition(step, spec, value):
    """``column 'b' = 2.5 (it takes only 0, 1, 2, ...)`` for an error message."""
    if np.isnan(value):
        shown = "a missing value"
    elif spec.is_levels:
        shown = repr(np.asarray(spec.categories)[int(value)])
    else:
        shown = f"{value:g}"
    text = f"column {spec.label} = {shown}"
    if step.role == "value" and not step.pool.smoothed:
        seen = step.pool.uniques[np.isfinite(step.pool.uniques)]
        listed = ", ".join(f"{v:g}" for v in seen[:10])
        more = ", ..." if seen.size > 10 else ""
        text += f" (it takes only the values seen in fit: {listed}{more})"
    return text


def _leaf_size(min_samples_leaf, n_samples):
    if min_samples_leaf != "auto":
        return min_samples_leaf
    return max(_MIN_LEAF, int(np.ceil(2.0 * np.sqrt(n_samples) / 3.0)))


def _level_positions(codes, n_levels, labels, discrete):
    """Order the levels of a categorical predictor for one tree's outcome.

    A tree splits a number at a threshold; on arbitrary category codes it
    needs many splits to isolate the levels that go together. Placing the
    levels by their mean outcome (a numeric outcome), or by their score on the
    first axis of a correspondence analysis of the level x outcome table (a
    discrete one: for two outcomes, the share of one of them), makes the best
    split of the levels into two groups a threshold, as in CART.
    """
    present = ~np.isnan(codes)
    level = codes[present].astype(np.int64)
    count = np.bincount(level, minlength=n_levels).astype(float)
    if not discrete:
        total = np.bincount(level, labels[present], minlength=n_levels)
        with np.errstate(invalid="ignore"):
            score = total / count
    else:
        n_outcomes = int(labels.max()) + 1
        table = np.bincount(
            level * n_outcomes + labels[present].astype(np.int64),
            minlength=n_levels * n_outcomes,
        ).reshape(n_levels, n_outcomes)
        with np.errstate(invalid="ignore"):
            profiles = table / count[:, None]
        seen = count > 0
        centred = (profiles[seen] - table.sum(0) / table.sum()) * np.sqrt(
            count[seen, None]
        )
        score = np.full(n_levels, np.nan)
        if n_outcomes > 1 and seen.any():
            axis = np.linalg.svd(centred, full_matrices=False)[2][0]
            score[seen] = profiles[seen] @ axis
    # Levels absent from these rows (or all levels, when the outcome takes a
    # single value) go to the middle.
    finite = np.isfinite(score)
    score = np.where(finite, score, np.median(score[finite]) if finite.any() else 0.0)
    return np.argsort(np.argsort(score, kind="stable")).astype(float)


def _column_margin(spec, x, smoothed):
    """The column model of a column: its levels, its values (a discrete
    column, or any numeric one without smoothing, which draws only training
    values), or its spikes."""
    if spec.is_levels:
        return fit_level_margin(x, len(spec.categories))
    observed = x[~np.isnan(x)]
    if not smoothed or observed.size == 0:
        return fit_margin(observed, spec, family="discrete", n_rows=x.size)
    # Smoothed values are reflected into the training range: none beyond it.
    low, high = observed.min(), observed.max()
    return fit_margin(observed, spec, family=None, low=low, high=high, n_rows=x.size)


def _is_discrete(spec, margin):
    """Whether a column's tree is a classifier: levels, and discrete columns
    of few values (a discrete column of many values gets a regression tree,
    and its values are drawn as they are)."""
    if spec.is_levels:
        return True
    return margin.discrete and margin.atoms.size <= MAX_DISCRETE_LEVELS


def _atoms(x, margin):
    """Values of a many-valued numeric column drawn as they are: spikes, and
    values common enough not to single out a row."""
    values, counts = np.unique(x, return_counts=True)
    return np.union1d(margin.atoms, values[counts >= _COMMON_COUNT])


def _reflect(x, low, high):
    x = np.where(x < low, 2 * low - x, x)
    x = np.where(x > high, 2 * high - x, x)
    return np.clip(x, low, high)


def _normal(d, h):
    return np.exp(-0.5 * (d / h) ** 2) / (h * _SQRT_2PI)


def _log(p):
    with np.errstate(divide="ignore"):
        return np.log(p)


def _binned_codes(values, columns, rng):
    """Coarse codes of each column (missing its own code) on a subsample."""
    n, d = values.shape
    size = min(_ORDER_SUBSAMPLE, max(_ORDER_CELLS // max(d, 1), _ORDER_MIN_ROWS))
    rows = rng.choice(n, size, replace=False) if n > size else None
    sample = values if rows is None else values[rows]
    codes = np.empty(sample.shape, dtype=np.int64)
    for j, spec in enumerate(columns):
        x = sample[:, j]
        missing = np.isnan(x)
        if spec.is_levels:
            code = np.where(missing, -1, x).astype(np.int64)
            code = np.minimum(code, _ORDER_MAX_LEVELS)
        else:
            present = x[~missing]
            edges = (
                np.unique(
                    np.quantile(present, np.linspace(0, 1, _ORDER_BINS + 1)[1:-1])
                )
                if present.size
                else np.array([])
            )
            code = np.searchsorted(edges, np.where(missing, 0, x), side="right")
        codes[:, j] = np.where(missing, _ORDER_MAX_LEVELS + 2, code + 1)
    return codes


def _mutual_information(codes):
    """Mutual information of every pair of columns of ``codes``, (d, d).

    ``H(a) + H(b) - H(a, b)`` from the joint counts of each pair, all at
    once: the counts are products of the one-hot encoded codes, taken in
    blocks of columns against the columns after them (the upper triangle).
    The diagonal is zero.
    """
    n, d = codes.shape
    width = int(codes.max()) + 1
    keys, level = np.unique((codes + width * np.arange(d)).ravel(), return_inverse=True)
    column = keys // width  # column of each level; levels sorted by column
    first = np.searchsorted(column, np.arange(d))  # first level of each column
    one_hot = np.zeros((n, keys.size), dtype=np.float32)  # exact counts to 2**24
    one_hot[np.repeat(np.arange(n), d), level.ravel()] = 1.0
    # sum of c * log(c) over the cells of a table of counts c, by lookup.
    count = np.arange(n + 1, dtype=float)
    count_log_count = count * np.log(np.maximum(count, 1.0))
    level_counts = one_hot.sum(axis=0).astype(np.int64)
    own = np.add.reduceat(count_log_count[level_counts], first)
    joint = np.zeros((d, d))
    a = 0
    while a < d:
        rest = keys.size - first[a]
        stop = int(np.searchsorted(first, first[a] + max(_MI_BLOCK // rest, 1)))
        stop = max(stop, a + 1)
        end = first[stop] if stop < d else keys.size
        counts = one_hot[:, first[a] : end].T @ one_hot[:, first[a] :]
        cells = count_log_count[counts.astype(np.int64)]
        cells = np.add.reduceat(cells, first[a:] - first[a], axis=1)
        joint[a:stop, a:] = np.add.reduceat(cells, first[a:stop] - first[a], axis=0)
        a = stop
    joint = np.triu(joint, 1)
    joint += joint.T
    information = np.log(n) - (own[:, None] + own[None, :] - joint) / n
    np.fill_diagonal(information, 0.0)
    return information


def _dependence_order(values, columns, rng):
    """Greedy order: the column most associated with the others, then at each
    step the one most associated with the columns already chosen."""
    d = values.shape[1]
    if d <= 1:
        return list(range(d)), np.zeros((d, d))
    information = _mutual_information(_binned_codes(values, columns, rng))
    order = [int(np.argmax(information.sum(axis=1)))]
    gain = information[:, order[0]].copy()
    gain[order[0]] = -np.inf
    for _ in range(d - 1):
        order.append(int(np.argmax(gain)))
        gain += information[:, order[-1]]
        gain[order[-1]] = -np.inf
    return order, information


class _PredictorChoice:
    """The earlier columns each feature's tree is fitted on: all of them, or
    the ``max_predictors`` most associated with the column (mutual
    information); the target's tree uses every column."""

    def __init__(self, max_predictors, information, values, layout, rng):
        self.max_predictors = max_predictors
        self.target = layout.target
        self.information = information
        n_features = layout.n_features
        if max_predictors is None or n_features <= max_predictors + 1:
            self.max_predictors = None
        elif information is None:
            features = values[:, :n_features]
            codes = _binned_codes(features, layout.columns[:n_features], rng)
            self.information = _mutual_information(codes)

    def __call__(self, j, earlier):
        if self.max_predictors is None or j == self.target:
            return earlier
        if earlier.size <= self.max_predictors:
            return earlier
        # Stable: among equal associations, the earliest columns.
        strength = self.information[j, earlier]
        keep = np.argsort(-strength, kind="stable")[: self.max_predictors]
        return earlier[np.sort(keep)]
