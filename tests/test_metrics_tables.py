"""Tests of the table checks shared by sksynth.metrics (sksynth/metrics/_tables.py)."""

import numpy as np
import pytest

from sksynth.metrics import ks_complement


def test_mismatched_columns_error(metrics_table):
    with pytest.raises(ValueError, match=r"missing \['w'\], unexpected \['zz'\]"):
        ks_complement(metrics_table, metrics_table.rename(columns={"w": "zz"}))
    with pytest.raises(ValueError, match="has 2 columns but the real one has 3"):
        ks_complement(np.ones((5, 3)), np.ones((5, 2)))
    # Same columns in another order are aligned.
    assert ks_complement(
        metrics_table, metrics_table[metrics_table.columns[::-1]]
    ) == pytest.approx(1.0)
