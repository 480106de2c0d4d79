"""sksynth: synthetic tabular data the scikit-learn way."""

from ._copula import GaussianCopulaSynthesizer
from ._kde import KDESynthesizer
from ._mixture import MixtureSynthesizer
from ._tree import TreeSynthesizer
from .over_sampling import (
    CopulaOverSampler,
    KDEOverSampler,
    NoiseAugmenter,
    SynthesizerOverSampler,
    TreeOverSampler,
)

__version__ = "0.1.0.dev0"

__all__ = [
    "CopulaOverSampler",
    "GaussianCopulaSynthesizer",
    "KDEOverSampler",
    "KDESynthesizer",
    "MixtureSynthesizer",
    "NoiseAugmenter",
    "SynthesizerOverSampler",
    "TreeOverSampler",
    "TreeSynthesizer",
    "__version__",
]
