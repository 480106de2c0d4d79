"""Metrics that compare synthetic data with real data."""

from ._fidelity import correlation_similarity, ks_complement, tv_complement

__all__ = ["correlation_similarity", "ks_complement", "tv_complement"]
