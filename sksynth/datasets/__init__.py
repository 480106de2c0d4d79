"""Real tables shipped with sksynth, for examples and tests that run offline."""

from ._adult import load_adult

__all__ = ["load_adult"]
