"""Gaussian (and Student-t) copula synthesizer."""

from dataclasses import dataclass

import numpy as np
from scipy import linalg, stats
from scipy.special import gammaln, ndtr, ndtri
from sklearn.utils._param_validation import StrOptions
from threadpoolctl import threadpool_limits

from ._base import BaseSynthesizer
from ._docstring import synthesizer_docstring
from ._margins import (
    EMPIRICAL,
    FAMILIES,
    ColumnMargin,
    Ties,
    fit_level_margin,
    fit_margin,
    normal_scores,
    plain_words,
)
from ._progress import Progress
from .constraints._linked import LINKED_COLUMNS_PARAMETER

_MARGIN_OPTIONS = {"auto", EMPIRICAL, *FAMILIES}
_T_COPULA_DEGREES = np.array([2.0, 3.0, 4.0, 6.0, 8.0, 12.0, 20.0, 30.0, 50.0, 100.0])
# Rows used to choose the order of categorical levels and the t copula's
# degrees of freedom; both are a handful of numbers, well estimated by this many.
_SUBSAMPLE = 20_000
_MAX_ONE_HOT_LEVELS = 100
_BLOCK_ROWS = 65_536
_GIBBS_SWEEPS = 30
_EPS = 1e-12
# Inverse prior variance of a latent correlation, for shrinking the attenuation
# correction of discrete dimensions (see _pairwise_correlation).
_SHRINKAGE = 4.0


@dataclass(eq=False)
class _Dimension:
    """One latent dimension: the value of a column, or whether it is missing."""

    column: int
    role: str  # "value" or "missing"
    margin: ColumnMargin
    # For categorical columns: latent position of each category code, and back.
    position_of_code: np.ndarray | None = None
    code_of_position: np.ndarray | None = None


@dataclass(eq=False)
class _CopulaModel:
    """Fitted copula of one table (one class of the target)."""

    dimensions: list
    correlation: np.ndarray
    df: float  # np.inf for the Gaussian copula
    n_columns: int
    value_dim: dict
    missing_dim: dict
    labels: list  # how error messages name each column
    margins: list  # column model of each column (novel values when scoring)
    factor: np.ndarray  # L with L @ L.T == correlation


@synthesizer_docstring
class GaussianCopulaSynthesizer(BaseSynthesizer):
    """Synthetic rows from a Gaussian copula with fitted margins.

    Each column gets its own distribution (its *margin*); the dependence
    between columns is a Gaussian (or Student-t) copula estimated from the
    normal scores of the data. New rows are drawn by Monte Carlo: correlated
    normal draws are mapped to uniforms and then through each margin's
    quantile function.

    Parameters
    ----------
    marginals : str or dict, default="auto"
        Distribution of the numeric columns. "auto" chooses per column among
        the parametric families (normal, uniform, exponential, lognormal,
        gamma, beta, truncnorm, student_t) and a kernel-smoothed empirical
        distribution by held-out likelihood; "empirical" or one family name
        applies to every numeric column; a dict maps column names (or
        positions) to one of these, the others getting "auto". Spikes (a value
        held by many rows, such as zeros) are point masses in every case, and
        discrete columns (see ``discrete_features``) get a discrete margin
        whatever the family.
    copula : {"gaussian", "t"}, default="gaussian"
        Dependence model. "t" adds tail dependence, with degrees of freedom
        chosen by likelihood (attribute ``df_``).
    ties : {"random", "average"}, default="random"
        Normal scores of tied values (discrete, categorical and missing
        indicator dimensions). "random" breaks ties at random and corrects
        the correlations for the discreteness: they estimate those of the
        latent normal scores, and synthetic rows keep the dependence of the
        data. "average" gives tied rows their mean rank and takes the
        correlations as they come: weaker dependence between discrete
        columns, and less noise from a few dozen rows (see Notes).
    %(categorical_features)s
    %(column_options)s
    %(linked_columns)s
    enforce_range : bool, default=True
        Whether sampled numeric values stay inside the range seen in ``fit``.
        The margins are truncated to that range (no mass piles up at the
        bounds).
    target_type : {"auto", "classification", "regression"}, default="auto"
        How ``y`` passed to ``fit`` is modelled. "auto" takes strings,
        booleans, categories and whole numbers with at most 20 distinct values
        for classes (one copula per class), other numbers for a continuous
        target (one more column of the copula).
    random_state : int, RandomState instance or None, default=None
        Controls the random tie-breaking of the normal scores at ``fit`` and,
        through ``random_state_``, the draws of ``sample``. Pass an int for
        reproducible output across calls.
    %(verbose)s

    Attributes
    ----------
    marginals_ : dict
        Fitted margin of each column, ``{column: description}``, e.g.
        ``"lognormal(s=0.5, loc=0, scale=2)"``; with a classification target,
        one such dict per class, ``{class: {column: description}}``.
    correlation_ : ndarray of shape (n_dimensions, n_dimensions) or dict
        Correlation of the normal scores, one latent dimension per column and
        one more per column with missing values (its missing indicator); a
        dict ``{class: correlation}`` with a classification target.
    df_ : float or dict
        Degrees of freedom of the t copula (``inf`` for the Gaussian copula),
        per class with a classification target.
    %(synthesizer_attributes)s

    See Also
    --------
    sklearn.mixture.GaussianMixture : Mixture of Gaussians for numeric data.
    sklearn.neighbors.KernelDensity : Kernel density estimate for numeric data.

    Notes
    -----
    By Sklar's theorem a joint distribution splits into its margins
    :math:`F_j` and a copula. The Gaussian copula with correlation matrix
    :math:`R` has the density

    .. math::

        c(u) = |R|^{-1/2} \\exp\\left(-\\tfrac12 z^\\top (R^{-1} - I) z\\right),
        \\quad z_j = \\Phi^{-1}(u_j),

    and a row is drawn as :math:`z \\sim N(0, R)`,
    :math:`x_j = F_j^{-1}(\\Phi(z_j))` [1]_. :math:`R` is the correlation of
    the normal scores :math:`\\Phi^{-1}(r_{ij} / (n + 1))` of the ranks, with
    ties broken at random (the distributional transform [2]_), which also
    gives discrete and categorical columns a latent normal score, estimated
    pairwise over the rows where both columns are observed and made positive
    definite by clipping its eigenvalues. The levels of a categorical column
    are placed on the latent axis in the order of their mean score on the
    first principal component of the table, so that associated categories
    and numbers line up. Missing values get a latent indicator dimension, so
    missingness keeps its dependence on the other columns.

    With ``ties="average"`` tied rows share the score of their mean rank and
    the correlations are the Pearson correlations of these scores, with no
    correction for discreteness: between discrete columns they are those of
    the values themselves, smaller in absolute value than the latent ones
    (two binary columns cut from latent normals of correlation 0.6 correlate
    0.41), so the dependence drawn is weaker. On a few dozen rows that acts
    as a shrinkage of noisy estimates; :class:`~sksynth.over_sampling.CopulaOverSampler`
    uses it for small classes.

    ``score_samples`` returns the copula log density times the margins'
    densities (values a margin cannot produce are novel outcomes, see
    :meth:`score_samples`). For discrete values (categories, booleans, integers with few
    levels, spikes, missing indicators) the margin contributes its log
    probability and the copula density is taken at the midpoint of the
    value's CDF jump: an approximation of the exact mixed likelihood, which
    would need a multivariate normal rectangle probability per row. Missing
    values are marginalised out.

    References
    ----------
    .. [1] P. X.-K. Song, "Multivariate dispersion models generated from
       Gaussian copula", Scandinavian Journal of Statistics 27(2), 2000.
    .. [2] L. Rüschendorf, "On the distributional transform, Sklar's theorem,
       and the empirical copula process", Journal of Statistical Planning and
       Inference 139(11), 2009.

    Examples
    --------
    >>> import numpy as np
    >>> from sksynth import GaussianCopulaSynthesizer
    >>> rng = np.random.RandomState(0)
    >>> z = rng.multivariate_normal([0, 0], [[1, 0.7], [0.7, 1]], size=500)
    >>> X = np.column_stack([np.exp(z[:, 0]), z[:, 1]])
    >>> synth = GaussianCopulaSynthesizer(random_state=0).fit(X)
    >>> synth.marginals_[0]
    'lognormal(s=...)'
    >>> X_new = synth.sample(1000)
    >>> X_new.shape
    (1000, 2)
    >>> round(float(np.corrcoef(np.log(X_new[:, 0]), X_new[:, 1])[0, 1]), 1)
    0.7
    """

    # Out of core, its margins come from statistics of all rows.
    _merges_statistics = True

    _parameter_constraints: dict = {
        **BaseSynthesizer._parameter_constraints,
        "linked_columns": LINKED_COLUMNS_PARAMETER,
        "marginals": [StrOptions(_MARGIN_OPTIONS), dict],
        "copula": [StrOptions({"gaussian", "t"})],
        "ties": [StrOptions({"random", "average"})],
    }

    def __init__(
        self,
        *,
        marginals="auto",
        copula="gaussian",
        ties="random",
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
        self.marginals = marginals
        self.copula = copula
        self.ties = ties
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
        names = self._modelled_names()
        identifiers = dict.fromkeys(self.id_columns_, "identifier (new keys)")

        def describe(model):
            margins = dict.fromkeys(names, "all missing")
            for dimension in model.dimensions:
                if dimension.role == "value":
                    margins[names[dimension.column]] = _describe_margin(dimension)
            return {**margins, **identifiers}

        self.marginals_ = self._per_class(describe)
        self.correlation_ = self._per_class(lambda model: model.correlation)
        self.df_ = self._per_class(lambda model: model.df)

    def _position(self, spec):
        """Position of a column in ``X`` (the target after the features)."""
        names = self._schema.names
        return names.index(spec.name) if spec.name in names else len(names)

    def _margin_family(self, spec):
        if isinstance(self.marginals, str):
            return self.marginals
        for key in (spec.name, self._position(spec)):
            if key in self.marginals:
                family = self.marginals[key]
                if family not in _MARGIN_OPTIONS:
                    raise ValueError(
                        f"`marginals` gives column {spec.label} the family {family!r}; "
                        f"choose one of {sorted(_MARGIN_OPTIONS)}."
                    )
                return family
        return "auto"

    def _check_no_family(self, spec):
        """A family given for a categorical or boolean column is an error."""
        if not isinstance(self.marginals, dict):
            return
        for key in (spec.name, self._position(spec)):
            if key in self.marginals and self.marginals[key] != "auto":
                raise ValueError(
                    f"`marginals` gives column {spec.label} the family "
                    f"{self.marginals[key]!r}, but that column is {spec.kind}: "
                    "families apply to numeric columns only. Remove it from "
                    "`marginals`, or pass the column as numbers (and leave it "
                    "out of `categorical_features`) to model it with a family."
                )

    def _check_marginal_keys(self, columns):
        if not isinstance(self.marginals, dict):
            return
        names = self._schema.names
        known = {c.name for c in columns} | set(names) | set(range(len(names)))
        unknown = [key for key in self.marginals if key not in known]
        if unknown:
            raise ValueError(
                f"`marginals` names column {unknown[0]!r}, which is not a column of X. "
                f"Columns are {names}."
            )

    def _fit_table(self, values, layout, rng):
        progress = Progress.of(self)
        columns = layout.columns
        self._check_marginal_keys(columns)
        dimensions, scores, margins = [], [], []
        n_rows = values.shape[0]
        # Out of core, the margins come from all the rows (their statistics),
        # the normal scores and so the dependence from the sample ``values``.
        full = layout.summaries or [None] * len(columns)
        for j, spec in enumerate(columns):
            observed = ~np.isnan(values[:, j])
            if not observed.all() and observed.any():
                indicator = (~observed).astype(float)
                ties = Ties.of_codes((~observed).astype(int), 2)
                margin = fit_margin(
                    indicator, family="discrete", ties=_missing_ties(full[j], ties)
                )
                dimensions.append(_Dimension(j, "missing", margin))
                scores.append(normal_scores(ties, rng, self.ties))
            if spec.is_levels:
                self._check_no_family(spec)
                margins.append(_level_margin(values[:, j], spec, n_rows, full[j]))
                if observed.any():
                    # Margin and scores come once the levels are ordered.
                    dimensions.append(_Dimension(j, "value", None))
                    scores.append(None)
                continue
            if not observed.any():
                margins.append(fit_margin(np.zeros(0), spec, n_rows=n_rows))
                continue
            x = values[observed, j]
            margin, ties = self._fit_numeric_margin(spec, x, n_rows, rng, full[j])
            margins.append(margin)
            dimensions.append(_Dimension(j, "value", margin))
            column_scores = np.full(n_rows, np.nan)
            column_scores[observed] = normal_scores(ties, rng, self.ties)
            scores.append(column_scores)
        n_levels = sum(spec.is_levels for spec in columns)
        progress.lap(f"margins of {len(columns) - n_levels} numeric columns")
        _fit_categorical_dimensions(
            values, columns, dimensions, scores, rng, full, self.ties
        )
        if n_levels:
            progress.lap(f"order of the levels of {n_levels} categorical columns")
        Z = np.column_stack(scores) if scores else np.empty((n_rows, 0))
        if self.ties == "average" and Z.shape[1]:
            # Mean-rank scores of tied values do not average 0: centre them,
            # so that their correlations are Pearson's.
            Z = Z - np.nanmean(Z, axis=0)
        attenuation = np.array(
            [
                _attenuation(d.margin) if self.ties == "random" else 1.0
                for d in dimensions
            ]
        )
        # One BLAS thread: on a busy two-core machine the eigendecomposition
        # of 2,000 columns took 16.6 s with two threads and 3.9 s with one.
        with threadpool_limits(limits=1, user_api="blas"):
            correlation, factor = _pairwise_correlation(Z, attenuation)
        df = np.inf
        if self.copula == "t" and Z.shape[1] > 1:
            df = _fit_t_degrees(Z, correlation, rng)
        progress.lap(f"correlation {len(dimensions)} x {len(dimensions)}")
        return _CopulaModel(
            dimensions=dimensions,
            correlation=correlation,
            df=df,
            n_columns=len(columns),
            value_dim={
                d.column: i for i, d in enumerate(dimensions) if d.role == "value"
            },
            missing_dim={
                d.column: i for i, d in enumerate(dimensions) if d.role == "missing"
            },
            labels=[spec.label for spec in columns],
            margins=margins,
            factor=factor,
        )

    def _fit_numeric_margin(self, spec, x, n_rows, rng, full=None):
        """Margin of the observed values ``x`` of a numeric column of ``n_rows``
        rows, and their ties (which the normal scores reuse); out of core, the
        margin of all the rows as ``full`` (a ColumnSummary) sums them up."""
        progress = Progress.of(self)
        low, high = (spec.low, spec.high) if self.enforce_range else (-np.inf, np.inf)
        ties = Ties.of(x)
        points, point_ties, family = x, ties, None
        if full is not None and full.n_observed:
            points, family, n_rows = full.margin_inputs(spec)
            point_ties = Ties.of(points)
        try:
            margin = fit_margin(
                points,
                spec,
                family=family or self._margin_family(spec),
                low=low,
                high=high,
                rng=rng,
                ties=point_ties,
                n_rows=n_rows,
            )
        except ValueError as exc:
            raise ValueError(
                f"Column {spec.label}: {exc} Pick another family for it in "
                "`marginals`, or 'auto'."
            ) from exc
        if full is not None and full.n_observed:
            full.restate(margin)
        progress.lap(f"margin of {spec.label}", level=2)
        return margin, ties

    def _sample_table(self, model, n_samples, rng, conditions):
        exact, intervals = _latent_constraints(model, conditions)
        Z = _draw_latent(model, n_samples, rng, exact, intervals)
        U = _to_uniform(Z, model.df)
        values = np.full((n_samples, model.n_columns), np.nan)
        for i, dimension in enumerate(model.dimensions):
            if dimension.role == "value":
                values[:, dimension.column] = _dimension_ppf(dimension, U[:, i])
        for j, i in model.missing_dim.items():
            is_missing = model.dimensions[i].margin.ppf(U[:, i]) == 1
            values[is_missing, j] = np.nan
        for j, value in conditions.items():
            values[:, j] = value
        return values

    def _log_density(self, model, values, columns, ignore=None):
        return _copula_log_density(model, values, columns, ignore)


def _describe_margin(dimension):
    if dimension.code_of_position is not None:
        return f"categorical ({dimension.code_of_position.size} levels)"
    return dimension.margin.describe()


def plain_marginals(synthesizer):
    """``marginals_`` of a fitted copula in plain words: ``{column: text}``
    for each numeric column (``{class: {column: text}}`` with a class
    target); categorical columns, already plain, are left out."""

    def describe(model):
        names = synthesizer._modelled_names()
        return {
            names[dimension.column]: plain_words(dimension.margin)
            for dimension in model.dimensions
            if dimension.role == "value" and dimension.code_of_position is None
        }

    return synthesizer._per_class(describe)


def _dimension_ppf(dimension, u):
    """Encoded values of a dimension from uniforms."""
    drawn = dimension.margin.ppf(u)
    if dimension.code_of_position is not None:
        return dimension.code_of_position[drawn.astype(int)].astype(float)
    return drawn


def _positions(dimension, encoded):
    """Encoded values on the margin's axis: categorical codes become latent
    positions (-1 for unseen or missing codes); numbers stay as they are."""
    if dimension.position_of_code is None:
        return encoded
    codes = np.where(np.isnan(encoded), -1, encoded).astype(int)
    valid = (codes >= 0) & (codes < dimension.position_of_code.size)
    positions = dimension.position_of_code[np.where(valid, codes, 0)]
    return np.where(valid, positions, -1).astype(float)


def _dimension_bounds(dimension, encoded):
    """CDF jump ``[F(x-), F(x)]`` of encoded values on the sampling scale."""
    lower, upper = dimension.margin.cdf_bounds(_positions(dimension, encoded))
    margin = dimension.margin
    return margin.to_sampling_scale(lower), margin.to_sampling_scale(upper)


# -- fit ----------------------------------------------------------------------


def _missing_ties(full, ties):
    """Ties of a missing indicator: of the sample, or of all rows out of core."""
    if full is None:
        return ties
    counts = np.array([full.n_observed, full.n_missing])
    return Ties(ties.values, counts, ties.inverse)


def _level_margin(codes, spec, n_rows, full):
    """Margin of a categorical or boolean column: of its codes, or out of core
    of the counts of all rows (``full``)."""
    n_levels = len(spec.categories)
    if full is None:
        return fit_level_margin(codes, n_levels, n_rows)
    return full.level_margin(n_levels)


def _fit_categorical_dimensions(
    values, columns, dimensions, scores, rng, full, ties_method="random"
):
    """Order the levels of categorical columns, then give them margins and scores.

    Levels are ordered by their mean score on the first principal component
    of the table (numeric normal scores and one-hot categories), so that the
    single latent axis of a categorical column lines up with the rest. The
    shares of the levels are those of ``values``, or out of core those of
    all rows (``full``, one ColumnSummary or None per column).
    """
    categorical = [i for i, d in enumerate(dimensions) if d.margin is None]
    if not categorical:
        return
    n_samples = values.shape[0]
    rows = (
        rng.choice(n_samples, _SUBSAMPLE, replace=False)
        if n_samples > _SUBSAMPLE
        else slice(None)
    )
    blocks = [np.nan_to_num(s[rows]) for s in scores if s is not None]
    for i in categorical:
        j = dimensions[i].column
        k = len(columns[j].categories)
        if k > _MAX_ONE_HOT_LEVELS:
            # Very wide columns are ordered by the component, not part of it.
            continue
        codes = values[rows, j]
        one_hot = (codes[:, None] == np.arange(k)).astype(float)
        blocks.append((one_hot - one_hot.mean(axis=0)) / np.sqrt(k))
    if not blocks:
        blocks.append(np.zeros((values[rows].shape[0], 1)))
    component = _first_component(np.column_stack(blocks), rng)
    for i in categorical:
        j = dimensions[i].column
        k = len(columns[j].categories)
        codes = values[rows, j]
        observed = ~np.isnan(codes)
        sums = np.bincount(
            codes[observed].astype(int), component[observed], minlength=k
        )
        counts = np.bincount(codes[observed].astype(int), minlength=k)
        mean_score = np.where(counts > 0, sums / np.maximum(counts, 1), 0.0)
        code_of_position = np.argsort(mean_score, kind="stable")
        position_of_code = np.empty(k, dtype=int)
        position_of_code[code_of_position] = np.arange(k)
        all_codes = values[:, j]
        seen = ~np.isnan(all_codes)
        positions = position_of_code[all_codes[seen].astype(int)]
        ties = Ties.of_codes(positions, k)
        shares = ties.counts
        if full[j] is not None:
            shares = full[j].level_counts(k)[code_of_position]
        present = shares > 0
        margin = ColumnMargin(
            ties.values[present], shares[present] / shares.sum(), discrete=True
        )
        dimensions[i].margin = margin
        dimensions[i].position_of_code = position_of_code
        dimensions[i].code_of_position = code_of_position
        column_scores = np.full(n_samples, np.nan)
        column_scores[seen] = normal_scores(ties, rng, ties_method)
        scores[i] = column_scores


def _first_component(A, rng, n_iter=15):
    """Scores on the first principal component of centred ``A`` (power method)."""
    A = A - A.mean(axis=0)
    v = rng.normal(size=A.shape[1])
    for _ in range(n_iter):
        v = A.T @ (A @ v)
        norm = np.linalg.norm(v)
        if norm == 0:
            break
        v /= norm
    return A @ v


def _attenuation(margin):
    """Covariance of a dimension's jittered normal score with its latent score.

    A discrete value draws its score uniformly inside its CDF jump, i.e. from
    the latent normal truncated to the jump ``[a, b]``; that loses the
    within-jump variance, so correlations with the latent score shrink by the
    factor ``1 - sum_k p_k Var(Z | a_k < Z < b_k)`` (1 for a continuous margin;
    the polyserial correction).
    """
    if margin.atoms.size == 0:
        return 1.0
    lower, upper = margin.cdf_bounds(margin.atoms)
    a, b = ndtri(np.clip(lower, 0, 1)), ndtri(np.clip(upper, 0, 1))
    mass = upper - lower
    phi_a, phi_b = stats.norm.pdf(a), stats.norm.pdf(b)
    with np.errstate(invalid="ignore", divide="ignore"):
        # z * phi(z) vanishes at +-inf.
        a_phi_a = np.where(np.isfinite(a), a * phi_a, 0.0)
        b_phi_b = np.where(np.isfinite(b), b * phi_b, 0.0)
        between = np.where(mass > 0, (phi_a - phi_b) ** 2 / mass, 0.0)
    lost = mass - (b_phi_b - a_phi_a) - between
    return float(np.clip(1.0 - np.nansum(lost), 0.0, 1.0))


def _pairwise_correlation(Z, attenuation):
    """Correlation of normal scores over pairwise-complete rows, corrected for
    the attenuation of discrete dimensions and made positive definite; and
    its factor (see :func:`_nearest_correlation`).

    The jittered score of a discrete dimension correlates with another score
    only ``a`` times as much as its latent score does (``a`` from
    :func:`_attenuation`, multiplied over the pair), while the sampling noise
    of the correlation stays about ``1 / sqrt(n)``: dividing by ``a`` alone
    inflates that noise by ``1 / a``, to made-up correlations near +-1 for a
    (nearly) constant column. The corrected value is therefore shrunk towards
    0 by the share of its variance that is signal, ``a^2 / (a^2 + c (1 -
    a^2) / n)`` (the posterior mean under a normal prior of variance ``1 / c``
    on the latent correlation, with only the noise added by the
    discreteness, ``(1 - a^2) / (a^2 n)``, shrunk away): continuous pairs
    (``a = 1``) are unchanged, and a column that carries no information
    (``a = 0``, a constant) gets correlation 0.
    """
    d = Z.shape[1]
    if d == 0:
        return np.empty((0, 0)), np.empty((0, 0))
    cross, squares = np.zeros((d, d)), np.zeros((d, d))
    pairs = np.zeros((d, d))
    # Row blocks: bounded memory for the masks, and multithreaded BLAS is
    # very slow on one tall, narrow product when the cores are busy.
    for start in range(0, Z.shape[0], _BLOCK_ROWS):
        block = Z[start : start + _BLOCK_ROWS]
        observed = ~np.isnan(block)
        filled = np.where(observed, block, 0.0)
        cross += filled.T @ filled
        squares += (filled**2).T @ observed
        pairs += observed.T.astype(float) @ observed
    with np.errstate(invalid="ignore", divide="ignore"):
        correlation = cross / np.sqrt(squares * squares.T)
    correlation = np.nan_to_num(correlation, nan=0.0)
    kept = np.outer(attenuation, attenuation)
    excess_noise = _SHRINKAGE * (1.0 - kept**2) / np.maximum(pairs, 1.0)
    # Adding 0.0 turns the -0.0 of a sign times zero into 0.0.
    correlation = correlation * (kept / (kept**2 + excess_noise)) + 0.0
    correlation = np.clip(correlation, -0.999, 0.999)
    np.fill_diagonal(correlation, 1.0)
    return _nearest_correlation(correlation, noise=1.0 / np.sqrt(max(Z.shape[0], 1)))


def _nearest_correlation(correlation, noise=0.0, floor=1e-6):
    """A positive definite correlation matrix near ``correlation``.

    A matrix with every eigenvalue at least ``floor`` is kept. Otherwise the
    estimate is not a correlation matrix (pairwise-complete rows and the
    attenuation correction do that), and its small eigenvalues are no better
    known than the sampling ``noise`` of a correlation (``1 / sqrt(n)``):
    eigenvalues below ``max(floor, noise)`` are raised to it and the result
    is rescaled to a unit diagonal. Raising them only to ``floor`` made up a
    near-deterministic relation in a direction the data never showed, and
    held-out rows off it scored log densities in the tens of thousands below
    zero (German credit, 500 rows: median -57,648; -34 with the noise level).

    Returns the matrix and a factor ``L`` with ``L @ L.T`` equal to it, from
    the same eigendecomposition (sampling needs no other).
    """
    eigenvalues, eigenvectors = np.linalg.eigh((correlation + correlation.T) / 2)
    if eigenvalues.min() >= floor:
        return correlation, eigenvectors * np.sqrt(eigenvalues)
    factor = eigenvectors * np.sqrt(np.maximum(eigenvalues, max(floor, noise)))
    repaired = factor @ factor.T
    scale = np.sqrt(np.diag(repaired))
    repaired = repaired / np.outer(scale, scale)
    np.fill_diagonal(repaired, 1.0)
    return repaired, factor / scale[:, None]


def _fit_t_degrees(Z, correlation, rng):
    """Degrees of freedom of the t copula of best likelihood on a grid."""
    complete = ~np.isnan(Z).any(axis=1)
    Z = Z[complete] if complete.sum() > 10 else np.nan_to_num(Z)
    if Z.shape[0] > _SUBSAMPLE:
        Z = Z[rng.choice(Z.shape[0], _SUBSAMPLE, replace=False)]
    U = ndtr(Z)
    best, best_loglik = np.inf, -np.inf
    for df in _T_COPULA_DEGREES:
        loglik = _t_copula_log_density(
            stats.t.ppf(_clip_unit(U), df), correlation, df
        ).sum()
        if loglik > best_loglik:
            best, best_loglik = float(df), loglik
    gaussian = _gaussian_copula_log_density(Z, correlation).sum()
    return best if best_loglik > gaussian else np.inf


def _clip_unit(u):
    return np.clip(u, _EPS, 1 - _EPS)


# -- sampling -----------------------------------------------------------------


def _latent_constraints(model, conditions):
    """Exact latent values and latent intervals implied by ``conditions``."""
    exact, intervals = {}, {}
    for j, value in conditions.items():
        if j in model.missing_dim:
            indicator = model.dimensions[model.missing_dim[j]]
            lower, upper = indicator.margin.cdf_bounds(
                np.array([float(np.isnan(value))])
            )
            intervals[model.missing_dim[j]] = (lower[0], upper[0])
        if np.isnan(value) or j not in model.value_dim:
            continue
        i = model.value_dim[j]
        lower, upper = _dimension_bounds(model.dimensions[i], np.array([value]))
        if np.isnan(lower[0]):
            raise _unseen_value_error(model, i, value)
        if upper[0] > lower[0]:
            intervals[i] = (lower[0], upper[0])
        else:
            exact[i] = lower[0]
    exact = {i: _from_uniform(u, model.df) for i, u in exact.items()}
    intervals = {
        i: (_from_uniform(lo, model.df), _from_uniform(hi, model.df))
        for i, (lo, hi) in intervals.items()
    }
    return exact, intervals


def _unseen_value_error(model, i, value):
    """Error for a condition on a value that a discrete margin never takes."""
    dimension = model.dimensions[i]
    label = model.labels[dimension.column]
    if dimension.code_of_position is not None:
        return ValueError(
            f"`conditions` gives column {label} a level that this model (or this "
            "class of the target) never produces; pick a level seen in fit."
        )
    atoms = dimension.margin.atoms
    shown = ", ".join(_number(a) for a in atoms[:10])
    if atoms.size > 10:
        shown += (
            f", ... ({atoms.size} values from {_number(atoms[0])} "
            f"to {_number(atoms[-1])})"
        )
    return ValueError(
        f"`conditions` gives column {label} the value {_number(value)}, which "
        f"this model never produces: in fit that column took only the values {shown}. "
        "Pass one of these values."
    )


def _number(value):
    """A number as a user wrote it: whole numbers without a decimal point."""
    value = float(value)
    return str(int(value)) if value.is_integer() else repr(value)


def _to_uniform(Z, df):
    return ndtr(Z) if np.isinf(df) else stats.t.cdf(Z, df)


def _from_uniform(u, df):
    u = np.clip(u, 0.0, 1.0)
    return ndtri(u) if np.isinf(df) else stats.t.ppf(u, df)


def _draw_latent(model, n_samples, rng, exact, intervals):
    """Draw latent rows given exact values and intervals on some dimensions.

    The t copula is a normal scale mixture: ``z = g / sqrt(s)`` with
    ``g ~ N(0, R)`` and ``s ~ chi2(df) / df``. Conditioned dimensions with an
    interval are drawn by Gibbs sampling (each from its truncated normal full
    conditional), together with ``s`` for the t copula; the free dimensions
    then follow the Gaussian conditional given the rest.
    """
    correlation, df = model.correlation, model.df
    d = correlation.shape[0]
    if not exact and not intervals:
        Z = rng.standard_normal((n_samples, d)) @ model.factor.T
        if not np.isinf(df):
            Z /= np.sqrt(rng.chisquare(df, n_samples) / df)[:, None]
        return Z
    fixed = sorted(exact) + sorted(intervals)
    free = [i for i in range(d) if i not in exact and i not in intervals]
    Z = np.zeros((n_samples, d))
    for i, z in exact.items():
        Z[:, i] = z
    for i, (lo, hi) in intervals.items():
        Z[:, i] = _interval_start(lo, hi)
    scale = _gibbs_fixed(correlation, df, Z, exact, intervals, rng, np.ones(n_samples))
    if not free:
        return Z
    sub = correlation[np.ix_(fixed, fixed)]
    cross = correlation[np.ix_(free, fixed)]
    weights = linalg.solve(sub, cross.T, assume_a="pos").T
    mean = Z[:, fixed] @ weights.T
    covariance = correlation[np.ix_(free, free)] - weights @ cross.T
    factor = _covariance_factor(covariance)
    noise = rng.standard_normal((n_samples, len(free))) @ factor.T
    Z[:, free] = mean + noise / np.sqrt(scale)[:, None]
    return Z


def _interval_start(lo, hi):
    if np.isfinite(lo) and np.isfinite(hi):
        return (lo + hi) / 2
    if np.isfinite(lo):
        return lo + 0.5
    if np.isfinite(hi):
        return hi - 0.5
    return 0.0


def _gibbs_fixed(correlation, df, Z, exact, intervals, rng, scale):
    """Gibbs sampling of the interval-constrained dimensions (and of the t
    scale); returns the scale ``s`` of each row."""
    fixed = sorted(exact) + sorted(intervals)
    precision = np.linalg.inv(correlation[np.ix_(fixed, fixed)])
    position = {i: k for k, i in enumerate(fixed)}
    n_samples = Z.shape[0]
    is_t = not np.isinf(df)
    # Without intervals the scale has its posterior in one draw.
    sweeps = _GIBBS_SWEEPS if intervals else int(is_t)
    for _ in range(sweeps):
        if is_t:
            Zf = Z[:, fixed]
            quadratic = np.einsum("ij,jk,ik->i", Zf, precision, Zf)
            shape = (df + len(fixed)) / 2
            scale = rng.gamma(shape, 2 / (df + quadratic), size=n_samples)
        for i, (lo, hi) in intervals.items():
            k = position[i]
            others = [position[m] for m in fixed if m != i]
            conditional_mean = (
                -(Z[:, [fixed[o] for o in others]] @ precision[k, others])
                / precision[k, k]
            )
            conditional_sd = 1 / np.sqrt(precision[k, k] * scale)
            Z[:, i] = _truncated_normal(conditional_mean, conditional_sd, lo, hi, rng)
    return scale


def _truncated_normal(mean, sd, low, high, rng):
    """Draws of N(mean, sd²) truncated to [low, high], by inversion.

    Where the interval lies in the upper tail the problem is mirrored, so the
    inversion works where ``ndtr`` keeps its relative precision.
    """
    alpha, beta = (low - mean) / sd, (high - mean) / sd
    mirror = alpha > 0
    alpha, beta = np.where(mirror, -beta, alpha), np.where(mirror, -alpha, beta)
    p_low, p_high = ndtr(alpha), ndtr(beta)
    u = p_low + rng.random_sample(mean.shape) * (p_high - p_low)
    z = np.clip(ndtri(np.clip(u, 1e-300, 1.0)), alpha, beta)
    z = np.where(mirror, -z, z)
    return mean + sd * z


def _covariance_factor(covariance):
    """A matrix ``L`` with ``L @ L.T == covariance`` (covariance may be singular)."""
    eigenvalues, eigenvectors = np.linalg.eigh((covariance + covariance.T) / 2)
    return eigenvectors * np.sqrt(np.maximum(eigenvalues, 0.0))


# -- density ------------------------------------------------------------------


def _copula_log_density(model, values, columns, ignore=None):
    """Log density of encoded rows over ``columns``, others marginalised (and
    in each row the entries ``ignore`` marks)."""
    n_samples = values.shape[0]
    log_margins = np.zeros(n_samples)
    d = len(model.dimensions)
    U = np.full((n_samples, d), 0.5)
    used = np.zeros((n_samples, d), dtype=bool)
    for j in columns:
        x = values[:, j]
        kept = np.ones(n_samples, dtype=bool) if ignore is None else ~ignore[:, j]
        missing = np.isnan(x) & kept
        observed = ~np.isnan(x) & kept
        if j in model.missing_dim:
            i = model.missing_dim[j]
            indicator = np.isnan(x[kept]).astype(float)
            log_density, U[kept, i] = _margin_terms(
                model.dimensions[i].margin, indicator
            )
            log_margins[kept] += log_density
            used[kept, i] = True
        elif missing.any() and j in model.value_dim:
            log_margins[missing] = -np.inf
        if j not in model.value_dim:
            log_margins[observed] = -np.inf
            continue
        i = model.value_dim[j]
        dimension = model.dimensions[i]
        positions = _positions(dimension, x[observed])
        log_density, U[observed, i] = _margin_terms(dimension.margin, positions)
        log_margins[observed] += log_density
        used[observed, i] = True
    finite = np.isfinite(log_margins)
    log_copula = np.zeros(n_samples)
    for dims, members in _row_patterns(used, np.flatnonzero(finite)):
        if dims.size < 2:
            continue
        sub = model.correlation[np.ix_(dims, dims)]
        scores = _from_uniform(_clip_unit(U[np.ix_(members, dims)]), model.df)
        if np.isinf(model.df):
            log_copula[members] = _gaussian_copula_log_density(scores, sub)
        else:
            log_copula[members] = _t_copula_log_density(scores, sub, model.df)
    return log_margins + log_copula


def _margin_terms(margin, x):
    """Log density of values under a margin (log probability at an atom), and
    the middle of their CDF jump, where the copula density is taken (0.5,
    never used, off a discrete margin's atoms)."""
    lower, upper = margin.cdf_bounds(x)
    return margin.log_density(x), np.nan_to_num((lower + upper) / 2, nan=0.5)


def _row_patterns(used, rows):
    """The distinct patterns of ``used[rows]`` (the dimensions each row uses)
    and the rows holding each, in increasing order.

    Rows are grouped by their pattern packed into bytes: ``np.unique`` over
    the rows of a boolean matrix (``axis=0``) took 20 times as long.
    """
    if rows.size == 0 or used.shape[1] == 0:
        return
    packed = np.packbits(used[rows], axis=1)
    keys = packed.view(np.dtype((np.void, packed.shape[1]))).ravel()
    _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    order = np.argsort(inverse.ravel(), kind="stable")
    starts = np.r_[0, np.cumsum(np.bincount(inverse.ravel()))]
    for k, start in enumerate(starts[:-1]):
        members = rows[order[start : starts[k + 1]]]
        yield np.flatnonzero(used[rows[first[k]]]), members


def _gaussian_copula_log_density(Z, correlation):
    _, logdet = np.linalg.slogdet(correlation)
    inverse = np.linalg.inv(correlation) - np.eye(correlation.shape[0])
    return -0.5 * logdet - 0.5 * np.einsum("ij,jk,ik->i", Z, inverse, Z)


def _t_copula_log_density(T, correlation, df):
    d = correlation.shape[0]
    _, logdet = np.linalg.slogdet(correlation)
    quadratic = np.einsum("ij,jk,ik->i", T, np.linalg.inv(correlation), T)
    joint = (
        gammaln((df + d) / 2)
        - gammaln(df / 2)
        - 0.5 * logdet
        - (df + d) / 2 * np.log1p(quadratic / df)
    ) - d / 2 * np.log(df * np.pi)
    univariate = (
        gammaln((df + 1) / 2)
        - gammaln(df / 2)
        - 0.5 * np.log(df * np.pi)
        - (df + 1) / 2 * np.log1p(T**2 / df)
    ).sum(axis=1)
    return joint - univariate
