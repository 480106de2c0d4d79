"""Over-samplers that grow classes with synthetic rows (imbalanced-learn API)."""

from ._kde import KDEOverSampler
from ._noise import NoiseAugmenter
from ._synthesizer import (
    CopulaOverSampler,
    ForestOverSampler,
    SynthesizerOverSampler,
    TreeOverSampler,
)

__all__ = [
    "CopulaOverSampler",
    "ForestOverSampler",
    "KDEOverSampler",
    "NoiseAugmenter",
    "SynthesizerOverSampler",
    "TreeOverSampler",
]
