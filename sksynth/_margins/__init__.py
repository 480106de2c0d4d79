"""The column model: the distribution of one column, shared by every estimator.

``fit_margin`` fits a numeric column's :class:`ColumnMargin` (atoms for its
discrete values or spikes, and a continuous part: a parametric family, a
kernel-smoothed or a piecewise-linear empirical distribution);
``fit_level_margin`` a categorical column's :class:`LevelMargin`. The copula
draws through the margins' quantile functions, the kernel density works on
their normal scores, the mixture cuts them into outcomes, and the trees take
their atoms; ``score_samples`` of every estimator gives values the model
cannot produce the same small probability (``column_novelty``).
"""

from ._column import (
    ColumnMargin,
    LevelMargin,
    Ties,
    column_novelty,
    fit_level_margin,
    fit_margin,
    novelty_share,
)
from ._families import (
    EMPIRICAL,
    FAMILIES,
    ParametricMargin,
    select_continuous,
)
from ._kernel import EmpiricalMargin, silverman_bandwidth
from ._linear import LinearMargin, interp
from ._plain import plain_number, plain_words
from ._scores import NormalScores, normal_scores

__all__ = [
    "EMPIRICAL",
    "FAMILIES",
    "ColumnMargin",
    "EmpiricalMargin",
    "LevelMargin",
    "LinearMargin",
    "NormalScores",
    "ParametricMargin",
    "Ties",
    "column_novelty",
    "fit_level_margin",
    "fit_margin",
    "interp",
    "normal_scores",
    "novelty_share",
    "plain_number",
    "plain_words",
    "select_continuous",
    "silverman_bandwidth",
]
