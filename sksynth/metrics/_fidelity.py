"""Fidelity metrics: how alike the columns and pairs of two tables are."""

import warnings

import numpy as np
from scipy import stats
from sklearn.utils._param_validation import StrOptions, validate_params

from .._data import BOOLEAN, CATEGORICAL
from ._tables import encode_tables

# Numeric columns are cut into this many quantile bins of the real data for
# contingency tables.
_N_BINS = 10


def _encode_pair(real, synthetic):
    """Encode two tables with the layout learnt on ``real``."""
    columns, (real_values, synthetic_values) = encode_tables(real, synthetic)
    return columns, real_values, synthetic_values


def _aggregate(scores, aggregate):
    if not aggregate:
        return scores
    finite = [v for v in scores.values() if not np.isnan(v)]
    return float(np.mean(finite)) if finite else float("nan")


@validate_params(
    {"real": ["array-like"], "synthetic": ["array-like"], "aggregate": ["boolean"]},
    prefer_skip_nested_validation=True,
)
def ks_complement(real, synthetic, *, aggregate=True):
    """One minus the Kolmogorov-Smirnov distance of each numeric column.

    1 means the two samples have the same empirical distribution, 0 that they
    do not overlap. Missing values are left out (compare their shares
    separately).

    Parameters
    ----------
    real : {array-like, DataFrame} of shape (n_samples, n_features)
        Real rows; their layout decides which columns are numeric.
    synthetic : {array-like, DataFrame} of shape (n_synthetic, n_features)
        Synthetic rows with the same columns.
    aggregate : bool, default=True
        Return the mean over numeric columns, else a dict per column.

    Returns
    -------
    score : float or dict
        Mean complement (NaN when there is no numeric column), or
        ``{column: complement}``.

    Examples
    --------
    >>> import numpy as np
    >>> from sksynth.metrics import ks_complement
    >>> rng = np.random.RandomState(0)
    >>> real, synthetic = rng.normal(size=(500, 2)), rng.normal(size=(500, 2))
    >>> round(ks_complement(real, synthetic), 2)
    0.94
    """
    columns, real_values, synthetic_values = _encode_pair(real, synthetic)
    return _ks_complement(columns, real_values, synthetic_values, aggregate=aggregate)


def _ks_complement(columns, real_values, synthetic_values, aggregate):
    scores = {}
    for j, spec in enumerate(columns):
        if not spec.is_numeric:
            continue
        a = real_values[:, j][~np.isnan(real_values[:, j])]
        b = synthetic_values[:, j][~np.isnan(synthetic_values[:, j])]
        scores[spec.name] = 1.0 - ks_statistic(a, b)
    return _aggregate(scores, aggregate)


def ks_statistic(a, b):
    """Two-sample Kolmogorov-Smirnov distance.

    The statistic of ``scipy.stats.ks_2samp`` without its p-value, which is
    not needed here and divides by zero for single-value samples.

    Parameters
    ----------
    a, b : ndarray of shape (n,) and (m,)
        Samples, without missing values.

    Returns
    -------
    distance : float
        Largest gap between the empirical distribution functions of ``a`` and
        ``b``; NaN when either is empty.
    """
    if a.size == 0 or b.size == 0:
        return float("nan")
    a, b = np.sort(a), np.sort(b)
    points = np.concatenate([a, b])
    cdf_a = np.searchsorted(a, points, side="right") / a.size
    cdf_b = np.searchsorted(b, points, side="right") / b.size
    return float(np.max(np.abs(cdf_a - cdf_b)))


@validate_params(
    {"real": ["array-like"], "synthetic": ["array-like"], "aggregate": ["boolean"]},
    prefer_skip_nested_validation=True,
)
def tv_complement(real, synthetic, *, aggregate=True):
    """One minus the total variation distance of each categorical column.

    Categorical and boolean columns are compared through the shares of their
    levels, missing values counted as one more level.

    Parameters
    ----------
    real : {array-like, DataFrame} of shape (n_samples, n_features)
        Real rows; their layout decides which columns are categorical.
    synthetic : {array-like, DataFrame} of shape (n_synthetic, n_features)
        Synthetic rows with the same columns.
    aggregate : bool, default=True
        Return the mean over categorical columns, else a dict per column.

    Returns
    -------
    score : float or dict
        Mean complement (NaN when there is no categorical column), or
        ``{column: complement}``.

    Examples
    --------
    >>> import numpy as np
    >>> from sksynth.metrics import tv_complement
    >>> real = np.array([["a"], ["a"], ["b"], ["b"]], dtype=object)
    >>> synthetic = np.array([["a"], ["a"], ["a"], ["b"]], dtype=object)
    >>> tv_complement(real, synthetic)
    0.75
    """
    columns, real_values, synthetic_values = _encode_pair(real, synthetic)
    return _tv_complement(columns, real_values, synthetic_values, aggregate=aggregate)


def _tv_complement(columns, real_values, synthetic_values, aggregate):
    scores = {}
    for j, spec in enumerate(columns):
        if spec.kind not in (CATEGORICAL, BOOLEAN):
            continue
        n_levels = len(spec.categories)
        real_shares = _level_shares(real_values[:, j], n_levels)
        synthetic_shares = _level_shares(synthetic_values[:, j], n_levels)
        distance = 0.5 * np.abs(real_shares - synthetic_shares).sum()
        scores[spec.name] = 1.0 - float(distance)
    return _aggregate(scores, aggregate)


def _level_shares(codes, n_levels):
    """Shares of each level, then of unseen levels, then of missing values."""
    index = np.where(np.isnan(codes), n_levels + 1, codes)
    index = np.where(index < 0, n_levels, index).astype(int)
    return np.bincount(index, minlength=n_levels + 2) / max(codes.size, 1)


@validate_params(
    {
        "real": ["array-like"],
        "synthetic": ["array-like"],
        "method": [StrOptions({"pearson", "spearman"})],
        "aggregate": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def correlation_similarity(real, synthetic, *, method="pearson", aggregate=True):
    """Agreement of the correlations of every pair of numeric columns.

    For each pair, ``1 - |r_real - r_synthetic| / 2``: 1 when the
    correlations are equal, 0 when they are opposite extremes. Rows with a
    missing value in the pair are left out.

    Parameters
    ----------
    real : {array-like, DataFrame} of shape (n_samples, n_features)
        Real rows; their layout decides which columns are numeric.
    synthetic : {array-like, DataFrame} of shape (n_synthetic, n_features)
        Synthetic rows with the same columns.
    method : {"pearson", "spearman"}, default="pearson"
        Correlation coefficient.
    aggregate : bool, default=True
        Return the mean over pairs, else a dict ``{(column, column): score}``.

    Returns
    -------
    score : float or dict
        Mean similarity (NaN with fewer than two numeric columns), or the
        score of each pair.

    Examples
    --------
    >>> import numpy as np
    >>> from sksynth.metrics import correlation_similarity
    >>> rng = np.random.RandomState(0)
    >>> cov = [[1, 0.8], [0.8, 1]]
    >>> real = rng.multivariate_normal([0, 0], cov, size=1000)
    >>> synthetic = rng.multivariate_normal([0, 0], cov, size=1000)
    >>> round(correlation_similarity(real, synthetic), 2)
    1.0
    """
    columns, real_values, synthetic_values = _encode_pair(real, synthetic)
    return _correlation_similarity(
        columns, real_values, synthetic_values, method=method, aggregate=aggregate
    )


def _correlation_similarity(columns, real_values, synthetic_values, method, aggregate):
    numeric = [j for j, spec in enumerate(columns) if spec.is_numeric]
    r_real, r_synthetic = (
        pairwise_correlations(values[:, numeric], method)
        for values in (real_values, synthetic_values)
    )
    similarity = 1.0 - np.abs(r_real - r_synthetic) / 2
    scores = {
        (columns[numeric[a]].name, columns[numeric[b]].name): float(similarity[a, b])
        for a, b in zip(*np.triu_indices(len(numeric), k=1), strict=True)
    }
    return _aggregate(scores, aggregate)


def pairwise_correlations(values, method="pearson"):
    """Correlation of every pair of columns over the rows where both are present.

    A pair with fewer than two such rows, or with a column constant on them,
    gets 0. Spearman's coefficient ranks the columns once when nothing is
    missing, and each pair's complete rows otherwise.

    Parameters
    ----------
    values : ndarray of shape (n_samples, n_columns)
        Numbers, NaN for missing.
    method : {"pearson", "spearman"}, default="pearson"
        Correlation coefficient.

    Returns
    -------
    correlations : ndarray of shape (n_columns, n_columns)
        Symmetric, with ones on the diagonal.
    """
    d = values.shape[1]
    if method == "spearman":
        if not np.isnan(values).any():
            return pairwise_correlations(stats.rankdata(values, axis=0))
        matrix = np.eye(d)
        for a, b in zip(*np.triu_indices(d, k=1), strict=True):
            pair = values[:, [a, b]]
            pair = pair[~np.isnan(pair).any(axis=1)]
            if pair.shape[0] >= 2 and np.ptp(pair[:, 0]) > 0 and np.ptp(pair[:, 1]) > 0:
                matrix[a, b] = matrix[b, a] = stats.spearmanr(*pair.T).statistic
        return matrix
    present = ~np.isnan(values)
    weights = present.astype(float)
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-missing columns
        centre = np.nan_to_num(np.nanmean(values, axis=0))
    # Centred first, so that the sums below do not cancel.
    x = np.where(present, values - centre, 0.0)
    # For columns a, b over the rows where both are present: count, sum of a,
    # sum of squares of a, and sum of products.
    count = weights.T @ weights
    sums = x.T @ weights
    squares = (x * x).T @ weights
    products = x.T @ x
    with np.errstate(invalid="ignore", divide="ignore"):
        spread = squares - sums**2 / count
        covariance = products - sums * sums.T / count
        correlation = covariance / np.sqrt(spread * spread.T)
    # A column constant on the pair's rows leaves only rounding in its spread.
    flat = ~(spread > 1e-10 * squares) | ~(spread.T > 1e-10 * squares.T)
    correlation[(count < 2) | flat | ~np.isfinite(correlation)] = 0.0
    np.fill_diagonal(correlation, 1.0)
    return np.clip(correlation, -1.0, 1.0)


@validate_params(
    {"real": ["array-like"], "synthetic": ["array-like"], "aggregate": ["boolean"]},
    prefer_skip_nested_validation=True,
)
def missing_similarity(real, synthetic, *, aggregate=True):
    """One minus the difference of the share of missing values of each column.

    Parameters
    ----------
    real : {array-like, DataFrame} of shape (n_samples, n_features)
        Real rows.
    synthetic : {array-like, DataFrame} of shape (n_synthetic, n_features)
        Synthetic rows with the same columns.
    aggregate : bool, default=True
        Return the mean over the columns that have missing values in either
        table, else a dict per column.

    Returns
    -------
    score : float or dict
        Mean similarity (1.0 when neither table has missing values), or
        ``{column: similarity}``.

    Examples
    --------
    >>> import numpy as np
    >>> from sksynth.metrics import missing_similarity
    >>> real = np.array([[1.0], [np.nan], [3.0], [4.0]])
    >>> synthetic = np.array([[1.0], [2.0], [3.0], [4.0]])
    >>> missing_similarity(real, synthetic)
    0.75
    """
    columns, real_values, synthetic_values = _encode_pair(real, synthetic)
    return _missing_similarity(
        columns, real_values, synthetic_values, aggregate=aggregate
    )


def _missing_similarity(columns, real_values, synthetic_values, aggregate):
    real_share = np.isnan(real_values).mean(axis=0)
    synthetic_share = np.isnan(synthetic_values).mean(axis=0)
    scores = {
        spec.name: 1.0 - float(abs(real_share[j] - synthetic_share[j]))
        for j, spec in enumerate(columns)
        if real_share[j] > 0 or synthetic_share[j] > 0
    }
    if aggregate and not scores:
        return 1.0
    return _aggregate(scores, aggregate)


@validate_params(
    {"real": ["array-like"], "synthetic": ["array-like"], "aggregate": ["boolean"]},
    prefer_skip_nested_validation=True,
)
def contingency_similarity(real, synthetic, *, aggregate=True):
    """Agreement of the joint distribution of every pair with a categorical column.

    For each pair of columns of which at least one is categorical (or
    boolean), numeric columns are cut into 10 quantile bins of the real data
    (a column with 10 values or fewer, e.g. a count, has one bin per value)
    and missing values are one more level; the score of the pair is one minus
    the total variation distance between the real and the synthetic
    contingency tables: 1 for the same joint shares, 0 for disjoint ones.

    Parameters
    ----------
    real : {array-like, DataFrame} of shape (n_samples, n_features)
        Real rows; their layout decides which columns are categorical.
    synthetic : {array-like, DataFrame} of shape (n_synthetic, n_features)
        Synthetic rows with the same columns.
    aggregate : bool, default=True
        Return the mean over pairs, else a dict ``{(column, column): score}``.

    Returns
    -------
    score : float or dict
        Mean similarity (NaN when no pair involves a categorical column), or
        the score of each pair.

    Examples
    --------
    >>> import numpy as np
    >>> from sksynth.metrics import contingency_similarity
    >>> real = np.array([["a", "x"], ["a", "x"], ["b", "y"], ["b", "y"]])
    >>> shuffled = np.array([["a", "y"], ["a", "x"], ["b", "x"], ["b", "y"]])
    >>> contingency_similarity(real, real)
    1.0
    >>> contingency_similarity(real, shuffled)
    0.5
    """
    columns, real_values, synthetic_values = _encode_pair(real, synthetic)
    return _contingency_similarity(
        columns, real_values, synthetic_values, aggregate=aggregate
    )


def _contingency_similarity(columns, real_values, synthetic_values, aggregate):
    real_levels, synthetic_levels, sizes = [], [], []
    for j, spec in enumerate(columns):
        a, b, size = _discretise(spec, real_values[:, j], synthetic_values[:, j])
        real_levels.append(a)
        synthetic_levels.append(b)
        sizes.append(size)
    scores = {}
    for a in range(len(columns)):
        for b in range(a + 1, len(columns)):
            if columns[a].is_numeric and columns[b].is_numeric:
                continue
            cells = sizes[a] * sizes[b]
            real_table = np.bincount(
                real_levels[a] * sizes[b] + real_levels[b], minlength=cells
            ) / max(real_levels[a].size, 1)
            synthetic_table = np.bincount(
                synthetic_levels[a] * sizes[b] + synthetic_levels[b], minlength=cells
            ) / max(synthetic_levels[a].size, 1)
            distance = 0.5 * np.abs(real_table - synthetic_table).sum()
            scores[(columns[a].name, columns[b].name)] = 1.0 - float(distance)
    return _aggregate(scores, aggregate)


def _discretise(spec, real, synthetic):
    """Level index of every value of both tables, and the number of levels.

    Categorical codes (unseen ones as one more level), numbers by quantile
    bins of the real values (one bin per value when the real values take 10
    values or fewer); missing values are the last level.
    """
    if spec.is_numeric:
        observed = real[~np.isnan(real)]
        values = np.unique(observed)
        if values.size <= _N_BINS:
            # One level per value, cut halfway between values: quantile bins
            # put the two largest values in one bin, and a 0/1 column in one.
            inner = values[:-1] / 2 + values[1:] / 2
        else:
            quantiles = np.quantile(observed, np.linspace(0, 1, _N_BINS + 1))
            inner = np.unique(quantiles)[1:-1]
        size = inner.size + 2

        def levels(x):
            return np.where(np.isnan(x), size - 1, np.searchsorted(inner, x, "right"))

        return levels(real), levels(synthetic), size
    n_levels = len(spec.categories)
    size = n_levels + 2

    def levels(x):
        index = np.where(np.isnan(x), size - 1, x)
        return np.where(index < 0, n_levels, index).astype(int)

    return levels(real), levels(synthetic), size


def association_matrix(table):
    """Strength of association of every pair of columns of one table.

    The measures of :func:`pairwise_associations` (Pearson's correlation,
    Cramér's V, the correlation ratio eta), on a table given as it is:
    identifier columns are left out, dates and durations are numbers.

    Parameters
    ----------
    table : {array-like, DataFrame} of shape (n_samples, n_features)
        Rows of one table.

    Returns
    -------
    names : list
        The columns compared, in the order of the matrix.
    matrix : ndarray of shape (n_columns, n_columns)
        Symmetric, ones on the diagonal; 0 for a pair with a constant column.

    Examples
    --------
    >>> import numpy as np
    >>> from sksynth.metrics._fidelity import association_matrix
    >>> table = np.array([["a", 1.0], ["a", 1.2], ["b", 3.0], ["b", 3.1]], object)
    >>> names, matrix = association_matrix(table)
    >>> round(float(matrix[0, 1]), 2)
    1.0
    """
    columns, (values,) = encode_tables(table)
    return [spec.name for spec in columns], pairwise_associations(columns, values)


def pairwise_associations(columns, values):
    """Association of every pair of columns, numeric or categorical.

    Two numeric columns (numbers, dates, durations): Pearson's correlation,
    from -1 to 1. Two categorical (or boolean) columns: Cramér's V, from 0
    (independent) to 1 (one determines the other). A numeric and a
    categorical column: the correlation ratio eta, the square root of the
    share of the number's variance that the categories explain, from 0 to 1.
    Each pair uses the rows where both columns are present; unseen levels
    count as one more level. A pair with fewer than two such rows, or with a
    column constant on them, gets 0.

    Parameters
    ----------
    columns : list of ColumnSpec
        Layout of ``values``.
    values : ndarray of shape (n_samples, n_columns)
        Encoded table (category codes, numbers; NaN for missing).

    Returns
    -------
    associations : ndarray of shape (n_columns, n_columns)
        Symmetric, with ones on the diagonal.
    """
    d = len(columns)
    numeric = np.array([spec.is_numeric for spec in columns], dtype=bool)
    matrix = np.eye(d)
    index = np.flatnonzero(numeric)
    matrix[np.ix_(index, index)] = pairwise_correlations(values[:, index])
    # Levels 0..k-1, unseen levels (negative codes) as level k.
    levels = {
        j: np.where(values[:, j] < 0, len(columns[j].categories), values[:, j])
        for j in np.flatnonzero(~numeric)
    }
    for a in levels:
        matrix[a, index] = matrix[index, a] = _correlation_ratios(
            levels[a], values[:, index]
        )
    categorical = list(levels)
    for i, a in enumerate(categorical):
        for b in categorical[i + 1 :]:
            both = ~np.isnan(levels[a]) & ~np.isnan(levels[b])
            matrix[a, b] = matrix[b, a] = _cramers_v(
                levels[a][both].astype(int), levels[b][both].astype(int)
            )
    return matrix


def _correlation_ratios(groups, numbers):
    """Eta of each column of ``numbers`` by the levels ``groups``.

    The square root of the between-group over the total sum of squares, on
    the rows where both are present: one sparse product for every column.
    """
    from scipy import sparse

    present = ~np.isnan(numbers) & ~np.isnan(groups)[:, None]
    weights = present.astype(float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-missing columns
        centre = np.nan_to_num(np.nanmean(numbers, axis=0))
    # Centred first, so that the sums of squares do not cancel.
    x = np.where(present, numbers - centre, 0.0)
    codes = np.where(np.isnan(groups), 0, groups).astype(int)
    one_hot = sparse.csr_matrix(
        (np.ones(codes.size), (codes, np.arange(codes.size))),
        shape=(codes.max(initial=0) + 1, codes.size),
    )
    counts = np.asarray(one_hot @ weights)
    sums = np.asarray(one_hot @ x)
    n = weights.sum(axis=0)
    total_sum = x.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_square = total_sum**2 / n
        total = (x * x).sum(axis=0) - mean_square
        between = np.where(counts > 0, sums**2 / counts, 0.0).sum(axis=0)
        between -= mean_square
        ratio = between / total
    squares = (x * x).sum(axis=0)
    ratio[(n < 2) | ~(total > 1e-10 * squares) | ~np.isfinite(ratio)] = 0.0
    return np.sqrt(np.clip(ratio, 0.0, 1.0))


def _cramers_v(x, y):
    """Cramér's V of two level codes (levels absent from the rows dropped)."""
    if x.size < 2:
        return 0.0
    r, c = x.max() + 1, y.max() + 1
    observed = np.bincount(x * c + y, minlength=r * c).reshape(r, c)
    observed = observed[observed.any(axis=1)][:, observed.any(axis=0)]
    if min(observed.shape) < 2:
        return 0.0
    expected = np.outer(observed.sum(axis=1), observed.sum(axis=0)) / x.size
    chi2 = float(np.sum((observed - expected) ** 2 / expected))
    return float(np.sqrt(np.clip(chi2 / (x.size * (min(observed.shape) - 1)), 0, 1)))
