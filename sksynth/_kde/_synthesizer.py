"""The kernel density synthesizer."""

from numbers import Real

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions

from .._base import BaseSynthesizer
from .._data import column_roles
from .._docstring import synthesizer_docstring
from .._progress import Progress
from ..constraints._linked import LINKED_COLUMNS_PARAMETER
from ._bandwidth import (
    BANDWIDTH_GRID,
    CATEGORICAL_GRID,
    SELECTION_CENTRES,
    categorical_lambdas,
    scott_factor,
    select_bandwidth,
    silverman_factor,
)
from ._kernels import (
    KDEModel,
    column_margins,
    conditional_weights,
    dcr_ratio,
    encode_centres,
    fit_score_maps,
    kde_log_density,
    sample_model,
    score_mean,
    score_spread,
    training_reference,
)


@synthesizer_docstring
class KDESynthesizer(BaseSynthesizer):
    """Synthetic rows from a kernel density estimate of mixed data.

    Each row of the training table is a kernel centre. A new row picks a
    centre uniformly at random and perturbs it: numeric columns with Gaussian
    noise on their normal-score axis, categorical and boolean columns with a
    kernel that keeps the level with probability ``1 - lambda`` and else
    redraws it from the column's level shares (so the shares are kept
    whatever ``lambda``). Missing values are
    copied from the centre, so the share of missing values and its
    dependence on the other columns are kept.

    Parameters
    ----------
    bandwidth : {"auto", "scott", "silverman"}, float or array-like, \
            default="auto"
        Standard deviation of the Gaussian kernel of the numeric columns, in
        units of each column's spread on the normal-score axis. "scott" and
        "silverman" are the classic rules :math:`n^{-1/(d+4)}` and
        :math:`(n (d + 2) / 4)^{-1/(d+4)}` (``d`` numeric columns); "auto"
        chooses a multiple of Scott's rule by leave-one-out likelihood on a
        subsample of at most 1500 rows. A float is used as is; an array
        gives one value per column (entries of categorical columns are not
        used).
    categorical_bandwidth : "auto" or float, default="auto"
        Probability ``lambda`` that a categorical value is redrawn from the
        column's level shares, at most 1 (levels independent of the centre).
        "auto" chooses it by leave-one-out likelihood, together with
        ``bandwidth`` when that is "auto".
    min_distance : float, default=0.0
        Smallest distance between a synthetic row and every training row, in
        the kernel space: numeric columns in units of each column's spread on
        the normal-score axis, and one unit for each differing categorical
        value. Perturbations shorter than this are stretched to it, and draws
        that still land closer to a training row are drawn again (an error
        says so when 20 redraws do not suffice). The check is an exact
        nearest-neighbour search over the training rows: it costs one
        distance per (draw, training row) pair. A floor keeps synthetic rows
        from copying training rows.
    %(categorical_features)s
    %(column_options)s
    %(linked_columns)s
    enforce_range : bool, default=True
        Whether sampled numeric values stay inside the range seen in ``fit``.
        The kernel is then truncated to that range: no mass leaks out of it
        and none piles up at its bounds.
    target_type : {"auto", "classification", "regression"}, default="auto"
        How ``y`` passed to ``fit`` is modelled. "auto" takes strings,
        booleans, categories and whole numbers with at most 20 distinct values
        for classes (one kernel density per class), other numbers for a
        continuous target (one more column).
    random_state : int, RandomState instance or None, default=None
        Controls the subsamples of the bandwidth selection at ``fit`` and,
        through ``random_state_``, the draws of ``sample``. Pass an int for
        reproducible output across calls.
    %(verbose)s

    Attributes
    ----------
    bandwidth_ : ndarray of shape (n_features,) or dict
        Kernel standard deviation of each numeric column on its normal-score
        axis (NaN for categorical columns); a dict ``{class: bandwidth}``
        with a classification target.
    categorical_bandwidth_ : ndarray of shape (n_features,) or dict
        Kernel ``lambda`` of each categorical column (NaN for
        numeric columns); per class with a classification target.
    dcr_ratio_ : float or dict
        Distance-to-closest-record ratio of the fitted density: the median
        distance from 500 draws to their closest training row, divided by the
        median distance from training rows to their closest other training
        row, both in the kernel space. Near or above 1, synthetic rows are no
        closer to the training rows than these are to each other; near 0,
        they are copies. Per class with a classification target.
    %(synthesizer_attributes)s

    See Also
    --------
    GaussianCopulaSynthesizer : Parametric margins joined by a Gaussian copula.
    sklearn.neighbors.KernelDensity : Kernel density estimate for numeric data.

    Notes
    -----
    Each numeric column ``j`` is mapped to normal scores
    :math:`z_j = \\Phi^{-1}(F_j(x_j))` through its piecewise-linear empirical
    CDF :math:`F_j`, in which spikes and the values of discrete columns are
    atoms owning an interval of the CDF. A centre at an atom takes one of 32
    evenly spaced points of that interval at random, not its middle: the
    centres' scores are then standard normal whatever the ties, and a large
    atom (the zeros of an amount) loses through its edges what its
    neighbours' kernels spill into it, so it keeps its share (rows that hold
    one value of a column keep it). A draw from centre :math:`i` is
    :math:`z_j = \\mu_j + (z_{ij} - \\mu_j + h_j \\epsilon_j) / s_j` with
    standard normal :math:`\\epsilon_j`, :math:`\\mu_j` the mean of the
    centres' scores and :math:`s_j = \\sqrt{1 + h_j^2 / \\hat\\sigma_j^2}`: the
    shrunk smoothed bootstrap [4]_, which keeps each column's mean and
    variance (a plain kernel draw widens every margin by :math:`1 + h^2` in
    variance, which a model can tell from real data on a single column). The
    density is the product-kernel mixture

    .. math::

        \\hat f(x) = \\frac1n \\sum_{i=1}^n \\prod_{j\\,\\mathrm{numeric}}
        \\frac{s_j}{h_j} \\phi\\left(\\frac{\\mu_j + s_j (z_j - \\mu_j)
        - z_{ij}}{h_j}\\right) \\left|\\frac{dz_j}{dx_j}\\right|
        \\prod_{j\\,\\mathrm{categorical}} L_{\\lambda_j}(x_j, x_{ij}),
        \\qquad L_\\lambda(a, b) = (1 - \\lambda)\\,[a = b] + \\lambda\\,p_j(a)

    with :math:`h_j = h\\,\\hat\\sigma_j` [1]_ and, on categories, a kernel
    that shrinks towards the level shares :math:`p_j` of the training rows,
    a variant of the Aitchison-Aitken kernel [2]_ (which shrinks towards
    uniform shares and so distorts the margins); an atom contributes the
    kernel mass of its interval instead of a density. Because
    :math:`F_j^{-1}` maps the whole normal axis into the observed range,
    draws never leave it and never pile up at
    its bounds; integers stay integers. Missing values are copied from the
    centre: the density of a row is the mixture over the centres with the
    same missingness, but for ``score_samples``, where a value's missingness
    differs from its centre's with probability ``1 / (n + 1)`` (a present
    value then following the column's own distribution), so that a pattern
    of missing values no training row has keeps a finite score; values the
    model cannot produce are novel outcomes (see :meth:`score_samples`).
    ``score_samples`` costs one kernel evaluation per (row, training row)
    pair, computed in blocks of bounded memory.

    With ``conditions``, each centre is weighted by its kernel value at the
    conditioned columns, and the other columns are perturbed as usual: the
    exact conditional of the product-kernel density.

    A small bandwidth reproduces the training rows; ``dcr_ratio_`` measures
    this and ``min_distance`` sets a floor on the distance of every draw to
    every training row [3]_.

    References
    ----------
    .. [1] D. W. Scott, "Multivariate Density Estimation: Theory, Practice,
       and Visualization", 2nd ed., Wiley, 2015.
    .. [2] J. Aitchison and C. G. G. Aitken, "Multivariate binary
       discrimination by the kernel method", Biometrika 63(3), 1976.
    .. [3] N. Park et al., "Data synthesis based on generative adversarial
       networks", Proceedings of the VLDB Endowment 11(10), 2018 (distance to
       closest record).
    .. [4] B. W. Silverman, "Density Estimation for Statistics and Data
       Analysis", Chapman and Hall, 1986, section 6.4.1 (the shrunk smoothed
       bootstrap).

    Examples
    --------
    >>> import numpy as np
    >>> from sksynth import KDESynthesizer
    >>> rng = np.random.RandomState(0)
    >>> X = np.concatenate([rng.normal(-3, 1, (300, 2)), rng.normal(3, 1, (300, 2))])
    >>> synth = KDESynthesizer(random_state=0).fit(X)
    >>> X_new = synth.sample(1000)
    >>> X_new.shape
    (1000, 2)
    >>> bool(X_new.min() >= X.min() and X_new.max() <= X.max())
    True
    >>> round(float(np.mean(X_new[:, 0] > 0)), 1)
    0.5
    """

    _parameter_constraints: dict = {
        **BaseSynthesizer._parameter_constraints,
        "linked_columns": LINKED_COLUMNS_PARAMETER,
        "bandwidth": [
            StrOptions({"auto", "scott", "silverman"}),
            Interval(Real, 0, None, closed="neither"),
            "array-like",
        ],
        "categorical_bandwidth": [
            StrOptions({"auto"}),
            Interval(Real, 0, 1, closed="both"),
        ],
        "min_distance": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(
        self,
        *,
        bandwidth="auto",
        categorical_bandwidth="auto",
        min_distance=0.0,
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
        self.bandwidth = bandwidth
        self.categorical_bandwidth = categorical_bandwidth
        self.min_distance = min_distance
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
        positions = np.asarray(self._schema.modelled, dtype=int)

        def full(model, attribute, indices):
            out = np.full(self.n_features_in_, np.nan)
            indices = np.asarray(indices, dtype=int)
            inside = indices < positions.size
            out[positions[indices[inside]]] = getattr(model, attribute)[inside]
            return out

        self.bandwidth_ = self._per_class(lambda m: full(m, "bandwidth", m.numeric))
        self.categorical_bandwidth_ = self._per_class(
            lambda m: full(m, "lambdas", m.categorical)
        )
        self.dcr_ratio_ = self._per_class(lambda m: m.dcr_ratio)

    def _check_bandwidth_array(self, numeric):
        bandwidth = np.asarray(self.bandwidth, dtype=float)
        if bandwidth.shape != (self.n_features_in_,):
            raise ValueError(
                f"`bandwidth` as an array needs one value per column "
                f"({self.n_features_in_}); got shape {bandwidth.shape}."
            )
        if not np.all(np.isfinite(bandwidth) & (bandwidth > 0)):
            raise ValueError(
                f"`bandwidth` values must be finite and > 0; got {bandwidth.tolist()}."
            )
        positions = np.asarray(self._schema.modelled, dtype=int)
        numeric = np.asarray(numeric, dtype=int)
        inside = numeric < positions.size
        # A continuous target (a column after the features) gets the median.
        out = np.full(numeric.size, np.median(bandwidth))
        out[inside] = bandwidth[positions[numeric[inside]]]
        return out

    def _fit_table(self, values, layout, rng):
        progress = Progress.of(self)
        columns = layout.columns
        numeric, categorical, n_levels = column_roles(columns)
        maps = fit_score_maps(values, columns, numeric)
        scores, codes = encode_centres(maps, values, numeric, categorical, rng)
        spread = score_spread(scores)
        n_samples = values.shape[0]
        model = KDEModel(
            maps=maps,
            numeric=numeric,
            categorical=categorical,
            n_levels=n_levels,
            scores=scores,
            codes=codes,
            spread=spread,
            centre_mean=score_mean(scores),
            bandwidth=spread * scott_factor(n_samples, len(numeric)),
            lambdas=categorical_lambdas(0.1, n_levels),
            n_columns=len(columns),
            margins=column_margins(
                maps, values, columns, numeric, categorical, n_levels
            ),
        )
        progress.lap(f"normal scores of {len(numeric)} numeric columns")
        self._set_bandwidth(model, values, rng)
        progress.lap(f"bandwidth of {len(columns)} columns")
        return model

    def _fit_target(self, values, y, target, rng, summary=None):
        super()._fit_target(values, y, target, rng, summary)
        progress = Progress.of(self)
        for model in self._models:
            if self.min_distance > 0:
                # Every training row, of every class: the model's centres
                # when they are all the rows (no target, or a joint model of
                # (X, y)), else the rows of X.
                rows = None if model.n_centres == values.shape[0] else values
                model.reference = training_reference(model, rows)
            model.dcr_ratio = dcr_ratio(
                model, rng, self.enforce_range, self.min_distance
            )
        progress.lap(f"distance-to-closest-record ratios: {len(self._models)}")

    def _set_bandwidth(self, model, values, rng):
        n_samples, d = values.shape[0], len(model.numeric)
        auto = isinstance(self.bandwidth, str) and self.bandwidth == "auto"
        factor = scott_factor(n_samples, d)
        numeric_grid, categorical_grid = np.array([1.0]), CATEGORICAL_GRID
        if isinstance(self.bandwidth, str):
            if self.bandwidth == "silverman":
                factor = silverman_factor(n_samples, d)
            elif self.bandwidth == "auto":
                numeric_grid = BANDWIDTH_GRID
            model.bandwidth = factor * model.spread
        elif isinstance(self.bandwidth, Real):
            model.bandwidth = np.full(d, float(self.bandwidth)) * model.spread
        else:
            model.bandwidth = self._check_bandwidth_array(model.numeric) * model.spread
        if self.categorical_bandwidth != "auto":
            categorical_grid = np.array([float(self.categorical_bandwidth)])
            model.lambdas = categorical_lambdas(
                self.categorical_bandwidth, model.n_levels
            )
        if numeric_grid.size == 1 and categorical_grid.size == 1:
            return
        if not model.categorical:
            categorical_grid = np.array([0.1])
        if not auto or not model.numeric:
            numeric_grid = np.array([1.0])
            factor = model.bandwidth / np.where(model.spread > 0, model.spread, 1.0)
        # Selection runs on a subsample: rescale Scott's factor to its size.
        sub = min(n_samples, SELECTION_CENTRES)
        sub_factor = factor * scott_factor(sub, d) / scott_factor(n_samples, d)
        if not auto:
            sub_factor = factor
        multiplier, t = select_bandwidth(
            model, values, sub_factor, rng, numeric_grid, categorical_grid
        )
        model.bandwidth = multiplier * factor * model.spread
        if self.categorical_bandwidth == "auto":
            model.lambdas = categorical_lambdas(t, model.n_levels)

    def _sample_table(self, model, n_samples, rng, conditions):
        if self.min_distance > 0 and model.reference is None:
            raise ValueError(
                "`min_distance` was 0 when this synthesizer was fitted: fit it "
                "again with the min_distance to sample with."
            )
        weights = conditional_weights(model, conditions) if conditions else None
        values, _ = sample_model(
            model, n_samples, rng, self.enforce_range, self.min_distance, weights
        )
        for j, value in conditions.items():
            values[:, j] = value
        return values

    def _log_density(self, model, values, columns, ignore=None):
        return kde_log_density(model, values, columns, ignore)
