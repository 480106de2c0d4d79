"""Data augmentation by perturbing copies of rows."""

from collections import OrderedDict
from numbers import Real

import numpy as np
from imblearn.utils import Substitution
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval

from .._base import _warn_auto_identifiers
from .._data import TableSchema, column_roles, is_spike
from .._progress import Progress, describe_class, describe_columns
from ..constraints._linked import LINKED_COLUMNS_PARAMETER
from ._base import DOCSTRINGS, BaseSynthesisOverSampler, stack_resampled

# Rows on which the spikes of a column are found.
_SPIKE_ROWS = 100_000


@Substitution(**DOCSTRINGS)
class NoiseAugmenter(BaseSynthesisOverSampler):
    """Augment data with noisy copies of its rows.

    Each new row copies a row of its class and perturbs it: Gaussian noise
    scaled to each numeric column's spread, optional multiplicative noise,
    and categorical values swapped, with a given probability, for the value
    of another row of the same class. Integers stay integers, values stay in
    each column's observed range and categories among those seen. A value
    many rows of a many-valued column share (a spike, such as the zeros of
    an amount) is copied as it is: noise would move it to amounts few rows
    hold, and amounts that exclude one another would both be in use.

    Parameters
    ----------
    {sampling_strategy}

        Ignored when ``n_copies`` is set.

    {random_state}

    {categorical_features}

    {column_options}
    {linked_columns}

    n_copies : float, default=None
        Grow every class by this many times its size (rounded), e.g. 1 to
        double the data. When set, it wins over ``sampling_strategy``.

    noise_level : float, default=0.1
        Standard deviation of the additive noise, as a share of each numeric
        column's standard deviation (over all rows).

    multiplicative_noise : float, default=0.0
        Standard deviation of the log of a random factor each numeric value
        is multiplied by (0: none). Keeps signs and zeros.

    swap_probability : float, default=0.1
        Probability that a categorical (or boolean) value is replaced by the
        value of another random row of the same class.

    {verbose}

    Attributes
    ----------
    sample_indices_ : ndarray of shape (n_samples_resampled,)
        Row of ``X`` behind each output row: the original rows first, then
        the row each new one copies.
    {resampler_attributes}

    See Also
    --------
    KDEOverSampler : Kernel density per class, with a class-aware bandwidth.
    imblearn.over_sampling.RandomOverSampler : Copies, or with ``shrinkage``
        a smoothed bootstrap.

    Notes
    -----
    A numeric value :math:`x` of a column with standard deviation
    :math:`s` becomes :math:`x e^{{\\sigma_m \\epsilon_1}} + \\sigma_a s
    \\epsilon_2` with standard normal :math:`\\epsilon`,
    :math:`\\sigma_m` = ``multiplicative_noise`` and :math:`\\sigma_a` =
    ``noise_level``; values beyond the column's observed range are reflected
    back into it (then clipped), so none pile up at its bounds. Missing
    values stay missing.

    Examples
    --------
    >>> import numpy as np
    >>> from sksynth.over_sampling import NoiseAugmenter
    >>> rng = np.random.RandomState(0)
    >>> X, y = rng.normal(size=(100, 3)), np.repeat([0, 1], [80, 20])
    >>> X_res, y_res = NoiseAugmenter(n_copies=1, random_state=0).fit_resample(X, y)
    >>> X_res.shape, np.bincount(y_res).tolist()
    ((200, 3), [160, 40])
    """

    _parameter_constraints: dict = {
        **BaseSynthesisOverSampler._parameter_constraints,
        "linked_columns": LINKED_COLUMNS_PARAMETER,
        "n_copies": [Interval(Real, 0, None, closed="neither"), None],
        "noise_level": [Interval(Real, 0, None, closed="left")],
        "multiplicative_noise": [Interval(Real, 0, None, closed="left")],
        "swap_probability": [Interval(Real, 0, 1, closed="both")],
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
        n_copies=None,
        noise_level=0.1,
        multiplicative_noise=0.0,
        swap_probability=0.1,
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
        self.n_copies = n_copies
        self.noise_level = noise_level
        self.multiplicative_noise = multiplicative_noise
        self.swap_probability = swap_probability

    def _fit_resample(self, X, y):
        progress = Progress.of(self)
        rng = check_random_state(self.random_state)
        if self.n_copies is not None:
            classes, counts = np.unique(y, return_counts=True)
            self.sampling_strategy_ = OrderedDict(
                (k, int(round(self.n_copies * n))) for k, n in zip(classes, counts)
            )
        schema = TableSchema.from_data(
            X, self.categorical_features, self.id_columns, self.discrete_features
        )
        _warn_auto_identifiers(schema, type(self).__name__)
        values = schema.encode(X)
        progress.lap(f"schema: {describe_columns(schema.columns)}")
        columns = schema.modelled_columns
        numeric, categorical, _ = column_roles(columns)
        spread = _spread(values[:, numeric]) if numeric else []
        spikes = [_spikes(values[:, j]) for j in numeric]
        blocks, labels, indices = [], [], [np.arange(values.shape[0])]
        for klass, n_new in self.sampling_strategy_.items():
            if n_new == 0:
                continue
            rows = np.flatnonzero(y == klass)
            copied = rows[rng.randint(0, rows.size, size=n_new)]
            new = values[copied]
            for k, j in enumerate(numeric):
                perturbed = self._perturb(new[:, j], spread[k], columns[j], rng)
                kept = np.isin(new[:, j], spikes[k])
                new[:, j] = np.where(kept, new[:, j], perturbed)
            for j in categorical:
                swap = rng.random_sample(n_new) < self.swap_probability
                donors = rows[rng.randint(0, rows.size, size=n_new)]
                new[:, j] = np.where(swap, values[donors, j], new[:, j])
            blocks.append(new)
            labels.append(np.full(n_new, klass, dtype=y.dtype))
            indices.append(copied)
            progress.lap(describe_class(klass, rows.size, n_new))
        self.sample_indices_ = np.concatenate(indices)
        if not blocks:
            return np.asarray(X), y
        X_new = schema.decode(np.concatenate(blocks), True, rng)
        return stack_resampled(X, y, X_new, np.concatenate(labels))

    def _perturb(self, x, spread, spec, rng):
        if self.multiplicative_noise > 0:
            x = x * np.exp(self.multiplicative_noise * rng.standard_normal(x.size))
        x = x + self.noise_level * spread * rng.standard_normal(x.size)
        return _reflect(x, spec.low, spec.high)


def _spikes(x):
    """The spikes of a numeric column (see :func:`~sksynth._data.is_spike`:
    a value that holds ten times an average value's share, so a column of a
    few values has none and its noise moves values between them), found on
    at most ``_SPIKE_ROWS`` rows taken at a regular step."""
    x = x[:: max(1, x.size // _SPIKE_ROWS)]
    x = x[~np.isnan(x)]
    if not x.size:
        return np.zeros(0)
    values, counts = np.unique(x, return_counts=True)
    return values[is_spike(counts / x.size)]


def _reflect(x, low, high):
    """Fold values beyond ``[low, high]`` back inside it (then clip)."""
    if np.isnan(low):
        return x
    x = np.where(x < low, 2 * low - x, x)
    x = np.where(x > high, 2 * high - x, x)
    return np.clip(x, low, high)


def _spread(values):
    """Standard deviation of each column over its present values (0 if none)."""
    present = ~np.isnan(values)
    count = present.sum(axis=0)
    filled = np.where(present, values, 0.0)
    mean = filled.sum(axis=0) / np.maximum(count, 1)
    squares = np.where(present, values - mean, 0.0) ** 2
    return np.sqrt(squares.sum(axis=0) / np.maximum(count, 1))
