"""Privacy: how close synthetic rows come to the rows they were learnt from."""

from numbers import Integral, Real

import numpy as np
from sklearn.neighbors import NearestNeighbors
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, validate_params

from ._tables import FeatureMap, encode_tables, subsample_rows


def _nearest(reference, query, n_neighbors=1):
    """Euclidean distances from each query row to its nearest reference rows."""
    search = NearestNeighbors(n_neighbors=n_neighbors, algorithm="brute")
    distances, _ = search.fit(reference).kneighbors(query)
    return distances


def _nearest_other(reference, query, rows):
    """Distance from each query row to its nearest reference row other than itself.

    ``rows`` are the positions of the query rows in ``reference``. A duplicate
    of a query row elsewhere in ``reference`` is another row, at distance 0.
    """
    search = NearestNeighbors(n_neighbors=2, algorithm="brute").fit(reference)
    distances, indices = search.kneighbors(query)
    return np.where(indices[:, 0] == rows, distances[:, 1], distances[:, 0])


_COMMON = {
    "train": ["array-like"],
    "synthetic": ["array-like"],
    "max_samples": [Interval(Integral, 1, None, closed="left"), None],
    "random_state": ["random_state"],
}


@validate_params(
    {**_COMMON, "holdout": ["array-like"]}, prefer_skip_nested_validation=True
)
def dcr_share(train, synthetic, holdout, *, max_samples=10_000, random_state=None):
    """Share of synthetic rows closer to the training rows than to a real holdout.

    For each synthetic row, the distance to its closest record (DCR) among
    the training rows is compared with that among holdout rows that the
    synthesizer never saw. A synthesizer that learnt the distribution and not
    the rows puts synthetic rows as close to fresh real rows as to its
    training rows: the share is about ``n_train / (n_train + n_holdout)``,
    50 % for equal sizes. Well above it, synthetic rows sit near particular
    training rows. Ties (e.g. both distances 0) count one half.

    Distances are Euclidean on numbers standardised by the training rows
    (missing values at the mean, plus missing indicators) and one-hot
    categories scaled so that one differing category weighs like one
    standard deviation.

    Parameters
    ----------
    train : {array-like, DataFrame} of shape (n_train, n_features)
        Rows the synthesizer was fitted on.
    synthetic : {array-like, DataFrame} of shape (n_synthetic, n_features)
        Synthetic rows.
    holdout : {array-like, DataFrame} of shape (n_holdout, n_features)
        Real rows the synthesizer did not see, ideally as many as ``train``.
    max_samples : int or None, default=10000
        Synthetic rows drawn at random beyond this number (the share's
        standard error is then below 0.5 %); None uses every row.
    random_state : int, RandomState instance or None, default=None
        Controls the subsampling.

    Returns
    -------
    share : float
        Share of synthetic rows closer to ``train`` than to ``holdout``.

    See Also
    --------
    close_record_share : Share of synthetic rows nearer a training row than
        most holdout rows are; it tells near-copies from rows that are
        farther from real rows in general, which raise this share too.

    Examples
    --------
    >>> import numpy as np
    >>> from sksynth.metrics import dcr_share
    >>> rng = np.random.RandomState(0)
    >>> train, holdout = rng.normal(size=(500, 3)), rng.normal(size=(500, 3))
    >>> round(dcr_share(train, rng.normal(size=(500, 3)), holdout), 1)
    0.5
    >>> dcr_share(train, train, holdout)   # copies of the training rows
    1.0
    """
    columns, (train_values, synthetic_values, holdout_values) = encode_tables(
        train, synthetic, holdout, names=("synthetic", "holdout")
    )
    return _dcr_share(
        columns,
        train_values,
        synthetic_values,
        holdout_values,
        max_samples,
        random_state,
    )


def _dcr_share(
    columns, train_values, synthetic_values, holdout_values, max_samples, rng
):
    rng = check_random_state(rng)
    features = FeatureMap(columns, train_values)
    query = features.transform(subsample_rows(synthetic_values, max_samples, rng))
    to_train = _nearest(features.transform(train_values), query)[:, 0]
    to_holdout = _nearest(features.transform(holdout_values), query)[:, 0]
    return _closer_share(to_train, to_holdout)


@validate_params(
    {
        **_COMMON,
        "holdout": ["array-like"],
        "quantile": [Interval(Real, 0, 1, closed="neither")],
    },
    prefer_skip_nested_validation=True,
)
def close_record_share(
    train, synthetic, holdout, *, quantile=0.05, max_samples=10_000, random_state=None
):
    """Share of synthetic rows closer to a training row than most fresh rows are.

    The distances of real holdout rows to their closest training row say how
    close a row the synthesizer never saw comes to the training rows: only a
    share ``quantile`` of them come closer than their ``quantile``-quantile.
    This is the share of synthetic rows that come closer than that, about
    ``quantile`` for a synthesizer whose rows are no closer to the training
    rows than fresh real rows are; well above it, some synthetic rows are
    near-copies of training records.

    :func:`dcr_share` compares each synthetic row's distance to the training
    rows with its distance to the holdout rows, and so also grows when the
    synthetic rows fall farther from real rows in general (a model that
    blurs the data); this figure looks only at the closest synthetic rows.
    Distances are those of :func:`dcr_share`. Where fresh rows tie at the
    quantile (copies of training rows in the real table, at distance 0),
    synthetic rows at that distance count with the weight that makes the
    fresh rows' own share exactly ``quantile``.

    Parameters
    ----------
    train : {array-like, DataFrame} of shape (n_train, n_features)
        Rows the synthesizer was fitted on.
    synthetic : {array-like, DataFrame} of shape (n_synthetic, n_features)
        Synthetic rows.
    holdout : {array-like, DataFrame} of shape (n_holdout, n_features)
        Real rows the synthesizer did not see (a few hundred at least, so
        that their ``quantile``-quantile is well estimated).
    quantile : float, default=0.05
        Share of fresh rows that counts as close, in (0, 1).
    max_samples : int or None, default=10000
        Synthetic rows, and holdout rows, drawn at random beyond this number;
        None uses every row.
    random_state : int, RandomState instance or None, default=None
        Controls the subsampling.

    Returns
    -------
    share : float
        Share of synthetic rows closer to a training row than the
        ``quantile``-quantile of the holdout rows' distances; ``quantile``
        is ideal.

    See Also
    --------
    dcr_share : Share of synthetic rows closer to the training rows than to
        a real holdout.
    plot_dcr : The two distributions of distances this compares.

    Examples
    --------
    >>> import numpy as np
    >>> from sksynth.metrics import close_record_share
    >>> rng = np.random.RandomState(0)
    >>> train, holdout = rng.normal(size=(500, 3)), rng.normal(size=(500, 3))
    >>> share = close_record_share(train, rng.normal(size=(500, 3)), holdout)
    >>> bool(0.02 < share < 0.08)  # about the 0.05 of fresh rows
    True
    >>> close_record_share(train, train + 0.01, holdout)  # near-copies
    1.0
    """
    columns, (train_values, synthetic_values, holdout_values) = encode_tables(
        train, synthetic, holdout, names=("synthetic", "holdout")
    )
    synthetic_to_train, fresh_to_train = _dcr_distances(
        columns,
        train_values,
        synthetic_values,
        holdout_values,
        max_samples,
        random_state,
    )
    return _close_share(synthetic_to_train, fresh_to_train, quantile)


def _dcr_distances(
    specs, train_values, synthetic_values, holdout_values, max_samples, rng
):
    """Distances of synthetic and of holdout rows to their closest training row."""
    rng = check_random_state(rng)
    queries = [
        subsample_rows(values, max_samples, rng)
        for values in (synthetic_values, holdout_values)
    ]
    reference, *queries = _distance_features(
        FeatureMap(specs, train_values), [train_values, *queries]
    )
    return [_nearest(reference, query)[:, 0] for query in queries]


def _distance_features(features, tables):
    """Features of each table, without those constant across all of them.

    A constant feature (e.g. the "other" level of a column without rare or
    unseen levels) adds nothing to any distance, only to its cost.
    """
    matrices = [features.transform(values) for values in tables]
    low = np.min([matrix.min(axis=0) for matrix in matrices], axis=0)
    high = np.max([matrix.max(axis=0) for matrix in matrices], axis=0)
    varies = low < high
    # Neighbour searches need one feature at least (all distances then 0).
    varies[0] |= not varies.any()
    return [np.ascontiguousarray(matrix[:, varies]) for matrix in matrices]


def _close_share(distances, fresh, quantile):
    """Share of ``distances`` below the ``quantile``-quantile of ``fresh``,
    ties at it weighted so that ``fresh``'s own share is ``quantile``."""
    threshold = np.quantile(fresh, quantile, method="inverted_cdf")
    below, tied = np.mean(fresh < threshold), np.mean(fresh == threshold)
    weight = (quantile - below) / tied if tied > 0 else 0.0
    return float(
        np.mean(distances < threshold) + weight * np.mean(distances == threshold)
    )


def _closer_share(to_train, to_holdout):
    """Share of rows closer to train than to holdout, ties counting one half."""
    closer = (to_train < to_holdout) + 0.5 * (to_train == to_holdout)
    return float(closer.mean())


@validate_params(_COMMON, prefer_skip_nested_validation=True)
def exact_copy_share(train, synthetic, *, max_samples=None, random_state=None):
    """Share of synthetic rows that are exact copies of a training row.

    Missing values match missing values. Compare it with the same share
    between a real holdout and the training rows: real tables can hold
    duplicate rows of their own.

    Parameters
    ----------
    train : {array-like, DataFrame} of shape (n_train, n_features)
        Rows the synthesizer was fitted on.
    synthetic : {array-like, DataFrame} of shape (n_synthetic, n_features)
        Synthetic rows.
    max_samples : int or None, default=None
        Synthetic rows drawn at random beyond this number; None uses every
        row.
    random_state : int, RandomState instance or None, default=None
        Controls the subsampling.

    Returns
    -------
    share : float
        Share of synthetic rows found among the training rows.

    Examples
    --------
    >>> import numpy as np
    >>> from sksynth.metrics import exact_copy_share
    >>> train = np.array([[1, 2], [3, 4], [5, 6]])
    >>> exact_copy_share(train, np.array([[1, 2], [3, 5]]))
    0.5
    """
    _, (train_values, synthetic_values) = encode_tables(train, synthetic)
    return _exact_copy_share(train_values, synthetic_values, max_samples, random_state)


def _exact_copy_share(train_values, synthetic_values, max_samples, rng):
    rng = check_random_state(rng)
    synthetic_values = subsample_rows(synthetic_values, max_samples, rng)
    # Rows as bytes; NaN has one bit pattern after this normalisation, so
    # missing values match missing values.
    return float(np.isin(_row_keys(synthetic_values), _row_keys(train_values)).mean())


def _row_keys(values):
    normalised = np.where(np.isnan(values), np.nan, values + 0.0)
    contiguous = np.ascontiguousarray(normalised, dtype=np.float64)
    return contiguous.view(
        np.dtype((np.void, contiguous.dtype.itemsize * contiguous.shape[1]))
    ).ravel()


@validate_params(_COMMON, prefer_skip_nested_validation=True)
def nndr(train, synthetic, *, max_samples=10_000, random_state=None):
    """Median nearest-neighbour distance ratio of synthetic rows to training rows.

    For each synthetic row, the distance to its nearest training row divided
    by the distance to its second nearest. A ratio near 0 marks a synthetic
    row much closer to one training row than to any other: a row that may
    disclose that record. Compare with the same figure for a real holdout.

    Parameters
    ----------
    train : {array-like, DataFrame} of shape (n_train, n_features)
        Rows the synthesizer was fitted on (at least two).
    synthetic : {array-like, DataFrame} of shape (n_synthetic, n_features)
        Synthetic rows.
    max_samples : int or None, default=10000
        Synthetic rows drawn at random beyond this number; None uses every
        row.
    random_state : int, RandomState instance or None, default=None
        Controls the subsampling.

    Returns
    -------
    ratio : float
        Median ratio, between 0 and 1.

    Examples
    --------
    >>> import numpy as np
    >>> from sksynth.metrics import nndr
    >>> rng = np.random.RandomState(0)
    >>> train = rng.normal(size=(500, 3))
    >>> nndr(train, train + 1e-6) < 0.01
    True
    """
    columns, (train_values, synthetic_values) = encode_tables(train, synthetic)
    return _nndr(columns, train_values, synthetic_values, max_samples, random_state)


def _nndr(columns, train_values, synthetic_values, max_samples, rng):
    rng = check_random_state(rng)
    if train_values.shape[0] < 2:
        raise ValueError(
            "nndr needs at least 2 training rows (a nearest and a second nearest); "
            "got 1. Pass more training rows."
        )
    features = FeatureMap(columns, train_values)
    query = features.transform(subsample_rows(synthetic_values, max_samples, rng))
    distances = _nearest(features.transform(train_values), query, n_neighbors=2)
    return _median_ratio(distances)


def _median_ratio(distances):
    """Median of nearest over second-nearest distance (1 when both are 0)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(distances[:, 1] > 0, distances[:, 0] / distances[:, 1], 1.0)
    return float(np.median(ratio))
