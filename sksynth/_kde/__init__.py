"""Kernel density estimation of mixed tables: the synthesizer, and the model,
bandwidth search and closest-record search the over-sampler and the metrics
share."""

from ._bandwidth import (
    categorical_lambdas,
    scott_factor,
    select_bandwidth,
    silverman_factor,
    with_bandwidth,
)
from ._kernels import (
    KDEModel,
    column_margins,
    conditional_weights,
    encode_centres,
    fit_score_maps,
    kde_log_density,
    level_shares,
    sample_model,
    score_mean,
    score_spread,
)
from ._neighbors import Reference, embed, split_embed, wide_columns
from ._synthesizer import KDESynthesizer

__all__ = [
    "KDEModel",
    "KDESynthesizer",
    "Reference",
    "categorical_lambdas",
    "column_margins",
    "conditional_weights",
    "embed",
    "encode_centres",
    "fit_score_maps",
    "kde_log_density",
    "level_shares",
    "sample_model",
    "score_mean",
    "score_spread",
    "scott_factor",
    "select_bandwidth",
    "silverman_factor",
    "split_embed",
    "wide_columns",
    "with_bandwidth",
]
