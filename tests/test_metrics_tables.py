"""Tests of the table checks shared by sksynth.metrics (sksynth/metrics/_tables.py)."""

import numpy as np
import pandas as pd
import pytest

from sksynth.metrics import (
    TSTRScorer,
    close_record_share,
    contingency_similarity,
    correlation_similarity,
    dcr_share,
    detection_auc,
    evaluate_synthetic,
    exact_copy_share,
    ks_complement,
    missing_similarity,
    nndr,
    plot_correlation_difference,
    plot_dcr,
    plot_detection_roc,
    plot_marginals,
    save_figures,
    tv_complement,
)


def test_mismatched_columns_error(metrics_table):
    with pytest.raises(ValueError, match=r"missing \['w'\], unexpected \['zz'\]"):
        ks_complement(metrics_table, metrics_table.rename(columns={"w": "zz"}))
    with pytest.raises(ValueError, match="has 2 columns but the real one has 3"):
        ks_complement(np.ones((5, 3)), np.ones((5, 2)))
    # Same columns in another order are aligned.
    assert ks_complement(
        metrics_table, metrics_table[metrics_table.columns[::-1]]
    ) == pytest.approx(1.0)


# Every public metric, figure and report, called on (real, synthetic, holdout).
ALL_METRICS = {
    "ks_complement": lambda r, s, h: ks_complement(r, s),
    "tv_complement": lambda r, s, h: tv_complement(r, s),
    "missing_similarity": lambda r, s, h: missing_similarity(r, s),
    "correlation_similarity": lambda r, s, h: correlation_similarity(r, s),
    "contingency_similarity": lambda r, s, h: contingency_similarity(r, s),
    "detection_auc": lambda r, s, h: detection_auc(r, s),
    "exact_copy_share": lambda r, s, h: exact_copy_share(r, s),
    "nndr": lambda r, s, h: nndr(r, s),
    "plot_marginals": lambda r, s, h: plot_marginals(r, s),
    "plot_correlation_difference": lambda r, s, h: plot_correlation_difference(r, s),
    "plot_detection_roc": lambda r, s, h: plot_detection_roc(r, s),
    "dcr_share": lambda r, s, h: dcr_share(r, s, h),
    "close_record_share": lambda r, s, h: close_record_share(r, s, h),
    "plot_dcr": lambda r, s, h: plot_dcr(r, s, h),
    "save_figures": lambda r, s, h: save_figures(r, s, "figures", holdout=h),
    "evaluate_synthetic": lambda r, s, h: evaluate_synthetic(r, s, holdout=h),
}
WITH_HOLDOUT = [
    "dcr_share",
    "close_record_share",
    "plot_dcr",
    "save_figures",
    "evaluate_synthetic",
]


@pytest.mark.parametrize(
    "name, which",
    [(name, which) for name in ALL_METRICS for which in ("real", "synthetic")]
    + [(name, "holdout") for name in WITH_HOLDOUT],
)
def test_duplicated_column_names_are_named(name, which, tmp_path, monkeypatch):
    # Issue 15: a 5-column table with two duplicated names was reported as
    # "X has 7 columns, but the estimator was fitted with 5".
    import matplotlib

    matplotlib.use("Agg")
    monkeypatch.chdir(tmp_path)
    rng = np.random.RandomState(0)
    clean = pd.DataFrame(rng.normal(size=(30, 5)), columns=list("abcde"))
    duplicated = clean.set_axis(["a", "b", "a", "b", "e"], axis=1)
    tables = {"real": clean, "synthetic": clean, "holdout": clean, which: duplicated}
    match = (
        rf"The {which} table has duplicated column names \['a', 'b'\]; give every "
        "column a distinct name"
    )
    with pytest.raises(ValueError, match=match):
        ALL_METRICS[name](*tables.values())
    assert not (tmp_path / "figures").exists()


def test_duplicated_column_names_in_tstr_scorer():
    from sklearn.linear_model import LogisticRegression

    from sksynth import GaussianCopulaSynthesizer

    rng = np.random.RandomState(0)
    X = pd.DataFrame(rng.normal(size=(60, 3)), columns=["a", "b", "c"])
    y = (X["a"] > 0).to_numpy().astype(int)
    X_duplicated = X.set_axis(["a", "b", "a"], axis=1)
    scorer = TSTRScorer(LogisticRegression(), random_state=0)
    for position, what in enumerate(["X_train", "X_synth", "X_test"]):
        tables = [X, X, X]
        tables[position] = X_duplicated
        with pytest.raises(ValueError, match=rf"The {what} table has duplicated .*'a'"):
            scorer.evaluate(tables[0], y, tables[1], y, tables[2], y)
    synthesizer = GaussianCopulaSynthesizer(random_state=0).fit(X, y)
    with pytest.raises(ValueError, match=r"The X table has duplicated column names"):
        scorer(synthesizer, X_duplicated, y)
