"""Tables bigger than memory, on Dask.

``import sksynth`` never imports Dask; this module does, and needs the
``dask`` extra (``pip install 'sksynth[dask]'``).
"""

from .._data import import_dask

import_dask("sksynth.dask")

from ._sample import sample  # noqa: E402

__all__ = ["sample"]
