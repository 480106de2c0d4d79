"""Over-sampling with a kernel density per class and a class-aware bandwidth."""

from numbers import Real

import numpy as np
from imblearn.utils import Substitution
from sklearn.neighbors import NearestNeighbors
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions

from .._data import TableSchema
from .._kde import (
    _KDEModel,
    column_roles,
    embed,
    encode_centres,
    fit_score_maps,
    sample_model,
    score_spread,
    scott_factor,
    silverman_factor,
    with_bandwidth,
)
from ._base import DOCSTRINGS, BaseSynthesisOverSampler, stack_resampled

# Multipliers of Scott's factor tried by the class-aware rule, widest first.
_MULTIPLIERS = np.geomspace(1.0, 1 / 16, 9)
# Rows that fit the column maps, reference rows of other classes, and draws
# per tried bandwidth.
_MAP_ROWS = 200_000
_REFERENCE_ROWS = 10_000
_PURITY_DRAWS = 1000
# Slack of the purity target over the class's own rows.
_PURITY_SLACK = 0.05


@Substitution(**DOCSTRINGS)
class KDEOverSampler(BaseSynthesisOverSampler):
    """Over-sample classes with a kernel density of each class.

    A new row of class ``k`` picks a row of class ``k`` (its kernel centre)
    at random and perturbs it: numeric columns with Gaussian noise on their
    normal-score axis (shared by all classes), categorical columns with an
    Aitchison-Aitken kernel. The bandwidth of each class is chosen where the
    other classes are: the widest one whose new rows have their nearest
    training row in another class no more often than the class's own rows
    do.

    Parameters
    ----------
    {sampling_strategy}

    {random_state}

    {categorical_features}

    bandwidth : {{"auto", "scott", "silverman"}} or float, default="auto"
        Kernel standard deviation of the numeric columns, in units of each
        column's spread within the class on the normal-score axis. "auto" is
        the class-aware rule (see Notes); "scott" and "silverman" the classic
        rules for the class's number of rows; a float is used as is.

    categorical_bandwidth : "auto" or float, default="auto"
        Probability that a categorical value moves to another level, capped
        at ``(K - 1) / K`` for a column of ``K`` levels. "auto" ties it to the
        numeric bandwidth ``h``: ``min(h, 1) ** 2 (K - 1) / K``.

    Attributes
    ----------
    bandwidth_ : dict
        Numeric bandwidth of each grown class, ``{{class: float}}``, in units
        of the class's spread per column.
    categorical_bandwidth_ : dict
        Probability that a categorical value moves to another level, per
        grown class, ``{{class: float}}`` (before the cap of each column).
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
    integers and spikes stay spikes. Class ``k`` with :math:`n_k` rows gets
    the product kernel with standard deviation :math:`h \\hat\\sigma_{{kj}}`
    on column ``j`` (:math:`\\hat\\sigma_{{kj}}`: its spread within the class).

    Scott's rule :math:`h = n_k^{{-1/(d+4)}}` for 30 rows in 9 dimensions
    is 0.77: kernels as wide as the class spill into the other classes, and
    so does the bandwidth that maximises the class's likelihood. The "auto"
    rule tries :math:`h = m\\,n_k^{{-1/(d+4)}}` for ``m`` from 1 down to 1/16
    and keeps the widest whose draws, like the class's rows (left out one at
    a time), have their nearest neighbour among the training rows (at most
    10,000 of the other classes) in another class, with a slack of 0.05
    (and never more than half the time). A class far from the others keeps
    Scott's width; a class mixed into another gets near-copies of its rows,
    as random over-sampling would. A single-row class works the same way.

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
        "bandwidth": [
            StrOptions({"auto", "scott", "silverman"}),
            Interval(Real, 0, None, closed="neither"),
        ],
        "categorical_bandwidth": [
            StrOptions({"auto"}),
            Interval(Real, 0, 1, closed="both"),
        ],
    }

    def __init__(
        self,
        *,
        sampling_strategy="auto",
        random_state=None,
        categorical_features="from_dtype",
        bandwidth="auto",
        categorical_bandwidth="auto",
    ):
        super().__init__(sampling_strategy=sampling_strategy)
        self.random_state = random_state
        self.categorical_features = categorical_features
        self.bandwidth = bandwidth
        self.categorical_bandwidth = categorical_bandwidth

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.sampler_tags.sample_indices = True
        return tags

    def _fit_resample(self, X, y):
        rng = check_random_state(self.random_state)
        schema = TableSchema.from_data(X, self.categorical_features)
        values = schema.encode(X)
        space = _SharedSpace(values, schema.columns, rng)
        self.bandwidth_, self.categorical_bandwidth_ = {}, {}
        blocks, labels, indices = [], [], [np.arange(values.shape[0])]
        for klass, n_new in self.sampling_strategy_.items():
            if n_new == 0:
                continue
            rows = np.flatnonzero(y == klass)
            model = space.class_model(values, rows)
            model, h, t = self._choose_bandwidth(model, space, rows, y != klass, rng)
            new_values, centre = sample_model(model, n_new, rng, enforce_range=True)
            blocks.append(new_values)
            labels.append(np.full(n_new, klass, dtype=y.dtype))
            indices.append(rows[centre])
            self.bandwidth_[klass], self.categorical_bandwidth_[klass] = h, t
        self.sample_indices_ = np.concatenate(indices)
        if not blocks:
            return np.asarray(X), y
        X_new = schema.decode(np.concatenate(blocks), enforce_range=True)
        return stack_resampled(X, y, X_new, np.concatenate(labels))

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
        model, h, t = candidates[chosen]
        return model, h, t

    def _kernel(self, model, h):
        if self.categorical_bandwidth == "auto":
            lam = min(h, 1.0) ** 2
        else:
            lam = float(self.categorical_bandwidth)
        lambdas = np.minimum(lam, (model.n_levels - 1) / np.maximum(model.n_levels, 1))
        return with_bandwidth(model, h * model.spread, lambdas), h, lam


class _SharedSpace:
    """Normal-score maps fitted on all rows, and the metric of the purity rule."""

    def __init__(self, values, columns, rng):
        self.numeric, self.categorical, self.n_levels = column_roles(columns)
        rows = values
        if values.shape[0] > _MAP_ROWS:
            rows = values[rng.choice(values.shape[0], _MAP_ROWS, replace=False)]
        self.maps = fit_score_maps(rows, self.numeric)
        self.values = values
        self.n_columns = len(columns)
        self.spread = np.ones(len(self.numeric))

    def centres(self, values):
        return encode_centres(self.maps, values, self.numeric, self.categorical)

    def embed(self, values):
        return embed(self.spread, self.n_levels, *self.centres(values))

    def embed_rows(self, rows):
        return self.embed(self.values[rows])

    def class_model(self, values, rows):
        scores, codes = self.centres(values[rows])
        spread = score_spread(scores) if rows.size > 1 else self.spread
        return _KDEModel(
            maps=self.maps,
            numeric=self.numeric,
            categorical=self.categorical,
            n_levels=self.n_levels,
            scores=scores,
            codes=codes,
            spread=spread,
            bandwidth=spread.copy(),
            lambdas=np.zeros(len(self.categorical)),
            n_columns=self.n_columns,
        )


def _purity_rule(candidates, space, rows, others, rng):
    """Index of the widest candidate whose draws are as pure as the class rows."""
    own = candidates[0][0]
    other_rows = np.flatnonzero(others)
    if other_rows.size > _REFERENCE_ROWS:
        other_rows = rng.choice(other_rows, _REFERENCE_ROWS, replace=False)
    if rows.size > _REFERENCE_ROWS:
        keep = rng.choice(rows.size, _REFERENCE_ROWS, replace=False)
        own_embedded = embed(
            space.spread, space.n_levels, own.scores[keep], own.codes[keep]
        )
    else:
        own_embedded = embed(space.spread, space.n_levels, own.scores, own.codes)
    if not other_rows.size:
        return 0
    other_embedded = space.embed_rows(other_rows)
    reference = np.concatenate([own_embedded, other_embedded])
    is_other = np.r_[np.zeros(own_embedded.shape[0]), np.ones(other_rows.size)]
    neighbours = NearestNeighbors(n_neighbors=2, algorithm="brute").fit(reference)
    if own_embedded.shape[0] > 1:
        probe = own_embedded[:_PURITY_DRAWS]
        nearest = neighbours.kneighbors(probe, n_neighbors=2)[1][:, 1]
        target = min(is_other[nearest].mean() + _PURITY_SLACK, 0.5)
    else:
        target = 0.5
    for index, (model, _, _) in enumerate(candidates):
        n_draws = min(_PURITY_DRAWS, max(200, 20 * rows.size))
        draws, _ = sample_model(model, n_draws, rng, enforce_range=True)
        nearest = neighbours.kneighbors(space.embed(draws), n_neighbors=1)[1][:, 0]
        if is_other[nearest].mean() <= target:
            return index
    return len(candidates) - 1
