"""Over-sampling with a kernel density per class and a class-aware bandwidth."""

from numbers import Real

import numpy as np
from imblearn.utils import Substitution
from scipy.special import ndtr
from sklearn.utils import _safe_indexing, check_random_state
from sklearn.utils._param_validation import Interval, StrOptions

from .._data import column_roles, rows_with_room, table_of_rows
from .._kde import (
    KDEModel,
    Reference,
    encode_centres,
    fit_score_maps,
    generator_from,
    query_scores,
    sample_model,
    score_mean,
    score_spread,
    scott_factor,
    silverman_factor,
    split_embed,
    wide_columns,
    with_bandwidth,
)
from .._progress import Progress, describe_class, describe_columns
from ..constraints._linked import LINKED_COLUMNS_PARAMETER
from ._base import DOCSTRINGS, BaseSynthesisOverSampler, stack_resampled
from ._region import REGION_CONSTRAINT, ClassRegion, _region_docstring, draw_inside

# Multipliers of Scott's factor tried by the class-aware rule, widest first.
_MULTIPLIERS = np.geomspace(1.0, 1 / 16, 9)
# Rows that fit the column maps (per stratum: rows of the classes to grow, and
# the others), reference rows of each class, and draws per tried bandwidth.
_MAP_ROWS = 50_000
_REFERENCE_ROWS = 10_000
_PURITY_DRAWS = 1000
# Slack of the purity target over the class's own rows.
_PURITY_SLACK = 0.05
# New rows are drawn and decoded in blocks of this many rows: the temporary
# arrays stay small and are reused.
_BLOCK_ROWS = 2**15


@Substitution(**DOCSTRINGS, region=_region_docstring)
class KDEOverSampler(BaseSynthesisOverSampler):
    """Over-sample classes with a kernel density of each class.

    A new row of class ``k`` picks a row of class ``k`` (its kernel centre)
    at random and perturbs it: numeric columns with Gaussian noise on their
    normal-score axis (shared by all classes), categorical columns by
    redrawing the level, with a small probability, from the class's level
    shares. The bandwidth of each class is chosen where the
    other classes are: the widest one whose new rows have their nearest
    training row in another class no more often than the class's own rows
    do.

    Parameters
    ----------
    {sampling_strategy}

    {random_state}

    {categorical_features}

    {column_options}
    {linked_columns}

    bandwidth : {{"auto", "scott", "silverman"}} or float, default="auto"
        Kernel standard deviation of the numeric columns, in units of each
        column's spread within the class on the normal-score axis. "auto" is
        the class-aware rule (see Notes); "scott" and "silverman" the classic
        rules for the class's number of rows; a float is used as is.

    categorical_bandwidth : "auto" or float, default="auto"
        Probability that a categorical value is redrawn from its class's
        level shares (so the class keeps its shares), capped at
        ``(K - 1) / K`` for a column of ``K`` levels. "auto" ties it to the
        numeric bandwidth ``h``: ``2 Phi(-1 / h)``, the chance that the
        numeric kernel moves a value by more than one spread (see Notes).

    {region}

    {verbose}

    Attributes
    ----------
    bandwidth_ : dict
        Numeric bandwidth of each grown class, ``{{class: float}}``, in units
        of the class's spread per column.
    categorical_bandwidth_ : dict
        Probability that a categorical value is redrawn, per grown class,
        ``{{class: float}}`` (before the cap of each column).
    sample_indices_ : ndarray of shape (n_samples_resampled,)
        Row of ``X`` behind each output row: the original rows first, then
        the kernel centre of each new row.
    {resampler_attributes}

    See Also
    --------
    KDESynthesizer : The kernel density as a synthesizer.
    CopulaOverSampler : A Gaussian copula per class.
    imblearn.over_sampling.RandomOverSampler : With ``shrinkage``, a smoothed
        bootstrap (a Gaussian kernel on the raw scale).

    Notes
    -----
    Numeric columns are mapped to normal scores through their empirical CDF
    on all of ``X``, so kernels never leave a column's range, integers stay
    integers and spikes stay spikes. Beyond 50,000 rows the CDF is estimated
    from the rows of the classes to grow (50,000 of them at most), 50,000
    other rows drawn at random, each weighted by the rows it stands for, and
    each column's minimum and maximum: the values of a small class stay
    points of the map, and no value of ``X`` falls outside it. Class ``k``
    with :math:`n_k` rows gets
    the product kernel with standard deviation :math:`h \\hat\\sigma_{{kj}}`
    on column ``j`` (:math:`\\hat\\sigma_{{kj}}`: its spread within the class).

    Scott's rule :math:`h = n_k^{{-1/(d+4)}}` for 30 rows in 9 dimensions
    is 0.77: kernels as wide as the class spill into the other classes, and
    so does the bandwidth that maximises the class's likelihood. The "auto"
    rule tries :math:`h = m\\,n_k^{{-1/(d+4)}}` for ``m`` from 1 down to 1/16
    and keeps the widest whose draws, like the class's rows (at most 1,000
    drawn at random, each left out in turn), have their nearest neighbour
    among the training rows (at most 10,000 of each side) in another class,
    with a slack of 0.05 (and never more than half the time). Squared
    distances add the squared differences of the normal scores and one for
    each differing categorical value. A class far from the others keeps
    Scott's width; a class mixed into another gets near-copies of its rows,
    as random over-sampling would. A single-row class works the same way.

    A change of level is a jump, not a small move: the "auto" categorical
    bandwidth redraws a level as often as the numeric kernel moves a value by
    more than one spread of its class's column,
    :math:`\\lambda = 2\\Phi(-1/h)` (0.08 at :math:`h = 0.57`). Redrawn levels
    follow the class's own shares, so a class never gets a level it does not
    hold.

    Examples
    --------
    >>> from collections import Counter
    >>> from sklearn.datasets import make_classification
    >>> from sksynth.over_sampling import KDEOverSampler
    >>> X, y = make_classification(n_samples=500, weights=[0.9], random_state=0)
    >>> sampler = KDEOverSampler(random_state=0)
    >>> X_res, y_res = sampler.fit_resample(X, y)
    >>> sorted(Counter(y_res).items())
    [(np.int64(0), 450), (np.int64(1), 450)]
    >>> sampler.sample_indices_.shape
    (900,)
    """

    _parameter_constraints: dict = {
        **BaseSynthesisOverSampler._parameter_constraints,
        "linked_columns": LINKED_COLUMNS_PARAMETER,
        "bandwidth": [
            StrOptions({"auto", "scott", "silverman"}),
            Interval(Real, 0, None, closed="neither"),
        ],
        "categorical_bandwidth": [
            StrOptions({"auto"}),
            Interval(Real, 0, 1, closed="both"),
        ],
        "region": REGION_CONSTRAINT,
    }

    _sets_sample_indices = True

    def __init__(
        self,
        *,
        sampling_strategy="auto",
        random_state=None,
        categorical_features="from_dtype",
        id_columns="auto",
        discrete_features="auto",
        constraints=None,
        linked_columns="auto",
        bandwidth="auto",
        categorical_bandwidth="auto",
        region=None,
        verbose=0,
    ):
        super().__init__(sampling_strategy=sampling_strategy)
        self.random_state = random_state
        self.verbose = verbose
        self.categorical_features = categorical_features
        self.id_columns = id_columns
        self.discrete_features = discrete_features
        self.constraints = constraints
        self.linked_columns = linked_columns
        self.bandwidth = bandwidth
        self.categorical_bandwidth = categorical_bandwidth
        self.region = region

    def _fit_resample(self, X, y):
        rng = check_random_state(self.random_state)
        schema, space, models = self._fit_class_models(X, y, rng)
        output = _Output(X, y, schema, sum(self.sampling_strategy_.values()), rng)
        indices = [np.arange(y.size)]
        for klass, (model, rows) in models.items():
            n_new = self.sampling_strategy_[klass]
            region = None
            if self.region is not None:
                region = ClassRegion(space, y, klass, self.region, rng)
            for start in range(0, n_new, _BLOCK_ROWS):
                n_block = min(_BLOCK_ROWS, n_new - start)
                new_values, centre = _draw(model, space, rows, region, n_block, rng)
                output.add(new_values, klass)
                indices.append(rows[centre])
        self.sample_indices_ = np.concatenate(indices)
        return output.result()

    def _fit_class_models(self, X, y, rng):
        """The schema of ``X``, its shared normal-score space and the kernel
        density of each class to grow, ``{class: (model, rows of the
        class)}``, with the bandwidths chosen (``bandwidth_``,
        ``categorical_bandwidth_``)."""
        from ._synthesizer import sampler_schema

        progress = Progress.of(self)
        schema = sampler_schema(self, X)
        progress.lap(f"schema: {describe_columns(schema.columns)}")
        grow = np.isin(y, [k for k, n in self.sampling_strategy_.items() if n > 0])
        space = _SharedSpace(X, schema, grow, rng)
        self.bandwidth_, self.categorical_bandwidth_ = {}, {}
        models = {}
        for klass, n_new in self.sampling_strategy_.items():
            if n_new == 0:
                continue
            rows = np.flatnonzero(y == klass)
            model = space.class_model(rows, rng)
            model, h, t = self._choose_bandwidth(model, space, rows, y != klass, rng)
            models[klass] = (model, rows)
            self.bandwidth_[klass], self.categorical_bandwidth_[klass] = h, t
            progress.lap(describe_class(klass, rows.size, n_new))
        return schema, space, models

    def _choose_bandwidth(self, model, space, rows, others, rng):
        n_rows, d = rows.size, len(model.numeric)
        if self.bandwidth == "silverman":
            factor = silverman_factor(n_rows, d)
        else:
            factor = scott_factor(n_rows, d)
        if isinstance(self.bandwidth, Real):
            factor = float(self.bandwidth)
        multipliers = _MULTIPLIERS if self.bandwidth == "auto" else np.array([1.0])
        candidates = [self._kernel(model, m * factor) for m in multipliers]
        if len(candidates) > 1:
            chosen = _purity_rule(candidates, space, rows, others, rng)
        else:
            chosen = 0
        return candidates[chosen]

    def _kernel(self, model, h):
        if self.categorical_bandwidth == "auto":
            # The chance that the numeric kernel moves a value by more than
            # one spread (see Notes).
            lam = float(2 * ndtr(-1 / h))
        else:
            lam = float(self.categorical_bandwidth)
        lambdas = np.minimum(lam, (model.n_levels - 1) / np.maximum(model.n_levels, 1))
        return with_bandwidth(model, h * model.spread, lambdas), h, lam


def _draw(model, space, rows, region, n_samples, rng):
    """New encoded rows of a class and the index of each one's centre among
    the class's rows; with a ``region``, inside it (rows that stay outside
    are copies of random rows of the class, their own centres)."""
    if region is None:
        return sample_model(model, n_samples, rng, enforce_range=True)

    def draw(n):
        values, centre = sample_model(model, n, rng, enforce_range=True)
        return values, (values, centre)

    def take(drawn, kept):
        return drawn[0][kept], drawn[1][kept]

    pieces, missing = draw_inside(draw, take, region, n_samples)
    centre = rng.randint(rows.size, size=missing)
    pieces.append((space.encode(rows[centre]), centre))
    return (
        np.concatenate([values for values, _ in pieces]),
        np.concatenate([centre for _, centre in pieces]),
    )


class _SharedSpace:
    """Normal-score maps of all rows, and the metric of the purity rule.

    Rows of ``X`` are encoded when needed: those of the maps, of each class
    to grow and of its reference rows. Beyond ``_MAP_ROWS`` rows the maps
    are fitted on a weighted sample (see :func:`_map_sample`).
    """

    def __init__(self, X, schema, grow, rng):
        self.X, self.schema = X, schema
        columns = schema.modelled_columns
        self.numeric, self.categorical, self.n_levels = column_roles(columns)
        n_rows = X.shape[0]
        self.all_values = None
        if n_rows > _MAP_ROWS:
            rows, weights = _map_sample(grow, rng)
            map_values, weights = _with_extremes(self.encode(rows), weights, columns)
            self.maps = fit_score_maps(
                map_values, columns, self.numeric, weights, n_rows
            )
        else:
            self.all_values = schema.encode(X)
            self.maps = fit_score_maps(self.all_values, columns, self.numeric)
        self.n_columns = len(columns)
        self.spread = np.ones(len(self.numeric))
        # The purity rule's distances: one-hot blocks for the categorical
        # columns of few levels, compared codes for the others.
        self.wide = wide_columns(self.n_levels)

    def encode(self, rows):
        """Encoded values of some rows of ``X``."""
        if self.all_values is not None:
            return self.all_values[rows]
        return self.schema.encode(_safe_indexing(self.X, rows))

    def centres(self, values):
        return encode_centres(self.maps, values, self.numeric, self.categorical)

    def embed(self, values):
        return self.embed_centres(*self.centres(values))

    def embed_centres(self, scores, codes):
        """Rows as the purity rule compares them: ``(dense, codes)``.

        ``dense`` holds the standardised scores and the one-hot blocks of the
        narrow categorical columns, ``codes`` the codes of the wide ones (NaN
        where missing).
        """
        return split_embed(self.spread, self.n_levels, self.wide, scores, codes)

    def embed_rows(self, rows):
        return self.embed(self.encode(rows))

    def class_model(self, rows, rng):
        scores, codes = encode_centres(
            self.maps, self.encode(rows), self.numeric, self.categorical, rng
        )
        spread = score_spread(scores) if rows.size > 1 else self.spread
        return KDEModel(
            maps=self.maps,
            numeric=self.numeric,
            categorical=self.categorical,
            n_levels=self.n_levels,
            scores=scores,
            codes=codes,
            spread=spread,
            centre_mean=score_mean(scores),
            bandwidth=spread.copy(),
            lambdas=np.zeros(len(self.categorical)),
            n_columns=self.n_columns,
        )


class _Output:
    """The resampled table: the rows of ``X`` followed by the new ones.

    A table of numbers of one dtype (an array, or a DataFrame of such
    columns) is one array, allocated once: the rows of ``X`` are written into
    it, then each block of new rows decoded straight into its place. Other
    tables keep each block decoded (smaller than encoded, and no table of
    all the encoded rows is built); with identifier columns, the encoded
    blocks, decoded once so that their keys are unique across blocks.
    """

    def __init__(self, X, y, schema, n_new, rng):
        self.X, self.y, self.schema, self.rng = X, y, schema, rng
        self.blocks, self.labels = [], []
        dtype = schema.number_dtype
        self.in_place = n_new > 0 and dtype is not None
        if self.in_place:
            self.rows = rows_with_room(X, n_new, dtype)
            self.filled = X.shape[0]
        # Keys of identifier columns are drawn for all new rows at once, so
        # that they are unique across blocks: their blocks decode at the end.
        self.decode_at_end = len(schema.modelled) < schema.n_columns

    def add(self, values, klass):
        self.labels.append(np.full(values.shape[0], klass, dtype=self.y.dtype))
        if not self.in_place:
            if not self.decode_at_end:
                values = self.schema.decode(values, True, self.rng)
            self.blocks.append(values)
            return
        stop = self.filled + values.shape[0]
        self.schema.decode_into(values, self.rows[self.filled : stop])
        self.filled = stop

    def result(self):
        if not self.labels:
            return np.asarray(self.X), self.y
        labels = np.concatenate(self.labels)
        if self.in_place:
            rows = table_of_rows(self.rows[: self.filled], self.X)
            return rows, np.concatenate([self.y, labels])
        if not self.decode_at_end:
            return stack_resampled(self.X, self.y, self.blocks, labels)
        X_new = self.schema.decode(np.concatenate(self.blocks), True, self.rng)
        return stack_resampled(self.X, self.y, X_new, labels)


def _map_sample(grow, rng):
    """Rows that fit the column maps of a large ``X``, and their weights.

    Two strata: the rows of the classes to grow and the other rows, at most
    ``_MAP_ROWS`` of each, drawn at random. Each row stands for as many rows
    of its stratum as were left out, so the maps estimate the CDF of all
    rows, while every value of a class to grow (up to ``_MAP_ROWS`` rows) is
    a point of them: a level that only this class holds stays a level.
    """
    rows, weights = [], []
    for stratum in (np.flatnonzero(grow), np.flatnonzero(~grow)):
        if stratum.size > _MAP_ROWS:
            picked = np.sort(_choice(rng, stratum, _MAP_ROWS))
        else:
            picked = stratum
        rows.append(picked)
        weights.append(np.full(picked.size, stratum.size / max(picked.size, 1)))
    return np.concatenate(rows), np.concatenate(weights)


def _choice(rng, population, size):
    """``size`` distinct items of ``population`` drawn at random, without
    permuting all of it (see :func:`generator_from`)."""
    return generator_from(rng).choice(population, size, replace=False)


def _with_extremes(values, weights, columns):
    """Sampled rows, plus each numeric column's minimum and maximum over ``X``.

    The maps then span the observed range of every column: no row of ``X``
    lies in their tails, where its score would be squeezed (or infinite).
    """
    low = [c.low if c.is_numeric else np.nan for c in columns]
    high = [c.high if c.is_numeric else np.nan for c in columns]
    return np.vstack([values, low, high]), np.r_[weights, 1.0, 1.0]


def _purity_rule(candidates, space, rows, others, rng):
    """Index of the widest candidate whose draws are as pure as the class rows."""
    own = candidates[0][0]
    other_rows = np.flatnonzero(others)
    if not other_rows.size:
        return 0
    if other_rows.size > _REFERENCE_ROWS:
        other_rows = _choice(rng, other_rows, _REFERENCE_ROWS)
    own_rows = np.arange(rows.size)
    if rows.size > _REFERENCE_ROWS:
        own_rows = rng.choice(rows.size, _REFERENCE_ROWS, replace=False)
    own_dense, own_codes = space.embed_centres(
        query_scores(own, own.scores[own_rows]), own.codes[own_rows]
    )
    other_dense, other_codes = space.embed_rows(other_rows)
    # The rule counts nearest rows: distances in single precision suffice.
    reference = Reference(
        np.concatenate([own_dense, other_dense]),
        np.concatenate([own_codes, other_codes]),
        dtype=np.float32,
    )
    is_other = np.r_[np.zeros(own_rows.size), np.ones(other_rows.size)]
    if own_rows.size > 1:
        # Own rows drawn at random, each left out of the reference rows.
        probe = rng.choice(
            own_rows.size, min(own_rows.size, _PURITY_DRAWS), replace=False
        )
        nearest = reference.nearest(own_dense[probe], own_codes[probe], probe)
        target = min(is_other[nearest].mean() + _PURITY_SLACK, 0.5)
    else:
        target = 0.5
    n_draws = min(_PURITY_DRAWS, max(200, 20 * rows.size))
    for index, (model, _, _) in enumerate(candidates):
        draws, _ = sample_model(model, n_draws, rng, enforce_range=True)
        nearest = reference.nearest(*space.embed(draws))
        if is_other[nearest].mean() <= target:
            return index
    return len(candidates) - 1
