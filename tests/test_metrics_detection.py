"""Tests of sksynth.metrics.detection_auc (sksynth/metrics/_detection.py)."""

import numpy as np
import pandas as pd
import pytest

from sksynth.metrics import detection_auc


def test_detection_gradient_boosting_sees_lost_dependence(
    metrics_independent_margins, metrics_table
):
    numeric = metrics_table[["a", "b"]]
    shuffled = metrics_independent_margins(numeric)
    rng = np.random.RandomState(1)
    z = rng.multivariate_normal([0, 0], [[1, 0.8], [0.8, 1]], size=len(numeric))
    fresh = pd.DataFrame({"a": z[:, 0], "b": np.exp(z[:, 1])})
    same = detection_auc(numeric, fresh, cv=3, random_state=0)
    # Standard error of an AUC near 0.5 with n rows per class: sqrt(1 / (6 n)).
    assert same == pytest.approx(0.5, abs=4 * np.sqrt(1 / (6 * len(numeric))) + 0.02)
    boosted = detection_auc(numeric, shuffled, cv=3, random_state=0)
    logistic = detection_auc(numeric, shuffled, method="logistic", cv=3, random_state=0)
    # Independent margins fool a linear model, not gradient boosting.
    assert logistic < 0.56
    assert boosted > 0.7


def test_detection_on_mixed_data_and_errors(metrics_table):
    other = metrics_table.copy()
    other["group"] = "down"
    assert detection_auc(metrics_table, other, cv=3, random_state=0) > 0.7
    with pytest.raises(ValueError, match="at least cv=5 rows in each table"):
        detection_auc(metrics_table, metrics_table.iloc[:3])


def test_detection_on_tables_too_small_for_early_stopping():
    rng = np.random.RandomState(0)
    for n, cv in [(2, 2), (5, 5), (30, 3)]:
        auc = detection_auc(rng.normal(size=(n, 2)), rng.normal(size=(n, 2)), cv=cv)
        assert 0 <= auc <= 1
