"""Tests of sksynth.metrics privacy metrics (sksynth/metrics/_privacy.py)."""

import numpy as np
import pandas as pd
import pytest

from sksynth.metrics import (
    close_record_share,
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


def test_close_record_share_of_fresh_rows_and_copies():
    rng = np.random.RandomState(0)
    n = 2000
    train, holdout, fresh = (rng.normal(size=(n, 4)) for _ in range(3))
    # The fresh rows' share and the holdout's quantile each have a binomial
    # standard error of sqrt(q (1 - q) / n).
    for quantile in (0.05, 0.5):
        share = close_record_share(train, fresh, holdout, quantile=quantile)
        bound = 4 * np.sqrt(2 * quantile * (1 - quantile) / n)
        assert share == pytest.approx(quantile, abs=bound)
    assert close_record_share(train, train + 0.01, holdout) == 1.0


def test_close_record_share_ignores_a_blur_dcr_share_sees():
    # A kernel density of the training rows (bandwidth 0.3): its rows are
    # closer to the training rows than to the holdout (DCR share 0.6), but
    # no closer to them than fresh rows are.
    rng = np.random.RandomState(0)
    n = 2000
    train, holdout = rng.normal(size=(n, 4)), rng.normal(size=(n, 4))
    blurred = train[rng.randint(n, size=n)] + rng.normal(0, 0.3, size=(n, 4))
    assert dcr_share(train, blurred, holdout, random_state=0) > 0.57
    bound = 4 * np.sqrt(2 * 0.05 * 0.95 / n)
    assert close_record_share(train, blurred, holdout) < 0.05 + bound


def test_close_record_share_weighs_ties_at_the_quantile():
    # A fifth of the holdout copies training rows: the quantile is 0, and a
    # synthetic copy counts a quarter, so that the holdout's own share is
    # exactly 0.05 and copying every row gives 0.25, not 1.
    rng = np.random.RandomState(0)
    train, holdout = rng.normal(size=(500, 3)), rng.normal(size=(500, 3))
    holdout[:100] = train[:100]
    assert close_record_share(train, holdout, holdout) == pytest.approx(0.05)
    assert close_record_share(train, train, holdout) == pytest.approx(0.25)
    assert close_record_share(train, train + 1.0, holdout) == 0.0


def test_close_record_share_on_mixed_frames():
    rng = np.random.RandomState(0)

    def frame(n):
        return pd.DataFrame(
            {
                "x": rng.normal(size=n),
                "city": pd.Categorical(rng.choice(["a", "b", "c"], size=n)),
            }
        )

    train, holdout = frame(400), frame(400)
    assert close_record_share(train, train.iloc[:50], holdout) == 1.0
    with pytest.raises(ValueError, match="quantile"):
        close_record_share(train, train, holdout, quantile=1.0)
