"""Tables bigger than memory, on Dask.

- :func:`fit` (also ``synth.fit(dask_frame)``): fit a synthesizer on a Dask
  DataFrame or Array with reductions on the workers, never collecting it;
- :func:`sample`: draw rows in parallel into a lazy Dask DataFrame, one
  seeded stream per partition, ready for ``to_parquet``;
- the over-samplers' ``fit_resample`` takes a Dask DataFrame and Series and
  appends the new rows as new partitions.

``import sksynth`` never imports Dask; this module does, and needs the
``dask`` extra (``pip install 'sksynth[dask]'``).
"""

from .._data import import_dask

import_dask("sksynth.dask")

from ._fit import fit  # noqa: E402
from ._sample import sample  # noqa: E402

__all__ = ["fit", "sample"]
