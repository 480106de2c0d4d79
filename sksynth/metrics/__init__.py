"""Metrics that compare synthetic data with real data: fidelity, detection,
privacy and utility (train on synthetic, test on real)."""

from ._detection import detection_auc
from ._fidelity import (
    contingency_similarity,
    correlation_similarity,
    ks_complement,
    missing_similarity,
    tv_complement,
)
from ._plot import (
    plot_correlation_difference,
    plot_dcr,
    plot_detection_roc,
    plot_marginals,
    save_figures,
)
from ._privacy import close_record_share, dcr_share, exact_copy_share, nndr
from ._report import SyntheticDataReport, evaluate_synthetic
from ._tstr import TSTRScorer

__all__ = [
    "SyntheticDataReport",
    "TSTRScorer",
    "close_record_share",
    "contingency_similarity",
    "correlation_similarity",
    "dcr_share",
    "detection_auc",
    "evaluate_synthetic",
    "exact_copy_share",
    "ks_complement",
    "missing_similarity",
    "nndr",
    "plot_correlation_difference",
    "plot_dcr",
    "plot_detection_roc",
    "plot_marginals",
    "save_figures",
    "tv_complement",
]
