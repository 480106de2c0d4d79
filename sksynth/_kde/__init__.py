"""Kernel density estimation of mixed tables: the synthesizer, and the model
and closest-record search that ``KDEOverSampler`` builds on."""

from ._bandwidth import scott_factor, silverman_factor, with_bandwidth
from ._kernels import (
    KDEModel,
    encode_centres,
    fit_score_maps,
    generator_from,
    query_scores,
    sample_model,
    score_mean,
    score_spread,
)
from ._neighbors import Reference, split_embed, wide_columns
from ._synthesizer import KDESynthesizer

__all__ = [
    "KDEModel",
    "KDESynthesizer",
    "Reference",
    "encode_centres",
    "fit_score_maps",
    "generator_from",
    "query_scores",
    "sample_model",
    "score_mean",
    "score_spread",
    "scott_factor",
    "silverman_factor",
    "split_embed",
    "wide_columns",
    "with_bandwidth",
]
