"""sksynth: synthetic tabular data the scikit-learn way."""

from ._copula import GaussianCopulaSynthesizer

__version__ = "0.1.0.dev0"

__all__ = ["GaussianCopulaSynthesizer", "__version__"]
