"""sksynth: synthetic tabular data the scikit-learn way."""

import importlib
from typing import TYPE_CHECKING

from ._copula import GaussianCopulaSynthesizer
from ._forest import ForestSynthesizer
from ._kde import KDESynthesizer
from ._mixture import MixtureSynthesizer
from ._tree import TreeSynthesizer

if TYPE_CHECKING:
    from .over_sampling import (
        CopulaOverSampler,
        ForestOverSampler,
        KDEOverSampler,
        NoiseAugmenter,
        SynthesizerOverSampler,
        TreeOverSampler,
    )

__version__ = "0.1.0.dev0"

__all__ = [
    "CopulaOverSampler",
    "ForestOverSampler",
    "ForestSynthesizer",
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

# The resamplers need imbalanced-learn, whose import also loads pytest and
# scikit-learn's test utilities, and the metrics need much of scikit-learn: both
# are imported on first access (PEP 562), so that `import sksynth` and every
# command line call, `--help` included, do not pay for them.
_LAZY_NAMES = {
    "CopulaOverSampler": "over_sampling",
    "ForestOverSampler": "over_sampling",
    "KDEOverSampler": "over_sampling",
    "NoiseAugmenter": "over_sampling",
    "SynthesizerOverSampler": "over_sampling",
    "TreeOverSampler": "over_sampling",
}
_LAZY_SUBMODULES = ("datasets", "metrics", "over_sampling")


def __getattr__(name):
    if name in _LAZY_NAMES:
        module = importlib.import_module(f".{_LAZY_NAMES[name]}", __name__)
        value = getattr(module, name)
        globals()[name] = value
        return value
    if name in _LAZY_SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted({*globals(), *__all__, *_LAZY_SUBMODULES})
