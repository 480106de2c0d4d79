"""Tests of sksynth.metrics privacy metrics (sksynth/metrics/_privacy.py)."""

import numpy as np
import pytest

from sksynth.metrics import (
    dcr_share,
    exact_copy_share,
    nndr,
)


def test_dcr_share_and_copies():
    rng = np.random.RandomState(0)
    n = 2000
    train, holdout, fresh = (rng.normal(size=(n, 4)) for _ in range(3))
    share = dcr_share(train, fresh, holdout, random_state=0)
    # Binomial standard error of a share of 0.5 over n rows.
    assert share == pytest.approx(0.5, abs=4 * np.sqrt(0.25 / n))
    noisy_copies = train + rng.normal(0, 0.01, size=train.shape)
    assert dcr_share(train, noisy_copies, holdout) > 0.99
    assert exact_copy_share(train, train[:100]) == 1.0
    assert exact_copy_share(train, fresh) == 0.0
    assert nndr(train, noisy_copies) < 0.1
    assert nndr(train, fresh) > 0.5


def test_exact_copy_share_matches_missing_values():
    train = np.array([[1.0, np.nan], [2.0, 3.0]])
    assert exact_copy_share(train, np.array([[1.0, np.nan], [1.0, 0.0]])) == 0.5


def test_nndr_needs_two_training_rows():
    with pytest.raises(ValueError, match="nndr needs at least 2 training rows.*got 1"):
        nndr(np.zeros((1, 2)), np.zeros((5, 2)))
