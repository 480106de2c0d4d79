"""sksynth: synthetic tabular data the scikit-learn way."""

from ._copula import GaussianCopulaSynthesizer
from ._kde import KDESynthesizer
from .over_sampling import (
    CopulaOverSampler,
    KDEOverSampler,
    NoiseAugmenter,
    SynthesizerOverSampler,
)

__version__ = "0.1.0.dev0"

__all__ = [
    "CopulaOverSampler",
    "GaussianCopulaSynthesizer",
    "KDEOverSampler",
    "KDESynthesizer",
    "NoiseAugmenter",
    "SynthesizerOverSampler",
    "__version__",
]
